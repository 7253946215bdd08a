"""Patent control power (专利控制力) per actor — applicant, country, region — and chain node.

Three components, each a share in [0, 1], and a composite index:

- technology control T(a, n) = a's fractional share of the node's core units, where a unit is core when
  its quality score is in the node's top decile. The score is forward citations normalised by the mean
  of its node × application-year cohort (citations favour old patents; the cohort removes that); where
  a unit has no citation count, its family size, else its claim count, normalised the same way (each
  basis against its own cohort), stands in. Units with none of the three are never core.
- product control P(a, n) = Σ weight(m) over nodes m in n's subtree where a's share ≥ θ and a holds at
  least ``control_min_units`` units (one patent of a 17-unit node is 6% but no control), divided by
  Σ weight(m) over the subtree's nodes with units (weights from the chain ontology, default 1). For
  the whole chain (node ``*``) the subtree is every node: the weighted breadth of the chain a holds.
- market control M(a, n) = Σ_u w(a, u) · cov(u) / Σ_u cov(u), cov(u) = Σ market weight of the distinct
  filing offices of unit u (its members' offices and its family's offices; default weight 1 each).
- index = (w_t · T + w_p · P + w_m · M) / (w_t + w_p + w_m), default weights 0.4 / 0.3 / 0.3.
- ranking: actors with at least ``control_min_units`` units in the node (``supported``) rank before the
  others, each group by index; an actor with one or two filings is listed, never above a real portfolio.

Reading the index: it is a weighted mean of three shares, so 0.07 means the actor holds on the order
of 7% of the node's core patents, breadth and market coverage together; in a node of many holders
0.05–0.10 is already a leading position, above 0.3 a dominant one.

w(a, u) is fractional counting: each unit with applicants weighs 1, split equally among its distinct
applicants; a country's or region's weight is the sum over its applicants. Sources: the core-patent
and market-coverage measures follow the patent-power literature (Ernst 2003, "Patent information for
strategic technology management"; Trajtenberg 1990 on citation-weighted counts); the three-part
control structure is the one the CNIPA patent navigation guideline (GB/T 39551) asks for.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analytics.cypher import run_query
from analytics.frames import CHAIN, node_patents, unit_actors, unit_frame, with_chain
from analytics.options import Options
from graph.store import GraphStore

#: the quality score's top share that counts as core
CORE_SHARE = 0.10
BASES = ("cited_by", "family_size", "claims")


def core_units(units: pd.DataFrame) -> pd.DataFrame:
    """Add basis, score and core to a (node, unit, year, cited_by, family_size, claims) frame.

    basis = the first of cited_by / family_size / claims the unit has; score = value / mean value of the
    units with the same basis in the same node × year cohort (0 when that mean is 0), rounded to 9
    decimals; core = score > 0 and score ≥ the node's 90th percentile of scores (ties all count).

    >>> u = pd.DataFrame({"node": ["n"] * 10, "unit": list("abcdefghij"), "year": [2020] * 10,
    ...                   "cited_by": [0, 1, 1, 2, 2, 3, 3, 4, 5, 29], "family_size": [None] * 10,
    ...                   "claims": [None] * 10})
    >>> core_units(u).query("core")["unit"].tolist(), float(core_units(u)["score"].max())
    (['j'], 5.8)
    """
    out = units.copy()
    basis = pd.Series("", index=out.index, dtype=object)
    value = pd.Series(np.nan, index=out.index)
    for b in reversed(BASES):
        has = out[b].notna()
        basis = basis.where(~has, b)
        value = value.where(~has, out[b].astype(float))
    out["basis"], out["value"] = basis, value
    scored = out["basis"] != ""
    cohort = out[scored].groupby(["node", out["year"].fillna(-1), "basis"])["value"].transform("mean")
    out["score"] = (out.loc[scored, "value"] / cohort.where(cohort > 0)).fillna(0.0).round(9)
    threshold = out.groupby("node")["score"].transform(lambda s: s.quantile(1 - CORE_SHARE))
    out["core"] = scored & (out["score"] > 0) & (out["score"] >= threshold)
    return out.drop(columns="value")


def coverage(offices: pd.Series, market_weights: dict[str, float]) -> pd.Series:
    """cov(u) = Σ market weight over the unit's distinct offices (default 1).

    >>> coverage(pd.Series([("CN", "US"), ()]), {"US": 2.0}).tolist()
    [3.0, 0.0]
    """
    return offices.map(lambda offs: float(sum(market_weights.get(o, 1.0) for o in offs)))


def _actor_weights(actors: pd.DataFrame) -> pd.DataFrame:
    """w per (node, unit, actor_type, actor): applicants as they are, countries and regions summed."""
    parts = [actors.assign(actor_type="applicant", actor=actors["applicant"])]
    parts.append(actors.assign(actor_type="country", actor=actors["country"]))
    regional = actors[actors["province"] != ""]
    parts.append(regional.assign(actor_type="region", actor=regional["province"]))
    both = pd.concat(parts, ignore_index=True)
    return both.groupby(["node", "unit", "actor_type", "actor"], as_index=False)["w"].sum()


def subtrees(nodes: pd.DataFrame) -> dict[str, list[str]]:
    """Each node's subtree (itself and all descendants through ``parent``); ``*`` holds every node.

    >>> subtrees(pd.DataFrame({"node": ["a", "a1", "a11"], "parent": [None, "a", "a1"]}))["a"]
    ['a', 'a1', 'a11']
    """
    children: dict[str, list[str]] = {}
    for node, parent in zip(nodes["node"], nodes["parent"]):
        if isinstance(parent, str):
            children.setdefault(parent, []).append(node)

    def walk(n: str) -> list[str]:
        return [n] + [d for c in sorted(children.get(n, [])) for d in walk(c)]
    out = {n: walk(n) for n in nodes["node"]}
    out[CHAIN] = sorted(nodes["node"])
    return out


def control_table(units: pd.DataFrame, actors: pd.DataFrame, nodes: pd.DataFrame, options: Options) -> pd.DataFrame:
    """The pure step behind :func:`control_power`: ``units`` from ``frames.unit_frame`` (with ``*``),
    ``actors`` from ``frames.unit_actors``, ``nodes`` from ``chain_nodes`` (node, parent, weight)."""
    scored = core_units(units)
    scored["cov"] = coverage(scored["offices"], options.market_weights)
    w = _actor_weights(actors).merge(scored[["node", "unit", "core", "cov"]], on=["node", "unit"])
    with_apps = scored.merge(actors[["node", "unit"]].drop_duplicates(), on=["node", "unit"])
    node_units = with_apps.groupby("node").size()
    node_core = with_apps[with_apps["core"]].groupby("node").size()
    node_cov = with_apps.groupby("node")["cov"].sum()
    w["wc"] = w["w"] * w["core"]
    w["wm"] = w["w"] * w["cov"]
    out = w.groupby(["actor_type", "actor", "node"], as_index=False)[["w", "wc", "wm"]].sum()
    out["share"] = out["w"] / out["node"].map(node_units)
    out["technology_control"] = (out["wc"] / out["node"].map(node_core)).fillna(0.0)
    out["market_control"] = (out["wm"] / out["node"].map(node_cov)).fillna(0.0)
    out["product_control"] = _product_control(out, nodes, node_units, options.theta, options.control_min_units)
    wt, wp, wm = options.control_weights
    out["index"] = (wt * out["technology_control"] + wp * out["product_control"]
                    + wm * out["market_control"]) / (wt + wp + wm)
    for col in ("share", "technology_control", "product_control", "market_control", "index"):
        out[col] = out[col].astype(float).round(9)
    out = out.rename(columns={"w": "units"})
    out["supported"] = out["units"] >= options.control_min_units - 1e-9
    out = out.sort_values(["actor_type", "node", "supported", "index", "units", "actor"],
                          ascending=[True, True, False, False, False, True], kind="mergesort")
    out["rank"] = out.groupby(["actor_type", "node"]).cumcount() + 1
    out = out[out["rank"] <= options.top_actors].copy()
    names = actors.drop_duplicates("applicant").set_index("applicant")["name"]
    out["name"] = out["actor"].where(out["actor_type"] != "applicant", out["actor"].map(names))
    return out[["actor_type", "actor", "node", "technology_control", "product_control", "market_control", "index",
                "name", "rank", "units", "share", "supported"]].reset_index(drop=True)


def _product_control(per: pd.DataFrame, nodes: pd.DataFrame, node_units: pd.Series, theta: float,
                     min_units: float) -> pd.Series:
    """P(a, n) for every row of ``per`` (actor_type, actor, node, share, w = units)."""
    weight = nodes.set_index("node")["weight"].astype(float).fillna(1.0)
    held = per[(per["node"] != CHAIN) & (per["share"] >= theta - 1e-12) & (per["w"] >= min_units - 1e-9)]
    members = pd.DataFrame([(root, m) for root, sub in subtrees(nodes).items() for m in sub],
                           columns=["root", "node"])
    members = members[members["node"].isin(node_units.index)]
    members["weight"] = members["node"].map(weight)
    denom = members.groupby("root")["weight"].sum()
    hits = held[["actor_type", "actor", "node"]].merge(members, on="node")
    num = hits.groupby(["actor_type", "actor", "root"])["weight"].sum()
    key = pd.MultiIndex.from_frame(per[["actor_type", "actor", "node"]])
    return pd.Series(num.reindex(key).to_numpy(), index=per.index).fillna(0.0) / per["node"].map(denom).fillna(np.inf)


def control_power(store: GraphStore, scheme: str, options: Options | None = None) -> pd.DataFrame:
    """Patent control power per actor and chain node (专利控制力), as defined in this module's docstring.

    Node ``*`` is the whole chain. Rows: the ``options.top_actors`` (default 50) actors per actor type
    and node, those with at least ``control_min_units`` units first (``supported``), then by index.
    ``units`` = the actor's fractional units in the node, ``share`` = its share of the node's units with
    applicants.

    Returns columns: actor_type (applicant / country / region), actor (Applicant id, ISO country code —
    '' not known — or province), node, technology_control, product_control, market_control, index, name
    (the applicant's name as written, else the actor), rank, units, share, supported.
    """
    options = options or Options()
    patents = with_chain(node_patents(store, scheme))
    applicants = run_query(store, "patent_applicants", scheme=scheme)
    nodes = run_query(store, "chain_nodes", scheme=scheme)
    family = run_query(store, "family_offices", scheme=scheme)
    return control_table(unit_frame(patents, family), unit_actors(patents, applicants), nodes, options)
