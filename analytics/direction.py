"""Industry development direction (产业发展方向导航): trend, enterprise standing, concentration, origin.

Each indicator is one function over a ``GraphStore``: it runs its named query from
``analytics/queries`` and finishes in pandas. Pure post-processing steps are separate functions with
doctests on tiny frames. Counting unit everywhere: the patent family (``family_id``) where the source
gives one, else the patent.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
from scipy.optimize import curve_fit

from analytics.cypher import run_query
from graph.store import GraphStore

#: filings whose application year ends less than this many months before the data cut-off are incomplete
PUBLICATION_LAG_MONTHS = 18


def complete_years(years: pd.Series, latest_pub: dt.date | None) -> pd.Series:
    """True where a year's filings are complete: its last day is ≥ 18 months before the data cut-off.

    Applications publish about 18 months after filing, so recent years look like a downturn that is
    not there; they are flagged, never dropped.

    >>> complete_years(pd.Series([2020, 2021, 2022]), dt.date(2023, 4, 14)).tolist()
    [True, False, False]
    """
    last = last_complete_year(latest_pub)
    return pd.Series(True, index=years.index) if last is None else years.astype(int) <= last


def last_complete_year(latest_pub: dt.date | None) -> int | None:
    """The last application year whose filings are complete (None without a cut-off date).

    >>> last_complete_year(dt.date(2023, 4, 14))
    2020
    """
    if latest_pub is None or pd.isna(latest_pub):
        return None
    cutoff = pd.Timestamp(latest_pub) - pd.DateOffset(months=PUBLICATION_LAG_MONTHS)
    return cutoff.year if (cutoff.month, cutoff.day) == (12, 31) else cutoff.year - 1


def filings_by_node_year(store: GraphStore, scheme: str) -> pd.DataFrame:
    """Filings per chain node and application year (趋势), with a completeness flag.

    ``filings(n, y)`` = number of counting units tagged to node n whose earliest application year
    (among the unit's members in n) is y. ``complete`` is False for years inside the publication lag
    (see :func:`complete_years`).

    Returns columns: node, year, filings, complete.
    """
    frame = run_query(store, "filings_by_node_year", scheme=scheme)
    latest = run_query(store, "data_summary", scheme=scheme)["latest_pub"].iloc[0]
    frame["complete"] = complete_years(frame["year"], latest)
    return frame


def shares(frac: pd.DataFrame, by: str) -> pd.DataFrame:
    """Add ``share`` = frac / Σ frac within each node, and ``rank`` (1 = largest; ties by ``by``).

    ``frac`` is rounded to 9 decimals first: float sums of 1/k differ in the last bits between
    engines (summation order), and ties must rank the same everywhere.

    >>> f = pd.DataFrame({"node": ["n", "n", "m"], "applicant": ["a", "b", "a"], "frac": [3.0, 1.0, 2.0]})
    >>> shares(f, "applicant")[["node", "applicant", "share", "rank"]].values.tolist()
    [['m', 'a', 1.0, 1], ['n', 'a', 0.75, 1], ['n', 'b', 0.25, 2]]
    """
    out = frac.copy()
    out["frac"] = out["frac"].astype(float).round(9)
    out["share"] = out["frac"] / out.groupby("node")["frac"].transform("sum")
    out = out.sort_values(["node", "frac", by], ascending=[True, False, True], kind="mergesort")
    out["rank"] = out.groupby("node").cumcount() + 1
    return out.reset_index(drop=True)


def top_applicants(store: GraphStore, scheme: str, top: int = 10) -> pd.DataFrame:
    """The leading applicants of each chain node (企业地位) by fractional count, with their share.

    frac(a, n) = Σ over units u in n that a is on of 1 / |applicants(u)|; share = frac / Σ_a frac.
    ``units`` is the whole count (units a is on).

    Returns columns: node, rank, applicant, name, units, frac, share.
    """
    frame = shares(run_query(store, "node_applicant_shares", scheme=scheme), "applicant")
    frame = frame[frame["rank"] <= top]
    return frame[["node", "rank", "applicant", "name", "units", "frac", "share"]].reset_index(drop=True)


def cr_hhi(share_frame: pd.DataFrame, k: int = 4) -> pd.DataFrame:
    """CRk and HHI per node from applicant shares (columns node, share; shares of a node sum to 1).

    CRk = sum of the k largest shares; HHI = Σ s² × 10,000 (0–10,000; US DoJ/FTC scale: < 1,500
    unconcentrated, 1,500–2,500 moderately, > 2,500 highly concentrated). Source: U.S. DoJ & FTC,
    Horizontal Merger Guidelines (2010) §5.3; fractional counting as in OECD, Patent Statistics Manual
    (2009) §5.

    >>> f = pd.DataFrame({"node": ["n"] * 5, "share": [0.4, 0.3, 0.1, 0.1, 0.1]})
    >>> cr_hhi(f).round(4).values.tolist()
    [['n', 5, 0.9, 2800.0]]
    """
    g = share_frame.sort_values(["node", "share"], ascending=[True, False]).groupby("node")["share"]
    out = pd.DataFrame({"applicants": g.size(), f"cr{k}": g.apply(lambda s: s.head(k).sum()),
                        "hhi": g.apply(lambda s: (s ** 2).sum() * 10_000)})
    return out.reset_index()


def concentration(store: GraphStore, scheme: str) -> pd.DataFrame:
    """Market concentration of patent holdings per chain node: CR4 and HHI on fractional shares.

    Returns columns: node, applicants, cr4, hhi, units (Σ frac = units with applicants), level
    (unconcentrated / moderate / high by the HHI bands).
    """
    frame = shares(run_query(store, "node_applicant_shares", scheme=scheme), "applicant")
    out = cr_hhi(frame)
    out["units"] = out["node"].map(frame.groupby("node")["frac"].sum())
    out["level"] = pd.cut(out["hhi"], [-1, 1500, 2500, 10_001], labels=["unconcentrated", "moderate", "high"]
                          ).astype(str)
    return out[["node", "applicants", "cr4", "hhi", "units", "level"]]


def applicant_countries(store: GraphStore, scheme: str) -> pd.DataFrame:
    """Applicant-country distribution per chain node (技术来源国), fractional counting.

    frac(c, n) = Σ over applicants a of country c of frac(a, n); share within the node. Country ``""``
    means not known (reported, not dropped).

    Returns columns: node, rank, country, frac, share.
    """
    frame = shares(run_query(store, "applicant_countries", scheme=scheme), "country")
    return frame[["node", "rank", "country", "frac", "share"]]


def trend(store: GraphStore, scheme: str) -> pd.DataFrame:
    """Patents and applicants per chain node and application year (趋势与技术生命周期图).

    ``patents(n, y)`` = distinct patents tagged to node n with application year y; ``units(n, y)`` = the
    counting units (families, else patents) whose earliest application year in n is y, as in
    :func:`filings_by_node_year`; ``applicants(n, y)`` = distinct applicants of the patents. ``complete``
    flags the publication lag.

    Returns columns: node, year, patents, units, applicants, complete.
    """
    frame = run_query(store, "trend", scheme=scheme)
    filings = filings_by_node_year(store, scheme).set_index(["node", "year"])["filings"]
    keys = pd.MultiIndex.from_frame(frame[["node", "year"]])
    frame.insert(3, "units", filings.reindex(keys, fill_value=0).astype(int).to_numpy())
    latest = run_query(store, "data_summary", scheme=scheme)["latest_pub"].iloc[0]
    frame["complete"] = complete_years(frame["year"], latest)
    return frame


#: maturity C(now)/L thresholds → lifecycle stage
STAGES = ((0.10, "emerging"), (0.50, "growth"), (0.90, "mature"), (float("inf"), "saturated"))
#: the stages' Chinese names (the summary, the plan and the report all read them from here)
STAGE_ZH = {"emerging": "萌芽期", "growth": "成长期", "mature": "成熟期", "saturated": "饱和期", "declining": "衰退期"}
MIN_YEARS, MIN_UNITS = 5, 10
#: declining: the annual peak came at least 3 years before the last complete year and the last two
#: complete years average at most this share of it (115 filings in 2018, 75 in 2021: declining)
DECLINE_SHARE = 0.75


def falling(years: pd.Series, units: pd.Series) -> str:
    """The sentence saying a node's annual filings have fallen from their peak, else "".

    >>> falling(pd.Series(range(2014, 2022)), pd.Series([20, 40, 70, 100, 115, 100, 90, 75]))
    'declining: filings peaked at 115 (2018) and fell to 75 (2021)'
    >>> falling(pd.Series(range(2014, 2022)), pd.Series([20, 40, 70, 100, 115, 110, 120, 118]))
    ''
    """
    order = np.argsort(years.to_numpy())
    y, v = years.to_numpy()[order], units.to_numpy(dtype=float)[order]
    if len(v) < MIN_YEARS or v.max() <= 0:
        return ""
    peak = int(np.argmax(v))
    if peak <= len(v) - 4 and v[-2:].mean() <= DECLINE_SHARE * v[peak]:
        return f"declining: filings peaked at {v[peak]:g} ({int(y[peak])}) and fell to {v[-1]:g} ({int(y[-1])})"
    return ""
#: the fitted ceiling L may be at most this multiple of the units so far
CEILING = 100


def _logistic(t, big_l, k, t0):
    return big_l / (1.0 + np.exp(-k * (t - t0)))


def _gompertz(t, big_l, b, c):
    return big_l * np.exp(-b * np.exp(-c * t))


def fit_lifecycle(years: pd.Series, units: pd.Series) -> dict:
    """Logistic and Gompertz fits of cumulative filings C(t); the better R² wins.

    logistic C(t) = L / (1 + e^(−k(t − t0)));  Gompertz C(t) = L · e^(−b·e^(−c·t)) (t in years since the
    first year). ``maturity`` = C(last year) / L; stage: < 10% emerging, < 50% growth, < 90% mature,
    else saturated; whatever the fit, "declining" where annual filings fell from their peak
    (:func:`falling`) — the fourth stage of the applicants-vs-filings model. Source: S-curve fits of cumulative patents (Ernst 1997, "The use of patent data for
    technological forecasting: the diffusion of CNC-technology in the machine tool industry"; Haupt,
    Kloyer & Lange 2007 on patent indicators of technology life-cycle stages). Fewer than 5 years or 10 units: stage "insufficient data". A fit whose ceiling runs
    to its bound (100 × the units so far) has no inflection yet: "emerging", maturity unknown.

    >>> import numpy as np
    >>> years = pd.Series(range(2000, 2015)); c = 1000 / (1 + np.exp(-0.6 * (years - 2012)))
    >>> fit = fit_lifecycle(years, c.diff().fillna(c.iloc[0]).round())
    >>> fit["model"], fit["stage"], abs(fit["L"] - 1000) < 20, fit["r2"] > 0.99
    ('logistic', 'mature', True, True)
    >>> later = pd.Series(range(2000, 2018)); c = 1000 / (1 + np.exp(-0.6 * (later - 2012)))
    >>> fit_lifecycle(later, c.diff().fillna(c.iloc[0]).round())["stage"]  # annual filings long past their peak
    'declining'
    >>> early = fit_lifecycle(pd.Series(range(2010, 2020)), pd.Series([2 ** i for i in range(10)]))
    >>> early["stage"], "exponential" in early["note"]
    ('emerging', True)
    """
    order = np.argsort(years.to_numpy())
    t_abs = years.to_numpy(dtype=float)[order]
    cum = np.cumsum(units.to_numpy(dtype=float)[order])
    out = {"model": "", "stage": "insufficient data", "maturity": np.nan, "r2": np.nan, "L": np.nan,
           "cumulative": float(cum[-1]) if len(cum) else 0.0, "years": int(len(cum)), "note": ""}
    if len(cum) < MIN_YEARS or cum[-1] < MIN_UNITS:
        return out
    t = t_abs - t_abs[0]
    last = cum[-1]
    total = float(((cum - cum.mean()) ** 2).sum())
    fits = {}
    attempts = {
        "logistic": (_logistic, [2 * last, 0.5, float(t[np.searchsorted(cum, last / 2)])],
                     ([last, 1e-3, -50.0], [CEILING * last, 5.0, t[-1] + 50.0])),
        "gompertz": (_gompertz, [2 * last, 5.0, 0.3], ([last, 1e-3, 1e-4], [CEILING * last, 1e4, 5.0])),
    }
    for name, (fn, p0, bounds) in attempts.items():
        try:
            params, _ = curve_fit(fn, t, cum, p0=p0, bounds=bounds, maxfev=20000)
        except (RuntimeError, ValueError):
            continue
        residual = float(((cum - fn(t, *params)) ** 2).sum())
        fits[name] = (1 - residual / total if total else 0.0, float(params[0]))
    if not fits:
        return out
    model = max(fits, key=lambda m: (fits[m][0], m))
    r2, big_l = fits[model]
    fall = falling(years, units)
    if big_l >= 0.99 * CEILING * last:  # the fit ran to the bound: no inflection yet, the ceiling is unknown
        if fall:  # a falling series is never "still exponential"
            return {**out, "model": model, "stage": "declining", "r2": round(r2, 4), "note": fall}
        return {**out, "model": model, "stage": "emerging", "r2": round(r2, 4),
                "note": "still exponential: no ceiling can be fitted yet"}
    maturity = last / big_l
    stage = "declining" if fall else next(label for bound, label in STAGES if maturity < bound)
    note = fall or ("ceiling extrapolated far beyond the data: early exponential growth" if stage == "emerging" else "")
    return {**out, "model": model, "stage": stage, "maturity": round(maturity, 4), "r2": round(r2, 4),
            "L": round(big_l, 1), "note": note}


def lifecycle_table(filings: pd.DataFrame) -> pd.DataFrame:
    """Per node, :func:`fit_lifecycle` on its complete years (gaps filled with 0) of ``filings``
    (node, year, filings, complete) — the pure step behind :func:`lifecycle`."""
    rows = []
    for node, group in filings[filings["complete"]].groupby("node", sort=True):
        span = range(int(group["year"].min()), int(group["year"].max()) + 1)
        series = group.set_index("year")["filings"].reindex(span, fill_value=0)
        rows.append({"node": node, **fit_lifecycle(pd.Series(list(span)), series.reset_index(drop=True))})
    return pd.DataFrame(rows, columns=["node", "stage", "maturity", "r2", "model", "L", "cumulative", "years",
                                       "note"])


def lifecycle(store: GraphStore, scheme: str) -> pd.DataFrame:
    """Lifecycle stage per chain node (技术生命周期阶段) from its cumulative filings (counting units, complete
    years only): logistic and Gompertz fits, the better R² chosen, maturity = C(now)/L.

    Returns columns: node, stage (emerging / growth / mature / saturated / declining / insufficient data), maturity,
    r2, model, L (fitted ceiling), cumulative, years, note (e.g. still exponential: no ceiling yet).
    """
    return lifecycle_table(filings_by_node_year(store, scheme))
