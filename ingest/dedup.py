"""One record per publication and application: duplicates across and within files merge.

Pure functions over frames. Rows that share a publication number, or an application (the same
application published as CN…A and CN…B), form one group; its richest row (most fields with a value;
ties: latest publication, then publication number, file name and row) is the kept record, and each of
its empty fields is filled from the next richest row that has the value. The result does not depend on
the order the files are given in. Every folded row is listed with the row it merged into and why.
"""

from __future__ import annotations

from typing import NamedTuple

import pandas as pd

from ingest import bulk

LIST_COLUMNS = ("applicants", "std_applicants", "inventors", "ipcs", "cpcs", "invalid_codes")
MERGE_COLUMNS = ["file", "row", "id", "into_file", "into_row", "into_id", "reason"]


class Deduplicated(NamedTuple):
    records: pd.DataFrame
    merged: pd.DataFrame


def application_key(records: pd.DataFrame) -> pd.Series:
    """Office + application-number digits (≥ 6 of them), or None: the same application published
    under several kind codes (CN…A and CN…B) shares it.

    >>> application_key(pd.DataFrame({"authority": ["CN", "US", "CN"], "app_no": ["CN201910593937.7", "US16/634,906", None]})).tolist()
    ['CN2019105939377', 'US16634906', None]
    """
    digits = records["app_no"].fillna("").astype(str).str.replace(r"\D", "", regex=True)
    key = records["authority"].fillna("").astype(str) + digits
    return key.astype(object).where(digits.str.len() >= 6, None)


def richest_first(records: pd.DataFrame, app: pd.Series) -> pd.DataFrame:
    """Rows ordered by how many fields have a value (an empty list counts as none), then latest
    publication, publication number, file and row: a stable order whatever order the files came in.

    >>> r = pd.DataFrame({"id": ["X", "X"], "title": [None, "t"], "source": ["b.csv", "a.csv"], "row": [2, 2]})
    >>> richest_first(r, pd.Series([None, None]))["source"].tolist()
    ['a.csv', 'b.csv']
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
    order = pd.DataFrame({"filled": filled, "pub": pd.to_datetime(records["pub_date"], errors="coerce")
                          if "pub_date" in records else pd.NaT, "id": records["id"].astype(str),
                          "source": records["source"].astype(str), "row": records["row"]})
    order = order.sort_values(["filled", "pub", "id", "source", "row"], ascending=[False, False, True, True, True],
                              na_position="last", kind="mergesort")
    return records.loc[order.index]


def _groups(records: pd.DataFrame, app: pd.Series) -> pd.Series:
    """Each row's group: the position of the first row it is linked to through a shared publication
    number or a shared application key (label propagation until nothing changes)."""
    pos = pd.Series(range(len(records)), index=records.index)
    label = pos.groupby(records["id"].to_numpy()).transform("min")
    has_app = app.notna()
    while True:
        by_app = label[has_app].groupby(app[has_app].to_numpy()).transform("min")
        new = label.copy()
        new[has_app] = by_app.combine(label[has_app], min)
        new = new.groupby(records["id"].to_numpy()).transform("min")
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
