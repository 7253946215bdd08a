"""Applicant name normalisation, measured: pairwise precision and recall of ``name_key`` clusters.

On the hand-labelled assignee disambiguation benchmarks of PatentsView's pv-evaluation package
(``../shared/data/benchmarks/disambiguation/*assignees-benchmark.csv``: mention → true cluster), two
mentions are predicted to be the same applicant when their names get the same key. Pairwise
precision = correct same-key pairs / same-key pairs; recall = correct same-key pairs / true pairs.
Also printed for the plain case/punctuation fold (the baseline before legal-form folding).

Inventors: the same measure for ``person_key`` on the inventor benchmarks that carry raw names.

    python bench/names.py
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ingest.names import name_key, person_key  # noqa: E402

BENCH = ROOT.parent / "shared" / "data" / "benchmarks" / "disambiguation"


def pairs(sizes: pd.Series) -> int:
    return int((sizes * (sizes - 1) // 2).sum())


def pairwise(predicted: pd.Series, truth: pd.Series) -> tuple[float, float]:
    """(precision, recall) of the clustering ``predicted`` against ``truth`` (labels per mention)."""
    both = pd.DataFrame({"p": predicted.to_numpy(), "t": truth.to_numpy()})
    tp = pairs(both.groupby(["p", "t"]).size())
    return tp / max(pairs(both.groupby("p").size()), 1), tp / max(pairs(both.groupby("t").size()), 1)


def baseline(names: pd.Series) -> pd.Series:
    return names.str.normalize("NFKC").str.casefold().str.replace(r"[\W_]+", " ", regex=True).str.strip()


def main() -> None:
    files = sorted(BENCH.glob("*assignees-benchmark.csv"))
    if not files:
        sys.exit(f"no assignee benchmarks in {BENCH}")
    print(f"{'benchmark':42} {'mentions':>9} {'clusters':>9}  {'method':26} {'precision':>9} {'recall':>7} {'F1':>6}")
    for path in files:
        bench = pd.read_csv(path, dtype=str).dropna(subset=["organization", "unique_id"])
        for label, fn in (("case/punctuation fold", baseline), ("name_key (+ legal forms)", name_key)):
            p, r = pairwise(fn(bench["organization"]), bench["unique_id"])
            f1 = 2 * p * r / (p + r) if p + r else 0.0
            print(f"{path.name:42} {len(bench):9,} {bench['unique_id'].nunique():9,}  {label:26} {p:9.4f} {r:7.4f} {f1:6.4f}")


def inventors() -> None:
    """Inventor keys on the hand-labelled inventor benchmarks that carry raw names: each mention written
    "First Last" and, as other vendors write it, "Last; First" — the key must not depend on the form."""
    files = [p for p in sorted(BENCH.glob("*inventor*.csv")) + [BENCH / "lai-2011-benchmark.csv"]
             if p.exists() and "raw_inventor_name_last" in pd.read_csv(p, nrows=1).columns]
    print(f"\n{'inventor benchmark':42} {'mentions':>9} {'clusters':>9}  {'written as':26} {'precision':>9} {'recall':>7} {'F1':>6}")
    for path in files:
        bench = pd.read_csv(path, dtype=str).dropna(subset=["raw_inventor_name_last", "unique_id"]).fillna("")
        first, last = bench["raw_inventor_name_first"].str.strip(), bench["raw_inventor_name_last"].str.strip()
        half = pd.Series(range(len(bench)), index=bench.index) % 2 == 0
        forms = {"First Last": first + " " + last, "Last; First": last + "; " + first,
                 "half each (two vendors)": (first + " " + last).where(half, last + "; " + first)}
        for label, names in forms.items():
            p, r = pairwise(person_key(names.str.strip()), bench["unique_id"])
            f1 = 2 * p * r / (p + r) if p + r else 0.0
            print(f"{path.name:42} {len(bench):9,} {bench['unique_id'].nunique():9,}  {label:26} {p:9.4f} {r:7.4f} {f1:6.4f}")


if __name__ == "__main__":
    main()
    inventors()
