"""The graph's own tuples, shaped once for the direction module: units per node, applicants per unit.

The queries ``node_patents`` and ``patent_applicants`` return plain rows (no float aggregation in
Cypher), so LadybugDB and Neo4j hand pandas identical input; everything here is vectorised pandas.
A counting unit is the patent family (``family_id``) where the source gives one, else the patent.
"""

from __future__ import annotations

import functools
import hashlib

import pandas as pd

from analytics.cypher import run_query
from analytics.direction import last_complete_year
from graph.store import GraphStore
from ingest.vectors import sets_per_group

#: the pseudo-node standing for the whole chain (every classified unit) in per-node tables
CHAIN = "*"


def cutoff_year(store: GraphStore, scheme: str) -> int | None:
    return last_complete_year(run_query(store, "data_summary", scheme=scheme)["latest_pub"].iloc[0])


def windows(first: int, last: int, width: int, periods: int = 4) -> list[tuple[int, int]]:
    """At most ``periods`` consecutive windows of ``width`` years ending at ``last``; the oldest one
    reaches back to ``first``, so every year falls in a window.

    >>> windows(2009, 2020, 5)
    [(2009, 2010), (2011, 2015), (2016, 2020)]
    >>> windows(1985, 2020, 5, periods=3)
    [(1985, 2010), (2011, 2015), (2016, 2020)]
    """
    out, end = [], last
    while end >= first:
        out.append((max(first, end - width + 1), end))
        end -= width
    out = out[::-1]
    if len(out) > periods:
        out = [(first, out[-periods][1])] + out[len(out) - periods + 1:]
    return out


def window_labels(years: pd.Series, spans: list[tuple[int, int]]) -> pd.Series:
    """The ``"start–end"`` label of each year's window (None outside every window)."""
    label = {y: f"{a}–{b}" for a, b in spans for y in range(a, b + 1)}
    return years.map(label)


def _offices(patents: pd.DataFrame, family: pd.DataFrame | None, by: list[str]) -> pd.Series:
    """Sorted distinct filing offices per group: each member's own office and its family's offices
    (``family``: unit, office rows from the ``family_offices`` query)."""
    parts = [patents[by + ["office"]]]
    if family is not None and len(family):
        parts.append(patents[by].drop_duplicates().merge(family[["unit", "office"]], on="unit"))
    both = pd.concat(parts, ignore_index=True).dropna(subset=["office"])
    both = both.assign(office=both["office"].astype(object))
    both = both[both["office"] != ""].drop_duplicates()
    return sets_per_group(both, by, "office")


def _digest(value) -> object:
    """A content key for a frame (a hash of its columns, dtypes and every row), else the value itself."""
    if isinstance(value, pd.DataFrame):
        h = hashlib.blake2b(digest_size=16)
        h.update(repr((list(value.columns), [str(t) for t in value.dtypes], len(value))).encode())
        try:
            h.update(pd.util.hash_pandas_object(value, index=False).to_numpy().tobytes() if len(value) else b"")
        except TypeError:  # cells pandas cannot hash (lists): no key, computed each time
            return object()
        return h.hexdigest()
    return value


def by_content(fn):
    """Remember ``fn``'s last few results by the content of its frame arguments: several indicators
    shape the same query rows the same way (``unit_frame`` of ``node_patents`` is asked for seven
    times in a run), and at a million rows each time costs seconds. A pure function's result depends
    only on its inputs' content, so a hit is the same table; each caller gets its own copy."""
    kept: dict = {}

    @functools.wraps(fn)
    def run(*args, **kwargs):
        key = (tuple(_digest(a) for a in args), tuple(sorted((k, _digest(v)) for k, v in kwargs.items())))
        if key not in kept:
            if len(kept) >= 4:
                kept.pop(next(iter(kept)))
            kept[key] = fn(*args, **kwargs)
        return kept[key].copy(deep=False)  # copy-on-write: a caller's change stays its own
    run.cache_clear = kept.clear
    return run


@by_content
def unit_frame(patents: pd.DataFrame, family: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per (node, unit) from ``node_patents`` rows: year = earliest application year of the
    unit's members in the node, cited_by / family_size / claims = the largest member value, offices =
    the distinct filing offices of the members and of their family (``family``: unit, office), patents =
    members in the node.

    >>> rows = pd.DataFrame({"node": ["n", "n"], "patent": ["a", "b"], "unit": ["f", "f"], "year": [2019, 2018],
    ...     "cited_by": [3, None], "family_size": [2, 2], "claims": [None, None], "office": ["CN", "US"]})
    >>> u = unit_frame(rows, pd.DataFrame({"unit": ["f", "f"], "office": ["EP", "US"]})).iloc[0]
    >>> int(u.year), float(u.cited_by), u.offices, int(u.patents)
    (2018, 3.0, ('CN', 'EP', 'US'), 2)
    """
    by = ["node", "unit"]
    g = patents.groupby(by)
    out = g.agg(year=("year", "min"), cited_by=("cited_by", "max"), family_size=("family_size", "max"),
                claims=("claims", "max"), patents=("patent", "nunique"))
    out["offices"] = _offices(patents, family, by).reindex(out.index)
    out["offices"] = out["offices"].map(lambda v: v if isinstance(v, tuple) else ())
    out["year"] = out["year"].astype("Int64")
    return out.reset_index()


def with_chain(patents: pd.DataFrame) -> pd.DataFrame:
    """``node_patents`` rows plus the pseudo-node :data:`CHAIN` holding every classified patent once."""
    whole = patents.drop_duplicates("patent").assign(node=CHAIN)
    return pd.concat([patents, whole], ignore_index=True)


def node_patents(store: GraphStore, scheme: str) -> pd.DataFrame:
    frame = run_query(store, "node_patents", scheme=scheme)
    frame["year"] = frame["year"].astype("Int64")
    return frame


@by_content
def unit_actors(patents: pd.DataFrame, applicants: pd.DataFrame) -> pd.DataFrame:
    """Fractional weights per (node, unit, applicant): each unit with applicants weighs 1, split equally
    among its distinct applicants (across all its members in the node).

    Returns columns node, unit, applicant, name, country, province, w.
    """
    pairs = patents[["node", "unit", "patent"]].merge(applicants, on="patent")
    pairs = pairs.drop_duplicates(["node", "unit", "applicant"]).drop(columns="patent")
    pairs["w"] = 1.0 / pairs.groupby(["node", "unit"])["applicant"].transform("size")
    return pairs.reset_index(drop=True)
