"""Innovation agents and cooperation (创新主体与协同): who files in the zone — enterprises, universities,
institutes, individuals — against the nation, and how the zone's applicants file together: industry–
academia co-applications, partners inside and outside the zone.
"""

from __future__ import annotations

import pandas as pd

from analytics.frames import CHAIN
from analytics.options import Options
from analytics.positioning.structure import zone_actors
from graph.store import GraphStore
from ingest.vectors import isin_text

TYPES = ("enterprise", "university", "institute", "individual", "government", "other")
MIX_COLUMNS = ["scope", "type", "units", "share"]
COOP_COLUMNS = ["scope", "units", "co_applied", "co_application_rate", "industry_academia", "industry_academia_rate",
                "with_outside", "with_outside_rate"]


def agent_tables(actors: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(type mix, cooperation) for the zone and the nation over the whole chain."""
    chain = actors[actors["node"] == CHAIN].copy()
    chain["kind"] = chain["type"].fillna("other").where(chain["type"].isin(TYPES), "other")
    mix, coop = [], []
    for scope in ("zone", "nation"):
        mine = chain[chain[scope]]
        units = mine.groupby("kind")["w"].sum().reindex(list(TYPES), fill_value=0.0)
        total = units.sum()
        mix.append(pd.DataFrame({"scope": scope, "type": units.index, "units": units.round(9).to_numpy(),
                                 "share": (units / total).round(9).to_numpy() if total else 0.0}))
        touched = chain[isin_text(chain["unit"], mine["unit"].drop_duplicates())]
        # outside = known to be outside: of another country, or (for the zone) located elsewhere; an applicant
        # of unknown country or region is not counted as a partner from outside
        foreign = touched["country"].fillna("").ne("") & ~touched["nation"]
        located = touched["region"].fillna("").astype(str).str.len().eq(6)
        outside = ~touched[scope] & (foreign | (located if scope == "zone" else False))
        touched = touched.assign(enterprise=touched["kind"].eq("enterprise"),
                                 academia=touched["kind"].isin(["university", "institute"]), outside=outside)
        per_unit = touched.groupby("unit").agg(n=("applicant", "nunique"), enterprise=("enterprise", "any"),
                                               academia=("academia", "any"), outside=("outside", "any"))
        n = len(per_unit)
        co = int((per_unit["n"] > 1).sum())
        ia = int((per_unit["enterprise"] & per_unit["academia"]).sum())
        out = int(((per_unit["n"] > 1) & per_unit["outside"]).sum())
        coop.append({"scope": scope, "units": n, "co_applied": co, "co_application_rate": round(co / n, 9) if n else None,
                     "industry_academia": ia, "industry_academia_rate": round(ia / n, 9) if n else None,
                     "with_outside": out, "with_outside_rate": round(out / co, 9) if co else None})
    return pd.concat(mix, ignore_index=True)[MIX_COLUMNS], pd.DataFrame(coop, columns=COOP_COLUMNS)


def positioning_agents(store: GraphStore, scheme: str, options: Options | None = None) -> pd.DataFrame:
    """Innovation agents of the zone and the nation (创新主体结构), over the whole chain: fractional units per
    applicant type (enterprise / university / institute / individual / government / other) and their share.

    Returns columns: scope (zone / nation), type, units, share.
    """
    options = options or Options()
    if options.zone is None:
        return pd.DataFrame(columns=MIX_COLUMNS)
    return agent_tables(zone_actors(store, scheme, options.zone))[0]


def positioning_cooperation(store: GraphStore, scheme: str, options: Options | None = None) -> pd.DataFrame:
    """Cooperation of the zone's and the nation's applicants (协同创新): of the units they are on, how many
    have several applicants (co_application_rate), an enterprise with a university or institute
    (industry_academia_rate, 产学研合作率), and — among co-applied units — a co-applicant known to be outside
    the scope (with_outside_rate: for the zone, partners located elsewhere or abroad; for the nation,
    partners of another country; one whose country or region is unknown is not counted as outside).

    Returns columns: scope, units, co_applied, co_application_rate, industry_academia, industry_academia_rate,
    with_outside, with_outside_rate.
    """
    options = options or Options()
    if options.zone is None:
        return pd.DataFrame(columns=COOP_COLUMNS)
    return agent_tables(zone_actors(store, scheme, options.zone))[1]
