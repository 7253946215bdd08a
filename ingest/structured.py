"""Sources that are not one table: PatentsView bulk tables (a directory) and EPO OPS XML responses.

Each is turned into the same ``Raw`` frame the profile readers produce — canonical columns as text,
multiple values joined by ``|`` — so ``ingest.normalize.records`` treats every source alike.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import defusedxml.ElementTree as defused
import pandas as pd
from defusedxml import DefusedXmlException

from ingest.profiles import Profile
from ingest.read import Raw
from ingest.uspto import US_TYPES
from ontology.errors import IngestError

SEP = "|"
PATENTSVIEW = Profile(name="patentsview", vendor="PatentsView bulk tables", detect=("patent_id",), also=(),
                      separator=SEP, columns={}, multi=("applicants", "inventors", "ipcs", "cpcs"))
OPS = Profile(name="epo-ops", vendor="EPO OPS XML", detect=("exchange-document",), also=(), separator=SEP,
              columns={}, multi=("applicants", "inventors", "ipcs", "cpcs", "priority_numbers"))


def _table(folder: Path, *stems: str, required: bool = False) -> pd.DataFrame | None:
    """The first of the tables ``stems`` in ``folder`` (``g_patent.tsv``, ``g_patent_sample.csv`` …)."""
    files = {p.stem.removesuffix("_sample"): p for p in sorted(folder.iterdir()) if p.suffix in (".csv", ".tsv")}
    path = next((files[s] for s in stems if s in files), None)
    if path is None:
        if required:
            raise IngestError(f"a PatentsView directory needs {stems[0]}.tsv (or .csv); found "
                              f"{sorted(p.name for p in folder.iterdir())[:10]}", file=str(folder))
        return None
    try:
        return pd.read_csv(path, dtype=str, keep_default_na=False, sep="\t" if path.suffix == ".tsv" else ",")
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise IngestError(f"not a readable PatentsView table: {exc}", file=path.name) from exc


def _joined(frame: pd.DataFrame | None, order: str, value: pd.Series) -> pd.Series:
    """Values per patent_id in sequence order, joined by ``|``."""
    if frame is None or frame.empty:
        return pd.Series(dtype=object)
    f = frame.assign(_v=value, _o=pd.to_numeric(frame[order], errors="coerce")).sort_values(["patent_id", "_o"])
    f = f[f["_v"].str.strip().ne("")]
    return f.groupby("patent_id")["_v"].agg(lambda s: SEP.join(dict.fromkeys(s)))


def read_patentsview(folder: str | Path) -> Raw:
    """PatentsView ``g_*`` tables joined on ``patent_id``: one row per ``g_patent`` row."""
    folder = Path(folder)
    patent = _table(folder, "g_patent", required=True)
    pid = patent["patent_id"].str.strip()
    kind = patent.get("wipo_kind", pd.Series("", index=patent.index)).fillna("")
    kinds = patent.get("patent_type", pd.Series("", index=patent.index)).str.lower().map(US_TYPES).fillna("")
    out = pd.DataFrame({"id": "US" + pid + kind, "title": patent.get("patent_title", ""),
                        "pub_date": patent.get("patent_date", ""), "grant_date": patent.get("patent_date", ""),
                        "patent_type": kinds, "claims": patent.get("num_claims", "")})
    abstract = _table(folder, "g_patent_abstract")
    if abstract is not None:
        out["abstract"] = pid.map(abstract.set_index("patent_id")["patent_abstract"]).fillna("").to_numpy()
    app = _table(folder, "g_application")
    if app is not None:
        out["app_date"] = pid.map(app.set_index("patent_id")["filing_date"]).fillna("").to_numpy()
        out["app_no"] = pid.map(app.set_index("patent_id")["application_id"]).fillna("").to_numpy()
    who = _table(folder, "g_assignee_disambiguated", "g_assignee")
    if who is not None:
        person = (who["disambig_assignee_individual_name_first"] + " " +
                  who["disambig_assignee_individual_name_last"]).str.strip()
        name = who["disambig_assignee_organization"].where(who["disambig_assignee_organization"].str.strip().ne(""),
                                                           person)
        out["applicants"] = pid.map(_joined(who, "assignee_sequence", name)).fillna("").to_numpy()
    inv = _table(folder, "g_inventor_disambiguated", "g_inventor")
    if inv is not None:
        name = (inv["disambig_inventor_name_first"] + " " + inv["disambig_inventor_name_last"]).str.strip()
        out["inventors"] = pid.map(_joined(inv, "inventor_sequence", name)).fillna("").to_numpy()
    cpc = _table(folder, "g_cpc_current", "g_cpc")
    if cpc is not None:
        out["cpcs"] = pid.map(_joined(cpc, "cpc_sequence", cpc["cpc_group"])).fillna("").to_numpy()
    ipc = _table(folder, "g_ipc_at_issue")
    if ipc is not None:
        code = ipc["section"] + ipc["ipc_class"] + ipc["subclass"] + ipc["main_group"] + "/" + ipc["subgroup"]
        out["ipcs"] = pid.map(_joined(ipc, "ipc_sequence", code)).fillna("").to_numpy()
    out = out.fillna("").astype(str).astype(object)
    out["row"] = range(2, 2 + len(out))
    mapping = {c: c for c in out.columns if c != "row"}
    return Raw(path=folder, profile=PATENTSVIEW, frame=out.reset_index(drop=True), mapping=mapping)


_NS = {"ex": "http://www.epo.org/exchange", "ops": "http://ops.epo.org"}


def _text(el, path: str) -> str:
    found = el.find(path, _NS) if el is not None else None
    return (found.text or "").strip() if found is not None else ""


def _docdb(ref) -> tuple[str, str, str, str]:
    """(country, number, kind, date) of a reference: the docdb id, the date from whichever id has one."""
    if ref is None:
        return "", "", "", ""
    ids = ref.findall("ex:document-id", _NS)
    doc = next((d for d in ids if d.get("document-id-type") == "docdb"), None)
    date = next((_text(d, "ex:date") for d in ids if _text(d, "ex:date")), "")
    if doc is None:  # priority claims often carry only an epodoc id such as EP20100167109
        number = next((_text(d, "ex:doc-number") for d in ids if _text(d, "ex:doc-number")), "")
        return number[:2], number[2:], "", date
    return _text(doc, "ex:country"), _text(doc, "ex:doc-number"), _text(doc, "ex:kind"), date


def _parties(bib, kind: str) -> str:
    """Applicant or inventor names in sequence order, as the office wrote them (docdb's if not given)."""
    for fmt in ("original", "docdb"):
        found = bib.findall(f"ex:parties/ex:{kind}s/ex:{kind}[@data-format='{fmt}']", _NS)
        if found:
            found.sort(key=lambda p: int(p.get("sequence") or 0))
            return SEP.join(dict.fromkeys(n for n in (_text(p, f"ex:{kind}-name/ex:name").strip(", ") for p in found) if n))
    return ""


def _ops_ipc(text: str) -> str:
    """An IPCR ``text`` in OPS's fixed columns, ``'H04W  84/    20            A I'`` → ``'H04W84/20'``."""
    m = re.match(r"\s*([A-HY]\d\d[A-Z])\s*(\d+)\s*/\s*(\d+)", text)
    return f"{m.group(1)}{m.group(2)}/{m.group(3)}" if m else " ".join(text.split()[:2])


def xml_text(path: Path) -> str:
    """An XML file's text, decoded as its declaration says (UTF-8, GBK, GB18030 …; UTF-8 when none), the
    declaration removed — the parser then never meets an encoding it does not know."""
    data = path.read_bytes()
    declared = re.match(rb'\s*<\?xml[^>]*encoding=["\']([\w.-]+)["\']', data)
    for encoding in ([declared.group(1).decode("ascii")] if declared else []) + ["utf-8-sig", "gb18030"]:
        try:
            text = data.decode(encoding)
            break
        except (LookupError, UnicodeDecodeError):
            continue
    else:
        raise IngestError("cannot decode this XML file (declared encoding unknown, not UTF-8 nor GB18030)",
                          file=path.name)
    return re.sub(r"^\s*<\?xml[^>]*\?>", "", text)


def read_ops_xml(path: str | Path) -> Raw:
    """Every ``exchange-document`` of an EPO OPS biblio/family/search response as one row. Parsed with
    defusedxml: a document type that declares entities (the way files are made to read local files or
    exhaust memory) is refused."""
    path = Path(path)
    try:
        root = defused.fromstring(xml_text(path))
    except ET.ParseError as exc:
        raise IngestError(f"not well-formed XML: {exc}", file=path.name) from exc
    except DefusedXmlException as exc:
        raise IngestError(f"this XML declares entities or a DTD PatNav does not read ({type(exc).__name__}); "
                          "export the OPS response as it comes", file=path.name) from exc
    docs = root.findall(".//ex:exchange-document", _NS)
    if not docs and "epo.org" not in root.tag:
        raise IngestError(f"XML of no patent format PatNav reads (root element <{root.tag.split('}')[-1]}>); it reads "
                          "EPO OPS responses and USPTO full-text XML (grants and publications)", file=path.name)
    if not docs:
        raise IngestError("no exchange-document (bibliographic) records in this EPO OPS response; export "
                          "biblio, family-with-biblio or search-with-biblio results", file=path.name)
    rows = []
    for doc in docs:
        bib = doc.find("ex:bibliographic-data", _NS)
        country, number, kind, date = _docdb(bib.find("ex:publication-reference", _NS)) if bib is not None else \
            ("", "", "", "")
        app = _docdb(bib.find("ex:application-reference", _NS)) if bib is not None else ("", "", "", "")
        prios = [_docdb(p) for p in bib.findall("ex:priority-claims/ex:priority-claim", _NS)] if bib is not None else []
        titles = {t.get("lang"): (t.text or "").strip() for t in bib.findall("ex:invention-title", _NS)} \
            if bib is not None else {}
        abstract = doc.find("ex:abstract[@lang='en']", _NS) or doc.find("ex:abstract", _NS)
        cpc = [_text(c, "ex:section") + _text(c, "ex:class") + _text(c, "ex:subclass") + _text(c, "ex:main-group")
               + "/" + _text(c, "ex:subgroup") for c in bib.findall(".//ex:patent-classification", _NS)] \
            if bib is not None else []
        ipc = [(c.text or "").strip() for c in bib.findall(".//ex:classification-ipcr/ex:text", _NS)] \
            if bib is not None else []
        rows.append({
            "id": (doc.get("country") or country) + (doc.get("doc-number") or number) + (doc.get("kind") or kind),
            "record_id": doc.get("family-id", ""), "pub_date": date,
            "app_no": app[0] + app[1], "app_date": app[3],
            "title": titles.get("zh") or titles.get("en") or next(iter(titles.values()), ""),
            "abstract": " ".join(p.text or "" for p in abstract.findall("ex:p", _NS)) if abstract is not None else "",
            "applicants": _parties(bib, "applicant") if bib is not None else "",
            "inventors": _parties(bib, "inventor") if bib is not None else "",
            "ipcs": SEP.join(_ops_ipc(t) for t in ipc),
            "cpcs": SEP.join(dict.fromkeys(c for c in cpc if len(c) > 5)),
            "priority_numbers": SEP.join(p[0] + p[1] for p in prios if p[1]),
            "priority_date": min((p[3] for p in prios if p[3]), default=""),
        })
    out = pd.DataFrame(rows).astype(object)
    out["family_id"] = out.pop("record_id").map(lambda f: f"epo:{f}" if f else "")
    out["row"] = range(1, 1 + len(out))  # the n-th exchange-document of the file
    mapping = {c: c for c in out.columns if c != "row"}
    return Raw(path=path, profile=OPS, frame=out, mapping=mapping)
