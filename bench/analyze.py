"""The analysis, measured: seconds per indicator and for the whole atlas on the shared corpus.

Ingests the shared autonomous-driving corpus (2 incoPat XLSX + 9 Patentics CSV, ~34k patents) into a
temporary LadybugDB — or uses ``--db DIR`` — then times each registered indicator on a fresh memo
(its queries included) and ``analyze`` as ``patnav analyze`` runs it (queries and tables shared), with
the seconds of each module (direction, positioning, pathways) in that run. The zone is the city whose applicants
hold the most Chinese units (as ``patnav demo`` picks it). Target: the whole analysis under 30 s on this
machine; printed as a ratio, never asserted.

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
from analytics.options import Options  # noqa: E402
from analytics.positioning.structure import busiest_cities  # noqa: E402
from analytics.zone import load_zone  # noqa: E402
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
            city = busiest_cities(store, "icv").iloc[0]
            options = Options(zone=load_zone(city["code"]))
            print(f"{patents:,} patents in {db}; zone {city['name']} ({city['code']}, {city['units']:.0f} units)")
            for name, ind in INDICATORS.items():
                start = time.perf_counter()
                rows = len(ind.run(Memo(store), "icv", options))
                print(f"  {name:24s} {rows:>7,} rows  {time.perf_counter() - start:6.2f} s (alone)")
            seconds: dict[str, float] = {}
            last = [time.perf_counter()]

            def step(name: str) -> None:
                now = time.perf_counter()
                module = INDICATORS[name].module
                seconds[module] = seconds.get(module, 0.0) + now - last[0]
                last[0] = now
            start = time.perf_counter()
            analyze(store, "icv", step=step, options=options)
            took = time.perf_counter() - start
    for module, s in seconds.items():
        print(f"  module {module:12s} {s:6.2f} s in the run")
    print(f"analyze (all {len(INDICATORS)} indicators + map data): {took:.2f} s; "
          f"target {TARGET_S:.0f} s → ratio {took / TARGET_S:.2f} (≤ 1 meets it)")


if __name__ == "__main__":
    main()
