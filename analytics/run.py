"""Run every registered indicator for a chain scheme and collect what the atlas needs.

Returns frames only; writing files is the caller's job (``api.atlas``). The chain map data (nodes with
counts, supply links, leading applicants, growth) comes from named queries as well, so every number in
the atlas traces to a ``.cypher`` file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import pandas as pd

from analytics.cypher import Memo, run_query
from analytics.options import Options
from analytics.registry import INDICATORS
from graph.store import GraphStore
from ontology.errors import PatNavError


@dataclass
class Analysis:
    scheme: str
    tables: dict[str, pd.DataFrame]
    nodes: pd.DataFrame          # chain_nodes + top applicants + CR4/HHI + growth, one row per node
    links: pd.DataFrame          # chain_links
    summary: dict = field(default_factory=dict)
    options: Options = field(default_factory=Options)


def map_data(store: GraphStore, scheme: str, options: Options | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Chain nodes with CR4/HHI, their three leading applicants and their growth (CAGR of the last
    window, from ``hotspots``), and the supply links: what the chain maps draw."""
    store = store if isinstance(store, Memo) else Memo(store)
    nodes = run_query(store, "chain_nodes", scheme=scheme)
    if nodes.empty:
        raise PatNavError(f"the graph holds no chain nodes of scheme {scheme!r}; ingest with --chain {scheme}")
    links = run_query(store, "chain_links", scheme=scheme)
    conc = INDICATORS["concentration"].run(store, scheme, options).set_index("node")
    nodes["cr4"] = nodes["node"].map(conc["cr4"])
    nodes["hhi"] = nodes["node"].map(conc["hhi"])
    top = INDICATORS["top_applicants"].run(store, scheme, options)
    top = top[top["rank"] <= 3]
    leaders = {node: [(n, float(s)) for n, s in zip(g["name"], g["share"])] for node, g in top.groupby("node")}
    nodes["leaders"] = [leaders.get(n, []) for n in nodes["node"]]
    hot = INDICATORS["hotspots"].run(store, scheme, options)
    growth = hot[hot["kind"] == "node"].set_index("key")
    # a rate from a base of one or two filings is noise, not growth: drawn as "no rate", as hotspots ranks it
    nodes["cagr"] = nodes["node"].map(growth["cagr"].where(growth["rank"].notna())).astype(float)
    nodes["growth_span"] = (f"{int(growth['start'].iloc[0])}–{int(growth['end'].iloc[0])}" if len(growth) else "")
    # drill-down: each node's ten best patents by value score (then citations), with their links
    from analytics.frames import node_patents
    pats = node_patents(store, scheme)[["node", "patent", "cited_by"]]
    value = INDICATORS["patent_value"].run(store, scheme, options)[["patent", "title", "link", "value_score"]]
    best = pats.merge(value, on="patent", how="left").sort_values(
        ["node", "value_score", "cited_by", "patent"], ascending=[True, False, False, True], na_position="last")
    best = best.groupby("node").head(10)
    top_patents = {node: [(str(r.patent), str(r.title or ""), str(r.link or ""),
                           None if pd.isna(r.value_score) else round(float(r.value_score), 1)) for r in g.itertuples()]
                   for node, g in best.groupby("node")}
    nodes["patents_top"] = [top_patents.get(n, []) for n in nodes["node"]]
    return nodes, links


def analyze(store: GraphStore, scheme: str, step: Callable[[str], None] | None = None,
            options: Options | None = None) -> Analysis:
    """Compute every indicator in the registry for ``scheme`` on ``store`` (each query and each table once)."""
    options = options or Options()
    store = Memo(store)
    tables = {}
    for name, ind in INDICATORS.items():
        tables[name] = ind.run(store, scheme, options)
        if step:
            step(name)
    nodes, links = map_data(store, scheme, options)
    summary = run_query(store, "data_summary", scheme=scheme).iloc[0].to_dict()
    summary = {k: (None if pd.isna(v) else (v.isoformat() if hasattr(v, "isoformat") else int(v)))
               for k, v in summary.items()}
    summary["unclassified_share"] = (round(1 - summary["classified"] / summary["patents"], 4)
                                     if summary["patents"] else None)
    basis = run_query(store, "year_basis", scheme=scheme)
    summary["year_basis"] = {str(b) or "none": int(n) for b, n in zip(basis["basis"], basis["patents"])}
    return Analysis(scheme, tables, nodes, links, summary, options)
