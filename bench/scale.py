"""Scale: seconds and peak memory of each stage of ingest, analyze and re-analysis at 100k and 1M rows.

The CSV is the one ``bench/ingest.py`` writes (real Patentics rows resampled, every copy its own
publication and application). Each command runs in its own process, as an analyst runs it, through
the same library calls the CLI makes (``api.workflow``): its step callback marks the stages (files
read, deduplicated, classified, each frame loaded; each indicator and the atlas), a sampler thread
reads the process's resident memory every 20 ms, so each stage gets its seconds and its peak.

    ingest     patnav ingest FILE --db DB --chain icv
    analyze    patnav analyze --db DB --zone ZONE (direction, positioning, pathways, plan; atlas and report)
    reanalyze  patnav classify --chain EDITED.ttl (one rule changed) + patnav analyze again
    ingest on Spark (with --spark MASTER): patnav ingest PARTS/*.csv --spark MASTER, the CSV cut in files of
               50,000 rows as vendors export them (peak: the driver's Python; the JVM's heap is
               PATNAV_SPARK_DRIVER_MEMORY, the workers are processes of their own)

Printed: per command and size its stages (seconds, peak MB), the total, and the 1M / 100k ratio (10
is linear growth). Targets (the issue's): each command ≤ 60 s and ≤ 4 GB at 1M on this machine —
printed as met or not, never asserted. The zone is the city with most Chinese units (as `patnav demo`).

    python bench/scale.py [--sizes 100000 1000000] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TARGET_S, TARGET_MB = 60.0, 4096.0


class Stages:
    """Seconds and peak resident memory between successive marks."""

    def __init__(self) -> None:
        self.rows: list[dict] = []
        self.peak = self._rss()
        self.start = self.last = time.perf_counter()
        self._stop = threading.Event()
        threading.Thread(target=self._sample, daemon=True).start()

    @staticmethod
    def _rss() -> float:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[1]) * 4096 / 2**20

    def _sample(self) -> None:
        while not self._stop.wait(0.02):
            self.peak = max(self.peak, self._rss())

    def mark(self, stage: str) -> None:
        now, rss = time.perf_counter(), self._rss()
        self.rows.append({"stage": stage, "s": now - self.last, "peak_mb": max(self.peak, rss)})
        self.last, self.peak = now, rss

    def close(self) -> list[dict]:
        self._stop.set()
        return self.rows


def _group(message: str) -> str:
    """A step message → its stage: 'read x.csv' → read+normalise, 'loaded Patent' → load, an indicator →
    its module."""
    if message.startswith("read "):
        return "read + normalise"
    if message.startswith("loaded "):
        return "load (graph rows)"
    if message.startswith("bulk import"):
        return "prepare"
    return message


def child(command: str, db: Path, csv: Path, out: Path, zone: str | None, edited: Path | None,
          spark: str | None = None) -> None:
    """Run one command in this process and print its stages as JSON (the parent's input)."""
    stages = Stages()
    from analytics.options import Options
    from analytics.registry import INDICATORS
    from analytics.zone import load_zone
    from api import workflow
    from graph.embedded_store import EmbeddedStore
    from graph.store import Limits
    stages.mark("start (imports)")
    limits = Limits(timeout_s=3600, max_rows=None)
    if command == "ingest":
        files = sorted(csv.glob("*.csv")) if csv.is_dir() else [csv]
        with EmbeddedStore(db, limits=limits) as store:
            workflow.ingest(store, db, files, ["icv"], step=lambda m: stages.mark(_group(m)), spark=spark)
        stages.mark("tags, ledger")
    else:
        if command == "reanalyze":
            with EmbeddedStore(db, limits=limits) as store:
                workflow.classify(store, edited)
            stages.mark("classify (edited chain)")
        module = {name: ind.module for name, ind in INDICATORS.items()}
        with EmbeddedStore(db, read_only=True, limits=limits) as store:
            options = Options(zone=load_zone(zone)) if zone else None
            workflow.analyze(store, db, out, "icv", step=lambda m: stages.mark(f"{module[m]}: {m}" if m in module else m), options=options)
        stages.mark("atlas, report.docx, tables.xlsx")
    print(json.dumps(stages.close()))


def busiest_city(db: Path) -> str:
    from analytics.positioning.structure import busiest_cities
    from graph.embedded_store import EmbeddedStore
    with EmbeddedStore(db, read_only=True) as store:
        return str(busiest_cities(store, "icv").iloc[0]["code"])


def edited_chain(folder: Path) -> Path:
    """The icv chain with one node's keyword rule widened, as an expert's edit would."""
    from ontology.chains import chain_path
    text = chain_path("icv").read_text(encoding="utf-8")
    out = folder / "icv-edited.ttl"
    edited = text.replace('"lidar"@en ,', '"lidar"@en , "time of flight"@en ,', 1)
    if edited == text:
        sys.exit("the icv chain has no lidar keyword any more: update edited_chain()")
    out.write_text(edited, encoding="utf-8")
    return out


def measure(command: str, **kw) -> tuple[list[dict], float, float]:
    """(stages, wall seconds, peak MB) of one command run in a fresh process."""
    args = [sys.executable, __file__, "--child", command] + [f"--{k}={v}" for k, v in kw.items() if v is not None]
    start = time.perf_counter()
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    _, status, usage = __import__("os").wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    out, errs = proc.stdout.read(), proc.stderr.read()
    if status:
        sys.exit(f"{command} failed:\n{errs[-3000:]}")
    return json.loads(out.strip().splitlines()[-1]), wall, usage.ru_maxrss / 1024


def report(results: dict, detail: bool = False) -> None:
    sizes = sorted({n for n, _ in results})
    if not detail:  # indicators summed per module
        results = {k: ([{**s, "stage": s["stage"].split(":")[0]} for s in v[0]], *v[1:]) for k, v in results.items()}
    for command in [c for c in ("ingest", "ingest on Spark", "analyze", "reanalyze") if (sizes[0], c) in results]:
        print(f"\n{command}")
        stages = list(dict.fromkeys(s["stage"] for n in sizes for s in results[(n, command)][0]))
        print(f"  {'stage':40s}" + "".join(f"{n:>12,} rows  peak MB" for n in sizes) + "   ratio")
        for stage in stages:
            cells, secs = "", []
            for n in sizes:
                rows = [s for s in results[(n, command)][0] if s["stage"] == stage]
                s = sum(r["s"] for r in rows)
                secs.append(s)
                cells += f"{s:12.2f} s {max((r['peak_mb'] for r in rows), default=0):8,.0f}"
            ratio = f"{secs[-1] / secs[0]:8.1f}" if len(secs) > 1 and secs[0] > 0.05 else ""
            print(f"  {stage[:40]:40s}{cells}{ratio}")
        walls = [results[(n, command)][1] for n in sizes]
        peaks = [results[(n, command)][2] for n in sizes]
        print(f"  {'total (wall, process peak)':40s}" + "".join(f"{w:12.2f} s {p:8,.0f}" for w, p in zip(walls, peaks))
              + (f"{walls[-1] / walls[0]:8.1f}" if len(walls) > 1 else ""))
        verdict = "met" if walls[-1] <= TARGET_S and peaks[-1] <= TARGET_MB else "NOT met"
        print(f"  target at {sizes[-1]:,}: ≤ {TARGET_S:.0f} s and ≤ {TARGET_MB / 1024:.0f} GB — {verdict} "
              f"({walls[-1]:.1f} s, {peaks[-1] / 1024:.2f} GB)")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    ap.add_argument("--keep", type=Path, help="keep the CSVs and databases here")
    ap.add_argument("--detail", action="store_true", help="one line per indicator, not per module")
    ap.add_argument("--child")
    ap.add_argument("--db", type=Path)
    ap.add_argument("--csv", type=Path)
    ap.add_argument("--out", type=Path)
    ap.add_argument("--zone")
    ap.add_argument("--edited", type=Path)
    ap.add_argument("--spark", metavar="MASTER", help="also ingest on Spark (local[2], spark://host:7077 …)")
    args = ap.parse_args()
    if args.child:
        return child(args.child, args.db, args.csv, args.out, args.zone, args.edited, args.spark)
    import importlib.util  # bench/ingest.py's generator (its name is the package's)
    spec = importlib.util.spec_from_file_location("bench_ingest", ROOT / "bench" / "ingest.py")
    generator = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generator)
    with tempfile.TemporaryDirectory() as tmp:
        work = args.keep or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        edited = edited_chain(work)
        results = {}
        for n in args.sizes:
            csv = work / f"patentics-{n}.csv"
            if not csv.exists():
                generator.scaled_csv(n, csv)
            db = work / f"db-{n}"
            if db.exists():
                __import__("shutil").rmtree(db)
            results[(n, "ingest")] = measure("ingest", db=db, csv=csv)
            zone = busiest_city(db)
            results[(n, "analyze")] = measure("analyze", db=db, out=work / f"out-{n}", zone=zone)
            results[(n, "reanalyze")] = measure("reanalyze", db=db, out=work / f"out-{n}-edited", zone=zone,
                                                edited=edited)
            if args.spark:
                parts = work / f"parts-{n}"
                if not parts.exists():
                    parts.mkdir()
                    for i, chunk in enumerate(__import__("pandas").read_csv(csv, dtype=str, keep_default_na=False,
                                                                             chunksize=50_000)):
                        chunk.to_csv(parts / f"part-{i:03d}.csv", index=False)
                spark_db = work / f"db-{n}-spark"
                if spark_db.exists():
                    __import__("shutil").rmtree(spark_db)
                results[(n, "ingest on Spark")] = measure("ingest", db=spark_db, csv=parts, spark=args.spark)
            print(f"{n:,} rows done (zone {zone})", file=sys.stderr)
        report(results, args.detail)


if __name__ == "__main__":
    main()
