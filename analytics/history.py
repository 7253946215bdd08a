"""Module 1, the historical view: how patent control power evolved, and how it relates to the competitive
landscape (以历史演进的视角揭示专利控制力与产业竞争格局特征关系的规律).

Everything is computed per **period window**: the windows of the transfer tables (``options.window``
years each, at most four, the last ending at the last complete year; the oldest reaches back to the
first year). A counting unit belongs to the window of its earliest application year in the node.

- ``control_history``: :func:`analytics.control.control_table` on each window's units alone — technology,
  product and market control and the index per actor (applicant, country, region) and node — with the
  rank and index one window earlier, and each node's top 10 entrants (``entered``) and exits (``left``).
- ``landscape_history``: per node and window, the filing landscape — active applicants, CR4 and HHI on
  fractional shares (``direction.cr_hhi``), the share of units held by new entrants (applicants with no
  unit in the node in any earlier window), leader persistence (the share of the previous window's top 4
  filers still in the top 4) — beside control: the top-4 share of the applicants' control index and
  the persistence of the control top 4, so concentration and persistence of control and of filings can
  be read side by side.
- ``control_market``: with enterprise market data (``--market FILE.csv``: enterprise, year, revenue
  and/or market_share, optionally node), the Spearman rank correlation between the control index and
  market position per node and window, in the same window (lag 0) and one window later (lag 1: does
  control lead market position?), with the p-value and the number of enterprises. Enterprises are
  matched to applicants by name key, or to every member of the group whose name they carry; an
  enterprise's control index is the sum over its matched applicants. Unmatched names are listed.

Sources: CR4/HHI as in :mod:`analytics.direction`; leader persistence (rank mobility of the leading
firms) follows the industrial-organisation literature on market-share instability (Hymer & Pashigian
1962; Caves & Porter 1978); Spearman's ρ as in ``transfer.rank_correlations``.
"""

from __future__ import annotations

import sys
from dataclasses import replace

import numpy as np
import pandas as pd

from analytics.control import control_table
from analytics.cypher import run_query
from analytics.direction import cr_hhi
from analytics.frames import CHAIN, cutoff_year, node_patents, unit_actors, unit_frame, with_chain
from analytics.options import Options
from analytics.transfer import _windowed, node_ids
from graph.store import GraphStore

#: the top of a node whose entrants and exits are listed
TOP = 10
#: the leaders whose persistence is measured (as CR4)
LEADERS = 4
#: the Spearman correlation is computed from this many enterprises on; below EXACT its p-value is exact
MIN_PAIRS = 5
EXACT = 10
#: a window of the whole chain with fewer units than this gets a caution in the summary: its ranks rest
#: on a handful of patents (PatNav's reading aid, not a published threshold)
THIN = 100

HISTORY_COLUMNS = ["window", "start", "end", "actor_type", "actor", "node", "name", "technology_control",
                   "product_control", "market_control", "index", "units", "share", "supported", "rank",
                   "previous_rank", "rank_change", "index_change", "top10"]
LANDSCAPE_COLUMNS = ["node", "window", "start", "end", "units", "applicants", "cr4", "hhi", "entrant_share",
                     "leader_persistence", "control_top4", "control_persistence"]
MARKET_COLUMNS = ["node", "window", "measure", "lag", "market_window", "enterprises", "rho", "p_value",
                  "significant", "note"]


def _inputs(store: GraphStore, scheme: str, options: Options):
    """(dated units with their window, unit actors, chain nodes, windows, every actor's control per window)
    — from the tuples control_power reads; computed once per run on a :class:`analytics.cypher.Memo` store
    (the three tables of this module share them)."""
    cache = getattr(store, "results", None)
    key = ("history inputs", scheme, repr(options.record()))
    if cache is not None and key in cache:
        return cache[key]
    patents = with_chain(node_patents(store, scheme))
    applicants = run_query(store, "patent_applicants", scheme=scheme)
    nodes = run_query(store, "chain_nodes", scheme=scheme)
    family = run_query(store, "family_offices", scheme=scheme)
    units = unit_frame(patents, family)
    dated, spans = _windowed(units, cutoff_year(store, scheme), options.window)
    actors = unit_actors(patents, applicants)
    found = (dated, actors, nodes, spans, window_controls(dated, actors, nodes, spans, options))
    if cache is not None:
        cache[key] = found
    return found


def window_controls(units: pd.DataFrame, actors: pd.DataFrame, nodes: pd.DataFrame,
                    spans: list[tuple[int, int]], options: Options) -> pd.DataFrame:
    """``control_table`` on each window's units alone, every actor kept; columns window, start, end, w
    (the window's position) and control_table's."""
    every = replace(options, top_actors=sys.maxsize)
    parts = []
    for i, (a, b) in enumerate(spans):
        mine = units[units["window"] == f"{a}–{b}"].drop(columns="window")
        if mine.empty:
            continue
        held = actors.merge(mine[["node", "unit"]], on=["node", "unit"])
        parts.append(control_table(mine, held, nodes, every).assign(window=f"{a}–{b}", start=a, end=b, w=i))
    if not parts:
        return pd.DataFrame(columns=["window", "start", "end", "w", "actor_type", "actor", "node", "rank", "index"])
    return pd.concat(parts, ignore_index=True)


def history_table(controls: pd.DataFrame, top: int) -> pd.DataFrame:
    """Per window: each actor's control with its rank and index one window earlier (previous_rank, NaN
    when it was not ranked there; index_change against 0 when it had no unit there), rank_change =
    previous_rank − rank (up is positive), top10 = entered / stayed / left (a node's first window: '').
    Kept: the ``top`` best per (window, actor type, node) and every actor that left the top 10."""
    if controls.empty:
        return pd.DataFrame(columns=HISTORY_COLUMNS)
    keys = ["actor_type", "node", "actor"]
    present = controls[["node", "w"]].drop_duplicates()
    earlier = controls[keys + ["w", "rank", "index"]].assign(w=controls["w"] + 1).rename(
        columns={"rank": "previous_rank", "index": "previous_index"})
    out = controls.merge(earlier, on=keys + ["w"], how="left")
    had_before = pd.MultiIndex.from_frame(out[["node"]].assign(w=out["w"] - 1)).isin(pd.MultiIndex.from_frame(present))
    out["index_change"] = np.where(had_before, out["index"] - out["previous_index"].fillna(0.0), np.nan)
    out["rank_change"] = out["previous_rank"] - out["rank"]
    in_top = out["rank"] <= TOP
    was_top = out["previous_rank"] <= TOP
    out["top10"] = np.select([had_before & in_top & was_top, had_before & in_top], ["stayed", "entered"], "")
    # exits: the previous window's top 10 that are not in this one's (with or without a unit here)
    prev_top = controls[controls["rank"] <= TOP].assign(w=controls["w"] + 1)
    prev_top = prev_top.merge(present, on=["node", "w"])
    now = out.set_index(keys + ["w"])
    gone = prev_top[~pd.MultiIndex.from_frame(prev_top[keys + ["w"]]).isin(
        now[now["rank"] <= TOP].index)][keys + ["w", "rank", "index", "name"]]
    left_ranked = out.merge(gone[keys + ["w"]], on=keys + ["w"])
    out.loc[out.set_index(keys + ["w"]).index.isin(pd.MultiIndex.from_frame(left_ranked[keys + ["w"]])), "top10"] = "left"
    unranked = gone[~pd.MultiIndex.from_frame(gone[keys + ["w"]]).isin(now.index)]
    if len(unranked):  # left the node altogether: no unit in this window
        spans = controls.drop_duplicates("w").set_index("w")[["window", "start", "end"]]
        filler = unranked.rename(columns={"rank": "previous_rank", "index": "previous_index"}).assign(
            technology_control=0.0, product_control=0.0, market_control=0.0, index=0.0, units=0.0, share=0.0,
            supported=False, rank=np.nan, rank_change=np.nan, top10="left")
        filler["index_change"] = -filler["previous_index"]
        filler = filler.join(spans, on="w")
        out = pd.concat([out, filler], ignore_index=True)
    # kept: the top of each window, the exits, and every window of an actor that is in the top of any
    # window (its trajectory: a leader of today ranked 80th before is shown so, not as absent)
    leaders = pd.MultiIndex.from_frame(out.loc[out["rank"] <= top, keys].drop_duplicates())
    out = out[(out["rank"] <= top) | (out["top10"] == "left") | pd.MultiIndex.from_frame(out[keys]).isin(leaders)]
    out = out.sort_values(["w", "actor_type", "node", "rank", "actor"], na_position="last", kind="mergesort")
    out["index_change"] = out["index_change"].astype(float).round(9)
    for col in ("rank", "previous_rank", "rank_change"):
        out[col] = out[col].astype("Int64")
    return out[HISTORY_COLUMNS].reset_index(drop=True)


def landscape_table(units: pd.DataFrame, actors: pd.DataFrame, controls: pd.DataFrame,
                    spans: list[tuple[int, int]]) -> pd.DataFrame:
    """Per node and window: the filing landscape and the concentration and persistence of control."""
    order = {f"{a}–{b}": i for i, (a, b) in enumerate(spans)}
    held = actors.merge(units[["node", "unit", "window"]], on=["node", "unit"])
    if held.empty:
        return pd.DataFrame(columns=LANDSCAPE_COLUMNS)
    frac = held.groupby(["node", "window", "applicant"], as_index=False)["w"].sum()
    frac["w_i"] = frac["window"].map(order)
    total = frac.groupby(["node", "window"])["w"].transform("sum")
    frac["share"] = frac["w"] / total
    keyed = frac.assign(node=frac["node"] + "\x1f" + frac["window"])
    out = cr_hhi(keyed[["node", "share"]])
    out[["node", "window"]] = out["node"].str.split("\x1f", expand=True)
    out["units"] = _at(frac.groupby(["node", "window"])["w"].sum(), out, ["node", "window"])
    out["w_i"] = out["window"].map(order)
    first_seen = frac.groupby(["node", "applicant"])["w_i"].transform("min")
    node_first = frac.groupby("node")["w_i"].transform("min")
    new = frac[(frac["w_i"] == first_seen) & (frac["w_i"] > node_first)]
    entrant = new.groupby(["node", "window"])["share"].sum()
    later = out["w_i"] > out["node"].map(frac.groupby("node")["w_i"].min())
    out["entrant_share"] = np.where(later, np.nan_to_num(_at(entrant, out, ["node", "window"])), np.nan)
    leaders = frac.sort_values(["node", "w_i", "w", "applicant"], ascending=[True, True, False, True])
    leaders = leaders.groupby(["node", "w_i"]).head(LEADERS)
    out["leader_persistence"] = _persistence(leaders.rename(columns={"applicant": "actor"}), out)
    ranked = controls[controls["actor_type"] == "applicant"] if len(controls) else controls
    if len(ranked):
        index_total = ranked.groupby(["node", "w"])["index"].sum()
        top_index = (ranked.sort_values("index", ascending=False, kind="mergesort").groupby(["node", "w"])["index"]
                     .apply(lambda s: s.head(LEADERS).sum()))
        total, top4 = _at(index_total, out, ["node", "w_i"]), _at(top_index, out, ["node", "w_i"])
        out["control_top4"] = np.where(total > 0, np.nan_to_num(top4) / np.where(total > 0, total, 1.0), np.nan)
        control_leaders = ranked[ranked["rank"] <= LEADERS].rename(columns={"w": "w_i"})
        out["control_persistence"] = _persistence(control_leaders, out)
    else:
        out["control_top4"], out["control_persistence"] = np.nan, np.nan
    out["start"] = out["window"].map({f"{a}–{b}": a for a, b in spans})
    out["end"] = out["window"].map({f"{a}–{b}": b for a, b in spans})
    for col in ("cr4", "hhi", "units", "entrant_share", "leader_persistence", "control_top4", "control_persistence"):
        out[col] = out[col].astype(float).round(9)
    out = out.sort_values(["node", "w_i"], kind="mergesort")
    return out[LANDSCAPE_COLUMNS].reset_index(drop=True)


def _at(values: pd.Series, rows: pd.DataFrame, keys: list[str]) -> np.ndarray:
    """``values`` (indexed by ``keys``) for each row of ``rows`` as floats, NaN where absent."""
    return values.reindex(pd.MultiIndex.from_frame(rows[keys])).to_numpy(dtype=float, na_value=np.nan)


def _persistence(leaders: pd.DataFrame, out: pd.DataFrame) -> np.ndarray:
    """Per row of ``out`` (node, w_i): the share of the previous window's leaders (``leaders``: node, w_i,
    actor) that lead again; NaN for a node's first window or after a window without units."""
    sets = leaders.groupby(["node", "w_i"])["actor"].agg(frozenset)
    values = []
    for node, w in zip(out["node"], out["w_i"]):
        before, now = sets.get((node, w - 1)), sets.get((node, w), frozenset())
        values.append(len(before & now) / len(before) if before else np.nan)
    return np.array(values, dtype=float)


def control_history(store: GraphStore, scheme: str, options: Options | None = None) -> pd.DataFrame:
    """Patent control power per period window (专利控制力历史演进): technology, product and market control
    and the index of each actor (applicant, country, region) per chain node and window, computed on the
    window's units alone (as :func:`analytics.control.control_power` on the whole period), with the
    previous window's rank and the change, and each node's top-10 entrants and exits.

    Returns columns: window ("start–end"), start, end, actor_type, actor, node, name, technology_control,
    product_control, market_control, index, units, share, supported, rank (NaN for an actor that left the
    node: no unit in the window), previous_rank (NaN: not ranked in the previous window), rank_change
    (previous_rank − rank: positive = rose), index_change (index − previous index, an actor absent before
    counting 0; NaN in a node's first window), top10 (entered / stayed / left the node's top 10; '' otherwise).
    Rows: the ``top_actors`` best per window, actor type and node, every window of an actor that is among
    them in any window (its trajectory), and every actor that left a top 10.
    """
    options = options or Options()
    *_, controls = _inputs(store, scheme, options)
    return history_table(controls, options.top_actors)


def landscape_history(store: GraphStore, scheme: str, options: Options | None = None) -> pd.DataFrame:
    """The competitive landscape per chain node and period window (产业竞争格局演进), beside the
    concentration and persistence of patent control.

    Filing side (fractional units of the window, see ``concentration``): units (with applicants),
    applicants (active in the window), cr4, hhi, entrant_share (share of the window's units held by
    applicants with no unit in the node in any earlier window; NaN in the node's first window),
    leader_persistence (share of the previous window's top 4 filers still in the top 4; NaN when the
    node had no units in the previous window). Control side (applicants' control index of the window):
    control_top4 (the top 4's share of the summed index), control_persistence (share of the previous
    window's control top 4 still in it).

    Returns columns: node, window, start, end, units, applicants, cr4, hhi, entrant_share,
    leader_persistence, control_top4, control_persistence.
    """
    options = options or Options()
    units, actors, _, spans, controls = _inputs(store, scheme, options)
    return landscape_table(units, actors, controls, spans)


def market_matches(enterprises: pd.Series, applicant_ids, groups: pd.DataFrame | None) -> pd.DataFrame:
    """Each enterprise name with the applicant keys it stands for: when its key is a vendor group, the
    group's members and the group's own key if that files too (how = group); else its own key when it
    is an applicant (how = applicant); else nothing (how = ''). Names are matched by key, as zone rosters
    are: a name the exports never use (another script, another legal form folded differently) stays unmatched."""
    from ingest.names import name_key
    names = pd.Series(pd.unique(enterprises.astype(str)))
    keys = name_key(names)
    known = set(applicant_ids)
    members = (groups.groupby("group_id")["applicant"].agg(tuple) if groups is not None and len(groups)
               else pd.Series(dtype=object))
    how, held = [], []
    for key in keys:
        if key in members.index:
            how.append("group")
            held.append(tuple(sorted(set(members[key]) | ({key} if key in known else set()))))
        elif key in known:
            how.append("applicant")
            held.append((key,))
        else:
            how.append("")
            held.append(())
    return pd.DataFrame({"enterprise": names, "key": keys.to_numpy(), "how": how, "applicants": held})


def spearman(x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Spearman's ρ and its two-sided p-value: exact (every pairing of the ranks) below ``EXACT`` pairs,
    where the usual t approximation is far too small (n = 5, ρ = 0.9: 0.037 against the exact 0.083), the
    t approximation from there on (scipy.stats.spearmanr)."""
    from scipy.stats import permutation_test, rankdata, spearmanr
    rho, p = (float(v) for v in spearmanr(x, y))
    if len(x) >= EXACT:
        return rho, p
    rx, ry = rankdata(x), rankdata(y)

    def statistic(a, axis=-1):
        a = a - a.mean(axis=axis, keepdims=True)
        b = ry - ry.mean()
        return (a * b).sum(axis=axis) / np.sqrt((a ** 2).sum(axis=axis) * (b ** 2).sum())
    test = permutation_test((rx,), statistic, permutation_type="pairings", n_resamples=np.inf, vectorized=True,
                            alternative="two-sided")
    return rho, float(min(1.0, test.pvalue))


def market_table(controls: pd.DataFrame, market: pd.DataFrame, matches: pd.DataFrame,
                 spans: list[tuple[int, int]]) -> pd.DataFrame:
    """Spearman ρ of the enterprises' control index against each market measure, per node and window,
    lag 0 (same window) and 1 (market one window later). Market rows without a node count for ``*``."""
    labels = [f"{a}–{b}" for a, b in spans]
    year_window = {y: label for (a, b), label in zip(spans, labels) for y in range(a, b + 1)}
    measures = [c for c in ("market_share", "revenue") if c in market.columns]
    m = market.assign(window=market["year"].map(year_window)).dropna(subset=["window"])
    if "node" not in m.columns:
        m = m.assign(node=CHAIN)
    if m.empty:  # every market year outside the windows (e.g. after the last complete year)
        years = f"{int(market['year'].min())}–{int(market['year'].max())}" if len(market) else "none"
        return pd.DataFrame([{"node": CHAIN, "window": "", "measure": "", "lag": 0, "market_window": "", "enterprises": 0,
                              "rho": np.nan, "p_value": np.nan, "significant": False,
                              "note": f"no market year ({years}) falls in the windows {labels[0] if labels else ''}"
                                      f"…{labels[-1] if labels else ''}"}], columns=MARKET_COLUMNS)
    owned = matches[matches["how"] != ""].explode("applicants")[["enterprise", "applicants"]]
    apps = controls[controls["actor_type"] == "applicant"][["node", "window", "actor", "index"]]
    control = (owned.merge(apps, left_on="applicants", right_on="actor")
               .groupby(["enterprise", "node", "window"])["index"].sum())
    matched = set(owned["enterprise"])
    rows = []
    for node in sorted(set(m["node"])):
        for i, label in enumerate(labels):
            for measure in measures:
                for lag in (0, 1):
                    if i + lag >= len(labels):
                        continue
                    later = labels[i + lag]
                    pos = m[(m["node"] == node) & (m["window"] == later) & m["enterprise"].isin(matched)]
                    pos = pos.dropna(subset=[measure]).groupby("enterprise")[measure].mean()
                    idx = pd.Series([control.get((e, node, label), 0.0) for e in pos.index], index=pos.index)
                    row = {"node": node, "window": label, "measure": measure, "lag": lag, "market_window": later,
                           "enterprises": len(pos), "rho": np.nan, "p_value": np.nan, "significant": False}
                    if len(pos) < MIN_PAIRS:
                        row["note"] = f"fewer than {MIN_PAIRS} matched enterprises with a value"
                    elif idx.nunique() < 2 or pos.nunique() < 2:
                        row["note"] = "no variation to rank"
                    else:
                        rho, p = spearman(idx.to_numpy(), pos.to_numpy())
                        row.update(rho=round(float(rho), 9), p_value=round(float(p), 9), significant=bool(p < 0.05),
                                   note="" if p < 0.05 else "not significant (p ≥ 0.05)")
                    rows.append(row)
    return pd.DataFrame(rows, columns=MARKET_COLUMNS)


def control_market(store: GraphStore, scheme: str, options: Options | None = None) -> pd.DataFrame:
    """Does patent control go with market position (专利控制力与市场地位)? With enterprise market data
    (``--market FILE.csv``: enterprise, year, market_share and/or revenue, optionally node), the Spearman
    rank correlation between the enterprises' control index (the sum over the applicants each is matched
    to, by name key or as a group) and their market position (the measure's mean over the window's years),
    per node and window: lag 0 the same window, lag 1 the market one window later (does control lead?).
    Matched enterprises without units in the window count with index 0. Without market data: no rows.

    Returns columns: node, window, measure, lag, market_window, enterprises (pairs ranked), rho, p_value,
    significant (p < 0.05), note (why no ρ, or "not significant").
    """
    options = options or Options()
    if options.market is None:
        return pd.DataFrame(columns=MARKET_COLUMNS)
    _, _, nodes, spans, controls = _inputs(store, scheme, options)
    market = options.market.assign(node=_node_ids(options.market["node"], nodes))
    return market_table(controls, market, _matches(store, scheme, options.market), spans)


def market_matching(store: GraphStore, scheme: str, options: Options | None = None) -> pd.DataFrame:
    """How each enterprise of the market data (``--market``) was matched to the graph's applicants: its own
    name key (how = applicant), a group's key (how = group: every member counts), or not at all (how = '':
    listed so the analyst can add the name the exports use).

    Returns columns: enterprise, key, how, applicants (the matched Applicant ids, ' | ' separated).
    """
    options = options or Options()
    if options.market is None:
        return pd.DataFrame(columns=["enterprise", "key", "how", "applicants"])
    found = _matches(store, scheme, options.market)
    return found.assign(applicants=found["applicants"].map(" | ".join))


def _matches(store: GraphStore, scheme: str, market: pd.DataFrame) -> pd.DataFrame:
    applicants = run_query(store, "patent_applicants", scheme=scheme)
    return market_matches(market["enterprise"], applicants["applicant"], run_query(store, "applicant_groups"))


def _node_ids(values: pd.Series, nodes: pd.DataFrame) -> pd.Series:
    """Market rows' nodes as ChainNode ids (by id or code, ``transfer.node_ids``); empty = the whole chain."""
    values = values.fillna("").replace("", CHAIN)
    whole = values == CHAIN
    out = values.copy()
    out[~whole] = node_ids(values[~whole], nodes["node"], nodes["code"], "market data")
    return out

def _f(v: float) -> str:
    return f"{v:.3f}"


def history_sentences(names: dict[str, tuple[str, str]], history: pd.DataFrame, landscape: pd.DataFrame,
                      market: pd.DataFrame, market_given: bool) -> list[dict]:
    """The summary's sentences on the history of control (topic ``control_history``), each quoting the
    numbers of the table its ``evidence`` names."""
    rows: list[dict] = []

    def add(zh: str, en: str, evidence: str) -> None:
        rows.append({"topic": "control_history", "text_zh": zh, "text_en": en, "evidence": evidence})

    def zh(node: str) -> str:
        return "全产业链" if node == CHAIN else names.get(node, (node, node))[0]

    def en(node: str) -> str:
        return "the whole chain" if node == CHAIN else names.get(node, (node, node))[1]

    apps = history[(history["actor_type"] == "applicant")] if len(history) else history
    if len(apps):
        last = apps["start"].max()
        now = apps[(apps["start"] == last) & (apps["node"] == CHAIN) & apps["index_change"].notna()]
        windows = [w for w in landscape.sort_values("start")["window"].unique()] if len(landscape) else []
        if len(now) and len(windows) > 1:
            span = f"{windows[-2]} → {windows[-1]}"
            up = now[now["index_change"] > 0].sort_values(["index_change", "actor"], ascending=[False, True]).head(3)
            down = now[now["index_change"] < 0].sort_values(["index_change", "actor"]).head(3)

            def item(r, lang: str) -> str:
                before = r.index - r.index_change
                was = "—" if pd.isna(r.previous_rank) else str(int(r.previous_rank))
                rank = "—" if pd.isna(r.rank) else str(int(r.rank))
                return (f"{r.name}（指数{_f(before)}→{_f(r.index)}，排名{was}→{rank}）" if lang == "zh"
                        else f"{r.name} (index {_f(before)} → {_f(r.index)}, rank {was} → {rank})")
            sizes = landscape[landscape["node"] == CHAIN].set_index("window")["units"]
            thin = [(w, sizes.get(w, 0.0)) for w in windows[-2:] if sizes.get(w, 0.0) < THIN]
            caution_zh = "".join(f"（注意：{w}全链仅{n:,.0f}件/族，该时段的排名只依据少量专利）" for w, n in thin)
            caution_en = "".join(f" (Caution: {w} holds only {n:,.0f} units on the whole chain; its ranks rest on "
                                 "a handful of patents.)" for w, n in thin)
            if len(up) or len(down):
                add(f"专利控制力变化（{span}，全产业链）：控制力上升最多的申请人为" + ("、".join(item(r, "zh") for r in up.itertuples())
                    or "无") + "；下降最多的为" + ("、".join(item(r, "zh") for r in down.itertuples()) or "无") + "。"
                    + caution_zh,
                    f"Shifts in patent control ({span}, whole chain): the largest gains are " +
                    (", ".join(item(r, "en") for r in up.itertuples()) or "none") + "; the largest losses " +
                    (", ".join(item(r, "en") for r in down.itertuples()) or "none") + "." + caution_en,
                    "control_history.csv: actor_type = applicant, node = *, index, index_change, rank, previous_rank; "
                    "landscape_history.csv: units")
        leaders = apps[(apps["rank"] == 1) & (apps["start"] == last) & (apps["node"] != CHAIN)]
        changed = []
        for r in leaders.sort_values("node").itertuples():
            previous = apps[(apps["node"] == r.node) & (apps["start"] < last) & (apps["rank"] == 1)]
            if len(previous):
                prior = previous.sort_values("start").iloc[-1]
                if prior["actor"] != r.actor and prior["end"] + 1 == r.start:
                    changed.append((r.node, prior["name"], r.name))
        if changed:
            add("控制力首位易主的节点：" + "；".join(f"{zh(n)}（{a}→{b}）" for n, a, b in changed[:6])
                + ("等" if len(changed) > 6 else "") + f"（共{len(changed)}个节点）。",
                "Nodes whose control leader changed in the last window: " + "; ".join(
                    f"{en(n)} ({a} → {b})" for n, a, b in changed[:6]) + (" …" if len(changed) > 6 else "")
                + f" ({len(changed)} nodes).", "control_history.csv: rank = 1, actor_type = applicant")
    whole = landscape[landscape["node"] == CHAIN].sort_values("start") if len(landscape) else landscape
    if len(whole) > 1:  # the last two windows: the latest shift (early windows are often a handful of units)
        a, b = whole.iloc[-2], whole.iloc[-1]
        add(f"控制力与申请集中度（全产业链，{a['window']} → {b['window']}）：前4名申请人的控制力指数占比"
            f"{a['control_top4']:.1%}→{b['control_top4']:.1%}，申请CR4 {a['cr4']:.1%}→{b['cr4']:.1%}，"
            f"HHI {a['hhi']:,.0f}→{b['hhi']:,.0f}；活跃申请人{int(a['applicants'])}→{int(b['applicants'])}个"
            + (f"，新进入者占最近时段申请的{b['entrant_share']:.1%}" if pd.notna(b["entrant_share"]) else "") + "。"
            + ("控制力比申请更集中。" if b["control_top4"] > b["cr4"] + 0.01 else
               "控制力不比申请更集中。"),
            f"Control and filing concentration (whole chain, {a['window']} → {b['window']}): the top 4 applicants' "
            f"share of the control index {a['control_top4']:.1%} → {b['control_top4']:.1%}, filing CR4 "
            f"{a['cr4']:.1%} → {b['cr4']:.1%}, HHI {a['hhi']:,.0f} → {b['hhi']:,.0f}; active applicants "
            f"{int(a['applicants'])} → {int(b['applicants'])}"
            + (f"; new entrants hold {b['entrant_share']:.1%} of the last window's units" if pd.notna(b["entrant_share"])
               else "") + ". " + ("Control is more concentrated than filings." if b["control_top4"] > b["cr4"] + 0.01
                                  else "Control is not more concentrated than filings."),
            "landscape_history.csv: node = *, control_top4, cr4, hhi, applicants, entrant_share")
    both = landscape.dropna(subset=["control_persistence", "leader_persistence"]) if len(landscape) else landscape
    if len(both):
        c, f = both["control_persistence"].mean(), both["leader_persistence"].mean()
        verdict_zh = ("控制力领先者比申请量领先者更稳定" if c > f + 0.05 else "控制力领先者不如申请量领先者稳定"
                      if c < f - 0.05 else "二者稳定性相近")
        verdict_en = ("control leaders keep their place more often than filing leaders" if c > f + 0.05 else
                      "control leaders keep their place less often than filing leaders" if c < f - 0.05 else
                      "both keep their place about as often")
        add(f"领先者的延续：控制力前4名在下一时段仍居前4的比例平均为{c:.0%}，申请量前4名为{f:.0%}"
            f"（{len(both)}个节点×时段）：{verdict_zh}。",
            f"Persistence of leaders: on average {c:.0%} of a window's control top 4 are in the next window's "
            f"top 4, against {f:.0%} of the filing top 4 ({len(both)} node-windows): {verdict_en}.",
            "landscape_history.csv: control_persistence, leader_persistence")
    if not market_given:
        add("未提供企业市场数据（--market 文件：企业、年份、营业收入或市场份额），无法检验专利控制力与市场地位的关系。",
            "No enterprise market data was given (--market FILE.csv: enterprise, year, revenue or market share): "
            "whether control tracks market position is not tested.", "control_market.csv")
    else:
        ranked = market.dropna(subset=["rho"]) if len(market) else market
        outside = market[market["window"] == ""] if len(market) else market
        if len(outside):
            add(f"企业市场数据的年份不在分析时段内：{outside['note'].iloc[0]}。", f"The market data's years miss the "
                f"period windows: {outside['note'].iloc[0]}.", "control_market.csv: note")
        elif not len(ranked):
            add("企业市场数据与申请人匹配后，任何节点×时段的样本均不足以计算秩相关（见 market_matching.csv 中未匹配的企业）。",
                "After matching the market data to applicants, no node and window has enough enterprises for a rank "
                "correlation (see the unmatched names in market_matching.csv).", "control_market.csv, market_matching.csv")
        latest = ranked.groupby(["node", "measure", "lag"])["window"].transform("max") == ranked["window"]
        shown = ranked[latest].sort_values(["node", "measure", "lag"], key=lambda c: c.map({CHAIN: ""}).fillna(c)
                                           if c.name == "node" else c).head(8)
        for r in shown.itertuples():
            lag_zh = "同期" if r.lag == 0 else f"领先一个时段（市场数据{r.market_window}）"
            lag_en = "same window" if r.lag == 0 else f"market one window later ({r.market_window})"
            sig_zh = "在5%水平上显著" if r.significant else "不显著（p ≥ 0.05），不能据此判断二者相关"
            sig_en = "significant at the 5% level" if r.significant else "not significant (p ≥ 0.05): no relation can be read from it"
            add(f"{zh(r.node)} {r.window} 控制力指数与{r.measure}的Spearman秩相关（{lag_zh}）ρ = {r.rho:.2f}，"
                f"p = {r.p_value:.3f}，{r.enterprises}家企业：{sig_zh}。",
                f"{en(r.node)} {r.window}: Spearman correlation of the control index with {r.measure} ({lag_en}) "
                f"ρ = {r.rho:.2f}, p = {r.p_value:.3f}, {r.enterprises} enterprises — {sig_en}.",
                "control_market.csv: rho, p_value, enterprises")
    return rows
