"""Direction forecast (发展方向预测): where the chain's patenting grows fastest, which technologies are
new, which markets rise — and the plain-language summary that cites the numbers.

Growth is the compound annual growth rate over the last ``window`` complete years (publication lag
excluded, see ``direction.complete_years``): CAGR = (c_end / c_start)^(1 / (end − start)) − 1, with
c = counting units filed in that year; undefined (NaN) when c_start = 0. Sources: the usual CAGR
definition; rising filing offices as market signals follow the OECD Patent Statistics Manual (2009)
§6 on patents as indicators of market coverage.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analytics.cypher import run_query
from analytics.frames import CHAIN, cutoff_year, node_patents, unit_frame, windows, with_chain
from analytics.options import Options
from graph.store import GraphStore

#: a node or IPC group needs this many units in the end year, and in the start year, to be ranked by
#: growth (a rise from 1 is emergence, which ``new_ipc_group`` reports, not a growth rate to compare)
MIN_END_UNITS, MIN_START_UNITS = 5, 3
#: an IPC main group is new when its first unit is at most this many years before the last complete year
NEW_WITHIN = 2
COLUMNS = ["kind", "key", "start", "end", "value_start", "value_end", "cagr", "share_before", "share_after",
           "shift", "first_year", "rank"]


def cagr(counts: pd.DataFrame, key: str, start: int, end: int) -> pd.DataFrame:
    """CAGR per ``key`` between years ``start`` and ``end`` from (key, year, units) rows.

    >>> c = pd.DataFrame({"k": ["a", "a", "b"], "year": [2016, 2020, 2020], "units": [10, 40, 7]})
    >>> cagr(c, "k", 2016, 2020).round(4).values.tolist()
    [['a', 10, 40, 0.4142], ['b', 0, 7, nan]]
    """
    grid = counts.pivot_table(index=key, columns="year", values="units", aggfunc="sum", fill_value=0)
    grid = grid.reindex(columns=[start, end], fill_value=0)
    first, last = grid[start].astype(int), grid[end].astype(int)
    rate = (last / first.where(first > 0)) ** (1.0 / (end - start)) - 1
    return pd.DataFrame({key: grid.index, "value_start": first.to_numpy(), "value_end": last.to_numpy(),
                         "cagr": rate.to_numpy(dtype=float)})


def _ranked(frame: pd.DataFrame, by: str, eligible: pd.Series) -> pd.Series:
    order = frame[by].where(eligible).rank(ascending=False, method="min")
    return order.astype("Int64")


def _rankable(frame: pd.DataFrame) -> pd.Series:
    return (frame["value_end"] >= MIN_END_UNITS) & (frame["value_start"] >= MIN_START_UNITS)


def main_group(codes: pd.Series) -> pd.Series:
    """IPC main group of each code: the part before '/' followed by '/00'.

    >>> main_group(pd.Series(["G06F17/30", "B60W30/095", "H04W"])).tolist()
    ['G06F17/00', 'B60W30/00', 'H04W']
    """
    code = codes.astype(str).str.replace(" ", "", regex=False)
    head = code.str.split("/").str[0]
    return head.where(~code.str.contains("/", regex=False), head + "/00")


def hotspots_table(units: pd.DataFrame, ipcs: pd.DataFrame, patents: pd.DataFrame, last: int | None,
                   width: int) -> pd.DataFrame:
    """The pure step behind :func:`hotspots` (frames from ``node_patents`` / ``patent_ipcs``)."""
    if last is None:
        dated = units["year"].dropna()
        last = int(dated.max()) if len(dated) else None
    if last is None:
        return pd.DataFrame(columns=COLUMNS)
    start = last - width + 1
    parts = []
    per_node = units.dropna(subset=["year"]).groupby(["node", "year"]).size().rename("units").reset_index()
    nodes = cagr(per_node[per_node["node"] != CHAIN], "node", start, last).rename(columns={"node": "key"})
    nodes["rank"] = _ranked(nodes, "cagr", _rankable(nodes))
    parts.append(nodes.assign(kind="node"))
    groups = ipcs.dropna(subset=["year"]).assign(group=main_group(ipcs["ipc"]))
    first_unit = groups.groupby(["group", "unit"])["year"].min().rename("year").reset_index()
    per_group = first_unit.groupby(["group", "year"]).size().rename("units").reset_index()
    grown = cagr(per_group, "group", start, last).rename(columns={"group": "key"})
    grown = grown[grown["value_end"] >= MIN_END_UNITS].copy()
    grown["rank"] = _ranked(grown, "cagr", _rankable(grown))
    parts.append(grown.assign(kind="ipc_group"))
    first_seen = per_group.groupby("group")["year"].min()
    new = first_seen[(first_seen >= last - NEW_WITHIN) & (first_seen <= last)]
    totals = per_group[per_group["year"] <= last].groupby("group")["units"].sum()
    fresh = pd.DataFrame({"key": new.index, "first_year": new.to_numpy().astype(int),
                          "value_end": totals.reindex(new.index).to_numpy()})
    fresh = fresh.sort_values(["value_end", "key"], ascending=[False, True])
    fresh["rank"] = pd.array(range(1, len(fresh) + 1), dtype="Int64")
    parts.append(fresh.assign(kind="new_ipc_group"))
    parts.append(_offices(patents, last, width))
    parts = [p for p in parts if len(p)]
    if not parts:
        return pd.DataFrame(columns=COLUMNS)
    out = pd.concat(parts, ignore_index=True)
    for col in COLUMNS:
        if col not in out:
            out[col] = np.nan
    out["start"] = out["start"].fillna(start).astype(int)
    out["end"] = out["end"].fillna(last).astype(int)
    order = {"node": 0, "ipc_group": 1, "new_ipc_group": 2, "office": 3}
    out = out.sort_values(["kind", "rank", "key"], key=lambda s: s.map(order) if s.name == "kind" else s,
                          na_position="last")
    return out[COLUMNS].reset_index(drop=True)


def _offices(patents: pd.DataFrame, last: int, width: int) -> pd.DataFrame:
    """Filing offices whose share of the chain's patents rose between the last two windows."""
    dated = patents[(patents["node"] == CHAIN) & patents["year"].notna() & (patents["year"] <= last)
                    & (patents["office"] != "")]
    spans = windows(last - 2 * width + 1, last, width)
    before, after = ((dated["year"] >= a) & (dated["year"] <= b) for a, b in spans)
    counts = pd.DataFrame({"value_start": dated[before].groupby("office").size(),
                           "value_end": dated[after].groupby("office").size()}).fillna(0).astype(int)
    if counts.empty:
        return pd.DataFrame()
    counts["share_before"] = counts["value_start"] / max(1, counts["value_start"].sum())
    counts["share_after"] = counts["value_end"] / max(1, counts["value_end"].sum())
    counts["shift"] = (counts["share_after"] - counts["share_before"]).round(9)
    counts = counts.reset_index().rename(columns={"index": "key", "office": "key"})
    counts["rank"] = _ranked(counts, "shift", counts["shift"] > 0)
    return counts.assign(kind="office", start=spans[0][0], end=last)


def hotspots(store: GraphStore, scheme: str, options: Options | None = None) -> pd.DataFrame:
    """Direction forecast (技术热点与市场热点).

    - kind ``node``: each chain node's CAGR of units from ``end − window + 1`` to ``end`` (the last
      complete year); rank among nodes with ≥ 5 units in the end year and ≥ 3 in the start year.
    - kind ``ipc_group``: the same for IPC main groups of the classified patents (a unit counts once per
      group, in the first year it appears there); groups with ≥ 5 units in the end year (ranked as
      nodes are).
    - kind ``new_ipc_group``: main groups whose first unit is in the last three complete years, ranked
      by units (``first_year``, ``value_end`` = units so far). A group can also be new because the IPC
      itself is (G06V, 2022.01) and offices reclassify only part of their stock: read with the IPC
      version history at hand.
    - kind ``office``: each filing office's share of the classified patents in the two windows of
      ``window`` years ending at ``end`` (value_start / value_end = patents, share_before / share_after,
      shift); rank among offices with a rising share.

    Returns columns: kind, key, start, end, value_start, value_end, cagr, share_before, share_after,
    shift, first_year, rank.
    """
    options = options or Options()
    patents = with_chain(node_patents(store, scheme))
    ipcs = run_query(store, "patent_ipcs", scheme=scheme)
    ipcs["year"] = ipcs["year"].astype("Int64")
    return hotspots_table(unit_frame(patents), ipcs, patents, cutoff_year(store, scheme), options.window)
