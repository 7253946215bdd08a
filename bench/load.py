"""Bulk-load benchmark: LadybugDB COPY vs Neo4j bulk import vs Neo4j UNWIND batches vs one MERGE per row.

Patents with their applicants, inventors and IPC classes are resampled from the real Patentics
autonomous-driving exports in ../shared/data (the committed sample when absent) to N patents; each
copy gets a new publication number, people and classes keep their real values. Every path loads the
same frames, timed from frames to committed graph: the store protocol's loads, and for Neo4j's first load
``neo4j-admin database import full`` (CSV written, server stopped, import, server started, constraints
made — ``graph.neo4j_import``). Prints graph rows/s (nodes + relationships) per path and the ratios
measured in this one run.

    python bench/load.py [--sizes 100000 1000000] [--naive 2000] [--neo4j-max 1000000]

Neo4j is the server `patnav neo4j start` runs under PATNAV_HOME (``make bench`` starts one): the bulk
import stops and restarts it.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from api.settings import Settings  # noqa: E402
from graph.embedded_store import EmbeddedStore  # noqa: E402
from graph.neo4j_import import import_full  # noqa: E402
from ingest.frames import graph_frames  # noqa: E402
from ingest.normalize import records  # noqa: E402
from ingest.read import read_export  # noqa: E402
from ingest.load import load_graph  # noqa: E402

SHARED = ROOT.parent / "shared" / "data" / "exports" / "patentics"
SOURCES = ["WAYMO_全球1005.csv", "滴滴_全球4011.csv", "CRUISE全球500.csv", "UBER_全球989.csv", "APTIV全球1435.csv",
           "LYFT_全球433.csv", "AURORA全球30.csv", "ptics--autodriving--fleet.csv"]


def real_records() -> pd.DataFrame:
    files = [SHARED / f for f in SOURCES if (SHARED / f).exists()]
    if not files:
        files = [ROOT / "tests" / "data" / "patentics" / "autodriving-sample.csv"]
    rec = pd.concat([records(read_export(f)).records for f in files], ignore_index=True)
    return rec.drop_duplicates("id").reset_index(drop=True)


def resample(rec: pd.DataFrame, n: int, seed: int = 7) -> pd.DataFrame:
    rows = rec.iloc[np.random.default_rng(seed).integers(0, len(rec), n)].reset_index(drop=True)
    rows["id"] = rows["id"] + "-" + pd.Series(np.arange(n)).astype(str)
    return rows


def graph_rows(frames) -> int:
    return sum(len(f) for f in frames.values())


def naive_load(driver, frames) -> None:
    """What most tutorials show: one auto-commit MERGE per row (nodes, then relationships)."""
    with driver.session() as s:
        for label in ("Patent", "Applicant", "Inventor", "IPC"):
            for row in frames[label].astype(object).where(frames[label].notna(), None).to_dict("records"):
                sets = ", ".join(f"n.{k} = ${k}" for k in row if k != "id")
                s.run(f"MERGE (n:{label} {{id: $id}})" + (f" SET {sets}" if sets else ""), row).consume()
        for rel, (a, b) in {"APPLIED_BY": ("Patent", "Applicant"), "INVENTED_BY": ("Patent", "Inventor"),
                            "CLASSIFIED_AS": ("Patent", "IPC")}.items():
            for row in frames[rel].astype(object).to_dict("records"):
                prop = "order" if "order" in row else "main"
                s.run(f"MATCH (a:{a} {{id: $f}}) MATCH (b:{b} {{id: $t}}) MERGE (a)-[r:{rel}]->(b) "
                      f"SET r.`{prop}` = $p", {"f": row["from"], "t": row["to"], "p": row[prop]}).consume()


def timed(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    ap.add_argument("--naive", type=int, default=2_000, help="patents for the one-MERGE-per-row path")
    ap.add_argument("--neo4j-max", type=int, default=1_000_000, help="largest size to load into Neo4j")
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "load.json")
    args = ap.parse_args()

    rec = real_records()
    print(f"source: {len(rec)} real patents; machine: {platform.machine()}, Python {platform.python_version()}")
    settings = Settings.from_env()
    neo = settings.open_store(neo4j=True, read_only=False)
    if neo.server_home is None:
        sys.exit("the bulk import needs the server `patnav neo4j start` runs under PATNAV_HOME")
    results = []

    def wipe():  # an empty database, fast whatever it holds: the import tool with no input
        import_full(neo.server_home, {})

    stages: dict[int, list] = {}

    def bulk(frames):
        marks = [("begin", time.perf_counter())]
        import_full(neo.server_home, frames, step=lambda what: marks.append((what, time.perf_counter())))
        neo.create_schema()
        marks.append(("created the constraints", time.perf_counter()))
        stages[len(frames["Patent"])] = [(what, round(t - marks[i][1], 2)) for i, (what, t) in enumerate(marks[1:])]

    def report(path, n, frames, seconds):
        rows = graph_rows(frames)
        results.append({"path": path, "patents": n, "graph_rows": rows, "seconds": round(seconds, 3),
                        "rows_per_s": round(rows / seconds)})
        print(f"{path:<28} {n:>9,} patents {rows:>11,} rows {seconds:>9.2f} s {rows / seconds:>12,.0f} rows/s",
              flush=True)

    for n in args.sizes:
        frames = graph_frames(resample(rec, n))
        with tempfile.TemporaryDirectory() as tmp:
            store = EmbeddedStore(tmp)
            report("ladybug COPY", n, frames, timed(lambda: load_graph(store, frames)))
            store.close()
        if n <= args.neo4j_max:
            report("neo4j bulk import", n, frames, timed(lambda: bulk(frames)))
            wipe()
            report("neo4j UNWIND batches", n, frames, timed(lambda: load_graph(neo, frames)))
    frames = graph_frames(resample(rec, args.naive))
    wipe()
    neo.create_schema()
    report("neo4j one MERGE per row", args.naive, frames, timed(lambda: naive_load(neo.driver, frames)))
    wipe()
    neo.close()

    rate = {(r["path"], r["patents"]): r["rows_per_s"] for r in results}
    naive = rate[("neo4j one MERGE per row", args.naive)]
    print("\nratios (same run):")
    for n in args.sizes:
        lb, nj = rate.get(("ladybug COPY", n)), rate.get(("neo4j UNWIND batches", n))
        bulk_rate = rate.get(("neo4j bulk import", n))
        if nj:
            print(f"  {n:>9,} patents: neo4j bulk import / neo4j UNWIND = {bulk_rate / nj:6.1f}x; "
                  f"ladybug COPY / neo4j UNWIND = {lb / nj:6.1f}x; "
                  f"neo4j UNWIND / naive MERGE = {nj / naive:6.1f}x; ladybug COPY / naive = {lb / naive:7.1f}x")
        else:
            print(f"  {n:>9,} patents: ladybug COPY / naive MERGE = {lb / naive:7.1f}x")
    for n, parts in stages.items():
        print(f"  bulk import of {n:,} patents, seconds per stage: " + "; ".join(f"{w} {s}" for w, s in parts))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"runs": results, "bulk_stages": stages}, indent=1))
    print(f"\nwritten {args.out}")


if __name__ == "__main__":
    main()
