"""What the outward paths share, computed once per run: the zone's actors with their chain-level parts, the
units' years and offices, each patent's value and holders, the structure path's target nodes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from analytics.cypher import run_query
from analytics.frames import CHAIN, cutoff_year, node_patents, unit_frame, with_chain
from analytics.options import Options
from graph.store import GraphStore
from ingest.vectors import isin_text


@dataclass
class Inputs:
    actors: pd.DataFrame      # zone_actors: node, unit, applicant, name, country, type, region, w, year, zone, nation
    chain: pd.DataFrame       # the node-* rows of actors: each (unit, applicant) once, with its part w
    patents: pd.DataFrame     # node_patents rows (node, patent, unit, year, cited_by, …, office)
    offices: pd.Series        # unit → tuple of filing offices (own and family)
    value: pd.DataFrame       # patent_value rows
    holders: pd.DataFrame     # patent_applicants rows joined with the actors' zone / nation flags and type
    positions: pd.DataFrame   # positioning_nodes
    structure: pd.DataFrame   # pathway_structure
    links: pd.DataFrame       # chain_links
    names: pd.Series          # node → name_zh
    groups: pd.DataFrame      # applicant_groups as from (member) → to (group)
    country: str              # the zone's country
    roots: set                # stage roots (nodes without parent that have children)
    org: pd.Series            # applicant → its organisation: the vendor group it belongs to, else itself
    zone_orgs: set            # the organisations with a member in the zone (a group's member abroad is not outside)
    last: int | None          # the last complete year


def inputs(store: GraphStore, scheme: str, options: Options) -> Inputs:
    from analytics.positioning import cached
    from analytics.positioning.structure import positioning_nodes, zone_actors
    from analytics.pathways.structure import pathway_structure
    from analytics.pathways.value import patent_value

    def compute() -> Inputs:
        actors = zone_actors(store, scheme, options.zone)
        patents = node_patents(store, scheme)
        family = run_query(store, "family_offices", scheme=scheme)
        units = unit_frame(with_chain(patents).query("node == @CHAIN"), family)
        chain = actors[actors["node"] == CHAIN].reset_index(drop=True)
        flags = chain.groupby("applicant")[["zone", "nation"]].any()
        holders = run_query(store, "patent_applicants", scheme=scheme)[["patent", "applicant", "name", "country"]]
        kinds = chain.groupby("applicant")["type"].first()
        holders = holders.join(flags, on="applicant").assign(type=lambda h: h["applicant"].map(kinds).fillna(""))
        holders[["zone", "nation"]] = holders[["zone", "nation"]].fillna(False).astype(bool)
        groups = run_query(store, "applicant_groups").rename(columns={"applicant": "from", "group_id": "to"})
        org = organisations(pd.concat([actors["applicant"], holders["applicant"]]).drop_duplicates(), groups)
        zone_orgs = set(org[org.index.isin(set(chain.loc[chain["zone"], "applicant"]))])
        holders["zone_org"] = holders["applicant"].map(org).isin(zone_orgs)
        return Inputs(actors=actors, chain=chain, patents=patents, offices=units.set_index("unit")["offices"],
                      value=patent_value(store, scheme, options), holders=holders,
                      positions=cached(store, positioning_nodes, scheme, options),
                      structure=cached(store, pathway_structure, scheme, options),
                      links=run_query(store, "chain_links", scheme=scheme),
                      names=run_query(store, "chain_nodes", scheme=scheme).set_index("node")["name_zh"],
                      last=cutoff_year(store, scheme),
                      groups=groups, org=org, zone_orgs=zone_orgs,
                      country=options.zone.country, roots=roots(run_query(store, "chain_nodes", scheme=scheme)))
    return _remember(store, ("pathway_inputs", scheme, repr(options.record())), compute)


def run_path(store: GraphStore, scheme: str, options: Options | None, path: str, build) -> pd.DataFrame:
    """A path's table: ``build(inputs, options)`` finished (priority, order, top rows); empty without a zone
    or without candidates."""
    from analytics.pathways import empty, finish
    options = options or Options()
    if options.zone is None:
        return empty()
    table = build(inputs(store, scheme, options), options)
    return finish(table, path, options) if len(table) else empty()


def _remember(store, key, compute):
    """Like ``analytics.positioning.remembered`` for a value that is not a frame (no copy: read only)."""
    cache = getattr(store, "results", None)
    if cache is not None and key in cache:
        return cache[key]
    value = compute()
    if cache is not None:
        cache[key] = value
    return value


def organisations(applicants: pd.Series, groups: pd.DataFrame) -> pd.Series:
    """applicant → organisation: the vendor-standardised group it belongs to (the first by id where the
    vendors give several), the group node itself, or the applicant alone. Subsidiaries, name variants and
    renderings in another script of one company are one organisation.

    >>> organisations(pd.Series(["a", "b", "g", "x"]), pd.DataFrame({"from": ["a", "b"], "to": ["g", "g"]})).to_dict()
    {'a': 'g', 'b': 'g', 'g': 'g', 'x': 'x'}
    """
    first = groups.sort_values(["from", "to"]).drop_duplicates("from").set_index("from")["to"] if len(groups) \
        else pd.Series(dtype=object)
    keys = pd.Index(applicants.drop_duplicates())
    return pd.Series(keys.map(first).where(keys.isin(first.index), keys), index=keys, dtype=object)


def filed_in(offices: pd.Series, country: str) -> set:
    """The units (index of ``offices``: unit → offices) filed at ``country``'s office."""
    pairs = offices.explode()
    return set(pairs.index[pairs.eq(country).fillna(False).to_numpy(dtype=bool)])


def roots(nodes: pd.DataFrame) -> set:
    """Stage roots (上游 / 中游 / 下游): nodes without a parent that have children — sums of their branches."""
    return set(nodes.loc[nodes["parent"].isna(), "node"]) & set(nodes["parent"].dropna())


def growth(rows: pd.DataFrame, by: str, last: int | None, years: int) -> pd.DataFrame:
    """Per ``by``: recent = parts (``w``) of units of the last ``years`` complete years, before = of the
    ``years`` before them, growth = recent / before − 1 clipped to [0, 1] (1 where the actor entered: nothing
    before, something lately; 0 where it filed nothing lately).

    >>> r = pd.DataFrame({"a": ["x", "x", "x", "y", "z"], "w": [1.0, 1.0, 1.0, 1.0, 1.0],
    ...                   "year": [2019, 2021, 2022, 2022, 2016]})
    >>> growth(r, "a", 2022, 2).to_dict("index")["x"], growth(r, "a", 2022, 2)["growth"].tolist()
    ({'recent': 2.0, 'before': 1.0, 'growth': 1.0}, [1.0, 1.0, 0.0])
    """
    keys = pd.Index(sorted(set(rows[by])), name=by)
    if last is None:
        return pd.DataFrame({"recent": 0.0, "before": 0.0, "growth": 0.0}, index=keys)
    year = rows["year"].astype("float64")
    recent = rows[(year > last - years) & (year <= last)].groupby(by)["w"].sum().reindex(keys, fill_value=0.0)
    before = rows[(year > last - 2 * years) & (year <= last - years)].groupby(by)["w"].sum() \
        .reindex(keys, fill_value=0.0)
    g = np.where(before > 0, recent / before.where(before > 0) - 1, np.where(recent > 0, 1.0, 0.0))
    return pd.DataFrame({"recent": recent.round(9), "before": before.round(9),
                         "growth": np.clip(np.nan_to_num(g), 0, 1)}, index=keys)


def top_patents(holders: pd.DataFrame, value: pd.DataFrame, patents: pd.DataFrame, nodes: list[str] | None,
                n: int = 5) -> pd.Series:
    """Per applicant: its ``n`` best patents by value score (ties by id) in ``nodes`` (all when None) —
    the evidence every candidate links to."""
    rows = holders[["patent", "applicant"]]
    if nodes is not None:
        rows = rows[isin_text(rows["patent"], patents.loc[patents["node"].isin(nodes), "patent"].drop_duplicates())]
    rows = rows.merge(value[["patent", "value_score"]], on="patent", how="left")
    rows = rows.sort_values(["applicant", "value_score", "patent"], ascending=[True, False, True],
                            na_position="last", kind="mergesort")
    return rows.groupby("applicant").head(n).groupby("applicant")["patent"].agg(list)


def node_label(names: pd.Series, node: str) -> str:
    return str(names.get(node, node))
