"""An independent recomputation of the history tables (analytics.history) from the ingest output: the
direction oracle's control power (expected_direction.control_power) on each window's units, and the
landscape with plain loops — no code shared with analytics/."""

from __future__ import annotations

import copy

import numpy as np
import pandas as pd

import expected_direction as ed

HISTORY = ["window", "start", "end", "actor_type", "actor", "node", "name", "technology_control", "product_control",
           "market_control", "index", "units", "share", "supported", "rank", "previous_rank", "rank_change",
           "index_change", "top10"]
LANDSCAPE = ["node", "window", "start", "end", "units", "applicants", "cr4", "hhi", "entrant_share",
             "leader_persistence", "control_top4", "control_persistence"]


def window_units(r: ed.Rows, width: int = 5) -> tuple[pd.Series, list[tuple[int, int]]]:
    """(node, unit) → window label for units of complete years; the windows."""
    years = r.unit_years()
    end = r.end()
    years = years[years <= end]
    if years.empty:
        return years, []
    windows = ed.spans(int(years.min()), end, width)
    return years.map(lambda y: ed.label_of(int(y), windows)), windows


def windowed_rows(r: ed.Rows, labels: pd.Series, label: str) -> ed.Rows:
    """``r`` with only the tags of units whose window is ``label`` (family offices still from every tag)."""
    sub = copy.copy(r)
    keep = set(labels[labels == label].index)
    sub.tags = r.tags[[k in keep for k in zip(r.tags["node"], r.tags["unit"])]]
    sub.all_tags = r.tags
    return sub


def control_history(r: ed.Rows, width: int = 5, **control) -> tuple[pd.DataFrame, list]:
    """Every actor's control per window (all ranks; columns of ed.control_power plus window, w,
    previous_rank, index_change, top10) and the exits (actor_type, node, actor, w) of each top 10.
    ``control``: theta, weights, market_weights, min_units as ed.control_power takes them."""
    labels, windows = window_units(r, width) if r.end() is not None else (None, [])
    if not windows:
        return pd.DataFrame(columns=["actor_type", "node", "actor", "window", "w", "rank", "index"]), []
    parts, order = [], [f"{a}–{b}" for a, b in windows]
    for i, label in enumerate(order):
        sub = windowed_rows(r, labels, label)
        if sub.tags.empty:
            continue
        t = ed.control_power(sub, top=10**9, **control)
        if len(t):
            parts.append(t.assign(window=label, w=i, start=windows[i][0], end=windows[i][1]))
    if not parts:
        return pd.DataFrame(columns=["actor_type", "node", "actor", "window", "w", "rank", "index"]), []
    every = pd.concat(parts, ignore_index=True)
    nodes_in = {(n, w) for n, w in zip(every["node"], every["w"])}
    rank = {(t, n, a, w): k for t, n, a, w, k in zip(every["actor_type"], every["node"], every["actor"], every["w"],
                                                      every["rank"])}
    index = {(t, n, a, w): x for t, n, a, w, x in zip(every["actor_type"], every["node"], every["actor"], every["w"],
                                                       every["index"])}
    prev_rank, change, top10 = [], [], []
    for t, n, a, w, k, x in zip(every["actor_type"], every["node"], every["actor"], every["w"], every["rank"],
                                every["index"]):
        before = (n, w - 1) in nodes_in
        pr = rank.get((t, n, a, w - 1))
        prev_rank.append(pr if pr is not None else np.nan)
        change.append(x - index.get((t, n, a, w - 1), 0.0) if before else np.nan)
        top10.append("" if not before or k > 10 else "stayed" if pr is not None and pr <= 10 else "entered")
    every["previous_rank"], every["index_change"], every["top10"] = prev_rank, change, top10
    left = []
    for (t, n, a, w), k in rank.items():
        if k <= 10 and (n, w + 1) in nodes_in and rank.get((t, n, a, w + 1), 99) > 10:
            left.append((t, n, a, w + 1))
    gone = set(left)
    every["top10"] = ["left" if k in gone else f for k, f in
                      zip(zip(every["actor_type"], every["node"], every["actor"], every["w"]), every["top10"])]
    return every, left


def landscape(r: ed.Rows, every: pd.DataFrame, width: int = 5) -> pd.DataFrame:
    if every.empty:
        return pd.DataFrame(columns=LANDSCAPE)
    labels, windows = window_units(r, width)
    order = [f"{a}–{b}" for a, b in windows]
    pairs = ed._unit_applicants(r)
    pairs["window"] = [labels.get((n, u)) for n, u in zip(pairs["node"], pairs["unit"])]
    pairs = pairs.dropna(subset=["window"])
    rows = []
    apps = every[every["actor_type"] == "applicant"]
    for node, group in pairs.groupby("node"):
        seen, prev_top, prev_ctop = set(), None, None
        for i, label in enumerate(order):
            mine = group[group["window"] == label]
            if mine.empty:
                prev_top = prev_ctop = None
                continue
            frac = mine.groupby("applicant")["w"].sum()
            share = frac / frac.sum()
            top4 = set(sorted(frac.index, key=lambda a: (-frac[a], a))[:4])
            ctl = apps[(apps["node"] == node) & (apps["window"] == label)]
            ctop = set(ctl[ctl["rank"] <= 4]["actor"])
            first = not seen
            rows.append({"node": node, "window": label, "start": windows[i][0], "end": windows[i][1],
                         "units": frac.sum(), "applicants": len(frac),
                         "cr4": share.nlargest(4).sum(), "hhi": (share ** 2).sum() * 10_000,
                         "entrant_share": np.nan if first else share[[a not in seen for a in share.index]].sum(),
                         "leader_persistence": len(prev_top & top4) / len(prev_top) if prev_top else np.nan,
                         "control_top4": ctl["index"].nlargest(4).sum() / ctl["index"].sum()
                         if ctl["index"].sum() > 0 else np.nan,
                         "control_persistence": len(prev_ctop & ctop) / len(prev_ctop) if prev_ctop else np.nan})
            seen |= set(frac.index)
            prev_top, prev_ctop = top4, ctop
    return pd.DataFrame(rows, columns=LANDSCAPE)


def tables(r: ed.Rows, options=None) -> dict[str, pd.DataFrame]:
    """control_history and landscape_history as analytics.history returns them, at ``options``."""
    control = {"theta": getattr(options, "theta", 0.05), "weights": getattr(options, "control_weights", (0.4, 0.3, 0.3)),
               "market_weights": getattr(options, "market_weights", {}),
               "min_units": getattr(options, "control_min_units", 3.0)}
    width, top = getattr(options, "window", 5), getattr(options, "top_actors", 50)
    every, left = control_history(r, width, **control)
    land = landscape(r, every, width)
    if every.empty:
        return {"control_history": pd.DataFrame(columns=HISTORY), "landscape_history": land}
    leaders = {(t, n, a) for t, n, a, k in zip(every["actor_type"], every["node"], every["actor"], every["rank"]) if k <= top}
    kept = every[(every["rank"] <= top) | (every["top10"] == "left")
                 | np.array([k in leaders for k in zip(every["actor_type"], every["node"], every["actor"])], dtype=bool)]
    present = {(t, n, a, w) for t, n, a, w in zip(every["actor_type"], every["node"], every["actor"], every["w"])}
    by_key = every.set_index(["actor_type", "node", "actor", "w"])
    spans = every.drop_duplicates("w").set_index("w")
    filler = []
    for t, n, a, w in left:
        if (t, n, a, w) in present:
            continue
        before = by_key.loc[(t, n, a, w - 1)]
        filler.append({"actor_type": t, "node": n, "actor": a, "w": w, "window": spans.loc[w, "window"],
                       "start": spans.loc[w, "start"], "end": spans.loc[w, "end"], "name": before["name"],
                       "technology_control": 0.0, "product_control": 0.0, "market_control": 0.0, "index": 0.0,
                       "units": 0.0, "share": 0.0, "supported": False, "rank": np.nan,
                       "previous_rank": before["rank"], "index_change": -before["index"], "top10": "left"})
    out = pd.concat([kept, pd.DataFrame(filler)], ignore_index=True) if filler else kept.copy()
    out["rank_change"] = out["previous_rank"] - out["rank"]
    return {"control_history": out[HISTORY].reset_index(drop=True), "landscape_history": land}
