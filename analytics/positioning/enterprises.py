"""Enterprise positioning (企业定位): the zone's applicants per chain node, ranked within the nation and the
world, their tier, type and distance to the node's leader; chain-leader (链主) candidates; roster
enterprises without a patent in the chain.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analytics.cypher import run_query
from analytics.frames import CHAIN
from analytics.options import Options
from analytics.positioning.structure import zone_actors
from analytics.zone import roster_matches
from graph.store import GraphStore

#: tiers by rank among the nation's applicants of the node (PatSnap's three competition tiers; the ranks
#: are PatNav's defaults): leader ≤ 5, challenger ≤ 20, follower beyond
TIER_RANKS = (5, 20)
#: a chain-leader (链主) candidate: an enterprise of the zone in the nation's top 10 of the whole chain and
#: present in at least this many of its branches (the nodes right below the stages: the chain's breadth)
LEADER_BREADTH = 3
COLUMNS = ["node", "applicant", "name", "type", "units", "share", "rank_world", "rank_nation", "leader", "leader_units",
           "gap_to_leader", "tier", "chain_leader_candidate"]


def ranked(actors: pd.DataFrame) -> pd.DataFrame:
    """Units per (node, applicant) with world and nation ranks (1 = most units; equal units, equal rank)."""
    per = actors.groupby(["node", "applicant"]).agg(units=("w", "sum"), name=("name", "first"), type=("type", "first"),
                                                   zone=("zone", "any"), nation=("nation", "any")).reset_index()
    per["units"] = per["units"].round(9)
    per = per.sort_values(["node", "units", "applicant"], ascending=[True, False, True], kind="mergesort")
    # competition ranking: applicants with equal units share a rank (1, 2, 2, 4 …)
    per["rank_world"] = per.groupby("node")["units"].rank(method="min", ascending=False).astype(int)
    per["share"] = per["units"] / per.groupby("node")["units"].transform("sum")
    nat = per[per["nation"]].copy()
    nat["rank_nation"] = nat.groupby("node")["units"].rank(method="min", ascending=False)
    per["rank_nation"] = nat["rank_nation"].reindex(per.index).astype("Int64")
    lead = per.groupby("node").head(1).set_index("node")  # the first of the leaders by applicant id
    per["leader"] = per["node"].map(lead["name"])
    per["leader_units"] = per["node"].map(lead["units"])
    per["gap_to_leader"] = (per["leader_units"] - per["units"]).round(9)
    return per


def tier(rank_nation) -> str:
    """leader / challenger / follower by rank among the nation's applicants of the node.

    >>> [tier(r) for r in (1, 5, 6, 20, 21, None)]
    ['leader', 'leader', 'challenger', 'challenger', 'follower', 'follower']
    """
    if rank_nation is None or pd.isna(rank_nation):
        return "follower"
    return "leader" if rank_nation <= TIER_RANKS[0] else "challenger" if rank_nation <= TIER_RANKS[1] else "follower"


def enterprise_table(actors: pd.DataFrame, nodes: pd.DataFrame, top: int = 30) -> pd.DataFrame:
    """The pure step behind :func:`positioning_enterprises`."""
    per = ranked(actors)
    mine = per[per["zone"]].copy()
    rank = mine["rank_nation"].astype("float64")
    mine["tier"] = np.select([rank <= TIER_RANKS[0], rank <= TIER_RANKS[1]], ["leader", "challenger"], "follower")
    roots = set(nodes.loc[nodes["parent"].isna(), "node"])
    branches = set(nodes.loc[nodes["parent"].isin(roots), "node"])  # the chain's branches below its stages
    chain = mine[mine["node"] == CHAIN].set_index("applicant")
    breadth = mine[mine["node"].isin(branches)].groupby("applicant")["node"].nunique()
    candidate = (chain["rank_nation"].fillna(10 ** 9) <= 10) & chain["type"].eq("enterprise") & \
        (breadth.reindex(chain.index).fillna(0) >= LEADER_BREADTH)
    mine["chain_leader_candidate"] = mine["applicant"].map(candidate).fillna(False).astype(bool)
    mine = mine.sort_values(["node", "units", "applicant"], ascending=[True, False, True], kind="mergesort")
    mine = mine.groupby("node").head(top)
    return mine[COLUMNS].reset_index(drop=True)


def positioning_enterprises(store: GraphStore, scheme: str, options: Options | None = None) -> pd.DataFrame:
    """The zone's applicants in each chain node (区域企业定位), up to 30 per node, ranked against the nation
    and the world.

    units = fractional units (each unit 1, split among its applicants); share = of the node's units;
    rank_world / rank_nation = rank among all / the nation's applicants of the node; leader and
    gap_to_leader = the node's world leader and how many units behind it the applicant is; tier = leader
    (nation rank ≤ 5) / challenger (≤ 20) / follower — PatSnap's three tiers, ranks as PatNav's
    defaults; chain_leader_candidate (链主候选) = an enterprise in the nation's top 10 of the whole chain
    present in ≥ 3 branches (the nodes right below the chain's stages).

    Returns columns: node, applicant, name, type, units, share, rank_world, rank_nation, leader,
    leader_units, gap_to_leader, tier, chain_leader_candidate.
    """
    options = options or Options()
    if options.zone is None:
        return pd.DataFrame(columns=COLUMNS)
    actors = zone_actors(store, scheme, options.zone)
    return enterprise_table(actors, run_query(store, "chain_nodes", scheme=scheme))


def positioning_roster(store: GraphStore, scheme: str, options: Options | None = None) -> pd.DataFrame:
    """The zone file's enterprise roster against the chain (名录企业): each name, the applicant it matched
    (directly or as a vendor group), and its units in the chain — 0 for a roster enterprise without a
    patent in the chain (a cultivation or attraction question, not a data error).

    Returns columns: name, credit_code, key, matched, units. Empty without a roster.
    """
    options = options or Options()
    cols = ["name", "credit_code", "key", "matched", "units"]
    if options.zone is None or not options.zone.roster:
        return pd.DataFrame(columns=cols)
    actors = zone_actors(store, scheme, options.zone)
    groups = run_query(store, "applicant_groups").rename(columns={"applicant": "from", "group_id": "to"})
    table = roster_matches(options.zone, actors["applicant"], groups)
    chain = actors[actors["node"] == CHAIN]
    direct = chain.groupby("applicant")["w"].sum()
    via = chain.merge(groups, left_on="applicant", right_on="from").groupby("to")["w"].sum()
    table["units"] = [round(float(direct.get(k, 0.0) + via.get(k, 0.0)), 9) for k in table["key"]]
    return table[cols]
