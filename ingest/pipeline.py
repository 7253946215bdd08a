"""Files in → graph frames out, with every row accounted for: ``rows_in = loaded + merged + rejected``.

Read (profiles) → normalise → deduplicate across all files → classify into chain nodes → frames.
Pure: the store is touched only by ``ingest.load``. The report is what ``patnav ingest --report``
writes and what the atlas shows in its data section.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence

import pandas as pd

from ingest.agreement import label_agreement
from ingest.classify import classify
from ingest.dedup import Deduplicated, deduplicate
from ingest.frames import graph_frames
from ingest.linking import publication_links
from ingest.normalize import REJECT_COLUMNS, records
from ingest.profiles import Profile
from ingest.read import read_export
from ontology.chains import Chain
from ontology.errors import IngestError

Step = Callable[[str], None]


@dataclass
class Ingested:
    frames: dict[str, pd.DataFrame]
    records: pd.DataFrame          # one per patent, deduplicated over this run's and the earlier rows
    rejects: pd.DataFrame          # this run's files' rejected rows
    merged: pd.DataFrame           # every merged row, of this run's and the earlier files
    denoised: pd.DataFrame
    report: dict = field(default_factory=dict)
    rows: pd.DataFrame | None = None   # every usable row before deduplication (what ingest.state keeps)


def sha256(path: Path) -> str:
    """The file's SHA-256; for a directory (PatentsView tables), of its files' names and hashes in order."""
    path = Path(path)
    h = hashlib.sha256()
    if path.is_dir():
        for f in sorted(p for p in path.iterdir() if p.is_file()):
            h.update(f"{f.name}\0{sha256(f)}\n".encode())
        return h.hexdigest()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


#: fields whose fill rate the data-quality report gives per source (share of usable rows with a value)
QUALITY_FIELDS = ("year", "app_year", "title", "abstract", "applicants", "inventors", "ipcs", "cpcs", "locarno",
                  "classification", "legal_status", "family_id", "priority_country", "address", "applicant_addresses")
#: fields an analysis cannot do without: a file that fills one for fewer than half its rows is warned about,
#: naming the columns PatNav looked for
ESSENTIAL = {"year": ("app_date", "app_year", "priority_date", "priority_year", "pub_date"),
             "applicants": ("applicants",), "title": ("title",), "classification": ("ipcs", "ipc_main", "cpcs")}


def filled(col: pd.Series) -> pd.Series:
    """Whether each cell holds a value: a non-empty list, or any value that is not missing.

    >>> filled(pd.Series([["a"], [], None])).tolist(), filled(pd.Series(["x", None, ""])).tolist()
    ([True, False, False], [True, False, True])
    """
    first = col.dropna().head(1).tolist() if col.dtype == object else []
    lengths = col.str.len() if first and isinstance(first[0], list) else None
    if lengths is not None and lengths.notna().sum() == col.notna().sum() and lengths.notna().any():
        return lengths.fillna(0).gt(0)  # a column of lists (vectorised)
    return col.map(lambda v: bool(v) if isinstance(v, list) else v is not None and not pd.isna(v))


def quality(rec: pd.DataFrame) -> dict:
    """Fill rate per field and the count of classification tokens that are not IPC/CPC symbols.

    >>> quality(pd.DataFrame({"app_year": [2020, None], "title": ["t", None], "applicants": [["a"], []],
    ...                       "invalid_codes": [["12-1"], []]}))
    {'fill': {'app_year': 0.5, 'title': 0.5, 'applicants': 0.5}, 'invalid_codes': 1}
    """
    fill = {}
    if {"ipcs", "cpcs", "locarno"} <= set(rec):  # any classification: IPC, CPC, or a design's Locarno class
        rec = rec.assign(classification=[bool(a or b or c) or None for a, b, c in
                                         zip(rec["ipcs"], rec["cpcs"], rec["locarno"])])
    for f in QUALITY_FIELDS:
        if f in rec:
            has = filled(rec[f])
            fill[f] = round(float(has.mean()), 4) if len(rec) else 0.0
    out = {"fill": fill, "invalid_codes": int(rec["invalid_codes"].map(len).sum()) if "invalid_codes" in rec else 0}
    if "year_basis" in rec:  # which year each record is counted in: priority, application or publication
        out["year_basis"] = {k: int(v) for k, v in rec["year_basis"].fillna("none").value_counts().sort_index().items()}
    years = pd.to_numeric(rec["year"], errors="coerce").dropna() if "year" in rec else pd.Series(dtype=float)
    if len(years):  # the years the file covers, its 1% stray old rows aside (the atlas compares the files)
        out.update(rows=int(len(rec)), first_year=int(years.quantile(0.01, interpolation="lower")),
                   last_year=int(years.max()))
    return out


def coverage(chain: Chain, in_node: pd.DataFrame | None, denoised: pd.DataFrame, patents: int) -> dict:
    """How a chain covers the corpus: patents per node (with roll-up), the nodes nobody reached, the
    classified and unclassified shares, and the patents denoised.

    >>> from ontology.chains import load_chain
    >>> icv = load_chain("icv")
    >>> tags = pd.DataFrame({"from": ["A", "A", "B"], "to": ["icv:U1.1", "icv:U1", "icv:U1.1"]})
    >>> c = coverage(icv, tags, pd.DataFrame({"id": ["C"]}), patents=4)
    >>> c["nodes"]["U1.1"], c["classified"], c["unclassified_share"], c["denoised"], "M1" in c["empty_nodes"]
    (2, 2, 0.5, 1, True)
    """
    mine = in_node[in_node["to"].astype(str).str.startswith(f"{chain.scheme}:")] if in_node is not None else None
    per_node = mine.groupby("to")["from"].nunique() if mine is not None and len(mine) else pd.Series(dtype=int)
    nodes = {c.code: int(per_node.get(c.id, 0)) for c in chain.concepts}
    classified = int(mine["from"].nunique()) if mine is not None and len(mine) else 0
    return {"nodes": nodes, "empty_nodes": [code for code, n in nodes.items() if n == 0],
            "classified": classified, "unclassified_share": round(1 - classified / patents, 4) if patents else None,
            "denoised": len(denoised)}


def fill_warnings(name: str, quality_: dict, profile: Profile, mapping: dict) -> list[str]:
    """A loud line for each essential field filled in fewer than half of a file's usable rows."""
    out = []
    for field, sources in ESSENTIAL.items():
        share = quality_["fill"].get(field)
        if share is None or share >= 0.5:
            continue
        used = [mapping[s] for s in sources if s in mapping]
        wanted = [h for s in sources for h in profile.columns.get(s, ())]
        out.append(f"{name}: {field} is filled for only {share:.0%} of rows — "
                   + (f"columns used: {used}" if used else "no column found")
                   + (f"; PatNav looks for {wanted[:12]} (rename the header, or pass --profile with your mapping)"
                      if wanted else "; this kind of record holds no such value"))
    return out


def country_evidence(frames: dict[str, pd.DataFrame]) -> dict:
    """How many applicants, and how many patents (each weighs 1, split among its applicants), each kind
    of evidence decided the country of; the shares left unknown."""
    apps = frames.get("Applicant")
    links = frames.get("APPLIED_BY")
    if apps is None or links is None or apps.empty:
        return {"applicants": {}, "patents": {}, "unknown_applicants": None, "unknown_patents": None}
    source = apps.set_index("id")["country_source"].fillna("").replace("", "unknown")
    own = source[apps.set_index("id")["type"].fillna("") != "group"]
    weight = 1 / links.groupby("from")["to"].transform("size")
    units = weight.groupby(links["to"].map(source).fillna("unknown").to_numpy()).sum()
    total = float(units.sum())
    return {"applicants": {k: int(v) for k, v in own.value_counts().sort_index().items()},
            "patents": {k: round(float(v), 2) for k, v in units.sort_index().items()},
            "unknown_applicants": round(float((own == "unknown").mean()), 4) if len(own) else None,
            "unknown_patents": round(float(units.get("unknown", 0.0)) / total, 4) if total else None}


def read_one(path: Path, profile: Profile | None = None) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """One export: its usable normalised rows, its rejected rows and its entry in the report's ``files``.
    Pure and per file: the single-machine loop and Spark's executors (``ingest.spark``) both call it."""
    raw = read_export(path, profile)
    norm = records(raw)
    file = {"file": str(path), "name": path.name, "profile": raw.profile.name,
            "sha256": sha256(path), "rows_in": len(raw.frame), "rejected": len(norm.rejects),
            "quality": quality(norm.records)}
    file["quality"]["invalid_numbers"] = norm.invalid_numbers  # column → cells that were no number
    file["warnings"] = fill_warnings(path.name, file["quality"], raw.profile, raw.mapping) \
        if len(norm.records) else [f"{path.name}: no usable row (every row was rejected; see rejects.csv)"]
    if "sei_labels" in raw.mapping and "ipcs" not in raw.mapping and "sei_main_labels" not in raw.mapping:
        file["sei_agreement"] = {"note": "not comparable: the export has 新兴产业分类 (from all IPCs) but "
                                         "only the main IPC; export the IPC column too"}
    return norm.records, norm.rejects, file


def earlier_rows(previous: pd.DataFrame | None, names: Sequence[str]) -> pd.DataFrame | None:
    """The rows earlier runs kept, without those of a file given again (its new rows replace them);
    None when there are none. Raises when two of this run's files share a name."""
    if len(set(names)) != len(names):
        dup = sorted({n for n in names if list(names).count(n) > 1})
        raise IngestError(f"two input files share the name {dup}; rows are traced by file name, rename one")
    if previous is None or not len(previous):
        return None
    previous = previous[~previous["source"].isin(names)].copy()
    for column in ("cited_pubs", "citing_pubs"):  # rows kept by a PatNav before citation lists were read
        if column not in previous.columns:
            previous[column] = [[] for _ in range(len(previous))]
    return previous


def tag(records: pd.DataFrame, chains: Sequence[Chain]) -> tuple[pd.DataFrame | None, list[pd.DataFrame]]:
    """Every chain's tags (concatenated; None without chains) and each chain's denoised patents."""
    tags, noise = [], []
    for chain in chains:
        tagged = classify(records, chain)
        tags.append(tagged.in_node)
        noise.append(tagged.denoised.assign(scheme=chain.scheme))
    return (pd.concat(tags, ignore_index=True) if tags else None), noise


def ingest_files(paths: Sequence[str | Path], chains: Sequence[Chain] = (), step: Step | None = None,
                 profile: Profile | None = None, previous: pd.DataFrame | None = None) -> Ingested:
    """Read, normalise, deduplicate and classify ``paths``.

    ``previous`` holds the usable rows of files ingested earlier into the same graph (``ingest.state``):
    they are deduplicated together with this run's rows by the same rules, so several runs give the
    graph one run over all files would (a file name given again replaces its earlier rows). The report's
    ``files`` are this run's; ``all_files`` gives loaded/merged for every file after this run.
    ``step(message)`` is called once per file and once per later stage, for progress bars; ``profile``
    forces one layout for every file instead of detecting it.
    """
    parts, rejects, files = [], [], []
    for path in map(Path, paths):
        rows, rejected, file = read_one(path, profile)
        parts.append(rows)
        rejects.append(rejected)
        files.append(file)
        if step:
            step(f"read {path.name}")
    earlier = earlier_rows(previous, [f["name"] for f in files])
    if earlier is not None:
        parts.insert(0, earlier)
    allrec = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    dedup = deduplicate(allrec)
    if step:
        step("deduplicated")
    in_node, noise = tag(dedup.records, chains)
    if step:
        step("classified")
    return assemble(files, rejects, allrec, dedup, in_node, noise, chains, step)


def assemble(files: list[dict], rejects: list[pd.DataFrame], allrec: pd.DataFrame, dedup: Deduplicated,
             in_node: pd.DataFrame | None, noise: list[pd.DataFrame], chains: Sequence[Chain],
             step: Step | None = None) -> Ingested:
    """Graph frames and the report from the deduplicated, classified rows (both ingest paths end here)."""
    names = [f["name"] for f in files]
    aliases = publication_links(allrec, dedup.merged) if len(allrec) else None
    frames = graph_frames(dedup.records, in_node, tuple(chains), aliases)
    if step:
        step("graph frames")
    rejects_all = pd.concat(rejects, ignore_index=True) if rejects else pd.DataFrame(columns=REJECT_COLUMNS)
    merged_by_file = dedup.merged["file"].value_counts()
    loaded_by_file = dedup.records["source"].value_counts()
    reasons = dedup.merged.groupby(["file", "reason"]).size() if len(dedup.merged) else pd.Series(dtype=int)
    for f in files:
        f["quality"]["merged_by_reason"] = ({r: int(n) for (fl, r), n in reasons.items() if fl == f["name"]})
        f["merged"] = int(merged_by_file.get(f["name"], 0))
        f["loaded"] = int(loaded_by_file.get(f["name"], 0))
        f["balanced"] = f["rows_in"] == f["loaded"] + f["merged"] + f["rejected"]
    if in_node is not None and any(c.scheme == "sei-2021" for c in chains):
        agreement = label_agreement(dedup.records, in_node)
        for f in files:  # a file already found not comparable keeps its note (merged rows may carry labels)
            if f["name"] in agreement and "note" not in f.get("sei_agreement", {}):
                f["sei_agreement"] = agreement[f["name"]]
    total = {k: sum(f[k] for f in files) for k in ("rows_in", "loaded", "merged", "rejected")}
    sources = set(allrec["source"]) if len(allrec) else set()
    all_files = {name: {"loaded": int(loaded_by_file.get(name, 0)), "merged": int(merged_by_file.get(name, 0))}
                 for name in sorted(sources | set(names))}
    tagged_ids = in_node["from"].nunique() if in_node is not None and len(in_node) else 0
    report = {"files": files, "total": total, "all_files": all_files, "patents": len(dedup.records),
              "warnings": [w for f in files for w in f["warnings"]],
              "countries": country_evidence(frames),
              "classified": int(tagged_ids), "denoised": int(sum(len(n) for n in noise)),
              "unclassified_share": (round(1 - tagged_ids / len(dedup.records), 4) if len(dedup.records) and chains
                                     else None),
              "chains": [{"scheme": c.scheme, "version": c.version, "sha256": c.sha256, "source": c.source,
                          "coverage": coverage(c, in_node, noise[i], len(dedup.records))}
                         for i, c in enumerate(chains)]}
    if total["rows_in"] != total["loaded"] + total["merged"] + total["rejected"]:
        raise AssertionError(f"accounting does not balance: {total}")  # a bug, never bad input
    return Ingested(frames, dedup.records, rejects_all, dedup.merged,
                    pd.concat(noise, ignore_index=True) if noise else pd.DataFrame(columns=["id", "rule", "scheme"]),
                    report, allrec)
