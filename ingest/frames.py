"""Patent records → graph frames: pure, vectorised functions over DataFrames; no store access.

A *records* frame has one row per patent with normalised columns (see ``RECORD_COLUMNS``); list
columns hold applicant names, inventor names and IPC symbols in source order. ``graph_frames`` turns
it into node and relationship frames keyed the way the ontology declares, ready for
``GraphStore.load_nodes``/``load_rels``. The Patentics CSV reader here is the first source format;
the ingest issue generalises reading into declarative profiles.
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path
from typing import NamedTuple

import pandas as pd

from ontology.errors import IngestError

RECORD_COLUMNS = ["id", "app_no", "title", "app_date", "pub_date", "grant_date", "claims", "cites",
                  "cited_by", "legal_status", "family_size", "applicants", "inventors", "ipcs", "ipc_main",
                  "source"]

PATENTICS_COLUMNS = {"公开号": "id", "申请号": "app_no", "标题": "title", "申请日": "app_date",
                     "公开日": "pub_date", "授权公告日": "grant_date", "权利要求数": "claims",
                     "本文引用专利数": "cites", "引用本文专利数": "cited_by", "法律状态": "legal_status",
                     "同族专利数": "family_size", "申请人": "applicants", "发明人": "inventors",
                     "国际分类": "ipcs", "国际主分类": "ipc_main"}

_SPLIT = re.compile(r"\s*\|\s*")


def _multi(series: pd.Series) -> pd.Series:
    return series.fillna("").map(lambda s: [v for v in _SPLIT.split(s.strip()) if v])


def normalize_ipc(series: pd.Series) -> pd.Series:
    """IPC symbols without inner spaces, upper case: ``'H04N  5/353'`` → ``'H04N5/353'``.

    >>> normalize_ipc(pd.Series(["h04n  5/353", " G06T 7/90"])).tolist()
    ['H04N5/353', 'G06T7/90']
    """
    return series.str.replace(r"\s+", "", regex=True).str.upper()


def name_key(series: pd.Series) -> pd.Series:
    """A first applicant/inventor key: case-folded, punctuation and spaces collapsed.

    >>> name_key(pd.Series(["Waymo LLC", "WAYMO, LLC."])).tolist()
    ['waymo llc', 'waymo llc']
    """
    return series.str.casefold().str.replace(r"[\W_]+", " ", regex=True).str.strip()


class Parsed(NamedTuple):
    """What a reader made of a file: records, and rejected rows (file, row, column, value, reason)."""

    records: pd.DataFrame
    rejects: pd.DataFrame


REJECT_COLUMNS = ["file", "row", "column", "value", "reason"]


def read_patentics_csv(path: str | Path) -> Parsed:
    """A Patentics CSV export (UTF-8 with or without BOM, " | " multi-values) as records.

    A file that cannot be read at all raises ``IngestError``; a row with an unparseable date is
    rejected (``rows_in = len(records) + len(rejects)``), its reason naming the row and column.
    """
    path = Path(path)
    try:
        with warnings.catch_warnings():  # every data row ends in an empty field the header lacks
            warnings.simplefilter("ignore", pd.errors.ParserWarning)
            raw = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig", index_col=False)
    except (UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise IngestError(f"not a readable Patentics CSV: {exc}", file=str(path)) from exc
    missing = [c for c in PATENTICS_COLUMNS if c not in raw.columns]
    if missing:
        raise IngestError(f"columns {missing} are missing; headers seen: {list(raw.columns)[:30]}",
                          file=str(path))
    rec = raw[list(PATENTICS_COLUMNS)].rename(columns=PATENTICS_COLUMNS)
    rejects = []
    bad_rows = pd.Series(False, index=rec.index)
    for source, col in (("申请日", "app_date"), ("公开日", "pub_date"), ("授权公告日", "grant_date")):
        text = rec[col].str.strip().replace("00000000", "")  # Patentics' placeholder for "no date"
        parsed = pd.to_datetime(text, format="%Y%m%d", errors="coerce")
        bad = text.ne("") & parsed.isna()
        rejects += [(path.name, i + 2, source, text[i], f"date {text[i]!r} in column {source} is not YYYYMMDD")
                    for i in bad[bad & ~bad_rows].index]
        bad_rows |= bad
        rec[col] = parsed.dt.date.where(parsed.notna(), None)
    rec = rec[~bad_rows].copy()
    for col in ("claims", "cites", "cited_by", "family_size"):
        rec[col] = pd.to_numeric(rec[col].replace("", None), errors="coerce").astype("Int64")
    for col in ("applicants", "inventors", "ipcs"):
        rec[col] = _multi(rec[col])
    rec["ipcs"] = rec["ipcs"].map(lambda xs: list(dict.fromkeys(normalize_ipc(pd.Series(xs, dtype=str)))))
    rec["ipc_main"] = normalize_ipc(rec["ipc_main"]).replace("", None)
    rec["id"] = rec["id"].str.strip().str.upper()
    rec["source"] = path.name
    return Parsed(rec[RECORD_COLUMNS].reset_index(drop=True), pd.DataFrame(rejects, columns=REJECT_COLUMNS))


def _people(records: pd.DataFrame, column: str) -> pd.DataFrame:
    """(patent id, order, name, key) for a list column, one row per person."""
    long = records[["id", column]].explode(column).dropna(subset=[column])
    long = long.rename(columns={column: "name"})
    long["order"] = long.groupby("id").cumcount() + 1
    long["key"] = name_key(long["name"])
    long = long[long["key"] != ""]
    return long.drop_duplicates(["id", "key"])


def graph_frames(records: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Node and relationship frames for records that are already deduplicated by ``id``.

    Keys: node labels (``Patent``, ``Applicant``, ``Inventor``, ``IPC``) and relationship types
    (``APPLIED_BY``, ``INVENTED_BY``, ``CLASSIFIED_AS``).
    """
    if records["id"].duplicated().any():
        dup = records.loc[records["id"].duplicated(), "id"].iloc[0]
        raise IngestError(f"publication {dup!r} occurs twice; deduplicate records before building the graph")
    patents = records[["id", "app_no", "title", "app_date", "pub_date", "grant_date", "claims", "cites",
                       "cited_by", "legal_status", "family_size", "source"]].copy()
    patents["app_year"] = pd.to_datetime(patents["app_date"]).dt.year.astype("Int64")
    patents["authority"] = patents["id"].str.extract(r"^([A-Z]{2})", expand=False)
    patents["kind"] = patents["id"].str.extract(r"([A-Z]\d?)$", expand=False)
    frames: dict[str, pd.DataFrame] = {"Patent": patents}
    for column, label, rel in (("applicants", "Applicant", "APPLIED_BY"), ("inventors", "Inventor", "INVENTED_BY")):
        people = _people(records, column)
        frames[label] = (people.drop_duplicates("key")[["key", "name"]]
                         .rename(columns={"key": "id"}).reset_index(drop=True))
        frames[rel] = people.rename(columns={"id": "from", "key": "to"})[["from", "to", "order"]]
    ipc = records[["id", "ipcs"]].explode("ipcs").dropna(subset=["ipcs"]).drop_duplicates(["id", "ipcs"])
    frames["IPC"] = pd.DataFrame({"id": ipc["ipcs"].drop_duplicates().to_numpy()})
    frames["IPC"]["level"] = "group"
    frames["CLASSIFIED_AS"] = pd.DataFrame({"from": ipc["id"].to_numpy(), "to": ipc["ipcs"].to_numpy(),
                                            "main": ~ipc["id"].duplicated().to_numpy()})
    # the first listed IPC is the main one (Patentics' 国际主分类 gives only its subclass)
    return frames
