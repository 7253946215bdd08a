"""The atlas charts (plotly figures; plotly.js is copied into the atlas, never fetched).

Each function takes indicator tables and returns a ``go.Figure``; titles and axes are bilingual.
"""

from __future__ import annotations

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

from analytics.frames import CHAIN
from api.maps import node_colour

#: distinct line colours where stage colours would repeat (plotly's D3 palette)
PALETTE = px.colors.qualitative.D3
LAYOUT = {"margin": {"l": 50, "r": 20, "t": 30, "b": 40}, "template": "plotly_white", "legend": {"font": {"size": 11}}}


def _segments(nodes: pd.DataFrame) -> pd.Series:
    """The nodes drawn as lines: the level-2 nodes (chain segments)."""
    return nodes[nodes["level"] == 2]["node"]


def trend_figure(filings: pd.DataFrame, nodes: pd.DataFrame) -> go.Figure:
    """Filings per year for the stage segments (level-2 nodes); incomplete years drawn dotted."""
    fig = go.Figure()
    names = nodes.set_index("node")
    shown = nodes[nodes["level"] == 2]["node"]
    first = filings[filings["filings"] > 0].groupby("year")["filings"].sum()
    start = int(first[first.cumsum() >= 0.01 * first.sum()].index.min()) if len(first) else 2000
    for node in shown:
        rows = filings[(filings["node"] == node) & (filings["year"] >= start)].sort_values("year")
        if rows.empty:
            continue
        meta = names.loc[node]
        colour = node_colour(meta["stage"], meta["code"])
        label = f"{meta['code']} {meta['name_zh']}"
        done, late = rows[rows["complete"]], rows[rows["year"] >= rows.loc[~rows["complete"], "year"].min()] \
            if (~rows["complete"]).any() else rows.iloc[0:0]
        fig.add_trace(go.Scatter(x=done["year"], y=done["filings"], mode="lines+markers", name=label,
                                 legendgroup=node, line={"color": colour, "width": 1.6}))
        if len(late):
            tail = pd.concat([done.tail(1), late])
            fig.add_trace(go.Scatter(x=tail["year"], y=tail["filings"], mode="lines+markers", name=label,
                                     legendgroup=node, showlegend=False,
                                     line={"color": colour, "width": 1.6, "dash": "dot"}))
    fig.update_layout(height=460, margin={"l": 50, "r": 20, "t": 30, "b": 40}, template="plotly_white",
                      xaxis_title="申请年 application year", yaxis_title="专利族/件 filings (units)",
                      legend={"font": {"size": 11}})
    return fig


def stage_figure(trend: pd.DataFrame, nodes: pd.DataFrame, top: int = 6) -> go.Figure:
    """技术生命周期图: applicants (y) against patents (x) per application year, one path per chain segment
    (the ``top`` segments by patents; complete years only). Rightward and upward = growth; leftward =
    decline."""
    fig = go.Figure()
    names = nodes.set_index("node")
    done = trend[trend["complete"]]
    size = done.groupby("node")["patents"].sum()
    shown = size.reindex(_segments(nodes)).dropna().sort_values(ascending=False).head(top).index
    for i, node in enumerate(shown):
        rows = done[done["node"] == node].sort_values("year").tail(15)
        if len(rows) < 2:
            continue
        meta = names.loc[node]
        step = max(1, len(rows) // 4)  # a year label every few points: the paths stay readable
        labels = [str(y) if (k % step == 0 or k == len(rows) - 1) else "" for k, y in enumerate(rows["year"])]
        fig.add_trace(go.Scatter(x=rows["patents"], y=rows["applicants"], mode="lines+markers+text",
                                 text=labels, textposition="top center",
                                 textfont={"size": 9}, name=f"{meta['code']} {meta['name_zh']}",
                                 line={"color": PALETTE[i % len(PALETTE)], "width": 1.6},
                                 hovertemplate="%{customdata}: %{x} patents, %{y} applicants",
                                 customdata=rows["year"]))
    fig.update_layout(height=520, xaxis_title="专利数 patents per year", yaxis_title="申请人数 applicants per year",
                      **LAYOUT)
    return fig


def control_figure(control: pd.DataFrame, weights: tuple[float, float, float], top: int = 15) -> go.Figure:
    """专利控制力排名: the strongest applicants over the whole chain, bars split into the weighted
    technology, product and market parts that sum to the index."""
    rows = control[(control["node"] == CHAIN) & (control["actor_type"] == "applicant")].sort_values("rank").head(top)
    rows = rows.iloc[::-1]
    total = sum(weights)
    fig = go.Figure()
    # units beside every index: a high index on few units is not a portfolio
    labels = [f"{n}（{u:,.1f}件/族）" for n, u in zip(rows["name"], rows["units"])]
    for col, w, label, colour in (("technology_control", weights[0], "技术控制 technology", "#2b7bb9"),
                                  ("product_control", weights[1], "产品控制 product", "#e8891d"),
                                  ("market_control", weights[2], "市场控制 market", "#3a9d5d")):
        fig.add_trace(go.Bar(y=labels, x=rows[col] * w / total, orientation="h", name=label,
                             marker_color=colour, customdata=rows[col],
                             hovertemplate="%{y}: " + label + " %{customdata:.3f}"))
    fig.update_layout(barmode="stack", height=40 + 28 * max(len(rows), 3), xaxis_title="综合指数 control index",
                      **{**LAYOUT, "margin": {"l": 260, "r": 20, "t": 30, "b": 40}})
    return fig


def history_figure(history: pd.DataFrame, top: int = 6) -> go.Figure:
    """专利控制力历史演进: the control index of the leading applicants (the last window's top ``top`` on the
    whole chain) in every period window; a window where an applicant had no unit shows 0."""
    apps = history[(history["node"] == CHAIN) & (history["actor_type"] == "applicant")]
    fig = go.Figure()
    if apps.empty:
        return fig
    windows = apps.drop_duplicates("window").sort_values("start")["window"].tolist()
    last = apps[apps["window"] == windows[-1]].dropna(subset=["rank"]).sort_values("rank").head(top)
    for actor, name in zip(last["actor"], last["name"]):
        mine = apps[apps["actor"] == actor].set_index("window")
        index = [float(mine["index"].get(w, 0.0)) for w in windows]
        units = [float(mine["units"].get(w, 0.0)) for w in windows]
        rank = ["—" if pd.isna(mine["rank"].get(w, None)) else str(int(mine["rank"][w])) for w in windows]
        fig.add_trace(go.Scatter(x=windows, y=index, mode="lines+markers", name=str(name),
                                 customdata=list(zip(units, rank)),
                                 hovertemplate=f"{name}<br>%{{x}}: index %{{y:.3f}}, %{{customdata[0]:.1f}} 件/族 units, "
                                               "rank %{customdata[1]}<extra></extra>"))
    fig.update_layout(height=420, xaxis_title="时段 period window", yaxis_title="综合指数 control index",
                      xaxis={"type": "category"}, **LAYOUT)
    return fig


def flow_figure(flows: pd.DataFrame, top: int = 8) -> go.Figure:
    """技术流向: applicant country → filing office as a Sankey (whole chain; the rest pooled as 其他 other)."""
    rows = flows[flows["node"] == CHAIN].copy()
    rows["origin"] = rows["origin"].replace("", "未知 unknown")
    keep_o = rows.groupby("origin")["frac"].sum().nlargest(top).index
    keep_d = rows.groupby("office")["frac"].sum().nlargest(top).index
    rows["origin"] = rows["origin"].where(rows["origin"].isin(keep_o), "其他 other")
    rows["office"] = rows["office"].where(rows["office"].isin(keep_d), "其他 other")
    rows = rows.groupby(["origin", "office"], as_index=False)["frac"].sum()
    sources = sorted(rows["origin"].unique())
    targets = sorted(rows["office"].unique())
    labels = [f"{o} 申请人" for o in sources] + [f"{d} 受理局" for d in targets]
    fig = go.Figure(go.Sankey(
        node={"label": labels, "pad": 12, "thickness": 14},
        link={"source": rows["origin"].map({o: i for i, o in enumerate(sources)}).tolist(),
              "target": rows["office"].map({d: len(sources) + i for i, d in enumerate(targets)}).tolist(),
              "value": rows["frac"].round(2).tolist()}))
    fig.update_layout(height=520, **{k: v for k, v in LAYOUT.items() if k != "legend"})
    return fig


def position_figure(positions: pd.DataFrame, nodes: pd.DataFrame) -> go.Figure:
    """The zone's position matrix: x = RTA against the reference (world or nation), y = zone CAGR minus
    reference CAGR, bubble =
    the zone's units, colour = quadrant; dashed lines at RTA 1 and equal growth. Entering or absent
    nodes (±inf growth) sit at the top or bottom edge."""
    from api.maps import QUADRANT_COLOURS, QUADRANT_LABELS
    rows = positions[(positions["node"] != CHAIN) & (positions["zone_units"] > 0)].copy()
    names = nodes.set_index("node")
    reference = str(positions["reference"].iloc[0]) if len(positions) else "world"
    rta = f"rta_{reference}"
    finite = rows["relative_growth"].astype(float)
    top = max(0.5, float(finite.abs().max()) if finite.notna().any() else 0.5) * 1.1
    edge = rows["growth_note"].map({"entered": top, "absent": -top}).astype(float)
    rows["y"] = finite.fillna(edge)
    fig = go.Figure()
    for q, group in rows.groupby("quadrant"):
        fig.add_trace(go.Scatter(
            x=group[rta], y=group["y"], mode="markers+text", name=f"{QUADRANT_LABELS.get(q, q)} {q}",
            text=[names.loc[n, "name_zh"] if n in names.index else n for n in group["node"]], textposition="top center",
            marker={"size": (group["zone_units"] / max(1.0, rows["zone_units"].max())) ** 0.5 * 50 + 8,
                    "color": QUADRANT_COLOURS.get(q, "#999"), "opacity": 0.75, "line": {"width": 1, "color": "#fff"}},
            customdata=group[["zone_units", "zone_cagr", "reference_cagr"]].to_numpy(),
            hovertemplate="%{text}<br>RTA %{x:.2f}<br>zone units %{customdata[0]:.1f}<br>zone CAGR %{customdata[1]:.1%}"
                          "<br>reference CAGR %{customdata[2]:.1%}<extra></extra>"))
    fig.add_vline(x=1, line_dash="dash", line_color="#888")
    fig.add_hline(y=0, line_dash="dash", line_color="#888")
    ref_zh = "全球" if reference == "world" else "全国"
    fig.update_layout(**LAYOUT, height=520, xaxis_title=f"专业化 RTA（对{ref_zh}）specialisation against the {reference}",
                      yaxis_title=f"相对增长 zone CAGR − {reference} CAGR")
    return fig


def zone_bars_figure(positions: pd.DataFrame, nodes: pd.DataFrame) -> go.Figure:
    """Each branch's share of the zone's, the nation's and the world's units, side by side."""
    names = nodes.set_index("node")
    rows = positions[positions["node"].isin(_segments(nodes))].copy()
    totals = positions[positions["node"] == CHAIN].iloc[0] if (positions["node"] == CHAIN).any() else None
    fig = go.Figure()
    if totals is None or rows.empty:
        return fig
    labels = [f"{names.loc[n, 'code']} {names.loc[n, 'name_zh']}" for n in rows["node"]]
    for col, name, colour in (("zone_units", "区域 zone", "#c0392b"), ("nation_units", "全国 nation", "#1e88e5"),
                              ("world_units", "全球 world", "#9e9e9e")):
        base = float(totals[col]) or 1.0
        fig.add_trace(go.Bar(y=labels, x=rows[col] / base, name=name, orientation="h", marker_color=colour,
                             hovertemplate="%{y}: %{x:.1%}<extra>" + name + "</extra>"))
    fig.update_layout(**LAYOUT, barmode="group", height=max(360, 28 * len(rows) * 2),
                      xaxis={"tickformat": ".0%", "title": "节点占比 share of each scope's units"},
                      yaxis={"autorange": "reversed"})
    return fig


def china_figure(regions: pd.DataFrame) -> go.Figure:
    """The chain's units of the nation per city (bubbles; provinces as a second layer) on China's admin
    points: every area of cpca's admin table is a faint dot, so the country's outline shows without any
    boundary file; the zone's areas are red. Positions are the areas' points (longitude, latitude), drawn
    with equal degrees on both axes — a sketch of where, not a survey map."""
    from analytics.zone import admin_areas
    areas = admin_areas()
    areas = areas[areas["longitude"].between(73, 136) & areas["latitude"].between(3, 54)]
    fig = go.Figure(go.Scattergl(x=areas["longitude"], y=areas["latitude"], mode="markers", hoverinfo="skip",
                                 marker={"size": 2, "color": "#d5d5d5"}, showlegend=False))
    top = max(1.0, float(regions["units"].max())) if len(regions) else 1.0
    for level, visible in (("city", True), ("province", "legendonly")):
        rows = regions[(regions["level"] == level) & (regions["units"] > 0)]
        if rows.empty:
            continue
        fig.add_trace(go.Scatter(
            x=rows["longitude"], y=rows["latitude"], mode="markers", visible=visible,
            name={"city": "城市 cities", "province": "省份 provinces"}[level],
            text=rows["name"], customdata=rows[["units", "applicants", "nation_share"]].to_numpy(),
            marker={"size": (rows["units"] / top) ** 0.5 * 45 + 5, "opacity": 0.7,
                    "color": ["#c0392b" if z else ("#1e88e5" if level == "city" else "#7e57c2") for z in rows["in_zone"]],
                    "line": {"width": [2 if z else 0.5 for z in rows["in_zone"]], "color": "#333"}},
            hovertemplate="%{text}<br>units %{customdata[0]:.1f}<br>applicants %{customdata[1]}"
                          "<br>share of the nation %{customdata[2]:.1%}<extra></extra>"))
    zone = regions[regions["in_zone"] & (regions["units"] > 0)]
    shown = zone[zone["level"] == "city"].head(3)
    if shown.empty:  # a district zone: its city is not wholly inside it, so the province row carries the mark
        shown = zone.head(1)
    for row in shown.itertuples():
        fig.add_annotation(x=row.longitude, y=row.latitude, text=f"{row.name} {row.units:.0f}", showarrow=True,
                           arrowcolor="#c0392b", font={"color": "#c0392b"})
    fig.update_layout(**{**LAYOUT, "legend": {"orientation": "h"}}, height=560,
                      xaxis={"title": "经度 longitude", "range": [73, 136], "showgrid": False},
                      yaxis={"title": "纬度 latitude", "range": [17, 54], "scaleanchor": "x", "scaleratio": 1.2,
                             "showgrid": False})
    return fig


def plan_figure(plan: pd.DataFrame) -> go.Figure:
    """布局目标: per chain node, the target units of the plan's last year (bar) with its low–high range
    (whiskers) against the zone's current units a year (marker)."""
    last = plan[plan["year"] == plan["year"].max()].sort_values("target_units")
    fig = go.Figure()
    fig.add_trace(go.Bar(y=last["name_zh"], x=last["target_units"], orientation="h", name="目标 target",
                         error_x={"type": "data", "symmetric": False,
                                  "array": (last["target_high"] - last["target_units"]).clip(lower=0),
                                  "arrayminus": (last["target_units"] - last["target_low"]).clip(lower=0)}))
    fitted = str(last["fitted_years"].iloc[0]) if len(last) else ""
    fig.add_trace(go.Scatter(y=last["name_zh"], x=last["current_units"], mode="markers", name=f"{fitted}年均 mean",
                             marker={"symbol": "line-ns-open", "size": 14, "color": "#c44e52"}))
    year = int(last["year"].iloc[0]) if len(last) else ""
    fig.update_layout(height=max(320, 26 * len(last) + 120), xaxis_title=f"{year}年 件/族 units a year",
                      **{**LAYOUT, "margin": {"l": 150, "r": 20, "t": 30, "b": 40}})
    return fig
