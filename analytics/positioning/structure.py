"""Structure positioning (产业结构定位): where the zone stands in each chain node, against the nation and
the world, and what state each node is in.

Counting (DESIGN §6 "The zone"): a counting unit (family, else patent) of a node weighs 1, split equally
among its distinct applicants; the zone's weight in the unit is the sum of the parts of its applicants
in the zone (``analytics.zone.members``), the nation's the sum over applicants of the zone's country,
the world's the whole unit. Units without any applicant are not counted.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analytics.cypher import run_query
from analytics.frames import CHAIN, cutoff_year, node_patents, unit_actors, unit_frame, with_chain
from analytics.options import Options
from analytics.zone import Zone, members
from graph.store import GraphStore

QUADRANTS = {"advantage": ("优势", "advantage: specialised (RTA ≥ 1) and growing at least as fast as the reference"),
             "potential": ("潜力", "potential: specialised (RTA ≥ 1) but growing slower than the reference"),
             "catch-up": ("追赶", "catch-up: not specialised (RTA < 1) but growing at least as fast as the reference"),
             "weak": ("薄弱", "weak: not specialised and growing slower than the reference"),
             "gap": ("空白", "gap: the zone has no units in the node")}
MUNICIPALITIES = ("11", "12", "31", "50")
STATUS = {"hot": "热点", "mature": "成熟", "declining": "衰退", "blank": "空白"}


def zone_actors(store: GraphStore, scheme: str, zone: Zone) -> pd.DataFrame:
    """One row per (node, unit, applicant) with the applicant's part ``w`` of the unit, the unit's year,
    and whether the applicant is in the zone (``zone``) and of the zone's country (``nation``).
    Node ``*`` holds every classified unit once. Computed once per run on a ``Memo`` store."""
    from analytics.positioning import remembered
    return remembered(store, ("zone_actors", scheme, zone), lambda: _zone_actors(store, scheme, zone))


def _zone_actors(store: GraphStore, scheme: str, zone: Zone) -> pd.DataFrame:
    patents = with_chain(node_patents(store, scheme))
    applicants = run_query(store, "patent_applicants", scheme=scheme)
    places = run_query(store, "applicant_regions", scheme=scheme)[["applicant", "region", "type", "region_source"]]
    groups = run_query(store, "applicant_groups").rename(columns={"applicant": "from", "group_id": "to"})
    actors = unit_actors(patents, applicants.merge(places, on="applicant", how="left"))
    years = unit_frame(patents)[["node", "unit", "year"]]
    actors = actors.merge(years, on=["node", "unit"], how="left")
    actors["zone"] = members(actors, zone, groups).to_numpy()
    actors["nation"] = actors["country"].eq(zone.country).to_numpy()
    return actors


def cagr(start: float, end: float, years: int) -> float:
    """(end / start)^(1/years) − 1; NaN without a start.

    >>> round(cagr(10, 40, 4), 4), cagr(0, 5, 4)
    (0.4142, nan)
    """
    return (end / start) ** (1.0 / years) - 1 if start > 0 else np.nan


def relative_growth(zone: float, reference: float, zone_start: float, zone_end: float) -> float:
    """Zone CAGR minus reference CAGR. A zone that filed nothing in the start year but did in the end
    year entered the node: +inf; one with neither: −inf. A reference with no start compares with 0.

    >>> relative_growth(0.2, 0.1, 5, 8), relative_growth(np.nan, 0.1, 0, 3), relative_growth(np.nan, 0.1, 0, 0)
    (0.1, inf, -inf)
    """
    if np.isnan(zone):
        return np.inf if zone_end > 0 else -np.inf
    return zone - (0.0 if np.isnan(reference) else reference)


def quadrant(units: float, rta: float, growth: float) -> str:
    """The position-matrix quadrant (x = RTA against the reference, y = growth relative to it).

    >>> [quadrant(*a) for a in ((5, 1.4, 0.1), (5, 1.4, -0.1), (5, 0.6, 0.0), (5, 0.6, -0.2), (0, np.nan, -np.inf))]
    ['advantage', 'potential', 'catch-up', 'weak', 'gap']
    """
    if not units > 0:
        return "gap"
    if rta >= 1:
        return "advantage" if growth >= 0 else "potential"
    return "catch-up" if growth >= 0 else "weak"


def node_status(share: float, growth: float, majors: int, recent: float, options: Options) -> str:
    """hot / blank / declining / mature (see ``Options``: thresholds after PatSnap's layout analysis).

    >>> o = Options()
    >>> [node_status(*a, o) for a in ((0.2, 0.1, 4, 10), (0.05, 0.8, 3, 9), (0.2, 0.1, 2, 10), (0.01, np.nan, 0, 0),
    ...                                (0.05, -0.4, 1, 3), (0.05, 0.0, 1, 3))]
    ['hot', 'hot', 'mature', 'blank', 'declining', 'mature']
    """
    if (share > options.hot_share or (growth > options.hot_growth)) and majors >= options.hot_majors:
        return "hot"
    if share < options.blank_share and not recent > 0:
        return "blank"
    if growth < -options.decline:
        return "declining"
    return "mature"


def positioning_table(actors: pd.DataFrame, nodes: pd.DataFrame, last: int | None, options: Options) -> pd.DataFrame:
    """The pure step behind :func:`positioning_nodes` (``actors`` from :func:`zone_actors`, ``nodes`` the
    chain's nodes)."""
    w = actors.assign(z=actors["w"] * actors["zone"], n=actors["w"] * actors["nation"])
    per = w.groupby("node")[["w", "n", "z"]].sum().reindex(list(nodes["node"]) + [CHAIN], fill_value=0.0)
    per.columns = ["world_units", "nation_units", "zone_units"]
    if last is None:
        dated = actors["year"].dropna()
        last = int(dated.max()) if len(dated) else None
    out = per.copy()
    tot = per.loc[CHAIN]
    out["zone_share"] = per["zone_units"] / per["world_units"].where(per["world_units"] > 0)
    out["node_share"] = per["zone_units"] / tot["zone_units"] if tot["zone_units"] > 0 else np.nan
    base = per["zone_units"] / tot["zone_units"] if tot["zone_units"] > 0 else np.nan
    out["rta_world"] = base / (per["world_units"] / tot["world_units"]).where(per["world_units"] > 0)
    out["rta_nation"] = base / (per["nation_units"] / tot["nation_units"]).where(per["nation_units"] > 0) \
        if tot["nation_units"] > 0 else np.nan
    ref_col = "w" if options.reference == "world" else "n"
    span = options.window - 1
    if last is not None:
        start = last - span
        by_year = w[w["year"].isin([start, last])].groupby(["node", "year"])[["z", ref_col]].sum()
        get = lambda n, y, c: float(by_year[c].get((n, y), 0.0))  # noqa: E731
        out["zone_start"] = [get(n, start, "z") for n in out.index]
        out["zone_end"] = [get(n, last, "z") for n in out.index]
        out["zone_cagr"] = [cagr(a, b, span) for a, b in zip(out["zone_start"], out["zone_end"])]
        out["reference_cagr"] = [cagr(get(n, start, ref_col), get(n, last, ref_col), span) for n in out.index]
        recent = w[(w["year"] > last - options.recent_years) & (w["year"] <= last)].groupby("node")["w"].sum()
        before = w[(w["year"] > last - 2 * options.recent_years) & (w["year"] <= last - options.recent_years)] \
            .groupby("node")["w"].sum()
    else:
        start = None
        out["zone_start"] = out["zone_end"] = out["zone_cagr"] = out["reference_cagr"] = np.nan
        recent = before = pd.Series(dtype=float)
    out["relative_growth"] = [relative_growth(z, r, a, b) for z, r, a, b in
                              zip(out["zone_cagr"], out["reference_cagr"], out["zone_start"], out["zone_end"])]
    out["quadrant"] = [quadrant(u, r, g) for u, r, g in zip(out["zone_units"], out["rta_world"] if
                                                              options.reference == "world" else out["rta_nation"],
                                                              out["relative_growth"])]
    chain_units = tot["world_units"]
    majors = _majors(actors, last, options.recent_years)
    out["world_share"] = per["world_units"] / chain_units if chain_units > 0 else np.nan
    recent = recent.reindex(out.index).astype(float)
    before = before.reindex(out.index).astype(float)
    out["recent_units"] = recent.fillna(0.0)
    out["recent_growth"] = (recent.fillna(0.0) / before.where(before > 0) - 1).astype(float)
    out["majors"] = majors.reindex(out.index).fillna(0).astype(int)
    out["status"] = [node_status(s, g, m, r, options) for s, g, m, r in
                     zip(out["world_share"], out["recent_growth"], out["majors"], out["recent_units"])]
    out.loc[CHAIN, "status"] = ""
    # ±inf (entered / absent at the window's start and end) is a word in the table, not a number
    rel = out["relative_growth"].astype(float)
    out["growth_note"] = np.where(rel == np.inf, "entered", np.where(rel == -np.inf, "absent", ""))
    out["relative_growth"] = rel.replace([np.inf, -np.inf], np.nan)
    out["start"], out["end"] = start, last
    out["reference"] = options.reference
    out = out.reset_index().rename(columns={"index": "node"})
    cols = ["node", "zone_units", "nation_units", "world_units", "zone_share", "node_share", "rta_world", "rta_nation",
            "zone_cagr", "reference_cagr", "relative_growth", "growth_note", "quadrant", "status", "world_share", "recent_units",
            "recent_growth", "majors", "start", "end", "reference"]
    for c in ("zone_units", "nation_units", "world_units", "zone_share", "node_share", "rta_world", "rta_nation",
              "zone_cagr", "reference_cagr", "relative_growth", "world_share", "recent_units", "recent_growth"):
        out[c] = out[c].astype(float).round(9)
    return out[cols]


def _majors(actors: pd.DataFrame, last: int | None, recent_years: int) -> pd.Series:
    """Per node, how many of the chain's 20 largest applicants (by units) filed there in the last years."""
    chain = actors[actors["node"] == CHAIN].groupby("applicant")["w"].sum().round(9)
    top = set(chain.sort_values(ascending=False, kind="mergesort").index[:20]) if len(chain) else set()
    lately = actors if last is None else actors[(actors["year"] > last - recent_years) & (actors["year"] <= last)]
    return lately[lately["applicant"].isin(top)].groupby("node")["applicant"].nunique()


def positioning_nodes(store: GraphStore, scheme: str, options: Options | None = None) -> pd.DataFrame:
    """Structure positioning of the zone per chain node (区域产业结构定位); node ``*`` is the whole chain.

    zone_units / nation_units / world_units = fractional units (each unit 1, split among its applicants);
    zone_share = zone / world units of the node; node_share = the node's share of the zone's units;
    RTA(R, n) = (P_Rn / P_R) / (P_n / P) against the world (rta_world) and the nation (rta_nation)
    (revealed technological advantage, OECD Patent Statistics Manual 2009 §7.3.2); zone_cagr and
    reference_cagr = CAGR of units from ``end − window + 1`` to ``end`` (the last complete year), the
    reference being the world or the nation (``options.reference``); relative_growth = zone − reference
    CAGR, empty where growth_note says the zone "entered" the node (nothing in the start year, filings in
    the last: counted as growing) or was "absent" in both (counted as not growing); quadrant of the position
    matrix (x = RTA, y = relative growth; Ernst's portfolio matrix): advantage / potential / catch-up /
    weak / gap (:data:`QUADRANTS`); status of the node in the world (:func:`node_status`): hot /
    mature / declining / blank, with its inputs world_share, recent_units, recent_growth (last
    ``recent_years`` against the years before) and majors.

    Returns columns: node, zone_units, nation_units, world_units, zone_share, node_share, rta_world,
    rta_nation, zone_cagr, reference_cagr, relative_growth, growth_note, quadrant, status, world_share,
    recent_units, recent_growth, majors, start, end, reference (world / nation: which RTA and CAGR the
    quadrant used). Empty without a zone.
    """
    options = options or Options()
    if options.zone is None:
        return pd.DataFrame(columns=["node", "zone_units", "nation_units", "world_units", "rta_world", "rta_nation",
                                     "zone_cagr", "reference_cagr", "quadrant", "status"])
    actors = zone_actors(store, scheme, options.zone)
    nodes = run_query(store, "chain_nodes", scheme=scheme)
    return positioning_table(actors, nodes, cutoff_year(store, scheme), options)


def placed_at(regions: pd.Series) -> pd.Series:
    """The finest level a located region code gives: district / city / province, or unknown.

    >>> placed_at(pd.Series(["370212", "370200", "370000", None])).tolist()
    ['district', 'city', 'province', 'unknown']
    """
    codes = regions.fillna("").astype(str)
    level = np.where(codes.str.len() != 6, "unknown",
                     np.where(codes.str.endswith("0000"), "province", np.where(codes.str.endswith("00"), "city",
                                                                                "district")))
    return pd.Series(level, index=regions.index)


COVERAGE_COLUMNS = ["placed_at", "region_source", "applicants", "units", "applicant_share", "unit_share"]


def coverage_table(actors: pd.DataFrame) -> pd.DataFrame:
    """The pure step behind :func:`positioning_coverage` (``actors`` from :func:`zone_actors`)."""
    nation = actors[(actors["node"] == CHAIN) & actors["nation"]].copy()
    if nation.empty:
        return pd.DataFrame(columns=COVERAGE_COLUMNS)
    nation["placed_at"] = placed_at(nation["region"]).to_numpy()
    nation["region_source"] = nation["region_source"].fillna("").where(nation["placed_at"] != "unknown", "")
    out = nation.groupby(["placed_at", "region_source"]).agg(applicants=("applicant", "nunique"),
                                                             units=("w", "sum")).reset_index()
    out["applicant_share"] = out["applicants"] / nation["applicant"].nunique()
    out["unit_share"] = out["units"] / nation["w"].sum()
    order = {"district": 0, "city": 1, "province": 2, "unknown": 3, "country unknown": 4}
    stateless = actors[(actors["node"] == CHAIN) & actors["country"].fillna("").eq("")]
    if len(stateless):  # applicants of no known country: they may be the nation's, yet count for no zone
        out = pd.concat([out, pd.DataFrame({"placed_at": ["country unknown"], "region_source": [""],
                                            "applicants": [stateless["applicant"].nunique()],
                                            "units": [stateless["w"].sum()], "applicant_share": [np.nan],
                                            "unit_share": [np.nan]})], ignore_index=True)
    out = out.sort_values(["placed_at", "units"], key=lambda c: c.map(order) if c.name == "placed_at" else -c,
                          kind="mergesort").reset_index(drop=True)
    for c in ("units", "applicant_share", "unit_share"):
        out[c] = out[c].astype(float).round(9)
    return out[COVERAGE_COLUMNS]


def positioning_coverage(store: GraphStore, scheme: str, options: Options | None = None) -> pd.DataFrame:
    """How many of the nation's applicants and units the data can place at all (区域定位覆盖率): the
    nation's applicants of the chain (country = the zone's country) by the finest level their region is
    known at (district / city / province / unknown) and by what placed them (region_source: address,
    province/city column, name), with their units (fractional, whole chain) and the shares of all the
    nation's applicants and units. An applicant placed at province level only cannot be in a city zone;
    the unknown row is what the zone may be missing. A last row, "country unknown", counts the applicants
    whose country the data does not give (no shares: they may or may not be the nation's).

    Returns columns: placed_at, region_source, applicants, units, applicant_share, unit_share. Empty
    without a zone.
    """
    options = options or Options()
    if options.zone is None:
        return pd.DataFrame(columns=COVERAGE_COLUMNS)
    return coverage_table(zone_actors(store, scheme, options.zone))


REGION_COLUMNS = ["level", "code", "name", "units", "applicants", "nation_share", "in_zone", "longitude", "latitude"]


def region_table(actors: pd.DataFrame, zone: Zone) -> pd.DataFrame:
    """The pure step behind :func:`positioning_regions` (``actors`` from :func:`zone_actors`)."""
    from analytics.zone import admin_areas, in_areas
    chain = actors[(actors["node"] == CHAIN) & actors["nation"]]
    levels = placed_at(chain["region"])
    total = chain["w"].sum()
    frames = []
    for level, rows, code in (
            ("province", chain[levels.ne("unknown").to_numpy()], None),
            ("city", chain[levels.isin(["city", "district"]).to_numpy()], None)):
        if level == "province":
            code = rows["region"].str[:2] + "0000"
        else:  # a municipality (北京, 天津, 上海, 重庆) is a city at province level: its districts sit under 市辖区
            code = rows["region"].str[:4] + "00"
            code = code.where(~rows["region"].str[:2].isin(MUNICIPALITIES), rows["region"].str[:2] + "0000")
        per = rows.groupby(code.rename("code")).agg(units=("w", "sum"), applicants=("applicant", "nunique"))
        frames.append(per.reset_index().assign(level=level))
    out = pd.concat(frames, ignore_index=True)
    if out.empty:
        return pd.DataFrame(columns=REGION_COLUMNS)
    out["nation_share"] = out["units"] / total if total > 0 else np.nan
    out["in_zone"] = in_areas(out["code"], zone.areas).to_numpy() if zone.areas else False
    areas = admin_areas().set_index("code")
    out["name"] = out["code"].map(areas["name"]).fillna("")
    out["longitude"] = out["code"].map(areas["longitude"]).astype(float)
    out["latitude"] = out["code"].map(areas["latitude"]).astype(float)
    out = out.sort_values(["level", "units", "code"], ascending=[False, False, True], kind="mergesort")
    out["units"] = out["units"].astype(float).round(9)
    out["nation_share"] = out["nation_share"].astype(float).round(9)
    return out[REGION_COLUMNS].reset_index(drop=True)


def positioning_regions(store: GraphStore, scheme: str, options: Options | None = None) -> pd.DataFrame:
    """The chain's units of the nation per province and per city (区域分布), what the atlas's map of China
    draws: units = fractional units (whole chain) of the applicants of the zone's country located in the
    province / city (an applicant placed at province level only counts for its province, not for a
    city); nation_share = of all the nation's units (the rest is unplaced: ``positioning_coverage``);
    in_zone = the area lies within the zone; longitude / latitude = the area's point in cpca's admin
    table. A municipality (北京, 天津, 上海, 重庆) appears as a city under its own code.

    Returns columns: level, code, name, units, applicants, nation_share, in_zone, longitude, latitude.
    Empty without a zone.
    """
    options = options or Options()
    if options.zone is None:
        return pd.DataFrame(columns=REGION_COLUMNS)
    return region_table(zone_actors(store, scheme, options.zone), options.zone)


def busiest_cities(store: GraphStore, scheme: str, country: str = "CN") -> pd.DataFrame:
    """Cities by the chain's units of the applicants located in them (at city level or finer): what
    ``patnav demo`` picks its zone from. Columns code, name, units, applicants, nation_share (of the
    country's units), best first."""
    nobody = Zone(id="", name_zh="", name_en="", areas=(), country=country)
    table = region_table(zone_actors(store, scheme, nobody), nobody)
    return table[table["level"] == "city"][["code", "name", "units", "applicants", "nation_share"]] \
        .reset_index(drop=True)


PEER_COLUMNS = ["zone", "name", "node", "zone_units", "zone_share", "node_share", "rta_world", "zone_cagr", "quadrant",
                "rank"]


def positioning_peers(store: GraphStore, scheme: str, options: Options | None = None) -> pd.DataFrame:
    """The zone against the peer zones its zone file names (对标区域), per chain node: each one's units,
    share of the node, the node's share of its units, RTA against the world, CAGR and quadrant — the
    columns of :func:`positioning_nodes`, computed the same way for every zone — and the zone's rank
    among them by units (1 = most; ties by zone id).

    Returns columns: zone, name, node, zone_units, zone_share, node_share, rta_world, zone_cagr, quadrant,
    rank. Empty without peers.
    """
    options = options or Options()
    if options.zone is None or not options.zone.peers:
        return pd.DataFrame(columns=PEER_COLUMNS)
    nodes = run_query(store, "chain_nodes", scheme=scheme)
    last = cutoff_year(store, scheme)
    frames = []
    for zone in (options.zone, *options.zone.peers):
        table = positioning_table(zone_actors(store, scheme, zone), nodes, last, options)
        frames.append(table.assign(zone=zone.id, name=zone.name_zh))
    out = pd.concat(frames, ignore_index=True)
    out = out.sort_values(["node", "zone_units", "zone"], ascending=[True, False, True], kind="mergesort")
    out["rank"] = out.groupby("node").cumcount() + 1
    return out[PEER_COLUMNS].reset_index(drop=True)
