"""The direction module recomputed with pandas from the ingest output — not from the graph or Cypher.

Each function follows the definition in the indicator's docstring, step by step, on the ingest frames
(records, IN_NODE, APPLIED_BY, Applicant, CLASSIFIED_AS) and the chain ontology. Used by
tests/test_indicators.py on the bundled sample and on the shared corpus.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

STAR = "*"


class Rows:
    """The tuples every expectation starts from."""

    def __init__(self, ingested, chain) -> None:
        rec = ingested.records.set_index("id")
        tags = ingested.frames["IN_NODE"][["from", "to"]].rename(columns={"from": "patent", "to": "node"})
        tags = pd.concat([tags, tags.drop_duplicates("patent").assign(node=STAR)], ignore_index=True)
        tags["unit"] = tags["patent"].map(rec["family_id"].where(rec["family_id"].notna(), rec.index.to_series()))
        for col in ("app_year", "cited_by", "family_size", "claims", "authority", "family_offices"):
            tags[col] = tags["patent"].map(rec[col])
        tags["authority"] = tags["authority"].fillna("")
        self.tags = tags
        apps = ingested.frames["APPLIED_BY"][["from", "to"]].rename(columns={"from": "patent", "to": "applicant"})
        people = ingested.frames["Applicant"].set_index("id")
        apps["country"] = apps["applicant"].map(people["country"]).fillna("")
        apps["province"] = apps["applicant"].map(people["province"]).fillna("")
        apps["name"] = apps["applicant"].map(people["name"])
        self.apps = apps
        self.ipcs = ingested.frames["CLASSIFIED_AS"][["from", "to"]].rename(columns={"from": "patent", "to": "ipc"})
        latest = max(d for d in ingested.records["pub_date"] if d is not None)
        self.last = (pd.Timestamp(latest) - pd.DateOffset(months=18)).year - 1
        self.chain = chain

    def unit_years(self) -> pd.Series:
        return self.tags.dropna(subset=["app_year"]).groupby(["node", "unit"])["app_year"].min()


def spans(first: int, last: int, width: int = 5, periods: int = 4) -> list[tuple[int, int]]:
    ends = list(range(last, first - 1, -width))[:periods]
    out = [(end - width + 1, end) for end in reversed(ends)]
    out[0] = (first, out[0][1])
    return out


def label_of(year: int, windows: list[tuple[int, int]]) -> str | None:
    for a, b in windows:
        if a <= year <= b:
            return f"{a}–{b}"
    return None


def correlation(r: Rows) -> pd.DataFrame:
    years = r.unit_years().reset_index()
    years = years[years["app_year"] <= r.last]
    before = years[(years["app_year"] >= r.last - 9) & (years["app_year"] <= r.last - 5)]
    after = years[(years["app_year"] >= r.last - 4) & (years["app_year"] <= r.last)]
    units = r.tags.groupby("node")["unit"].nunique()
    rows = []
    for c in r.chain.concepts:
        n = int(units.get(c.id, 0))
        b = before[before["node"] == c.id]["unit"].nunique() / before[before["node"] == STAR]["unit"].nunique()
        a = after[after["node"] == c.id]["unit"].nunique() / after[after["node"] == STAR]["unit"].nunique()
        rows.append({"node": c.id, "units": n, "share": n / units[STAR], "share_before": b, "share_after": a,
                     "shift": a - b, "weight": c.weight})
    out = pd.DataFrame(rows)
    out["rank"] = out["share"].rank(ascending=False, method="min").astype(int)
    return out


def _unit_applicants(r: Rows) -> pd.DataFrame:
    pairs = r.tags[["node", "unit", "patent"]].merge(r.apps, on="patent")
    pairs = pairs.drop_duplicates(["node", "unit", "applicant"])
    pairs["w"] = 1 / pairs.groupby(["node", "unit"])["applicant"].transform("count")
    return pairs


def transfer(r: Rows) -> pd.DataFrame:
    pairs = _unit_applicants(r)
    years = r.unit_years()
    pairs["year"] = pairs.set_index(["node", "unit"]).index.map(years)
    pairs = pairs[pairs["year"].notna() & (pairs["year"] <= r.last)]
    windows = spans(int(pairs["year"].min()), r.last)
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
    return pd.DataFrame(rows)


def flows(r: Rows) -> pd.DataFrame:
    pairs = r.tags[["node", "patent", "authority"]].merge(r.apps, on="patent")
    pairs["w"] = 1 / pairs.groupby(["node", "patent"])["applicant"].transform("count")
    out = pairs.groupby(["node", "country", "authority"])["w"].sum().reset_index()
    out.columns = ["node", "origin", "office", "frac"]
    out["share"] = out["frac"] / out.groupby("node")["frac"].transform("sum")
    return out


def _units(r: Rows) -> pd.DataFrame:
    t = r.tags
    units = t.groupby(["node", "unit"]).agg(year=("app_year", "min"), cited_by=("cited_by", "max"),
                                            family_size=("family_size", "max"), claims=("claims", "max"))
    family = {}  # a unit's family offices, from any of its classified members
    for unit, lists in t[t["node"] == STAR].groupby("unit")["family_offices"]:
        family[unit] = {o for lst in lists if isinstance(lst, (list, np.ndarray)) for o in lst}
    offices = {}
    for (node, unit), group in t.groupby(["node", "unit"]):
        offices[(node, unit)] = {o for o in set(group["authority"]) | family.get(unit, set()) if o}
    units["offices"] = pd.Series(offices)
    return units.reset_index()


def control_power(r: Rows, theta: float = 0.05, weights=(0.4, 0.3, 0.3), top: int = 50) -> pd.DataFrame:
    u = _units(r)
    u["basis"] = np.select([u["cited_by"].notna(), u["family_size"].notna(), u["claims"].notna()],
                           ["cited_by", "family_size", "claims"], "")
    u["value"] = [row[b] if b else np.nan for row, b in zip(u.to_dict("records"), u["basis"])]
    u["cohort"] = u["year"].fillna(-1)
    means = u[u["basis"] != ""].groupby(["node", "cohort", "basis"])["value"].mean()
    u["score"] = [np.nan if not b else round((v / means[(n, c, b)]) if means[(n, c, b)] > 0 else 0.0, 9)
                  for n, c, b, v in zip(u["node"], u["cohort"], u["basis"], u["value"])]
    cut = u.groupby("node")["score"].quantile(0.9)
    u["core"] = (u["score"] > 0) & (u["score"] >= u["node"].map(cut))
    u["cov"] = u["offices"].map(len).astype(float)
    pairs = _unit_applicants(r).merge(u[["node", "unit", "core", "cov"]], on=["node", "unit"])
    per_unit = pairs.drop_duplicates(["node", "unit"])
    n_units = per_unit.groupby("node").size()
    n_core = per_unit[per_unit["core"]].groupby("node").size()
    cov = per_unit.groupby("node")["cov"].sum()
    kinds = {"applicant": pairs.assign(actor=pairs["applicant"]),
             "country": pairs.assign(actor=pairs["country"]),
             "region": pairs[pairs["province"] != ""].assign(actor=lambda f: f["province"])}
    parents = {c.id: c.parent for c in r.chain.concepts}
    weight = {c.id: c.weight for c in r.chain.concepts}

    subtrees = {n: [m for m in parents if m == n or _ancestor(n, m, parents)] for n in parents}
    subtrees[STAR] = list(parents)

    rows = []
    for kind, frame in kinds.items():
        frame = frame.assign(wc=frame["w"] * frame["core"], wm=frame["w"] * frame["cov"])
        agg = frame.groupby(["actor", "node"])[["w", "wc", "wm"]].sum().rename(columns={"w": "units"}).reset_index()
        agg["share"] = agg["units"] / agg["node"].map(n_units)
        held = {(a, n) for a, n, s in zip(agg["actor"], agg["node"], agg["share"]) if n != STAR and s >= theta - 1e-12}
        for row in agg.to_dict("records"):
            sub = [m for m in subtrees[row["node"]] if m in n_units.index]
            product = sum(weight[m] for m in sub if (row["actor"], m) in held) / sum(weight[m] for m in sub)
            tech = row["wc"] / n_core[row["node"]] if row["node"] in n_core.index else 0.0
            market = row["wm"] / cov[row["node"]] if cov[row["node"]] > 0 else 0.0
            index = (weights[0] * tech + weights[1] * product + weights[2] * market) / sum(weights)
            rows.append({"actor_type": kind, "actor": row["actor"], "node": row["node"],
                         "technology_control": round(tech, 9), "product_control": round(product, 9),
                         "market_control": round(market, 9), "index": round(index, 9), "units": row["units"],
                         "share": round(row["share"], 9)})
    out = pd.DataFrame(rows).sort_values(["actor_type", "node", "index", "units", "actor"],
                                         ascending=[True, True, False, False, True])
    out["rank"] = out.groupby(["actor_type", "node"]).cumcount() + 1
    return out[out["rank"] <= top]


def _ancestor(up: str, node: str, parents: dict) -> bool:
    while parents.get(node):
        node = parents[node]
        if node == up:
            return True
    return False


def hotspots(r: Rows) -> pd.DataFrame:
    start, end = r.last - 4, r.last
    years = r.unit_years().reset_index()
    rows = []
    for node, group in years[years["node"] != STAR].groupby("node"):
        a = int((group["app_year"] == start).sum())
        b = int((group["app_year"] == end).sum())
        rows.append({"kind": "node", "key": node, "value_start": a, "value_end": b,
                     "cagr": (b / a) ** (1 / 4) - 1 if a else np.nan})
    ipc = r.ipcs[r.ipcs["patent"].isin(r.tags["patent"])].copy()
    ipc["group"] = [c.split("/")[0] + "/00" if "/" in c else c for c in ipc["ipc"]]
    first = r.tags[r.tags["node"] == STAR][["patent", "unit", "app_year"]].merge(ipc, on="patent")
    first = first.dropna(subset=["app_year"]).groupby(["group", "unit"])["app_year"].min().reset_index()
    for group, g in first.groupby("group"):
        a, b = int((g["app_year"] == start).sum()), int((g["app_year"] == end).sum())
        if b >= 5:
            rows.append({"kind": "ipc_group", "key": group, "value_start": a, "value_end": b,
                         "cagr": (b / a) ** (1 / 4) - 1 if a else np.nan})
        if end - 2 <= g["app_year"].min() <= end:
            rows.append({"kind": "new_ipc_group", "key": group, "value_end": int((g["app_year"] <= end).sum()),
                         "first_year": int(g["app_year"].min())})
    pats = r.tags[(r.tags["node"] == STAR) & r.tags["app_year"].notna() & (r.tags["authority"] != "")]
    before = pats[(pats["app_year"] >= end - 9) & (pats["app_year"] <= end - 5)]["authority"].value_counts()
    after = pats[(pats["app_year"] >= end - 4) & (pats["app_year"] <= end)]["authority"].value_counts()
    for office in sorted(set(before.index) | set(after.index)):
        sb, sa = before.get(office, 0) / before.sum(), after.get(office, 0) / after.sum()
        rows.append({"kind": "office", "key": office, "value_start": int(before.get(office, 0)),
                     "value_end": int(after.get(office, 0)), "share_before": sb, "share_after": sa,
                     "shift": round(sa - sb, 9)})
    out = pd.DataFrame(rows)
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


def from_graph_tuples(store, scheme: str = "icv") -> dict[str, pd.DataFrame]:
    """trend and concentration recomputed from the graph's own (patent, family, year, node, applicant)
    tuples — one plain MATCH, no aggregation in Cypher — as an analyst checking the tables would."""
    rows = store.run("MATCH (p:Patent)-[:IN_NODE]->(n:ChainNode) WHERE n.scheme = $scheme "
                     "OPTIONAL MATCH (p)-[:APPLIED_BY]->(a:Applicant) "
                     "RETURN p.id AS patent, p.family_id AS family, p.app_year AS year, n.id AS node, "
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
