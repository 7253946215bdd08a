"""The pathway graph (路径导航图): zone → chain node → candidate, every edge carrying its reason and numbers.

Built from the pathway tables alone (no query), so the JSON the API serves, the HTML map and the atlas draw
the same rows. A candidate without a chain node (``*``) hangs from the whole chain.
"""

from __future__ import annotations

import re

import json

import pandas as pd

from analytics.frames import CHAIN
from analytics.pathways import PATHS, PRIORITY
from analytics.positioning.structure import QUADRANTS

STRUCTURE_WORDS = {"strengthen": ("强链", "strengthen"), "fill": ("补链", "fill"), "extend": ("延链", "extend")}


def pathway_graph(path: str, table: pd.DataFrame, positions: pd.DataFrame, names: pd.Series, zone,
                  structure: pd.DataFrame | None = None) -> dict:
    """``{"path", "title_zh", "title_en", "nodes": [...], "edges": [...]}`` for one path's table.

    Nodes: the zone (kind zone), the chain nodes the rows name (kind chain_node, with the zone's quadrant
    and units there, and the structure item when the node is one) and the candidates (kind = the row's
    kind, with score and priority). Edges: zone → node, its reason the structure item's sentence where
    the node is one, else the zone's quadrant, units and RTA there; node → candidate, the row's reason,
    score, priority and evidence. Every edge's ends are nodes of the graph and every edge has a reason.
    """
    zone_id = f"zone:{zone.id}"
    pos = positions.set_index("node") if len(positions) else pd.DataFrame()
    items = structure.set_index("node") if structure is not None and len(structure) else pd.DataFrame()
    nodes = [{"id": zone_id, "label": zone.name_zh, "label_en": zone.name_en, "kind": "zone"}]
    edges = []
    for node in sorted(set(table["node"])) if len(table) else []:
        p = pos.loc[node] if node in pos.index else None
        label = "全产业链" if node == CHAIN else str(names.get(node, node))
        quadrant = "" if p is None else str(p["quadrant"])
        item = items.loc[node] if node in items.index else None
        nodes.append({"id": node, "label": label, "label_en": "whole chain" if node == CHAIN else node,
                      "kind": "chain_node", "quadrant": quadrant,
                      "zone_units": None if p is None else float(p["zone_units"]),
                      "structure": "" if item is None else str(item["kind"])})
        if item is not None:
            zh, en, numbers = item["reason_zh"], item["reason_en"], json.loads(item["evidence"])
        else:
            reference = "rta_nation" if p is not None and p.get("reference") == "nation" else "rta_world"
            rta = None if p is None else p[reference]
            q_zh = QUADRANTS.get(quadrant, ("", ""))[0]
            zh = (f"区域在该节点：{q_zh or '—'}，{_n(None if p is None else p['zone_units'])}个单位，"
                  f"RTA {_n(rta)}" if node != CHAIN else "全产业链")
            en = (f"the zone here: {quadrant or '—'}, {_n(None if p is None else p['zone_units'])} units, RTA {_n(rta)}"
                  if node != CHAIN else "the whole chain")
            numbers = {"zone_units": None if p is None else float(p["zone_units"]),
                       reference: None if rta is None or pd.isna(rta) else float(rta)}
        edges.append({"source": zone_id, "target": node, "reason_zh": zh, "reason_en": en, "evidence": numbers})
    for row in table.itertuples():
        if path == "structure":  # the items are the chain nodes themselves: their edge from the zone says why
            continue
        cid = f"{row.kind}:{row.candidate_id}"
        nodes.append({"id": cid, "label": str(row.candidate), "kind": row.kind, "score": float(row.score),
                      "priority": row.priority})
        edges.append({"source": row.node, "target": cid, "reason_zh": row.reason_zh, "reason_en": row.reason_en,
                      "score": float(row.score), "priority": row.priority, "evidence": json.loads(row.evidence)})
    nodes = list({n["id"]: n for n in nodes}.values())  # a candidate under two kinds keeps one id per kind
    title = PATHS.get(path, (path, path))
    return {"path": path, "title_zh": title[0], "title_en": title[1], "zone": zone.id, "nodes": nodes, "edges": edges}


def _n(v) -> str:
    return "—" if v is None or pd.isna(v) else f"{float(v):.1f}".rstrip("0").rstrip(".")


def check_graph(graph: dict) -> list[str]:
    """What is wrong with a pathway graph: edges whose ends are not nodes, edges without a reason, node ids
    given twice. Empty when it is sound.

    >>> check_graph({"nodes": [{"id": "a"}, {"id": "b"}], "edges": [{"source": "a", "target": "c", "reason_zh": "x",
    ...              "reason_en": ""}]})
    ["edge a → c: no node 'c'", 'edge a → c: no reason_en']
    """
    ids = [n["id"] for n in graph["nodes"]]
    problems = [f"node {i!r} given twice" for i in sorted({i for i in ids if ids.count(i) > 1})]
    known = set(ids)
    for e in graph["edges"]:
        where = f"edge {e['source']} → {e['target']}"
        problems += [f"{where}: no node {end!r}" for end in (e["source"], e["target"]) if end not in known]
        problems += [f"{where}: no {k}" for k in ("reason_zh", "reason_en") if not str(e.get(k) or "").strip()]
    return problems


KIND_COLOURS = {"zone": "#34495e", "chain_node": "#7f8c8d", "strengthen": "#2e7d32", "fill": "#c0392b",
                "extend": "#1e88e5"}
PRIORITY_COLOURS = {"S": "#c0392b", "A": "#e67e22", "B": "#95a5a6"}


def graph_html(graph: dict, per_kind: int = 12) -> str:
    """The pathway graph as a self-contained page (pyvis / vis-network inline, hierarchical left to right:
    zone, chain nodes, candidates); tooltips carry every edge's reasons. The map draws the first
    ``per_kind`` candidates of each kind (the JSON and the table hold them all)."""
    from pyvis.network import Network
    from api.maps import _REMOTE, QUADRANT_COLOURS
    net = Network(height="680px", width="100%", directed=True, cdn_resources="in_line", heading="")
    seen: dict[str, int] = {}
    shown = []
    for n in graph["nodes"]:
        if n["kind"] not in ("zone", "chain_node"):
            seen[n["kind"]] = seen.get(n["kind"], 0) + 1
            if seen[n["kind"]] > per_kind:
                continue
        shown.append(n)
    ids = {n["id"] for n in shown}
    used = {e["source"] for e in graph["edges"] if e["target"] in ids and e["source"] != f"zone:{graph['zone']}"}
    shown = [n for n in shown if n["kind"] != "chain_node" or n["id"] in used or graph["path"] == "structure"]
    ids = {n["id"] for n in shown}
    for n in shown:
        level = {"zone": 0, "chain_node": 1}.get(n["kind"], 2)
        colour = (KIND_COLOURS["zone"] if level == 0 else QUADRANT_COLOURS.get(n.get("quadrant"), "#bdbdbd")
                  if level == 1 else PRIORITY_COLOURS.get(n.get("priority"), "#95a5a6"))
        tip = n["label"] + (f"\n{n['kind']} · {n.get('priority', '')} {PRIORITY.get(n.get('priority'), ('', ''))[0]}"
                            f" · score {n['score']:.1f}" if level == 2 else "")
        net.add_node(n["id"], label=n["label"][:28], title=tip, level=level, color=colour,
                     shape="box" if level < 2 else "dot", size=12 + (n.get("score") or 0) / 8,
                     font={"size": 14, "color": "#222" if level == 2 else "#fff"} if level < 2 else {"size": 13})
    for e in graph["edges"]:
        if e["source"] not in ids or e["target"] not in ids:
            continue
        net.add_edge(e["source"], e["target"], title=f"{e['reason_zh']}\n{e['reason_en']}", arrows="to",
                     color="#999999", width=1 + (e.get("score") or 0) / 40)
    net.set_options('{"layout": {"hierarchical": {"enabled": true, "direction": "LR", "sortMethod": "directed",'
                    ' "levelSeparation": 320, "nodeSpacing": 64}}, "physics": {"enabled": false},'
                    ' "interaction": {"hover": true, "tooltipDelay": 80}}')
    html = _REMOTE.sub("", net.generate_html(notebook=False))
    from html import escape
    from api.maps import _PAGE_CSS, QUADRANT_LABELS
    title = f"{graph['title_zh']} / {graph['title_en']}"
    legend = "".join(f'<span><i style="background:{PRIORITY_COLOURS[k]}"></i>{k} {zh} {en}</span>'
                     for k, (zh, en) in PRIORITY.items() if k in PRIORITY_COLOURS)
    legend += "".join(f'<span><i style="background:{QUADRANT_COLOURS[k]}"></i>节点 {v}</span>'
                      for k, v in QUADRANT_LABELS.items())
    head = (f'<div class="pn-head"><b>{escape(title)} · {escape(str(graph.get("zone", "")))}</b>'
            f'<div class="pn-legend">候选优先级 candidate priority: {legend}</div>'
            '<div class="pn-hint">区域 → 产业链节点 → 候选；悬停连线查看理由 · zone → chain node → candidate; hover an '
            'edge for its reasons</div></div>')
    html = html.replace("<head>", f"<head>\n<title>{escape(title)}</title>\n"
                                  "<style>.vis-tooltip{white-space:pre-wrap !important;max-width:520px;"
                                  "font-family:sans-serif}" + _PAGE_CSS + "</style>", 1)
    return re.sub(r"<body([^>]*)>", lambda m: f"<body{m.group(1)}>\n{head}", html, count=1)
