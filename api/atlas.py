"""The navigation atlas (专利导航分析图谱): a folder that opens from disk, with nothing fetched online.

Layout of ``OUT/``::

    index.html                 the atlas: chain map, trend chart, indicator tables, data, provenance
    maps/chain-<scheme>.html   the interactive chain map (vis-network inlined)
    assets/plotly.min.js       the chart library, copied once from the installed plotly package
    tables/<indicator>.csv     every indicator table (UTF-8 with BOM, so Excel shows Chinese)
    queries/<name>.cypher      the exact query behind each figure
    run.json                   counts and provenance: inputs with sha256, ontology versions, parameters
"""

from __future__ import annotations

import datetime as dt
import json
import platform
from importlib import metadata
from pathlib import Path

import jinja2
import pandas as pd
from plotly.offline import get_plotlyjs

from analytics.cypher import query_text
from analytics.definitions import COUNTING, DEFINITIONS
from analytics.frames import CHAIN
from analytics.pathways import PATHS
from analytics.pathways.graph import graph_html, pathway_graph
from analytics.pathways.value import link
from analytics.registry import INDICATORS
from analytics.run import Analysis
from api.charts import (china_figure, control_figure, flow_figure, history_figure, plan_figure, position_figure, stage_figure,
                        trend_figure, zone_bars_figure)
from api.maps import (GROWTH_LEGEND, QUADRANT_COLOURS, QUADRANT_LABELS, STAGE_COLOURS, chain_map_html,
                      growth_colour)
from ontology.chains import STAGE_LABELS, STAGES, Chain, code_key
from ontology.spreadsheet import write_csv
from ontology.vocab import vocabulary

TEMPLATES = Path(__file__).with_name("templates")


def software() -> dict:
    def version(dist: str) -> str | None:
        try:
            return metadata.version(dist)
        except metadata.PackageNotFoundError:
            return None
    return {"patnav": version("patnav"), "python": platform.python_version(),
            **{d: version(d) for d in ("ladybug", "neo4j", "pandas", "pyvis", "plotly", "rdflib")}}


def _html_table(frame: pd.DataFrame, max_rows: int = 400) -> str:
    shown = frame.head(max_rows)
    # a missing value is an empty cell, never "<NA>" / "nan" (pandas' missing markers of its nullable types)
    shown = shown.astype(object).where(shown.notna(), None)
    fmt = {c: (lambda v: f"{v:.1%}") for c in shown.columns
           if c in ("share", "cr4", "share_before", "share_after", "cagr", "maturity")}
    fmt.update({c: (lambda v: f"{v:+.1%}") for c in shown.columns if c == "shift"})
    fmt.update({c: (lambda v: f"{v:.3f}") for c in shown.columns
                if c.endswith("_control") or c in ("index", "r2", "rho", "p_value")})
    fmt.update({c: (lambda v: f"{v:,.1f}") for c in shown.columns if c in ("frac", "hhi", "units")
                and shown[c].dtype.kind == "f"})
    return shown.to_html(index=False, classes="tbl", border=0, na_rep="", formatters=fmt, escape=True)


def _pathways(out: Path, analysis: Analysis) -> list[dict]:
    """Write each path's graph (JSON and HTML map) under maps/ and return what the chapter shows: per path
    its title, the map, and the first rows of each kind with their patents' links."""
    t, zone = analysis.tables, analysis.options.zone
    names = analysis.nodes.set_index("node")["name_zh"]
    links = t["patent_value"].set_index("patent")["link"] if len(t.get("patent_value", [])) else pd.Series(dtype=str)
    chapter = []
    for path, (zh, en) in PATHS.items():
        table = t.get(f"pathway_{path}")
        if table is None:
            continue
        graph = pathway_graph(path, table, t["positioning_nodes"], names, zone, t["pathway_structure"])
        (out / "maps" / f"pathway-{path}.json").write_text(json.dumps(graph, ensure_ascii=False, indent=1),
                                                           encoding="utf-8")
        (out / "maps" / f"pathway-{path}.html").write_text(graph_html(graph), encoding="utf-8")
        rows = []
        for r in table.groupby("kind", sort=False).head(8).to_dict("records"):
            proof = json.loads(r["evidence"]).get("patents") or []
            r["links"] = [(p, links.get(p, link(pd.Series([p]), pd.Series([None])).iloc[0])) for p in proof[:5]]
            r["node_name"] = "全产业链" if r["node"] == CHAIN else names.get(r["node"], r["node"])
            rows.append(r)
        chapter.append({"path": path, "zh": zh, "en": en, "rows": rows, "count": len(table),
                        "kinds": table["kind"].value_counts().sort_index().to_dict()})
    return chapter


def _year_span(filings: pd.DataFrame) -> dict:
    """The years the chain's units span: all of them, and the span holding 99% of the units (stray old
    patents — one from 1903 — stretch the first; they are counted, and said to be few)."""
    per = filings.groupby("year")["filings"].sum().sort_index()
    per = per[per > 0]
    if per.empty:
        return {}
    cum = per.cumsum() / per.sum()
    core = int(cum[cum >= 0.01].index.min())
    return {"first": int(per.index.min()), "last": int(per.index.max()), "core_first": core,
            "before_core": int(per[per.index < core].sum()), "total": int(per.sum())}


def _coverage_warnings(report: dict | None) -> list[str]:
    """Files whose years start much later than the others': a jump in the trend at that year may come
    from the data's coverage (a PatSnap export from 2013 beside a full-history Lens export), not the
    industry."""
    files = [f for f in (report or {}).get("files", []) if (f.get("quality") or {}).get("first_year")]
    if len(files) < 2:
        return []
    earliest = min(int(f["quality"]["first_year"]) for f in files)
    out = []
    for f in files:
        start = int(f["quality"]["first_year"])
        if start - earliest >= 5 and (f["quality"].get("rows") or 0) >= 0.1 * sum(g["quality"].get("rows") or 0 for g in files):
            out.append(f"{f['name']} 的数据从 {start} 年开始，其他文件从 {earliest} 年开始：{start} 年前后的变化可能来自数据覆盖范围，"
                       f"而非产业本身 — {f['name']} starts in {start}, the other files in {earliest}: a change around "
                       f"{start} may come from the data's coverage, not from the industry.")
    return out


def write_atlas(out: str | Path, analysis: Analysis, chain: Chain | None, ingest_report: dict | None,
                engine: str, parameters: dict, deliverables: bool = True) -> dict:
    """Write the atlas for ``analysis`` under ``out``; return the ``run.json`` content."""
    out = Path(out)
    for sub in ("maps", "assets", "tables", "queries"):
        (out / sub).mkdir(parents=True, exist_ok=True)
    scheme = analysis.scheme
    title = f"{chain.name_zh} 专利导航分析图谱" if chain else f"{scheme} 专利导航分析图谱"
    (out / "maps" / f"chain-{scheme}.html").write_text(
        chain_map_html(analysis.nodes, analysis.links, title), encoding="utf-8")
    (out / "maps" / f"growth-{scheme}.html").write_text(
        chain_map_html(analysis.nodes, analysis.links, f"{title} · 增长 growth", colour_by="growth"), encoding="utf-8")
    (out / "assets" / "plotly.min.js").write_text(get_plotlyjs(), encoding="utf-8")
    names = analysis.nodes.set_index("node")
    tables = []
    for name, frame in analysis.tables.items():
        write_csv(frame, out / "tables" / f"{name}.csv")
        ind = INDICATORS[name]
        for q in ind.queries:
            (out / "queries" / f"{q}.cypher").write_text(query_text(q), encoding="utf-8")
        shown = frame.copy()
        if "node" in shown:
            shown.insert(1, "节点 node name", shown["node"].map(names["name_zh"]))
        if name == "filings_by_node_year":
            shown = (frame.pivot_table(index="node", columns="year", values="filings", fill_value=0, aggfunc="sum")
                     .astype(int).iloc[:, -12:].reset_index())
            shown.insert(1, "节点 node name", shown["node"].map(names["name_zh"]))
            shown.columns = [str(c) for c in shown.columns]
        elif name in ("top_applicants", "applicant_countries"):
            shown = shown[shown["rank"] <= 5]
        elif name == "control_power":  # the whole chain here; per node in the CSV
            shown = shown[(shown["node"] == CHAIN) & (shown["rank"] <= 20)]
        elif name == "control_history":  # the whole chain's top 10 applicants per window; all in the CSV
            shown = shown[(shown["node"] == CHAIN) & (shown["actor_type"] == "applicant") & (shown["rank"] <= 10)]
        elif name == "landscape_history":
            shown = shown[shown["node"] == CHAIN]
        elif name in ("transfer", "flows"):
            shown = shown[shown["node"] == CHAIN]
        elif name == "hotspots":
            shown = shown[shown["rank"].notna() & (shown["rank"] <= 15)]
        elif name == "direction_summary":
            shown = shown[["topic", "text_en", "evidence"]]
        elif name == "plan":
            shown = shown[["name_zh", "year", "stage", "current_units", "target_units", "target_low", "target_high",
                           "invention_share_target", "high_value_target", "overseas_share_target", "timing_zh",
                           "offices", "blank_offices"]]
        tables.append({"name": name, "title_zh": ind.title_zh, "title_en": ind.title_en,
                       "module": ind.module, "definition": DEFINITIONS.get(name, ("", "")),
                       "queries": [{"name": q, "text": query_text(q)} for q in ind.queries],
                       "html": _html_table(shown), "rows": len(frame)})
    for q in ("chain_nodes", "chain_links", "data_summary", "year_basis"):
        (out / "queries" / f"{q}.cypher").write_text(query_text(q), encoding="utf-8")
    t = analysis.tables
    figures = {"trend": trend_figure(t["filings_by_node_year"], analysis.nodes),
               "stage": stage_figure(t["trend"], analysis.nodes),
               "control": control_figure(t["control_power"], analysis.options.control_weights),
               "history": history_figure(t["control_history"]),
               "flows": flow_figure(t["flows"])}
    zone = analysis.options.zone
    positioning = None
    if zone is not None and len(t.get("positioning_nodes", [])):
        figures["position"] = position_figure(t["positioning_nodes"], analysis.nodes)
        figures["zone_bars"] = zone_bars_figure(t["positioning_nodes"], analysis.nodes)
        figures["china"] = china_figure(t["positioning_regions"])
        quad = analysis.nodes.merge(t["positioning_nodes"][["node", "quadrant"]], on="node", how="left")
        (out / "maps" / f"quadrant-{scheme}.html").write_text(
            chain_map_html(quad, analysis.links, f"{title} · 区域定位 {zone.name_zh}", colour_by="quadrant"), encoding="utf-8")
        coverage = t["positioning_coverage"]
        placed = coverage[~coverage["placed_at"].isin(["unknown", "country unknown"])]
        stateless = coverage[coverage["placed_at"] == "country unknown"]
        positioning = {"zone": zone.record(), "reference": analysis.options.reference,
                       "coverage": {"applicants": float(placed["applicant_share"].sum()),
                                    "units": float(placed["unit_share"].sum()),
                                    "city": float(placed.loc[placed["placed_at"] != "province", "unit_share"].sum()),
                                    "stateless": int(stateless["applicants"].sum()),
                                    "stateless_units": float(stateless["units"].sum())}, "diagnosis": t["positioning_diagnosis"].to_dict("records"),
                       "enterprises": t["positioning_enterprises"][t["positioning_enterprises"]["node"] == CHAIN]
                       .head(15).to_dict("records"),
                       "inventors": t["positioning_inventors"].head(15).to_dict("records"),
                       "quadrants": [{"key": k, "zh": v, "colour": QUADRANT_COLOURS[k]} for k, v in QUADRANT_LABELS.items()]}
    pathways = _pathways(out, analysis) if positioning is not None else None
    plan = None
    if positioning is not None and len(t.get("plan", [])):
        lp = t["plan"]
        figures["plan"] = plan_figure(lp)
        first = lp[lp["year"] == lp["year"].min()]
        from analytics.plan import staleness
        plan = {"first": int(lp["year"].min()), "last": int(lp["year"].max()), "rows": first.to_dict("records"),
                "definition": DEFINITIONS["plan"], "fitted": str(lp["fitted_years"].iloc[0]),
                "stale": staleness(lp)}
    run = {
        "generated_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "engine": engine,
        "scheme": scheme,
        "parameters": parameters,
        "software": software(),
        "ontology": {"core": vocabulary().version,
                     "chain": ({"scheme": chain.scheme, "version": chain.version, "sha256": chain.sha256,
                                "source": chain.source} if chain else None)},
        "inputs": (ingest_report or {}).get("files", []),
        "totals": (ingest_report or {}).get("total", {}),
        "countries": (ingest_report or {}).get("countries"),
        "graph": analysis.summary,
        "tables": [f"tables/{t['name']}.csv" for t in tables],
    }
    from api.report import write_deliverables
    try:  # the atlas must not be lost to a failure in the report: the failure is recorded and shown
        run["deliverables"] = write_deliverables(out, analysis, chain, run) if deliverables else {"skipped": True}
    except Exception as exc:  # noqa: BLE001 — python-docx, xlsxwriter and matplotlib raise many types
        run["deliverables"] = {"error": f"{type(exc).__name__}: {exc}"}
        run.setdefault("warnings", []).append(f"report.docx / tables.xlsx could not be written: {type(exc).__name__}: "
                                              f"{exc} — the atlas and tables/*.csv are complete; please report this")
    (out / "run.json").write_text(json.dumps(run, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True)
    stage_rows = [{"stage": s, "zh": STAGE_LABELS[s][0], "en": STAGE_LABELS[s][1], "colour": STAGE_COLOURS[s]}
                  for s in STAGE_COLOURS] if analysis.nodes["stage"].isin(STAGES).all() else []
    html = env.get_template("atlas.html").render(
        title=title, chain=chain, scheme=scheme, run=run, tables=tables, stages=stage_rows,
        figures={k: f.to_html(full_html=False, include_plotlyjs=False, div_id=f"fig-{k}") for k, f in figures.items()},
        summary=t["direction_summary"].to_dict("records"),
        growth=[{"label": label, "colour": growth_colour(v)} for v, label in GROWTH_LEGEND],
        growth_span=str(analysis.nodes["growth_span"].iloc[0]) if len(analysis.nodes) else "",
        nodes=sorted(analysis.nodes.to_dict("records"),
                     key=lambda n: (STAGES.index(n["stage"]) if n["stage"] in STAGES else 0, code_key(n["code"]))),
        rejects=(ingest_report or {}).get("rejects_path"), positioning=positioning, pathways=pathways, plan=plan,
        counting=COUNTING, years=_year_span(t["filings_by_node_year"]), coverage=_coverage_warnings(ingest_report),
        modules={m: [x for x in tables if x["module"] == m] for m in ("direction", "positioning", "pathways", "plan")})
    (out / "index.html").write_text(html, encoding="utf-8")
    return run
