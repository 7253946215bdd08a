"""Technology positioning (技术定位): the quality of the zone's patents per chain node against the nation and
the world — invention share, grant and active rates, core patents, citations, family size, filings abroad.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analytics.control import core_units
from analytics.cypher import run_query
from analytics.frames import node_patents, unit_frame, with_chain
from analytics.options import Options
from analytics.positioning.structure import zone_actors
from graph.store import GraphStore

COLUMNS = ["node", "scope", "units", "invention_share", "grant_rate", "active_rate", "core_share", "citation_score",
           "family_size", "overseas_share"]


def unit_quality(patents: pd.DataFrame, status: pd.DataFrame, family: pd.DataFrame) -> pd.DataFrame:
    """Per (node, unit): invention (any member an invention), granted (any member has a grant date),
    active (any member active; unknown where no member says), core and score (module 1's core patents:
    top decile of cohort-normalised citations, family size or claims), family_size and offices."""
    units = core_units(unit_frame(patents, family))
    p = patents.merge(status, on="patent", how="left")
    p = p.assign(invention=p["type"].eq("invention").astype(float), granted=p["granted"].fillna(False).astype(float),
                 active=p["active"].astype("float64"))
    flags = p.groupby(["node", "unit"])[["invention", "granted", "active"]].max().reset_index()  # max skips NaN
    return units.merge(flags, on=["node", "unit"], how="left")


def _weighted(frame: pd.DataFrame, weight: str) -> pd.DataFrame:
    def avg(col: str, known: pd.Series | None = None) -> pd.Series:
        v = frame[col].astype(float)
        w = frame[weight] * (known if known is not None else 1.0)
        num = (v.fillna(0.0) * w).groupby(frame["node"]).sum()
        den = w.groupby(frame["node"]).sum()
        return num / den.where(den > 0)
    inv = frame["invention"].astype(float)
    return pd.DataFrame({
        "units": frame.groupby("node")[weight].sum(),
        "invention_share": avg("invention"),
        "grant_rate": (frame["granted"].astype(float) * inv * frame[weight]).groupby(frame["node"]).sum()
        / (inv * frame[weight]).groupby(frame["node"]).sum().replace(0, np.nan),
        "active_rate": avg("active", frame["active"].notna().astype(float)),
        "core_share": avg("core"),
        "citation_score": avg("score", frame["score"].notna().astype(float)),
        "family_size": avg("family_size", frame["family_size"].notna().astype(float))})


def overseas(actors: pd.DataFrame, units: pd.DataFrame) -> pd.DataFrame:
    """Per (node, scope): the share of the scope's units filed abroad — at an office other than the
    applicant's own country, or through the PCT — each applicant's part judged by its own country
    (a US firm filing at home is not abroad); parts of applicants of unknown country are left out."""
    offices = units[["node", "unit", "offices"]].explode("offices").dropna(subset=["offices"])
    rows = actors[["node", "unit", "applicant", "country", "w", "zone", "nation"]]
    rows = rows[rows["country"].fillna("").ne("")].merge(offices, on=["node", "unit"])
    rows = rows.assign(abroad=rows["offices"].ne(rows["country"]).astype(float))
    per = rows.groupby(["node", "unit", "applicant"]).agg(abroad=("abroad", "max"), w=("w", "first"),
                                                         zone=("zone", "first"), nation=("nation", "first"))
    out = []
    for scope in ("zone", "nation", "world"):
        mine = per if scope == "world" else per[per[scope]]
        node = mine.index.get_level_values("node")
        share = (mine["w"] * mine["abroad"]).groupby(node).sum() / mine["w"].groupby(node).sum()
        out.append(pd.DataFrame({"node": share.index, "scope": scope, "overseas_share": share.to_numpy()}))
    return pd.concat(out, ignore_index=True)


def technology_table(actors: pd.DataFrame, units: pd.DataFrame) -> pd.DataFrame:
    """The pure step behind :func:`positioning_technology`: each unit weighted by the zone's, the
    nation's and the world's part of it."""
    parts = actors.assign(zone_w=actors["w"] * actors["zone"], nation_w=actors["w"] * actors["nation"])
    weights = parts.groupby(["node", "unit"])[["w", "zone_w", "nation_w"]].sum().reset_index()
    frame = units.merge(weights, on=["node", "unit"])
    out = []
    for scope, col in (("zone", "zone_w"), ("nation", "nation_w"), ("world", "w")):
        table = _weighted(frame[frame[col] > 0], col).reset_index().rename(columns={"index": "node"})
        out.append(table.assign(scope=scope))
    result = pd.concat(out, ignore_index=True).merge(overseas(actors, units), on=["node", "scope"], how="left")
    for c in COLUMNS[2:]:
        result[c] = result[c].astype(float).round(9)
    return result.sort_values(["node", "scope"]).reset_index(drop=True)[COLUMNS]


def positioning_technology(store: GraphStore, scheme: str, options: Options | None = None) -> pd.DataFrame:
    """Technology positioning per chain node (区域技术定位): the zone against the nation and the world.

    Per unit (family, else patent): invention = a member is an invention patent; granted = a member has a
    grant date; active = a member is active (units whose members' status is not exported are left out of
    the rate); core = module 1's core patents (top decile of forward citations normalised by the node ×
    year cohort, family size or claims standing in; ``analytics.control.core_units``); citation_score =
    that normalised score; overseas_share = the share of the scope's units filed at an office other than
    each applicant's own country, or through the PCT (``overseas``: applicants of unknown country left out). Each scope averages its units weighted by its part of each unit (fractional counting):
    invention_share, grant_rate (granted among inventions), active_rate, core_share, citation_score,
    family_size (mean where known), overseas_share.

    Returns columns: node, scope (zone / nation / world), units, invention_share, grant_rate, active_rate,
    core_share, citation_score, family_size, overseas_share.
    """
    options = options or Options()
    if options.zone is None:
        return pd.DataFrame(columns=COLUMNS)
    actors = zone_actors(store, scheme, options.zone)
    patents = with_chain(node_patents(store, scheme))
    status = run_query(store, "patent_status", scheme=scheme)
    family = run_query(store, "family_offices", scheme=scheme)
    units = unit_quality(patents, status, family)
    return technology_table(actors, units)
