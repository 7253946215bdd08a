"""Paths 5 and 6 — patent joint use (专利协同运用) and patent reserve and operation (专利储备运营): patents free
to use, expiring soon, licensable, pools of the zone's holders; risk patents, acquisition candidates and a
reserve pool per node (REFERENCES §2.5).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analytics.frames import CHAIN
from analytics.options import Options
from analytics.pathways import empty, evidence, num
from analytics.pathways.inputs import Inputs, filed_in, run_path
from analytics.pathways.partners import ACADEMIC
from analytics.pathways.structure import targets
from analytics.pathways.value import STATES
from graph.store import GraphStore
from ingest.vectors import isin_text, lists_per_group

#: expiry windows in months (REFERENCES §2.5, industry-chain-intelligence P6): < 6, 6–12, 12–24
EXPIRY_WINDOWS = ((6, "<6"), (12, "6–12"), (24, "12–24"))
#: a pool needs at least this many zone holders, each with at least POOL_PATENTS live patents in the node
POOL_HOLDERS = 2
POOL_PATENTS = 2
#: a dominant outside actor of a node: among its RISK_RANK largest applicants by units
RISK_RANK = 10


def expiry_window(months: pd.Series) -> pd.Series:
    """The window label of months to expiry.

    >>> expiry_window(pd.Series([2.0, 6.0, 11.9, 12.0, 24.0, 30.0])).tolist()
    ['<6', '6–12', '6–12', '12–24', '12–24', '']
    """
    m = months.astype(float)
    return pd.Series(np.select([m < 6, m < 12, m <= 24], ["<6", "6–12", "12–24"], ""), index=months.index)


def patent_nodes(data: Inputs, nodes: list[str]) -> pd.DataFrame:
    """The patents of ``nodes`` with their value rows, their first node (sorted) and all their nodes there."""
    p = data.patents[data.patents["node"].isin(nodes)]
    per = lists_per_group(p["patent"].astype(object), p["node"].astype(object))
    out = data.value[isin_text(data.value["patent"], per.index.to_series())].copy()
    out["nodes"] = out["patent"].astype(object).map(per).to_numpy()
    out["node"] = [v[0] for v in out["nodes"]]
    return out


def held(data: Inputs, nodes: list[str]) -> pd.DataFrame:
    """:func:`patent_nodes` with each patent's first holder (by applicant id), its type, and whether a zone
    applicant holds it; a patent the export names no applicant for has holder '' and is not the zone's."""
    h = data.holders.sort_values(["patent", "applicant"])
    first = h.groupby("patent").agg(holder=("name", "first"), holder_id=("applicant", "first"),
                                    holder_type=("type", "first"), zone_held=("zone_org", "any"))
    out = patent_nodes(data, nodes).join(first, on="patent")
    out["holder"] = out["holder"].fillna("未知申请人 unknown applicant")
    out[["holder_id", "holder_type"]] = out[["holder_id", "holder_type"]].fillna("")
    out["zone_held"] = out["zone_held"].fillna(False).astype(bool)
    return out


def _patent_row(kind: str, r, zh: str, en: str, **extra) -> dict:
    return {"kind": kind, "node": r.node, "candidate": f"{r.patent} {r.title}".strip(), "candidate_id": r.patent,
            "score": r.value_score, "reason_zh": zh, "reason_en": en,
            "evidence": evidence(patents=[r.patent], nodes=r.nodes, value_score=r.value_score, state=r.state,
                                 expiry_date=str(r.expiry_date), months_left=r.months_left, holder=r.holder,
                                 **extra)}


def _top(frame: pd.DataFrame, n: int) -> pd.DataFrame:
    """The ``n`` best patents by value score (ties by id): what ``finish`` keeps, chosen before any sentence
    is written."""
    return frame.sort_values(["value_score", "patent"], ascending=[False, True], kind="mergesort").head(n)


def patent_use(data: Inputs, options: Options) -> pd.DataFrame:
    aims = targets(data.structure)
    strong = targets(data.structure, ("strengthen",))
    rows = []
    frame = held(data, aims)
    free = frame[frame["state"].isin(["expired", "lapsed"]) & (frame["value_score"] >= options.high_value)]
    for r in _top(free, options.top_candidates).itertuples():
        zh = (f"免费使用：{STATES[r.state][0]}专利（{r.holder}），价值分{num(r.value_score)}，估计届满日{r.expiry_date}；"
              f"技术可无偿实施。")
        en = (f"free to use: {STATES[r.state][1]} patent of {r.holder}, value score {num(r.value_score)}, estimated "
              f"expiry {r.expiry_date}.")
        rows.append(_patent_row("free", r, zh, en))
    wide = held(data, sorted(set(aims) | set(strong)))
    soon = wide[wide["state"].eq("active") & wide["months_left"].gt(0) & wide["months_left"].le(options.expiry_months)]
    soon = soon.assign(window=expiry_window(soon["months_left"]))
    for r in _top(soon, options.top_candidates).itertuples():
        zh = (f"即将届满：{r.holder}的有效专利，{num(r.months_left)}个月后（{r.expiry_date}）届满（{r.window}个月），"
              f"价值分{num(r.value_score)}；届满后可实施，可提前布局改进型专利。")
        en = (f"expiring: {r.holder}'s patent in force expires in {num(r.months_left)} months ({r.expiry_date}, window "
              f"{r.window}), value score {num(r.value_score)}; plan improvements around it.")
        rows.append(_patent_row("expiring", r, zh, en, window=r.window))
    taken = frame[["transfers", "licences"]].apply(pd.to_numeric).fillna(0).sum(axis=1) > 0
    lic = frame[frame["state"].eq("active") & frame["holder_type"].isin(ACADEMIC) & ~frame["zone_held"] & ~taken]
    for r in _top(lic, options.top_candidates).itertuples():
        zh = f"许可：{r.holder}的有效专利，价值分{num(r.value_score)}，剩余约{num(r.months_left)}个月；可洽谈许可或转让。"
        en = (f"licensable: a patent in force of {r.holder} ({r.holder_type}), value score {num(r.value_score)}, about "
              f"{num(r.months_left)} months of term left.")
        rows.append(_patent_row("licensable", r, zh, en))
    rows += _pools(data, sorted(set(aims) | set(strong)))
    return pd.DataFrame(rows) if rows else empty()


def _pools(data: Inputs, nodes: list[str]) -> list[dict]:
    """Pool candidates: per node, the zone's holders (organisations: name variants and group members are one
    holder) with at least ``POOL_PATENTS`` patents in force or pending there; a node with at least ``POOL_HOLDERS`` of them is a candidate; score = 100 × (min(holders
    / 5, 1) + mean value score / 100) / 2."""
    live = data.value[data.value["state"].isin(["active", "pending"])][["patent", "value_score"]]
    p = data.patents[data.patents["node"].isin(nodes)][["node", "patent"]].merge(live, on="patent")
    p = p.merge(data.holders[data.holders["zone"]][["patent", "applicant", "name"]], on="patent")
    p["applicant"] = p["applicant"].map(data.org)  # one organisation is one holder, whatever its name variants
    count = p.groupby(["node", "applicant"])["patent"].nunique()
    enough = count[count >= POOL_PATENTS].reset_index()
    rows = []
    for node, g in enough.groupby("node"):
        if len(g) < POOL_HOLDERS:
            continue
        members = p[(p["node"] == node) & p["applicant"].isin(set(g["applicant"]))]
        value = float(members.drop_duplicates("patent")["value_score"].mean())
        score = 100 * (min(len(g) / 5, 1) + value / 100) / 2
        names = members.drop_duplicates("applicant").sort_values("applicant")["name"].tolist()
        zh = (f"专利池：区域{len(g)}家申请人在该节点各有≥{POOL_PATENTS}件有效或审中专利，共"
              f"{members['patent'].nunique()}件，平均价值分{num(value)}；可组建产业专利池：{'、'.join(names[:6])}。")
        en = (f"patent pool: {len(g)} zone applicants each hold ≥ {POOL_PATENTS} patents in force or pending here, "
              f"{members['patent'].nunique()} in all, mean value score {num(value)}: {', '.join(names[:6])}.")
        rows.append({"kind": "pool", "node": node, "candidate": f"{data.names.get(node, node)}专利池 patent pool", "candidate_id": f"pool:{node}",
                     "score": score, "reason_zh": zh, "reason_en": en,
                     "evidence": evidence(holders=len(g), patents=sorted(set(members["patent"]))[:20],
                                          count=int(members["patent"].nunique()), value_score=value,
                                          members=sorted(set(g["applicant"])), member_names=names)})
    return rows


def reserve(data: Inputs, options: Options) -> pd.DataFrame:
    quad = data.positions.set_index("node")["quadrant"]
    weak = sorted(n for n, q in quad.items() if q in ("weak", "gap") and n != CHAIN and n not in data.roots)
    aims = targets(data.structure)
    rows = []
    # risk: patents in force, covering the zone's country, held by a node's dominant outside actors
    per = data.actors[data.actors["node"].isin(weak)].groupby(["node", "applicant"])["w"].sum().reset_index()
    per["rank"] = per.groupby("node")["w"].rank(method="min", ascending=False)
    dominant = per[(per["rank"] <= RISK_RANK) & ~per["applicant"].map(data.org).isin(data.zone_orgs)]
    frame = held(data, weak)
    frame = frame.merge(data.patents[["patent", "node"]].rename(columns={"node": "in_node"}), on="patent")
    frame = frame.merge(data.holders[["patent", "applicant"]], on="patent")
    hit = frame.merge(dominant.rename(columns={"node": "in_node"}), on=["in_node", "applicant"])
    covers = hit["unit"].isin(filed_in(data.offices, data.country))
    risk = hit[hit["state"].eq("active") & covers].sort_values(["patent", "rank"]).drop_duplicates("patent")
    for r in _top(risk, options.top_candidates).itertuples():
        node = data.names.get(r.in_node, r.in_node)
        zh = (f"风险专利：{node}节点第{int(r.rank)}大申请人{r.holder}的有效专利，覆盖中国，价值分{num(r.value_score)}，"
              f"剩余约{num(r.months_left)}个月；区域在该节点薄弱，需监控、规避设计或储备无效证据。")
        en = (f"risk: a patent in force of {r.holder}, rank {int(r.rank)} in {node} where the zone is weak; it "
              f"covers China; value score {num(r.value_score)}, about {num(r.months_left)} months left.")
        rows.append(_patent_row("risk", r._replace(node=r.in_node), zh, en, rank=int(r.rank)))
    # acquire: high-value patents in force in the target nodes held by individuals, academia or idle holders
    idle = _idle(data, options)
    cand = held(data, aims)
    cand = cand[cand["state"].eq("active") & (cand["value_score"] >= options.high_value) & ~cand["zone_held"]]
    why = np.select([cand["holder_type"].eq("individual"), cand["holder_type"].isin(ACADEMIC),
                     cand["holder_id"].isin(idle)], ["individual", "academic", "idle"], "")
    cand = cand.assign(why=why)[why != ""]
    words = {"individual": ("个人", "an individual"), "academic": ("高校院所", "a university or institute"),
             "idle": (f"近{options.recent_years}年无新申请的权利人", f"a holder with no filing in the last "
                      f"{options.recent_years} years")}
    for r in _top(cand, options.top_candidates).itertuples():
        zh = f"收购候选：{words[r.why][0]}（{r.holder}）持有的高价值有效专利，价值分{num(r.value_score)}，剩余约{num(r.months_left)}个月。"
        en = (f"acquire: a high-value patent in force held by {words[r.why][1]} ({r.holder}), value score "
              f"{num(r.value_score)}, about {num(r.months_left)} months left.")
        rows.append(_patent_row("acquire", r, zh, en, holder_kind=r.why))
    table = pd.DataFrame(rows) if rows else empty()
    # the reserve pool per node: what the two whole lists hold there (not only the rows kept above)
    listed = pd.concat([risk.assign(kind="risk", node=risk["in_node"])[["node", "patent", "value_score", "kind"]],
                        cand.assign(kind="acquire")[["node", "patent", "value_score", "kind"]]], ignore_index=True)
    pools = []
    for node, both in listed.groupby("node", sort=True):
        g = both.drop_duplicates("patent")  # a patent both a risk and a target counts once
        n_risk, n_acq = int(both["kind"].eq("risk").sum()), int(both["kind"].eq("acquire").sum())
        value = float(g["value_score"].mean())
        label = data.names.get(node, node)
        zh = f"储备池：{label}节点风险专利{n_risk}件、收购候选{n_acq}件，平均价值分{num(value)}。"
        en = f"reserve pool of {label}: {n_risk} risk patents, {n_acq} acquisition candidates, mean value score {num(value)}."
        pools.append({"kind": "reserve_pool", "node": node, "candidate": f"{label}储备池 reserve pool", "candidate_id": f"reserve:{node}",
                      "score": value, "reason_zh": zh, "reason_en": en,
                      "evidence": evidence(risk=n_risk, acquire=n_acq, value_score=value,
                                           patents=sorted(g["patent"])[:20])})
    return pd.concat([table, pd.DataFrame(pools)], ignore_index=True) if pools else table


def _idle(data: Inputs, options: Options) -> set[str]:
    """Applicants whose organisation (vendor group) has no unit in the last ``recent_years`` (an idle holder
    may sell; Cruise Automation is not idle while GM files)."""
    if data.last is None:
        return set()
    year = data.chain["year"].astype("float64")
    org = data.chain["applicant"].map(data.org)
    lately = set(org[year > data.last - options.recent_years])  # a group that files lately is not idle
    return set(data.chain.loc[~org.isin(lately), "applicant"])


def pathway_patent_use(store: GraphStore, scheme: str, options: Options | None = None) -> pd.DataFrame:
    """Patent joint use (专利协同运用), from ``patent_value``: free — expired or lapsed patents of value
    score ≥ ``high_value`` in the fill and extend nodes (anyone may use them); expiring — patents in force
    in those nodes and the strengthen nodes that expire within ``expiry_months`` (windows < 6, 6–12, 12–24;
    the expiry is estimated from the filing date); licensable — patents in force of universities and
    institutes outside the zone in the fill and extend nodes not already transferred or licensed (where the
    export lists legal events); pool — nodes where at least two zone holders
    each hold two or more live patents (:func:`_pools`). Patent rows score their value score.

    Returns the pathway columns. Empty without a zone.
    """
    return run_path(store, scheme, options, "patent_use", patent_use)


def pathway_reserve(store: GraphStore, scheme: str, options: Options | None = None) -> pd.DataFrame:
    """Patent reserve and operation (专利储备运营): risk — patents in force covering the zone's country, held
    by one of the ten largest applicants outside the zone of a node where the zone is weak or absent;
    acquire — high-value patents in force in the fill and extend nodes held outside the zone by
    individuals, universities or institutes, or holders idle for ``recent_years``; reserve_pool — per node,
    how many of each. Patent rows score their value score.

    Returns the pathway columns. Empty without a zone.
    """
    return run_path(store, scheme, options, "reserve", reserve)
