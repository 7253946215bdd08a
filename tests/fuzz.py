"""Malformed variants of the real fixtures, and the check that ingest meets each one with a message.

``variants(seed, n)`` makes ``n`` broken copies of the committed export fixtures (truncated files,
header-only files, garbage bytes, wrong encodings, out-of-range dates, invalid numbers, a cell over
131,072 characters, an XLSX that declares a million rows by 16,384 columns, XML declaring GBK,
formula-like cells …). ``check(path, workdir)`` ingests one through the CLI in this process and returns
what went wrong: a traceback, an unbalanced ledger, or a formula-like cell left unescaped in a file
PatNav wrote. ``python bench/fuzz.py`` runs several hundred; tests/test_fuzz.py a fixed-seed subset.
"""

from __future__ import annotations

import io
import random
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

ROOT = Path(__file__).resolve().parent
FIXTURES = [ROOT / "data" / "patentics" / "autodriving-sample.csv",
            ROOT / "data" / "formats" / "lens" / "lens-3.csv",
            ROOT / "data" / "formats" / "patentics-xlsx" / "address.xlsx",
            ROOT / "data" / "formats" / "patentics-xlsx" / "title-row.xlsx",
            ROOT / "data" / "formats" / "patsnap" / "patsnap-1.xlsx",
            ROOT / "data" / "formats" / "epo-ops" / "biblio-3.xml",
            ROOT / "data" / "formats" / "uspto" / "weekly-2-grants.xml",
            ROOT / "data" / "formats" / "uspto" / "brs-2.txt",
            ROOT / "data" / "formats" / "sql" / "cnipa-3.sql",
            ROOT / "data" / "formats" / "derwent" / "derwent-cn.xls"]
FORMULA = ("=", "+", "-", "@")
BAD_DATES = ("9999-12-31", "0001-01-01", "1700-01-01", "2199-05-05", "31/31/2020", "2020-02-30", "x")
BAD_NUMBERS = ("abc", "-5", "3.7", "1e9999", "٣")


@dataclass
class Variant:
    name: str
    suffix: str
    data: bytes


def _text(path: Path) -> str | None:
    try:
        return path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        return None


def _csv_like(text: str, rng: random.Random) -> Iterator[tuple[str, str]]:
    lines = text.splitlines()
    header, rows = lines[0], lines[1:]
    yield "header-only", header + "\n"
    yield "header-and-blank-lines", header + "\n\n\n,,,\n"
    yield "no-data-at-all", "\n".join(",".join("" for _ in header.split(",")) for _ in range(3))
    yield "truncated-mid-row", text[: rng.randint(len(header) + 5, max(len(header) + 6, len(text) - 1))]
    yield "unclosed-quote", header + "\n" + '"' + "\n".join(rows[:3])
    yield "nul-bytes", text.replace(",", ",\x00", 5)
    for d in BAD_DATES:
        yield f"date-{d}", re.sub(r"\b(19|20)\d\d[-./]?\d\d[-./]?\d\d\b", d, text, count=3)
    for n in BAD_NUMBERS:
        yield f"number-{n}", re.sub(r",(\d{1,3}),", f",{n},", text, count=5)
    for k in range(3):
        keep = rng.sample(range(len(rows)), min(len(rows), 5))
        yield f"ragged-{k}", header + "\n" + "\n".join(rows[i][: rng.randrange(1, max(2, len(rows[i])))] for i in keep)
    yield "huge-cell", header + "\n" + rows[0].replace(",", "," + "长" * 140_000, 1) + "\n" + "\n".join(rows[1:4])
    yield "formula-cells", header + "\n" + "\n".join(
        r.replace(",", ",=cmd|' /C calc'!A0,", 1) if i % 2 else r.replace(",", ",@SUM(1+1),", 1)
        for i, r in enumerate(rows[:6]))
    yield "formula-ids", header + "\n" + "\n".join(("=HYPERLINK(\"http://x\")," if i % 2 else "@SUM(1)," ) + r.split(",", 1)[-1]
                                                   for i, r in enumerate(rows[:6]))
    yield "shuffled-header", ",".join(rng.sample(header.split(","), len(header.split(",")))) + "\n" + "\n".join(rows[:5])
    yield "duplicate-rows", header + "\n" + "\n".join(rows[:3] * 3)
    yield "crlf-and-bom", "\ufeff" + "\r\n".join([header] + rows[:5])


def _bytes(data: bytes, rng: random.Random) -> Iterator[tuple[str, bytes]]:
    yield "empty-file", b""
    for k in range(8):
        yield f"truncated-bytes-{k}", data[: rng.randint(1, max(2, len(data) - 1))]
    for k in range(8):
        flipped = bytearray(data)
        for _ in range(rng.choice((1, 5, 20, 200))):
            i = rng.randrange(len(flipped))
            flipped[i] = rng.randrange(256)
        yield f"flipped-bytes-{k}", bytes(flipped)
    yield "random-garbage", bytes(rng.randrange(256) for _ in range(2000))
    yield "doubled", data + data


def _xlsx(data: bytes, rng: random.Random) -> Iterator[tuple[str, bytes]]:
    """Broken workbooks: a sheet that declares A1:XFD1048576, a missing sheet part, a zip of nothing."""
    src = zipfile.ZipFile(io.BytesIO(data))

    def rebuild(edit: Callable[[str, bytes], bytes | None]) -> bytes:
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
            for item in src.infolist():
                body = edit(item.filename, src.read(item.filename))
                if body is not None:
                    z.writestr(item.filename, body)
        return out.getvalue()
    sheet = next((n for n in src.namelist() if n.startswith("xl/worksheets/") and n.endswith(".xml")), None)
    if sheet:
        huge = lambda n, b: re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:XFD1048576"', b) \
            if n == sheet else b  # noqa: E731
        body = src.read(sheet)
        if b"<dimension" not in body:
            huge = lambda n, b: b.replace(b"<sheetData", b'<dimension ref="A1:XFD1048576"/><sheetData', 1) \
                if n == sheet else b  # noqa: E731
        yield "declares-a-million-rows", rebuild(huge)
        yield "sheet-missing", rebuild(lambda n, b: None if n == sheet else b)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("nothing.txt", "not a workbook")
    yield "zip-without-workbook", out.getvalue()
    yield from _xlsx_cells(data, rng)


def _xlsx_cells(data: bytes, rng: random.Random) -> Iterator[tuple[str, bytes]]:
    """The same workbook with bad values in its cells: out-of-range dates, formula-like text, no numbers,
    an empty header row, a header row only."""
    import openpyxl
    edits = [(f"date-{d}", d) for d in BAD_DATES[:4]] + [("formula-text", "=HYPERLINK(\"http://x\")"),
                                                          ("at-text", "@SUM(1,2)"), ("number-text", "abc")]
    for name, value in edits:
        book = openpyxl.load_workbook(io.BytesIO(data))
        ws = book.active
        cells = [c for row in ws.iter_rows(min_row=2) for c in row if c.value not in (None, "")]
        for c in rng.sample(cells, min(8, len(cells))):
            c.value = value
        buf = io.BytesIO()
        book.save(buf)
        yield f"cells-{name}", buf.getvalue()
    book = openpyxl.load_workbook(io.BytesIO(data))
    book.active.delete_rows(3, book.active.max_row)
    buf = io.BytesIO()
    book.save(buf)
    yield "header-rows-only", buf.getvalue()


def _xml(text: str, rng: random.Random) -> Iterator[tuple[str, str]]:
    yield "declares-gbk", re.sub(r'encoding="[^"]*"', 'encoding="GBK"', text, count=1) if "encoding=" in text \
        else '<?xml version="1.0" encoding="GBK"?>\n' + text
    yield "unclosed-tag", text[: len(text) // 2]
    yield "doctype-entity", '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>' + \
        text.split("?>", 1)[-1]
    for d in BAD_DATES:
        yield f"date-{d}", re.sub(r"<date>\d{8}</date>", f"<date>{d.replace('-', '')}</date>", text, count=2)
    yield "formula-title", re.sub(r"<invention-title([^>]*)>", r"<invention-title\1>=cmd|' /C calc'!A0 ", text, count=1)


def variants(seed: int = 7, n: int | None = None) -> list[Variant]:
    """Broken copies of every fixture (deterministic for a seed); ``n`` picks that many of them."""
    rng = random.Random(seed)
    out: list[Variant] = []
    for path in FIXTURES:
        data = path.read_bytes()
        suffix = path.suffix
        stem = f"{path.parent.name}-{path.stem}"
        for name, body in _bytes(data, rng):
            out.append(Variant(f"{stem}-{name}", suffix, body))
        text = _text(path)
        if suffix in (".csv",) and text:
            for name, body in _csv_like(text, rng):
                out.append(Variant(f"{stem}-{name}", suffix, body.encode("utf-8")))
            out.append(Variant(f"{stem}-gb18030", suffix, text.encode("gb18030", errors="replace")))
            out.append(Variant(f"{stem}-utf16", suffix, text.encode("utf-16")))
            out.append(Variant(f"{stem}-latin1-mislabelled", suffix, text.encode("utf-8")[:3000] + "é".encode("latin-1")))
            out.append(Variant(f"{stem}-as-xlsx", ".xlsx", data))
            out.append(Variant(f"{stem}-no-extension", "", data))
        if suffix == ".xlsx":
            for name, body in _xlsx(data, rng):
                out.append(Variant(f"{stem}-{name}", suffix, body))
            out.append(Variant(f"{stem}-as-csv", ".csv", data))
        if suffix in (".xml",) and text:
            for name, body in _xml(text, rng):
                out.append(Variant(f"{stem}-{name}", suffix, body.encode("utf-8")))
            out.append(Variant(f"{stem}-utf16", suffix, text.encode("utf-16")))
        if suffix in (".sql", ".txt") and text:
            lines = text.splitlines()
            out.append(Variant(f"{stem}-first-lines", suffix, "\n".join(lines[:5]).encode("utf-8")))
            out.append(Variant(f"{stem}-half", suffix, text[: len(text) // 2].encode("utf-8")))
            for d in BAD_DATES:
                out.append(Variant(f"{stem}-date-{d}", suffix,
                                   re.sub(r"\b(19|20)\d{6}\b", d.replace("-", ""), text, count=2).encode("utf-8")))
    if n is not None:
        out = random.Random(seed).sample(out, min(n, len(out)))
    return out


def formula_cells(folder: Path) -> list[str]:
    """Cells of the CSV files PatNav wrote in ``folder`` that a spreadsheet would run as a formula."""
    import csv
    found = []
    for path in folder.rglob("*.csv"):
        with path.open(encoding="utf-8-sig", newline="") as fh:
            for row in csv.reader(fh):
                found += [f"{path.name}: {c[:40]}" for c in row if c[:1] in FORMULA and not re.fullmatch(r"-?\d[\d.eE+-]*", c)]
    return found


def check(variant: Variant, workdir: Path) -> list[str]:
    """Ingest one variant with `patnav ingest` in this process; the problems found (empty when it met
    the bad input as it should: a one-line message and exit 1, or a balanced ledger)."""
    import json

    from typer.testing import CliRunner

    from api.cli import app
    workdir.mkdir(parents=True, exist_ok=True)
    path = workdir / (re.sub(r"[^\w.-]+", "_", variant.name)[:80] + variant.suffix)
    path.write_bytes(variant.data)
    db = workdir / "db"
    result = CliRunner().invoke(app, ["ingest", str(path), "--db", str(db)])
    problems = []
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        problems.append(f"traceback: {type(result.exception).__name__}: {result.exception}")
    if "Traceback" in result.output:
        problems.append("traceback in the output")
    if result.exit_code not in (0, 1):
        problems.append(f"exit code {result.exit_code}")
    if result.exit_code == 1 and "error" not in result.output.lower():
        problems.append("exit 1 without an error line")
    ledger = db / "ingest.json"
    if result.exit_code == 0:
        if not ledger.exists():
            problems.append("no ledger after a successful ingest")
        else:
            t = json.loads(ledger.read_text(encoding="utf-8"))["total"]
            if t["rows_in"] != t["loaded"] + t["merged"] + t["rejected"]:
                problems.append(f"ledger does not balance: {t}")
    problems += [f"formula-like cell written: {c}" for c in formula_cells(db)] if db.exists() else []
    return problems
