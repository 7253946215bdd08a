"""Raw export rows → normalised patent records, with a reason for every row that cannot be used.

Pure, vectorised functions over pandas Series; no store access. ``records`` turns a ``Raw`` frame into
one row per input row with the columns in ``RECORD_COLUMNS`` (list columns hold applicants, inventors,
IPC codes in source order), and returns the rows it rejects with file, row, column, value and reason.
"""

from __future__ import annotations

import datetime as dt
import html
import itertools
import re
from typing import NamedTuple

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ingest import bulk
from ingest.read import Raw

RECORD_COLUMNS = ["id", "app_no", "title", "abstract", "app_date", "app_year", "priority_date", "year", "year_basis",
                  "pub_date", "grant_date",
                  "authority", "kind", "type", "legal_status", "is_active", "transfers", "licences", "pledges", "litigations",
                  "url", "claims", "cites", "cited_by", "cited_pubs", "citing_pubs",
                  "family_id", "family_size", "family_offices", "priority_country", "priority_known", "applicants",
                  "applicant_countries", "applicant_addresses", "std_applicants",
                  "inventors", "ipcs", "ipc_main", "cpcs", "locarno", "sei_labels", "address", "province", "city", "invalid_codes",
                  "source", "row"]
REJECT_COLUMNS = ["file", "row", "column", "value", "reason"]

# Excel's _x000D_ escapes, control characters and runs of whitespace: each run becomes one space
_SPACE = r"(?:_x000[dDaA]_|[\s\x{3000}\x{a0}\x00-\x08\x0b\x0c\x0e-\x1f\x7f])+"  # RE2 syntax (pyarrow)
_DIRTY = r"_x000[dDaA]_|[\t\n\r\f\v\x{3000}\x{a0}\x00-\x08\x0e-\x1f\x7f]|\s\s"  # cells _SPACE changes (bar trimming)


class Normalised(NamedTuple):
    records: pd.DataFrame
    rejects: pd.DataFrame
    #: per field, cells that held something other than a whole non-negative number (kept empty)
    invalid_numbers: dict = {}


def _text(series: pd.Series) -> pa.Array:
    """``series`` as a cleaned Arrow string array (see :func:`clean_text`); one RE2 pass, no Python loop."""
    try:  # Arrow-backed text (CSV columns) passes without a copy
        arr = pa.array(series if series.dtype != object else series.to_numpy(), pa.string(), from_pandas=True)
        arr = arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr
    except (pa.ArrowInvalid, pa.ArrowTypeError):  # numbers or dates among the cells (spreadsheets)
        arr = pa.array([None if v is None or v != v else str(v) for v in series.to_numpy(dtype=object)], pa.string())
    arr = arr.fill_null("")
    dirty = pc.match_substring_regex(arr, pattern=_DIRTY)  # matching is 10x cheaper than replacing: replace those only
    if pc.any(dirty).as_py():
        arr = pc.replace_with_mask(arr, dirty, pc.replace_substring_regex(arr.filter(dirty), pattern=_SPACE,
                                                                          replacement=" "))
    return pc.utf8_trim_whitespace(arr)


def clean_text(series: pd.Series) -> pd.Series:
    """Excel's ``_x000D_`` escapes and control characters removed, whitespace collapsed and trimmed.

    >>> clean_text(pd.Series(["到incoPat中查看_x000D_\\nCN1", "  a\\t b "])).tolist()
    ['到incoPat中查看 CN1', 'a b']
    """
    return pd.Series(_text(series).to_numpy(zero_copy_only=False), index=series.index, dtype=object)


def _per_value(fn, series: pd.Series, *args):
    """``fn(values, *args)`` computed once per distinct value of ``series`` and spread back to every row
    (``fn`` returns a Series or a tuple of them). Exports repeat dates, types and statuses many times.

    >>> _per_value(lambda s: s.str.upper(), pd.Series(["a", "b", "a"], index=[5, 6, 7])).to_dict()
    {5: 'A', 6: 'B', 7: 'A'}
    """
    codes, uniq = pd.factorize(series, use_na_sentinel=False)
    result = fn(pd.Series(np.asarray(uniq, dtype=object), dtype=object), *args)
    spread = lambda r: pd.Series(r.to_numpy()[codes], index=series.index)  # noqa: E731
    return tuple(map(spread, result)) if isinstance(result, tuple) else spread(result)


def as_dates(stamps: pd.Series, index: pd.Index) -> pd.Series:
    """Timestamps as ``datetime.date`` objects (None where missing), converted in one vectorised pass.

    >>> as_dates(pd.Series([pd.Timestamp("2020-02-03"), pd.NaT]), pd.RangeIndex(2)).tolist()
    [datetime.date(2020, 2, 3), None]
    """
    stamps = pd.to_datetime(pd.Series(stamps.to_numpy()))
    days = np.array(stamps.dt.date.to_numpy(dtype=object), dtype=object)
    days[stamps.isna().to_numpy()] = None
    return pd.Series(days, index=index, dtype=object)


def _flatten(cells: pd.Series) -> tuple[np.ndarray, list]:
    """(parent row position, value) for every element of a list column, in order."""
    lengths = np.fromiter(map(len, cells), dtype=np.int64, count=len(cells))
    return np.repeat(np.arange(len(cells)), lengths), list(itertools.chain.from_iterable(cells))


def _regroup(parent: np.ndarray, values: list, index: pd.Index) -> pd.Series:
    """The inverse of :func:`_flatten`: values (sorted by parent) back into one list per row of ``index``."""
    counts = np.bincount(parent, minlength=len(index)) if len(parent) else np.zeros(len(index), dtype=np.int64)
    ends = np.cumsum(counts).tolist()
    starts = [0] + ends[:-1]
    return pd.Series([values[a:b] for a, b in zip(starts, ends)], index=index, dtype=object)


def _distinct(parent: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Mask of the first occurrence of each (parent, value) pair (all True when no row has two values)."""
    if not (np.diff(parent) == 0).any():
        return np.ones(len(parent), dtype=bool)
    codes, distinct = pd.factorize(values)
    return ~pd.Series(parent.astype(np.int64) * (len(distinct) + 1) + codes).duplicated().to_numpy()


def split_multi(series: pd.Series, separator: str, drop: re.Pattern | None = None) -> pd.Series:
    """Multi-value cells as lists: cleaned (:func:`clean_text`), trimmed, empty parts and parts matching
    ``drop`` left out, repeats removed, order kept. Vectorised: Arrow split, one pass to rebuild lists.

    >>> split_multi(pd.Series(["Waymo LLC | Google | Waymo LLC", "", "a_x000D_ |x| b"]), "|", re.compile("x")).tolist()
    [['Waymo LLC', 'Google'], [], ['a', 'b']]
    """
    parts = pc.split_pattern(_text(series), pattern=separator)
    flat = pc.utf8_trim_whitespace(parts.flatten())
    parent = pc.list_parent_indices(parts).to_numpy()
    values = flat.to_numpy(zero_copy_only=False)
    keep = values != ""
    if drop is not None:
        keep &= ~pc.match_substring_regex(flat, pattern=drop.pattern,
                                          ignore_case=bool(drop.flags & re.I)).to_numpy(zero_copy_only=False)
    parent, values = parent[keep], values[keep]
    keep = _distinct(parent, values)
    return _regroup(parent[keep], values[keep].tolist(), series.index)


def split_aligned(series: pd.Series, separator: str) -> pd.Series:
    """Multi-value cells as lists that keep every position (empty parts and repeats too), for columns
    whose n-th value belongs to the n-th applicant.

    >>> split_aligned(pd.Series(["US | | US", ""]), "|").tolist()
    [['US', '', 'US'], []]
    """
    parts = pc.split_pattern(_text(series), pattern=separator)
    flat = pc.utf8_trim_whitespace(parts.flatten()).to_numpy(zero_copy_only=False)
    parent = pc.list_parent_indices(parts).to_numpy()
    out = _regroup(parent, flat.tolist(), series.index)
    return out.map(lambda xs: [] if xs == [""] else xs)


#: legal-form words that end a name, never start an address ("Uber, Inc.,US" is Uber, Inc. in the US)
_FORM_PART = re.compile(r"^(?:inc|incorporated|corp|corporation|co|company|ltd|limited|llc|l\.?l\.?c|plc|gmbh|ag|kg|"
                        r"s\.?a|s\.?a\.?s|sarl|b\.?v|n\.?v|oy|ab|spa|srl|pty|pvt|lp|llp|co\.?,? ?ltd)\.?$", re.I)


def _embedded(text: str) -> tuple[str, str] | None:
    """(name, address) of "Name,City,Postcode,CC" or "Name,CC" (Derwent, Patentics), else None."""
    parts = [x.strip() for x in text.split(",")]
    if len(parts) < 2 or not re.fullmatch(r"[A-Z]{2}", parts[-1]):
        return None
    from ingest.countries import code_of
    if not code_of(parts[-1]):
        return None
    cut = len(parts) - 1
    while cut > 1 and len(parts) - cut < 3 and not _FORM_PART.match(parts[cut - 1]):
        cut -= 1  # city, postcode: up to two parts before the country code
    if _FORM_PART.match(parts[cut]) if cut < len(parts) - 1 else False:
        cut += 1
    return ", ".join(parts[:cut]).replace(" ,", ","), ",".join(parts[cut:])


def applicant_parts(names: pd.Series, separator: str, countries: pd.Series | None = None,
                    addresses: pd.Series | None = None) -> tuple[pd.Series, pd.Series, pd.Series]:
    """(applicants, their country column values, their addresses) per row, position by position.

    Applicants are split like :func:`split_multi` (empty and repeated names dropped, order kept); a
    country or address column of the export gives the value of the same position; an applicant written
    with its address after it (``Terminus (beijing) Technology Co. Ltd.,Beijing,100034,CN``, ``LYFT INC,US``)
    is split into the name and that address.

    >>> a, c, d = applicant_parts(pd.Series(["Terminus (beijing) Technology Co. Ltd.,Beijing,100034,CN | Uber, Inc.,US",
    ...                                      "甲公司;乙大学"]), "|")
    >>> a.tolist(), d.tolist()
    ([['Terminus (beijing) Technology Co. Ltd.', 'Uber, Inc.'], ['甲公司;乙大学']], [['Beijing,100034,CN', 'US'], ['']])
    """
    split = split_aligned(names, separator)
    cols = [split_aligned(x, separator) if x is not None else None for x in (countries, addresses)]
    flat = pd.Series([v for xs in split for v in xs], dtype=object)
    escaped = flat.str.contains("&", regex=False) if len(flat) else flat
    if escaped.any():  # "AT&amp;#x26;T": HTML entities, sometimes escaped twice, in exported names
        flat[escaped] = flat[escaped].map(lambda v: html.unescape(html.unescape(v)))
    found = {v: _embedded(v) for v in flat[flat.str.contains(r",\s*[A-Z]{2}\s*$", regex=True)].unique()} \
        if len(flat) else {}
    parsed = flat.map(lambda v: found.get(v))
    names_flat = pd.Series([p[0] if p else v for p, v in zip(parsed, flat)], dtype=object)
    addr_flat = pd.Series([p[1] if p else "" for p in parsed], dtype=object)
    out_names, out_cc, out_addr = [], [], []
    at = 0
    names_list, addr_list = names_flat.tolist(), addr_flat.tolist()  # plain lists: no pandas call per cell
    none = [[]] * len(split)
    countries_list, addresses_list = (c.tolist() if c is not None else none for c in cols)
    for xs, ccs, dds in zip(split.tolist(), countries_list, addresses_list):
        seen, ns, cs, ds = set(), [], [], []
        for i in range(len(xs)):
            name, addr = str(names_list[at + i]).strip(), addr_list[at + i]
            if not name or name in seen:
                continue
            seen.add(name)
            ns.append(name)
            cs.append(ccs[i] if i < len(ccs) else "")
            given = dds[i] if i < len(dds) else ""
            ds.append(given or (addr if isinstance(addr, str) else ""))
        at += len(xs)
        out_names.append(ns), out_cc.append(cs), out_addr.append(ds)
    index = names.index
    return (pd.Series(out_names, index=index, dtype=object), pd.Series(out_cc, index=index, dtype=object),
            pd.Series(out_addr, index=index, dtype=object))


_IPC = re.compile(r"^[A-HY]\d\d[A-Z](\d{1,4}(/\d{1,7})?)?$")  # IPC sections A–H; CPC adds Y
_IPC_HEAD = re.compile(r"^([A-HY]\d\d[A-Z](?:\d{1,4}(?:/\d{1,7})?)?)(.?)")  # symbol, then the next character
# Locarno design classes (外观设计) listed among IPCs — "14-03(10)", or "1404" in US design rows: classification,
# not errors; classes run 01–32
_LOCARNO = re.compile(r"^(?:\d{1,2}-\d{1,2}\s*(\(\d+\))?|(?:0[1-9]|[12]\d|3[0-2])\d\d)$")


def normalize_ipc(series: pd.Series) -> pd.Series:
    """IPC/CPC symbols without inner spaces, upper case, without edition letters or a title after the
    code: ``'H04N  5/353'`` → ``'H04N5/353'``, ``'B60W50/08I'`` → ``'B60W50/08'``, and ``'H04W 64/00
    为了网络管理…'`` → ``'H04W64/00'``. What is not a symbol stays as it is (see :func:`class_codes`).

    Derwent writes symbols zero-padded without a slash: ``'G07G000100'`` → ``'G07G1/00'``.
    Some Patentics rows (Indian filings) write the group without its slash after the subclass:
    ``'G06Q   /5030'`` → ``'G06Q50/30'``, ``'G08G / 101'`` → ``'G08G1/01'`` (the last two digits are the subgroup).

    >>> normalize_ipc(pd.Series(["h04n  5/353", " G06T 7/90", "B60W50/08I", "H04W 64/00 为了网络", "G06Q /5030",
    ...                          "G08G / 101", "G06Q/50301", "G07G000100", "H04L006712", "G06F0017300000"])).tolist()
    ['H04N5/353', 'G06T7/90', 'B60W50/08', 'H04W64/00', 'G06Q50/30', 'G08G1/01', 'G06Q/50301', 'G07G1/00', 'H04L67/12', 'G06F17/30']
    """
    s = series.astype(str).str.replace(r"\s+", "", regex=True).str.upper()
    s = s.str.replace(r"^([A-HY]\d\d[A-Z])/(\d{1,2})(\d\d)$", r"\1\2/\3", regex=True)
    # Derwent and EPO write symbols zero-padded without a slash: 4 digits of main group, then the subgroup
    padded = s.str.extract(r"^([A-HY]\d\d[A-Z])(\d{4})(\d{2,6})$")
    if padded[0].notna().any():
        ok = padded[0].notna()
        sub = padded.loc[ok, 2].str.replace(r"(?<=\d\d)0+$", "", regex=True)
        s = s.where(~ok, padded[0] + padded[1].str.lstrip("0").replace("", "0") + "/" + sub)
    parts = s.str.extract(_IPC_HEAD)
    good = parts[0].notna() & ~parts[1].fillna("").str.match(r"[\d/]")
    return parts[0].where(good, s)


def _locarno_class(token: str) -> str:
    """``'14-03 (10)'`` → ``'14-03'``, ``'1404'`` → ``'14-04'``."""
    code = token.strip().split("(")[0].strip()
    return f"{code[:2]}-{code[2:]}" if code.isdigit() else code


def class_codes(cells: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series]:
    """(codes, invalid, locarno): per row, the normalised IPC/CPC symbols, the tokens that are not symbols,
    and the Locarno design classes (``14-03(10)`` → ``14-03``: a design patent's classification, not an error).
    Each distinct token is normalised once (a corpus repeats a few thousand codes millions of times).

    >>> codes, bad, locarno = class_codes(pd.Series([["G05D  1/02", "9901", "G06Q/503012", "14-03 (10)"], ["1404"]]))
    >>> codes.tolist(), bad.tolist(), locarno.tolist()
    ([['G05D1/02'], []], [['9901', 'G06Q/503012'], []], [['14-03'], ['14-04']])
    """
    parent, tokens = _flatten(cells)
    if not tokens:
        return tuple(pd.Series([[] for _ in range(len(cells))], index=cells.index, dtype=object) for _ in range(3))
    which, uniq = _symbols(pd.Series(tokens, dtype=object))
    kind = uniq["kind"].to_numpy()[which] if len(which) else np.array([], dtype=object)
    good, bad = kind == "symbol", kind == "invalid"
    symbol = uniq["symbol"].to_numpy(dtype=object)[which[good]] if len(which) else np.array([], dtype=object)
    first = _distinct(parent[good], symbol)
    codes = _regroup(parent[good][first], symbol[first].tolist(), cells.index)
    invalid = _regroup(parent[bad], [tokens[i].strip() for i in np.flatnonzero(bad)], cells.index)
    design = kind == "design"
    classes = np.array([_locarno_class(tokens[i]) for i in np.flatnonzero(design)], dtype=object)
    first = _distinct(parent[design], classes)
    locarno = _regroup(parent[design][first], classes[first].tolist(), cells.index)
    return codes, invalid, locarno


def _symbols(tokens: pd.Series) -> tuple[np.ndarray, pd.DataFrame]:
    """(position of each token among the distinct tokens, per distinct token its ``symbol`` and ``kind``:
    "symbol", "design" (a Locarno class), "empty" or "invalid"). Each distinct token is read once."""
    which, distinct = pd.factorize(tokens.to_numpy(dtype=object))
    uniq = pd.Series(distinct, dtype=object)
    norm = normalize_ipc(uniq) if len(uniq) else uniq
    ok = norm.str.fullmatch(_IPC.pattern.strip("^$")).fillna(False).astype(bool) if len(uniq) else uniq
    text = uniq.astype(str).str.strip()
    kind = np.select([ok.to_numpy(dtype=bool), text.str.fullmatch(_LOCARNO.pattern).fillna(False).to_numpy(dtype=bool),
                      text.eq("").to_numpy(dtype=bool)], ["symbol", "design", "empty"], "invalid") if len(uniq) else []
    symbol = np.where(ok.to_numpy(dtype=bool), norm.to_numpy(dtype=object), None) if len(uniq) else []
    return which, pd.DataFrame({"symbol": pd.Series(symbol, dtype=object), "kind": kind})


def main_symbol(cells: pd.Series) -> tuple[pd.Series, pd.Series]:
    """(symbol or None, invalid tokens as a list) for a single-valued main-classification column.

    >>> main, bad = main_symbol(pd.Series(["G05D  1/02", "9901", "", "G06F"]))
    >>> main.tolist(), bad.tolist()
    (['G05D1/02', None, None, 'G06F'], [[], ['9901'], [], []])
    """
    which, uniq = _symbols(cells)
    symbol = uniq["symbol"].to_numpy(dtype=object)[which] if len(which) else np.array([], dtype=object)
    bad = uniq["kind"].to_numpy()[which] == "invalid" if len(which) else np.array([], dtype=bool)
    return (pd.Series(symbol, index=cells.index, dtype=object),
            pd.Series([[c] if b else [] for c, b in zip(cells, bad)], index=cells.index, dtype=object))


def publication_number(series: pd.Series) -> pd.Series:
    """Publication numbers as office + number + kind, no spaces or punctuation; invalid → ``""``.

    >>> publication_number(pd.Series(["cn 110298449 a", "US2019/0320115A1", "12345", ""])).tolist()
    ['CN110298449A', 'US20190320115A1', '', '']
    """
    s = series.fillna("").astype(str).str.upper().str.replace(r"[\s\-/.,]", "", regex=True)
    return s.where(s.str.match(r"^[A-Z]{2}[0-9A-Z]*\d[0-9A-Z]*$") & (s.str.len() >= 5), "")


def counts(series: pd.Series) -> pd.Series:
    """Whole non-negative numbers (claims, citations, family size) as ``Int64``; anything else is missing.

    >>> counts(pd.Series(["12", " 3 ", "12.0", "-", "", None, "x", 7], index=[9, 8, 7, 6, 5, 4, 3, 2])).tolist()
    [12, 3, 12, <NA>, <NA>, <NA>, <NA>, 7]
    """
    text = pc.replace_substring_regex(_text(series), pattern=r"\.0+$", replacement="")
    whole = pc.if_else(pc.match_substring_regex(text, pattern=r"^\d{1,18}$"), text, pa.scalar(None, pa.string()))
    numbers = pd.array(pc.cast(whole, pa.int64()), dtype=pd.ArrowDtype(pa.int64()))  # positional, not by label
    return pd.Series(numbers, index=series.index).astype("Int64")


#: the earliest plausible patent date (the first patent laws of the US and France: 1790–91)
EARLIEST_YEAR = 1790


def parse_dates(series: pd.Series, no_date: tuple[str, ...] = (), today: dt.date | None = None
                ) -> tuple[pd.Series, pd.Series, pd.Series]:
    """(dates, bad, implausible): text dates in the usual export forms or Excel serial numbers →
    ``datetime64``; ``bad`` marks cells that are not a date, ``implausible`` real dates before 1790 or
    after ``today`` (both are missing in ``dates``).

    Accepted: ``YYYY-MM-DD[ HH:MM:SS]``, ``YYYY/MM/DD``, ``YYYY.MM.DD``, ``YYYYMMDD``, Excel serials
    (1900 system). Empty cells, all-zero placeholders (``0--``) and ``no_date`` values are missing, not bad.

    >>> d, bad, odd = parse_dates(pd.Series(["2019-07-03 00:00:00", "20210226", "44000", "2020.1.5", "1", "",
    ...                                      "9999-12-31", "0001-01-01", "2020-02-30"]), today=dt.date(2026, 1, 1))
    >>> [x.strftime("%Y-%m-%d") if not pd.isna(x) else None for x in d]
    ['2019-07-03', '2021-02-26', '2020-06-18', '2020-01-05', None, None, None, None, None]
    >>> bad.tolist(), odd.tolist()
    ([False, False, False, False, True, False, False, False, True], [False, False, False, False, False, False, True, True, False])
    """
    today = today or dt.date.today()
    text = series.fillna("").astype(str).str.strip()
    text = text.where(~text.isin(no_date) & ~text.str.fullmatch(r"0*[-/.]*0*[-/.]*0*"), "")  # "0--", "0000-00-00"
    ymd = pd.DataFrame(index=text.index, columns=["year", "month", "day"], dtype=float)
    serial = text.str.fullmatch(r"\d{5}(\.\d+)?")
    if serial.any():  # Excel's 1900 date system: day 1 is 1900-01-01 (serial 25569 = 1970-01-01)
        days = pd.to_numeric(text[serial]).astype(float).round()
        when = pd.to_datetime("1899-12-30") + pd.to_timedelta(days, unit="D")
        ymd.loc[serial, "year"], ymd.loc[serial, "month"], ymd.loc[serial, "day"] = \
            when.dt.year.to_numpy(), when.dt.month.to_numpy(), when.dt.day.to_numpy()
    parts = text.str.extract(r"^(\d{4})[-./]?(\d{1,2})[-./]?(\d{1,2})(?:[ T].*)?$")
    compact_ok = text.str.fullmatch(r"\d{8}") | text.str.match(r"^\d{4}[-./]\d{1,2}[-./]\d{1,2}(?:[ T].*)?$")
    take = ~serial & compact_ok & parts[0].notna()
    ymd.loc[take, ["year", "month", "day"]] = parts.loc[take, [0, 1, 2]].astype(float).to_numpy()
    found = ymd.notna().all(axis=1)
    in_range = found & (ymd["year"] >= EARLIEST_YEAR) & (ymd["year"] <= today.year)
    out = pd.Series(pd.NaT, index=text.index, dtype="datetime64[ns]")
    if in_range.any():
        out[in_range] = pd.to_datetime(ymd[in_range].astype(int).rename(columns=str), errors="coerce")
    future = out > pd.Timestamp(today)
    implausible = (found & ~in_range) | future
    out = out.where(~future)
    bad = text.ne("") & out.isna() & ~implausible
    return out, bad, implausible


# legal status words across vendors → active? (None when the word says nothing)
_ACTIVE = {"有效": True, "有权": True, "在审": True, "无权": False, "授权": True, "实质审查": True, "公开": True,
           "审中": True,
           "未进入国家阶段-PCT有效期内": True, "进入国家阶段-PCT有效期内": True, "PCT有效期内": True,
           "失效": False, "无效": False, "撤回": False, "驳回": False, "放弃": False, "期限届满": False,
           "未缴年费": False, "权利终止": False, "未进入国家阶段-PCT有效期满": False,
           "进入国家阶段-PCT有效期满": False, "PCT有效期满": False,
           "ACTIVE": True, "PENDING": True, "GRANTED": True, "PATENTED": True, "ACTIVE - REINSTATED": True,
           "EXPIRED": False, "INACTIVE": False, "DISCONTINUED": False, "WITHDRAWN": False, "REJECTED": False,
           "CEASED": False, "LAPSED": False, "REVOKED": False}
#: placeholders vendors put where an inventor's name is withheld
_WITHHELD = re.compile(r"^(不公告发明人|请求不公布姓名|不公布发明人|发明人不公告|inventor withheld|not disclosed)$", re.I)


def is_active(status: pd.Series) -> pd.Series:
    """True/False/None from a legal-status word (有效, 实质审查 … vs 撤回, 期限届满 …).

    >>> is_active(pd.Series(["授权", "撤回", "其他", "", "有权-审定授权", "无权-视为撤回"])).tolist()
    [True, False, None, None, True, False]
    """
    return _per_value(_is_active, status.fillna("").astype(str))


def _is_active(status: pd.Series) -> pd.Series:
    text = status.str.strip()
    active = text.map(_ACTIVE).astype(object)
    head = text.str.split("-", n=1).str[0].map(_ACTIVE).astype(object)  # "有权-审定授权" → 有权
    active = active.where(active.notna(), head)
    return active.where(active.notna(), None)


def patent_type(type_text: pd.Series, ids: pd.Series) -> pd.Series:
    """invention / utility / design, from the vendor's type column or else the office and kind code.

    >>> patent_type(pd.Series(["发明申请", "实用新型", "", ""]), pd.Series(["CN1A", "CN2U", "CN3S", "US4B2"])).tolist()
    ['invention', 'utility', 'design', 'invention']
    """
    def said(text: pd.Series) -> pd.Series:
        return pd.Series(np.select([text.str.contains("实用新型|utility", case=False),
                                    text.str.contains("外观|design", case=False),
                                    text.str.contains("发明|invention|patent", case=False)],
                                   ["utility", "design", "invention"], ""), index=text.index)
    from_text = _per_value(said, type_text.fillna("").astype(str)).to_numpy()
    arr = pa.array(ids.to_numpy(dtype=object), pa.string(), from_pandas=True)
    kind = pd.Series(pc.struct_field(pc.extract_regex(arr, pattern=r"(?P<k>[A-Z]\d?)$"), "k")
                     .to_numpy(zero_copy_only=False), index=ids.index).fillna("")
    office = pd.Series(pc.utf8_slice_codeunits(arr, 0, 2).to_numpy(zero_copy_only=False), index=ids.index)
    from_kind = np.select([office.isin(["CN", "JP", "DE", "KR"]) & kind.isin(["U", "U1", "Y", "Y1"]),
                           kind.isin(["S", "S1"])], ["utility", "design"], "invention")
    return pd.Series(np.where(from_text != "", from_text, from_kind), index=ids.index)


def family_id(members: pd.Series, own: pd.Series | None = None, prefix: str = "") -> pd.Series:
    """A stable family id: the smallest member of the row's family list (with ``own``, the row's own
    record id, counted as a member), or None without a list.

    Publication-number members are normalised first; other ids (Lens IDs) are compared as given and
    get ``prefix`` so they never collide with publication numbers.

    >>> family_id(pd.Series([["CN110298449B", "US20220404779A1", "CN110298449A"], []])).tolist()
    ['CN110298449A', None]
    >>> family_id(pd.Series([["053-092", "046-364"]]), own=pd.Series(["177-059"]), prefix="lens:").tolist()
    ['lens:046-364']
    """
    long = members.explode().dropna()
    if own is not None:
        long = pd.concat([long, own[members.map(len) > 0]])
        smallest = long[long.astype(str).str.strip().ne("")].astype(str).groupby(level=0).min()
    else:
        long = publication_number(long)
        smallest = long[long.ne("")].groupby(level=0).min()
    out = (prefix + smallest.astype(object)).reindex(members.index).astype(object)
    return out.where(out.notna(), None)


def offices(codes: pd.Series) -> pd.Series:
    """Sorted distinct two-letter offices of a list column of numbers or office codes (None if empty).

    >>> offices(pd.Series([["CN110298449B", "US2022A1", "CN1A"], ["WO", "US"], []])).tolist()
    [['CN', 'US'], ['US', 'WO'], None]
    """
    parent, values = _flatten(codes)
    if not values:
        return pd.Series([None] * len(codes), index=codes.index, dtype=object)
    text = pd.Series(values, dtype=object).astype(str).str.strip()
    office = text.str[:2].str.upper().to_numpy(dtype=object)
    ok = text.str.match(r"[A-Za-z]{2}").to_numpy(dtype=bool)
    pairs = pd.DataFrame({"p": parent[ok], "o": office[ok]}).drop_duplicates().sort_values(["p", "o"])
    out = _regroup(pairs["p"].to_numpy(), pairs["o"].tolist(), codes.index)
    return out.where(out.map(len) > 0, None).astype(object)


#: legal-event words across vendors (PatSnap's 法律状态/事件, INPADOC event texts) → the event counted
EVENTS = {"transfers": r"转让|权利转移|专利权人的变更|ASSIGNMENT|TRANSFER OF",
          "licences": r"许可|LICEN[CS]E",
          "pledges": r"质押|质权|PLEDGE|SECURITY INTEREST",
          "litigations": r"诉讼|LITIGATION"}


def legal_events(cells: pd.Series, present: bool) -> pd.DataFrame:
    """Per row, how many of the cell's events (split on | and ;) are transfers, licences, pledges and
    litigations; all null where the export has no event column (unknown is not none).

    >>> legal_events(pd.Series(["实质审查 | 许可", "授权 | 权利转移 | 质押 | 权利转移", ""]), True).values.tolist()
    [[0, 1, 0, 0], [2, 0, 1, 0], [0, 0, 0, 0]]
    >>> bool(legal_events(pd.Series(["x"]), False).isna().all(axis=None))
    True
    """
    if not present:
        return pd.DataFrame({k: pd.Series(pd.NA, index=cells.index, dtype="Int64") for k in EVENTS})
    text = pc.utf8_upper(_text(cells))
    # one count per token that names the event (a token of the cell, between separators)
    tokens = pc.split_pattern_regex(pc.fill_null(text, ""), pattern=r"\s*[|;]\s*")
    flat = pc.list_flatten(tokens)
    parents = pc.list_parent_indices(tokens).to_numpy()
    out = {}
    for kind, pattern in EVENTS.items():
        hit = pc.cast(pc.match_substring_regex(flat, pattern=pattern), pa.int64())
        counts = np.bincount(parents, weights=hit.to_numpy(zero_copy_only=False), minlength=len(cells))
        out[kind] = pd.Series(counts.astype("int64"), index=cells.index).astype("Int64")
    return pd.DataFrame(out)


def _first_token(series: pd.Series) -> pd.Series:
    """The first of several values in a cell ("实质审查 | 许可" → "实质审查")."""
    first = pc.utf8_trim_whitespace(pc.replace_substring_regex(_text(series), pattern=r"\s*[|;].*", replacement=""))
    return pd.Series(first.to_numpy(zero_copy_only=False), index=series.index, dtype=object)


def sei_codes(cells: pd.Series) -> pd.Series:
    """SEI branch codes of a label cell, sorted; None for an empty cell.

    >>> sei_codes(pd.Series(["1.1 (下一代信息网络产业),8.4 (数字创意与融合服务)", "", "1.5 (人工智能)"])).tolist()
    [['1.1', '8.4'], None, ['1.5']]
    """
    found = cells.fillna("").astype(str).str.findall(r"(?<![\d.])(\d\.\d)(?![\d.])")
    return pd.Series([sorted(set(x)) or None for x in found], index=cells.index, dtype=object)


def counting_year(priority: pd.Series, app_year: pd.Series, pub: pd.Series) -> tuple[pd.Series, pd.Series]:
    """(year, basis) per record: the earliest priority year, else the application year, else the
    publication year when nothing earlier is known (DESIGN §6 counts by the earliest of priority and
    application); basis names which one it is, None where no year is known at all.

    >>> import datetime as dt
    >>> y, b = counting_year(pd.Series([dt.date(2018, 5, 1), None, None, None]), pd.Series([2019, 2020, None, None],
    ...                      dtype="Int64"), pd.Series([None, None, dt.date(2021, 1, 1), None]))
    >>> y.tolist(), b.tolist()
    ([2018, 2020, 2021, <NA>], ['priority', 'application', 'publication', None])
    """
    def year_of(dates: pd.Series) -> pd.Series:
        return pd.to_datetime(dates, errors="coerce").dt.year.astype("Int64")
    prio, pub_year = year_of(priority), year_of(pub)
    app_year = app_year.astype("Int64")
    earlier = prio.notna() & (app_year.isna() | (prio <= app_year))
    year = prio.where(earlier, app_year)
    basis = pd.Series(np.select([earlier, app_year.notna(), pub_year.notna()], ["priority", "application", "publication"],
                                ""), index=priority.index, dtype=object)
    year = year.where(year.notna(), pub_year)
    return year.astype("Int64"), basis.where(basis != "", None)


def whole_years(series: pd.Series) -> pd.Series:
    """A year column as written (``2019``, ``2019.0``, ``2019年``) → Int64; anything else missing.

    >>> whole_years(pd.Series(["2019", "2019年", "x", "", "85"])).tolist()
    [2019, 2019, <NA>, <NA>, <NA>]
    """
    found = series.fillna("").astype(str).str.extract(r"^\s*(\d{4})(?:\.0+)?\s*年?\s*$")[0]
    return pd.to_numeric(found, errors="coerce").astype("Int64")


@bulk
def records(raw: Raw) -> Normalised:
    """One normalised record per usable row of ``raw``, and the rejects (file, row, column, value, reason).

    A row is rejected when its publication number is missing or malformed, or a date cannot be read.
    ``len(records) + len(rejects) == len(raw.frame)``. ``invalid_codes`` lists per record the
    classification tokens that are not IPC/CPC symbols (reported, then left out of the graph).
    """
    f = raw.frame
    prof = raw.profile
    file = raw.path.name
    col = lambda name: f[name] if name in f else pd.Series("", index=f.index, dtype=object)  # noqa: E731
    rec = pd.DataFrame(index=f.index)
    rec["row"] = f["row"]
    raw_id = clean_text(col("id"))
    rec["id"] = publication_number(raw_id)
    problems: list[pd.DataFrame] = []

    def reject(mask: pd.Series, field: str, value: pd.Series, reason: str) -> None:
        if mask.any():
            problems.append(pd.DataFrame({"file": file, "row": f.loc[mask, "row"],
                                          "column": raw.mapping.get(field, field), "value": value[mask],
                                          "reason": reason}))

    empty = raw_id.eq("")  # a row without an id may be blank throughout: say so rather than "no id"
    if empty.any():
        empty[empty] = f[empty].drop(columns="row").apply(lambda c: clean_text(c).eq("")).all(axis=1)
    reject(empty, "id", raw_id, "empty row")
    reject(~empty & raw_id.eq(""), "id", raw_id, "no publication number; every patent needs one")
    reject(~empty & raw_id.ne("") & rec["id"].eq(""), "id", raw_id,
           "publication number is not office + number + kind (e.g. CN110298449A)")
    for field in ("app_date", "pub_date", "grant_date"):
        dates, bad, implausible = _per_value(parse_dates, col(field), prof.no_date)
        reject(bad & rec["id"].ne(""), field, col(field), "date is not YYYY-MM-DD, YYYYMMDD or an Excel date")
        reject(implausible & rec["id"].ne(""), field, col(field),
               f"implausible date: before {EARLIEST_YEAR} or after today; correct the cell or leave it empty")
        rec[field] = as_dates(dates, rec.index)
    rejects = (pd.concat(problems, ignore_index=True) if problems else pd.DataFrame(columns=REJECT_COLUMNS))
    rejects = rejects.drop_duplicates("row", keep="first")  # one reason per row: the first found
    keep = ~f["row"].isin(rejects["row"])
    if not keep.all():
        rec = rec[keep].copy()
        f = f[keep]
    for field in ("app_no", "title", "abstract", "address", "province", "city"):
        rec[field] = clean_text(col(field)).replace({"": None, "-": None})
    rec["app_no"] = rec["app_no"].str.replace(" ", "", regex=False)  # cleaned text has single spaces only
    rec["legal_status"] = _per_value(_first_token, col("legal_status")).replace("", None)
    rec["app_year"] = pd.to_datetime(rec["app_date"]).dt.year.astype("Int64")
    if "app_year" in f:  # exports that carry only 申请年
        rec["app_year"] = rec["app_year"].where(rec["app_year"].notna(), whole_years(f["app_year"]))
    priority, _, _ = _per_value(parse_dates, col("priority_date"), prof.no_date)  # unreadable: unknown, not a reject
    rec["priority_date"] = as_dates(priority, rec.index)
    if "priority_year" in f:  # Derwent's 最早优先权年
        given = whole_years(f["priority_year"])
        from_year = pd.Series([dt.date(int(y), 1, 1) if pd.notna(y) else None for y in given], index=rec.index)
        rec["priority_date"] = rec["priority_date"].where(rec["priority_date"].notna(), from_year)
    rec["year"], rec["year_basis"] = counting_year(rec["priority_date"], rec["app_year"], rec["pub_date"])
    rec["authority"] = rec["id"].str[:2]
    ids = pa.array(rec["id"].to_numpy(dtype=object), pa.string())
    kind = pc.struct_field(pc.extract_regex(ids, pattern=r"\d(?P<k>[A-Z]\d?)$"), "k").to_numpy(zero_copy_only=False)
    rec["kind"] = pd.Series(kind, index=rec.index, dtype=object)
    rec["type"] = patent_type(col("patent_type"), rec["id"])
    rec["is_active"] = is_active(rec["legal_status"].fillna(""))
    events = legal_events(col("legal_events"), "legal_events" in f)
    for kind in EVENTS:
        rec[kind] = events[kind]
    if "litigations" in f:  # a litigation-count column (诉讼案件数) is better evidence than event words
        given = counts(col("litigations"))
        rec["litigations"] = given.where(given.notna(), rec["litigations"])
    url = clean_text(col("url"))
    rec["url"] = url.where(url.str.match(r"^https?://", na=False), None)
    invalid_numbers = {}
    for field in ("claims", "cites", "cited_by", "family_size"):
        rec[field] = counts(col(field))
        given = clean_text(col(field)).replace({"-": ""})
        wrong = int((given.ne("") & rec[field].isna()).sum())
        if wrong:
            invalid_numbers[raw.mapping.get(field, field)] = wrong
    for field in ("std_applicants", "inventors", "ipcs", "cpcs", "family_members", "family_offices",
                  "priority_numbers", "cited_pubs", "citing_pubs"):
        rec[field] = (split_multi(col(field), prof.separator, _WITHHELD if field == "inventors" else None)
                      if field in f else pd.Series([[] for _ in range(len(rec))], index=rec.index, dtype=object))
    from ingest.citations import numbers
    for field, count in (("cited_pubs", "cites"), ("citing_pubs", "cited_by")):  # lists of cited / citing numbers
        rec[field] = numbers(rec[field])
        listed = rec[field].map(len)
        rec[count] = rec[count].where(rec[count].notna() | listed.eq(0), listed.astype("Int64"))
    rec["applicants"], rec["applicant_countries"], rec["applicant_addresses"] = applicant_parts(
        col("applicants"), prof.separator, col("applicant_country") if "applicant_country" in f else None,
        col("applicant_address") if "applicant_address" in f else None)
    rec["priority_known"] = any(k in raw.mapping for k in ("priority_country", "priority_numbers", "priority_date",
                                                           "priority_year"))
    ipcs, bad_ipc, locarno = class_codes(rec["ipcs"])
    rec["cpcs"], bad_cpc, _ = class_codes(rec["cpcs"])
    rec["locarno"] = locarno
    main, bad_main = main_symbol(clean_text(col("ipc_main")))
    rec["invalid_codes"] = [a + b + c for a, b, c in zip(bad_ipc, bad_cpc, bad_main)]
    # the main IPC leads the list; without a main column, the first listed code is the main one; a main
    # IPC given only as a subclass (Patentics CSV) means the first listed symbol of that subclass
    subclass = main.str.len().eq(4).to_numpy(dtype=bool)
    if subclass.any():
        parent, values = _flatten(ipcs)
        head = np.array([v[:4] for v in values], dtype=object)
        wanted = main.to_numpy(dtype=object)[parent] if len(parent) else head
        hit = pd.Series(values, dtype=object)[(head == wanted) & subclass[parent]]
        first = hit.groupby(parent[hit.index.to_numpy()]).first()
        main.iloc[first.index.to_numpy()] = first.to_numpy()
    rec["ipcs"] = [xs if m is None or (xs and xs[0] == m) else [m] + [x for x in xs if x != m]
                   for m, xs in zip(main, ipcs)]
    # a source without IPC codes (PatentsView grants, some OPS records) is classified by its CPC symbols
    rec["ipcs"] = [xs if xs else list(cs) for xs, cs in zip(rec["ipcs"], rec["cpcs"])]
    rec["ipc_main"] = pd.Series([xs[0] if xs else None for xs in rec["ipcs"]], index=rec.index, dtype=object)
    if "record_id" in f:
        rec["family_id"] = family_id(rec["family_members"], clean_text(f["record_id"]), prefix=f"{prof.name}:")
    else:
        rec["family_id"] = family_id(rec["family_members"])
    given_family = clean_text(col("family_id")).replace({"": None, "-": None})
    rec["family_id"] = given_family.where(given_family.notna(), rec["family_id"])
    sizes = rec["family_members"].map(len)
    rec["family_size"] = rec["family_size"].where(sizes.eq(0) | rec["family_size"].notna(), sizes.astype("Int64"))
    given = offices(rec["family_offices"])
    rec["family_offices"] = given.where(given.notna(), offices(rec["family_members"] if "record_id" not in f
                                                               else rec["family_offices"]))
    country = _first_token(col("priority_country")).str.upper()
    from_numbers = offices(rec["priority_numbers"].map(lambda xs: xs[:1])) if "priority_numbers" in f else None
    country = country.where(country.str.fullmatch(r"[A-Z]{2}"), None if from_numbers is None else
                            from_numbers.map(lambda xs: xs[0] if xs else None)).astype(object)
    rec["priority_country"] = country.where(country.notna(), None)
    # the vendor's own SEI branch labels (incoPat), kept to measure PatNav's sei-2021 tagging against;
    # a file with only the main IPC is compared with the main-IPC labels
    label = "sei_labels" if "ipcs" in raw.mapping else "sei_main_labels"  # all-IPC labels need all IPCs
    rec["sei_labels"] = _per_value(sei_codes, col(label)) if label in f else None
    rec["source"] = file
    return Normalised(rec[RECORD_COLUMNS].reset_index(drop=True), rejects[REJECT_COLUMNS].reset_index(drop=True),
                      invalid_numbers)
