"""Talent positioning (人才定位): the inventors of the zone's applicants — how many per chain node against
the zone's share of units, who the top inventors are (output, citations, 主导率, active years, team layer),
the co-inventor teams, and who came or left.

An inventor counts for the zone on a patent when one of that patent's applicants is in the zone (where
inventors have no address of their own, they take their applicants' region — said so in the tables).
Inventor keys are names ("Last; First" read as "First Last"): namesakes are one key, as in the
benchmarks measured in the README.
"""

from __future__ import annotations

import networkx as nx
import pandas as pd

from analytics.cypher import run_query
from analytics.frames import CHAIN
from analytics.options import Options
from analytics.positioning.structure import zone_actors
from graph.store import GraphStore

#: team layers by units at the zone (analysts' common practice, PatSnap's inventor-profile skill):
#: core ≥ 13, backbone 7–12, active 5–6, participant 1–4
LAYERS = ((13, "core"), (7, "backbone"), (5, "active"), (1, "participant"))
NODE_COLUMNS = ["node", "zone_inventors", "world_inventors", "inventor_share", "unit_share", "ratio",
                "inventor_coverage"]
INVENTOR_COLUMNS = ["inventor", "name", "units", "patents", "citations", "first_share", "first_year", "last_year",
                    "layer", "team", "team_size", "flow", "nodes", "region_basis"]


def layer(units: float) -> str:
    """core / backbone / active / participant by units at the zone.

    >>> [layer(u) for u in (13, 12.5, 7, 6, 5, 4.9, 1)]
    ['core', 'backbone', 'backbone', 'active', 'active', 'participant', 'participant']
    """
    return next((name for bound, name in LAYERS if units >= bound), "participant")


def inventor_rows(actors: pd.DataFrame, inventors: pd.DataFrame, patents: pd.DataFrame) -> pd.DataFrame:
    """(node, unit, patent, inventor, position, year, cited_by, zone) — an inventor is in the zone on a
    patent when an applicant of the patent is."""
    zone_patents = patents[["node", "unit", "patent"]].merge(
        actors.groupby(["node", "unit"])["zone"].any().reset_index(), on=["node", "unit"])
    zone_patents = zone_patents.merge(patents[["node", "patent", "year", "cited_by"]], on=["node", "patent"])
    return zone_patents.merge(inventors, on="patent")


def talent_tables(actors: pd.DataFrame, inventors: pd.DataFrame, patents: pd.DataFrame,
                  last: int | None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(per node, per inventor): the pure step behind :func:`positioning_talent` and
    :func:`positioning_inventors`."""
    rows = inventor_rows(actors, inventors, patents)
    world = rows.groupby("node")["inventor"].nunique()
    zone = rows[rows["zone"]].groupby("node")["inventor"].nunique().reindex(world.index, fill_value=0)
    # units without inventor data would read as "no inventors": the unit share counts only units with some
    known = actors.merge(rows[["node", "unit"]].drop_duplicates(), on=["node", "unit"])
    units = known.groupby("node")["w"].sum()
    zone_units = (known["w"] * known["zone"]).groupby(known["node"]).sum()
    all_zone = (actors["w"] * actors["zone"]).groupby(actors["node"]).sum()
    per_node = pd.DataFrame({"zone_inventors": zone, "world_inventors": world})
    per_node["inventor_share"] = per_node["zone_inventors"] / per_node["world_inventors"]
    per_node["unit_share"] = (zone_units / units).reindex(per_node.index)
    per_node["inventor_coverage"] = (zone_units / all_zone.where(all_zone > 0)).reindex(per_node.index)
    per_node["ratio"] = per_node["inventor_share"] / per_node["unit_share"].where(per_node["unit_share"] > 0)
    per_node = per_node.reset_index().rename(columns={"index": "node"})
    for c in ("inventor_share", "unit_share", "ratio", "inventor_coverage"):
        per_node[c] = per_node[c].astype(float).round(9)

    chain = rows[rows["node"] == CHAIN]
    mine = chain[chain["zone"]]
    if mine.empty:
        return per_node[NODE_COLUMNS], pd.DataFrame(columns=INVENTOR_COLUMNS)
    units_at = mine.drop_duplicates(["inventor", "unit"]).groupby("inventor").size()
    cited = mine.drop_duplicates(["inventor", "patent"]).groupby("inventor")["cited_by"].sum(min_count=1)
    pats = mine.drop_duplicates(["inventor", "patent"])
    # 主导率 over the patents whose inventor order is known (unknown order is not "not first")
    ordered = pats[pats["position"].notna()]
    first = ordered.assign(lead=ordered["position"].eq(1).astype(float)).groupby("inventor")["lead"].mean()
    years = mine.groupby("inventor")["year"].agg(["min", "max"])
    names = mine.groupby("inventor")["name"].first()
    node_rows = rows[rows["zone"] & rows["node"].ne(CHAIN)]
    nodes = node_rows.drop_duplicates(["inventor", "node"]).sort_values(["inventor", "node"]) \
        .groupby("inventor")["node"].agg(" ".join)
    table = pd.DataFrame({"name": names, "units": units_at.astype(float), "patents": pats.groupby("inventor").size(),
                          "citations": cited, "first_share": first.round(9), "first_year": years["min"],
                          "last_year": years["max"], "nodes": nodes})
    table["layer"] = table["units"].map(layer)
    team, size = teams(pats)
    table["team"], table["team_size"] = team.reindex(table.index), size.reindex(table.index)
    table["flow"] = flows(chain, last).reindex(table.index).fillna("")
    table["region_basis"] = "applicants"  # no inventor addresses: an inventor is where the applicants are
    table = table.reset_index().rename(columns={"index": "inventor"})
    table = table.sort_values(["units", "citations", "inventor"], ascending=[False, False, True], kind="mergesort")
    return per_node[NODE_COLUMNS], table[INVENTOR_COLUMNS].reset_index(drop=True)


def teams(patents: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """Co-inventor teams: communities (networkx Louvain, fixed seed) of the graph whose edges join the
    inventors of one patent, weighted by the patents they share. Returns (team number per inventor, 1 =
    largest team, ties by the team's alphabetically first member; team size).

    >>> p = pd.DataFrame({"patent": ["a", "a", "b", "b", "c", "c"], "inventor": ["x", "y", "x", "y", "u", "v"]})
    >>> t, s = teams(p)
    >>> t.to_dict(), s.to_dict()
    ({'u': 1, 'v': 1, 'x': 2, 'y': 2}, {'u': 2, 'v': 2, 'x': 2, 'y': 2})
    """
    graph = nx.Graph()
    graph.add_nodes_from(sorted(set(patents["inventor"])))
    people = patents[["patent", "inventor"]].drop_duplicates()
    pairs = people.merge(people, on="patent")
    pairs = pairs[pairs["inventor_x"] < pairs["inventor_y"]].groupby(["inventor_x", "inventor_y"]).size()
    graph.add_weighted_edges_from((a, b, int(w)) for (a, b), w in pairs.items())
    found = nx.community.louvain_communities(graph, weight="weight", seed=7)
    found = sorted(found, key=lambda c: (-len(c), min(c)))
    team = {person: i + 1 for i, c in enumerate(found) for person in c}
    size = {person: len(c) for c in found for person in c}
    return pd.Series(team).sort_index(), pd.Series(size).sort_index()


def flows(rows: pd.DataFrame, last: int | None) -> pd.Series:
    """Per inventor: "out" — their filings with the zone's applicants stopped and later ones are with
    applicants outside it; "in" — they filed outside the zone before filing with its applicants; ""
    otherwise (namesakes may look like movers: check before acting)."""
    dated = rows.dropna(subset=["year"]).drop_duplicates(["inventor", "patent"])
    spans = dated.groupby(["inventor", "zone"])["year"].agg(["min", "max"]).unstack("zone")
    out = pd.Series("", index=spans.index, dtype=object)
    if (True not in spans.columns.get_level_values(1)) or (False not in spans.columns.get_level_values(1)):
        return out
    inside_first, inside_last = spans[("min", True)], spans[("max", True)]
    outside_first, outside_last = spans[("min", False)], spans[("max", False)]
    out[(outside_first > inside_last)] = "out"
    out[(outside_last < inside_first)] = "in"
    return out


def _inputs(store: GraphStore, scheme: str, options: Options):
    from analytics.frames import cutoff_year, node_patents, with_chain
    actors = zone_actors(store, scheme, options.zone)
    patents = with_chain(node_patents(store, scheme))
    inventors = run_query(store, "patent_inventors", scheme=scheme)
    return actors, inventors, patents, cutoff_year(store, scheme)


def positioning_talent(store: GraphStore, scheme: str, options: Options | None = None) -> pd.DataFrame:
    """Inventors per chain node (区域人才定位): the zone's (inventors of its applicants' patents) against the
    world's, and that share against the zone's share of the node's units that name any inventor (ratio
    > 1: more inventors than units — many contributors; < 1: output rests on few people); exports that
    leave inventors out would otherwise read as thin talent, so inventor_coverage says which share of the
    zone's units name inventors at all.

    Returns columns: node, zone_inventors, world_inventors, inventor_share, unit_share, ratio,
    inventor_coverage.
    """
    options = options or Options()
    if options.zone is None:
        return pd.DataFrame(columns=NODE_COLUMNS)
    return talent_tables(*_inputs(store, scheme, options))[0]


def positioning_inventors(store: GraphStore, scheme: str, options: Options | None = None) -> pd.DataFrame:
    """The zone's inventors (区域核心发明人): units and patents with the zone's applicants, citations of
    those patents, first-inventor share (主导率), active years, team layer (core ≥ 13 units, backbone 7–12,
    active 5–6, participant 1–4: analysts' common practice), co-inventor team (Louvain communities of the
    co-inventor graph, ``teams``), and flow (in / out of the zone, ``flows``); nodes they file in.

    Returns columns: inventor, name, units, patents, citations, first_share, first_year, last_year, layer,
    team, team_size, flow, nodes, region_basis.
    """
    options = options or Options()
    if options.zone is None:
        return pd.DataFrame(columns=INVENTOR_COLUMNS)
    return talent_tables(*_inputs(store, scheme, options))[1]
