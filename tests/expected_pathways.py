"""Module 3 recomputed without analytics' code: legal state and expiry from the exports' own cells (csv
module, dates by hand), and the attraction score from the graph's plain tuples. Used by
tests/test_pathways.py.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd

from expected_positioning import in_zone, tuples

#: the Patentics legal-status words of the VR/AR exports and what they mean (CNIPA's vocabulary)
WORDS = {"有效": "active", "公开": "pending", "其他": "", "驳回": "abandoned", "撤回": "abandoned", "无效": "lapsed"}


def _date(text: str) -> dt.date | None:
    text = text.strip()
    return dt.date(int(text[:4]), int(text[4:6]), int(text[6:8])) if len(text) == 8 and text.isdigit() else None


def _add_years(d: dt.date, years: int) -> dt.date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February in a common year
        return d.replace(year=d.year + years, day=28)


def legal(paths: list[Path], as_of: dt.date) -> pd.DataFrame:
    """Per publication of the Patentics exports: expiry (filing date + 20 years for an invention — kind A
    or B —, + 10 for a utility model — U or Y —) and state (the status word; a rejected or withdrawn
    application that was granted has lapsed; in force, pending or unknown past its expiry: expired).
    Publications whose rows disagree are left out."""
    rows = {}
    for path in paths:
        with open(path, encoding="utf-8-sig", newline="") as f:
            for r in csv.DictReader(f):
                pid = r["公开号"].strip()
                key = (r["申请日"], r["授权公告日"], r["法律状态"])
                rows[pid] = key if rows.get(pid, key) == key else None
    out = []
    for pid, key in rows.items():
        if key is None:
            continue
        filed, granted, word = _date(key[0]), _date(key[1]), key[2].strip()
        kind = pid[-1]
        term = 20 if kind in "AB" else 10 if kind in "UY" else None
        expiry = _add_years(filed, term) if filed and term else None
        state = WORDS.get(word, "")
        if state == "abandoned" and granted:
            state = "lapsed"
        if expiry is not None and expiry <= as_of and state in ("active", "pending", ""):
            state = "expired"
        out.append((pid, expiry, state or "unknown"))
    return pd.DataFrame(out, columns=["patent", "expiry_date", "state"])


GROUPS = "MATCH (a:Applicant)-[:PART_OF_GROUP]->(g:Applicant) RETURN a.id AS a, g.id AS g"
LINKS = "MATCH (a:ChainNode)-[:SUPPLIES]->(b:ChainNode) WHERE a.scheme = $scheme RETURN a.id AS s, b.id AS t"
OFFICES = ("MATCH (p:Patent)-[:IN_NODE]->(n:ChainNode) WHERE n.scheme = $scheme "
           "RETURN DISTINCT p.id AS patent, p.authority AS office, p.family_offices AS family_offices")


def attract(store, scheme: str, code: str, aims: list[str], zone_units: pd.Series, last: int,
            recent: int = 3, priorities: dict | None = None, weights=(40, 30, 20, 10), min_units: float = 3.0,
            country: str = "CN") -> pd.Series:
    """The attraction score of every candidate (applicant id → score) as the enterprise path defines it,
    from the graph's tuples; ``zone_units`` = the zone's units per node (from the positioning oracle)."""
    t = tuples(store, scheme)
    t["zone"] = in_zone(t["region"], code)
    year = t.groupby(["node", "unit"])["year"].transform("min")
    t["uyear"] = year
    chain = t[t["node"] == "*"].drop_duplicates(["unit", "applicant"]).copy()
    chain["w"] = 1.0 / chain.groupby("unit")["applicant"].transform("size")
    per = chain.groupby("applicant").agg(zone=("zone", "any"), country=("country", "first"),
                                         region=("region", "first"), kind=("applicant_type", "first"))
    known = per["country"].fillna("") != ""
    placed = per["region"].fillna("").astype(str).str.len() == 6
    foreign = known & (per["country"] != country)
    org = _orgs(store)
    zone_orgs = {org.get(a, a) for a in per.index[per["zone"]]}
    local = pd.Series([org.get(a, a) in zone_orgs for a in per.index], index=per.index)
    pool = per[~per["zone"] & ~local & (foreign | ((per["country"] == country) & placed))
               & (per["kind"] == "enterprise")].index
    node_rows = t[t["node"].isin(aims)].drop_duplicates(["node", "unit", "applicant"]).copy()
    node_rows["w"] = 1.0 / node_rows.groupby(["node", "unit"])["applicant"].transform("size")
    pairs = node_rows[node_rows["applicant"].isin(pool)][["unit", "applicant"]].drop_duplicates()
    mine = chain.merge(pairs, on=["unit", "applicant"])
    u = mine.groupby("applicant")["w"].sum()
    u = u[u >= min_units]
    node_units = node_rows.groupby(["node", "applicant"])["w"].sum()
    share = node_units / node_units.groupby(level="node").transform("sum")

    def grow(rows: pd.DataFrame) -> pd.Series:
        y = rows["uyear"].astype(float)
        r = rows[(y > last - recent) & (y <= last)].groupby("applicant")["w"].sum()
        b = rows[(y > last - 2 * recent) & (y <= last - recent)].groupby("applicant")["w"].sum()
        out = {}
        for a in set(rows["applicant"]):
            rr, bb = r.get(a, 0.0), b.get(a, 0.0)
            out[a] = min(max(rr / bb - 1, 0.0), 1.0) if bb > 0 else (1.0 if rr > 0 else 0.0)
        return pd.Series(out)

    g_t, g_all = grow(mine), grow(chain[chain["applicant"].isin(u.index)])
    offices = store.run(OFFICES, {"scheme": scheme})
    unit_of = t.drop_duplicates("patent").set_index("patent")["unit"]
    offices["unit"] = offices["patent"].map(unit_of)
    home_units = set(offices.loc[[country == o or country in (f or []) for o, f in
                                  zip(offices["office"], offices["family_offices"])], "unit"])
    links = store.run(LINKS, {"scheme": scheme})
    adjacent: dict[str, set] = {}
    for s_, t_ in zip(links["s"], links["t"]):
        adjacent.setdefault(s_, set()).add(t_)
        adjacent.setdefault(t_, set()).add(s_)
    groups = store.run(GROUPS)
    group = dict(zip(groups["a"], groups["g"]))
    family: dict[str, set] = {}
    for a_, g_ in group.items():
        family.setdefault(g_, {g_}).add(a_)
    total = float(zone_units.get("*", 0.0))
    priorities = priorities or {}
    scores = {}
    for a in u.index:
        mine_a = chain[chain["applicant"] == a]
        s = max(float(share.xs(a, level="applicant").max()), 0.0)
        per_node = node_units.xs(a, level="applicant")
        best = sorted(per_node.items(), key=lambda kv: (-round(kv[1], 9), kv[0]))[0][0]
        c = (u[a] / u.max() + s / _best_share(share, u.index) + g_t.get(a, 0.0)) / 3
        home = float(mine_a.loc[mine_a["unit"].isin(home_units), "w"].sum() / mine_a["w"].sum())
        present = float(per.loc[a, "country"] == country or any(
            per["country"].get(m) == country for m in family.get(group.get(a, a), {a})))
        e = (g_all.get(a, 0.0) + home + present) / 3
        local = min(sum(zone_units.get(n, 0.0) for n in adjacent.get(best, ())) / total, 1.0) if total > 0 else 0.0
        p = float(priorities.get(best, 0.0))
        scores[a] = (weights[0] * c + weights[1] * e + weights[2] * local + weights[3] * p) / sum(weights) * 100
    best: dict[str, tuple] = {}  # one candidate per organisation: its best-scoring member, ties by id
    for a, v in scores.items():
        o = org.get(a, a)
        if o not in best or (-v, a) < (-best[o][1], best[o][0]):
            best[o] = (a, v)
    return pd.Series({a: v for a, v in best.values()}, dtype=float)


def _orgs(store) -> dict[str, str]:
    """applicant → the first (by id) vendor group it belongs to."""
    groups = store.run(GROUPS).sort_values(["a", "g"]).drop_duplicates("a")
    return dict(zip(groups["a"], groups["g"]))


def _best_share(share: pd.Series, applicants) -> float:
    return float(share[share.index.get_level_values("applicant").isin(set(applicants))].max())


def classify(positions: pd.DataFrame, links: pd.DataFrame, roots: set) -> dict[str, str]:
    """Structure kinds from the position matrix and the supply links, by the rules of the issue."""
    q = dict(zip(positions["node"], positions["quadrant"]))
    status = dict(zip(positions["node"], positions["status"]))
    growth = dict(zip(positions["node"], positions["recent_growth"]))
    nbr: dict[str, set] = {}
    for s_, t_ in zip(links["source"], links["target"]):
        nbr.setdefault(s_, set()).add(t_)
        nbr.setdefault(t_, set()).add(s_)
    out = {}
    for n, quad in q.items():
        if n == "*" or n in roots:
            continue
        strong = {m for m in nbr.get(n, ()) if q.get(m) in ("advantage", "potential")}
        attractive = status[n] == "hot" or (growth[n] == growth[n] and growth[n] > 0) or bool(strong)
        if quad == "advantage":
            out[n] = "strengthen"
        elif quad in ("weak", "gap") and attractive:
            out[n] = "fill"
        elif quad not in ("advantage", "potential") and any(q.get(m) == "advantage" for m in nbr.get(n, ())):
            out[n] = "extend"
    return out


def numbers_in(text: str, names=()) -> list[str]:
    """The numbers a sentence quotes (``names`` — node names, holders, anything quoted as text —, patent
    ids, node ids and dates taken out first)."""
    import re
    for name in sorted({n for n in names if n}, key=len, reverse=True):
        text = text.replace(name, " ")
    text = re.sub(r"\b[A-Z]{2}\d[\dA-Z]*\b", " ", text)          # publication numbers
    text = re.sub(r"[\w-]+:[\w.*-]+", " ", text)                  # node ids (vr-ar:D1.2)
    text = re.sub(r"\d{4}-\d{2}-\d{2}", " ", text)                # dates
    text = re.sub(r"<\d+|\d+–\d+", " ", text)                     # expiry windows (<6, 6–12 months)
    return re.findall(r"[-+]?\d+(?:\.\d+)?", text)


def strings(value) -> set[str]:
    """Every text of an evidence value (holder and place names …), to take out before reading numbers."""
    if isinstance(value, str):
        return {value}
    if isinstance(value, dict):
        return set().union(*(strings(v) for v in value.values())) if value else set()
    if isinstance(value, (list, tuple)):
        return set().union(*(strings(v) for v in value)) if value else set()
    return set()


def renderings(value) -> set[str]:
    """How a number of the evidence may be written in a sentence: as is, to one decimal, as a percentage
    with one decimal, as a whole number, signed in points."""
    out = set()
    if isinstance(value, bool) or value is None:
        return out
    if isinstance(value, (int, float, np.floating)):
        v = float(value)
        out |= {f"{v:.1f}".rstrip("0").rstrip("."), f"{round(v, 3) * 100:.1f}", str(int(v)) if v == int(v) else "",
                f"{100 * v:+.1f}", f"{v:.0f}", f"{v:.2f}"}
    elif isinstance(value, str):
        out.add(value)
    elif isinstance(value, dict):
        for v in value.values():
            out |= renderings(v)
    elif isinstance(value, (list, tuple)):
        for v in value:
            out |= renderings(v)
    return out - {""}


VALUE_ROWS = ("MATCH (p:Patent) WHERE EXISTS { MATCH (p)-[:IN_NODE]->(n:ChainNode) WHERE n.scheme = $scheme } "
              "RETURN p.id AS patent, p.year AS year, p.cited_by AS cited_by, p.family_size AS family_size, "
              "p.claims AS claims, p.authority AS office, p.family_offices AS family_offices, "
              "coalesce(p.family_id, p.id) AS unit")


def percentile(values: list) -> list:
    """Percentile rank within one cohort, by counting: (values below + (values equal + 1) / 2) / n over the
    known values; None stays None."""
    known = [v for v in values if v is not None and v == v]
    out = []
    for v in values:
        if v is None or v != v:
            out.append(None)
            continue
        below = sum(1 for k in known if k < v)
        equal = sum(1 for k in known if k == v)
        out.append((below + (equal + 1) / 2) / len(known))
    return out


def value_scores(store, scheme: str, state: pd.DataFrame, weights=(30, 15, 15, 15, 10, 15)) -> pd.Series:
    """The value score per patent, recomputed: percentiles per counting year by counting, offices as the
    distinct offices of the unit's chain patents and families, the term part from ``state`` (patent,
    term_left as the code reports it: months to expiry over the term, its own tested column), legal events
    unknown (the VR/AR exports list none)."""
    rows = store.run(VALUE_ROWS, {"scheme": scheme})
    offices: dict[str, set] = {}
    for unit, office, family in zip(rows["unit"], rows["office"], rows["family_offices"]):
        offices.setdefault(unit, set()).update([o for o in [office, *(family or [])] if o])
    rows["offices"] = [len(offices[u]) or 1 for u in rows["unit"]]
    parts = {}
    for col in ("cited_by", "family_size", "offices", "claims"):
        parts[col] = pd.Series(index=rows.index, dtype=float)
        everyone = percentile([None if pd.isna(v) else float(v) for v in rows[col]])
        for _, g in rows.groupby(rows["year"].fillna(-1)):
            vals = [None if pd.isna(v) else float(v) for v in g[col]]
            if sum(v is not None for v in vals) >= 10:  # a year of fewer known values ranks among all years
                parts[col].loc[g.index] = [np.nan if p is None else p for p in percentile(vals)]
            else:
                parts[col].loc[g.index] = [np.nan if everyone[i] is None else everyone[i]
                                           for i in rows.index.get_indexer(g.index)]
    term = rows["patent"].map(state.set_index("patent")["term_left"]).astype(float)
    out = {}
    for i, pid in enumerate(rows["patent"]):
        xs = [parts["cited_by"].iloc[i], parts["family_size"].iloc[i], parts["offices"].iloc[i],
              parts["claims"].iloc[i], np.nan, term.iloc[i]]
        num = sum(w * x for w, x in zip(weights, xs) if x == x)
        den = sum(w for w, x in zip(weights, xs) if x == x)
        known = sum(1 for x in xs if x == x)
        out[pid] = 100 * num / den if den and known >= 2 else np.nan  # one known part is no score
    return pd.Series(out)


def structure_scores(positions: pd.DataFrame, links: pd.DataFrame, weights=(30, 20, 20, 30)) -> dict[str, float]:
    """The structure score per node: growth (world, clipped to [0, 1]), heat (hot 1, mature 0.5), the zone's
    strengths linked to it either way (at most 3, / 3), the RTA / 2."""
    q = dict(zip(positions["node"], positions["quadrant"]))
    out = {}
    for r in positions.itertuples():
        strong = {b if a == r.node else a for a, b in zip(links["source"], links["target"]) if r.node in (a, b)
                  and q.get(b if a == r.node else a) in ("advantage", "potential")}
        g = 0.0 if r.recent_growth != r.recent_growth else min(max(r.recent_growth, 0.0), 1.0)
        heat = {"hot": 1.0, "mature": 0.5}.get(r.status, 0.0)
        link = min(len(strong), 3) / 3
        spec = 0.0 if r.rta_world != r.rta_world else min(max(r.rta_world / 2, 0.0), 1.0)
        out[r.node] = 100 * (weights[0] * g + weights[1] * heat + weights[2] * link + weights[3] * spec) / sum(weights)
    return out


def partner_scores(store, scheme: str, code: str, aims: list[str], active: set, weights=(40, 30, 20, 10),
                   min_units: float = 3.0) -> pd.Series:
    """The technology-partner score per university or institute, recomputed from the tuples: units = its
    parts of the units that have a patent in a target node, licensable = its patents in a target node in
    force (``active``: the value table's state, tested on its own), joint = units shared with an applicant
    of the zone of another organisation (vendor group), nation = of CN."""
    t = tuples(store, scheme)
    t["zone"] = in_zone(t["region"], code)
    chain = t[t["node"] == "*"].drop_duplicates(["unit", "applicant"]).copy()
    chain["w"] = 1.0 / chain.groupby("unit")["applicant"].transform("size")
    target_units = set(t.loc[t["node"].isin(aims), "unit"])
    target_patents = set(t.loc[t["node"].isin(aims), "patent"])
    academic = chain[chain["applicant_type"].isin(["university", "institute"]) & chain["unit"].isin(target_units)]
    units = academic.groupby("applicant")["w"].sum()
    units = units[units >= min_units]
    zone_units = chain[chain["zone"]].groupby("unit")["applicant"].apply(set).to_dict()
    org = _orgs(store)
    rows = {}
    for a in units.index:
        mine = t[(t["applicant"] == a)]
        lic = len({p for p in mine["patent"] if p in target_patents and p in active})
        joint = len({u for u in chain.loc[chain["applicant"] == a, "unit"]
                     if {org.get(z, z) for z in zone_units.get(u, set())} - {org.get(a, a)}})
        rows[a] = (units[a], lic, joint, (mine["country"].iloc[0] == "CN"))
    frame = pd.DataFrame(rows, index=["units", "lic", "joint", "nation"]).T
    top_u, top_l = frame["units"].max(), frame["lic"].max()
    return (weights[0] * frame["units"] / top_u + weights[1] * (frame["lic"] / top_l if top_l else 0)
            + weights[2] * (frame["joint"] > 0) + weights[3] * frame["nation"].astype(float)) / sum(weights) * 100
