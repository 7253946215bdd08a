"""The positioning module recomputed from the graph's own tuples — one plain MATCH, no aggregation in
Cypher, none of analytics' code: (patent, family, year, node, applicant, country, region), as an analyst
checking the tables would. Used by tests/test_positioning.py.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

TUPLES = ("MATCH (p:Patent)-[:IN_NODE]->(n:ChainNode) WHERE n.scheme = $scheme "
          "MATCH (p)-[:APPLIED_BY]->(a:Applicant) OPTIONAL MATCH (a)-[:LOCATED_IN]->(r:Region) "
          "RETURN p.id AS patent, p.family_id AS family, p.year AS year, n.id AS node, a.id AS applicant, "
          "a.country AS country, r.id AS region, a.type AS applicant_type, p.type AS patent_type, "
          "p.grant_date IS NOT NULL AS granted")
INVENTORS = ("MATCH (p:Patent)-[:IN_NODE]->(n:ChainNode) WHERE n.scheme = $scheme "
             "MATCH (p)-[:INVENTED_BY]->(i:Inventor) RETURN DISTINCT p.id AS patent, i.id AS inventor")


def tuples(store, scheme: str) -> pd.DataFrame:
    rows = store.run(TUPLES, {"scheme": scheme})
    rows["unit"] = rows["family"].where(rows["family"].notna(), rows["patent"])
    whole = rows.assign(node="*")
    return pd.concat([rows, whole], ignore_index=True)


def in_zone(region: pd.Series, code: str) -> pd.Series:
    """A 6-digit region within admin area ``code`` (province: 2 digits, city: 4, district: all 6)."""
    width = 2 if code.endswith("0000") else 4 if code.endswith("00") else 6
    r = region.fillna("").astype(str)
    return r.str.len().eq(6) & r.str[:width].eq(code[:width])


def positioning(store, scheme: str, code: str, last: int, window: int = 5, reference: str = "world") -> pd.DataFrame:
    """zone / nation / world units, RTA against world and nation, zone and reference (world or nation)
    CAGR per node."""
    t = tuples(store, scheme)
    pairs = t.drop_duplicates(["node", "unit", "applicant"]).copy()
    pairs["w"] = 1.0 / pairs.groupby(["node", "unit"])["applicant"].transform("size")
    pairs["zone"] = in_zone(pairs["region"], code)
    pairs["nation"] = pairs["country"].fillna("").eq("CN")
    year = t.dropna(subset=["year"]).groupby(["node", "unit"])["year"].min()
    pairs["unit_year"] = pairs.set_index(["node", "unit"]).index.map(year)
    world = pairs.groupby("node")["w"].sum()
    zone = pairs[pairs["zone"]].groupby("node")["w"].sum().reindex(world.index, fill_value=0.0)
    nation = pairs[pairs["nation"]].groupby("node")["w"].sum().reindex(world.index, fill_value=0.0)
    out = pd.DataFrame({"zone_units": zone, "nation_units": nation, "world_units": world})
    out["rta_world"] = (zone / zone["*"]) / (world / world["*"])
    out["rta_nation"] = (zone / zone["*"]) / (nation / nation["*"]).where(nation > 0)
    start = last - window + 1

    def rate(mask: pd.Series, node: str) -> float:
        sel = pairs[mask & pairs["node"].eq(node)]
        a, b = sel.loc[sel["unit_year"] == start, "w"].sum(), sel.loc[sel["unit_year"] == last, "w"].sum()
        return (b / a) ** (1 / (window - 1)) - 1 if a > 0 else np.nan
    basis = pd.Series(True, index=pairs.index) if reference == "world" else pairs["nation"]
    out["zone_cagr"] = [rate(pairs["zone"], n) for n in out.index]
    out["reference_cagr"] = [rate(basis, n) for n in out.index]
    return out.reset_index()


def _nation_chain(store, scheme: str) -> pd.DataFrame:
    """(applicant, w, region) of the nation's applicants over the whole chain (node '*')."""
    t = tuples(store, scheme)
    pairs = t[t["node"] == "*"].drop_duplicates(["unit", "applicant"]).copy()
    pairs["w"] = 1.0 / pairs.groupby("unit")["applicant"].transform("size")
    return pairs[pairs["country"].fillna("").eq("CN")]


def regions(store, scheme: str) -> pd.DataFrame:
    """Units and applicants of the nation per province (any placed applicant) and per city (placed at
    city or district level; a municipality's districts count for the municipality)."""
    nation = _nation_chain(store, scheme)
    r = nation["region"].fillna("").astype(str)
    placed = nation[r.str.len().eq(6)]
    rp = placed["region"].astype(str)
    rows = []
    for code, g in placed.groupby(rp.str[:2] + "0000"):
        rows.append(("province", code, g["w"].sum(), g["applicant"].nunique()))
    below = placed[~rp.str.endswith("0000")]
    rb = below["region"].astype(str)
    city = [c[:2] + "0000" if c[:2] in ("11", "12", "31", "50") else c[:4] + "00" for c in rb]
    for code, g in below.groupby(pd.Series(city, index=below.index)):
        rows.append(("city", code, g["w"].sum(), g["applicant"].nunique()))
    out = pd.DataFrame(rows, columns=["level", "code", "units", "applicants"])
    out["nation_share"] = out["units"] / nation["w"].sum()
    return out


def coverage(store, scheme: str) -> pd.DataFrame:
    """The nation's applicants and units by the finest level their region is known at."""
    nation = _nation_chain(store, scheme)
    r = nation["region"].fillna("").astype(str)
    level = ["unknown" if len(c) != 6 else "province" if c.endswith("0000") else "city" if c.endswith("00")
             else "district" for c in r]
    g = nation.assign(level=level).groupby("level")
    out = pd.DataFrame({"applicants": g["applicant"].nunique(), "units": g["w"].sum()})
    t = tuples(store, scheme)
    pairs = t[t["node"] == "*"].drop_duplicates(["unit", "applicant"]).copy()
    pairs["w"] = 1.0 / pairs.groupby("unit")["applicant"].transform("size")
    unknown = pairs[pairs["country"].fillna("").eq("")]
    if len(unknown):
        out.loc["country unknown"] = [unknown["applicant"].nunique(), unknown["w"].sum()]
    return out


def enterprises(store, scheme: str, code: str) -> pd.DataFrame:
    """The zone's applicants per node: units, rank among all applicants of the node and among the
    nation's (1 + the number with more units), the first 30 by units then applicant id."""
    t = tuples(store, scheme)
    pairs = t.drop_duplicates(["node", "unit", "applicant"]).copy()
    pairs["w"] = 1.0 / pairs.groupby(["node", "unit"])["applicant"].transform("size")
    per = pairs.groupby(["node", "applicant"]).agg(units=("w", "sum"), region=("region", "first"),
                                                  country=("country", "first")).reset_index()
    per["units"] = per["units"].round(9)
    rows = []
    for node, g in per.groupby("node"):
        g = g.sort_values(["units", "applicant"], ascending=[False, True])
        # rank = 1 + how many applicants have more units (equal units, equal rank)
        above = lambda values: 1 + np.searchsorted(np.sort(-values), -values, side="left")  # noqa: E731
        g["rank_world"] = above(g["units"].to_numpy(float))
        nat = g[g["country"].fillna("").eq("CN")]
        g["rank_nation"] = pd.Series(above(nat["units"].to_numpy(float)), index=nat.index).reindex(g.index)
        rows.append(g[in_zone(g["region"], code)].head(30))
    return pd.concat(rows)[["node", "applicant", "units", "rank_world", "rank_nation"]]


def _weighted_pairs(store, scheme: str, code: str) -> pd.DataFrame:
    t = tuples(store, scheme)
    pairs = t.drop_duplicates(["node", "unit", "applicant"]).copy()
    pairs["w"] = 1.0 / pairs.groupby(["node", "unit"])["applicant"].transform("size")
    pairs["zone"] = in_zone(pairs["region"], code)
    pairs["nation"] = pairs["country"].fillna("").eq("CN")
    return pairs


def agents(store, scheme: str, code: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(units per applicant type for zone and nation; cooperation counts per scope) over the whole chain."""
    pairs = _weighted_pairs(store, scheme, code)
    chain = pairs[pairs["node"] == "*"].copy()
    known = ("enterprise", "university", "institute", "individual", "government")
    chain["kind"] = [k if k in known else "other" for k in chain["applicant_type"].fillna("")]
    mix, coop = [], []
    for scope in ("zone", "nation"):
        mine = chain[chain[scope]]
        for kind, w in mine.groupby("kind")["w"].sum().items():
            mix.append((scope, kind, w, w / mine["w"].sum()))
        units = set(mine["unit"])
        co = ia = outside = 0
        for unit, g in chain[chain["unit"].isin(units)].groupby("unit"):
            several = g["applicant"].nunique() > 1
            co += several
            ia += g["kind"].eq("enterprise").any() and g["kind"].isin(["university", "institute"]).any()
            foreign = g["country"].fillna("").ne("") & ~g["nation"]
            elsewhere = g["region"].fillna("").astype(str).str.len().eq(6) if scope == "zone" else False
            outside += several and (~g[scope] & (foreign | elsewhere)).any()
        coop.append((scope, len(units), co, ia, outside))
    return (pd.DataFrame(mix, columns=["scope", "type", "units", "share"]),
            pd.DataFrame(coop, columns=["scope", "units", "co_applied", "industry_academia", "with_outside"]))


def talent(store, scheme: str, code: str) -> pd.DataFrame:
    """Per node: distinct inventors of the patents of units with an applicant in the zone, and of all."""
    pairs = _weighted_pairs(store, scheme, code)
    zone_units = set(map(tuple, pairs.loc[pairs["zone"], ["node", "unit"]].to_numpy()))
    t = tuples(store, scheme)[["node", "unit", "patent"]].drop_duplicates()
    people = store.run(INVENTORS, {"scheme": scheme})
    rows = t.merge(people, on="patent")
    rows["zone"] = [(n, u) in zone_units for n, u in zip(rows["node"], rows["unit"])]
    world = rows.groupby("node")["inventor"].nunique()
    zone = rows[rows["zone"]].groupby("node")["inventor"].nunique().reindex(world.index, fill_value=0)
    return pd.DataFrame({"zone_inventors": zone, "world_inventors": world})


def technology(store, scheme: str, code: str) -> pd.DataFrame:
    """Per (node, scope): units, invention share and grant rate among inventions, each unit weighted by the
    scope's part of it (a unit is an invention / granted when any of its patents is)."""
    pairs = _weighted_pairs(store, scheme, code)
    t = tuples(store, scheme)
    flags = t.assign(inv=t["patent_type"].eq("invention").astype(bool), granted=t["granted"].fillna(False).astype(bool)) \
        .groupby(["node", "unit"])[["inv", "granted"]].any().astype(float)
    rows = []
    for scope in ("zone", "nation", "world"):
        mine = pairs if scope == "world" else pairs[pairs[scope]]
        w = mine.groupby(["node", "unit"])["w"].sum().to_frame().join(flags)
        for node, g in w.groupby(level="node"):
            inv_w = (g["w"] * g["inv"]).sum()
            rows.append((node, scope, g["w"].sum(), inv_w / g["w"].sum(),
                         (g["w"] * g["inv"] * g["granted"]).sum() / inv_w if inv_w > 0 else np.nan))
    return pd.DataFrame(rows, columns=["node", "scope", "units", "invention_share", "grant_rate"])
