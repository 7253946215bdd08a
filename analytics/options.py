"""Parameters of the analysis that an analyst may change; every run records them in ``run.json``.

Defaults are the ones DESIGN.md §6 names. The CLI builds an :class:`Options` from its flags
(``patnav analyze --theta 0.05 --control-weights 0.4,0.3,0.3 --market-weights US=2,CN=1.5
--economic econ.csv``); the API and the tests use the defaults.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ontology.errors import IngestError, PatNavError


@dataclass(frozen=True)
class Options:
    #: product control: an actor counts in a node when its share there is at least θ
    theta: float = 0.05
    #: composite control index = w_t · technology + w_p · product + w_m · market (normalised to sum 1)
    control_weights: tuple[float, float, float] = (0.4, 0.3, 0.3)
    #: market weight per filing office (default 1 each): a family's market coverage = Σ weights of its offices
    market_weights: dict[str, float] = field(default_factory=dict)
    #: width in years of the period windows (transfer, share shift) and of the CAGR span
    window: int = 5
    #: control-power rows kept per (actor type, node), best index first
    top_actors: int = 50
    #: the least fractional units an actor needs in a node for product control there and to rank among
    #: the supported actors (one or two filings are an event, not control)
    control_min_units: float = 3.0
    #: optional economic data per chain node (node, then numeric columns such as output value)
    economic: pd.DataFrame | None = field(default=None, compare=False)
    economic_source: str | None = None
    #: optional enterprise market data (enterprise, year, market_share and/or revenue, optionally node):
    #: the control-vs-market rank correlations of analytics.history
    market: pd.DataFrame | None = field(default=None, compare=False)
    market_source: str | None = None
    #: the zone of the positioning and pathway modules (analytics.zone.Zone); None: no zone, those tables are empty
    zone: object | None = None
    #: the reference a zone's growth is compared with: "world" (the whole graph) or "nation" (the zone's country)
    reference: str = "world"
    #: node status (REFERENCES §1.1, PatSnap patent-layout-analysis): hot = share > hot_share or growth over the
    #: last recent_years > hot_growth, with ≥ hot_majors of the chain's top-20 applicants filing there lately;
    #: blank = share < blank_share and no filing in the last recent_years; declining = filings of the last
    #: recent_years fell by more than decline versus the years before (PatNav's rule: no published one)
    hot_share: float = 0.15
    hot_growth: float = 0.50
    hot_majors: int = 3
    blank_share: float = 0.03
    recent_years: int = 3
    decline: float = 0.20
    #: thresholds of the diagnosis rules (analytics.positioning.diagnosis.RULES: narrow, dependence, gap, thin)
    diagnosis: dict[str, float] = field(default_factory=dict)
    #: the pathway module (analytics.pathways; REFERENCES §2). Legal states and expiry are judged on as_of
    #: (today unless given). Weights are analysts' common practice, not a standard: the value score's parts
    #: (citations, family, offices, claims, legal events, remaining term); the attraction match (park-investment-report
    #: ch.5: chain complementarity 40, expansion signals 30, local supporting industry 20, policy fit 10);
    #: priority S (act now) at a score ≥ priority_bands[0], A (follow up) ≥ priority_bands[1], else B (watch)
    as_of: dt.date = field(default_factory=dt.date.today)
    value_weights: tuple[float, ...] = (30, 15, 15, 15, 10, 15)
    attract_weights: tuple[float, float, float, float] = (40, 30, 20, 10)
    priority_bands: tuple[float, float] = (70, 50)
    #: structure items: world growth, heat (hot / mature), supply links to strengths, the zone's specialisation
    structure_weights: tuple[float, float, float, float] = (30, 20, 20, 30)
    #: cultivation: growth, invention share, mean value score of the firm's patents, portfolio size
    cultivate_weights: tuple[float, float, float, float] = (30, 20, 20, 30)
    #: technology partners (tech-alliance practice): units in target nodes, licensable patents, existing
    #: co-applications with the zone, of the nation
    partner_weights: tuple[float, float, float, float] = (40, 30, 20, 10)
    #: external inventors: output, citations, 主导率 (first-inventor share), recent activity, filing in China
    talent_weights: tuple[float, float, float, float, float] = (35, 20, 15, 15, 15)
    #: a high-value patent scores at least this (value_score, 0–100)
    high_value: float = 60.0
    #: candidates kept per path table and kind
    top_candidates: int = 50
    #: patents expiring within this many months are listed (REFERENCES §2.5: < 6, 6–12, 12–24)
    expiry_months: int = 24
    #: the layout plan (analytics.plan; REFERENCES §3): years planned after as_of's year; how many of the
    #: nation's leading cities form the reference share when the zone file names no peers; an office is a
    #: key office (重点) of an applicant holding at least key_office_share of its node units there
    plan_years: int = 5
    plan_reference_cities: int = 3
    key_office_share: float = 0.30

    def __post_init__(self) -> None:
        if not 0 < self.theta <= 1:
            raise PatNavError(f"theta must be in (0, 1], got {self.theta}")
        if len(self.control_weights) != 3 or not _weights_ok(self.control_weights):
            raise PatNavError("control weights are three non-negative numbers (technology, product, market) "
                              f"with a positive sum, got {self.control_weights}")
        if not 2 <= self.window <= 50:
            raise PatNavError(f"the window spans 2 to 50 years, got {self.window}")
        from analytics.positioning.diagnosis import RULES
        unknown = set(self.diagnosis) - set(RULES)
        if unknown:
            raise PatNavError(f"unknown diagnosis threshold(s) {sorted(unknown)}; known: {', '.join(RULES)}")
        if len(self.value_weights) != 6 or not _weights_ok(self.value_weights):
            raise PatNavError("value weights are six non-negative numbers (citations, family, offices, claims, "
                              f"legal events, term) with a positive sum, got {self.value_weights}")
        for name, n in (("attract_weights", 4), ("structure_weights", 4), ("cultivate_weights", 4),
                        ("partner_weights", 4), ("talent_weights", 5)):
            w = getattr(self, name)
            if len(w) != n or not _weights_ok(w):
                raise PatNavError(f"{name} are {n} non-negative numbers with a positive sum, got {w}")
        if not 1 <= self.plan_years <= 10:
            raise PatNavError(f"plan_years is 1 to 10, got {self.plan_years}")
        if self.reference not in ("world", "nation"):
            raise PatNavError(f"the reference is world or nation, got {self.reference!r}")

    def record(self) -> dict:
        """What run.json keeps: every parameter, the economic data by its file name."""
        return {"theta": self.theta, "control_weights": list(self.control_weights),
                "market_weights": dict(self.market_weights), "window": self.window,
                "top_actors": self.top_actors, "control_min_units": self.control_min_units, "economic": self.economic_source,
                "market": self.market_source,
                "zone": self.zone.record() if self.zone is not None else None, "reference": self.reference,
                "status": {"hot_share": self.hot_share, "hot_growth": self.hot_growth, "hot_majors": self.hot_majors,
                           "blank_share": self.blank_share, "recent_years": self.recent_years,
                           "decline": self.decline},
                "diagnosis": dict(self.diagnosis),
                "pathways": {"as_of": self.as_of.isoformat(), "value_weights": list(self.value_weights),
                             "attract_weights": list(self.attract_weights),
                             "priority_bands": list(self.priority_bands), "top_candidates": self.top_candidates,
                             "structure_weights": list(self.structure_weights),
                             "cultivate_weights": list(self.cultivate_weights),
                             "partner_weights": list(self.partner_weights), "talent_weights": list(self.talent_weights),
                             "high_value": self.high_value,
                             "expiry_months": self.expiry_months},
                "plan": {"years": self.plan_years, "reference_cities": self.plan_reference_cities,
                         "key_office_share": self.key_office_share}}


def _weights_ok(weights) -> bool:
    """Finite, non-negative, with a positive sum (``nan`` fails every comparison, so it is named here)."""
    return all(math.isfinite(w) and w >= 0 for w in weights) and sum(weights) > 0


def parse_weights(text: str, name: str = "--control-weights") -> tuple[float, float, float]:
    """``"0.4,0.3,0.3"`` → (0.4, 0.3, 0.3).

    >>> parse_weights("2, 1, 1")
    (2.0, 1.0, 1.0)
    """
    try:
        values = tuple(float(v) for v in text.split(","))
    except ValueError:
        raise PatNavError(f"{name} takes three numbers like 0.4,0.3,0.3, got {text!r}") from None
    if len(values) != 3 or not _weights_ok(values):
        raise PatNavError(f"{name} takes three numbers (technology, product, market), finite, ≥ 0 and with a "
                          f"positive sum, got {text!r}")
    return values


def parse_market_weights(text: str, name: str = "--market-weights") -> dict[str, float]:
    """``"US=2,CN=1.5"`` → {'US': 2.0, 'CN': 1.5}; offices not named weigh 1.

    >>> parse_market_weights("us=2, CN=1.5")
    {'US': 2.0, 'CN': 1.5}
    """
    out = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        office, _, value = part.partition("=")
        try:
            weight = float(value)
        except ValueError:
            weight = -1.0
        if not office.strip() or not math.isfinite(weight) or weight < 0:
            raise PatNavError(f"{name} takes OFFICE=NUMBER pairs like US=2,CN=1.5 (numbers finite and "
                              f"≥ 0); {part!r} is not one")
        out[office.strip().upper()] = weight
    return out


def read_economic(path: str | Path) -> pd.DataFrame:
    """Economic data per chain node from a CSV: a ``node`` column (ChainNode id such as ``icv:M1`` or its
    code such as ``M1``) and one or more numeric columns (output value, market size …).

    Raises :class:`IngestError` naming the file, row and column of the first value that is not a number.
    """
    path = Path(path)
    try:
        frame = pd.read_csv(path, dtype=str, encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise IngestError(f"cannot read the economic data: {exc}", file=str(path)) from exc
    frame.columns = [c.strip() for c in frame.columns]
    if "node" not in frame.columns or len(frame.columns) < 2:
        raise IngestError("the economic data needs a 'node' column (chain node id or code) and at least one "
                          f"numeric column; found {list(frame.columns)}", file=str(path), row=1)
    out = pd.DataFrame({"node": frame["node"].str.strip()})
    for col in frame.columns.drop("node"):
        values = pd.to_numeric(frame[col].str.replace(",", "", regex=False).str.strip(), errors="coerce")
        bad = values.isna() & frame[col].notna() & (frame[col].str.strip() != "")
        if bad.any():
            row = int(bad.idxmax())
            raise IngestError(f"{frame[col][row]!r} is not a number; write plain numbers (commas allowed) "
                              "or leave the cell empty", file=str(path), row=row + 2, column=col)
        out[col] = values
    dup = out["node"][out["node"].duplicated()]
    if len(dup):
        raise IngestError(f"node {dup.iloc[0]!r} appears twice; give one row per node", file=str(path),
                          row=int(dup.index[0]) + 2, column="node")
    return out


#: the market measures ``read_market`` accepts (at least one), with the headers that name them
MARKET_MEASURES = {"market_share": ("market_share", "share", "市场份额", "市场占有率"),
                   "revenue": ("revenue", "sales", "营业收入", "营收", "销售额")}


def read_market(path: str | Path) -> pd.DataFrame:
    """Enterprise market data from a CSV: ``enterprise`` (企业), ``year`` (年份), ``market_share`` and/or
    ``revenue`` (numbers; a share may be written 12.5% or 0.125 — one convention per file), optionally
    ``node`` (chain node id or code; empty = the whole chain). One row per enterprise, year and node.

    Raises :class:`IngestError` naming the file, row and column of the first bad value.
    """
    path = Path(path)
    try:
        frame = pd.read_csv(path, dtype=str, encoding="utf-8-sig", keep_default_na=False)
    except (OSError, UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise IngestError(f"cannot read the market data: {exc}", file=str(path)) from exc
    frame.columns = [c.strip() for c in frame.columns]
    aliases = {"enterprise": ("enterprise", "企业", "company", "name"), "year": ("year", "年份", "年"),
               "node": ("node", "节点"), **MARKET_MEASURES}
    found = {}
    for canonical, names in aliases.items():
        hit = [c for c in frame.columns if c.lower() in names]
        if hit:
            found[canonical] = hit[0]
    measures = [m for m in MARKET_MEASURES if m in found]
    if "enterprise" not in found or "year" not in found or not measures:
        raise IngestError("the market data needs columns enterprise, year and market_share and/or revenue "
                          f"(optionally node); found {list(frame.columns)}", file=str(path), row=1)
    out = pd.DataFrame({"enterprise": frame[found["enterprise"]].str.strip()})
    out["node"] = frame[found["node"]].str.strip() if "node" in found else ""
    empty = out["enterprise"] == ""
    if empty.any():
        raise IngestError("an enterprise name is empty; name every enterprise", file=str(path),
                          row=int(empty.idxmax()) + 2, column=found["enterprise"])
    columns = [("year", found["year"])] + [(m, found[m]) for m in measures]
    for canonical, column in columns:
        text = frame[column].str.replace(",", "", regex=False).str.strip()
        percent = text.str.endswith("%")
        values = pd.to_numeric(text.str.rstrip("%"), errors="coerce")
        values = values.where(np.isfinite(values))  # inf, 1e400: no number an analyst means
        bad = values.isna() & text.ne("") | (canonical == "year") & (values.isna() | (values % 1 != 0))
        if bad.any():
            row = int(bad.idxmax())
            raise IngestError(f"{frame[column][row]!r} is not a {'year' if canonical == 'year' else 'number'}; "
                              "write plain numbers (commas allowed, a share may end in %) or leave a measure empty",
                              file=str(path), row=row + 2, column=column)
        if canonical == "market_share" and percent.any() and not percent[text.ne("")].all():
            row = int((~percent & text.ne("")).idxmax())
            raise IngestError("market shares are written both with and without %; use one convention",
                              file=str(path), row=row + 2, column=column)
        out[canonical] = values.where(~percent, values / 100) if canonical == "market_share" else values
    out["year"] = out["year"].astype(int)
    dup = out.duplicated(["enterprise", "year", "node"])
    if dup.any():
        row = int(dup.idxmax())
        raise IngestError(f"{out['enterprise'][row]} {out['year'][row]} appears twice; give one row per enterprise, "
                          "year and node", file=str(path), row=row + 2, column=found["enterprise"])
    return out
