"""Legal state, estimated expiry and the high-value score of each patent: what the patent-use and reserve
paths stand on (DESIGN §6 "Pathway module"; REFERENCES §2.5).

An export is a snapshot: its legal-status word is read as of the export, the expiry is estimated from the
filing date and the statutory term (extensions — US term adjustment, SPCs — are not known and not added),
and both are judged at ``Options.as_of`` (today unless given; recorded in run.json).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from analytics.cypher import run_query
from analytics.options import Options
from graph.store import GraphStore

#: legal-status words across vendors → state (first match wins; '' says nothing). Sources: CNIPA's status
#: vocabulary (有效 / 审中 / 失效 with their causes), incoPat's and PatSnap's simple legal status, Lens's.
STATUS_WORDS = (
    ("pending", r"PCT有效期内"),  # the international phase runs (whether or not national phases began)
    ("expired", r"期限届满|届满|EXPIRED"),
    ("abandoned", r"未进入国家阶段-PCT有效期满|撤回|驳回|WITHDRAWN|REJECTED|REFUSED|ABANDON"),
    ("", r"进入国家阶段-PCT有效期满|NATIONAL PHASE ENTERED"),  # the international phase ended; national rights go on
    ("pending", r"PCT有效期内|实质审查|审中|在审|公开|PENDING|PUBLISHED|EXAMINATION"),
    ("active", r"部分无效|权利恢复|RESTORED|REINSTATED"),  # partly invalidated, or restored after lapsing: in force
    ("lapsed", r"未缴年费|终止|失效|无效|放弃|无权|NOT IN FORCE|CEASED|LAPSED|REVOKED|INACTIVE|DISCONTINUED"),
    ("active", r"有效|有权|授权|GRANTED|ACTIVE|PATENTED|IN FORCE"),
)
STATES = {"active": ("有效", "in force"), "pending": ("审中", "pending"), "lapsed": ("失效", "lapsed (rights ended early)"),
          "expired": ("届满", "expired (term ended)"), "abandoned": ("未授权失效", "withdrawn or rejected before grant"),
          "unknown": ("未知", "unknown")}
#: the states whose technology anyone may use (no rights in force)
FREE = ("expired", "lapsed", "abandoned")
VALUE_PARTS = ("citations", "family", "offices", "claims", "events", "term")
EVENT_COLUMNS = ("transfers", "licences", "pledges", "litigations")
COLUMNS = ["patent", "unit", "title", "office", "type", "app_date", "grant_date", "legal_status", "state", "state_basis",
           "term_years", "expiry_date", "months_left", "transfers", "licences", "pledges", "litigations", "events",
           "citations_pct", "family_pct", "offices", "offices_pct", "claims_pct", "term_left", "value_score",
           "value_parts", "link"]


def link(patent: pd.Series, url: pd.Series) -> pd.Series:
    """The vendor's link where the export has one, else the patent's public page (Google Patents) by
    publication number.

    >>> link(pd.Series(["CN1A", "US2B2"]), pd.Series([None, "https://lens.org/x"])).tolist()
    ['https://patents.google.com/patent/CN1A', 'https://lens.org/x']
    """
    return url.where(url.notna() & url.astype(str).str.startswith("http"), "https://patents.google.com/patent/" + patent)


def term_years(office: pd.Series, kind: pd.Series, app_date: pd.Series) -> pd.Series:
    """Statutory term in years from the filing date, by office and patent type.

    Inventions: 20 years (TRIPS art. 33; US 35 USC 154 for applications filed from 1995-06-08 — older US
    grants run 17 years from grant or 20 from filing, whichever is later: see :func:`expiry`). Utility
    models: 10 (CN Patent Law art. 42, DE GebrMG §23, JP, KR). Designs: CN 15 for applications filed from
    2021-06-01, 10 before (Patent Law 2020 art. 42); US 15 from grant (filed from 2015-05-13), 14 before
    (35 USC 173); elsewhere 15 (Hague minimum). Unknown type: NaN.

    >>> term_years(pd.Series(["CN", "CN", "CN", "CN", "US", "EP"]),
    ...            pd.Series(["invention", "utility", "design", "design", "design", ""]),
    ...            pd.to_datetime(pd.Series(["2010-01-01", "2010-01-01", "2020-01-01", "2022-01-01", "2016-01-01",
    ...                                      "2010-01-01"]))).tolist()
    [20.0, 10.0, 10.0, 15.0, 15.0, nan]
    """
    app = pd.to_datetime(app_date)
    cn_new = app >= pd.Timestamp("2021-06-01")
    us_new = app >= pd.Timestamp("2015-05-13")
    design = np.where(office.eq("CN"), np.where(cn_new, 15.0, 10.0),
                      np.where(office.eq("US"), np.where(us_new, 15.0, 14.0), 15.0))
    years = np.select([kind.eq("invention"), kind.eq("utility"), kind.eq("design")], [20.0, 10.0, design], np.nan)
    return pd.Series(years, index=office.index, dtype=float)


def _plus_years(dates: pd.Series, years: pd.Series) -> pd.Series:
    """Each date plus whole years (29 February becomes 28 February in a common year)."""
    d = pd.to_datetime(dates)
    ok = d.notna() & years.notna()
    out = pd.Series(pd.NaT, index=dates.index, dtype="datetime64[ns]")
    if ok.any():
        y = d[ok].dt.year + years[ok].astype(int)
        leap = (y % 4 == 0) & ((y % 100 != 0) | (y % 400 == 0))
        day = d[ok].dt.day.where(~((d[ok].dt.month == 2) & (d[ok].dt.day == 29) & ~leap), 28)
        out[ok] = pd.to_datetime(pd.DataFrame({"year": y, "month": d[ok].dt.month, "day": day}))
    return out


def expiry(office: pd.Series, kind: pd.Series, app_date: pd.Series, grant_date: pd.Series) -> pd.Series:
    """Estimated expiry date: filing date + :func:`term_years`; US designs count from grant; US inventions
    filed before 1995-06-08 end at the later of 17 years from grant and 20 from filing. NaT where the
    filing date or type is unknown (or a US design has no grant date).

    >>> expiry(pd.Series(["CN", "CN", "US", "US"]), pd.Series(["invention", "utility", "invention", "design"]),
    ...        pd.Series(["2004-02-29", "2004-02-29", "1990-01-01", "2016-01-01"]),
    ...        pd.Series([None, None, "1999-06-01", "2017-03-01"])).dt.strftime("%Y-%m-%d").tolist()
    ['2024-02-29', '2014-02-28', '2016-06-01', '2032-03-01']
    """
    years = term_years(office, kind, app_date)
    app, grant = pd.to_datetime(app_date), pd.to_datetime(grant_date)
    out = _plus_years(app, years)
    us_design = office.eq("US") & kind.eq("design")
    out = out.where(~us_design, _plus_years(grant, years))
    old_us = office.eq("US") & kind.eq("invention") & (app < pd.Timestamp("1995-06-08"))
    from_grant = _plus_years(grant, pd.Series(17.0, index=office.index))
    out = out.where(~old_us, pd.concat([out, from_grant], axis=1).max(axis=1))
    return out


def status_state(words: pd.Series) -> pd.Series:
    """The state a legal-status word says (:data:`STATUS_WORDS`), '' where it says nothing.

    >>> status_state(pd.Series(["有效", "未缴年费", "撤回", "实质审查", "期限届满", "Active", "其他", ""])).tolist()
    ['active', 'lapsed', 'abandoned', 'pending', 'expired', 'active', '', '']
    >>> status_state(pd.Series(["未进入国家阶段-PCT有效期内", "进入国家阶段-PCT有效期满", "未进入国家阶段-PCT有效期满",
    ...                         "授权 | 无效宣告（部分无效）", "未缴年费 | 权利恢复", "NOT IN FORCE"])).tolist()
    ['pending', '', 'abandoned', 'active', 'active', 'lapsed']
    """
    text = words.fillna("").astype(str).str.upper()
    found = pd.Series("", index=words.index, dtype=object)
    decided = pd.Series(False, index=words.index)
    for state, pattern in STATUS_WORDS:  # the first pattern that matches decides (even when it says nothing)
        hit = ~decided & text.str.contains(pattern, regex=True)
        found = found.mask(hit, state)
        decided |= hit
    return found


def legal_state(frame: pd.DataFrame, as_of: dt.date) -> pd.DataFrame:
    """state and state_basis per patent (columns legal_status, active, grant_date, expiry_date):

    - the export's word decides (:func:`status_state`; a "withdrawn/rejected" word on a granted patent
      reads as lapsed; a WO application said to be in force is pending), else the export's active flag (active: in force if granted, else pending; inactive:
      lapsed if granted, else abandoned);
    - a patent in force, pending or of unknown state whose estimated expiry is on or before ``as_of`` is
      expired (basis "term"): the term has run out since the export, whatever it said then;
    - nothing said and no expiry passed: unknown.
    """
    said = status_state(frame["legal_status"])
    granted = frame["grant_date"].notna()
    said = said.mask(said.eq("abandoned") & granted, "lapsed")
    # an international (PCT) application confers no rights of its own: "in force" there means pending
    said = said.mask(said.eq("active") & frame["office"].eq("WO"), "pending")
    flag = frame["active"].map({True: 1.0, False: 0.0}).astype(float)
    from_flag = np.select([flag.eq(1) & granted, flag.eq(1), flag.eq(0) & granted, flag.eq(0)],
                          ["active", "pending", "lapsed", "abandoned"], "")
    state = said.where(said.ne(""), from_flag)
    basis = np.where(said.ne(""), "status", np.where(state != "", "active flag", ""))
    run_out = pd.to_datetime(frame["expiry_date"]) <= pd.Timestamp(as_of)
    term = run_out & pd.Series(state, index=frame.index).isin(["active", "pending", ""])
    state = np.where(term, "expired", np.where(state == "", "unknown", state))
    basis = np.where(term, "term", basis)
    return pd.DataFrame({"state": state, "state_basis": basis}, index=frame.index)


#: a counting year with fewer known values than this is too small a cohort: its patents are ranked among all
MIN_COHORT = 10
#: a value score needs at least this many known parts (one part alone says too little)
MIN_PARTS = 2


def cohort_pct(values: pd.Series, cohort: pd.Series, min_size: int = MIN_COHORT) -> pd.Series:
    """The percentile rank of each value within its cohort (0–1, ties averaged; NaN stays NaN): values of
    different years compare only with their own year (older patents had longer to be cited); a year with
    fewer than ``min_size`` known values ranks among all years (a patent alone in its year is not the best).

    >>> cohort_pct(pd.Series([1, 5, 5, 9, None, 3]), pd.Series([2020, 2020, 2020, 2020, 2020, 2021]), 2).tolist()
    [0.25, 0.625, 0.625, 1.0, nan, 0.4]
    """
    v = pd.to_numeric(values, errors="coerce").astype(float)
    label = cohort.fillna(-1).to_numpy()
    size = v.notna().groupby(label).transform("sum")
    within = v.groupby(label).rank(pct=True, method="average")
    return within.where(size >= min_size, v.rank(pct=True, method="average"))


def value_score(parts: pd.DataFrame, weights: dict[str, float]) -> pd.Series:
    """High-value score 0–100: Σ w_i · x_i / Σ w_i over the parts known for the patent (an export without
    citations is not a patent with none: that part is left out and the others carry the weight).

    >>> value_score(pd.DataFrame({"citations": [1.0, None], "claims": [0.5, 0.5]}), {"citations": 3, "claims": 1}).tolist()
    [87.5, 50.0]
    """
    num = pd.Series(0.0, index=parts.index)
    den = pd.Series(0.0, index=parts.index)
    for name, w in weights.items():
        x = parts[name].astype(float)
        num += (x.fillna(0.0) * w).to_numpy()
        den += (x.notna() * w).to_numpy()
    return (100 * num / den.where(den > 0)).round(6)


def value_table(legal: pd.DataFrame, family: pd.DataFrame, options: Options) -> pd.DataFrame:
    """The pure step behind :func:`patent_value` (``legal`` from ``patent_legal``, ``family`` from
    ``family_offices``)."""
    frame = legal.copy()
    frame["term_years"] = term_years(frame["office"], frame["type"], frame["app_date"])
    frame["expiry_date"] = expiry(frame["office"], frame["type"], frame["app_date"], frame["grant_date"])
    frame = frame.join(legal_state(frame, options.as_of))
    as_of = pd.Timestamp(options.as_of)
    months = ((frame["expiry_date"] - as_of).dt.days / 30.4375).astype(float)
    live = frame["state"].isin(["active", "pending"])
    # in force or pending: the months to the estimated expiry; rights ended: 0; state unknown: unknown
    frame["months_left"] = months.where(live, np.where(frame["state"].isin(FREE), 0.0, np.nan)).round(1)
    # the remaining term is a part of the value of rights in force or pending only: a lapsed or expired
    # patent's technology is not worth less for it (the free-to-use path looks for exactly those)
    frame["term_left"] = (frame["months_left"] / (frame["term_years"] * 12)).clip(0, 1).where(live)
    own = frame[["unit", "office"]]
    fam = family[["unit", "office"]] if len(family) else own.iloc[:0]
    offices = pd.concat([own, fam]).query("office != ''").drop_duplicates().groupby("unit").size()
    frame["offices"] = frame["unit"].map(offices).fillna(1).astype(int)
    cohort = frame["year"]
    frame["citations_pct"] = cohort_pct(frame["cited_by"], cohort)
    frame["family_pct"] = cohort_pct(frame["family_size"], cohort)
    frame["offices_pct"] = cohort_pct(frame["offices"], cohort)
    frame["claims_pct"] = cohort_pct(frame["claims"], cohort)
    # legal events: 1 where the patent was transferred, licensed, pledged or litigated (a market has valued
    # it), 0 where the export lists events and none of these, unknown where it lists none
    events = frame[list(EVENT_COLUMNS)].apply(pd.to_numeric).astype("Float64")
    frame["events"] = (events.sum(axis=1, min_count=1) > 0).astype("Float64").where(events.notna().any(axis=1))
    frame["events"] = frame["events"].astype(float)
    parts = pd.DataFrame({"citations": frame["citations_pct"], "family": frame["family_pct"],
                          "offices": frame["offices_pct"], "claims": frame["claims_pct"], "events": frame["events"],
                          "term": frame["term_left"]})
    weights = dict(zip(VALUE_PARTS, options.value_weights))
    known = parts.notna()
    frame["value_score"] = value_score(parts, weights).where(known.sum(axis=1) >= MIN_PARTS)
    frame["value_parts"] = ["+".join(p for p, k in zip(VALUE_PARTS, row) if k) for row in known.to_numpy()]
    frame["expiry_date"] = frame["expiry_date"].dt.date
    frame["link"] = link(frame["patent"], frame["url"])
    for c in ("citations_pct", "family_pct", "offices_pct", "claims_pct", "term_left"):
        frame[c] = frame[c].astype(float).round(6)
    return frame[COLUMNS].sort_values("patent").reset_index(drop=True)


def patent_value(store: GraphStore, scheme: str, options: Options | None = None) -> pd.DataFrame:
    """Legal state, estimated expiry and high-value score of each patent of the chain (专利价值与法律状态).

    state (:data:`STATES`): active (in force) / pending / lapsed (rights ended early: fees, invalidation,
    surrender) / expired (term ended) / abandoned (withdrawn or rejected before grant) / unknown, from the
    export's legal-status word, else its active flag, and expired wherever the estimated expiry is on or
    before ``as_of`` (state_basis says which: status, active flag, term); expiry_date = filing date +
    statutory term (:func:`term_years`, :func:`expiry`; no extensions); months_left to expiry for patents
    in force or pending (0 for the others).

    value_score (0–100) = weighted mean of the parts known for the patent (:func:`value_score`), weights
    ``options.value_weights`` (citations 30, family 15, offices 15, claims 15, legal events 10, remaining
    term 15: PatNav's defaults after the indicators PatSnap's and incoPat's value models name — forward
    citations, family size and coverage, claims, transactions and litigation, remaining life):
    citations_pct / family_pct / offices_pct / claims_pct = the patent's percentile rank among the chain's
    patents of its counting year (:func:`cohort_pct`; a year of fewer than 10 ranks among all years),
    offices = distinct filing offices of its family,
    events = 1 if the export lists a transfer, licence, pledge or litigation (transfers, licences,
    pledges, litigations: the counts, null where the export has no event column), term_left = months_left
    / the whole term, for patents in force or pending only; value_parts lists the parts known, and a
    patent with fewer than 2 known parts has no score; link = the vendor's link, else the public page.

    Returns columns: patent, unit, title, office, type, app_date, grant_date, legal_status, state, state_basis,
    term_years, expiry_date, months_left, transfers, licences, pledges, litigations, events, citations_pct,
    family_pct, offices, offices_pct, claims_pct, term_left, value_score, value_parts, link.
    """
    options = options or Options()
    from analytics.positioning import remembered

    def compute() -> pd.DataFrame:
        legal = run_query(store, "patent_legal", scheme=scheme)
        if legal.empty:
            return pd.DataFrame(columns=COLUMNS)
        family = run_query(store, "family_offices", scheme=scheme)
        return value_table(legal, family, options)
    return remembered(store, ("patent_value", scheme, options.as_of, tuple(options.value_weights)), compute)
