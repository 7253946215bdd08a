"""Ingest speed: parse + normalise + deduplicate + classify rows/s on a Patentics CSV scaled up from the
real shared exports, then the load time into each engine.

Real rows of the shared Patentics autonomous-driving CSVs (the bundled sample when ../shared is absent)
are resampled to N rows; each copy gets a new publication and application number (office + running
number + kind) so nothing deduplicates away; every other cell stays real. The file is written once to a temp directory
and ingested through the same functions `patnav ingest` uses. Prints seconds and rows/s per stage.

    python bench/ingest.py [--rows 1000000] [--load-rows 100000] [--no-neo4j]
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from api.settings import Settings  # noqa: E402
from graph.embedded_store import EmbeddedStore  # noqa: E402
from graph.neo4j_store import Neo4jStore  # noqa: E402
from ingest.classify import classify  # noqa: E402
from ingest.dedup import deduplicate  # noqa: E402
from ingest.frames import graph_frames  # noqa: E402
from ingest.load import load_graph  # noqa: E402
from ingest.normalize import records  # noqa: E402
from ingest.read import read_export  # noqa: E402
from ontology.chains import load_chain  # noqa: E402

SHARED = ROOT.parent / "shared" / "data" / "exports" / "patentics"
SOURCES = ["WAYMO_全球1005.csv", "滴滴_全球4011.csv", "CRUISE全球500.csv", "UBER_全球989.csv", "APTIV全球1435.csv",
           "LYFT_全球433.csv", "ptics--autodriving--fleet.csv"]


def scaled_csv(n: int, out: Path) -> Path:
    files = [SHARED / f for f in SOURCES if (SHARED / f).exists()] or sorted((ROOT / "ingest/samples/icv").glob("*.csv"))
    header, rows = None, []
    for f in files:
        r = list(csv.reader(io.StringIO(f.read_text(encoding="utf-8-sig"))))
        header = header or r[0]
        rows += [x for x in r[1:] if len(x) >= len(header)]
    pick = np.random.default_rng(7).integers(0, len(rows), n)
    app = header.index("申请号")
    with out.open("w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        for i, j in enumerate(pick):
            row = list(rows[j])
            pub = row[0].strip()
            row[0] = f"{pub[:2]}{i:010d}{''.join(c for c in pub[-2:] if c.isalpha()) or 'A'}"
            row[app] = f"{pub[:2]}{i:012d}"  # a new application too, or dedup would merge the copies
            w.writerow(row)
    return out


def timed(label: str, n: int, fn):
    t = time.perf_counter()
    result = fn()
    s = time.perf_counter() - t
    print(f"  {label:38} {s:8.2f} s  {n / s:12,.0f} rows/s")
    return result, s


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--load-rows", type=int, default=100_000)
    ap.add_argument("--no-neo4j", action="store_true")
    args = ap.parse_args()
    chain = load_chain("icv")
    with tempfile.TemporaryDirectory() as tmp:
        for n, load in ((args.rows, False), (args.load_rows, True)):
            path = scaled_csv(n, Path(tmp) / f"patentics-{n}.csv")
            print(f"{n:,} rows ({path.stat().st_size / 2**20:,.0f} MB CSV)")
            raw, t_read = timed("read (header detection, CSV)", n, lambda: read_export(path))
            norm, t_norm = timed("normalise", n, lambda: records(raw))
            dedup, t_dedup = timed("deduplicate", n, lambda: deduplicate(norm.records))
            tagged, t_cls = timed("classify (icv)", n, lambda: classify(dedup.records, chain))
            total = t_read + t_norm + t_dedup + t_cls
            print(f"  {'parse + normalise + dedup + classify':38} {total:8.2f} s  {n / total:12,.0f} rows/s")
            if not load:
                continue
            frames, _ = timed("graph frames", n, lambda: graph_frames(dedup.records, tagged.in_node, (chain,)))
            rows = sum(len(f) for f in frames.values())
            with EmbeddedStore(Path(tmp) / "db") as store:
                timed(f"load LadybugDB ({rows:,} graph rows)", n, lambda: load_graph(store, frames))
            if not args.no_neo4j:
                with Neo4jStore.connect(*Settings.from_env().neo4j_credentials()) as neo:
                    neo.reset()
                    timed(f"load Neo4j ({rows:,} graph rows)", n, lambda: load_graph(neo, frames))


if __name__ == "__main__":
    main()
