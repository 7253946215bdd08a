"""Chain map (产业链专利导航图) as a self-contained interactive HTML page (pyvis/vis-network, inline JS).

Nodes sit in three columns by stage (upstream → midstream → downstream), sized by counting units and
coloured by stage — or, for the growth map, by the growth rate of their filings (CAGR of the last
complete window: red falling, grey flat, green rising); ``SUPPLIES`` links are arrows, the hierarchy
thin grey lines. Tooltips carry the counts, CR4/HHI, growth and the leading applicants. Nothing is
loaded from the network.
"""

from __future__ import annotations

import json
import math
import re
from html import escape

import networkx as nx
import pandas as pd
from pyvis.network import Network

from ontology.chains import STAGE_LABELS, STAGES, code_key

STAGE_COLOURS = {"upstream": "#2b7bb9", "midstream": "#e8891d", "downstream": "#3a9d5d"}
#: schemes without stages (official classifications such as sei-2021) colour by top-level concept
ROOT_COLOURS = ("#2b7bb9", "#e8891d", "#3a9d5d", "#c0392b", "#8e44ad", "#16a085", "#d4ac0d", "#7f8c8d", "#d35400")


def node_colour(stage: str, code: str) -> str:
    """The stage's colour, or for an unstaged scheme the colour of the concept's top-level code."""
    if stage in STAGE_COLOURS:
        return STAGE_COLOURS[stage]
    root = str(code).split(".")[0]
    return ROOT_COLOURS[(int(root) - 1 if root.isdigit() else sum(map(ord, root))) % len(ROOT_COLOURS)]
#: growth colours: the CAGR is clamped to ±GROWTH_CLAMP and mapped onto red → grey → green
GROWTH_CLAMP = 0.5
GROWTH_LEGEND = ((-0.5, "≤ −50%"), (-0.2, "−20%"), (0.0, "0%"), (0.2, "+20%"), (0.5, "≥ +50%"))


def growth_colour(rate: float | None) -> str:
    """Hex colour of a growth rate: grey at 0, full red at −50% and below, full green at +50% and above.

    >>> growth_colour(0.0), growth_colour(0.5), growth_colour(-1.0), growth_colour(None)
    ('#b4b4b4', '#1e8c3c', '#c83228', '#eeeeee')
    """
    if rate is None or pd.isna(rate):
        return "#eeeeee"
    x = max(-1.0, min(1.0, float(rate) / GROWTH_CLAMP))
    grey, end = (180, 180, 180), ((30, 140, 60) if x > 0 else (200, 50, 40))
    rgb = [round(g + (e - g) * abs(x)) for g, e in zip(grey, end)]
    return "#" + "".join(f"{v:02x}" for v in rgb)


_REMOTE = re.compile(r'\s*<(link|script)\b[^>]*(href|src)="https?://[^"]*"[^>]*>(\s*</script>)?', re.S)


#: quadrant colours of the zone's position matrix (analytics.positioning.structure.QUADRANTS)
QUADRANT_COLOURS = {"advantage": "#2e7d32", "potential": "#1e88e5", "catch-up": "#f39c12", "weak": "#c0392b",
                    "gap": "#bdbdbd"}
QUADRANT_LABELS = {"advantage": "优势", "potential": "潜力", "catch-up": "追赶", "weak": "薄弱", "gap": "空白"}


def chain_graph(nodes: pd.DataFrame, links: pd.DataFrame) -> nx.DiGraph:
    """The chain as a networkx graph: node attributes from ``chain_nodes``; edges kind=part_of|supplies."""
    g = nx.DiGraph()
    for row in nodes.to_dict("records"):
        g.add_node(row["node"], **row)
    for row in nodes.dropna(subset=["parent"]).to_dict("records"):
        g.add_edge(row["node"], row["parent"], kind="part_of")
    for row in links.to_dict("records"):
        g.add_edge(row["source"], row["target"], kind="supplies")
    return g


def _positions(nodes: pd.DataFrame) -> dict[str, tuple[int, int]]:
    """One column per stage; for a scheme without stages, one column per top-level concept."""
    pos = {}
    staged = nodes["stage"].isin(STAGES).all()
    roots = nodes["code"].astype(str).str.split(".").str[0]
    columns = [nodes["stage"] == s for s in STAGES] if staged else \
        [roots == r for r in sorted(roots.unique(), key=code_key)]
    width = 560 if staged else 320
    for col, members in enumerate(columns):
        x0 = (col - (len(columns) - 1) / 2) * width
        rows = nodes[members].sort_values("code", key=lambda s: s.map(code_key))
        y = 0
        for i, row in enumerate(rows.itertuples()):
            if row.level <= 1:
                pos[row.node] = (x0, -130)
            else:  # zig-zag a little so links between neighbours in a column stay visible
                pos[row.node] = (x0 - 230 * (row.level - 2) + (70 if i % 2 else 0), y)
                y += 108
    return pos



def _tooltip(row: dict) -> str:
    lines = [f"{row['name_zh']} / {row['name_en']}",
             f"{row['node']} · {STAGE_LABELS[row['stage']][0]}" if row["stage"] in STAGE_LABELS else row["node"],
             f"专利族/件 units: {int(row['units']):,}   专利 patents: {int(row['patents']):,}"]
    if row.get("cr4") is not None and not pd.isna(row.get("cr4")):
        lines.append(f"CR4 {row['cr4']:.1%}   HHI {row['hhi']:,.0f}")
    if row.get("cagr") is not None and not pd.isna(row.get("cagr")):
        lines.append(f"年均增长 CAGR {row.get('growth_span', '')}: {row['cagr']:+.1%}")
    for name, share in row.get("leaders") or []:
        lines.append(f"  {name}: {share:.1%}")
    return "\n".join(lines)


def chain_map_html(nodes: pd.DataFrame, links: pd.DataFrame, title: str = "", colour_by: str = "stage") -> str:
    """The chain map page for ``chain_nodes``-shaped ``nodes`` (+ cr4, hhi, leaders, cagr) and ``links``;
    ``colour_by`` is ``stage``, ``growth`` or ``quadrant`` (the zone's position: nodes need a
    ``quadrant`` column)."""
    if colour_by not in ("stage", "growth", "quadrant"):
        raise ValueError(f"colour_by is 'stage', 'growth' or 'quadrant', not {colour_by!r}")
    g = chain_graph(nodes, links)
    net = Network(height="640px", width="100%", directed=True, cdn_resources="in_line", heading="")
    top = max(1, int(nodes["units"].max() or 1))
    pos = _positions(nodes)
    # a big scheme is drawn zoomed out: its labels grow with it so they stay readable (49 nodes: ~1.5×)
    scale = max(1.0, math.sqrt(len(nodes) / 21))
    for node_id, row in g.nodes(data=True):
        units = int(row["units"])
        x, y = (int(v) for v in pos[node_id])
        if colour_by == "growth":
            fill = border = growth_colour(row.get("cagr"))
            label = f"{row['name_zh']}\n{row['cagr']:+.0%}" if not pd.isna(row.get("cagr")) else row["name_zh"]
        elif colour_by == "quadrant":
            q = row.get("quadrant") if isinstance(row.get("quadrant"), str) else "gap"
            fill = border = QUADRANT_COLOURS.get(q, "#bdbdbd")
            label = f"{row['name_zh']}\n{QUADRANT_LABELS.get(q, q)}"
        else:
            border = node_colour(row["stage"], row["code"])
            fill, label = (border if units else "#dddddd"), f"{row['name_zh']}\n{units:,}"
        net.add_node(node_id, label=label, title=_tooltip(row), x=x, y=y,
                     size=float(10 + 36 * math.sqrt(units / top)), shape="dot" if row["level"] > 1 else "box",
                     color={"background": fill, "border": border},
                     font={"size": round((15 if row["level"] > 1 else 17) * scale), "color": "#222"},
                     widthConstraint={"maximum": 170}, physics=False)
    for a, b, data in g.edges(data=True):
        if data["kind"] == "supplies":
            net.add_edge(a, b, color="#c0392b", width=2, arrows="to", title="供给 SUPPLIES",
                         smooth={"type": "curvedCW", "roundness": 0.15})
        else:
            net.add_edge(a, b, color="#bbbbbb", width=1, dashes=True, arrows="", title="属于 PART_OF")
    net.set_options('{"physics": {"enabled": false}, "interaction": {"hover": true, "tooltipDelay": 80},'
                    ' "edges": {"smooth": {"enabled": true}}}')
    html = net.generate_html(notebook=False)
    html = _REMOTE.sub("", html)  # pyvis links Bootstrap from a CDN for cosmetics only: offline, drop it
    html = html.replace("<head>", f'<head>\n<title>{escape(title or "chain map")}</title>\n'
                                  '<style>.vis-tooltip{white-space:pre !important;font-family:sans-serif}'
                                  + _PAGE_CSS + '</style>', 1)
    html = html.replace("<center>\n<h1></h1>\n</center>", "").replace("<center>\n          <h1></h1>\n        </center>", "")
    head = (f'<div class="pn-head"><b>{escape(title or "产业链专利导航图 chain map")}</b>'
            f'<div class="pn-legend">{_legend(nodes, colour_by)}</div>'
            '<div class="pn-hint">点击节点查看其主要申请人与专利 · click a node for its leading applicants and patents · '
            '悬停查看数量 hover for counts</div></div>')
    html = re.sub(r"<body([^>]*)>", lambda m: f"<body{m.group(1)}>\n{head}", html, count=1)
    return html.replace("</body>", _drill_script(nodes) + "\n</body>", 1)


_PAGE_CSS = (".pn-head{font:14px 'Noto Sans CJK SC','Microsoft YaHei',sans-serif;padding:6px 10px;border-bottom:1px solid #eee}"
             ".pn-legend span{display:inline-block;margin-right:14px;font-size:12px}"
             ".pn-legend i{display:inline-block;width:11px;height:11px;border-radius:6px;margin-right:4px;vertical-align:-1px}"
             ".pn-hint{color:#777;font-size:11.5px}"
             "#pn-drill{position:absolute;top:70px;right:10px;width:340px;max-height:540px;overflow:auto;background:#fff;"
             "border:1px solid #ccc;border-radius:4px;padding:8px 10px;font:12px 'Noto Sans CJK SC',sans-serif;"
             "display:none;box-shadow:0 2px 6px rgba(0,0,0,.15);z-index:10}"
             "#pn-drill h4{margin:2px 0 6px;font-size:13px}#pn-drill li{margin:2px 0}")


def _legend(nodes: pd.DataFrame, colour_by: str) -> str:
    """The colour legend of a map as HTML (the standalone pages carry it, not only the atlas)."""
    if colour_by == "growth":
        items = [(growth_colour(v), label) for v, label in GROWTH_LEGEND] + [("#eeeeee", "无增长率 no rate")]
        text = "年均增长 CAGR: "
    elif colour_by == "quadrant":
        items = [(QUADRANT_COLOURS[k], f"{v} {k}") for k, v in QUADRANT_LABELS.items()]
        text = "区域定位 position: "
    elif nodes["stage"].isin(STAGES).all():
        items = [(STAGE_COLOURS[s], f"{STAGE_LABELS[s][0]} {STAGE_LABELS[s][1]}") for s in STAGES]
        text = "环节 stage: "
    else:
        roots = nodes[nodes["level"] <= 1].sort_values("code", key=lambda c: c.map(code_key))
        items = [(node_colour(r.stage, r.code), f"{r.code} {r.name_zh}") for r in roots.itertuples()]
        text = "门类 branch: "
    spans = "".join(f'<span><i style="background:{c}"></i>{escape(label)}</span>' for c, label in items)
    return (f"{text}{spans}<span>— 红色箭头 red arrows = 供给 supplies · 虚线 dashed = 属于 part of · "
            "圆点大小 = 专利族/件 size = units</span>")


def _drill_script(nodes: pd.DataFrame) -> str:
    """A click on a node opens a panel with its leading applicants and best patents (links to the vendor's
    record or the public page); built with textContent, so no name or title can inject markup."""
    data = {}
    for row in nodes.to_dict("records"):
        data[row["node"]] = {"name": f"{row['name_zh']} / {row['name_en']}",
                             "units": int(row.get("units") or 0),
                             "leaders": [[n, round(float(v), 4)] for n, v in (row.get("leaders") or [])],
                             "patents": [list(p) for p in (row.get("patents_top") or [])]}
    # as Jinja's tojson: no <, > or & inside the script element, whatever a title holds (<!--, </script>)
    payload = json.dumps(data, ensure_ascii=False).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return ('<div id="pn-drill"></div>\n<script>\nvar PN_DRILL = ' + payload + ';\n' + _DRILL_JS + '\n</script>')


_DRILL_JS = """(function () {
  var box = document.getElementById("pn-drill");
  function el(tag, text) { var e = document.createElement(tag); if (text !== undefined) e.textContent = text; return e; }
  network.on("click", function (p) {
    if (!p.nodes.length || !PN_DRILL[p.nodes[0]]) { box.style.display = "none"; return; }
    var d = PN_DRILL[p.nodes[0]];
    box.innerHTML = "";
    box.appendChild(el("h4", d.name + " · " + d.units + " 件/族 units"));
    box.appendChild(el("b", "主要申请人 leading applicants"));
    var ul = el("ul");
    d.leaders.forEach(function (l) { ul.appendChild(el("li", l[0] + " — " + (100 * l[1]).toFixed(1) + "%")); });
    if (!d.leaders.length) ul.appendChild(el("li", "—"));
    box.appendChild(ul);
    box.appendChild(el("b", "价值最高的专利 best patents (value score)"));
    var ol = el("ol");
    d.patents.forEach(function (q) {
      var li = el("li"); var a = el("a", q[0]);
      if (/^https?:\\/\\//.test(q[2])) { a.href = q[2]; a.target = "_blank"; a.rel = "noopener"; }
      li.appendChild(a); li.appendChild(document.createTextNode(" " + q[1] + (q[3] === null ? "" : " (" + q[3] + ")")));
      ol.appendChild(li);
    });
    if (!d.patents.length) ol.appendChild(el("li", "—"));
    box.appendChild(ol);
    box.style.display = "block";
  });
})();"""
