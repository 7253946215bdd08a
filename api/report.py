"""The deliverables analysts hand to officials: ``report.docx`` (the navigation report, in Chinese) and
``tables.xlsx`` (every table as a formatted sheet, with a definitions sheet), written beside the atlas.

The report follows the navigation report outline (REFERENCES §4): 1 chain structure and technology
decomposition; 2 data (retrieval, denoising, indexing, quality, cut-off date); 3 direction; 4
positioning; 5 pathways (with recommendations for the government and for enterprises); 6 layout plan;
7 appendix (methods, formulas, queries, parameters). Every number it prints is read from a table of
``tables/`` (named under each table and chart) and formatted the same way (:func:`fmt`), so the report
and the workbook agree. Charts are drawn offline with matplotlib (Agg) and carry the data cut-off date.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path

import numpy as np
import pandas as pd

from analytics.definitions import COUNTING, DEFINITIONS
from analytics.frames import CHAIN
from analytics.pathways import PATHS
from analytics.plan import STAGE_ZH
from analytics.registry import INDICATORS, MODULES
from api.maps import QUADRANT_LABELS

SHARES = {"share", "cr4", "zone_share", "node_share", "nation_share", "share_before", "share_after", "cagr", "maturity",
          "invention_share_target", "overseas_share_target", "reference_share", "invention_share", "overseas_share",
          "grant_rate", "active_rate", "core_share", "applicant_share", "unit_share", "entrant_share",
          "leader_persistence", "control_top4", "control_persistence"}


def fmt(column: str, value) -> str:
    """A cell as the report and the workbook's readers see it: shares as percentages with one decimal,
    other numbers with up to two decimals, nothing for a missing value.

    >>> fmt("share", 0.12345), fmt("units", 3.0), fmt("target_units", 2.456), fmt("rta_world", None), fmt("x", "a")
    ('12.3%', '3', '2.46', '', 'a')
    """
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if isinstance(value, (bool, np.bool_)):
        return "是" if value else "否"
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        if column in SHARES:
            return f"{float(value):.1%}"
        text = f"{float(value):.2f}".rstrip("0").rstrip(".")
        return "0" if text in ("-0", "") else text
    return str(value)


# ------------------------------------------------------------------------------------------ tables.xlsx
#: rows per sheet in report's tables.xlsx: a reader's workbook, not the data (tables/*.csv hold every row);
#: a longer table keeps its leading rows — by rank or value score where it has one — and says so
SHEET_ROWS = 10_000
EXCEL_ROWS = 1_048_575  # Excel's limit below the header


def _leading(frame: pd.DataFrame, limit: int) -> pd.DataFrame:
    """The first ``limit`` rows of a table, best first where the table ranks its rows."""
    if len(frame) <= limit:
        return frame
    if "rank" in frame:
        return frame.sort_values("rank", kind="stable", na_position="last").head(limit)
    if "value_score" in frame:
        return frame.sort_values("value_score", ascending=False, kind="stable", na_position="last").head(limit)
    return frame.head(limit)


def write_workbook(path, tables: dict[str, pd.DataFrame], cutoff: str, max_rows: int = EXCEL_ROWS) -> None:
    """Every table as a sheet (header bold and frozen, filters on, widths fitted; text always written as
    text — a cell starting with ``=`` is never a formula) and a first sheet of plain definitions. A table
    longer than ``max_rows`` keeps its leading rows (:func:`_leading`); the definitions sheet gives both counts."""
    import xlsxwriter
    book = xlsxwriter.Workbook(path if hasattr(path, "write") else str(path), {"strings_to_formulas": False, "strings_to_urls": False,
                                           "nan_inf_to_errors": True})
    head = book.add_format({"bold": True, "bg_color": "#DCE6F1", "border": 1, "text_wrap": True, "valign": "top"})
    pct = book.add_format({"num_format": "0.0%"})
    num = book.add_format({"num_format": "0.00"})
    wrap = book.add_format({"text_wrap": True, "valign": "top"})
    defs = book.add_worksheet("定义 definitions")
    defs.write_row(0, 0, ["表 table", "工作表 sheet", "标题", "title", "模块 module", "定义", "definition", "查询 queries",
                          "行数 rows"], head)
    defs.write(1, 0, f"数据截止 data cut-off: {cutoff}. {COUNTING[0]} {COUNTING[1]}")
    sheets = {}
    for i, name in enumerate(tables):
        sheets[name] = f"{i + 1:02d} {name}"[:31]
    for r, (name, frame) in enumerate(tables.items(), start=2):
        ind = INDICATORS.get(name)
        zh, en = DEFINITIONS.get(name, ("", ""))
        defs.write_row(r, 0, [name, sheets[name], ind.title_zh if ind else name, ind.title_en if ind else name,
                              MODULES.get(ind.module, ("", ""))[0] if ind else "", zh, en,
                              ", ".join(f"{q}.cypher" for q in ind.queries) if ind else "",
                              len(frame) if len(frame) <= max_rows else
                              f"{max_rows:,} / {len(frame):,}：其余见 tables/{name}.csv (the rest: tables/{name}.csv)"],
                       wrap)
    defs.set_column(0, 1, 24)
    defs.set_column(2, 4, 22)
    defs.set_column(5, 6, 70)
    defs.set_column(7, 7, 40)
    defs.freeze_panes(1, 1)
    for name, frame in tables.items():
        frame = _leading(frame, min(max_rows, EXCEL_ROWS))
        sheet = book.add_worksheet(sheets[name])
        sheet.write_row(0, 0, [str(c) for c in frame.columns], head)
        for c, col in enumerate(frame.columns):
            values = frame[col]
            kind = values.dtype.kind
            style = pct if col in SHARES else (num if kind == "f" else None)
            for r, v in enumerate(values.tolist(), start=1):
                if v is None or (not isinstance(v, (str, list, dict)) and pd.isna(v)):
                    continue
                if isinstance(v, (bool, np.bool_)):
                    sheet.write_boolean(r, c, bool(v))
                elif isinstance(v, (int, float, np.integer, np.floating)) and np.isfinite(float(v)):
                    sheet.write_number(r, c, float(v), style)
                else:
                    sheet.write_string(r, c, v if isinstance(v, str) else json.dumps(v, ensure_ascii=False, default=str))
            width = max([len(str(col))] + [len(str(v)) for v in values.head(200).tolist()])
            sheet.set_column(c, c, min(max(8, width * 1.1), 60))
        sheet.freeze_panes(1, 0)
        if len(frame.columns):
            sheet.autofilter(0, 0, max(len(frame), 1), len(frame.columns) - 1)
    book.close()


# ------------------------------------------------------------------------------------------ charts
def _font() -> str | None:
    """A CJK font the system has (the project's system-package script installs fonts-noto-cjk)."""
    from matplotlib import font_manager
    for name in ("Noto Sans CJK SC", "Noto Sans CJK JP", "Noto Serif CJK SC", "WenQuanYi Zen Hei", "SimHei",
                 "Microsoft YaHei", "PingFang SC"):
        try:
            font_manager.findfont(name, fallback_to_default=False)
            return name
        except ValueError:
            continue
    return None


def _png(draw, cutoff: str, source: str, size=(8, 4.6)) -> bytes:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    font = _font()
    with plt.rc_context({"font.family": [font, "DejaVu Sans"] if font else ["DejaVu Sans"],
                         "axes.unicode_minus": False, "font.size": 9}):
        fig, ax = plt.subplots(figsize=size, dpi=150)
        draw(ax)
        fig.text(0.99, 0.005, f"数据截止 data cut-off {cutoff} · 来源 {source}", ha="right", va="bottom",
                 fontsize=7, color="#666")
        fig.tight_layout(rect=(0, 0.03, 1, 1))
        buf = io.BytesIO()
        fig.savefig(buf, format="png")
        plt.close(fig)
    return buf.getvalue()


def _legend_or_empty(ax, series: int, ncol: int = 1) -> None:
    """The legend, or a note in the middle of the chart when there is nothing to draw."""
    if series:
        ax.legend(fontsize=7, ncol=ncol)
    else:
        ax.text(0.5, 0.5, "无完整年份的数据 no complete years in the data", ha="center", va="center",
                transform=ax.transAxes, color="#888")


def _label(names: pd.Series, node: str) -> str:
    return "全产业链" if node == CHAIN else str(names.get(node, node))


def chart_trend(filings: pd.DataFrame, nodes: pd.DataFrame, cutoff: str) -> bytes:
    names = nodes.set_index("node")["name_zh"]
    segments = nodes[nodes["level"] == 2]["node"] if "level" in nodes else nodes["node"]
    done = filings[filings["complete"] & filings["node"].isin(segments)]
    top = done.groupby("node")["filings"].sum().astype(float).nlargest(8).index

    def draw(ax):
        for node in top:
            rows = done[done["node"] == node].sort_values("year")
            rows = rows[rows["year"] >= rows.loc[rows["filings"] > 0, "year"].min()]
            ax.plot(rows["year"], rows["filings"], marker="o", ms=2.5, lw=1.3, label=_label(names, node))
        ax.set_xlabel("申请年（完整年）application year, complete years")
        ax.set_ylabel("件/族 units")
        ax.set_title("产业链各环节专利申请趋势 Filings per year")
        _legend_or_empty(ax, len(top), ncol=2)
        ax.grid(alpha=.3)
    return _png(draw, cutoff, "tables/filings_by_node_year.csv")


def chart_stage(trend: pd.DataFrame, nodes: pd.DataFrame, cutoff: str) -> bytes:
    """Applicants against units per complete year for the chain's stage roots (上游 / 中游 / 下游), else
    its three largest nodes; a year label every few points so the paths stay readable."""
    names = nodes.set_index("node")["name_zh"]
    done = trend[trend["complete"] & (trend["units"] > 0)]
    roots = nodes[nodes["level"] == 1]["node"] if "level" in nodes else pd.Series(dtype=object)
    shown = [n for n in roots if n in set(done["node"])] or \
        done.groupby("node")["units"].sum().astype(float).nlargest(3).index.tolist()

    def draw(ax):
        for node in shown:
            rows = done[done["node"] == node].sort_values("year").tail(15)
            ax.plot(rows["units"], rows["applicants"], "-o", ms=3, lw=1.2, label=_label(names, node))
            step = max(1, len(rows) // 5)
            for i, r in enumerate(rows.itertuples()):
                if i % step == 0 or i == len(rows) - 1:
                    ax.annotate(str(int(r.year)), (r.units, r.applicants), fontsize=6.5, xytext=(3, 3),
                                textcoords="offset points")
        ax.set_xlabel("专利件/族数 units per year")
        ax.set_ylabel("申请人数 applicants per year")
        ax.set_title("技术生命周期图 Lifecycle: applicants against units per year (last 15 complete years)")
        _legend_or_empty(ax, len(shown))
        ax.grid(alpha=.3)
    return _png(draw, cutoff, "tables/trend.csv")


def chart_control(control: pd.DataFrame, weights, cutoff: str) -> bytes:
    rows = control[(control["node"] == CHAIN) & (control["actor_type"] == "applicant")].sort_values("rank").head(10)
    rows = rows.iloc[::-1]
    wt, wp, wm = (w / sum(weights) for w in weights)

    def draw(ax):
        y = np.arange(len(rows))
        left = np.zeros(len(rows))
        for part, w, label in (("technology_control", wt, "技术 technology"), ("product_control", wp, "产品 product"),
                               ("market_control", wm, "市场 market")):
            vals = rows[part].to_numpy(dtype=float) * w
            ax.barh(y, vals, left=left, label=label)
            left += vals
        short = [n if len(str(n)) <= 30 else str(n)[:29] + "…" for n in rows["name"]]
        ax.set_yticks(y, [f"{n}（{u:.1f}件/族）" for n, u in zip(short, rows["units"])], fontsize=7)
        ax.set_xlabel("综合指数 index (weighted parts)")
        ax.set_title("专利控制力前10名申请人（全产业链）\nPatent control power, top 10 applicants, whole chain")
        ax.legend(fontsize=7)
    return _png(draw, cutoff, "tables/control_power.csv", size=(8, 5))


def chart_position(positions: pd.DataFrame, nodes: pd.DataFrame, cutoff: str) -> bytes:
    names = nodes.set_index("node")["name_zh"]
    rows = positions[(positions["node"] != CHAIN) & positions["rta_world"].notna()]
    x = rows["rta_world"].astype(float)
    y = rows["zone_cagr"].astype(float) if "zone_cagr" in rows else pd.Series(0.0, index=rows.index)

    def draw(ax):
        ax.scatter(x, y.fillna(0), s=18 + 4 * np.sqrt(rows["zone_units"].astype(float)), alpha=.6)
        for node, a, b in zip(rows["node"], x, y.fillna(0)):
            ax.annotate(_label(names, node), (a, b), fontsize=6.5, xytext=(3, 2), textcoords="offset points")
        ax.axvline(1, color="#999", lw=.8, ls="--")
        ax.axhline(0, color="#999", lw=.8, ls="--")
        ax.set_xlabel("显示性技术优势 RTA (world)")
        ax.set_ylabel("区域年均增长 zone CAGR")
        ax.set_title("区域产业结构定位矩阵 Position matrix (RTA × growth)")
        ax.grid(alpha=.3)
    return _png(draw, cutoff, "tables/positioning_nodes.csv", size=(8, 5))


def chart_plan(plan: pd.DataFrame, cutoff: str) -> bytes:
    last = plan[plan["year"] == plan["year"].max()].sort_values("target_units")

    def draw(ax):
        y = np.arange(len(last))
        t = last["target_units"].to_numpy(dtype=float)
        lo = np.clip(t - last["target_low"].to_numpy(dtype=float), 0, None)
        hi = np.clip(last["target_high"].to_numpy(dtype=float) - t, 0, None)
        ax.barh(y, t, xerr=[lo, hi], color="#4c72b0", ecolor="#888", capsize=2)
        ax.barh(y, last["current_units"].to_numpy(dtype=float), color="none", edgecolor="#c44e52", lw=1)
        fitted = str(last["fitted_years"].iloc[0]) if len(last) else ""
        ax.set_yticks(y, last["name_zh"].tolist(), fontsize=7)
        ax.set_xlabel(f"件/族每年 units a year (bar: target; red frame: {fitted} mean; whiskers: low–high)")
        ax.set_title(f"{int(last['year'].iloc[0])}年各节点布局目标 Layout targets" if len(last) else "Layout targets")
    return _png(draw, cutoff, "tables/plan.csv", size=(8, max(3.5, 0.28 * len(last) + 1.2)))


# ------------------------------------------------------------------------------------------ report.docx
class _Doc:
    """python-docx with the few things the report needs: headings, paragraphs, tables from frames, images."""

    def __init__(self):
        from docx import Document
        from docx.oxml.ns import qn
        from docx.shared import Pt
        self.doc = Document()
        style = self.doc.styles["Normal"]
        style.font.name = "Noto Sans CJK SC"
        style.font.size = Pt(10.5)
        style.element.rPr.rFonts.set(qn("w:eastAsia"), "宋体")
        self.charts = 0

    def h(self, text: str, level: int = 1):
        self.doc.add_heading(text, level=level)

    def p(self, text: str, italic: bool = False):
        para = self.doc.add_paragraph()
        run = para.add_run(text)
        run.italic = italic
        return para

    def table(self, frame: pd.DataFrame, columns: dict[str, str], source: str, limit: int = 30):
        from docx.shared import Pt
        shown = frame.head(limit)
        tbl = self.doc.add_table(rows=1, cols=len(columns))
        tbl.style = "Light Grid Accent 1"
        for cell, label in zip(tbl.rows[0].cells, columns.values()):
            cell.text = label
        for row in shown.itertuples(index=False):
            values = row._asdict()
            cells = tbl.add_row().cells
            for cell, col in zip(cells, columns):
                cell.text = fmt(col, values.get(col))
        for row in tbl.rows:
            for cell in row.cells:
                for para in cell.paragraphs:
                    for run in para.runs:
                        run.font.size = Pt(8)
        more = f"（共{len(frame)}行，此处列前{limit}行）" if len(frame) > limit else ""
        self.p(f"来源 source: {source}{more}", italic=True)

    def image(self, png: bytes, caption: str):
        from docx.shared import Cm
        self.charts += 1
        self.doc.add_picture(io.BytesIO(png), width=Cm(16))
        self.p(f"图{self.charts} {caption}", italic=True)

    def save(self, path: Path):
        self.doc.save(str(path))


def _names(nodes: pd.DataFrame) -> pd.Series:
    return nodes.set_index("node")["name_zh"]


def write_report(path: Path, analysis, chain, run: dict) -> dict:
    """``report.docx`` for ``analysis`` (``analytics.run.Analysis``); returns what it holds (chapters, charts)."""
    t = analysis.tables
    names = _names(analysis.nodes)
    cutoff = str((run.get("graph") or {}).get("latest_pub") or "未知")
    zone = analysis.options.zone
    title = f"{chain.name_zh if chain else analysis.scheme}产业专利导航分析报告"
    d = _Doc()
    d.doc.add_heading(title, level=0)
    d.p(f"分析区域：{zone.name_zh}（{zone.id}）" if zone is not None else "分析区域：未指定（仅产业发展方向）")
    d.p(f"数据截止日期（最新公开日）：{cutoff}")
    d.p(f"报告生成：{dt.date.today().isoformat()} · PatNav {run.get('software', {}).get('patnav') or ''} · "
        f"引擎 {run.get('engine', '')} · 产业链方案 {analysis.scheme}")
    d.p(COUNTING[0])
    chapters = []

    # 1 chain structure
    chapters.append("1 产业链结构与技术分解")
    d.h(chapters[-1])
    nodes = analysis.nodes.copy()
    units = t["filings_by_node_year"].groupby("node")["filings"].sum()
    nodes["units"] = nodes["node"].map(units).fillna(0).astype(int)
    stages = nodes["stage"].map(lambda s: {"upstream": "上游", "midstream": "中游", "downstream": "下游"}.get(s, s))
    nodes["stage_zh"] = stages
    nodes["parent_name"] = nodes["parent"].map(names).fillna("")
    d.p(f"产业链共{len(nodes)}个节点（上游{int((nodes['stage'] == 'upstream').sum())}个、中游"
        f"{int((nodes['stage'] == 'midstream').sum())}个、下游{int((nodes['stage'] == 'downstream').sum())}个），"
        "各节点按IPC分类规则（及关键词）归入专利，规则见附录与本体文件。")
    d.table(nodes.sort_values(["stage", "code"]), {"code": "编码", "name_zh": "节点", "name_en": "node",
                                                     "stage_zh": "环节", "parent_name": "上级节点", "units": "件/族"},
            "tables/filings_by_node_year.csv（件/族为各年之和）; queries/chain_nodes.cypher", limit=80)

    # 2 data
    chapters.append("2 数据检索、清洗与标引")
    d.h(chapters[-1])
    totals = run.get("totals") or {}
    graph = run.get("graph") or {}
    d.p(f"检索与导入：共导入{len(run.get('inputs') or [])}个导出文件，输入{totals.get('rows_in', 0):,}行，入库"
        f"{totals.get('loaded', 0):,}件，合并重复{totals.get('merged', 0):,}件，拒收{totals.get('rejected', 0):,}行"
        f"（输入=入库+合并+拒收{'成立' if totals and totals.get('rows_in') == totals.get('loaded', 0) + totals.get('merged', 0) + totals.get('rejected', 0) else '不成立'}）。"
        f"去噪：同一申请的不同公开、不同导出中的同一公开合并为一件，合并明细见merged.csv，拒收原因见rejects.csv。")
    d.p(f"标引：图中专利{graph.get('patents', 0):,}件，归入本产业链{graph.get('classified', 0):,}件，未归入比例"
        f"{fmt('share', graph.get('unclassified_share'))}。年份范围{graph.get('first_year')}–{graph.get('last_year')}，"
        f"数据截止（最新公开日）{cutoff}；最近18个月的申请尚未全部公开，相关年份在趋势中标为不完整。")
    basis = graph.get("year_basis") or {}
    if basis:
        total = sum(basis.values())
        d.p("计数年份依据：" + "，".join(f"{ {'priority': '优先权年', 'application': '申请年', 'publication': '公开年', 'none': '无年份'}.get(k, k)}"
                                   f"{v:,}件（{v / total:.1%}）" for k, v in basis.items()) + "。")
    files = pd.DataFrame(run.get("inputs") or [])
    if len(files):
        d.table(files, {"name": "文件", "profile": "格式", "rows_in": "输入行", "loaded": "入库", "merged": "合并",
                        "rejected": "拒收"}, "run.json → inputs; db/ingest.json")
    countries = run.get("countries") or {}
    if countries.get("applicants"):
        d.p("申请人国别只按证据确定（国别或地址字段、名称中的地名或法律形式、集团名中的国别、优先权国、唯一受理局等），"
            f"无证据者记为未知：未知申请人占{fmt('share', countries.get('unknown_applicants'))}，"
            f"涉及专利占{fmt('share', countries.get('unknown_patents'))}。")
    for w in run.get("warnings") or []:
        d.p(f"注意：{w}")

    # 3 direction
    chapters.append("3 产业发展方向导航")
    d.h(chapters[-1])
    for r in t["direction_summary"].itertuples():
        d.p(f"{r.text_zh}（依据：{r.evidence}）")
    d.image(chart_trend(t["filings_by_node_year"], analysis.nodes, cutoff), "各环节专利申请趋势（tables/filings_by_node_year.csv）")
    life = t["lifecycle"].assign(name=lambda f: f["node"].map(names), stage_zh=lambda f: f["stage"].map(STAGE_ZH))
    d.h("技术生命周期", 2)
    d.table(life, {"name": "节点", "stage_zh": "阶段", "maturity": "成熟度", "r2": "R²", "cumulative": "累计件/族",
                   "note": "说明"}, "tables/lifecycle.csv", limit=60)
    d.image(chart_stage(t["trend"], analysis.nodes, cutoff), "技术生命周期图（tables/trend.csv）")
    d.h("专利控制力", 2)
    d.p(DEFINITIONS["control_power"][0])
    control = t["control_power"]
    top = control[(control["node"] == CHAIN) & (control["actor_type"] == "applicant")].sort_values("rank").head(15)
    d.table(top, {"rank": "排名", "name": "申请人", "units": "件/族", "share": "份额", "technology_control": "技术",
                  "product_control": "产品", "market_control": "市场", "index": "综合指数"},
            "tables/control_power.csv（actor_type = applicant, node = *）")
    d.image(chart_control(control, analysis.options.control_weights, cutoff), "专利控制力前10名（tables/control_power.csv）")
    if "landscape_history" in t and len(t["landscape_history"]):
        d.h("专利控制力与竞争格局的历史演进", 2)
        d.p(DEFINITIONS["landscape_history"][0])
        whole = t["landscape_history"][t["landscape_history"]["node"] == CHAIN]
        d.table(whole, {"window": "时段", "units": "件/族", "applicants": "活跃申请人", "cr4": "申请CR4", "hhi": "HHI",
                        "entrant_share": "新进入者份额", "leader_persistence": "申请前4延续率",
                        "control_top4": "控制力前4占比", "control_persistence": "控制力前4延续率"},
                "tables/landscape_history.csv（node = *）")
    conc = t["concentration"].assign(name=lambda f: f["node"].map(lambda n: _label(names, n)))
    d.h("市场集中度", 2)
    d.table(conc, {"name": "节点", "applicants": "申请人数", "cr4": "CR4", "hhi": "HHI"}, "tables/concentration.csv",
            limit=60)

    # 4 positioning
    chapters.append("4 区域产业发展定位")
    d.h(chapters[-1])
    positions = t.get("positioning_nodes", pd.DataFrame())
    if zone is None or positions.empty:
        d.p("未指定分析区域（patnav analyze --zone …），本章与第5、6章从略。")
    else:
        pos = positions.assign(name=lambda f: f["node"].map(lambda n: _label(names, n)),
                               quadrant_zh=lambda f: f["quadrant"].map(QUADRANT_LABELS).fillna(f["quadrant"]))
        d.table(pos, {"name": "节点", "zone_units": "区域件/族", "zone_share": "占全球", "rta_world": "RTA",
                      "zone_cagr": "区域增长", "quadrant_zh": "定位"}, "tables/positioning_nodes.csv", limit=60)
        d.image(chart_position(positions, analysis.nodes, cutoff), "区域产业结构定位矩阵（tables/positioning_nodes.csv）")
        d.h("问题诊断", 2)
        for r in t["positioning_diagnosis"].itertuples():
            d.p(f"{r.text_zh}（依据：{r.evidence}）")

    # 5 pathways
    chapters.append("5 产业发展路径导航")
    d.h(chapters[-1])
    if zone is not None and not positions.empty:
        for name, (zh, _) in PATHS.items():
            table = t.get(f"pathway_{name}", pd.DataFrame())
            d.h(zh, 2)
            if table.empty:
                d.p("数据中没有满足该路径规则的候选。")
                continue
            shown = table.groupby("kind", sort=False).head(5).assign(
                node_name=lambda f: f["node"].map(lambda n: _label(names, n)))
            d.table(shown, {"kind": "类别", "node_name": "节点", "candidate": "候选", "score": "得分", "priority": "优先级",
                            "reason_zh": "理由"}, f"tables/pathway_{name}.csv（每类前5项）", limit=40)
        d.h("建议", 2)
        for level, text in recommendations(t, names):
            d.p(f"【{level}】{text}")
    else:
        d.p("未指定分析区域，路径从略。")

    # 6 layout plan
    chapters.append("6 产业专利布局规划")
    d.h(chapters[-1])
    plan = t.get("plan", pd.DataFrame())
    if plan.empty:
        d.p("未指定分析区域或数据没有完整年份，布局规划从略。")
    else:
        d.p(DEFINITIONS["plan"][0])
        from analytics.plan import staleness
        if staleness(plan):
            d.p("注意：" + staleness(plan).split(" — ")[0])
        first, last = int(plan["year"].min()), int(plan["year"].max())
        for year in (first, last):
            rows = plan[plan["year"] == year]
            d.h(f"{year}年布局目标", 2)
            d.table(rows.assign(stage=rows["stage"].map(STAGE_ZH).fillna(rows["stage"])),
                    {"name_zh": "节点", "stage": "阶段", "current_units": f"{rows['fitted_years'].iloc[0]}年均",
                     "target_units": "目标件/族",
                           "target_low": "下限", "target_high": "上限", "invention_share_target": "发明占比",
                           "high_value_target": "高价值件/族", "overseas_share_target": "海外/PCT占比",
                           "offices": "布局受理局"}, f"tables/plan.csv（year = {year}）", limit=60)
        d.image(chart_plan(plan, cutoff), f"{last}年各节点布局目标（tables/plan.csv）")
        d.h("时机、地域与储备运营", 2)
        for r in plan[plan["year"] == first].itertuples():
            d.p(f"{r.name_zh}：{r.timing_zh}；布局受理局 {r.offices or '—'}"
                + (f"（空白局 {r.blank_offices}）" if isinstance(r.blank_offices, str) and r.blank_offices else "")
                + (f"；储备运营：{r.operation_zh}" if isinstance(r.operation_zh, str) and r.operation_zh else "") + "。")
        d.h("推导依据", 2)
        for r in plan[plan["year"] == first].itertuples():
            d.p(f"{r.name_zh}：{r.basis_zh}")

    # 7 appendix
    chapters.append("7 附录：方法、公式与查询")
    d.h(chapters[-1])
    d.p(COUNTING[0])
    for name in t:
        ind = INDICATORS[name]
        d.h(f"{ind.title_zh}（{name}）", 3)
        d.p(DEFINITIONS.get(name, ("", ""))[0])
        d.p("查询：" + "、".join(f"queries/{q}.cypher" for q in ind.queries), italic=True)
    d.h("参数", 3)
    d.p(json.dumps(run.get("parameters", {}), ensure_ascii=False, default=str))
    d.save(path)
    return {"chapters": chapters, "charts": d.charts}


def recommendations(t: dict[str, pd.DataFrame], names: pd.Series) -> list[tuple[str, str]]:
    """Recommendations at the two levels the seed asks for — government (planning, attraction, platforms)
    and enterprises (R&D direction, filing, partners, patents to use or buy) — each naming its table."""
    out = []

    def first(table: str, kind: str, n: int = 3) -> pd.DataFrame:
        frame = t.get(table, pd.DataFrame())
        return frame[frame["kind"] == kind].head(n) if len(frame) else frame

    def listed(frame: pd.DataFrame, col: str = "candidate") -> str:
        return "、".join(f"{r[col]}（{fmt('score', r['score'])}分）" for r in frame.to_dict("records"))
    fill, strengthen = first("pathway_structure", "fill"), first("pathway_structure", "strengthen")
    if len(strengthen) or len(fill):
        out.append(("政府 government", "产业规划：强链" + ("、".join(_label(names, n) for n in strengthen["node"])
                                                      or "（数据中本区域没有优势节点）")
                    + "；补链" + ("、".join(_label(names, n) for n in fill["node"]) or "（没有符合规则的节点）")
                    + "（tables/pathway_structure.csv）。"))
    for level, table, kind, head, tail in (
            ("政府 government", "pathway_enterprises", "attract", "招商引资：优先接洽", ""),
            ("政府 government", "pathway_technology", "partner", "创新平台：与", "共建平台或开展技术转移"),
            ("政府 government", "pathway_talent", "recruit", "人才引进：关注", ""),
            ("企业 enterprises", "pathway_enterprises", "cultivate", "重点培育企业", "加大目标节点研发与申请")):
        frame = first(table, kind)
        if len(frame):
            out.append((level, f"{head}{listed(frame)}{tail}（tables/{table}.csv，kind = {kind}）。"))
    plan = t.get("plan", pd.DataFrame())
    if len(plan):
        blank = plan[(plan["year"] == plan["year"].min()) & plan["blank_offices"].fillna("").ne("")]
        if len(blank):
            out.append(("企业 enterprises", "海外布局：" + "；".join(f"{r.name_zh}宜在{r.blank_offices}布局"
                                                                 for r in blank.head(4).itertuples()) + "（tables/plan.csv）。"))
    for kind, label in (("licensable", "可许可使用"), ("free", "可免费使用"), ("acquire", "可收购")):
        frame = first("pathway_patent_use" if kind != "acquire" else "pathway_reserve", kind)
        if len(frame):
            out.append(("企业 enterprises", f"{label}的专利：" + listed(frame)
                        + f"（tables/{'pathway_patent_use' if kind != 'acquire' else 'pathway_reserve'}.csv，kind = {kind}）。"))
    return out


def write_deliverables(out: Path, analysis, chain, run: dict) -> dict:
    """``report.docx`` and ``tables.xlsx`` beside the atlas; returns what run.json records of them."""
    out = Path(out)
    cutoff = str((run.get("graph") or {}).get("latest_pub") or "")
    write_workbook(out / "tables.xlsx", analysis.tables, cutoff, max_rows=SHEET_ROWS)
    made = write_report(out / "report.docx", analysis, chain, run)
    return {"report": "report.docx", "workbook": "tables.xlsx", **made}
