"""Path 1 — chain structure (产业结构优化): strengthen (强链), fill (补链) and extend (延链), from module 2's
position matrix and the chain's ``SUPPLIES`` links (REFERENCES §2.1).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analytics.cypher import run_query
from analytics.frames import CHAIN
from analytics.options import Options
from analytics.pathways import empty, evidence, finish, num, pct
from analytics.positioning.structure import STATUS
from graph.store import GraphStore

KINDS = {"strengthen": ("强链", "strengthen"), "fill": ("补链", "fill"), "extend": ("延链", "extend")}
#: the paths that feed each kind (named in every item's reason)
FEEDS = {"strengthen": ("enterprises:cultivate", "talent:retain", "patent_use:pool", "reserve:risk"),
         "fill": ("enterprises:attract", "technology:partner", "talent:recruit", "patent_use:free", "reserve:acquire"),
         "extend": ("enterprises:attract", "technology:partner", "patent_use:licensable")}
FEED_ZH = {"enterprises": "企业", "technology": "技术", "talent": "人才", "patent_use": "专利运用", "reserve": "储备运营"}
STATUS_HEAT = {"hot": 1.0, "mature": 0.5}
STRENGTHS = ("advantage", "potential")


def classify(nodes: pd.DataFrame, links: pd.DataFrame) -> pd.DataFrame:
    """Per chain node of ``positioning_nodes``: kind (strengthen / fill / extend / '') and the supply
    links behind it.

    strengthen = advantage nodes; fill = weak or gap nodes that are attractive — hot, growing in the world
    (recent_growth > 0) or linked by ``SUPPLIES`` (either way) to one of the zone's strengths (advantage or
    potential: RTA ≥ 1); extend = any other node that is not a strength, adjacent through ``SUPPLIES``
    to an advantage node (``downstream`` says when the advantage node supplies it).

    >>> n = pd.DataFrame({"node": ["a", "b", "c", "d"], "quadrant": ["advantage", "gap", "catch-up", "weak"],
    ...                   "status": ["hot", "mature", "mature", "declining"], "recent_growth": [0.1, -0.1, 0.0, -0.5]})
    >>> classify(n, pd.DataFrame({"source": ["a", "c"], "target": ["c", "b"]}))["kind"].tolist()
    ['strengthen', '', 'extend', '']
    """
    adjacent = pd.concat([links.rename(columns={"source": "node", "target": "other"}),
                          links.rename(columns={"target": "node", "source": "other"})], ignore_index=True)
    quad = nodes.set_index("node")["quadrant"]
    adjacent["other_quadrant"] = adjacent["other"].map(quad)
    linked = adjacent[adjacent["other_quadrant"].isin(STRENGTHS)]
    strengths = {n: sorted(set(g["other"])) for n, g in linked.groupby("node")}
    advantage = adjacent[adjacent["other_quadrant"].eq("advantage")]
    downstream = set(links.loc[links["source"].map(quad).eq("advantage"), "target"])
    out = nodes[["node", "quadrant", "status", "recent_growth"]].copy()
    out["linked_strengths"] = [strengths.get(n, []) for n in out["node"]]
    attractive = out["status"].eq("hot") | (out["recent_growth"].astype(float) > 0) | out["linked_strengths"].str.len().gt(0)
    out["kind"] = np.select([out["quadrant"].eq("advantage"),
                             out["quadrant"].isin(["weak", "gap"]) & attractive,
                             ~out["quadrant"].isin(STRENGTHS) & out["node"].isin(set(advantage["node"]))],
                            ["strengthen", "fill", "extend"], "")
    out["downstream"] = out["node"].isin(downstream)
    return out


def structure_score(nodes: pd.DataFrame, options: Options) -> pd.DataFrame:
    """Score 0–100 of a chain node as a structure item = Σ w_i · x_i / Σ w_i over, weights
    ``options.structure_weights`` (PatNav's defaults, no published standard; REFERENCES §2.1 lists the
    signals): growth = the node's world growth of the last ``recent_years`` clipped to [0, 1]; heat = 1 hot,
    0.5 mature, 0 declining or blank; links = the zone's strengths (advantage or potential nodes) linked to
    the node by ``SUPPLIES`` either way, up to 3, / 3 (whether an advantage node supplies it, downstream,
    is in the evidence); specialisation = the zone's RTA
    against the reference / 2, clipped to [0, 1]."""
    rta = nodes["rta_world"] if options.reference == "world" else nodes["rta_nation"]
    parts = pd.DataFrame({
        "growth": nodes["recent_growth"].astype(float).clip(0, 1).fillna(0.0),
        "heat": nodes["status"].map(STATUS_HEAT).fillna(0.0).astype(float),
        "links": (nodes["linked_strengths"].map(len).clip(upper=3) / 3).astype(float),
        "specialisation": (rta.astype(float) / 2).clip(0, 1).fillna(0.0)}, index=nodes.index)
    w = np.asarray(options.structure_weights, dtype=float)
    parts["score"] = 100 * (parts[["growth", "heat", "links", "specialisation"]].to_numpy() @ w) / w.sum()
    return parts


def structure_table(positions: pd.DataFrame, links: pd.DataFrame, names: pd.DataFrame,
                    options: Options) -> pd.DataFrame:
    """The pure step behind :func:`pathway_structure` (``positions`` = ``positioning_nodes``)."""
    # a stage root (上游 / 中游 / 下游) sums its branches: the items are the branches and their parts
    from analytics.pathways.inputs import roots
    nodes = positions[(positions["node"] != CHAIN) & ~positions["node"].isin(roots(names))].reset_index(drop=True)
    nodes = nodes.merge(classify(nodes, links)[["node", "kind", "linked_strengths", "downstream"]], on="node")
    nodes = nodes[nodes["kind"] != ""].reset_index(drop=True)
    if nodes.empty:
        return empty()
    parts = structure_score(nodes, options)
    label = names.set_index("node")["name_zh"]
    rta_col = "rta_world" if options.reference == "world" else "rta_nation"
    rows = []
    for i, n in nodes.iterrows():  # one row per chain node: tens of rows, not a hot path
        kind = n["kind"]
        feeds = FEEDS[kind]
        zh_feeds = "、".join(dict.fromkeys(FEED_ZH[f.split(":")[0]] for f in feeds))
        growth = "" if pd.isna(n["relative_growth"]) else f"{100 * n['relative_growth']:+.1f}"
        growth_zh = (f"增速较参照{growth}个百分点" if growth else "期初无申请" if n["growth_note"] == "entered"
                     else "期内无申请")
        growth_en = (f"growth {growth} points against the reference" if growth else
                     "entered the node in the window" if n["growth_note"] == "entered" else "no filings in the window")
        linked = [str(label.get(m, m)) for m in n["linked_strengths"]]
        links_zh, links_en = "、".join(linked) or "无", ", ".join(linked) or "none"
        zh = (f"{KINDS[kind][0]}：区域{num(n['zone_units'])}个单位（占全球{pct(n['zone_share'])}），"
              f"RTA {_rta(n[rta_col])}，{growth_zh}；全球近{options.recent_years}年增长{pct(n['recent_growth'])}，"
              f"状态{STATUS.get(n['status'], n['status'])}；与区域优势节点的供给关系：{links_zh}。支撑路径：{zh_feeds}。")
        en = (f"{KINDS[kind][1]}: the zone holds {num(n['zone_units'])} units ({pct(n['zone_share'])} of the world), "
              f"RTA {_rta(n[rta_col])}, {growth_en}; world growth over the last {options.recent_years} years "
              f"{pct(n['recent_growth'])}, status {n['status']}; supply links to the zone's strengths: {links_en}. "
              f"Fed by: {', '.join(feeds)}.")
        rows.append({"kind": kind, "node": n["node"], "candidate": label.get(n["node"], n["node"]),
                     "candidate_id": n["node"], "score": parts.loc[i, "score"], "reason_zh": zh, "reason_en": en,
                     "evidence": evidence(zone_units=n["zone_units"], zone_share=n["zone_share"], rta=n[rta_col],
                                          relative_growth=n["relative_growth"], recent_growth=n["recent_growth"],
                                          status=n["status"], quadrant=n["quadrant"],
                                          linked_strengths=n["linked_strengths"], downstream=bool(n["downstream"]),
                                          feeds=list(feeds), parts=parts.loc[i].drop("score").to_dict())})
    return finish(pd.DataFrame(rows), "structure", options)


def _rta(v) -> str:
    return "—" if pd.isna(v) else f"{float(v):.2f}"


def pathway_structure(store: GraphStore, scheme: str, options: Options | None = None) -> pd.DataFrame:
    """Chain structure path (产业结构优化：强链 / 补链 / 延链): each chain node to strengthen (advantage nodes
    of ``positioning_nodes``), fill (weak or gap nodes that are attractive: hot, growing, or supply-linked to
    the zone's strengths) or extend (non-strength nodes adjacent through ``SUPPLIES`` to an advantage
    node), rules in :func:`classify`; score = :func:`structure_score`; the reasons quote the zone's units,
    share, RTA and relative growth, the node's world growth and status, its supply links, and the paths
    that feed the item.

    Returns the pathway columns (``analytics.pathways.COLUMNS``). Empty without a zone.
    """
    from analytics.positioning import cached
    from analytics.positioning.structure import positioning_nodes
    options = options or Options()
    if options.zone is None:
        return empty()
    positions = cached(store, positioning_nodes, scheme, options)
    links = run_query(store, "chain_links", scheme=scheme)
    names = run_query(store, "chain_nodes", scheme=scheme)
    return structure_table(positions, links, names, options)


def targets(structure: pd.DataFrame, kinds: tuple[str, ...] = ("fill", "extend")) -> list[str]:
    """The chain nodes the outward paths look in: the structure path's fill and extend nodes."""
    return sorted(set(structure.loc[structure["kind"].isin(kinds), "node"]))
