"""Industry development direction (产业发展方向导航): trend, enterprise standing, concentration, origin.

Each indicator is one function over a ``GraphStore``: it runs its named query from
``analytics/queries`` and finishes in pandas. Pure post-processing steps are separate functions with
doctests on tiny frames. Counting unit everywhere: the patent family (``family_id``) where the source
gives one, else the patent.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from analytics.cypher import run_query
from graph.store import GraphStore

#: filings whose application year ends less than this many months before the data cut-off are incomplete
PUBLICATION_LAG_MONTHS = 18


def complete_years(years: pd.Series, latest_pub: dt.date | None) -> pd.Series:
    """True where a year's filings are complete: its last day is ≥ 18 months before the data cut-off.

    Applications publish about 18 months after filing, so recent years look like a downturn that is
    not there; they are flagged, never dropped.

    >>> complete_years(pd.Series([2020, 2021, 2022]), dt.date(2023, 4, 14)).tolist()
    [True, False, False]
    """
    if latest_pub is None or pd.isna(latest_pub):
        return pd.Series(True, index=years.index)
    cutoff = pd.Timestamp(latest_pub) - pd.DateOffset(months=PUBLICATION_LAG_MONTHS)
    return years.astype(int) <= (cutoff.year if cutoff.month == 12 and cutoff.day == 31 else cutoff.year - 1)


def filings_by_node_year(store: GraphStore, scheme: str) -> pd.DataFrame:
    """Filings per chain node and application year (趋势), with a completeness flag.

    ``filings(n, y)`` = number of counting units tagged to node n whose earliest application year
    (among the unit's members in n) is y. ``complete`` is False for years inside the publication lag
    (see :func:`complete_years`).

    Returns columns: node, year, filings, complete.
    """
    frame = run_query(store, "filings_by_node_year", scheme=scheme)
    latest = run_query(store, "data_summary", scheme=scheme)["latest_pub"].iloc[0]
    frame["complete"] = complete_years(frame["year"], latest)
    return frame


def shares(frac: pd.DataFrame, by: str) -> pd.DataFrame:
    """Add ``share`` = frac / Σ frac within each node, and ``rank`` (1 = largest; ties by ``by``).

    ``frac`` is rounded to 9 decimals first: float sums of 1/k differ in the last bits between
    engines (summation order), and ties must rank the same everywhere.

    >>> f = pd.DataFrame({"node": ["n", "n", "m"], "applicant": ["a", "b", "a"], "frac": [3.0, 1.0, 2.0]})
    >>> shares(f, "applicant")[["node", "applicant", "share", "rank"]].values.tolist()
    [['m', 'a', 1.0, 1], ['n', 'a', 0.75, 1], ['n', 'b', 0.25, 2]]
    """
    out = frac.copy()
    out["frac"] = out["frac"].astype(float).round(9)
    out["share"] = out["frac"] / out.groupby("node")["frac"].transform("sum")
    out = out.sort_values(["node", "frac", by], ascending=[True, False, True], kind="mergesort")
    out["rank"] = out.groupby("node").cumcount() + 1
    return out.reset_index(drop=True)


def top_applicants(store: GraphStore, scheme: str, top: int = 10) -> pd.DataFrame:
    """The leading applicants of each chain node (企业地位) by fractional count, with their share.

    frac(a, n) = Σ over units u in n that a is on of 1 / |applicants(u)|; share = frac / Σ_a frac.
    ``units`` is the whole count (units a is on).

    Returns columns: node, rank, applicant, name, units, frac, share.
    """
    frame = shares(run_query(store, "node_applicant_shares", scheme=scheme), "applicant")
    frame = frame[frame["rank"] <= top]
    return frame[["node", "rank", "applicant", "name", "units", "frac", "share"]].reset_index(drop=True)


def cr_hhi(share_frame: pd.DataFrame, k: int = 4) -> pd.DataFrame:
    """CRk and HHI per node from applicant shares (columns node, share; shares of a node sum to 1).

    CRk = sum of the k largest shares; HHI = Σ s² × 10,000 (0–10,000; US DoJ/FTC scale: < 1,500
    unconcentrated, 1,500–2,500 moderately, > 2,500 highly concentrated).

    >>> f = pd.DataFrame({"node": ["n"] * 5, "share": [0.4, 0.3, 0.1, 0.1, 0.1]})
    >>> cr_hhi(f).round(4).values.tolist()
    [['n', 5, 0.9, 2800.0]]
    """
    g = share_frame.sort_values(["node", "share"], ascending=[True, False]).groupby("node")["share"]
    out = pd.DataFrame({"applicants": g.size(), f"cr{k}": g.apply(lambda s: s.head(k).sum()),
                        "hhi": g.apply(lambda s: (s ** 2).sum() * 10_000)})
    return out.reset_index()


def concentration(store: GraphStore, scheme: str) -> pd.DataFrame:
    """Market concentration of patent holdings per chain node: CR4 and HHI on fractional shares.

    Returns columns: node, applicants, cr4, hhi, units (Σ frac = units with applicants), level
    (unconcentrated / moderate / high by the HHI bands).
    """
    frame = shares(run_query(store, "node_applicant_shares", scheme=scheme), "applicant")
    out = cr_hhi(frame)
    out["units"] = out["node"].map(frame.groupby("node")["frac"].sum())
    out["level"] = pd.cut(out["hhi"], [-1, 1500, 2500, 10_001], labels=["unconcentrated", "moderate", "high"]
                          ).astype(str)
    return out[["node", "applicants", "cr4", "hhi", "units", "level"]]


def applicant_countries(store: GraphStore, scheme: str) -> pd.DataFrame:
    """Applicant-country distribution per chain node (技术来源国), fractional counting.

    frac(c, n) = Σ over applicants a of country c of frac(a, n); share within the node. Country ``""``
    means not known (reported, not dropped).

    Returns columns: node, rank, country, frac, share.
    """
    frame = shares(run_query(store, "applicant_countries", scheme=scheme), "country")
    return frame[["node", "rank", "country", "frac", "share"]]
