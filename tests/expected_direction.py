"""The direction module recomputed with pandas from the ingest output — not from the graph or Cypher.

Each function follows the definition in the indicator's docstring, step by step, on the ingest frames
(records, IN_NODE, APPLIED_BY, Applicant, CLASSIFIED_AS) and the chain ontology; the lifecycle fits
use a different optimiser (variable projection: the ceiling L solved in closed form over a grid of the
other two parameters, then Nelder–Mead) from the code's ``curve_fit``. ``expected`` gives every table,
``same`` compares one strictly (the column sets must be equal). Used by tests/test_indicators.py,
tests/test_direction.py and tests/test_run.py on the bundled sample, the format fixtures and the
shared corpus.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.optimize import minimize

STAR = "*"
#: the sort keys of every table the oracle recomputes (the summary is text over them)
KEYS = {"filings_by_node_year": ["node", "year"], "top_applicants": ["node", "rank"],
        "concentration": ["node"], "applicant_countries": ["node", "rank"], "trend": ["node", "year"],
        "lifecycle": ["node"], "correlation": ["node"], "transfer": ["node", "window", "country"],
        "flows": ["node", "origin", "office"], "control_power": ["actor_type", "node", "actor"],
        "hotspots": ["kind", "key"], "direction_summary": ["topic", "text_en"],
        "control_history": ["window", "actor_type", "node", "actor"], "landscape_history": ["node", "window"],
        "control_market": ["node", "window", "measure", "lag"], "market_matching": ["enterprise"],
        # module 2 (positioning): recomputed in tests/expected_positioning.py
        "positioning_nodes": ["node"], "positioning_coverage": ["placed_at", "region_source"],
        "positioning_regions": ["level", "code"], "positioning_enterprises": ["node", "applicant"],
        "positioning_roster": ["name"], "positioning_peers": ["node", "zone"], "positioning_technology": ["node", "scope"],
        "positioning_talent": ["node"], "positioning_inventors": ["inventor"], "positioning_agents": ["scope", "type"],
        "positioning_cooperation": ["scope"], "positioning_diagnosis": ["rule", "text_en"],
        # module 3 (pathways): recomputed in tests/expected_pathways.py
        "patent_value": ["patent"], **{f"pathway_{p}": ["kind", "candidate_id", "node"] for p in
                                       ("structure", "enterprises", "technology", "talent", "patent_use", "reserve")},
        # phase 2 (layout plan): recomputed in tests/test_deliverables.py
        "plan": ["node", "year"], "plan_offices": ["node", "actor_id", "office"]}


def last_complete(latest) -> int | None:
    """The last year whose 31 December lies at least 18 months before the latest publication."""
    if latest is None:
        return None
    return (pd.Timestamp(latest) - pd.DateOffset(months=18) + pd.Timedelta(days=1)).year - 1


class Rows:
    """The tuples every expectation starts from."""

    def __init__(self, ingested, chain) -> None:
        rec = ingested.records.set_index("id")
        mine = ingested.frames.get("IN_NODE", pd.DataFrame(columns=["from", "to"]))
        mine = mine[mine["to"].astype(str).str.startswith(f"{chain.scheme}:")]
        tags = mine[["from", "to"]].rename(columns={"from": "patent", "to": "node"})
        tags = pd.concat([tags, tags.drop_duplicates("patent").assign(node=STAR)], ignore_index=True)
        tags["unit"] = tags["patent"].map(rec["family_id"].where(rec["family_id"].notna(), rec.index.to_series()))
        for col in ("year", "cited_by", "family_size", "claims", "authority", "family_offices"):
            tags[col] = tags["patent"].map(rec[col])
        tags["authority"] = tags["authority"].fillna("")
        self.tags = tags
        apps = ingested.frames["APPLIED_BY"][["from", "to"]].rename(columns={"from": "patent", "to": "applicant"})
        people = ingested.frames["Applicant"].set_index("id")
        apps["country"] = apps["applicant"].map(people["country"]).astype(object).fillna("")
        apps["province"] = apps["applicant"].map(people["province"]).astype(object).fillna("")
        apps["name"] = apps["applicant"].map(people["name"])
        self.apps = apps
        self.people = people
        self.ipcs = ingested.frames["CLASSIFIED_AS"][["from", "to"]].rename(columns={"from": "patent", "to": "ipc"})
        dates = [d for d in ingested.records["pub_date"] if d is not None and not pd.isna(d)]
        self.last = last_complete(max(dates)) if dates else None
        self.records = rec
        self.chain = chain

    def unit_years(self) -> pd.Series:
        return self.tags.dropna(subset=["year"]).groupby(["node", "unit"])["year"].min()

    def end(self) -> int | None:
        """The last year counted: the last complete one, else (no publication dates) the latest there is."""
        if self.last is not None:
            return self.last
        years = self.unit_years()
        return int(years.max()) if len(years) else None

    def complete(self, years: pd.Series) -> pd.Series:
        return years <= self.last if self.last is not None else pd.Series(True, index=years.index)


def spans(first: int, last: int, width: int = 5, periods: int = 4) -> list[tuple[int, int]]:
    ends = list(range(last, first - 1, -width))
    out = [(end - width + 1, end) for end in reversed(ends)]
    if len(out) > periods:
        out = out[len(out) - periods:]
    out[0] = (first, out[0][1])
    return out


def label_of(year: int, windows: list[tuple[int, int]]) -> str | None:
    for a, b in windows:
        if a <= year <= b:
            return f"{a}–{b}"
    return None


def filings(r: Rows) -> pd.DataFrame:
    out = r.unit_years().reset_index().groupby(["node", "year"]).size().rename("filings").reset_index()
    out = out[out["node"] != STAR]
    out["complete"] = r.complete(out["year"])
    return out


def basic(r: Rows) -> dict[str, pd.DataFrame]:
    """filings_by_node_year, top_applicants, concentration, applicant_countries and trend."""
    tags = r.tags[r.tags["node"] != STAR]
    filed = filings(r)
    unit_apps = tags.merge(r.apps[["patent", "applicant"]], on="patent")[["node", "unit", "applicant"]]
    unit_apps = unit_apps.drop_duplicates()
    unit_apps["w"] = 1 / unit_apps.groupby(["node", "unit"])["applicant"].transform("size")
    per_app = unit_apps.groupby(["node", "applicant"]).agg(frac=("w", "sum"), units=("unit", "size")).reset_index()
    per_app["frac"] = per_app["frac"].round(9)  # ties rank alike on every engine (see analytics.direction.shares)
    per_app["share"] = per_app["frac"] / per_app.groupby("node")["frac"].transform("sum")
    per_app["name"] = per_app["applicant"].map(r.people["name"])
    ranked = per_app.sort_values(["node", "frac", "applicant"], ascending=[True, False, True])
    ranked["rank"] = ranked.groupby("node").cumcount() + 1
    conc = ranked.groupby("node").agg(applicants=("share", "size"), cr4=("share", lambda s: s.head(4).sum()),
                                      hhi=("share", lambda s: (s ** 2).sum() * 1e4), units=("frac", "sum"))
    conc["level"] = np.where(conc["hhi"] <= 1500, "unconcentrated", np.where(conc["hhi"] <= 2500, "moderate", "high"))
    unit_apps["country"] = unit_apps["applicant"].map(r.people["country"]).fillna("")
    countries = unit_apps.groupby(["node", "country"])["w"].sum().round(9).rename("frac").reset_index()
    countries["share"] = countries["frac"] / countries.groupby("node")["frac"].transform("sum")
    countries = countries.sort_values(["node", "frac", "country"], ascending=[True, False, True])
    countries["rank"] = countries.groupby("node").cumcount() + 1
    per_year = tags.dropna(subset=["year"]).merge(r.apps[["patent", "applicant"]], on="patent", how="left")
    trend = per_year.groupby(["node", "year"]).agg(patents=("patent", "nunique"),
                                                       applicants=("applicant", "nunique")).reset_index()
    trend["units"] = trend.set_index(["node", "year"]).index.map(filed.set_index(["node", "year"])["filings"])
    trend["units"] = trend["units"].fillna(0).astype(int)
    trend["complete"] = r.complete(trend["year"])
    return {"filings_by_node_year": filed, "top_applicants": ranked[ranked["rank"] <= 10],
            "concentration": conc.reset_index(), "applicant_countries": countries, "trend": trend}


def correlation(r: Rows, width: int = 5, economic: pd.DataFrame | None = None) -> pd.DataFrame:
    years = r.unit_years().reset_index()
    end = r.end()
    if end is not None:
        years = years[years["year"] <= end]
    first = int(years["year"].min()) if len(years) else None
    windows = {}
    if first is not None:
        windows["after"] = (max(first, end - width + 1), end)
        if first <= end - width:
            windows["before"] = (max(first, end - 2 * width + 1), end - width)
    units = r.tags.groupby("node")["unit"].nunique()

    def share(node: str, span) -> float:
        if span is None:
            return np.nan
        inside = years[(years["year"] >= span[0]) & (years["year"] <= span[1])]
        base = inside[inside["node"] == STAR]["unit"].nunique()
        return inside[inside["node"] == node]["unit"].nunique() / base if base else np.nan

    label = {k: f"{a}–{b}" for k, (a, b) in windows.items()}
    rows = []
    for c in r.chain.concepts:
        n = int(units.get(c.id, 0))
        b, a = share(c.id, windows.get("before")), share(c.id, windows.get("after"))
        rows.append({"node": c.id, "units": n, "share": n / units[STAR] if STAR in units else 0.0,
                     "share_before": b, "share_after": a, "shift": a - b, "window_before": label.get("before"),
                     "window_after": label.get("after"), "weight": c.weight if c.weight is not None else 1.0})
    out = pd.DataFrame(rows)
    out["rank"] = out["share"].rank(ascending=False, method="min").astype(int)
    if economic is not None:
        code = {c.code: c.id for c in r.chain.concepts}
        econ = economic.assign(node=economic["node"].map(lambda v: code.get(v, v))).set_index("node")
        out = out.join(econ, on="node")
    return out


def _unit_applicants(r: Rows) -> pd.DataFrame:
    pairs = r.tags[["node", "unit", "patent"]].merge(r.apps, on="patent")
    pairs = pairs.drop_duplicates(["node", "unit", "applicant"])
    pairs["w"] = 1 / pairs.groupby(["node", "unit"])["applicant"].transform("count")
    return pairs


def transfer(r: Rows, width: int = 5) -> pd.DataFrame:
    pairs = _unit_applicants(r)
    years = r.unit_years()
    pairs["year"] = pairs.set_index(["node", "unit"]).index.map(years)
    end = r.end()
    pairs = pairs[pairs["year"].notna() & (pairs["year"] <= end)] if end is not None else pairs.iloc[:0]
    if pairs.empty:
        return pd.DataFrame(columns=["node", "window", "start", "end", "country", "frac", "share", "shift"])
    windows = spans(int(pairs["year"].min()), end, width)
    pairs["window"] = [label_of(int(y), windows) for y in pairs["year"]]
    labels = [f"{a}–{b}" for a, b in windows]
    rows = []
    for node, group in pairs.groupby("node"):
        frac = group.groupby(["window", "country"])["w"].sum()
        totals = group.groupby("window")["w"].sum()
        present = [w for w in labels if w in totals.index]
        for country in sorted(group["country"].unique()):
            prev = None
            for i, w in enumerate(present):
                f = float(frac.get((w, country), 0.0))
                s = f / totals[w]
                had_prev = i > 0 and labels.index(present[i - 1]) == labels.index(w) - 1
                shift = s - prev if had_prev and prev is not None else np.nan
                prev_frac = float(frac.get((present[i - 1], country), 0.0)) if i > 0 else 0.0
                if f > 0 or prev_frac > 0:
                    a, b = (int(x) for x in w.split("–"))
                    rows.append({"node": node, "window": w, "start": a, "end": b, "country": country, "frac": f,
                                 "share": s, "shift": shift})
                prev = s
    return pd.DataFrame(rows, columns=["node", "window", "start", "end", "country", "frac", "share", "shift"])


def flows(r: Rows) -> pd.DataFrame:
    pairs = r.tags[["node", "patent", "authority"]].merge(r.apps, on="patent")
    pairs["w"] = 1 / pairs.groupby(["node", "patent"])["applicant"].transform("count")
    out = pairs.groupby(["node", "country", "authority"])["w"].sum().reset_index()
    out.columns = ["node", "origin", "office", "frac"]
    out["share"] = out["frac"] / out.groupby("node")["frac"].transform("sum")
    return out


def _units(r: Rows) -> pd.DataFrame:
    t = r.tags
    units = t.groupby(["node", "unit"]).agg(year=("year", "min"), cited_by=("cited_by", "max"),
                                            family_size=("family_size", "max"), claims=("claims", "max"))
    family = {}  # a unit's family offices, from any of its classified members (of any window)
    every = getattr(r, "all_tags", t)
    for unit, lists in every[every["node"] == STAR].groupby("unit")["family_offices"]:
        family[unit] = {o for lst in lists if isinstance(lst, (list, np.ndarray)) for o in lst}
    offices = {}
    for (node, unit), group in t.groupby(["node", "unit"]):
        offices[(node, unit)] = {o for o in set(group["authority"]) | family.get(unit, set()) if o}
    units["offices"] = pd.Series(offices, dtype=object)
    return units.reset_index()


def control_power(r: Rows, theta: float = 0.05, weights=(0.4, 0.3, 0.3), market_weights=None,
                  top: int = 50, min_units: float = 3.0) -> pd.DataFrame:
    columns = ["actor_type", "actor", "node", "technology_control", "product_control", "market_control", "index",
               "units", "share", "name", "rank", "supported"]
    market_weights = market_weights or {}
    u = _units(r)
    if u.empty:
        return pd.DataFrame(columns=columns)
    u["basis"] = np.select([u["cited_by"].notna(), u["family_size"].notna(), u["claims"].notna()],
                           ["cited_by", "family_size", "claims"], "")
    u["value"] = [row[b] if b else np.nan for row, b in zip(u.to_dict("records"), u["basis"])]
    u["cohort"] = u["year"].fillna(-1)
    means = u[u["basis"] != ""].groupby(["node", "cohort", "basis"])["value"].mean()
    u["score"] = [np.nan if not b else round((v / means[(n, c, b)]) if means[(n, c, b)] > 0 else 0.0, 9)
                  for n, c, b, v in zip(u["node"], u["cohort"], u["basis"], u["value"])]
    cut = u.groupby("node")["score"].quantile(0.9)
    u["core"] = (u["score"] > 0) & (u["score"] >= u["node"].map(cut))
    u["cov"] = u["offices"].map(lambda offs: float(sum(market_weights.get(o, 1.0) for o in offs)))
    pairs = _unit_applicants(r).merge(u[["node", "unit", "core", "cov"]], on=["node", "unit"])
    if pairs.empty:
        return pd.DataFrame(columns=columns)
    per_unit = pairs.drop_duplicates(["node", "unit"])
    n_units = per_unit.groupby("node").size()
    n_core = per_unit[per_unit["core"]].groupby("node").size()
    cov = per_unit.groupby("node")["cov"].sum()
    kinds = {"applicant": pairs.assign(actor=pairs["applicant"]),
             "country": pairs.assign(actor=pairs["country"]),
             "region": pairs[pairs["province"] != ""].assign(actor=lambda f: f["province"])}
    parents = {c.id: c.parent for c in r.chain.concepts}
    weight = {c.id: (c.weight if c.weight is not None else 1.0) for c in r.chain.concepts}

    subtrees = {n: [m for m in parents if m == n or _ancestor(n, m, parents)] for n in parents}
    subtrees[STAR] = list(parents)

    rows = []
    for kind, frame in kinds.items():
        if frame.empty:
            continue
        frame = frame.assign(wc=frame["w"] * frame["core"], wm=frame["w"] * frame["cov"])
        agg = frame.groupby(["actor", "node"])[["w", "wc", "wm"]].sum().rename(columns={"w": "units"}).reset_index()
        agg["share"] = agg["units"] / agg["node"].map(n_units)
        held = {(a, n) for a, n, s, k in zip(agg["actor"], agg["node"], agg["share"], agg["units"])
                if n != STAR and s >= theta - 1e-12 and k >= min_units - 1e-9}
        for row in agg.to_dict("records"):
            sub = [m for m in subtrees[row["node"]] if m in n_units.index]
            total = sum(weight[m] for m in sub)
            product = sum(weight[m] for m in sub if (row["actor"], m) in held) / total if total else 0.0
            tech = row["wc"] / n_core[row["node"]] if row["node"] in n_core.index else 0.0
            market = row["wm"] / cov[row["node"]] if cov[row["node"]] > 0 else 0.0
            index = (weights[0] * tech + weights[1] * product + weights[2] * market) / sum(weights)
            name = r.people["name"].get(row["actor"]) if kind == "applicant" else row["actor"]
            rows.append({"actor_type": kind, "actor": row["actor"], "node": row["node"],
                         "technology_control": round(tech, 9), "product_control": round(product, 9),
                         "market_control": round(market, 9), "index": round(index, 9), "units": row["units"],
                         "share": round(row["share"], 9), "name": name,
                         "supported": bool(row["units"] >= min_units - 1e-9)})
    # a real portfolio ranks above one or two filings, whatever their index
    out = pd.DataFrame(rows).sort_values(["actor_type", "node", "supported", "index", "units", "actor"],
                                         ascending=[True, True, False, False, False, True])
    out["rank"] = out.groupby(["actor_type", "node"]).cumcount() + 1
    return out[out["rank"] <= top]


def _ancestor(up: str, node: str, parents: dict) -> bool:
    while parents.get(node):
        node = parents[node]
        if node == up:
            return True
    return False


def hotspots(r: Rows, width: int = 5) -> pd.DataFrame:
    columns = ["kind", "key", "start", "end", "value_start", "value_end", "cagr", "share_before", "share_after",
               "shift", "first_year", "rank"]
    end = r.end()
    if end is None:
        return pd.DataFrame(columns=columns)
    start = end - width + 1
    span = end - start
    years = r.unit_years().reset_index()
    rows = []
    for node, group in years[years["node"] != STAR].groupby("node"):
        a = int((group["year"] == start).sum())
        b = int((group["year"] == end).sum())
        rows.append({"kind": "node", "key": node, "start": start, "end": end, "value_start": a, "value_end": b,
                     "cagr": (b / a) ** (1 / span) - 1 if a else np.nan})
    ipc = r.ipcs[r.ipcs["patent"].isin(r.tags["patent"])].copy()
    ipc["group"] = [c.split("/")[0] + "/00" if "/" in c else c for c in ipc["ipc"]]
    first = r.tags[r.tags["node"] == STAR][["patent", "unit", "year"]].merge(ipc, on="patent")
    first = first.dropna(subset=["year"]).groupby(["group", "unit"])["year"].min().reset_index()
    for group, g in first.groupby("group"):
        a, b = int((g["year"] == start).sum()), int((g["year"] == end).sum())
        if b >= 5:
            rows.append({"kind": "ipc_group", "key": group, "start": start, "end": end, "value_start": a,
                         "value_end": b, "cagr": (b / a) ** (1 / span) - 1 if a else np.nan})
        if end - 2 <= g["year"].min() <= end:
            rows.append({"kind": "new_ipc_group", "key": group, "start": start, "end": end,
                         "value_end": int((g["year"] <= end).sum()), "first_year": int(g["year"].min())})
    pats = r.tags[(r.tags["node"] == STAR) & r.tags["year"].notna() & (r.tags["authority"] != "")]
    before = pats[(pats["year"] >= end - 2 * width + 1) & (pats["year"] <= end - width)]["authority"]
    after = pats[(pats["year"] >= end - width + 1) & (pats["year"] <= end)]["authority"]
    before, after = before.value_counts(), after.value_counts()
    for office in sorted(set(before.index) | set(after.index)):
        sb, sa = before.get(office, 0) / max(1, before.sum()), after.get(office, 0) / max(1, after.sum())
        rows.append({"kind": "office", "key": office, "start": end - 2 * width + 1, "end": end,
                     "value_start": int(before.get(office, 0)), "value_end": int(after.get(office, 0)),
                     "share_before": sb, "share_after": sa, "shift": round(sa - sb, 9)})
    out = pd.DataFrame(rows, columns=columns)
    growth = out["kind"].isin(["node", "ipc_group"])
    eligible = growth & (out["value_end"] >= 5) & (out["value_start"] >= 3)
    out["rank"] = np.nan
    for kind in ("node", "ipc_group"):
        mask = eligible & (out["kind"] == kind)
        out.loc[mask, "rank"] = out.loc[mask, "cagr"].rank(ascending=False, method="min")
    new = out["kind"] == "new_ipc_group"
    order = out[new].sort_values(["value_end", "key"], ascending=[False, True]).index
    out.loc[order, "rank"] = range(1, len(order) + 1)
    rising = (out["kind"] == "office") & (out["shift"] > 0)
    out.loc[rising, "rank"] = out.loc[rising, "shift"].rank(ascending=False, method="min")
    return out


# ---------------------------------------------------------------- lifecycle, fitted another way
_STAGES = ((0.10, "emerging"), (0.50, "growth"), (0.90, "mature"), (np.inf, "saturated"))
_CEILING = 100


def _projected(shape, grid: list[np.ndarray], t: np.ndarray, cum: np.ndarray):
    """Least squares of cum ≈ L · shape(t; a, b) with L in [last, 100·last] solved in closed form for
    each (a, b): a grid search, then Nelder–Mead from the best grid point inside the same box."""
    last = cum[-1]
    lo = np.array([g.min() for g in grid])
    hi = np.array([g.max() for g in grid])

    def sse_and_l(a, b):
        f = shape(t[None, None, :], np.asarray(a)[..., None], np.asarray(b)[..., None])
        num, den = (f * cum).sum(-1), (f * f).sum(-1)
        big_l = np.clip(num / np.where(den > 0, den, np.inf), last, _CEILING * last)
        return ((cum - big_l[..., None] * f) ** 2).sum(-1), big_l

    a, b = np.meshgrid(*grid, indexing="ij")
    with np.errstate(over="ignore", invalid="ignore", under="ignore"):
        sse, _ = sse_and_l(a, b)
    i = np.unravel_index(np.nanargmin(sse), sse.shape)

    def objective(x):
        x = np.clip(x, lo, hi)
        with np.errstate(over="ignore", invalid="ignore", under="ignore"):
            return float(sse_and_l(x[0:1][:, None], x[1:2][None, :])[0][0, 0])
    best = minimize(objective, np.array([a[i], b[i]]), method="Nelder-Mead",
                    options={"xatol": 1e-9, "fatol": 1e-9, "maxiter": 4000})
    x = np.clip(best.x, lo, hi)
    with np.errstate(over="ignore", invalid="ignore", under="ignore"):
        sse, big_l = sse_and_l(x[0:1][:, None], x[1:2][None, :])
    return float(sse[0, 0]), float(big_l[0, 0])


def fit(series: pd.Series) -> dict:
    """Logistic and Gompertz ceilings of the cumulative series (index = years, gaps already filled)."""
    cum = series.to_numpy(dtype=float).cumsum()
    t = np.arange(len(cum), dtype=float)
    out = {"model": "", "stage": "insufficient data", "maturity": np.nan, "r2": np.nan, "L": np.nan,
           "cumulative": float(cum[-1]) if len(cum) else 0.0, "years": len(cum), "exponential": False,
           "declining": False}
    if len(cum) < 5 or cum[-1] < 10:
        return out
    total = float(((cum - cum.mean()) ** 2).sum())
    logistic = lambda t, k, t0: 1 / (1 + np.exp(-k * (t - t0)))  # noqa: E731
    gompertz = lambda t, b, c: np.exp(-b * np.exp(-c * t))  # noqa: E731
    fits = {}
    for name, shape, grid in (
            ("logistic", logistic, [np.geomspace(1e-3, 5, 90), np.linspace(-50, t[-1] + 50, 240)]),
            ("gompertz", gompertz, [np.geomspace(1e-3, 1e4, 120), np.geomspace(1e-4, 5, 120)])):
        sse, big_l = _projected(shape, grid, t, cum)
        fits[name] = (1 - sse / total if total else 0.0, big_l)
    model = max(fits, key=lambda m: (fits[m][0], m))
    r2, big_l = fits[model]
    out.update(model=model, r2=r2, fits=fits)
    # declining: the best year lies 3+ years back and the last two years average ≤ 3/4 of it
    annual = series.to_numpy(dtype=float)
    first_peak = int(np.flatnonzero(annual == annual.max())[0])
    down = first_peak <= len(annual) - 4 and (annual[-1] + annual[-2]) / 2 <= 0.75 * annual.max()
    if big_l >= 0.99 * _CEILING * cum[-1]:
        return {**out, "stage": "declining" if down else "emerging", "exponential": not down, "declining": down}
    maturity = cum[-1] / big_l
    stage = "declining" if down else next(s for bound, s in _STAGES if maturity < bound)
    return {**out, "stage": stage, "maturity": maturity, "L": big_l, "declining": down}


def lifecycle(filed: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for node, group in filed[filed["complete"]].groupby("node"):
        span = range(int(group["year"].min()), int(group["year"].max()) + 1)
        rows.append({"node": node, **fit(group.set_index("year")["filings"].reindex(span, fill_value=0))})
    return pd.DataFrame(rows, columns=["node", "model", "stage", "maturity", "r2", "L", "cumulative", "years",
                                       "exponential", "declining", "fits"])


def same_lifecycle(got: pd.DataFrame, want: pd.DataFrame, what: str) -> None:
    """The code's fit against the oracle's: same nodes, years, units and stage; R² within 0.002 (a
    worse fit in the code means its optimiser stopped early); ceiling and maturity within 2%."""
    got, want = got.set_index("node").sort_index(), want.set_index("node").sort_index()
    assert list(got.index) == list(want.index), f"{what}: nodes differ"
    for node, w in want.iterrows():
        g = got.loc[node]
        where = f"{what}: {node}"
        assert int(g["years"]) == w["years"] and float(g["cumulative"]) == w["cumulative"], where
        if w["stage"] == "insufficient data":
            assert g["stage"] == "insufficient data" and g["model"] == "", where
            continue
        assert (g["stage"] == "declining") == w["declining"], f"{where}: declining {g['stage']} vs {w['stage']}"
        assert float(g["r2"]) >= w["r2"] - 2e-3, f"{where}: R² {g['r2']} vs a better fit {w['r2']:.4f}"
        close = abs(w["fits"]["logistic"][0] - w["fits"]["gompertz"][0]) < 2e-3  # either model is as good
        assert g["model"] == w["model"] or close, f"{where}: model {g['model']} vs {w['model']}"
        if g["model"] != w["model"]:
            continue
        assert g["stage"] == w["stage"] or abs(float(g["maturity"]) - w["maturity"]) < 0.02, \
            f"{where}: stage {g['stage']} vs {w['stage']}"
        assert ("exponential" in g["note"]) == w["exponential"], where
        if not w["exponential"] and not pd.isna(w["L"]):
            assert np.isclose(float(g["L"]), w["L"], rtol=0.02), f"{where}: L {g['L']} vs {w['L']:.1f}"
            assert np.isclose(float(g["maturity"]), w["maturity"], rtol=0.02), where


# ---------------------------------------------------------------- every table, compared strictly
def expected(ingested, chain, options=None, history: bool = True) -> dict[str, pd.DataFrame]:
    """Every recomputable indicator table from the ingest output (``options``: analytics.options.Options);
    ``history``: also the per-window tables (tests/expected_history.py)."""
    theta = getattr(options, "theta", 0.05)
    weights = getattr(options, "control_weights", (0.4, 0.3, 0.3))
    market = getattr(options, "market_weights", {})
    width = getattr(options, "window", 5)
    economic = getattr(options, "economic", None)
    r = Rows(ingested, chain)
    out = basic(r)
    out["lifecycle"] = lifecycle(out["filings_by_node_year"])
    out["correlation"] = correlation(r, width, economic)
    out["transfer"] = transfer(r, width)
    out["flows"] = flows(r)
    out["control_power"] = control_power(r, theta, weights, market, min_units=getattr(options, "control_min_units", 3.0))
    out["hotspots"] = hotspots(r, width)
    if history:
        import expected_history  # the windowed control power (it builds on this module)
        out.update(expected_history.tables(r, options))
    return out


def same(got: pd.DataFrame, want: pd.DataFrame, keys: list[str], what: str) -> None:
    """Equal tables: the same columns (no column only one side has), rows and values (floats to 1e-9)."""
    assert set(got.columns) == set(want.columns), \
        f"{what}: columns differ: only in the code {sorted(set(got.columns) - set(want.columns))}, " \
        f"only in the oracle {sorted(set(want.columns) - set(got.columns))}"
    cols = list(got.columns)
    a = got[cols].sort_values(keys).reset_index(drop=True)
    b = want[cols].sort_values(keys).reset_index(drop=True)
    assert len(a) == len(b), f"{what}: {len(a)} rows vs {len(b)}"
    for c in cols:
        x, y = a[c], b[c]
        numeric = pd.api.types.is_numeric_dtype(x) and not pd.api.types.is_bool_dtype(x)
        if numeric or pd.api.types.is_float_dtype(y):
            assert np.allclose(x.astype(float), y.astype(float), rtol=1e-9, atol=1e-9, equal_nan=True), f"{what}.{c}"
        else:
            norm = lambda v: None if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NA else v  # noqa: E731
            assert [norm(v) for v in x.astype(object)] == [norm(v) for v in y.astype(object)], f"{what}.{c}"


def check_tables(tables: dict[str, pd.DataFrame], want: dict[str, pd.DataFrame], what: str) -> int:
    """Every table the oracle has against the code's; returns how many were compared."""
    for name, frame in want.items():
        if name == "lifecycle":
            same_lifecycle(tables[name], frame, f"{what} lifecycle")
        else:
            same(tables[name], frame, KEYS[name], f"{what} {name}")
    return len(want)


def from_graph_tuples(store, scheme: str = "icv") -> dict[str, pd.DataFrame]:
    """trend and concentration recomputed from the graph's own (patent, family, year, node, applicant)
    tuples — one plain MATCH, no aggregation in Cypher — as an analyst checking the tables would."""
    rows = store.run("MATCH (p:Patent)-[:IN_NODE]->(n:ChainNode) WHERE n.scheme = $scheme "
                     "OPTIONAL MATCH (p)-[:APPLIED_BY]->(a:Applicant) "
                     "RETURN p.id AS patent, p.family_id AS family, p.year AS year, n.id AS node, "
                     "a.id AS applicant", {"scheme": scheme})
    dated = rows.dropna(subset=["year"])
    trend = dated.groupby(["node", "year"]).agg(patents=("patent", "nunique"),
                                                applicants=("applicant", "nunique")).reset_index()
    rows["unit"] = rows["family"].where(rows["family"].notna(), rows["patent"])
    first = rows.dropna(subset=["year"]).groupby(["node", "unit"])["year"].min().reset_index()
    units = first.groupby(["node", "year"]).size()
    trend["units"] = [int(units.get(k, 0)) for k in zip(trend["node"], trend["year"])]
    held = rows.dropna(subset=["applicant"]).drop_duplicates(["node", "unit", "applicant"])
    held = held.assign(w=1 / held.groupby(["node", "unit"])["applicant"].transform("size"))
    frac = held.groupby(["node", "applicant"])["w"].sum().round(9)
    share = frac / frac.groupby(level="node").transform("sum")
    conc = pd.DataFrame({"cr4": share.groupby(level="node").apply(lambda s: s.nlargest(4).sum()),
                         "hhi": share.groupby(level="node").apply(lambda s: (s ** 2).sum() * 10_000)})
    return {"trend": trend, "concentration": conc.reset_index()}
