"""Read an export file into a raw frame of canonical columns, as text, with its spreadsheet row numbers.

CSV (UTF-8 with or without BOM, else GB18030) and XLSX (via python-calamine) are read whole as
strings; the header row is found among the first rows by the profiles in ``ingest.profiles`` (it may
sit below a title row). Nothing is parsed or dropped here: ``ingest.normalize`` does that and accounts
for every row.
"""

from __future__ import annotations

import csv
import re
import warnings
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pv

from ingest import bulk
from ingest.profiles import Profile, detect
from ontology.errors import IngestError

HEADER_SCAN = 20
ENCODINGS = ("utf-8-sig", "gb18030")
csv.field_size_limit(1 << 30)  # claims and descriptions run past the csv module's 131,072-character default


@dataclass
class Raw:
    """A file's data rows: canonical columns (text) plus ``row``, the row number a person sees."""

    path: Path
    profile: Profile
    frame: pd.DataFrame
    mapping: dict[str, str]


def _arrow_csv(path: Path, encoding: str, at: int, head: list[list[str]]) -> pd.DataFrame:
    """Arrow's multi-threaded CSV reader, every cell as text; raises ``ArrowInvalid`` on rows of uneven width.

    Repeated headers get ``.1``, ``.2`` (as pandas names them); a data row one field wider than the
    header (Patentics' trailing separator) gets an extra unnamed column.
    """
    header = [h.strip() for h in head[at]]
    width = max(len(header), len(head[at + 1]) if len(head) > at + 1 else 0)
    names, seen = [], {}
    for name in header + [f"_col{i}" for i in range(len(header), width)]:
        seen[name] = seen.get(name, -1) + 1
        names.append(f"{name}.{seen[name]}" if seen[name] else name)
    table = pv.read_csv(path, read_options=pv.ReadOptions(skip_rows=at + 1, column_names=names, block_size=1 << 24,
                                                          encoding="utf8" if encoding == "utf-8-sig" else encoding),
                        parse_options=pv.ParseOptions(newlines_in_values=True, ignore_empty_lines=False),
                        convert_options=pv.ConvertOptions(column_types=dict.fromkeys(names, pa.string()),
                                                          strings_can_be_null=False, quoted_strings_can_be_null=False))
    return table.to_pandas()


def _read_csv(path: Path, candidates) -> tuple[Profile, int, pd.DataFrame]:
    """Header found in the first lines, then the file parsed straight from disk (no copy in memory);
    UTF-8 (BOM or not) first, GB18030 when the bytes are not UTF-8 anywhere in the file."""
    for encoding in ENCODINGS:
        try:
            with path.open(encoding=encoding, newline="") as fh:
                lines = [line for _, line in zip(range(HEADER_SCAN), fh)]
            head = list(csv.reader(lines))
            profile, at = detect(head, path.name, candidates)
            try:
                return profile, at, _arrow_csv(path, encoding, at, head)
            except (pa.ArrowInvalid, UnicodeDecodeError):  # ragged or blank rows, or not this encoding: pandas
                pass
            with warnings.catch_warnings():  # Patentics rows end in an empty field the header lacks
                warnings.simplefilter("ignore", pd.errors.ParserWarning)
                frame = pd.read_csv(path, encoding=encoding, skiprows=at, header=0, dtype=str, keep_default_na=False,
                                    index_col=False, skip_blank_lines=False)
            return profile, at, frame
        except UnicodeDecodeError:
            continue
        except pd.errors.ParserError as exc:
            raise IngestError(f"not a readable CSV: {exc}", file=path.name) from exc
    raise IngestError(f"cannot decode as {' or '.join(ENCODINGS)}; save the export as UTF-8", file=path.name)


_SQL_TOKEN = re.compile(r"'((?:[^'\\]|\\.|'')*)'|(NULL)|(-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)|([(),;])", re.S)
_SQL_ESCAPES = {"0": "\0", "n": "\n", "r": "\r", "t": "\t", "Z": "\x1a", "b": "\b"}


def _sql_text(quoted: str) -> str:
    """A MySQL string literal's body unescaped (``\\'``, ``''``, ``\\n`` …)."""
    if "\\" not in quoted and "''" not in quoted:
        return quoted
    return re.sub(r"\\(.)|''", lambda m: _SQL_ESCAPES.get(m.group(1), m.group(1)) if m.group(1) else "'", quoted)


def _read_sql(path: Path, candidates) -> tuple[Profile, int, pd.DataFrame]:
    """A MySQL/MariaDB dump (mysqldump, Navicat): the first table's ``CREATE TABLE`` columns as the header,
    each tuple of its ``INSERT INTO … VALUES`` statements as a row. Other tables are ignored."""
    text = next((t for t in (_try_decode(path, e) for e in ENCODINGS) if t is not None), None)
    if text is None:
        raise IngestError(f"cannot decode as {' or '.join(ENCODINGS)}; save the dump as UTF-8", file=path.name)
    create = re.search(r"CREATE TABLE\s+`?([^`\s(]+)`?\s*\((.*?)\)\s*(?:ENGINE|DEFAULT|;)", text, re.S | re.I)
    if create is None:
        raise IngestError("no CREATE TABLE in this SQL file; PatNav reads MySQL dumps of one patent table",
                          file=path.name)
    table = create.group(1)
    columns = re.findall(r"^\s*`([^`]+)`\s+\w", create.group(2), re.M)
    rows: list[list] = []
    for stmt in re.finditer(rf"INSERT INTO\s+`?{re.escape(table)}`?\s*(?:\([^)]*\)\s*)?VALUES\s*(.*?);\s*$",
                            text, re.S | re.I | re.M):
        row: list = []
        for m in _SQL_TOKEN.finditer(stmt.group(1)):
            quoted, null, number, punct = m.groups()
            if punct == ")":
                rows.append(row)
                row = []
            elif punct is None:
                row.append(_sql_text(quoted) if quoted is not None else "" if null else number)
    bad = next((i for i, r in enumerate(rows) if len(r) != len(columns)), None)
    if bad is not None:
        raise IngestError(f"INSERT tuple {bad + 1} has {len(rows[bad])} values for {len(columns)} columns of "
                          f"`{table}`", file=path.name)
    profile, _ = detect([columns], path.name, candidates)
    return profile, -1, pd.DataFrame(rows, columns=columns, dtype=object)  # row n = the n-th INSERT tuple


def _try_decode(path: Path, encoding: str) -> str | None:
    try:
        return path.read_text(encoding=encoding)
    except UnicodeDecodeError:
        return None


#: a sheet declaring more cells than this is read by streaming its rows (the declared size may be a lie:
#: A1:XFD1048576 would make a reader allocate for 17 billion cells)
DECLARED_CELLS = 20_000_000


def declared_cells(path: Path) -> int:
    """Cells the first worksheet of an XLSX declares in its ``<dimension ref>`` (0 when it says nothing)."""
    import zipfile
    try:
        with zipfile.ZipFile(path) as z:
            sheet = next((n for n in sorted(z.namelist()) if re.fullmatch(r"xl/worksheets/sheet\d*\.xml", n)), None)
            if sheet is None:
                return 0
            with z.open(sheet) as fh:
                head = fh.read(4096).decode("utf-8", "replace")
    except (zipfile.BadZipFile, OSError):
        return 0
    m = re.search(r'<dimension ref="[A-Z]+(\d+):([A-Z]+)(\d+)"', head)
    if not m:
        return 0
    cols = 0
    for ch in m.group(2):
        cols = cols * 26 + ord(ch) - 64
    return cols * (int(m.group(3)) - int(m.group(1)) + 1)


def check_xlsx(path: Path) -> None:
    """Refuse, with a message, a workbook whose package lacks the parts a reader needs (the Rust reader
    panics on some of them): the workbook, its relationships, and every sheet they point to."""
    import zipfile
    try:
        with zipfile.ZipFile(path) as z:
            names = set(z.namelist())
            if "xl/workbook.xml" not in names:
                raise IngestError("not an Excel workbook: the file holds no xl/workbook.xml; save it again as .xlsx",
                                  file=path.name)
            rels = z.read("xl/_rels/workbook.xml.rels").decode("utf-8", "replace") \
                if "xl/_rels/workbook.xml.rels" in names else ""
            bad = z.testzip()
    except zipfile.BadZipFile as exc:
        raise IngestError(f"not a readable Excel workbook ({exc}); save it again as .xlsx", file=path.name) from None
    if bad is not None:
        raise IngestError(f"the workbook is damaged (part {bad} does not unpack); save it again as .xlsx",
                          file=path.name)
    targets = re.findall(r'Target="/?(?:xl/)?(worksheets/[^"]+)"', rels)
    missing = [t for t in targets if f"xl/{t}" not in names]
    if missing:
        raise IngestError(f"the workbook is damaged: sheet part {missing[0]} is missing; save it again as .xlsx",
                          file=path.name)


def _stream_xlsx(path: Path) -> pd.DataFrame:
    """The first sheet read row by row (openpyxl, read-only): memory follows the rows really there."""
    import openpyxl
    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        rows = [list(r) for r in book.worksheets[0].iter_rows(values_only=True)]
    finally:
        book.close()
    while rows and all(v is None for v in rows[-1]):
        rows.pop()
    width = max((max((i for i, v in enumerate(r) if v is not None), default=-1) for r in rows), default=-1) + 1
    return pd.DataFrame([r[:width] for r in rows], dtype=object)


@contextmanager
def _quiet_stderr():
    """Send the process's stderr (file descriptor 2) to nowhere for the duration."""
    import os
    import sys
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with open(os.devnull, "wb") as null:
            os.dup2(null.fileno(), 2)
            yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def _read_excel(path: Path, candidates) -> tuple[Profile, int, pd.DataFrame]:
    try:
        if path.suffix.lower() in (".xlsx", ".xlsm"):
            check_xlsx(path)
        if path.suffix.lower() in (".xlsx", ".xlsm") and declared_cells(path) > DECLARED_CELLS:
            sheet = _stream_xlsx(path)
        else:
            with _quiet_stderr():  # a damaged file makes the Rust reader panic: its backtrace is no message
                sheet = pd.read_excel(path, header=None, dtype=object, engine="calamine")
    except (KeyboardInterrupt, SystemExit, IngestError):
        raise
    except BaseException as exc:  # calamine raises its own error types, a Rust panic even, for broken workbooks
        raise IngestError(f"not a readable Excel workbook ({type(exc).__name__}: {str(exc).splitlines()[0][:200] if str(exc) else ''}); "
                          "open it in Excel and save it again as .xlsx", file=path.name) from None
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
    if col.dtype == object:
        return col.map(one).astype(object)
    return col.fillna("") if pd.api.types.is_string_dtype(col) else col.fillna("").astype(str)  # CSV: Arrow text


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
        from ingest.uspto import read_uspto_xml, sniff
        return read_uspto_xml(path) if sniff(path) else read_ops_xml(path)
    suffix = path.suffix.lower()
    if suffix in (".greenbook", ".aps", ".txt"):
        from ingest.uspto import is_aps, is_brs, read_aps, read_brs
        if suffix != ".txt" or is_aps(path):
            return read_aps(path)
        if is_brs(path):
            return read_brs(path)
    if suffix in (".xlsx", ".xlsm", ".xls"):
        profile, at, sheet = _read_excel(path, candidates)
    elif suffix in (".csv", ".txt"):
        profile, at, sheet = _read_csv(path, candidates)
    elif suffix == ".sql":
        profile, at, sheet = _read_sql(path, candidates)
    else:
        raise IngestError(f"unsupported file type {suffix!r}; give a .csv, .xlsx, .xls, .xml, .sql or .greenbook export",
                          file=path.name)
    sheet = _first_of_repeated(sheet)
    mapping = profile.mapping(list(sheet.columns))
    frame = pd.DataFrame({field: _as_text(sheet[header]) for field, header in mapping.items()})
    frame["row"] = range(at + 2, at + 2 + len(sheet))
    return Raw(path=path, profile=profile, frame=frame.reset_index(drop=True), mapping=mapping)
