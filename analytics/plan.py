"""Phase 2 — the industry patent layout plan (产业专利布局规划): per chain node and planned year, how many
patents the zone should file (quantity), of what kind (structure), when and how (timing) and where
(geography), with the reserve and operation plan from module 3's pools (DESIGN §6 "Layout plan";
REFERENCES §3). No standard or vendor formula for target counts exists (REFERENCES §6), so every target
is a documented derivation from the data, shown as a range, and every row says how it was derived.

Quantity. The zone's units per complete year (fractional counting, as in module 2) over the last
``window`` complete years are fitted with a least-squares line; its forecast for each planned year,
with the 95% prediction interval, is the trend. The line is extended no further past the last complete
year than the years it was fitted on, and held there (stale data must not make a 10-year extrapolation). The reference share is the share of the node's world
units that the zone file's peers hold (the best peer), else the mean share of the nation's
``plan_reference_cities`` leading cities outside the zone, over the same years; the node's world units
are forecast the same way. The target closes the gap between the trend and the reference share
linearly over the plan: ``target(h) = trend + max(0, reference − trend) · h / H`` for the h-th of H
years. Range: low = the trend's lower bound, high = the larger of the trend's upper bound and the
reference (the whole gap closed at once).

Structure. Invention share and share of units filed abroad (PCT or an office outside the applicant's
country): the better of the zone's and the nation's in the node (``positioning_technology``);
high-value units: the target units times the better of the zone's and the nation's share of units with
a value score ≥ ``high_value`` (``patent_value``).

Timing, by the node's lifecycle stage (``lifecycle``): emerging — reserve early; growth — file now;
mature or saturated — fill around the leaders' patents; declining — operate and license.

Geography (``plan_offices``): an applicant × office matrix of the node's five leading organisations and
the zone — 重点 (key: at least ``key_office_share`` of its units there), 有 (some), 无 (none); the
offices to plan are the zone's key offices and the markets where at least two leaders file, most-used
first; the blank offices (空白局) are those markets where the zone files nothing.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from analytics.direction import STAGE_ZH as _STAGES_ZH
from analytics.frames import CHAIN
from analytics.options import Options
from graph.store import GraphStore

COLUMNS = ["zone", "node", "name_zh", "year", "stage", "fitted_years", "current_units", "trend_units", "target_units", "target_low",
           "target_high", "reference_share", "reference", "invention_share_target", "high_value_target",
           "overseas_share_target", "timing", "timing_zh", "offices", "blank_offices", "operation_zh",
           "operation_en", "basis_zh", "basis_en"]
OFFICE_COLUMNS = ["node", "name_zh", "actor", "actor_id", "is_zone", "units", "office", "office_units", "share",
                  "level"]
TIMING = {"emerging": ("提前储备：技术定型前布局基础与核心专利", "reserve early: file base and core patents before the field settles"),
          "growth": ("立即申请：快速增长期抢占布局", "file now: the field is growing fast"),
          "mature": ("外围布局：围绕龙头专利申请改进与应用专利", "fill around the leaders' patents with improvements and applications"),
          "saturated": ("外围布局：围绕龙头专利申请改进与应用专利", "fill around the leaders' patents with improvements and applications"),
          "declining": ("运营为主：许可、转让、质押，保留在用专利", "operate and license: license, transfer, pledge; keep what is used"),
          "insufficient data": ("数据不足：按趋势稳步申请", "too little data for a stage: file steadily along the trend")}
LEVELS = ("重点", "有", "无")
LEADERS = 5
STAGE_ZH = {**_STAGES_ZH, "insufficient data": "数据不足"}
#: offices a plan row names at most
MAX_OFFICES = 6


def line_forecast(years: np.ndarray, values: np.ndarray, future: np.ndarray) -> tuple[np.ndarray, np.ndarray,
                                                                                      np.ndarray, str]:
    """Least-squares line through (years, values) and its forecast for ``future`` years with the 95%
    prediction interval, each clipped at 0; with fewer than 3 years or a constant series, the mean
    with no interval. Returns (forecast, low, high, method).

    >>> f, lo, hi, how = line_forecast(np.array([2017, 2018, 2019, 2020, 2021]), np.array([1., 2., 3., 4., 5.]),
    ...                                np.array([2022, 2023]))
    >>> f.round(6).tolist(), bool((lo <= f).all() and (hi >= f).all()), how
    ([6.0, 7.0], True, 'line')
    >>> line_forecast(np.array([2020, 2021]), np.array([2., 4.]), np.array([2022]))[0].tolist()
    [3.0]
    """
    x, y = years.astype(float), values.astype(float)
    if len(x) < 3 or np.ptp(y) == 0:
        mean = np.full(len(future), float(y.mean()) if len(y) else 0.0)
        return mean, mean.copy(), mean.copy(), "mean"
    slope, intercept = np.polyfit(x, y, 1)
    fit = intercept + slope * future
    resid = y - (intercept + slope * x)
    n = len(x)
    s = np.sqrt((resid ** 2).sum() / (n - 2))
    se = s * np.sqrt(1 + 1 / n + (future - x.mean()) ** 2 / ((x - x.mean()) ** 2).sum())
    q = stats.t.ppf(0.975, n - 2)
    return np.clip(fit, 0, None), np.clip(fit - q * se, 0, None), np.clip(fit + q * se, 0, None), "line"


LEVEL_ZH = {"province": ("省份", "provinces"), "city": ("城市", "cities"), "district": ("区县", "districts")}


def zone_level(areas: tuple[str, ...]) -> str:
    """The admin level a zone is compared at: the coarsest of its areas (a municipality is a city).

    >>> zone_level(("370200",)), zone_level(("110000",)), zone_level(("440305", "440306")), zone_level(("370000",))
    ('city', 'city', 'district', 'province')
    """
    from analytics.positioning.structure import MUNICIPALITIES
    levels = ["province" if a.endswith("0000") and a[:2] not in MUNICIPALITIES else "city" if a.endswith("00")
              else "district" for a in areas]
    return next((lv for lv in ("province", "city", "district") if lv in levels), "city")


def area_of(region: pd.Series, level: str) -> pd.Series:
    """Each located region's area at ``level`` ("" where the region is not placed that finely); a
    municipality's districts belong to the municipality as a city.

    >>> area_of(pd.Series(["370212", "370200", "370000", "110108"]), "city").tolist()
    ['370200', '370200', '', '110000']
    """
    from analytics.positioning.structure import MUNICIPALITIES, placed_at
    r = region.fillna("").astype(str)
    at = placed_at(r)
    if level == "province":
        return (r.str[:2] + "0000").where(at.ne("unknown").to_numpy(), "")
    if level == "district":
        return r.where(at.eq("district").to_numpy(), "")
    city = (r.str[:4] + "00").where(~r.str[:2].isin(MUNICIPALITIES), r.str[:2] + "0000")
    return city.where(at.isin(["city", "district"]).to_numpy(), "")


def _reference(store, scheme: str, options: Options, actors: pd.DataFrame, years: range) -> pd.DataFrame:
    """Per node: reference_share and the reference's names over ``years`` — the best peer of the zone file,
    else the mean share of the nation's ``plan_reference_cities`` leading areas outside the zone at the
    zone's own level (provinces for a province, cities for a city, districts for a district), else the
    zone's own share of the whole chain (a node held at RTA = 1)."""
    from analytics.positioning.structure import zone_actors
    from analytics.zone import admin_areas, in_areas
    recent = actors[actors["year"].isin(list(years))]
    chain = recent[recent["node"] == CHAIN]
    recent = recent[recent["node"] != CHAIN]
    world = recent.groupby("node")["w"].sum()
    zone = options.zone
    rows = []
    if zone.peers:
        for peer in zone.peers:
            a = zone_actors(store, scheme, peer)
            a = a[a["year"].isin(list(years)) & (a["node"] != CHAIN)]
            part = (a["w"] * a["zone"]).groupby(a["node"]).sum()
            rows.append(pd.DataFrame({"node": part.index, "who": peer.name_zh, "units": part.to_numpy()}))
        per = pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(columns=["node", "who", "units"])
        per["share"] = per["units"].astype(float) / per["node"].map(world).astype(float)
        best = per.sort_values(["node", "share", "who"], ascending=[True, False, True]).drop_duplicates("node")
        out = pd.DataFrame({"node": best["node"], "reference_share": best["share"].astype(float),
                            "reference": "对标区域 peer: " + best["who"]}).set_index("node")
    else:
        level = zone_level(zone.areas)
        nation = recent[recent["nation"] & ~recent["zone"]]
        area = area_of(nation["region"], level)
        keep = area.ne("").to_numpy() & ~in_areas(area, zone.areas).to_numpy()
        per = nation.assign(area=area.to_numpy())[keep].groupby(["node", "area"])["w"].sum().reset_index()
        per = per.sort_values(["node", "w", "area"], ascending=[True, False, True]).groupby("node").head(
            options.plan_reference_cities)
        names = admin_areas().set_index("code")["name"]
        per["name"] = per["area"].map(names).fillna(per["area"])
        out = per.groupby("node").agg(units=("w", "sum"), n=("area", "size"), names=("name", "、".join))
        out["reference_share"] = (out["units"].astype(float) / out["n"].astype(float)
                                  / pd.Series(out.index.map(world), index=out.index, dtype=float))
        zh, en = LEVEL_ZH[level]
        out["reference"] = f"全国领先{zh} leading {en}: " + out["names"]
        out = out[["reference_share", "reference"]]
    total = chain["w"].sum()
    own = float((chain["w"] * chain["zone"]).sum() / total) if total > 0 else np.nan
    missing = world.index.difference(out.index)
    if len(missing) and not np.isnan(own) and own > 0:  # nobody to compare with: the zone's own chain share
        fallback = pd.DataFrame({"reference_share": own, "reference": "本区域全链份额（RTA = 1）the zone's share of "
                                 "the whole chain (RTA = 1)"}, index=missing)
        out = pd.concat([out, fallback])
    return out


def _stages(store, scheme: str, options: Options) -> pd.Series:
    from analytics.direction import lifecycle
    from analytics.positioning import remembered
    return remembered(store, ("lifecycle", scheme, ""), lambda: lifecycle(store, scheme)).set_index("node")["stage"]


def _high_value_shares(inp, options: Options) -> pd.DataFrame:
    """Per node: the zone's and the nation's share of units (by their parts) whose best patent scores at
    least ``high_value``."""
    score = inp.patents.merge(inp.value[["patent", "value_score"]], on="patent", how="left") \
        .groupby(["node", "unit"])["value_score"].max()
    a = inp.actors[inp.actors["node"] != CHAIN]
    a = a.assign(hv=pd.MultiIndex.from_frame(a[["node", "unit"]]).map(score).to_numpy(dtype=float))
    a = a[a["hv"].notna()]
    hv = (a["hv"] >= options.high_value).astype(float)
    out = {}
    for scope in ("zone", "nation"):
        w = a["w"] * a[scope]
        total = w.groupby(a["node"]).sum()
        out[scope] = (w * hv).groupby(a["node"]).sum() / total.where(total > 0)
    return pd.DataFrame(out).astype(float)


def office_matrix(inp, options: Options) -> pd.DataFrame:
    """The pure step behind :func:`plan_offices` (``inp``: ``analytics.pathways.inputs``)."""
    a = inp.actors[(inp.actors["node"] != CHAIN) & ~inp.actors["node"].isin(inp.roots)]
    a = a.assign(org=a["applicant"].map(inp.org).fillna(a["applicant"]))
    offices = inp.offices.map(lambda o: tuple(sorted(set(o) - {""})) if isinstance(o, tuple) else ())
    rows = []
    outside = a[~a["org"].isin(inp.zone_orgs)]
    units = outside.groupby(["node", "org"])["w"].sum().reset_index()
    units = units.sort_values(["node", "w", "org"], ascending=[True, False, True]).groupby("node").head(LEADERS)
    # an organisation is named by its member with the most units in the node
    member = outside.groupby(["node", "org", "applicant", "name"])["w"].sum().reset_index()
    member = member.sort_values(["node", "org", "w", "applicant"], ascending=[True, True, False, True])
    names = member.drop_duplicates(["node", "org"]).set_index(["node", "org"])["name"]
    for node, org in zip(units["node"], units["org"]):
        mine = outside[(outside["node"] == node) & (outside["org"] == org)].drop_duplicates("unit")
        rows.append((node, str(names.get((node, org), org)), org, False, mine["unit"]))
    zone = a[a["zone"]]
    for node, group in zone.groupby("node"):
        rows.append((node, options.zone.name_zh, options.zone.id, True, group["unit"].drop_duplicates()))
    out = []
    for node, actor, actor_id, is_zone, us in rows:
        filed = offices.reindex(us.to_numpy()).dropna().explode().dropna()
        count = filed.value_counts()
        n = len(us)
        for office, k in count.items():
            out.append((node, actor, actor_id, is_zone, n, office, int(k), k / n))
    frame = pd.DataFrame(out, columns=["node", "actor", "actor_id", "is_zone", "units", "office", "office_units",
                                       "share"])
    if frame.empty:
        return pd.DataFrame(columns=OFFICE_COLUMNS)
    # every actor of a node gets a row for each office any of the node's actors file at (无 where it does not)
    grid = frame[["node", "office"]].drop_duplicates().merge(
        frame[["node", "actor", "actor_id", "is_zone", "units"]].drop_duplicates(), on="node")
    frame = grid.merge(frame, on=["node", "actor", "actor_id", "is_zone", "units", "office"], how="left")
    frame["office_units"] = frame["office_units"].fillna(0).astype(int)
    frame["share"] = frame["share"].fillna(0.0).astype(float).round(6)
    frame["level"] = np.select([frame["share"] >= options.key_office_share, frame["share"] > 0], LEVELS[:2], LEVELS[2])
    frame["name_zh"] = frame["node"].map(inp.names).fillna(frame["node"])
    frame = frame.sort_values(["node", "is_zone", "units", "actor_id", "office_units", "office"],
                              ascending=[True, False, False, True, False, True], kind="mergesort")
    return frame[OFFICE_COLUMNS].reset_index(drop=True)


def plan_offices(store: GraphStore, scheme: str, options: Options | None = None) -> pd.DataFrame:
    """The geography of the layout plan (地域布局): per chain node, its five leading organisations outside
    the zone (by fractional units, all years; a vendor group is one organisation) and the zone, and for
    each office any of them files at (own filing office or a family member's): units = the actor's units in
    the node, office_units = how many of them were filed there, share = office_units / units, level =
    重点 (share ≥ ``key_office_share``) / 有 (some) / 无 (none).

    Returns columns: node, name_zh, actor, actor_id, is_zone, units, office, office_units, share, level.
    Empty without a zone.
    """
    from analytics.pathways.inputs import inputs
    options = options or Options()
    if options.zone is None:
        return pd.DataFrame(columns=OFFICE_COLUMNS)
    return office_matrix(inputs(store, scheme, options), options)


def _offices_to_plan(matrix: pd.DataFrame) -> pd.DataFrame:
    """Per node: the offices to plan — the zone's key offices, then the markets (offices where at least two
    leaders file), most-used first — and the blank ones among those markets (the zone files nothing there)."""
    rows = {}
    for node, m in matrix.groupby("node"):
        leaders = m[~m["is_zone"]]
        filing = leaders[leaders["level"] != "无"].groupby("office")["actor_id"].nunique()
        zone = m[m["is_zone"]].set_index("office")["level"]
        ranked = filing.sort_values(ascending=False, kind="mergesort")
        key = [o for o in sorted(zone.index) if zone.get(o) == "重点"]
        markets = [o for o, k in ranked.items() if k >= 2]
        blank = [o for o in markets if zone.get(o, "无") == "无"]
        plan = list(dict.fromkeys(key + blank + markets))  # the blank offices are always among those named
        rows[node] = {"offices": "; ".join(plan[:max(MAX_OFFICES, len(dict.fromkeys(key + blank)))]),
                      "blank_offices": "; ".join(blank)}
    return pd.DataFrame.from_dict(rows, orient="index")


def _operation(store, scheme: str, options: Options) -> pd.DataFrame:
    """Per node: counts of module 3's reserve and operation candidates and the sentence planning them."""
    from analytics.pathways.patents import pathway_patent_use, pathway_reserve
    from analytics.positioning import cached
    t = pd.concat([cached(store, pathway_reserve, scheme, options), cached(store, pathway_patent_use, scheme, options)])
    counts = t.groupby(["node", "kind"]).size().unstack(fill_value=0) if len(t) else pd.DataFrame()
    parts = (("reserve_pool", "储备池", "reserve pools"), ("acquire", "可收购", "to acquire"),
             ("licensable", "可许可", "licensable"), ("expiring", "即将到期", "expiring"),
             ("free", "可免费使用", "free to use"), ("risk", "需监控风险", "risks to watch"))
    zh, en = {}, {}
    for node, row in counts.iterrows():
        zh[node] = "；".join(f"{z} {int(row[k])} 项" for k, z, _ in parts if k in row and row[k] > 0)
        en[node] = "; ".join(f"{int(row[k])} {e}" for k, _, e in parts if k in row and row[k] > 0)
    return pd.DataFrame({"operation_zh": pd.Series(zh, dtype=object), "operation_en": pd.Series(en, dtype=object)})


def layout_plan(store: GraphStore, scheme: str, options: Options | None = None) -> pd.DataFrame:
    """The layout plan (产业专利布局规划) per chain node and planned year: the zone's trend forecast and
    target units with their range, the reference share the target closes the gap to, structure targets
    (invention share, high-value units, share filed abroad), timing by lifecycle stage, the offices to
    file at, the reserve and operation plan, and the derivation of every number in Chinese and English
    (the module docstring gives the rules). Planned years: the ``plan_years`` after ``as_of``'s year;
    the fit uses the last ``window`` complete years. Stage roots (上游 / 中游 / 下游) are left out: their
    branches are planned.

    Returns columns: zone, node, name_zh, year, stage, fitted_years (the complete years the line is
    fitted on), current_units (the zone's mean units per year over the fitted years), trend_units, target_units, target_low, target_high, reference_share, reference,
    invention_share_target, high_value_target, overseas_share_target, timing, timing_zh, offices,
    blank_offices, operation_zh, operation_en, basis_zh, basis_en. Empty without a zone or complete years.
    """
    from analytics.pathways.inputs import inputs
    from analytics.positioning import cached
    from analytics.positioning.technology import positioning_technology
    options = options or Options()
    if options.zone is None:
        return pd.DataFrame(columns=COLUMNS)
    inp = inputs(store, scheme, options)
    if inp.last is None:
        return pd.DataFrame(columns=COLUMNS)
    fitted = range(inp.last - options.window + 1, inp.last + 1)
    planned = np.arange(options.as_of.year + 1, options.as_of.year + 1 + options.plan_years)
    a = inp.actors[(inp.actors["node"] != CHAIN) & ~inp.actors["node"].isin(inp.roots)]
    a = a[a["year"].isin(list(fitted))]
    grid = pd.MultiIndex.from_product([sorted(inp.names.index.difference(list(inp.roots))), list(fitted)],
                                      names=["node", "year"])
    zone_y = (a["w"] * a["zone"]).groupby([a["node"], a["year"].astype(int)]).sum().reindex(grid, fill_value=0.0)
    world_y = a.groupby(["node", a["year"].astype(int)])["w"].sum().reindex(grid, fill_value=0.0)
    reference = _reference(store, scheme, options, inp.actors, fitted)
    stages = _stages(store, scheme, options)
    tech = cached(store, positioning_technology, scheme, options).set_index(["node", "scope"])
    hv = _high_value_shares(inp, options)
    offices = _offices_to_plan(cached(store, plan_offices, scheme, options))
    operation = _operation(store, scheme, options)
    years = np.array(list(fitted), dtype=float)
    first, last = fitted[0], fitted[-1]
    # a line is not extended further past the last complete year than the years it was fitted on
    at = np.minimum(planned, last + len(fitted)).astype(float)
    rows = []
    for node in grid.levels[0]:
        z, w = zone_y.loc[node].to_numpy(), world_y.loc[node].to_numpy()
        if w.sum() == 0:
            continue
        trend, low, high, how = line_forecast(years, z, at)
        world, _, _, _ = line_forecast(years, w, at)
        share = float(reference["reference_share"].get(node, np.nan)) if node in reference.index else np.nan
        ref_name = str(reference["reference"].get(node, "")) if node in reference.index else ""
        ref_units = world * share if not np.isnan(share) else np.full(len(planned), np.nan)
        stage = str(stages.get(node, "insufficient data"))
        timing_zh, timing_en = TIMING.get(stage, TIMING["insufficient data"])

        def best(col: str) -> float:
            vals = [tech[col].get((node, s), np.nan) for s in ("zone", "nation")]
            vals = [float(v) for v in vals if v is not None and not pd.isna(v)]
            return round(max(vals), 4) if vals else np.nan
        inv, abroad = best("invention_share"), best("overseas_share")
        hv_vals = [hv[s].get(node, np.nan) for s in ("zone", "nation")] if len(hv) else []
        hv_vals = [float(v) for v in hv_vals if not pd.isna(v)]
        hv_share = max(hv_vals) if hv_vals else np.nan
        off = offices.loc[node] if node in offices.index else None
        name = str(inp.names.get(node, node))
        for h, year in enumerate(planned, start=1):
            gap = 0.0 if np.isnan(ref_units[h - 1]) else max(0.0, float(ref_units[h - 1]) - float(trend[h - 1]))
            target = float(trend[h - 1]) + gap * h / len(planned)
            floor = stage != "declining" and target < z.mean()  # a plan keeps at least today's level …
            target = max(target, float(z.mean())) if stage != "declining" else target  # … unless it operates
            hi = max(target, float(high[h - 1]), 0.0 if np.isnan(ref_units[h - 1]) else float(ref_units[h - 1]))
            basis_zh = (f"趋势：本区域{first}–{last}年（最近{len(years)}个完整年）年均{z.mean():.1f}件，"
                        + (f"最小二乘直线外推至{year}年为{trend[h - 1]:.1f}件（95%预测区间{low[h - 1]:.1f}–{high[h - 1]:.1f}"
                           + (f"；直线只外推到{int(at[h - 1])}年，其后保持" if at[h - 1] < year else "") + "）"
                           if how == "line" else f"数据不足以拟合直线，取均值{trend[h - 1]:.1f}件")
                        + (f"；参照：{ref_name}同期占该节点全球份额{share:.1%}，按全球趋势{year}年对应{ref_units[h - 1]:.1f}件；"
                           f"目标在{len(planned)}年内线性缩小差距（第{h}年补{h}/{len(planned)}）" if not np.isnan(share)
                           else "；无参照区域数据，目标取趋势")
                        + (f"；目标不低于{first}–{last}年均{z.mean():.1f}件（非衰退期）" if floor else "")
                        + (f"；结构：发明占比取本区域与全国较高者{inv:.0%}" if not np.isnan(inv) else "")
                        + (f"，高价值（价值分≥{options.high_value:g}）占比{hv_share:.0%}" if not np.isnan(hv_share) else "")
                        + (f"，海外/PCT占比{abroad:.0%}" if not np.isnan(abroad) else "")
                        + f"；时机：生命周期{STAGE_ZH.get(stage, stage)}")
            basis_en = (f"trend: the zone's {z.mean():.1f} units a year over {first}–{last} (the last {len(years)} "
                        "complete years), "
                        + (f"a least-squares line gives {trend[h - 1]:.1f} in {year} (95% prediction interval "
                           f"{low[h - 1]:.1f}–{high[h - 1]:.1f}"
                           + (f"; the line is extended to {int(at[h - 1])} only and held there" if at[h - 1] < year
                              else "") + ")" if how == "line"
                           else f"too few points for a line: their mean {trend[h - 1]:.1f}")
                        + (f"; reference: {ref_name} held {share:.1%} of the node's world units over the same "
                           f"years, {ref_units[h - 1]:.1f} units in {year} on the world trend; the target closes the "
                           f"gap linearly over {len(planned)} years ({h}/{len(planned)} in year {h})"
                           if not np.isnan(share) else "; no reference zone in the data: the target is the trend")
                        + (f"; the target keeps at least the {first}–{last} mean of {z.mean():.1f} (not declining)"
                           if floor else "")
                        + (f"; structure: invention share {inv:.0%} (the better of zone and nation)" if not np.isnan(inv)
                           else "")
                        + (f", high-value (score ≥ {options.high_value:g}) share {hv_share:.0%}"
                           if not np.isnan(hv_share) else "")
                        + (f", filed abroad or PCT {abroad:.0%}" if not np.isnan(abroad) else "")
                        + f"; timing: lifecycle stage {stage}")
            rows.append({"zone": options.zone.id, "node": node, "name_zh": name, "year": int(year), "stage": stage,
                         "fitted_years": f"{first}–{last}",
                         "current_units": round(float(z.mean()), 4), "trend_units": round(float(trend[h - 1]), 4),
                         "target_units": round(target, 4), "target_low": round(float(low[h - 1]), 4),
                         "target_high": round(hi, 4), "reference_share": round(share, 6) if not np.isnan(share) else np.nan,
                         "reference": ref_name, "invention_share_target": inv,
                         "high_value_target": round(target * hv_share, 4) if not np.isnan(hv_share) else np.nan,
                         "overseas_share_target": abroad, "timing": timing_en, "timing_zh": timing_zh,
                         "offices": off["offices"] if off is not None else "",
                         "blank_offices": off["blank_offices"] if off is not None else "",
                         "operation_zh": str(operation["operation_zh"].get(node, "") or ""),
                         "operation_en": str(operation["operation_en"].get(node, "") or ""),
                         "basis_zh": basis_zh, "basis_en": basis_en})
    out = pd.DataFrame(rows, columns=COLUMNS)
    return out.sort_values(["node", "year"], kind="mergesort").reset_index(drop=True)


def staleness(plan: pd.DataFrame) -> str:
    """A warning (zh — en) when the data's last complete year lies 3 or more years before the plan's first
    year: the targets are then a long extrapolation; "" otherwise.

    >>> staleness(pd.DataFrame({"year": [2027, 2028], "fitted_years": ["2015–2019", "2015–2019"]}))[:26]
    '数据的最后完整年为2019年，比规划首年2027年早'
    """
    if plan.empty:
        return ""
    last = int(str(plan["fitted_years"].iloc[0]).split("–")[-1])
    first = int(plan["year"].min())
    if first - last < 3:
        return ""
    return (f"数据的最后完整年为{last}年，比规划首年{first}年早{first - last}年：目标是远期外推，宜用更新的数据重算。"
            f" — The data's last complete year is {last}, {first - last} years before the plan's first year {first}: "
            "the targets extrapolate far; re-run with newer data.")
