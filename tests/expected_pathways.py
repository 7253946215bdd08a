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
    pool = per[~per["zone"] & (foreign | ((per["country"] == country) & placed)) & (per["kind"] == "enterprise")].index
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
    return pd.Series(scores, dtype=float)


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


def numbers_in(text: str) -> list[str]:
    """The numbers a sentence quotes (patent ids, node ids and dates taken out first)."""
    import re
    text = re.sub(r"\b[A-Z]{2}\d[\dA-Z]*\b", " ", text)          # publication numbers
    text = re.sub(r"[\w-]+:[\w.*-]+", " ", text)                  # node ids (vr-ar:D1.2)
    text = re.sub(r"\d{4}-\d{2}-\d{2}", " ", text)                # dates
    text = re.sub(r"<\d+|\d+–\d+", " ", text)                     # expiry windows (<6, 6–12 months)
    return re.findall(r"[-+]?\d+(?:\.\d+)?", text)


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
