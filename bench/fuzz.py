"""Bad files, measured: every malformed variant of the fixtures (tests/fuzz.py) through `patnav ingest`.

Prints how many variants ran, and how many ended in a traceback, an abort (the process died: a
native crash or an out-of-memory kill), an unbalanced ledger, or a formula-like cell left unescaped in a
file PatNav wrote; and how many formula-like cells were escaped. Variants run in chunks, each in its own
process, so an abort is seen and its chunk is retried one variant at a time to name it.

    python bench/fuzz.py [--seed 7] [--chunk 40]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))


def run_chunk(seed: int, names: list[str]) -> dict:
    """Run the named variants in this process; a JSON line of results per variant on stdout."""
    import warnings
    warnings.simplefilter("ignore")
    from fuzz import check, variants
    chosen = [v for v in variants(seed) if v.name in set(names)]
    for v in chosen:
        with tempfile.TemporaryDirectory() as d:
            problems = check(v, Path(d))
            escaped = sum(1 for p in (Path(d) / "db").rglob("*.csv")
                          for line in p.read_text(encoding="utf-8-sig", errors="replace").splitlines()
                          for cell in line.split(",") if cell.lstrip('"').startswith(("'=", "'+", "'-", "'@")))
        print(json.dumps({"name": v.name, "problems": problems, "escaped": escaped}), flush=True)
    return {}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--chunk", type=int, default=40)
    parser.add_argument("--names", nargs="*", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.names:
        run_chunk(args.seed, args.names)
        return
    from fuzz import variants
    names = [v.name for v in variants(args.seed)]
    results, aborts = {}, []
    start = time.perf_counter()

    def launch(chunk: list[str]) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, __file__, "--seed", str(args.seed), "--names", *chunk],
                              capture_output=True, text=True, cwd=ROOT)
    for i in range(0, len(names), args.chunk):
        chunk = names[i:i + args.chunk]
        done = launch(chunk)
        for line in done.stdout.splitlines():
            if line.startswith("{"):
                r = json.loads(line)
                results[r["name"]] = r
        if done.returncode != 0:  # the process died: find the variant, one at a time
            for name in (n for n in chunk if n not in results):
                alone = launch([name])
                if alone.returncode != 0:
                    aborts.append(f"{name}: exit {alone.returncode}")
                else:
                    results.update({r["name"]: r for r in map(json.loads, alone.stdout.splitlines()) if r})
    seconds = time.perf_counter() - start
    kinds = {"traceback": 0, "ledger": 0, "formula": 0, "other": 0}
    for r in results.values():
        for p in r["problems"]:
            kinds["traceback" if "traceback" in p else "ledger" if "ledger" in p else
                  "formula" if "formula" in p else "other"] += 1
            print(f"  {r['name']}: {p}")
    for a in aborts:
        print(f"  abort: {a}")
    print(f"{len(names)} malformed variants of {len({n.split('-')[0] for n in names})} formats in {seconds:.0f} s: "
          f"{kinds['traceback']} tracebacks, {len(aborts)} aborts, {kinds['ledger']} unbalanced ledgers, "
          f"{kinds['formula']} formula-like cells written, {kinds['other']} other problems; "
          f"{sum(r['escaped'] for r in results.values())} formula-like cells escaped")


if __name__ == "__main__":
    main()
