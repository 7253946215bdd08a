"""USPTO bulk full-text XML: every grant or pre-grant publication document as one row. Three dialects:
the ICE format of the weekly files (``us-patent-grant`` / ``us-patent-application``, DTD v4.0 2004 to
today), and the 2001-2004 ones: ST.32 grants (``PATDOC``, numbered B-tags) and pre-grant publications
(``patent-application-publication``, v1.5/1.6).

A weekly bulk file concatenates thousands of XML documents, each with its own declaration and DOCTYPE;
a single-document file is the same with one. Documents are split on their declarations and parsed
one by one with the standard library's ElementTree. HTML entities the DTD would define (``&lsquo;``)
are resolved first, so no DTD is needed.

Applicants are the assignees (the owners, as every analytics vendor counts them); a patent without an
assignee belongs to its applicants (for older filings, the inventors). Grant numbers lose their
leading zeros (``US06970935B1`` → ``US6970935B1``) as in PatentsView, Lens and the Chinese vendors.
"""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pandas as pd

from ingest.profiles import Profile
from ingest.read import Raw
from ontology.errors import IngestError

SEP = "|"
USPTO = Profile(name="uspto-xml", vendor="USPTO bulk full-text XML", detect=("us-patent-grant",), also=(),
                separator=SEP, columns={}, multi=("applicants", "inventors", "ipcs", "cpcs", "priority_numbers"))
APS = Profile(name="uspto-aps", vendor="USPTO APS Green Book text", detect=("PATN",), also=(), separator=SEP,
              columns={}, multi=("applicants", "inventors", "ipcs", "priority_numbers"))
BRS = Profile(name="uspto-brs", vendor="USPTO BRS full-text export", detect=("BRS DOCUMENT BOUNDARY",), also=(),
              separator=SEP, columns={}, multi=("applicants", "inventors", "ipcs", "priority_numbers"))
ROOTS = ("us-patent-grant", "us-patent-application", "PATDOC", "patent-application-publication")

#: USPTO application types → PatNav's patent types (a US "utility" patent is an invention patent, not 实用新型)
US_TYPES = {"utility": "invention", "plant": "invention", "reissue": "invention", "design": "design",
            "defensive publication": "invention", "statutory invention registration": "invention"}

_DECL = re.compile(r"<\?xml[^>]*\?>")
_DOCTYPE = re.compile(r"<!DOCTYPE[^>\[]*(\[[^\]]*\])?\s*>", re.S)
_COMMENT = re.compile(r"<!--.*?-->", re.S)
_ENTITY = re.compile(r"&([A-Za-z][A-Za-z0-9]*);")
_XML_ENTITIES = {"amp", "lt", "gt", "quot", "apos"}


def sniff(path: Path) -> bool:
    """True for a USPTO full-text XML file (any of the three dialects)."""
    with path.open("rb") as fh:
        head = fh.read(1 << 16).decode("utf-8", "replace")  # ST.32 files declare many entities first
    return any(f"<{r}" in head for r in ROOTS)


def _entity(m: re.Match) -> str:
    name = m.group(1)
    if name in _XML_ENTITIES:
        return m.group(0)
    text = html.unescape(m.group(0))
    return text if text != m.group(0) else " "  # an entity nobody defines: a space, not a parse error


def _documents(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8", errors="replace")
    parts = [p for p in _DECL.split(text) if p.strip()]
    return [_ENTITY.sub(_entity, _DOCTYPE.sub("", _COMMENT.sub("", p))) for p in parts]


def _t(el, path: str) -> str:
    found = el.find(path) if el is not None else None
    return " ".join("".join(found.itertext()).split()) if found is not None else ""


def _name(book) -> str:
    """An organisation's name, or a person's as "First Last"."""
    org = _t(book, "orgname")
    return org or " ".join(x for x in (_t(book, "first-name"), _t(book, "last-name")) if x)


def _ipc_text(code: str) -> str:
    """v4.0 main/further IPC ``G06F015/16`` (zero-padded main group) → ``G06F15/16``."""
    code = code.replace(" ", "")
    m = re.match(r"^([A-H]\d\d[A-Z])0*(\d+)/?(\d*)$", code)
    return f"{m.group(1)}{m.group(2)}/{m.group(3) or '00'}" if m else code


def _symbol(el) -> str:
    """``classification-ipcr`` / ``classification-cpc`` parts → ``G06F15/13``."""
    head = _t(el, "section") + _t(el, "class") + _t(el, "subclass")
    return f"{head}{_t(el, 'main-group')}/{_t(el, 'subgroup')}" if head else ""


def _grant_number(number: str) -> str:
    return re.sub(r"^([A-Z]*)0+(?=\d)", r"\1", number)  # 06970935 → 6970935, D0435854 → D435854


def _st32_ipc(code: str) -> str:
    """ST.32 ``G06F 1516``: subclass, main group right-aligned in three characters, subgroup → ``G06F15/16``."""
    code = code.strip("\n\r\t").rstrip()
    return f"{code[:4]}{code[4:7].strip()}/{code[7:].strip() or '00'}" if len(code) > 7 else code


def _locarno(code: str) -> str:
    """ST.32 design class ``1402`` → Locarno ``14-02``."""
    digits = re.sub(r"\D", "", code)
    return f"{digits[:2]}-{digits[2:4]}" if len(digits) == 4 else code


def _patdoc(root) -> dict:
    """A 2001-2004 ST.32 grant (``PATDOC``): numbered B-tags, text in ``PDAT``."""
    b = root.find("SDOBI")
    if b is None:
        raise ValueError("no SDOBI (bibliographic) part")

    def party(el) -> str:
        nam = el.find(".//NAM")
        return _t(nam, "ONM") or " ".join(x for x in (_t(nam, "FNM"), _t(nam, "SNM")) if x)
    prio = [_t(p, "B330") + _t(p, "B310") for p in b.findall("B300")]
    prio_dates = [_t(p, "B320") for p in b.findall("B300")]
    kind = _t(b, "B100/B130")
    return {
        "id": (_t(b, "B100/B190") or "US") + _grant_number(_t(b, "B100/B110")) + kind,
        "pub_date": _t(b, "B100/B140"), "grant_date": _t(b, "B100/B140"),
        "app_no": "US" + _t(b, "B200/B210"), "app_date": _t(b, "B200/B220"),
        "patent_type": "design" if kind.startswith("S") else "", "title": _t(b, "B500/B540"),
        "abstract": _t(root, "SDOAB"),
        "applicants": SEP.join(dict.fromkeys(party(p) for p in b.findall("B700/B730/B731"))) or
        SEP.join(dict.fromkeys(party(p) for p in b.findall("B700/B720/B721"))),
        "inventors": SEP.join(dict.fromkeys(party(p) for p in b.findall("B700/B720/B721"))),
        "ipcs": SEP.join(_locarno(_t(c, ".")) if kind.startswith("S")  # a design's B511 is its Locarno class
                         else _st32_ipc("".join(c.itertext()))  # not _t: the spaces are positions
                         for c in b.findall("B500/B510/B511") + b.findall("B500/B510/B512")),
        "cpcs": "", "claims": _t(b, "B500/B570/B577"),
        "cites": str(len(b.findall("B500/B560/B561"))) if b.findall("B500/B560/B561") else "",
        "priority_numbers": SEP.join(p for p in prio if p), "priority_date": _earliest(prio_dates),
    }


def _pap(root) -> dict:
    """A 2001-2004 pre-grant publication (``patent-application-publication``, v1.5/1.6)."""
    b = root.find("subdoc-bibliographic-information")
    if b is None:
        raise ValueError("no subdoc-bibliographic-information part")

    def person(el) -> str:
        return " ".join(x for x in (_t(el, "name/given-name"), _t(el, "name/middle-name"),
                                    _t(el, "name/family-name")) if x)
    inventors = [person(p) for p in b.findall("inventors/first-named-inventor") + b.findall("inventors/inventor")]
    owners = [_t(a, "organization-name") or person(a) for a in b.findall("assignee")]
    prio = [_t(p, "country-code") + _t(p, "priority-application-number/doc-number")
            for p in b.findall("foreign-priority-data")]
    prio_dates = [_t(p, "filing-date") for p in b.findall("foreign-priority-data")]
    return {
        "id": "US" + _t(b, "document-id/doc-number") + _t(b, "document-id/kind-code"),
        "pub_date": _t(b, "document-id/document-date"), "grant_date": "",
        "app_no": "US" + _t(b, "domestic-filing-data/application-number/doc-number"),
        "app_date": _t(b, "domestic-filing-data/filing-date"), "patent_type": "",
        "title": _t(b, "technical-information/title-of-invention"), "abstract": _t(root, "subdoc-abstract"),
        "applicants": SEP.join(dict.fromkeys(o for o in owners if o)) or SEP.join(dict.fromkeys(inventors)),
        "inventors": SEP.join(dict.fromkeys(i for i in inventors if i)),
        "ipcs": SEP.join(_ipc_text(_t(c, ".")) for c in b.findall("technical-information/classification-ipc//ipc")),
        "cpcs": "", "claims": str(len(root.findall("subdoc-claims/claim"))) or "", "cites": "",
        "priority_numbers": SEP.join(p for p in prio if p), "priority_date": _earliest(prio_dates),
    }


def _row(doc: str, path: Path, n: int) -> dict:
    try:
        root = ET.fromstring(doc)
    except ET.ParseError as exc:
        raise IngestError(f"document {n} is not well-formed XML: {exc}", file=path.name) from exc
    try:
        if root.tag == "PATDOC":
            return _patdoc(root)
        if root.tag == "patent-application-publication":
            return _pap(root)
    except ValueError as exc:
        raise IngestError(f"document {n} (<{root.tag}>): {exc}", file=path.name) from exc
    bib = root.find("us-bibliographic-data-grant")
    if bib is None:
        bib = root.find("us-bibliographic-data-application")
    if bib is None:
        raise IngestError(f"document {n} (<{root.tag}>) has no us-bibliographic-data; is this a USPTO full-text "
                          "file?", file=path.name)
    pub = bib.find("publication-reference/document-id")
    app = bib.find("application-reference/document-id")
    number = _t(pub, "doc-number")
    if root.tag == "us-patent-grant":
        number = _grant_number(number)
    parties = bib.find("us-parties")
    if parties is None:
        parties = bib.find("parties")
    people = [] if parties is None else (parties.findall("us-applicants/us-applicant")
                                         + parties.findall("applicants/applicant"))
    inventors = [] if parties is None else parties.findall("inventors/inventor")
    inventors += [p for p in people if p.get("app-type") == "applicant-inventor"]
    owners = [_name(a.find("addressbook")) for a in bib.findall("assignees/assignee")]
    owners = [o for o in owners if o] or [_name(a.find("addressbook")) for a in people]
    ipcr = [_symbol(c) for c in bib.findall("classifications-ipcr/classification-ipcr")]
    old_ipc = [_ipc_text(_t(bib, "classification-ipc/main-classification"))] + \
        [_ipc_text("".join(c.itertext())) for c in bib.findall("classification-ipc/further-classification")]
    cpc = [_symbol(c) for c in bib.findall("classifications-cpc/main-cpc/classification-cpc")
           + bib.findall("classifications-cpc/further-cpc/classification-cpc")]
    cited = bib.findall("us-references-cited/us-citation") + bib.findall("references-cited/citation")
    prios = [_t(p, "country") + _t(p, "doc-number") for p in bib.findall("priority-claims/priority-claim")]
    prio_dates = [_t(p, "date") for p in bib.findall("priority-claims/priority-claim")]
    abstract = root.find("abstract")
    return {
        "id": _t(pub, "country") + number + _t(pub, "kind"),
        "pub_date": _t(pub, "date"), "grant_date": _t(pub, "date") if root.tag == "us-patent-grant" else "",
        "app_no": _t(app, "country") + _t(app, "doc-number"), "app_date": _t(app, "date"),
        "patent_type": US_TYPES.get((bib.find("application-reference").get("appl-type") or "").lower(), "")
        if bib.find("application-reference") is not None else "",
        "title": _t(bib, "invention-title"),
        "abstract": " ".join(" ".join(abstract.itertext()).split()) if abstract is not None else "",
        "applicants": SEP.join(dict.fromkeys(o for o in owners if o)),
        "inventors": SEP.join(dict.fromkeys(n for n in (_name(p.find("addressbook")) for p in inventors) if n)),
        "ipcs": SEP.join(dict.fromkeys(c for c in ipcr + old_ipc if c)),
        "cpcs": SEP.join(dict.fromkeys(c for c in cpc if c)),
        "claims": _t(bib, "number-of-claims"),
        "cites": str(len(cited)) if cited else "",
        "priority_numbers": SEP.join(p for p in prios if p), "priority_date": _earliest(prio_dates),
    }


def _earliest(dates) -> str:
    """The earliest of YYYYMMDD date strings ('' when none)."""
    good = sorted(d.strip() for d in dates if d and d.strip().isdigit() and len(d.strip()) == 8)
    return good[0] if good else ""


def read_uspto_xml(path: str | Path) -> Raw:
    """Every document of a USPTO full-text XML file (grants or pre-grant publications) as one row."""
    path = Path(path)
    docs = _documents(path)
    if not docs:
        raise IngestError("no XML document in this file", file=path.name)
    out = pd.DataFrame([_row(d, path, i) for i, d in enumerate(docs, 1)]).astype(object)
    out["row"] = range(1, 1 + len(out))  # the n-th document of the file
    mapping = {c: c for c in out.columns if c != "row"}
    return Raw(path=path, profile=USPTO, frame=out, mapping=mapping)


# -- APS "Green Book" text (1976-2001 grants): one "TAG  value" line each, 4-letter section headers --------
_APS_SECTION = re.compile(r"^([A-Z]{4})\s*$")
_APS_FIELD = re.compile(r"^([A-Z][A-Z0-9]{2,3})\s{1,2}(.*)$")


def is_aps(path: Path) -> bool:
    """True for an APS (Green Book) full-text file: its first line is ``PATN`` or a weekly ``HHHHHT`` header."""
    with path.open("rb") as fh:
        first = fh.readline().decode("latin-1").strip()
    return first == "PATN" or first.startswith("HHHHHT")


def _aps_patents(text: str) -> list[list[tuple[str, str, str]]]:
    """(section, tag, value) triples per patent; continuation lines (5 spaces) join the value before."""
    patents, current, section = [], None, ""
    for line in text.splitlines():
        head = _APS_SECTION.match(line)
        if head:
            section = head.group(1)
            if section == "PATN":
                current = []
                patents.append(current)
            continue
        field = _APS_FIELD.match(line)
        if current is None:
            continue
        if field:
            current.append((section, field.group(1), field.group(2).strip()))
        elif line.startswith("     ") and current:
            s, t, v = current[-1]
            current[-1] = (s, t, f"{v} {line.strip()}")
    return patents


def _aps_row(fields: list[tuple[str, str, str]]) -> dict:
    def first(section: str, tag: str) -> str:
        return next((v for s, t, v in fields if s == section and t == tag), "")

    def names(section: str) -> list[str]:
        return [v.replace(";", ",") if section != "ASSG" else v for s, t, v in fields if s == section and t == "NAM"]
    wku = first("PATN", "WKU")  # "039373754": zero-padded number + check digit; D, RE, PP prefixes for others
    m = re.match(r"^([A-Z]*)0*(\d+)\d$", wku)
    number = f"{m.group(1)}{m.group(2)}" if m else wku
    kind = "S" if number.startswith("D") else "E" if number.startswith("RE") else "A"  # pre-2001 kind codes
    inventors = [" ".join(reversed([p.strip() for p in n.split(",", 1)])) for n in names("INVT")]
    owners = names("ASSG") or inventors
    ipcs = [_st32_ipc(v) for s, t, v in fields if s == "CLAS" and t == "ICL"]
    return {
        "id": f"US{number}{kind}", "pub_date": first("PATN", "ISD"), "grant_date": first("PATN", "ISD"),
        "app_no": "US" + first("PATN", "APN")[:-1], "app_date": first("PATN", "APD"),
        "patent_type": "design" if number.startswith("D") else "invention", "title": first("PATN", "TTL"),
        "abstract": " ".join(v for s, t, v in fields if s == "ABST" and t in ("PAL", "PAR")),
        "applicants": SEP.join(dict.fromkeys(o for o in owners if o)),
        "inventors": SEP.join(dict.fromkeys(i for i in inventors if i)),
        "ipcs": SEP.join(dict.fromkeys(ipcs)), "cpcs": "", "claims": first("PATN", "NCL"),
        "cites": str(sum(1 for s, t, v in fields if s == "UREF" and t == "PNO")) or "",
        "priority_numbers": SEP.join(c + n for c, n in zip((v for s, t, v in fields if s == "PRIR" and t == "CNT"),
                                                            (v for s, t, v in fields if s == "PRIR" and t == "APN"))),
    }


def read_aps(path: str | Path) -> Raw:
    """Every patent of a USPTO APS ("Green Book") full-text file (grants 1976-2001) as one row."""
    path = Path(path)
    patents = _aps_patents(path.read_text(encoding="latin-1"))
    if not patents:
        raise IngestError("no PATN record in this APS file", file=path.name)
    out = pd.DataFrame([_aps_row(p) for p in patents]).astype(object)
    out["row"] = range(1, 1 + len(out))  # the n-th patent of the file
    mapping = {c: c for c in out.columns if c != "row"}
    return Raw(path=path, profile=APS, frame=out, mapping=mapping)


# -- BRS text (the USPTO search system's full-text export): "TAG value" lines between boundaries ---------
_BRS_BOUNDARY = "*** BRS DOCUMENT BOUNDARY ***"
_BRS_FIELD = re.compile(r"^([A-Z]{2,5}) (.*)$")


def is_brs(path: Path) -> bool:
    with path.open("rb") as fh:
        return _BRS_BOUNDARY.encode() in fh.read(1 << 16)


def _brs_row(block: str) -> dict:
    fields: list[tuple[str, str]] = []
    for line in block.splitlines():
        m = _BRS_FIELD.match(line)
        if m:
            fields.append((m.group(1), m.group(2).strip()))
        elif line.startswith(" ") and fields:
            fields[-1] = (fields[-1][0], f"{fields[-1][1]} {line.strip()}")

    def all_of(tag: str) -> list[str]:
        return [v for t, v in fields if t == tag]

    def first(tag: str) -> str:
        return next(iter(all_of(tag)), "")
    did = first("DID").split()  # "US 9204581 B2"
    inventors = [" ".join(reversed([p.strip() for p in n.split(";", 1)])) for n in all_of("INNM")]
    ipcs = [v.split()[0] for v in all_of("IPCP") + all_of("IPCS") if v.split()]
    return {
        "id": "".join(did) if len(did) == 3 else "US" + first("DWKU") + first("APT"),
        "pub_date": first("GISD"), "grant_date": first("GISD"), "app_no": "US" + first("APP").replace("/", ""),
        "app_date": first("AFD"), "patent_type": "", "title": first("TTL"), "abstract": " ".join(all_of("ABPR")),
        "applicants": SEP.join(dict.fromkeys(all_of("ASNM"))) or SEP.join(dict.fromkeys(inventors)),
        "inventors": SEP.join(dict.fromkeys(inventors)), "ipcs": SEP.join(dict.fromkeys(ipcs)), "cpcs": "",
        "claims": first("NCL"), "cites": str(len(all_of("URPN"))) if all_of("URPN") else "",
        "priority_numbers": SEP.join(c + n for c, n in zip(all_of("PRCO"), all_of("PRAN"))),
    }


def read_brs(path: str | Path) -> Raw:
    """Every document of a USPTO BRS full-text export as one row (the index lines before the first
    boundary are a table of contents and are skipped)."""
    path = Path(path)
    blocks = path.read_text(encoding="utf-8", errors="replace").split(_BRS_BOUNDARY)[1:]
    out = pd.DataFrame([_brs_row(b) for b in blocks if b.strip()]).astype(object)
    if out.empty:
        raise IngestError("no document after a BRS DOCUMENT BOUNDARY line", file=path.name)
    out["row"] = range(1, 1 + len(out))  # the n-th document of the file
    mapping = {c: c for c in out.columns if c != "row"}
    return Raw(path=path, profile=BRS, frame=out, mapping=mapping)
