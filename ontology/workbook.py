"""A scheme as an Excel workbook experts can fill in, and back to Turtle without losing a triple.

Sheets (every cell is text, so values come back exactly as written):

* ``scheme``   — field / value rows: iri, schemeId, kind, version, names, description, source,
  scheme-level (denoise) exclusion patterns and keywords;
* ``concepts`` — one row per concept: iri, code, zh/en name, stage, parent code, top (yes/no),
  weight, include/exclude patterns (space-separated), zh/en keywords and exclusion keywords
  (separated by "; "), source page;
* ``rules``    — one row per rule of a concept (CNIPA-style tables): concept code, rule number,
  include and exclude patterns, note;
* ``supplies`` — supplier code → supplied code;
* ``other``    — every other triple, in N3 terms (subject, predicate, object), so nothing is lost.

A new concept may leave ``iri`` empty: it gets ``<scheme namespace><code>``.
"""

from __future__ import annotations

import re

from pathlib import Path

import openpyxl
from openpyxl.styles import Alignment, Font, PatternFill
from rdflib import RDF, RDFS, BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, SKOS, XSD
from rdflib.util import from_n3

from ontology.chains import code_key
from ontology.errors import OntologyError
from ontology.vocab import PN

SCHEME_FIELDS = [  # field, predicate, language (None: plain), many
    ("schemeId", PN.schemeId, None, False), ("kind", PN.kind, None, False), ("version", OWL.versionInfo, None, False),
    ("name_zh", SKOS.prefLabel, "zh", False), ("name_en", SKOS.prefLabel, "en", False),
    ("description_zh", DCTERMS.description, "zh", False), ("description_en", DCTERMS.description, "en", False),
    ("source", DCTERMS.source, None, False), ("denoise_ipc", PN.ipcExclude, None, True),
    ("denoise_keywords_zh", PN.excludeKeyword, "zh", True), ("denoise_keywords_en", PN.excludeKeyword, "en", True)]
CONCEPT_COLUMNS = ["iri", "code", "name_zh", "name_en", "stage", "parent", "top", "weight", "ipc_include",
                   "ipc_exclude", "keywords_zh", "keywords_en", "exclude_keywords_zh", "exclude_keywords_en",
                   "source_page"]
CONCEPT_TEXT = {  # column → predicate, language, many
    "name_zh": (SKOS.prefLabel, "zh", False), "name_en": (SKOS.prefLabel, "en", False),
    "stage": (PN.stage, None, False), "ipc_include": (PN.ipcInclude, None, True),
    "ipc_exclude": (PN.ipcExclude, None, True), "keywords_zh": (PN.keyword, "zh", True),
    "keywords_en": (PN.keyword, "en", True), "exclude_keywords_zh": (PN.excludeKeyword, "zh", True),
    "exclude_keywords_en": (PN.excludeKeyword, "en", True)}
TYPED = {"weight": (PN.weight, XSD.decimal), "source_page": (PN.sourcePage, XSD.integer)}
RULE_COLUMNS = ["concept", "rule", "ipc_include", "ipc_exclude", "note"]
HELP = {
    "iri": "leave empty for a new concept", "code": "unique, e.g. U1.1", "stage": "upstream / midstream / downstream",
    "parent": "code of the parent concept", "top": "yes for a top-level concept",
    "ipc_include": "space-separated: G01S17* B60W G08G1/16", "keywords_zh": "separated by '; '",
}


def _plain(o, lang: str | None) -> bool:
    """A literal this column can hold exactly: plain string (or the column's language), no separator clash."""
    return isinstance(o, Literal) and o.datatype is None and o.language == lang


class _Taken:
    """The triples the structured sheets hold; the rest go to ``other``."""

    def __init__(self) -> None:
        self.done: set = set()

    def values(self, g: Graph, s, p, lang, many: bool, patterns: bool = False) -> str:
        found = sorted(o for o in g.objects(s, p) if _plain(o, lang) and _fits(str(o), patterns, many))
        if not many:
            found = found[:1] if len(found) == 1 else []
        for o in found:
            self.done.add((s, p, o))
        return (" " if patterns else "; ").join(str(o) for o in found)


def _fits(text: str, patterns: bool, many: bool = True) -> bool:
    """Whether a value survives the cell: trimmed, one line, and free of the list separator when it shares
    a cell with others (space for patterns, ";" for keywords)."""
    if text != text.strip() or text == "" or "\n" in text:
        return False
    return not many or ((" " not in text) if patterns else (";" not in text))


def export_workbook(g: Graph, out: str | Path) -> Path:
    """Write the one scheme of ``g`` (and everything else in ``g``) to an Excel workbook."""
    schemes = list(g.subjects(RDF.type, SKOS.ConceptScheme))
    if len(schemes) != 1:
        raise OntologyError(f"a scheme file declares exactly one skos:ConceptScheme, found {len(schemes)}")
    scheme = schemes[0]
    taken = _Taken()
    taken.done.add((scheme, RDF.type, SKOS.ConceptScheme))
    wb = openpyxl.Workbook()
    sheet = wb.active
    sheet.title = "scheme"
    sheet.append(["field", "value"])
    sheet.append(["iri", str(scheme)])
    for name, pred, lang, many in SCHEME_FIELDS:
        sheet.append([name, taken.values(g, scheme, pred, lang, many, patterns=name == "denoise_ipc")])
    _as_text(sheet)
    concepts = sorted(set(g.subjects(SKOS.inScheme, scheme)), key=lambda c: str(g.value(c, PN.code) or c))
    codes = {}
    for c in concepts:
        code = [o for o in g.objects(c, PN.code) if _plain(o, None) and _fits(str(o), False, many=False)]
        if len(code) == 1 and str(code[0]) not in codes.values():
            codes[c] = str(code[0])
    rows, rules, supplies = [], [], []
    for c in concepts:
        if c not in codes or not isinstance(c, URIRef):
            continue  # no usable code: every triple of it goes to `other`
        taken.done |= {(c, RDF.type, SKOS.Concept), (c, SKOS.inScheme, scheme), (c, PN.code, Literal(codes[c]))}
        row = {"iri": str(c), "code": codes[c]}
        for col, (pred, lang, many) in CONCEPT_TEXT.items():
            row[col] = taken.values(g, c, pred, lang, many, patterns=col.startswith("ipc_"))
        parents = [p for p in g.objects(c, SKOS.broader) if p in codes]
        if len(parents) == 1:
            row["parent"] = codes[parents[0]]
            taken.done.add((c, SKOS.broader, parents[0]))
        if (c, SKOS.topConceptOf, scheme) in g:
            row["top"] = "yes"
            taken.done.add((c, SKOS.topConceptOf, scheme))
        for col, (pred, dtype) in TYPED.items():
            vals = [o for o in g.objects(c, pred) if isinstance(o, Literal) and o.datatype == dtype]
            if len(vals) == 1:
                row[col] = str(vals[0])
                taken.done.add((c, pred, vals[0]))
        rows.append([row.get(k, "") for k in CONCEPT_COLUMNS])
        for target in g.objects(c, PN.supplies):
            if target in codes:
                supplies.append([codes[c], codes[target]])
                taken.done.add((c, PN.supplies, target))
        for r in g.objects(c, PN.rule):
            rules += _rule_row(g, taken, c, codes[c], r)
    _sheet(wb, "concepts", CONCEPT_COLUMNS, rows)
    _sheet(wb, "rules", RULE_COLUMNS, sorted(rules, key=lambda r: (code_key(r[0]), int(r[1]))))
    _sheet(wb, "supplies", ["from", "to"], sorted(supplies))
    other = [[s.n3(), p.n3(), o.n3()] for s, p, o in sorted(g) if (s, p, o) not in taken.done]
    _sheet(wb, "other", ["subject", "predicate", "object"], other)
    out = Path(out)
    wb.save(out)
    return out


def _rule_row(g: Graph, taken: _Taken, concept, code: str, r) -> list[list[str]]:
    """A rule as one row when it is a blank node with a number and nothing the sheet cannot hold."""
    number = [o for o in g.objects(r, PN.ruleNo) if isinstance(o, Literal) and o.datatype == XSD.integer]
    notes = [o for o in g.objects(r, RDFS.comment) if _plain(o, "zh") and _fits(str(o), False, many=False)]
    known = {RDF.type, PN.ruleNo, PN.ipcInclude, PN.ipcExclude, RDFS.comment}
    plain = all(p in known for p, _ in g.predicate_objects(r)) and len(number) == 1 and len(notes) <= 1 \
        and (r, RDF.type, PN.Rule) in g and isinstance(r, BNode) \
        and len(set(g.subjects(None, r))) == 1 \
        and all(_plain(o, None) and _fits(str(o), True) for p in (PN.ipcInclude, PN.ipcExclude)
                for o in g.objects(r, p)) \
        and len(list(g.objects(r, RDFS.comment))) == len(notes)
    if not plain:
        return []
    taken.done |= {(concept, PN.rule, r), (r, RDF.type, PN.Rule), (r, PN.ruleNo, number[0])}
    taken.done |= {(r, p, o) for p in (PN.ipcInclude, PN.ipcExclude) for o in g.objects(r, p)}
    taken.done |= {(r, RDFS.comment, o) for o in notes}
    return [[code, str(number[0]), " ".join(sorted(str(o) for o in g.objects(r, PN.ipcInclude))),
             " ".join(sorted(str(o) for o in g.objects(r, PN.ipcExclude))), str(notes[0]) if notes else ""]]


def _as_text(ws) -> None:
    """Text that starts like a formula (=, +, -, @) stays text: openpyxl would store it as a formula."""
    from ontology.spreadsheet import formula_like
    for row in ws.iter_rows():
        for c in row:
            if isinstance(c.value, str) and formula_like(c.value):
                c.data_type = "s"


def _sheet(wb, title: str, header: list[str], rows: list[list[str]]) -> None:
    ws = wb.create_sheet(title)
    ws.append(header)
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
        if cell.value in HELP:
            from openpyxl.comments import Comment
            cell.comment = Comment(HELP[cell.value], "PatNav")
    for row in rows:
        ws.append([str(v) for v in row])
    for col in ws.columns:
        width = max((len(str(c.value or "")) for c in col[:200]), default=8)
        ws.column_dimensions[col[0].column_letter].width = min(60, max(10, width + 2))
        for c in col[1:]:
            c.alignment = Alignment(wrap_text=False, vertical="top")
    ws.freeze_panes = "A2"
    _as_text(ws)


def _rows(wb, title: str) -> list[dict[str, str]]:
    if title not in wb.sheetnames:
        raise OntologyError(f"the workbook has no sheet {title!r}; start from `patnav ontology export`")
    ws = wb[title]
    values = list(ws.iter_rows(values_only=True))
    if not values:
        return []
    header = [str(h or "").strip() for h in values[0]]
    return [{h: ("" if v is None else str(v)) for h, v in zip(header, row)} | {"_row": str(i)}
            for i, row in enumerate(values[1:], start=2) if any(v not in (None, "") for v in row)]


def _split(text: str, patterns: bool) -> list[str]:
    parts = text.split() if patterns else text.split(";")
    return [p.strip() for p in parts if p.strip()]


#: an IPC pattern as rules write it: a section, class, subclass, main group or subgroup prefix, ``*`` optional
_IPC_PATTERN = re.compile(r"^[A-HY](\d\d([A-Z](\d{1,4}(/\d{1,6})?)?)?)?\*?$")


def _ipc_patterns(text: str, where: str, problems: list[str]) -> list[str]:
    """IPC patterns of a cell, normalised as the classifier reads them — upper case, full-width characters
    folded, no space inside a symbol (``b64d 27/00`` → ``B64D27/00``) — split on spaces, commas or
    semicolons; a token that is no IPC pattern is added to ``problems``.

    >>> found = []; _ipc_patterns("b64d 27/00; G01S17*，Ｈ04Ｗ4/40 X9", "here", found), found
    (['B64D27/00', 'G01S17*', 'H04W4/40'], ["here: 'X9' is not an IPC pattern (like G01S17*, B60W30/09)"])
    """
    import unicodedata
    t = unicodedata.normalize("NFKC", str(text or "")).upper()
    t = re.sub(r"([A-HY]\d\d[A-Z])\s+(?=\d)", r"\1", t)          # "B64D 27/00" → "B64D27/00"
    t = re.sub(r"(\d)\s*/\s*(\d)", r"\1/\2", t)                  # "27 / 00" → "27/00"
    out = []
    for token in (x for x in re.split(r"[\s,;]+", t) if x):
        if _IPC_PATTERN.match(token):
            out.append(token)
        else:
            problems.append(f"{where}: {token!r} is not an IPC pattern (like G01S17*, B60W30/09)")
    return out


def import_workbook(path: str | Path) -> Graph:
    """The graph an exported (and possibly edited) workbook describes."""
    try:
        wb = openpyxl.load_workbook(path, read_only=True)
    except Exception as exc:  # openpyxl raises several types for a file that is not a workbook
        raise OntologyError(f"{path}: not an Excel workbook: {exc}") from exc
    g = Graph()
    problems: list[str] = []  # every problem of the workbook, reported together
    fields = {r["field"]: r.get("value", "") for r in _rows(wb, "scheme")}
    if not fields.get("iri"):
        raise OntologyError(f"{path}: sheet scheme: the row 'iri' needs the scheme's IRI, e.g. urn:patnav:chain:x#")
    scheme = URIRef(fields["iri"])
    ns = Namespace(str(scheme) if str(scheme).endswith(("#", "/")) else str(scheme) + "#")
    g.add((scheme, RDF.type, SKOS.ConceptScheme))
    for name, pred, lang, many in SCHEME_FIELDS:
        text = fields.get(name, "")
        values = _split(text, patterns=name == "denoise_ipc") if many else ([text] if text else [])
        for v in values:  # single values keep their spaces and semicolons
            g.add((scheme, pred, Literal(v, lang=lang)))
    iris = {}
    rows = _rows(wb, "concepts")
    for r in rows:
        code = r.get("code", "").strip()
        if not code:
            problems.append(f"sheet concepts, row {r['_row']}: column code is empty; give every concept a code")
            continue
        if code in iris:
            problems.append(f"sheet concepts, row {r['_row']}: code {code!r} is used twice")
            continue
        iris[code] = URIRef(r["iri"]) if r.get("iri", "").strip() else ns[code]
    for r in rows:
        if r.get("code", "").strip() not in iris:
            continue
        c = iris[r["code"].strip()]
        g.add((c, RDF.type, SKOS.Concept))
        g.add((c, SKOS.inScheme, scheme))
        g.add((c, PN.code, Literal(r["code"].strip())))
        for col, (pred, lang, many) in CONCEPT_TEXT.items():
            text = r.get(col, "")
            values = (_ipc_patterns(text, f"sheet concepts, row {r['_row']}, column {col}", problems)
                      if col.startswith("ipc_") else _split(text, False) if many else ([text] if text else []))
            for v in values:
                g.add((c, pred, Literal(v, lang=lang)))
        if r.get("parent", "").strip():
            parent = r["parent"].strip()
            if parent not in iris:
                problems.append(f"sheet concepts, row {r['_row']}: parent {parent!r} is not a code in this sheet")
            else:
                g.add((c, SKOS.broader, iris[parent]))
        if r.get("top", "").strip().lower() in ("yes", "y", "true", "1", "是"):
            g.add((c, SKOS.topConceptOf, scheme))
        for col, (pred, dtype) in TYPED.items():
            if r.get(col, "").strip():
                g.add((c, pred, Literal(r[col].strip(), datatype=dtype)))
    for r in _rows(wb, "rules"):
        code = r.get("concept", "").strip()
        if code not in iris:
            problems.append(f"sheet rules, row {r['_row']}: concept {code!r} is not a code of sheet concepts")
            continue
        node = BNode()
        g.add((iris[code], PN.rule, node))
        g.add((node, RDF.type, PN.Rule))
        g.add((node, PN.ruleNo, Literal(r.get("rule", "").strip() or "1", datatype=XSD.integer)))
        for col, pred in (("ipc_include", PN.ipcInclude), ("ipc_exclude", PN.ipcExclude)):
            for v in _ipc_patterns(r.get(col, ""), f"sheet rules, row {r['_row']}, column {col}", problems):
                g.add((node, pred, Literal(v)))
        if r.get("note", ""):
            g.add((node, RDFS.comment, Literal(r["note"], lang="zh")))
    for r in _rows(wb, "supplies"):
        a, b = r.get("from", "").strip(), r.get("to", "").strip()
        if a not in iris or b not in iris:
            problems.append(f"sheet supplies, row {r['_row']}: {a!r} → {b!r} must both be codes of sheet concepts")
            continue
        g.add((iris[a], PN.supplies, iris[b]))
    bnodes: dict[str, BNode] = {}
    for r in _rows(wb, "other"):
        try:
            terms = [from_n3(r[k], backend=None) if not r[k].startswith("_:") else
                     bnodes.setdefault(r[k], BNode()) for k in ("subject", "predicate", "object")]
        except Exception as exc:  # from_n3 raises several types
            problems.append(f"sheet other, row {r['_row']}: not an N3 term: {exc}")
            continue
        g.add(tuple(terms))
    if problems:
        raise OntologyError(f"{path}: {len(problems)} problem(s), fix them all and import again:\n  "
                            + "\n  ".join(problems))
    for prefix, namespace in (("skos", SKOS), ("pn", PN), ("owl", OWL), ("dct", DCTERMS), ("rdfs", RDFS)):
        g.bind(prefix, namespace)
    schemeid = fields.get("schemeId", "")
    if schemeid:
        g.bind(schemeid.replace("-", "_"), ns)
    return g
