"""Citation links (``CITES``) between the patents of the graph, from the publication numbers exports list.

Exports that list citations give, per patent, the numbers it cites (incoPat 引证专利, Derwent 引用专利 /
Cited Patents, PatSnap 引用专利 …) and the numbers that cite it (incoPat 被引证专利, Derwent 施引专利 /
Citing Patents …). A listed number becomes a link when it names a patent in the graph: the same
publication number, or — when the kind code differs (``CN110298449A`` cited, ``CN110298449B`` loaded) —
the one patent of that office and number. Numbers outside the graph stay on the patent (``cited_pubs`` /
``citing_pubs``) and in its counts, never as invented nodes. Links are computed from all rows of the
graph (earlier runs' too), so ingesting in several runs links what one run would.
"""

from __future__ import annotations

import pandas as pd

from ingest.normalize import publication_number

_KIND = r"^([A-Z]{2}\d+)[A-Z]\d?$"


def numbers(cells: pd.Series) -> pd.Series:
    """Lists of publication numbers, normalised; invalid entries dropped, repeats once.

    >>> numbers(pd.Series([["cn 110298449 a", "x", "US2019/0320115A1", "CN110298449A"], []])).tolist()
    [['CN110298449A', 'US20190320115A1'], []]
    """
    flat = cells.map(lambda xs: xs if isinstance(xs, list) else []).explode()
    flat = flat.dropna()
    clean = publication_number(flat.astype(str))
    clean = clean[clean.ne("")]
    grouped = clean.groupby(level=0, sort=False).agg(lambda xs: list(dict.fromkeys(xs)))
    return grouped.reindex(cells.index).map(lambda xs: xs if isinstance(xs, list) else [])


def citation_links(records: pd.DataFrame) -> pd.DataFrame:
    """``CITES`` pairs (``from`` cites ``to``) among ``records`` (columns id, cited_pubs, citing_pubs).

    >>> r = pd.DataFrame({"id": ["CN1A", "CN2B", "US3B1"], "cited_pubs": [["CN2A", "EP9A1"], [], []],
    ...                   "citing_pubs": [[], ["US3B1"], ["CN1A"]]})
    >>> citation_links(r).values.tolist()
    [['CN1A', 'CN2B'], ['CN1A', 'US3B1'], ['US3B1', 'CN2B']]
    """
    empty = pd.DataFrame({"from": pd.Series(dtype=object), "to": pd.Series(dtype=object)})
    if not len(records) or not {"cited_pubs", "citing_pubs"} <= set(records.columns):
        return empty
    ids = records["id"].astype(str)
    keys = ids.str.replace(_KIND, r"\1", regex=True)
    by_key = pd.Series(ids.to_numpy(), index=keys.to_numpy())
    by_key = by_key[~by_key.index.duplicated(keep=False)]  # two patents of one number: no guess
    known = pd.Series(ids.to_numpy(), index=ids.to_numpy())

    def resolve(nums: pd.Series) -> pd.Series:
        exact = nums.map(known)
        return exact.where(exact.notna(), nums.str.replace(_KIND, r"\1", regex=True).map(by_key))

    def pairs(column: str) -> pd.DataFrame:
        cells = records[column].map(lambda xs: xs if isinstance(xs, list) else [])
        flat = pd.DataFrame({"id": ids.to_numpy(), "num": cells.to_numpy()}).explode("num").dropna()
        return flat.assign(other=resolve(flat["num"].astype(str))).dropna(subset=["other"])

    out = pairs("cited_pubs").rename(columns={"id": "from", "other": "to"})[["from", "to"]]
    back = pairs("citing_pubs").rename(columns={"other": "from", "id": "to"})[["from", "to"]]
    links = pd.concat([out, back], ignore_index=True)
    links = links[links["from"] != links["to"]].drop_duplicates()
    return links.sort_values(["from", "to"]).reset_index(drop=True) if len(links) else empty
