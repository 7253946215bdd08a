"""Chain–patent correlation (产业链与专利关联度) and industry transfer (产业转移).

Three angles of the correlation live here — technology (each node's share of the chain's patents and
how it moved), product supply/demand (rank correlation of that share with economic data per node, when
the analyst supplies it) and industry transfer (applicant-country shares per node per period window,
their shift, and the origin → filing-office flow matrix). The fourth angle, enterprise standing, is
``direction.top_applicants`` / ``direction.concentration``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import spearmanr

from analytics.cypher import run_query
from analytics.frames import (CHAIN, cutoff_year, node_patents, unit_actors, unit_frame, window_labels, windows,
                              with_chain)
from analytics.options import Options
from graph.store import GraphStore


#: period windows compared (the oldest reaches back to the first year)
PERIODS = 4


def _windowed(units: pd.DataFrame, last: int | None, width: int) -> tuple[pd.DataFrame, list[tuple[int, int]]]:
    """Units of complete years with their window label; the windows themselves, the last one ending at
    the last complete year ``last`` (or, without a cut-off, at the latest year there is)."""
    dated = units.dropna(subset=["year"])
    if last is not None:
        dated = dated[dated["year"] <= last]
    if dated.empty:
        return dated.assign(window=pd.Series(dtype=object)), []
    spans = windows(int(dated["year"].min()), int(dated["year"].max()) if last is None else last, width, PERIODS)
    return dated.assign(window=window_labels(dated["year"].astype(int), spans)), spans


def share_shift(frac: pd.DataFrame, key: str, spans: list[tuple[int, int]]) -> pd.DataFrame:
    """Share of each ``key`` within (node, window) and its shift from the node's previous window.

    ``frac`` has columns node, window, ``key``, frac. share = frac / Σ frac of the (node, window);
    shift = share − share in the previous window (a key absent there had share 0); NaN for a node's first
    window with units and after a window without any. Windows where the node has no units are left out,
    and so are rows where the key has no weight in the window nor in the node's previous window.

    >>> f = pd.DataFrame({"node": ["n"] * 3, "window": ["2011–2015", "2016–2020", "2016–2020"],
    ...                   "country": ["US", "US", "CN"], "frac": [4.0, 1.0, 3.0]})
    >>> share_shift(f, "country", [(2011, 2015), (2016, 2020)])[["window", "country", "share", "shift"]].values.tolist()
    [['2011–2015', 'US', 1.0, nan], ['2016–2020', 'CN', 0.75, 0.75], ['2016–2020', 'US', 0.25, -0.75]]
    >>> gap = [(2001, 2005), (2006, 2010), (2011, 2015)]
    >>> share_shift(f.assign(window=["2001–2005", "2011–2015", "2011–2015"]), "country", gap)["shift"].tolist()
    [nan, nan, nan]
    """
    if frac.empty:
        return pd.DataFrame(columns=["node", "window", "start", "end", key, "frac", "share", "shift"])
    order = [f"{a}–{b}" for a, b in spans]
    grid = frac.pivot_table(index=["node", key], columns="window", values="frac", aggfunc="sum", fill_value=0.0)
    grid = grid.reindex(columns=order, fill_value=0.0)  # a window nobody filed in still breaks the sequence
    totals = grid.groupby(level="node").transform("sum")
    share = (grid / totals.where(totals > 0)).fillna(0.0)
    present = totals > 0
    shift = share.diff(axis=1).where(present & present.shift(axis=1, fill_value=False))
    out = pd.DataFrame({"frac": grid.stack(), "share": share.stack(), "shift": shift.stack().astype(float),
                        "present": present.stack()}).reset_index()
    out = out[out["present"]].drop(columns="present")  # a window where the node has no units has no shares
    prev = out.groupby(["node", key])["frac"].shift(1).fillna(0.0)
    out = out[(out["frac"] > 0) | (prev > 0)]
    bounds = {f"{a}–{b}": (a, b) for a, b in spans}
    out.insert(2, "start", out["window"].map(lambda w: bounds[w][0]))
    out.insert(3, "end", out["window"].map(lambda w: bounds[w][1]))
    return out.sort_values(["node", "start", "frac", key], ascending=[True, True, False, True]).reset_index(drop=True)


def transfer(store: GraphStore, scheme: str, options: Options | None = None) -> pd.DataFrame:
    """Industry transfer (产业转移): applicant-country shares per chain node and period window.

    Units of complete application years fall into consecutive windows of ``options.window`` years
    ending at the last complete year; frac(c, n, w) = Σ over units u of n in w of the share of u's
    applicants from country c (fractional counting, '' = country not known); share within (n, w);
    shift = share − share in the previous window (see :func:`share_shift`). Node ``*`` is the whole chain.
    Source: the share-and-shift reading of technology origin used in CNIPA's 专利导航指南 (GB/T 39551.1-2020)
    industry-transfer analysis.

    Returns columns: node, window, start, end, country, frac, share, shift.
    """
    options = options or Options()
    patents = node_patents(store, scheme)
    applicants = run_query(store, "patent_applicants", scheme=scheme)
    both = with_chain(patents)
    actors = unit_actors(both, applicants).merge(unit_frame(both)[["node", "unit", "year"]], on=["node", "unit"])
    dated, spans = _windowed(actors, cutoff_year(store, scheme), options.window)
    frac = dated.groupby(["node", "window", "country"])["w"].sum().rename("frac").reset_index()
    out = share_shift(frac, "country", spans)
    return out[["node", "window", "start", "end", "country", "frac", "share", "shift"]]


def flows(store: GraphStore, scheme: str, options: Options | None = None) -> pd.DataFrame:
    """Origin → filing-office flow matrix (技术流向): where each country's applicants file.

    Counted in patents (publications), not families: a family filed at five offices is five flows.
    frac(c → o, n) = Σ over patents of n filed at office o of the share of their applicants from
    country c (fractional; patents without applicants left out); share = frac / Σ frac of the node.
    Node ``*`` holds every classified patent once.

    Returns columns: node, origin, office, frac, share.
    """
    patents = with_chain(node_patents(store, scheme))[["node", "patent", "office"]]
    applicants = run_query(store, "patent_applicants", scheme=scheme)[["patent", "applicant", "country"]]
    pairs = patents.merge(applicants, on="patent")
    pairs["w"] = 1.0 / pairs.groupby(["node", "patent"])["applicant"].transform("size")
    out = (pairs.groupby(["node", "country", "office"])["w"].sum().rename("frac").reset_index()
           .rename(columns={"country": "origin"}))
    out["share"] = out["frac"] / out.groupby("node")["frac"].transform("sum")
    return out.sort_values(["node", "frac", "origin", "office"], ascending=[True, False, True, True]
                           ).reset_index(drop=True)


def node_shares(units: pd.DataFrame, last: int | None, width: int, nodes: pd.Index | None = None) -> pd.DataFrame:
    """Each node's share of the chain's units overall and in the last two windows (technology angle).

    share(n) = units(n) / units(*), where ``*`` counts every classified unit once (nodes overlap, so
    shares of sibling nodes need not sum to 1); share_before / share_after use the units of the
    second-to-last and the last complete window; shift = share_after − share_before. ``nodes`` lists
    every node of the chain: one without units has share 0 (not unknown) in a window that has units.

    >>> u = pd.DataFrame({"node": ["*", "a", "*"], "unit": ["x", "x", "y"], "year": [2016, 2016, 2020]})
    >>> node_shares(u, 2020, 5, pd.Index(["a", "b"]))[["units", "share", "share_after", "window_after"]].values.tolist()
    [[1, 0.5, 0.5, '2016–2020'], [0, 0.0, 0.0, '2016–2020']]
    """
    total = units.groupby("node")["unit"].nunique()
    chain = total.get(CHAIN, 0)
    out = pd.DataFrame({"units": total}).drop(index=CHAIN, errors="ignore")
    if nodes is not None:
        out = out.reindex(nodes, fill_value=0)
    out["units"] = out["units"].astype(int)
    out["share"] = out["units"] / chain if chain else 0.0
    dated, spans = _windowed(units, last, width)
    labels = [f"{a}–{b}" for a, b in spans][-2:]
    counts = dated.groupby(["window", "node"])["unit"].nunique()
    padded = [None] * (2 - len(labels)) + labels
    for col, label in zip(("share_before", "share_after"), padded):
        per = counts.loc[label] if label is not None and label in counts.index.get_level_values(0) else None
        base = per.get(CHAIN, 0) if per is not None else 0
        out[col] = out.index.map(per).fillna(0) / base if base else np.nan
    out["shift"] = out["share_after"] - out["share_before"]
    out["window_before"], out["window_after"] = padded
    return out


def correlation(store: GraphStore, scheme: str, options: Options | None = None) -> pd.DataFrame:
    """Chain–patent correlation per node (产业链与专利关联度): technology and product supply/demand angles.

    Technology: units, share of the chain's units, and its shift between the last two complete windows
    (:func:`node_shares`). Product supply/demand: the node weight from the chain ontology and, when the
    analyst supplies economic data per node (``--economic FILE.csv``: node, numeric columns), those
    columns; ``rank`` is each node's rank by share. The rank correlations themselves (Spearman ρ of share
    against each economic column, over nodes that have a value) are in :func:`rank_correlations`.

    Returns columns: node, units, share, share_before, share_after, shift, window_before, window_after,
    weight, rank, then the economic columns if given.
    """
    options = options or Options()
    units = unit_frame(with_chain(node_patents(store, scheme)))
    nodes = run_query(store, "chain_nodes", scheme=scheme).set_index("node")
    shares = node_shares(units, cutoff_year(store, scheme), options.window, nodes.index)
    out = shares.copy()
    out["weight"] = nodes["weight"].astype(float).fillna(1.0)
    out["rank"] = out["share"].rank(ascending=False, method="min").astype(int)
    econ = economic_by_node(options.economic, nodes)
    if econ is not None:
        out = out.join(econ)
    return out.reset_index().rename(columns={"index": "node"})


def economic_by_node(econ: pd.DataFrame | None, nodes: pd.DataFrame) -> pd.DataFrame | None:
    """Economic rows keyed by ChainNode id; a row may name the node by id or by code. Unknown nodes are
    an error that lists them (a typo must not drop a row silently)."""
    if econ is None:
        return None
    return econ.assign(node=node_ids(econ["node"], nodes.index.to_series(), nodes["code"], "economic data"))\
        .set_index("node")


def node_ids(values: pd.Series, ids: pd.Series, codes: pd.Series, what: str) -> pd.Series:
    """Chain nodes an analyst's file names by ChainNode id or by code, as ids; an unknown node is an error
    that lists it (a typo must not drop a row silently). ``ids``/``codes``: the chain's, aligned."""
    by_code = dict(zip(codes.astype(str), ids))
    known = set(ids)
    found = values.map(lambda v: v if v in known else by_code.get(v))
    if found.isna().any():
        from ontology.errors import PatNavError
        raise PatNavError(f"{what}: nodes {values[found.isna()].tolist()[:5]} are not in the chain; "
                          f"use ChainNode ids or codes such as {ids.iloc[0]!r} / {codes.iloc[0]!r}")
    return found


def rank_correlations(table: pd.DataFrame) -> pd.DataFrame:
    """Spearman ρ between node share and each economic column (and the node weight when weights vary).

    Returns columns: measure, rho, p_value, nodes (with a value). Empty when there is nothing to
    correlate with. Source: Spearman's rank correlation (scipy.stats.spearmanr, two-sided p).

    >>> t = pd.DataFrame({"node": list("abcd"), "share": [.4, .3, .2, .1], "weight": [1.0] * 4,
    ...                   "output": [9.0, 7.0, 3.0, 1.0]})
    >>> rank_correlations(t)[["measure", "rho", "nodes"]].values.tolist()
    [['output', 1.0, 4]]
    """
    base = {"node", "units", "share", "share_before", "share_after", "shift", "window_before", "window_after",
            "weight", "rank"}
    measures = [c for c in table.columns if c not in base]
    if table["weight"].nunique() > 1:
        measures.insert(0, "weight")
    rows = []
    for m in measures:
        pair = table[["share", m]].dropna()
        if len(pair) >= 3 and pair[m].nunique() > 1 and pair["share"].nunique() > 1:
            rho, p = spearmanr(pair["share"], pair[m])
            rows.append({"measure": m, "rho": round(float(rho), 4), "p_value": round(float(p), 4), "nodes": len(pair)})
        else:
            rows.append({"measure": m, "rho": np.nan, "p_value": np.nan, "nodes": len(pair)})
    return pd.DataFrame(rows, columns=["measure", "rho", "p_value", "nodes"])
