"""Path 2 — enterprises (企业整合、引进与培育): firms to attract into the zone, local firms to cultivate, and
partners of the nation to integrate with (REFERENCES §2.2).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analytics.frames import CHAIN
from analytics.options import Options
from analytics.pathways import MIN_UNITS, empty, evidence, num, pct
from analytics.pathways.inputs import Inputs, filed_in, growth, node_label, run_path, top_patents
from analytics.pathways.structure import targets
from analytics.positioning.enterprises import TIER_RANKS
from graph.store import GraphStore

#: cultivation leaves out the nation's leaders and challengers of the chain (module 2's tiers: rank ≤ 20 among
#: the nation's applicants): 专精特新 candidates are the growing followers (REFERENCES §2.2, "not only top-500
#: firms"; patent data cannot tell a firm's size, its rank in the chain stands in)
LEADER_RANK = TIER_RANKS[1]


def outside(chain: pd.DataFrame, org: pd.Series, zone_orgs: set) -> pd.Series:
    """Per applicant: located outside the zone — of another known country, or of the zone's country with a
    known region (6-digit code) outside the zone — and not of an organisation (vendor group) with a member
    in the zone (a local firm's subsidiary abroad is not a firm to attract). An applicant of the nation
    whose region is unknown may be in the zone, so it is not outside (unknown is not evidence)."""
    per = chain.groupby("applicant").agg(zone=("zone", "any"), nation=("nation", "any"), country=("country", "first"),
                                         region=("region", "first"))
    placed = per["region"].fillna("").astype(str).str.len().eq(6)
    foreign = per["country"].fillna("").ne("") & ~per["nation"]
    local_org = per.index.map(org).isin(zone_orgs)
    return ~per["zone"] & ~local_org & (foreign | (per["nation"] & placed))


def node_units(actors: pd.DataFrame) -> pd.DataFrame:
    """Units per (node, applicant) and their share of the node's units."""
    per = actors.groupby(["node", "applicant"])["w"].sum().rename("units").reset_index()
    per["share"] = per["units"] / per.groupby("node")["units"].transform("sum")
    return per


def attract_parts(data: Inputs, options: Options) -> pd.DataFrame:
    """Per candidate (an enterprise located outside the zone with at least ``MIN_UNITS`` units in the fill and
    extend nodes) the four
    parts of the attraction score, each in [0, 1]:

    - complementarity = (u / max u + s / max s + g) / 3: u = its units (chain-level parts) in the target
      nodes, s = its largest share of a target node's units, g = growth of those units (:func:`growth`);
    - expansion = (growth of all its chain units + the share of its units filed in the zone's country +
      a presence there: it or a member of its group is of the zone's country) / 3;
    - local = the zone's units in the nodes adjacent through ``SUPPLIES`` to its main target node (the one
      where it holds most units; ties by node id) / the zone's units in the chain, at most 1;
    - policy = the zone file's priority weight of that node (0 without one).

    Members of one organisation (vendor group: Ford Global Technologies and its name variants, GM and
    Cruise) are one candidate, its best-scoring member.
    """
    zone = options.zone
    aims = targets(data.structure)
    chain = data.chain
    out = outside(chain, data.org, data.zone_orgs)
    firms = chain.groupby("applicant")["type"].first().eq("enterprise")
    pool = set(out[out & firms.reindex(out.index, fill_value=False)].index)
    in_aims = data.actors[data.actors["node"].isin(aims) & data.actors["applicant"].isin(pool)]
    if in_aims.empty:
        return pd.DataFrame()
    per_node = node_units(data.actors[data.actors["node"].isin(aims)])
    per_node = per_node[per_node["applicant"].isin(pool)]
    main = per_node.sort_values(["applicant", "units", "node"], ascending=[True, False, True], kind="mergesort") \
        .groupby("applicant").head(1).set_index("applicant")
    target_units = chain[chain["applicant"].isin(pool) & chain["unit"].isin(set(in_aims["unit"]))]
    target_units = target_units.merge(in_aims[["unit", "applicant"]].drop_duplicates(), on=["unit", "applicant"])
    u = target_units.groupby("applicant")["w"].sum()
    u = u[u >= MIN_UNITS]  # one or two filings are no evidence of strength
    if u.empty:
        return pd.DataFrame()
    per_node = per_node[per_node["applicant"].isin(set(u.index))]
    main = main.loc[u.index]
    s = per_node.groupby("applicant")["share"].max()
    g_t = growth(target_units, "applicant", data.last, options.recent_years)
    mine = chain[chain["applicant"].isin(set(u.index))]
    g_all = growth(mine, "applicant", data.last, options.recent_years)
    home = mine["unit"].isin(filed_in(data.offices, zone.country))
    cn = (mine["w"].astype(float) * home.astype(float)).groupby(mine["applicant"]).sum() / mine.groupby("applicant")["w"].sum()
    groups = data.groups
    present = _present(mine, groups, chain, zone.country)
    adjacent = _adjacent(data.links)
    zone_units = data.positions.set_index("node")["zone_units"]
    total = float(zone_units.get(CHAIN, 0.0))
    local_units = main["node"].map(lambda n: float(sum(zone_units.get(m, 0.0) for m in adjacent.get(n, ()))))
    priorities = dict(zone.priorities)
    code = {n: n.split(":", 1)[-1] for n in main["node"]}
    frame = pd.DataFrame({"units": u, "share": s, "node": main["node"], "node_units": main["units"],
                          "node_share": main["share"], "growth_target": g_t["growth"], "recent": g_t["recent"],
                          "before": g_t["before"], "growth_all": g_all["growth"].reindex(u.index),
                          "home_share": cn.reindex(u.index).fillna(0.0), "present": present.reindex(u.index)
                          .fillna(False).astype(float), "local_units": local_units.reindex(u.index)}).reindex(u.index)
    frame["complementarity"] = (frame["units"] / frame["units"].max() + frame["share"] / frame["share"].max()
                                + frame["growth_target"]) / 3
    frame["expansion"] = (frame["growth_all"] + frame["home_share"] + frame["present"]) / 3
    frame["local"] = (frame["local_units"] / total).clip(upper=1.0) if total > 0 else 0.0
    frame["policy"] = [float(priorities.get(n, priorities.get(code[n], 0.0))) for n in frame["node"]]
    w = np.asarray(options.attract_weights, dtype=float)
    frame["score"] = 100 * (frame[["complementarity", "expansion", "local", "policy"]].to_numpy() @ w) / w.sum()
    # one organisation is one firm to attract: its best-scoring member (ties by applicant id) stands for it
    frame["org"] = frame.index.map(data.org)
    frame = frame.assign(_id=frame.index).sort_values(["score", "_id"], ascending=[False, True], kind="mergesort")
    return frame[~frame["org"].duplicated()].drop(columns="_id")


def _adjacent(links: pd.DataFrame) -> dict[str, tuple[str, ...]]:
    both = pd.concat([links, links.rename(columns={"source": "target", "target": "source"})])
    return {n: tuple(sorted(set(g["target"]))) for n, g in both.groupby("source")}


def _present(mine: pd.DataFrame, groups: pd.DataFrame, chain: pd.DataFrame, country: str) -> pd.Series:
    """Per applicant of ``mine``: of the zone's country, or its group (or another member of it) is."""
    nation = chain.groupby("applicant")["nation"].any()
    own = mine.groupby("applicant")["nation"].any().astype(bool)
    if groups.empty:
        return own
    members = pd.concat([groups, pd.DataFrame({"from": groups["to"].unique(), "to": groups["to"].unique()})])
    members["nation"] = members["from"].map(nation).fillna(False).astype(bool)
    group_nation = members.groupby("to")["nation"].any()
    mine_groups = members[members["from"].isin(own.index)]
    via = mine_groups["to"].map(group_nation).fillna(False).astype(bool).groupby(mine_groups["from"]).any()
    return own | via.reindex(own.index, fill_value=False)


def attract(data: Inputs, options: Options) -> pd.DataFrame:
    frame = attract_parts(data, options)
    if frame.empty:
        return empty()
    from ingest.regions import area_name
    names = data.chain.groupby("applicant")[["name", "country", "region"]].first()
    proof = top_patents(data.holders, data.value, data.patents, targets(data.structure))
    rows = []
    for a, f in frame.head(options.top_candidates).iterrows():  # the best first: what ``finish`` keeps
        n = names.loc[a]
        placed = isinstance(n["region"], str) and n["region"] != ""
        where = area_name(n["region"]) if placed else n["country"] or "?"
        node = node_label(data.names, f["node"])
        zh = (f"引进：{where}企业，在补链/延链节点持有{num(f['units'])}个单位，最多在{node}（{num(f['node_units'])}个，"
              f"占{pct(f['node_share'])}）；目标节点近{options.recent_years}年{num(f['recent'])}个单位，此前"
              f"{num(f['before'])}个；{pct(f['home_share'])}的单位在中国申请；{'有在华主体' if f['present'] else '数据中未见在华主体'}；"
              f"区域在相邻供给节点有{num(f['local_units'])}个单位。")
        en = (f"attract: a firm of {where} with {num(f['units'])} units in the fill/extend nodes, most in {node} "
              f"({num(f['node_units'])}, {pct(f['node_share'])} of it); {num(f['recent'])} units there in the last "
              f"{options.recent_years} years against {num(f['before'])} before; {pct(f['home_share'])} of its units filed "
              f"in China; {'a presence in China' if f['present'] else 'no presence in China found in the data'}; the zone holds {num(f['local_units'])} "
              f"units in the adjacent supply nodes.")
        rows.append({"kind": "attract", "node": f["node"], "candidate": n["name"], "candidate_id": a,
                     "score": f["score"], "reason_zh": zh, "reason_en": en,
                     "evidence": evidence(location=n["region"] if placed else n["country"], organisation=f["org"],
                                          units=f["units"],
                                          node_units=f["node_units"], node_share=f["node_share"],
                                          recent=f["recent"], before=f["before"], home_share=f["home_share"],
                                          present=bool(f["present"]), local_units=f["local_units"],
                                          policy=f["policy"], patents=proof.get(a, []),
                                          parts={k: f[k] for k in ("complementarity", "expansion", "local",
                                                                   "policy")})})
    return pd.DataFrame(rows)


def cultivate_parts(data: Inputs, options: Options) -> pd.DataFrame:
    """Per local enterprise below the nation's top ``LEADER_RANK`` of the chain, with at least ``MIN_UNITS``
    units and some in the last ``recent_years``: growth (:func:`growth`), invention = the share of its units with an invention
    patent, value = the mean value score of its patents / 100; score = weighted by
    ``options.cultivate_weights``."""
    chain = data.chain
    nation = chain[chain["nation"]].groupby("applicant")["w"].sum().round(9)
    rank = nation.rank(method="min", ascending=False)
    firms = chain[chain["zone"] & chain["type"].eq("enterprise")]
    firms = firms[~firms["applicant"].isin(set(rank[rank <= LEADER_RANK].index))]
    if firms.empty:
        return pd.DataFrame()
    g = growth(firms, "applicant", data.last, options.recent_years)
    size = firms.groupby("applicant")["w"].sum()
    g = g[(g["recent"] > 0) & size.reindex(g.index).ge(MIN_UNITS)]
    firms = firms[firms["applicant"].isin(set(g.index))]
    if firms.empty:
        return pd.DataFrame()
    kinds = data.value[["patent", "unit", "type", "value_score"]]
    held = data.holders[data.holders["applicant"].isin(set(firms["applicant"]))][["patent", "applicant"]] \
        .merge(kinds, on="patent")
    invention = held.assign(inv=held["type"].eq("invention")).groupby(["applicant", "unit"])["inv"].any() \
        .groupby("applicant").mean()
    value = held.groupby("applicant")["value_score"].mean()
    frame = pd.DataFrame({"units": firms.groupby("applicant")["w"].sum(), "recent": g["recent"], "before": g["before"],
                          "growth": g["growth"], "invention": invention, "value": value / 100,
                          "rank_nation": rank})
    frame = frame.loc[g.index]
    frame["size"] = np.log1p(frame["units"].astype(float)) / np.log1p(float(frame["units"].max()))
    w = np.asarray(options.cultivate_weights, dtype=float)
    parts = frame[["growth", "invention", "value", "size"]].fillna(0.0).to_numpy()
    frame["score"] = 100 * (parts @ w) / w.sum()
    main = data.actors[data.actors["node"].ne(CHAIN) & data.actors["applicant"].isin(set(frame.index))]
    main = node_units(main).sort_values(["applicant", "units", "node"], ascending=[True, False, True],
                                        kind="mergesort").groupby("applicant").head(1).set_index("applicant")
    frame["node"] = main["node"].reindex(frame.index).fillna(CHAIN)
    return frame


def cultivate(data: Inputs, options: Options) -> pd.DataFrame:
    frame = cultivate_parts(data, options)
    if frame.empty:
        return empty()
    names = data.chain.groupby("applicant")["name"].first()
    proof = top_patents(data.holders, data.value, data.patents, None)
    rows = []
    for a, f in frame.iterrows():
        rank = "—" if pd.isna(f["rank_nation"]) else str(int(f["rank_nation"]))
        zh = (f"培育：区域企业，链上{num(f['units'])}个单位（全国第{rank}位），近{options.recent_years}年"
              f"{num(f['recent'])}个、此前{num(f['before'])}个；发明占{pct(f['invention'])}，平均价值分"
              f"{num(100 * f['value'])}。")
        en = (f"cultivate: a zone firm with {num(f['units'])} units in the chain (rank {rank} in the nation); "
              f"{num(f['recent'])} units in the last {options.recent_years} years against {num(f['before'])} before; "
              f"inventions {pct(f['invention'])}, mean value score {num(100 * f['value'])}.")
        rows.append({"kind": "cultivate", "node": f["node"], "candidate": names.get(a, a), "candidate_id": a,
                     "score": f["score"], "reason_zh": zh, "reason_en": en,
                     "evidence": evidence(units=f["units"], rank_nation=None if rank == "—" else int(rank),
                                          recent=f["recent"], before=f["before"], invention=f["invention"],
                                          value=100 * f["value"], patents=proof.get(a, []),
                                          parts={k: f[k] for k in ("growth", "invention", "value", "size")})})
    return pd.DataFrame(rows)


def integrate(data: Inputs, options: Options) -> pd.DataFrame:
    """Applicants of the nation located outside the zone (:func:`outside`: a known region elsewhere, not of a
    zone firm's group; not individuals) that already co-apply with the zone's applicants: score = 100 ×
    (min(joint / ``MIN_UNITS``, 1) + u / max u) / 2, joint = units shared with a zone applicant, u = its
    units in the target nodes (0 when no fill or extend node)."""
    chain = data.chain
    zone_units = set(chain.loc[chain["zone"], "unit"])
    away = outside(chain, data.org, data.zone_orgs)
    others = chain[chain["applicant"].isin(set(away[away].index)) & chain["nation"] & chain["type"].ne("individual")
                   & chain["unit"].isin(zone_units)]
    if others.empty:
        return empty()
    joint = others.groupby("applicant")["unit"].nunique()
    aims = set(targets(data.structure))
    in_aims = data.actors[data.actors["node"].isin(aims) & data.actors["applicant"].isin(set(joint.index))]
    u = in_aims.drop_duplicates(["unit", "applicant"]).merge(chain[["unit", "applicant", "w"]], on=["unit", "applicant"],
                                                             suffixes=("_node", "")).groupby("applicant")["w"].sum()
    u = u.reindex(joint.index, fill_value=0.0)
    score = 100 * ((joint / MIN_UNITS).clip(upper=1.0) + (u / u.max() if u.max() > 0 else 0.0)) / 2
    names = chain.groupby("applicant")["name"].first()
    proof = top_patents(data.holders[data.holders["patent"].isin(set(
        data.value.loc[data.value["unit"].isin(zone_units), "patent"]))], data.value, data.patents, None)
    rows = []
    for a in joint.index:
        zh = f"整合：全国（区外）申请人，已与区域申请人共同申请{int(joint[a])}个单位，在补链/延链节点有{num(u[a])}个单位。"
        en = (f"integrate: an applicant of the nation outside the zone that co-applied for {int(joint[a])} units with "
              f"the zone's applicants; {num(u[a])} units in the fill/extend nodes.")
        rows.append({"kind": "integrate", "node": CHAIN, "candidate": names.get(a, a), "candidate_id": a,
                     "score": score[a], "reason_zh": zh, "reason_en": en,
                     "evidence": evidence(joint=int(joint[a]), target_units=u[a], patents=proof.get(a, []))})
    return pd.DataFrame(rows)


def pathway_enterprises(store: GraphStore, scheme: str, options: Options | None = None) -> pd.DataFrame:
    """Enterprise path (企业整合、引进与培育).

    attract (招商) — enterprises located outside the zone (:func:`outside`: of another country, or placed
    in the nation outside the zone; an applicant of the nation with no known region is not a candidate) with
    units in the structure path's fill or extend nodes; score = w₁·complementarity + w₂·expansion +
    w₃·local + w₄·policy (:func:`attract_parts`), weights ``options.attract_weights`` = 40 / 30 / 20 / 10
    after the park-investment practice (产业链互补性 / 选址扩产可能性 / 本地产业配套 / 政策契合度); top 50.
    cultivate (培育, 专精特新 candidates) — the zone's enterprises below the nation's top 20 of the chain (module 2's leaders and
    challengers), with
    ≥ 3 units and filings lately (:func:`cultivate_parts`). integrate (整合) — :func:`integrate`. Every candidate lists its best
    patents (by value score) as evidence.

    Returns the pathway columns. Empty without a zone.
    """
    def build(data: Inputs, opts: Options) -> pd.DataFrame:
        frames = [f for f in (attract(data, opts), cultivate(data, opts), integrate(data, opts)) if len(f)]
        return pd.concat(frames, ignore_index=True) if frames else empty()
    return run_path(store, scheme, options, "enterprises", build)
