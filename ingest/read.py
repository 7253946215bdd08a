"""Read an export file into a raw frame of canonical columns, as text, with its spreadsheet row numbers.

CSV (UTF-8 with or without BOM, else GB18030) and XLSX (via python-calamine) are read whole as
strings; the header row is found among the first rows by the profiles in ``ingest.profiles`` (it may
sit below a title row). Nothing is parsed or dropped here: ``ingest.normalize`` does that and accounts
for every row.
"""

from __future__ import annotations

import csv
import io
import warnings
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ingest import bulk
from ingest.profiles import Profile, detect
from ontology.errors import IngestError

HEADER_SCAN = 20
ENCODINGS = ("utf-8-sig", "gb18030")


@dataclass
class Raw:
    """A file's data rows: canonical columns (text) plus ``row``, the row number a person sees."""

    path: Path
    profile: Profile
    frame: pd.DataFrame
    mapping: dict[str, str]


def _decode(path: Path) -> str:
    data = path.read_bytes()
    for enc in ENCODINGS:
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    raise IngestError(f"cannot decode as {' or '.join(ENCODINGS)}; save the export as UTF-8", file=path.name)


def _read_csv(path: Path, candidates) -> tuple[Profile, int, pd.DataFrame]:
    text = _decode(path)
    head = list(csv.reader(io.StringIO("\n".join(text.splitlines()[:HEADER_SCAN]))))
    profile, at = detect(head, path.name, candidates)
    try:
        with warnings.catch_warnings():  # Patentics rows end in an empty field the header lacks
            warnings.simplefilter("ignore", pd.errors.ParserWarning)
            frame = pd.read_csv(io.StringIO(text), skiprows=at, header=0, dtype=str, keep_default_na=False,
                                index_col=False, skip_blank_lines=False)
    except pd.errors.ParserError as exc:
        raise IngestError(f"not a readable CSV: {exc}", file=path.name) from exc
    return profile, at, frame


def _read_excel(path: Path, candidates) -> tuple[Profile, int, pd.DataFrame]:
    try:
        sheet = pd.read_excel(path, header=None, dtype=object, engine="calamine")
    except Exception as exc:  # calamine raises its own error types for broken workbooks
        raise IngestError(f"not a readable Excel workbook: {exc}", file=path.name) from exc
    head = sheet.head(HEADER_SCAN).fillna("").astype(str).values.tolist()
    profile, at = detect(head, path.name, candidates)
    frame = sheet.iloc[at + 1:].reset_index(drop=True)
    frame.columns = [str(h).strip() if pd.notna(h) else f"_col{i}" for i, h in enumerate(sheet.iloc[at])]
    return profile, at, frame


def _first_of_repeated(frame: pd.DataFrame) -> pd.DataFrame:
    """Keep the first of columns that share a header (Patentics XLSX repeats 申请日, 授权日 …)."""
    return frame.loc[:, ~pd.Index(frame.columns).duplicated()]


def _as_text(col: pd.Series) -> pd.Series:
    """Cells as text; Excel numbers that are whole (serial dates, counts) lose their ``.0``."""
    def one(v):
        if v is None or (isinstance(v, float) and pd.isna(v)):
            return ""
        if isinstance(v, float) and v.is_integer():
            return str(int(v))
        if isinstance(v, pd.Timestamp):
            return v.strftime("%Y-%m-%d")
        return str(v)
    return col.map(one).astype(object) if col.dtype == object else col.fillna("").astype(str).astype(object)


@bulk
def read_export(path: str | Path, profile: Profile | None = None) -> Raw:
    """The data rows of one export, canonical columns as text (``""`` for empty), and ``row``.

    ``row`` is the 1-based row (line) number of the record in the file, counting the header row and
    any rows above it, so an analyst finds it at once in Excel or an editor. ``profile`` forces a
    layout (``--profile FILE``) instead of detecting one among the shipped profiles.
    """
    candidates = [profile] if profile else None
    path = Path(path)
    if path.is_dir():
        from ingest.structured import read_patentsview
        return read_patentsview(path)
    if not path.is_file():
        raise IngestError("no such file", file=str(path))
    if path.suffix.lower() == ".xml":
        from ingest.structured import read_ops_xml
        return read_ops_xml(path)
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm", ".xls"):
        profile, at, sheet = _read_excel(path, candidates)
    elif suffix in (".csv", ".txt"):
        profile, at, sheet = _read_csv(path, candidates)
    else:
        raise IngestError(f"unsupported file type {suffix!r}; give a .csv, .xlsx or .xls export", file=path.name)
    sheet = _first_of_repeated(sheet)
    mapping = profile.mapping(list(sheet.columns))
    frame = pd.DataFrame({field: _as_text(sheet[header]) for field, header in mapping.items()})
    frame["row"] = range(at + 2, at + 2 + len(sheet))
    return Raw(path=path, profile=profile, frame=frame.reset_index(drop=True), mapping=mapping)
