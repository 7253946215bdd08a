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
#: the number at the start of a listed entry: office, digits (with the separators exports put in), kind
_NUMBER = r"([A-Z]{2}[\s\-/.,]*[A-Z]{0,2}\d[\d\s\-/.,]*(?:[A-Z]\d?)?)"


def _listed(cells: pd.Series) -> bool:
    """Whether any cell of a list column holds an entry."""
    return bool(cells.str.len().fillna(0).gt(0).any()) if len(cells) else False


def numbers(cells: pd.Series) -> pd.Series:
    """Lists of publication numbers, normalised (NFKC, so full-width digits count); what follows the number in
    an entry — an applicant, a date in brackets — is left out; entries without a number dropped, repeats once.

    >>> numbers(pd.Series([["cn 110298449 a", "x", "US2019/0320115A1", "CN110298449A", "EP1234567A1 SIEMENS AG",
    ...                     "ＣＮ１１１２２２３３３Ａ", "CN112000001A (2020-11-27)"], []])).tolist()
    [['CN110298449A', 'US20190320115A1', 'EP1234567A1', 'CN111222333A', 'CN112000001A'], []]
    """
    import pyarrow as pa
    import pyarrow.compute as pc
    if not _listed(cells):  # most exports list no citations: nothing to read
        return pd.Series([[] for _ in range(len(cells))], index=cells.index, dtype=object)
    flat = cells.map(lambda xs: xs if isinstance(xs, list) else []).explode()
    flat = flat.dropna()
    text = pd.Series(pc.utf8_normalize(pa.array(flat.astype(str).tolist(), pa.string()), "NFKC").to_pylist(),
                     index=flat.index, dtype=object).str.upper()
    found = text.str.extract(_NUMBER, expand=False).fillna("")
    clean = publication_number(found.str.strip())
    clean = clean[clean.ne("")]
    grouped = clean.groupby(level=0, sort=False).agg(lambda xs: list(dict.fromkeys(xs)))
    return grouped.reindex(cells.index).map(lambda xs: xs if isinstance(xs, list) else [])


def _key(numbers: pd.Series) -> pd.Series:
    """Office and number without the kind code, US pre-grant numbers in the 4 + 7 digit form Derwent writes
    as 4 + 6 (``US2019320115`` is ``US20190320115``).

    >>> _key(pd.Series(["US2019320115A1", "US20190320115A1", "CN110298449B", "US10268191B1"])).tolist()
    ['US20190320115', 'US20190320115', 'CN110298449', 'US10268191']
    """
    key = numbers.str.replace(_KIND, r"\1", regex=True)
    return key.str.replace(r"^US((?:19|20)\d\d)(\d{6})$", r"US\g<1>0\2", regex=True)


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
    if not (_listed(records["cited_pubs"]) or _listed(records["citing_pubs"])):
        return empty
    ids = records["id"].astype(str)
    keys = _key(ids)
    by_key = pd.Series(ids.to_numpy(), index=keys.to_numpy())
    by_key = by_key[~by_key.index.duplicated(keep=False)]  # two patents of one number: no guess
    known = pd.Series(ids.to_numpy(), index=ids.to_numpy())

    def resolve(nums: pd.Series) -> pd.Series:
        exact = nums.map(known)
        return exact.where(exact.notna(), _key(nums).map(by_key))

    def pairs(column: str) -> pd.DataFrame:
        cells = records[column].map(lambda xs: xs if isinstance(xs, list) else [])
        flat = pd.DataFrame({"id": ids.to_numpy(), "num": cells.to_numpy()}).explode("num").dropna()
        return flat.assign(other=resolve(flat["num"].astype(str))).dropna(subset=["other"])

    out = pairs("cited_pubs").rename(columns={"id": "from", "other": "to"})[["from", "to"]]
    back = pairs("citing_pubs").rename(columns={"other": "from", "id": "to"})[["from", "to"]]
    links = pd.concat([out, back], ignore_index=True)
    links = links[links["from"] != links["to"]].drop_duplicates()
    return links.sort_values(["from", "to"]).reset_index(drop=True) if len(links) else empty
