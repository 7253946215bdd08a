"""One record per publication: duplicates across and within files merge into the first occurrence.

Pure functions over frames. The first occurrence (files in the order given, rows in file order) is
the kept record; each of its empty fields is filled from the next duplicate that has the value, so a
later, richer export completes an earlier one. Every folded row is listed with the row it merged into.
"""

from __future__ import annotations

from typing import NamedTuple

import pandas as pd

LIST_COLUMNS = ("applicants", "inventors", "ipcs")
MERGE_COLUMNS = ["file", "row", "id", "into_file", "into_row"]


class Deduplicated(NamedTuple):
    records: pd.DataFrame
    merged: pd.DataFrame


def deduplicate(records: pd.DataFrame) -> Deduplicated:
    """Records keyed by ``id`` (first occurrence first) and the rows merged into them.

    >>> r = pd.DataFrame({"id": ["A1", "B1", "A1"], "title": ["t", "u", None], "claims": [None, 3, 7],
    ...                   "applicants": [[], ["x"], ["y"]], "inventors": [[], [], []], "ipcs": [[], [], []],
    ...                   "source": ["f1", "f1", "f2"], "row": [2, 3, 2]})
    >>> d = deduplicate(r)
    >>> d.records[["id", "title", "claims", "applicants", "source", "row"]].values.tolist()
    [['A1', 't', 7.0, ['y'], 'f1', 2], ['B1', 'u', 3.0, ['x'], 'f1', 3]]
    >>> d.merged.values.tolist()
    [['f2', 2, 'A1', 'f1', 2]]
    """
    dup = records["id"].duplicated(keep="first")
    if not dup.any():
        return Deduplicated(records.reset_index(drop=True), pd.DataFrame(columns=MERGE_COLUMNS))
    first = records.loc[~dup, ["id", "source", "row"]].set_index("id")
    folded = records.loc[dup, ["source", "row", "id"]].rename(columns={"source": "file"})
    folded["into_file"] = folded["id"].map(first["source"])
    folded["into_row"] = folded["id"].map(first["row"])
    work = records.copy()
    lists = [c for c in LIST_COLUMNS if c in work]
    for c in lists:  # an empty list counts as "no value" so a duplicate may fill it
        work[c] = work[c].map(lambda xs: xs if len(xs) else None)
    order = pd.Series(range(len(work)), index=work.index)
    merged = work.assign(_order=order).groupby("id", sort=False).first()
    merged = merged.sort_values("_order").drop(columns="_order").reset_index()
    merged[["source", "row"]] = first.loc[merged["id"], ["source", "row"]].to_numpy()
    for c in lists:
        merged[c] = merged[c].map(lambda xs: xs if isinstance(xs, list) else [])
    return Deduplicated(merged[list(records.columns)], folded[MERGE_COLUMNS].reset_index(drop=True))
