"""Cut the bundled demo sample from the shared autonomous-driving exports (reproducible, seed 7).

Real rows only, unchanged: incoPat XLSX rows are copied cell by cell (values and types) under the
original header; Patentics CSV rows are copied as text lines. Run from the repository root:
``python tools/cut_demo_sample.py ../shared/data/exports ingest/samples/icv``.
"""

from __future__ import annotations

import csv
import io
import random
import sys
from pathlib import Path

import openpyxl

PLAN = [("incopat/通用自动驾驶_10000.xlsx", 1400), ("incopat/福特自动驾驶INCO_7552.xlsx", 900),
        ("patentics/WAYMO_全球1005.csv", 500), ("patentics/滴滴_全球4011.csv", 500),
        ("patentics/UBER_全球989.csv", 400), ("patentics/CRUISE全球500.csv", 300),
        ("patentics/LYFT_全球433.csv", 250), ("patentics/APTIV全球1435.csv", 300)]


def cut_xlsx(src: Path, dst: Path, n: int, rng: random.Random) -> int:
    rows = list(openpyxl.load_workbook(src, read_only=True).active.iter_rows(values_only=True))
    keep = sorted(rng.sample(range(1, len(rows)), n))
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(list(rows[0]))
    for i in keep:
        ws.append(list(rows[i]))
    wb.save(dst)
    return n


def cut_csv(src: Path, dst: Path, n: int, rng: random.Random) -> int:
    text = src.read_text(encoding="utf-8-sig")
    records = list(csv.reader(io.StringIO(text)))
    keep = sorted(rng.sample(range(1, len(records)), n))
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(records[0])
    for i in keep:
        w.writerow(records[i])
    dst.write_text(buf.getvalue(), encoding="utf-8-sig")
    return n


def main(src_root: str, out: str) -> None:
    rng = random.Random(7)
    out_dir = Path(out)
    out_dir.mkdir(parents=True, exist_ok=True)
    for rel, n in PLAN:
        src = Path(src_root) / rel
        dst = out_dir / f"{src.stem}-sample{src.suffix}"
        (cut_xlsx if src.suffix == ".xlsx" else cut_csv)(src, dst, n, rng)
        print(f"{dst}: {n} rows from {rel}")


if __name__ == "__main__":
    main(*sys.argv[1:3])
