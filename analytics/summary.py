"""The plain-language direction summary (发展方向结论): one sentence per finding, each citing its numbers.

Built from the other direction tables only — nothing here queries anything the tables do not show —
so every sentence can be checked against ``tables/*.csv``. Chinese first, English beside it.
"""

from __future__ import annotations

import pandas as pd

from analytics.cypher import run_query
from analytics.direction import STAGE_ZH
from analytics.frames import CHAIN
from analytics.history import history_sentences
from analytics.options import Options
from analytics.transfer import rank_correlations
from graph.store import GraphStore



def _pct(v: float) -> str:
    return f"{v:.1%}"


def _pp(v: float) -> str:
    return f"{v * 100:+.1f}"


def summary_rows(names: dict[str, tuple[str, str]], correlation: pd.DataFrame, ranks: pd.DataFrame,
                 hotspots: pd.DataFrame, lifecycle: pd.DataFrame, control: pd.DataFrame,
                 economic: bool = False) -> pd.DataFrame:
    """Sentences from the tables; ``names`` maps node id → (Chinese, English) name; ``economic`` says
    whether the analyst supplied economic data (else the summary says it is missing)."""
    rows: list[dict] = []

    def add(topic: str, zh: str, en: str, evidence: str) -> None:
        rows.append({"topic": topic, "text_zh": zh, "text_en": en, "evidence": evidence})

    def zh(node: str) -> str:
        return names.get(node, (node, node))[0]

    def en(node: str) -> str:
        return names.get(node, (node, node))[1]

    moved = correlation.dropna(subset=["shift"]).sort_values("shift")
    if len(moved):
        up, down = moved.tail(3).iloc[::-1], moved.head(3)
        windows = f"{moved['window_before'].iloc[0]} → {moved['window_after'].iloc[0]}"
        add("structure", f"产业结构调整方向（{windows}）：专利份额上升最多的节点为" + "、".join(
            f"{zh(r.node)}（{_pct(r.share_before)}→{_pct(r.share_after)}，{_pp(r.shift)}个百分点）"
            for r in up.itertuples() if r.shift > 0) + "；下降最多的为" + "、".join(
            f"{zh(r.node)}（{_pp(r.shift)}个百分点）" for r in down.itertuples() if r.shift < 0) + "。",
            f"Structure shift ({windows}): the largest share gains are " + ", ".join(
                f"{en(r.node)} ({_pct(r.share_before)} → {_pct(r.share_after)}, {_pp(r.shift)} pp)"
                for r in up.itertuples() if r.shift > 0) + "; the largest losses " + ", ".join(
                f"{en(r.node)} ({_pp(r.shift)} pp)" for r in down.itertuples() if r.shift < 0) + ".",
            "correlation.csv: share_before, share_after, shift")
    def listing(topic: str, items: pd.DataFrame, head_zh: str, head_en: str, item_zh, item_en, evidence: str):
        """One sentence naming ``items`` in order, each with its numbers (Chinese 、, English commas)."""
        if len(items):
            rs = list(items.itertuples())
            add(topic, head_zh + "、".join(map(item_zh, rs)) + "。", head_en + ", ".join(map(item_en, rs)) + ".", evidence)

    def ranked(kind: str, n: int) -> pd.DataFrame:
        return hotspots[(hotspots["kind"] == kind) & hotspots["rank"].notna()].sort_values("rank").head(n)

    fast = ranked("node", 3)
    fast = fast[fast["cagr"] > 0]  # a shrinking node is no key direction, however it ranks
    span = f"{int(fast['start'].iloc[0])}–{int(fast['end'].iloc[0])}" if len(fast) else ""
    listing("technology", fast, f"重点技术方向（{span}年复合增长率最高的节点）：",
            f"Key technology directions (highest CAGR {span}): ",
            lambda r: f"{zh(r.key)}（{int(r.value_start)}→{int(r.value_end)}件/族，年均{_pct(r.cagr)}）",
            lambda r: f"{en(r.key)} ({int(r.value_start)} → {int(r.value_end)} units, {_pct(r.cagr)} a year)",
            "hotspots.csv: kind = node")
    listing("technology", ranked("ipc_group", 5), "增长最快的IPC大组：", "Fastest-growing IPC main groups: ",
            lambda r: f"{r.key}（{int(r.value_start)}→{int(r.value_end)}，年均{_pct(r.cagr)}）",
            lambda r: f"{r.key} ({int(r.value_start)} → {int(r.value_end)}, {_pct(r.cagr)} a year)",
            "hotspots.csv: kind = ipc_group")
    listing("technology", hotspots[hotspots["kind"] == "new_ipc_group"].head(5), "新出现的IPC大组：",
            "IPC main groups new to the chain: ",
            lambda r: f"{r.key}（{int(r.first_year)}年起，{int(r.value_end)}件/族）",
            lambda r: f"{r.key} (since {int(r.first_year)}, {int(r.value_end)} units)",
            "hotspots.csv: kind = new_ipc_group")
    listing("market", ranked("office", 3), "市场热点（申请份额上升最多的受理局）：",
            "Market hotspots (filing offices gaining share): ",
            lambda r: f"{r.key}（{_pct(r.share_before)}→{_pct(r.share_after)}）",
            lambda r: f"{r.key} ({_pct(r.share_before)} → {_pct(r.share_after)})", "hotspots.csv: kind = office")
    staged = lifecycle[lifecycle["stage"].isin(STAGE_ZH)]
    if len(staged):
        counts = staged.groupby("stage")["node"].agg(list)
        parts = [(s, counts[s]) for s in STAGE_ZH if s in counts.index]
        add("lifecycle", "技术生命周期：" + "；".join(f"{STAGE_ZH[s]}{len(v)}个（{'、'.join(zh(n) for n in v[:4])}"
                                                  f"{'等' if len(v) > 4 else ''}）" for s, v in parts) + "。",
            "Lifecycle: " + "; ".join(f"{len(v)} {s} ({', '.join(en(n) for n in v[:4])}{' …' if len(v) > 4 else ''})"
                                      for s, v in parts) + ".", "lifecycle.csv: stage")
    whole = control[(control["node"] == CHAIN) & (control["actor"] != "")]
    for kind, zh_kind in (("applicant", "申请人"), ("country", "国家")):
        listing("control", whole[whole["actor_type"] == kind].sort_values("rank").head(3),
                f"专利控制力最强的{zh_kind}：", f"Strongest patent control ({kind}): ",
                lambda r: f"{r.name}（{r.units:.1f}件/族，指数{r.index:.3f}：技术{r.technology_control:.2f}，"
                          f"产品{r.product_control:.2f}，市场{r.market_control:.2f}）",
                lambda r: f"{r.name} ({r.units:.1f} units, index {r.index:.3f}: technology {r.technology_control:.2f}, "
                          f"product {r.product_control:.2f}, market {r.market_control:.2f})",
                f"control_power.csv: actor_type = {kind}, node = *")
    if not economic:
        add("supply_demand", "未提供产业经济数据（--economic 文件），无法计算专利份额与产值/市场规模的秩相关。",
            "No economic data per node was given (--economic FILE.csv): the rank correlation of patent share "
            "with output value or market size is not computed.", "correlation.csv")
    for r in ranks.itertuples():
        if pd.isna(r.rho):
            add("supply_demand", f"{r.measure}：有效节点{r.nodes}个，不足以计算秩相关。",
                f"{r.measure}: {r.nodes} nodes with a value, too few for a rank correlation.", "correlation.csv")
        else:
            label, label_en = ("节点权重", "the node weight of the chain ontology") if r.measure == "weight" \
                else (r.measure, r.measure)
            add("supply_demand", f"节点专利份额与{label}的Spearman秩相关 ρ = {r.rho:.2f}（p = {r.p_value:.3f}，{r.nodes}个节点）"
                + ("，在5%水平上显著。" if r.p_value < 0.05 else "，不显著（p ≥ 0.05），不能据此判断二者相关。"),
                f"Spearman rank correlation of node patent share with {label_en}: ρ = {r.rho:.2f} "
                f"(p = {r.p_value:.3f}, {r.nodes} nodes)" + (" — significant at the 5% level." if r.p_value < 0.05
                else " — not significant (p ≥ 0.05): no relation can be read from it."),
                f"correlation.csv: share, {r.measure}")
    return pd.DataFrame(rows, columns=["topic", "text_zh", "text_en", "evidence"])


def direction_summary(store: GraphStore, scheme: str, options: Options | None = None) -> pd.DataFrame:
    """Plain-language conclusions of the direction module (结构调整方向、重点技术方向、市场热点、控制力),
    each sentence quoting the numbers of the table named in ``evidence``.

    Returns columns: topic (structure / technology / market / lifecycle / control / supply_demand /
    control_history), text_zh, text_en, evidence.
    """
    from analytics.registry import INDICATORS
    options = options or Options()
    nodes = run_query(store, "chain_nodes", scheme=scheme)
    names = {r.node: (r.name_zh, r.name_en) for r in nodes.itertuples()}
    tables = {n: INDICATORS[n].run(store, scheme, options)
              for n in ("correlation", "hotspots", "lifecycle", "control_power", "control_history",
                        "landscape_history", "control_market")}
    rows = summary_rows(names, tables["correlation"], rank_correlations(tables["correlation"]), tables["hotspots"],
                        tables["lifecycle"], tables["control_power"], economic=options.economic is not None)
    later = history_sentences(names, tables["control_history"], tables["landscape_history"],
                              tables["control_market"], options.market is not None)
    return pd.concat([rows, pd.DataFrame(later, columns=rows.columns)], ignore_index=True) if later else rows
