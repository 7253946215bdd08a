"""Run every registered indicator for a chain scheme and collect what the atlas needs.

Returns frames only; writing files is the caller's job (``api.atlas``). The chain map data (nodes with
counts, supply links, leading applicants) comes from named queries as well, so every number in the
atlas traces to a ``.cypher`` file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import pandas as pd

from analytics.cypher import Memo, run_query
from analytics.registry import INDICATORS
from graph.store import GraphStore
from ontology.errors import PatNavError


@dataclass
class Analysis:
    scheme: str
    tables: dict[str, pd.DataFrame]
    nodes: pd.DataFrame          # chain_nodes + top applicants + CR4/HHI, one row per node
    links: pd.DataFrame          # chain_links
    summary: dict = field(default_factory=dict)


def analyze(store: GraphStore, scheme: str, step: Callable[[str], None] | None = None) -> Analysis:
    """Compute every indicator in the registry for ``scheme`` on ``store`` (each query runs once)."""
    store = Memo(store)
    tables = {}
    for name, ind in INDICATORS.items():
        tables[name] = ind.compute(store, scheme)
        if step:
            step(name)
    nodes = run_query(store, "chain_nodes", scheme=scheme)
    if nodes.empty:
        raise PatNavError(f"the graph holds no chain nodes of scheme {scheme!r}; ingest with --chain {scheme}")
    links = run_query(store, "chain_links", scheme=scheme)
    conc = tables["concentration"].set_index("node")
    nodes["cr4"] = nodes["node"].map(conc["cr4"])
    nodes["hhi"] = nodes["node"].map(conc["hhi"])
    top = tables["top_applicants"]
    leaders = top[top["rank"] <= 3].groupby("node").apply(
        lambda g: [(n, float(s)) for n, s in zip(g["name"], g["share"])], include_groups=False)
    nodes["leaders"] = nodes["node"].map(leaders).map(lambda v: v if isinstance(v, list) else [])
    summary = run_query(store, "data_summary", scheme=scheme).iloc[0].to_dict()
    summary = {k: (None if pd.isna(v) else (v.isoformat() if hasattr(v, "isoformat") else int(v)))
               for k, v in summary.items()}
    summary["unclassified_share"] = (round(1 - summary["classified"] / summary["patents"], 4)
                                     if summary["patents"] else None)
    return Analysis(scheme, tables, nodes, links, summary)
