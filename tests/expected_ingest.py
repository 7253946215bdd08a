"""The ingest ledger recomputed from the files themselves — the csv module and openpyxl, not PatNav's readers.

For the tabular exports the tests use (Patentics CSV, incoPat XLSX): each data row is usable unless its
publication number is missing or malformed or one of its dates cannot be read; usable rows that share
a publication number, or an application (filing office + the application number's digits), are one
patent (union–find over both links). Which row of a group is kept is the code's choice; the counts,
the groups and the rejected rows are not.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl

#: the header of each field, per layout
COLUMNS = {"patentics": {"id": "公开号", "app_no": "申请号", "dates": ("申请日", "公开日", "授权公告日")},
           "incopat": {"id": "公开（公告）号", "app_no": "申请号", "dates": ("申请日", "公开（公告）日")}}
_ZERO = re.compile(r"[0\s./-]*")
_TEXT_DATE = re.compile(r"(\d{4})[-./](\d{1,2})[-./](\d{1,2})(?:\s.*)?")


def readable_date(value) -> bool:
    """Empty, a placeholder of zeros, a real date, YYYY-MM-DD / YYYY.MM.DD / YYYY/MM/DD, YYYYMMDD or an
    Excel serial of five digits."""
    if value is None or isinstance(value, (dt.date, dt.datetime)):
        return True
    if isinstance(value, (int, float)):
        return 10_000 <= value < 100_000
    text = str(value).strip()
    if _ZERO.fullmatch(text):
        return True
    if re.fullmatch(r"\d{5}(\.\d+)?", text):
        return True
    m = _TEXT_DATE.fullmatch(text) or re.fullmatch(r"(\d{4})(\d{2})(\d{2})", text)
    if not m:
        return False
    try:
        return 1800 <= dt.date(*map(int, m.groups()[:3])).year <= 2100
    except ValueError:
        return False


def publication(value) -> str:
    text = re.sub(r"[\s\-/.,]", "", str(value or "").upper())
    return text if re.fullmatch(r"[A-Z]{2}[0-9A-Z]*\d[0-9A-Z]*", text) and len(text) >= 5 else ""


def application(office: str, number) -> str | None:
    """An application's identity: PCT numbers as (receiving office, year, serial) whichever way they are
    written (PCT/EP2022/057210, WO2005US11153, RO 9500001 W); others office + the number without the
    office prefix, punctuation and a trailing kind letter. Fewer than 6 digits: none."""
    text = re.sub(r"[^A-Z0-9]", "", str(number or "").upper())
    if office == "WO" or text.startswith("PCT"):
        body = text.removeprefix("PCT").removeprefix("WO")
        m = re.fullmatch(r"(\d{4})([A-Z]{2})(\d+)[A-Z]?", body)
        if m:
            return f"PCT {m.group(2)} {int(m.group(1))} {int(m.group(3))}"
        m = re.fullmatch(r"([A-Z]{2})(\d+)[A-Z]?", body)
        if m and len(m.group(2)) in (7, 10):
            digits = m.group(2)
            year, serial = (int(digits[:4]), int(digits[4:])) if len(digits) == 10 else (int(digits[:2]), int(digits[2:]))
            year = year if year > 999 else year + (1900 if year >= 78 else 2000)
            return f"PCT {m.group(1)} {year} {serial}"
    body = text[2:] if text.startswith(office) else text
    body = re.sub(r"(\d)[A-Z]{1,2}$", r"\1", body)
    if office == "US" and re.fullmatch(r"(19|20)\d{10}", body):
        body = body[4:]
    if office == "EP" and re.fullmatch(r"(19|20)\d{9}", body):
        body = body[2:4] + body[-6:]
    return f"{office} {body}" if len(re.sub(r"\D", "", body)) >= 6 else None


@dataclass
class Ledger:
    rows_in: dict[str, int] = field(default_factory=dict)
    rejected: dict[str, list[int]] = field(default_factory=dict)   # file → spreadsheet rows
    groups: list[list[tuple[str, int, str]]] = field(default_factory=list)  # (file, row, publication)

    @property
    def loaded(self) -> int:
        return len(self.groups)

    @property
    def merged(self) -> int:
        return sum(len(g) - 1 for g in self.groups)

    def group_of(self) -> dict[tuple[str, int], int]:
        return {(f, r): i for i, g in enumerate(self.groups) for f, r, _ in g}


def _rows(path: Path) -> tuple[str, list[tuple[int, dict]]]:
    """(layout, [(spreadsheet row, {header: value})]) read with csv / openpyxl."""
    if path.suffix == ".csv":
        with path.open(encoding="utf-8-sig", newline="") as fh:
            table = list(csv.reader(fh))
    else:
        table = [list(r) for r in openpyxl.load_workbook(path, read_only=True).active.iter_rows(values_only=True)]
    for at, header in enumerate(table[:20]):
        names = [str(h).strip() if h is not None else "" for h in header]
        layout = next((k for k, c in COLUMNS.items() if c["id"] in names), None)
        if layout:
            return layout, [(at + 2 + i, dict(zip(names, r))) for i, r in enumerate(table[at + 1:])]
    raise ValueError(f"{path.name}: no known header")


def ledger(paths: list[Path]) -> Ledger:
    out = Ledger()
    usable: list[tuple[str, int, str, str | None]] = []
    for path in paths:
        layout, rows = _rows(path)
        cols = COLUMNS[layout]
        out.rows_in[path.name] = len(rows)
        bad = out.rejected.setdefault(path.name, [])
        for row, cells in rows:
            pub = publication(cells.get(cols["id"]))
            if not pub or not all(readable_date(cells.get(c)) for c in cols["dates"]):
                bad.append(row)
                continue
            usable.append((path.name, row, pub, application(pub[:2], cells.get(cols["app_no"]))))
    # an application number shared by two different grants (or two different A publications) is an
    # export's error: it links nothing
    stages: dict[tuple[str, str], set[str]] = {}
    for _, _, pub, app in usable:
        m = re.fullmatch(r"(.*\d)([A-Z]\d?)", pub)
        if app and m and not m.group(2).endswith("9") and m.group(2)[0] in "ABC":
            stages.setdefault((app, "grant" if m.group(2)[0] in "BC" else "A"), set()).add(m.group(1))
    wrong = {app for (app, _), numbers in stages.items() if len(numbers) > 1}
    usable = [(name, row, pub, None if app in wrong else app) for name, row, pub, app in usable]
    parent = list(range(len(usable)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i
    first: dict[str, int] = {}
    for i, (_, _, pub, app) in enumerate(usable):
        for key in (("p", pub), ("a", app)) if app else (("p", pub),):
            if key in first:
                parent[find(i)] = find(first[key])
            else:
                first[key] = i
    groups: dict[int, list] = {}
    for i, (name, row, pub, _) in enumerate(usable):
        groups.setdefault(find(i), []).append((name, row, pub))
    out.groups = list(groups.values())
    return out


def check_merged(merged, book: Ledger) -> None:
    """merged.csv (or the frame) against the groups: in every group all rows but one are merged, all into
    that one row of the same group, which is itself never merged; the reason says whether the
    publication numbers are equal."""
    group = book.group_of()
    folded = [(str(r.file), int(r.row)) for r in merged.itertuples()]
    into = {(str(r.into_file), int(r.into_row)) for r in merged.itertuples()}
    assert len(set(folded)) == len(folded) and not set(folded) & into, "a row is merged once, never into a merged row"
    targets: dict[int, set] = {}
    for r, row in zip(merged.itertuples(), folded):
        g = group[row]
        assert group[(str(r.into_file), int(r.into_row))] == g, f"{row} merged into another group's row"
        targets.setdefault(g, set()).add((str(r.into_file), int(r.into_row)))
        assert r.reason == ("same publication" if r.id == r.into_id else "same application"), row
    for g, members in enumerate(book.groups):
        assert sum(group[row] == g for row in folded) == len(members) - 1, members
        assert len(targets.get(g, ())) == (1 if len(members) > 1 else 0), members
