"""The analysis, measured: seconds per indicator and for the whole atlas on the shared corpus.

Ingests the shared autonomous-driving corpus (2 incoPat XLSX + 9 Patentics CSV, ~34k patents) into a
temporary LadybugDB — or uses ``--db DIR`` — then times each registered indicator on a fresh memo
(its queries included) and ``analyze`` as ``patnav analyze`` runs it (queries and tables shared).
Target: the full direction module under 30 s on this machine; printed as a ratio, never asserted.

    python bench/analyze.py [--db DIR]
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from analytics.cypher import Memo  # noqa: E402
from analytics.registry import INDICATORS  # noqa: E402
from analytics.run import analyze  # noqa: E402
from graph.embedded_store import EmbeddedStore  # noqa: E402
from ingest.load import load_graph  # noqa: E402
from ingest.pipeline import ingest_files  # noqa: E402
from ontology.chains import load_chain  # noqa: E402

SHARED = ROOT.parent / "shared" / "data" / "exports"
CORPUS = [SHARED / "incopat" / f for f in ("通用自动驾驶_10000.xlsx", "福特自动驾驶INCO_7552.xlsx")] + sorted(
    (SHARED / "patentics").glob("*.csv"))
TARGET_S = 30.0


def main() -> None:
    db = Path(sys.argv[sys.argv.index("--db") + 1]) if "--db" in sys.argv else None
    with tempfile.TemporaryDirectory() as tmp:
        if db is None:
            missing = [p for p in CORPUS if not p.exists()]
            if missing:
                sys.exit(f"the shared corpus is absent ({missing[0]}); pass --db DIR")
            db = Path(tmp) / "db"
            ingested = ingest_files(CORPUS, [load_chain("icv")])
            with EmbeddedStore(db) as s:
                load_graph(s, ingested.frames)
        with EmbeddedStore(db) as store:
            patents = int(store.run("MATCH (p:Patent) RETURN count(*) AS n")["n"].iloc[0])
            print(f"{patents:,} patents in {db}")
            for name, ind in INDICATORS.items():
                start = time.perf_counter()
                rows = len(ind.run(Memo(store), "icv"))
                print(f"  {name:22s} {rows:>7,} rows  {time.perf_counter() - start:6.2f} s (alone)")
            start = time.perf_counter()
            analyze(store, "icv")
            took = time.perf_counter() - start
    print(f"analyze (all {len(INDICATORS)} indicators + map data): {took:.2f} s; "
          f"target {TARGET_S:.0f} s → ratio {took / TARGET_S:.2f} (≤ 1 meets it)")


if __name__ == "__main__":
    main()
