"""One record per publication and application: duplicates across and within files merge.

Pure functions over frames. Rows that share a publication number, or an application (the same
application published as CN…A and CN…B; the application's office and number as written, see
``application_key``), form one group. The grant represents its application (analysts expect the B, not
the A publication); among equals the richest row (most fields with a value; ties: latest publication,
then publication number, file name and row) is kept, and each of its empty fields is filled from the
next row that has the value. The result does not depend on
the order the files are given in. Every folded row is listed with the row it merged into and why.
"""

from __future__ import annotations

import re
from typing import NamedTuple

import numpy as np
import pandas as pd

from ingest import bulk

LIST_COLUMNS = ("applicants", "applicant_countries", "applicant_addresses", "std_applicants", "inventors", "ipcs",
                "cpcs", "invalid_codes", "cited_pubs", "citing_pubs")
MERGE_COLUMNS = ["file", "row", "id", "into_file", "into_row", "into_id", "reason"]


class Deduplicated(NamedTuple):
    records: pd.DataFrame
    merged: pd.DataFrame


_PCT_RO_FIRST = re.compile(r"^(?:PCT|WO)?([A-Z]{2})(\d{7}|\d{10})[A-Z]?$")  # PCT/EP2022/057210, RO 9500001 W
_PCT_YEAR_FIRST = re.compile(r"^(?:PCT|WO)(\d{4})([A-Z]{2})(\d{4,6})[A-Z]?$")  # WO2005US11153


def _pct_key(text: str) -> str | None:
    """``WO|<receiving office>|<year>|<serial>`` of a PCT application number as vendors write it, or None.

    >>> [_pct_key(t) for t in ("PCTEP2022057210", "RO9500001W", "KZ9500001W", "WO2005US11153", "PCTUS0511153", "X1")]
    ['WO|EP|2022|57210', 'WO|RO|1995|1', 'WO|KZ|1995|1', 'WO|US|2005|11153', 'WO|US|2005|11153', None]
    """
    m = _PCT_RO_FIRST.match(text)
    if m:
        office, digits = m.groups()
        year, serial = (digits[:4], digits[4:]) if len(digits) == 10 else (digits[:2], digits[2:])
    else:
        m = _PCT_YEAR_FIRST.match(text)
        if not m:
            return None
        year, office, serial = m.groups()
    if len(year) == 2:
        year = ("19" if int(year) >= 78 else "20") + year  # the PCT took effect in 1978
    return f"WO|{office}|{year}|{int(serial)}"


def _national_key(authority: str, text: str) -> str | None:
    """``<office>|<number as written>`` without the office prefix, punctuation and a trailing kind letter;
    the year-prefixed forms some vendors write for US and EP numbers are folded to the office's own.

    >>> [_national_key(o, t) for o, t in (("CN", "CN2019105939377"), ("CN", "2019105939377"), ("US", "US16634906"),
    ...  ("US", "US202016634906A"), ("EP", "EP20220177888"), ("EP", "EP22177888"), ("DK", "DKPA201970221A"), ("CN", "CN123"))]
    ['CN|2019105939377', 'CN|2019105939377', 'US|16634906', 'US|16634906', 'EP|22177888', 'EP|22177888', 'DK|PA201970221', None]
    """
    rest = text[len(authority):] if authority and text.startswith(authority) else text
    rest = re.sub(r"(?<=\d)[A-Z]{1,2}$", "", rest)
    digits = re.sub(r"\D", "", rest)
    if len(digits) < 6:
        return None
    if authority == "US" and rest.isdigit() and len(rest) == 12 and rest[:2] in ("19", "20"):
        rest = rest[4:]  # Lens: filing year + the 8-digit series and serial
    elif authority == "EP" and rest.isdigit() and len(rest) == 11 and rest[:2] in ("19", "20"):
        rest = rest[2:4] + rest[-6:]  # EP20220177888 → 22177888
    return f"{authority}|{rest}"


def national_keys(office: pd.Series, text: pd.Series) -> pd.Series:
    """:func:`_national_key` for whole columns (vectorised; the scalar function is its reference).

    >>> national_keys(pd.Series(["CN", "US", "EP", "DK", "CN", "US"]), pd.Series(["CN2019105939377",
    ...     "US202016634906A", "EP20220177888", "DKPA201970221A", "CN123", "16634906"])).tolist()
    ['CN|2019105939377', 'US|16634906', 'EP|22177888', 'DK|PA201970221', None, 'US|16634906']
    """
    office, text = office.astype(object).fillna("").astype(str), text.astype(object).fillna("").astype(str)
    if office.str.len().isin([0, 2]).all():  # two-letter offices (always, from publication numbers): column-wise
        prefixed = office.ne("") & text.str[:2].eq(office)
        rest = text.where(~prefixed, text.str[2:])
    else:
        prefixed = office.ne("") & pd.Series([t.startswith(o) for o, t in zip(office, text)], index=text.index,
                                             dtype=bool)
        rest = text.where(~prefixed, pd.Series([t[len(o):] for o, t in zip(office, text)], index=text.index))
    rest = rest.str.replace(r"(?<=\d)[A-Z]{1,2}$", "", regex=True)
    enough = rest.str.count(r"\d").ge(6)
    year_first = rest.str.isdigit() & rest.str[:2].isin(["19", "20"])
    rest = rest.where(~(office.eq("US") & year_first & rest.str.len().eq(12)), rest.str[4:])
    rest = rest.where(~(office.eq("EP") & year_first & rest.str.len().eq(11)), rest.str[2:4] + rest.str[-6:])
    return (office + "|" + rest).astype(object).where(enough, None)


def application_key(records: pd.DataFrame) -> pd.Series:
    """The application a record was published from: filing office + the application number as written,
    with the letters that make it unique kept — a receiving office, a series, a year (application
    numbers are unique only within their office: PCT/RO and PCT/KZ both have a 9500001). None when the
    number has fewer than 6 digits. Each distinct (office, number) is read once.

    >>> application_key(pd.DataFrame({"authority": ["CN", "US", "CN", "WO", "WO"], "app_no": ["CN201910593937.7",
    ...     "US16/634,906", None, "RO 9500001 W", "KZ 9500001 W"]})).tolist()
    ['CN|2019105939377', 'US|16634906', None, 'WO|RO|1995|1', 'WO|KZ|1995|1']
    """
    text = (records["app_no"].fillna("").astype(str).str.upper()
            .str.replace(r"[\s\-/.,_()]", "", regex=True))
    office = records["authority"].fillna("").astype(str)
    pairs = pd.DataFrame({"office": office, "text": text})
    uniq = pairs.drop_duplicates()

    def one(o: str, t: str) -> str | None:  # PCT numbers: few, read one by one
        return _pct_key(t) or (_national_key(o, t) if o == "WO" else None)
    pct = uniq["text"].ne("") & (uniq["office"].eq("WO") | uniq["text"].str.startswith("PCT"))
    keys = national_keys(uniq["office"], uniq["text"]).where(uniq["text"].ne(""), None).astype(object)
    keys[pct.to_numpy()] = [one(o, t) for o, t in zip(uniq.loc[pct, "office"], uniq.loc[pct, "text"])]
    uniq = uniq.assign(key=keys.to_numpy())
    keys = pairs.merge(uniq, on=["office", "text"], how="left")["key"].to_numpy(dtype=object)
    keys = pd.Series(keys, index=records.index, dtype=object)
    return keys.where(keys.notna(), None)


#: kind codes of a granted publication (B1, B2, C, C1 …): the grant represents its application
_GRANTED = re.compile(r"^[BC]\d?$")


def richest_first(records: pd.DataFrame, app: pd.Series) -> pd.DataFrame:
    """Rows ordered so that the first of each group is the one that represents it: a grant (kind B or C)
    before an application publication of the same application, then the row with the most fields
    filled (an empty list counts as none), then the latest publication, publication number, file and
    row: a stable order whatever order the files came in.

    >>> r = pd.DataFrame({"id": ["X", "X"], "title": [None, "t"], "source": ["b.csv", "a.csv"], "row": [2, 2]})
    >>> richest_first(r, pd.Series([None, None]))["source"].tolist()
    ['a.csv', 'b.csv']
    >>> r = pd.DataFrame({"id": ["CN1A", "CN1B"], "kind": ["A", "B"], "title": ["t", None], "source": ["a", "a"],
    ...                   "row": [2, 3]})
    >>> richest_first(r, pd.Series(["CN|1", "CN|1"]))["id"].tolist()
    ['CN1B', 'CN1A']
    """
    # only rows that share a number with another row can be in a group: count fields for them alone
    shared = records["id"].duplicated(keep=False) | (app.notna() & app.duplicated(keep=False))
    if not shared.any():
        return records
    fields = records.loc[shared].drop(columns=[c for c in ("id", "source", "row") if c in records])
    filled = pd.Series(0, index=records.index)
    for c in fields.columns:
        col = fields[c]
        has = col.map(len).gt(0) if c in LIST_COLUMNS else col.notna()
        filled.loc[shared] += has.astype(int).to_numpy()
    kind = records["kind"] if "kind" in records else pd.Series(None, index=records.index, dtype=object)
    granted = kind.fillna("").astype(str).str.match(_GRANTED.pattern)
    order = pd.DataFrame({"granted": granted, "filled": filled,
                          "pub": pd.to_datetime(records["pub_date"], errors="coerce")
                          if "pub_date" in records else pd.NaT, "id": records["id"].astype(str),
                          "source": records["source"].astype(str), "row": records["row"]})
    order = order.sort_values(["granted", "filled", "pub", "id", "source", "row"],
                              ascending=[False, False, False, True, True, True], na_position="last", kind="mergesort")
    return records.loc[order.index]


def contradicted(records: pd.DataFrame, app: pd.Series) -> pd.Series:
    """True for rows whose application key the data contradicts: one application has one application
    publication and one grant, so a key shared by two different granted numbers (or two different
    application publications) is a vendor's error, and merging on it would make a patent vanish
    (seen: two Lyft grants "Ride chaining" exported with one application number).

    >>> r = pd.DataFrame({"id": ["US10446038B2", "US10482771B2", "US20190001A1", "CN1A", "CN1B"],
    ...                   "kind": ["B2", "B2", "A1", "A", "B"]})
    >>> contradicted(r, pd.Series(["US|15985469", "US|15985469", "US|15985469", "CN|1", "CN|1"])).tolist()
    [True, True, True, False, False]
    """
    if "kind" not in records or not app.notna().any():
        return pd.Series(False, index=records.index)
    base = records["id"].astype(str).str.replace(r"(?<=\d)[A-Z]\d?$", "", regex=True)
    kind = records["kind"].fillna("").astype(str)
    stage = pd.Series(np.select([kind.str.match(r"^[A-C]9$"), kind.str.match(_GRANTED.pattern), kind.str.match(r"^A\d?$")],
                                ["", "grant", "publication"], ""), index=records.index)
    # not compared: corrections (A9, B9: republished under a new number) and other kinds (GB D0, the filing)
    frame = pd.DataFrame({"app": app, "base": base, "granted": stage})[app.notna() & stage.ne("")]
    numbers = frame.groupby(["app", "granted"])["base"].nunique()
    bad = set(numbers[numbers > 1].index.get_level_values("app"))
    return app.isin(bad)


def _groups(records: pd.DataFrame, app: pd.Series) -> pd.Series:
    """Each row's group: the position of the first row it is linked to through a shared publication
    number or a shared application key (label propagation until nothing changes)."""
    pos = pd.Series(range(len(records)), index=records.index)
    ids = pd.factorize(records["id"])[0]  # group codes once; transforms need no sorted groups
    label = pos.groupby(ids, sort=False).transform("min")
    has_app = app.notna()
    apps = pd.factorize(app[has_app])[0]
    while True:
        by_app = label[has_app].groupby(apps, sort=False).transform("min")
        new = label.copy()
        new[has_app] = np.minimum(by_app.to_numpy(), label[has_app].to_numpy())
        new = new.groupby(ids, sort=False).transform("min")
        if new.equals(label):
            return label
        label = new


@bulk
def deduplicate(records: pd.DataFrame) -> Deduplicated:
    """One record per publication and application, and the rows merged into them.

    Rows merge when they share a publication number, or an application (``application_key``): the
    richest row of a group is kept (see the module docstring; not the file order); its empty fields
    are filled from the other rows, richest first.

    >>> r = pd.DataFrame({"id": ["A1", "B1", "A1", "A2"], "title": ["t", "u", None, None], "claims": [None, 3, 7, 9],
    ...                   "authority": ["CN"] * 4, "app_no": [None, "CN2019100001.1", None, "CN2019100001.1"],
    ...                   "applicants": [[], ["x"], ["y"], []], "inventors": [[]] * 4, "ipcs": [[]] * 4,
    ...                   "source": ["f1", "f1", "f2", "f2"], "row": [2, 3, 2, 3]})
    >>> d = deduplicate(r)
    >>> d.records[["id", "title", "claims", "applicants", "source", "row"]].values.tolist()
    [['B1', 'u', 3.0, ['x'], 'f1', 3], ['A1', 't', 7.0, ['y'], 'f2', 2]]
    >>> d.merged.values.tolist()
    [['f2', 3, 'A2', 'f1', 3, 'B1', 'same application'], ['f1', 2, 'A1', 'f2', 2, 'A1', 'same publication']]
    """
    records = records.reset_index(drop=True)
    app = application_key(records)
    app = app.where(~contradicted(records, app), None)  # a key two grants share is an export's error: not used
    records = richest_first(records, app)
    app = app.loc[records.index].reset_index(drop=True)
    records = records.reset_index(drop=True)
    label = _groups(records, app) if len(records) else pd.Series([], dtype=int)
    dup = label.ne(pd.Series(range(len(records))))
    if not dup.any():
        return Deduplicated(records, pd.DataFrame(columns=MERGE_COLUMNS))
    keep = records.loc[label.to_numpy(), ["id", "source", "row"]].reset_index(drop=True)
    folded = records.loc[dup, ["source", "row", "id"]].rename(columns={"source": "file"})
    folded["into_file"] = keep.loc[dup, "source"].to_numpy()
    folded["into_row"] = keep.loc[dup, "row"].to_numpy()
    folded["into_id"] = keep.loc[dup, "id"].to_numpy()
    folded["reason"] = (folded["id"] == folded["into_id"]).map({True: "same publication", False: "same application"})
    work = records.copy()
    lists = [c for c in LIST_COLUMNS if c in work]
    for c in lists:  # an empty list counts as "no value" so a duplicate may fill it
        work[c] = work[c].map(lambda xs: xs if len(xs) else None)
    merged = work.drop(columns=["id", "source", "row"]).groupby(label.to_numpy(), sort=True).first()
    kept = records.loc[merged.index, ["id", "source", "row"]]
    merged = pd.concat([kept, merged.set_axis(kept.index)], axis=1)
    for c in lists:
        merged[c] = merged[c].map(lambda xs: xs if isinstance(xs, list) else [])
    return Deduplicated(merged[list(records.columns)].reset_index(drop=True), folded[MERGE_COLUMNS].reset_index(drop=True))
