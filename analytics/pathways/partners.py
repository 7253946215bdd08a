"""Paths 3 and 4 — technology partners (技术引进与协同创新) and talent (人才引进与培养): universities and
institutes strong in the target nodes, and the inventors to recruit, retain or watch (REFERENCES §2.3, §2.4).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analytics.cypher import run_query
from analytics.options import Options
from analytics.pathways import MIN_UNITS, empty, evidence, num, pct
from analytics.pathways.inputs import Inputs, filed_in, run_path, top_patents
from analytics.pathways.structure import targets
from graph.store import GraphStore

ACADEMIC = ("university", "institute")


def _norm(v: pd.Series) -> pd.Series:
    top = v.max()
    return v / top if top > 0 else v * 0.0


def partner_parts(data: Inputs, options: Options) -> pd.DataFrame:
    """Per university or institute with at least ``MIN_UNITS`` units in the fill and extend nodes: units
    (chain-level parts of its units there), licensable = its patents there in force and not transferred
    or licensed (most exports list no events: there every patent in force counts), joint = units shared
    with the zone's applicants of another organisation (vendor group), nation = of the zone's country; an
    institute of a zone firm's group counts as in the zone; score = Σ w · (units / max, licensable
    / max, joint > 0, nation) / Σ w, weights ``options.partner_weights`` (40 / 30 / 20 / 10)."""
    aims = targets(data.structure)
    chain = data.chain
    academic = chain[chain["type"].isin(ACADEMIC)]
    in_aims = set(data.actors.loc[data.actors["node"].isin(aims), "unit"])
    mine = academic[academic["unit"].isin(in_aims)]
    units = mine.groupby("applicant")["w"].sum()
    units = units[units >= MIN_UNITS]
    if units.empty:
        return pd.DataFrame()
    aim_patents = set(data.patents.loc[data.patents["node"].isin(aims), "patent"])
    # in force and not already transferred or licensed (where the export lists events)
    v = data.value
    taken = v[["transfers", "licences"]].apply(pd.to_numeric).fillna(0).sum(axis=1) > 0
    live = set(v.loc[v["state"].eq("active") & ~taken, "patent"])
    held = data.holders[data.holders["applicant"].isin(set(units.index))]
    licensable = held[held["patent"].isin(aim_patents & live)].groupby("applicant")["patent"].nunique()
    zone_rows = chain[chain["zone"]][["unit", "applicant"]]
    pairs = chain[chain["applicant"].isin(set(units.index))][["unit", "applicant"]].merge(zone_rows, on="unit",
                                                                                       suffixes=("", "_zone"))
    # a co-application with another member of its own organisation is no partnership
    other = pairs["applicant"].map(data.org) != pairs["applicant_zone"].map(data.org)
    joint = pairs[other].groupby("applicant")["unit"].nunique()
    flags = chain.groupby("applicant")[["zone", "nation"]].any()
    flags["zone"] = flags["zone"] | flags.index.map(data.org).isin(data.zone_orgs)  # a zone firm's own lab is local
    frame = pd.DataFrame({"units": units, "licensable": licensable.reindex(units.index, fill_value=0),
                          "joint": joint.reindex(units.index, fill_value=0)})
    frame = frame.join(flags)
    x = pd.DataFrame({"units": _norm(frame["units"]), "licensable": _norm(frame["licensable"].astype(float)),
                      "joint": frame["joint"].gt(0).astype(float), "nation": frame["nation"].astype(float)})
    w = np.asarray(options.partner_weights, dtype=float)
    frame["score"] = 100 * (x.to_numpy() @ w) / w.sum()
    frame["parts"] = [dict(zip(x.columns, row)) for row in x.to_numpy()]
    return frame


def technology(data: Inputs, options: Options) -> pd.DataFrame:
    frame = partner_parts(data, options)
    if frame.empty:
        return empty()
    aims = targets(data.structure)
    info = data.chain.groupby("applicant")[["name", "country", "type"]].first()
    proof = top_patents(data.holders, data.value, data.patents, aims)
    main = _main_node(data, aims, frame.index)
    rows = []
    for a, f in frame.iterrows():
        who = info.loc[a]
        where = "区域内" if f["zone"] else "国内" if f["nation"] else f"国外（{who['country'] or '国别未知'}）"
        where_en = "in the zone" if f["zone"] else "of the nation" if f["nation"] else f"abroad ({who['country'] or '?'})"
        zh = (f"技术合作：{where}{'高校' if who['type'] == 'university' else '科研院所'}，补链/延链节点{num(f['units'])}个单位，"
              f"其中有效专利{int(f['licensable'])}件可洽谈许可；已与区域申请人共同申请{int(f['joint'])}个单位。")
        en = (f"technology partner: a {who['type']} {where_en} with {num(f['units'])} units in the fill/extend nodes, "
              f"{int(f['licensable'])} patents in force there to license; {int(f['joint'])} units co-applied with the "
              f"zone's applicants.")
        rows.append({"kind": "partner", "node": main.get(a, ""), "candidate": who["name"], "candidate_id": a,
                     "score": f["score"], "reason_zh": zh, "reason_en": en,
                     "evidence": evidence(units=f["units"], licensable=int(f["licensable"]), joint=int(f["joint"]),
                                          zone=bool(f["zone"]), nation=bool(f["nation"]), patents=proof.get(a, []),
                                          parts=f["parts"])})
    return pd.DataFrame(rows)


def _main_node(data: Inputs, nodes: list[str], applicants) -> pd.Series:
    rows = data.actors[data.actors["node"].isin(nodes) & data.actors["applicant"].isin(set(applicants))]
    per = rows.groupby(["applicant", "node"])["w"].sum().reset_index()
    per = per.sort_values(["applicant", "w", "node"], ascending=[True, False, True], kind="mergesort")
    return per.groupby("applicant").head(1).set_index("applicant")["node"]


def inventor_rows(data: Inputs, inventors: pd.DataFrame, nodes: list[str] | None) -> pd.DataFrame:
    """(inventor, name, patent, unit, position, year, cited_by, china, zone) on the chain's patents in
    ``nodes`` (all when None): zone = a zone applicant holds the patent; china = the unit is filed in the
    zone's country."""
    p = data.patents if nodes is None else data.patents[data.patents["node"].isin(nodes)]
    p = p.drop_duplicates("patent")[["patent", "unit", "year", "cited_by"]]
    zone = data.holders.groupby("patent")["zone"].any()
    rows = inventors.merge(p, on="patent")
    rows["zone"] = rows["patent"].map(zone).fillna(False).astype(bool)
    rows["china"] = rows["unit"].isin(filed_in(data.offices, data.country))
    return rows


def inventor_parts(rows: pd.DataFrame, last: int | None, options: Options) -> pd.DataFrame:
    """Per inventor of ``rows``: units, citations (Σ forward citations of their distinct patents), lead =
    first-inventor share (主导率) over the patents whose order is known, recent = filed in the last
    ``recent_years``, china = some unit filed in the zone's country; score = Σ w · (units / max, citations
    / max, lead, recent, china) / Σ w, weights ``options.talent_weights`` (35 / 20 / 15 / 15 / 15)."""
    pats = rows.drop_duplicates(["inventor", "patent"])
    units = rows.drop_duplicates(["inventor", "unit"]).groupby("inventor").size().astype(float)
    cites = pats.groupby("inventor")["cited_by"].sum(min_count=1).astype(float).fillna(0.0)
    ordered = pats[pats["position"].notna()]
    lead = ordered.assign(first=ordered["position"].eq(1).astype(float)).groupby("inventor")["first"].mean()
    latest = pats.groupby("inventor")["year"].max().astype(float)
    recent = (latest > (last - options.recent_years)).astype(float) if last is not None else latest * 0.0
    china = pats.groupby("inventor")["china"].any().astype(float)
    frame = pd.DataFrame({"units": units, "citations": cites, "lead": lead.reindex(units.index).fillna(0.0),
                          "recent": recent.reindex(units.index).fillna(0.0), "china": china.reindex(units.index),
                          "last_year": latest.reindex(units.index), "name": pats.groupby("inventor")["name"].first()})
    x = pd.DataFrame({"units": _norm(frame["units"]), "citations": _norm(frame["citations"]), "lead": frame["lead"],
                      "recent": frame["recent"], "china": frame["china"]})
    w = np.asarray(options.talent_weights, dtype=float)
    frame["score"] = 100 * (x.to_numpy() @ w) / w.sum()
    frame["parts"] = [dict(zip(x.columns, row)) for row in x.to_numpy()]
    return frame


def talent(data: Inputs, options: Options, inventors: pd.DataFrame, local: pd.DataFrame) -> pd.DataFrame:
    aims = targets(data.structure)
    rows = []
    outer = inventor_rows(data, inventors, aims)
    every = inventor_rows(data, inventors, None)
    inside = set(every.loc[every["zone"], "inventor"])
    outer = outer[~outer["inventor"].isin(inside)]
    if len(outer):
        parts = inventor_parts(outer, data.last, options)
        parts = _best(parts[parts["units"] >= MIN_UNITS], options.top_candidates)
        outer = outer[outer["inventor"].isin(set(parts.index))]
        employer = _employers(data, outer)
        where = _where(data, outer, aims)
        for i, f in parts.iterrows():
            firm = employer.get(i, "—")
            zh = (f"人才引进：区外发明人（{firm}），补链/延链节点{num(f['units'])}个单位，被引{int(f['citations'])}次，"
                  f"主导率{pct(f['lead'])}，最近申请{_year(f['last_year'])}年，{'有' if f['china'] else '无'}中国申请。")
            en = (f"recruit: an inventor outside the zone ({firm}) with {num(f['units'])} units in the fill/extend nodes, "
                  f"{int(f['citations'])} citations, first inventor on {pct(f['lead'])}, last filing "
                  f"{_year(f['last_year'])}, {'with' if f['china'] else 'no'} filings in China.")
            rows.append(_talent_row("recruit", i, f, zh, en, where, employer=firm))
    if len(local):
        zone_rows = every[every["zone"]]
        parts = inventor_parts(zone_rows, data.last, options)
        layers = local.set_index("inventor")
        for kind, chosen in (("retain", layers.index[layers["layer"].isin(["core", "backbone"])]),
                             ("at_risk", layers.index[layers["flow"].eq("out") & layers["units"].ge(MIN_UNITS)])):
            picked = _best(parts[parts.index.isin(set(chosen))], options.top_candidates)
            where = _where(data, zone_rows[zone_rows["inventor"].isin(set(picked.index))], None)
            for i in picked.index:
                f, lay = parts.loc[i], layers.loc[i]
                if kind == "retain":
                    zh = (f"人才保留：区域{'核心' if lay['layer'] == 'core' else '骨干'}发明人，{num(lay['units'])}个单位，"
                          f"团队{int(lay['team']) if pd.notna(lay['team']) else '—'}，主导率{pct(lay['first_share'])}。")
                    en = (f"retain: a {lay['layer']} inventor of the zone with {num(lay['units'])} units, team "
                          f"{int(lay['team']) if pd.notna(lay['team']) else '—'}, first inventor on {pct(lay['first_share'])}.")
                else:
                    zh = (f"人才流失风险：区域发明人，{num(lay['units'])}个单位，与区域申请人的最后一次申请在"
                          f"{_year(lay['last_year'])}年，此后在区外申请（同名者可能混淆，需核实）。")
                    en = (f"at risk: a zone inventor with {num(lay['units'])} units whose later filings are with "
                          f"applicants outside the zone (namesakes may look alike: check).")
                rows.append(_talent_row(kind, i, f, zh, en, where,
                                        layer=lay["layer"], zone_units=lay["units"], first_share=lay["first_share"],
                                        team=None if pd.isna(lay["team"]) else int(lay["team"]),
                                        zone_last_year=None if pd.isna(lay["last_year"]) else int(lay["last_year"])))
    return pd.DataFrame(rows) if rows else empty()


def _year(v) -> str:
    return "—" if pd.isna(v) else str(int(v))


def _employers(data: Inputs, rows: pd.DataFrame) -> pd.Series:
    """Per inventor: the applicant named on most of their patents (ties by name)."""
    who = rows[["inventor", "patent"]].drop_duplicates().merge(data.holders[["patent", "name"]], on="patent")
    count = who.groupby(["inventor", "name"]).size().reset_index(name="n")
    count = count.sort_values(["inventor", "n", "name"], ascending=[True, False, True], kind="mergesort")
    return count.groupby("inventor").head(1).set_index("inventor")["name"]


def _best(parts: pd.DataFrame, n: int) -> pd.DataFrame:
    """The ``n`` best rows by score (ties by id): what ``finish`` keeps, chosen before any sentence is written."""
    order = parts.assign(_id=parts.index).sort_values(["score", "_id"], ascending=[False, True], kind="mergesort")
    return order.head(n).drop(columns="_id")


def _where(data: Inputs, rows: pd.DataFrame, nodes_in: list[str] | None) -> pd.DataFrame:
    """Per inventor of ``rows``: node = the node (of ``nodes_in``, else any but a stage root) with most of the
    inventor's units, ties by node id; patents = the first five of their patents by id."""
    p = data.patents[["node", "patent", "unit"]]
    p = p[p["node"].isin(nodes_in)] if nodes_in is not None else p[~p["node"].isin(data.roots)]
    pairs = rows[["inventor", "patent"]].drop_duplicates().merge(p, on="patent")
    per = pairs.groupby(["inventor", "node"])["unit"].nunique().reset_index()
    per = per.sort_values(["inventor", "unit", "node"], ascending=[True, False, True], kind="mergesort")
    node = per.groupby("inventor").head(1).set_index("inventor")["node"]
    patents = rows[["inventor", "patent"]].drop_duplicates().sort_values(["inventor", "patent"]) \
        .groupby("inventor").head(5).groupby("inventor")["patent"].agg(list)
    return pd.DataFrame({"node": node, "patents": patents})


def _talent_row(kind: str, inventor: str, f: pd.Series, zh: str, en: str, where: pd.DataFrame, **extra) -> dict:
    node = where["node"].get(inventor, "") if len(where) else ""
    patents = where["patents"].get(inventor, []) if len(where) else []
    return {"kind": kind, "node": node if isinstance(node, str) else "", "candidate": f["name"],
            "candidate_id": inventor, "score": f["score"], "reason_zh": zh, "reason_en": en,
            "evidence": evidence(units=f["units"], citations=f["citations"], lead=f["lead"], recent=f["recent"],
                                 china=f["china"], last_year=None if pd.isna(f["last_year"]) else int(f["last_year"]),
                                 patents=list(patents) if isinstance(patents, list) else [], parts=f["parts"],
                                 **extra)}


def pathway_technology(store: GraphStore, scheme: str, options: Options | None = None) -> pd.DataFrame:
    """Technology introduction and collaborative innovation (技术引进与协同创新): universities and institutes
    strong in the fill and extend nodes — the nation's first through the score's nation part — with their
    patents in force to license and their co-application links with the zone (:func:`partner_parts`).

    Returns the pathway columns. Empty without a zone.
    """
    return run_path(store, scheme, options, "technology", technology)


def pathway_talent(store: GraphStore, scheme: str, options: Options | None = None) -> pd.DataFrame:
    """Talent (人才引进与培养): recruit — inventors with no patent of a zone applicant and at least
    ``MIN_UNITS`` units in the fill and extend nodes, scored by :func:`inventor_parts` (output, citations,
    主导率, recent activity, filing in China); retain — the zone's core and backbone inventors
    (``positioning_inventors``); at_risk — zone inventors whose later filings are with applicants
    outside the zone (``flow`` = out), with at least ``MIN_UNITS`` units. Inventor keys are names: namesakes
    are one person.

    Returns the pathway columns. Empty without a zone.
    """
    from analytics.positioning import cached
    from analytics.positioning.talent import positioning_inventors
    if options is None or options.zone is None:
        return empty()
    inventors = run_query(store, "patent_inventors", scheme=scheme)
    local = cached(store, positioning_inventors, scheme, options)
    return run_path(store, scheme, options, "talent", lambda data, o: talent(data, o, inventors, local))
