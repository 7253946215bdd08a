"""One organisation under names in several scripts: a vendor writes GE as 通用电气公司 on its Chinese
patents and General Electric Company on its US ones. Linked on evidence the data holds — one family
filed in China and abroad with the applicant in each script — into one applicant whose display name is
the Chinese one, the others kept as variants.

Pure functions over frames. A link needs the same number of applicants on both members of a family
(the n-th is paired with the n-th) and must be the usual partner of both names (at least half of the
families each one appears in across scripts), so a Chinese subsidiary on a CN member and its parent on
the US member of one family do not merge two organisations.
"""

from __future__ import annotations

import pandas as pd

_CJK = r"[\u3040-\u30ff\u4e00-\u9fff\uac00-\ud7af]"
_HAN_ONLY = r"[\u4e00-\u9fff]"


def script(names: pd.Series) -> pd.Series:
    """"cjk" for names with Han, kana or Hangul characters, else "latin".

    >>> script(pd.Series(["通用电气公司", "General Electric Co", "APTIV技术有限公司"])).tolist()
    ['cjk', 'latin', 'cjk']
    """
    return names.astype(str).str.contains(_CJK, regex=True).map({True: "cjk", False: "latin"})


def family_links(people: pd.DataFrame, families: pd.Series) -> pd.DataFrame:
    """Pairs of applicant keys that are one organisation written in two scripts.

    ``people``: id (patent), order, name, key — one row per patent and applicant; ``families``: family
    id per patent id. Returns columns cjk, latin, families (how many families support the pair).

    >>> people = pd.DataFrame({"id": ["CN1", "US1", "CN2", "US2", "CN3", "US3"], "order": [1] * 6,
    ...     "name": ["通用电气公司", "General Electric Co", "通用电气公司", "General Electric Co", "通用电气（中国）", "General Electric Co"],
    ...     "key": ["通用电气", "general electric", "通用电气", "general electric", "通用电气 中国", "general electric"]})
    >>> family_links(people, pd.Series({"CN1": "F1", "US1": "F1", "CN2": "F2", "US2": "F2", "CN3": "F3", "US3": "F3"})).values.tolist()
    [['通用电气', 'general electric', 2]]
    """
    p = people.assign(family=people["id"].map(families), script=script(people["name"]))
    p = p.dropna(subset=["family"])
    sizes = p.groupby("id")["key"].transform("size")
    p = p.assign(n=sizes)
    cjk, latin = p[p["script"] == "cjk"], p[p["script"] == "latin"]
    if cjk.empty or latin.empty:
        return pd.DataFrame(columns=["cjk", "latin", "families"])
    pairs = cjk.merge(latin, on=["family", "order", "n"], suffixes=("_c", "_l"))
    pairs = pairs.drop_duplicates(["family", "key_c", "key_l"])
    if pairs.empty:
        return pd.DataFrame(columns=["cjk", "latin", "families"])
    support = pairs.groupby(["key_c", "key_l"])["family"].nunique().rename("families").reset_index()
    seen_c = pairs.groupby("key_c")["family"].nunique()
    seen_l = pairs.groupby("key_l")["family"].nunique()
    usual = (support["families"] * 2 >= support["key_c"].map(seen_c)) & \
            (support["families"] * 2 >= support["key_l"].map(seen_l))
    best = support[usual].sort_values(["key_c", "families", "key_l"], ascending=[True, False, True])
    best = best.drop_duplicates("key_c")
    best = best[(best["families"] >= 2) | (best["key_c"].map(seen_c) == 1)]
    return best.rename(columns={"key_c": "cjk", "key_l": "latin"})[["cjk", "latin", "families"]].reset_index(drop=True)


def publication_links(rows: pd.DataFrame, merged: pd.DataFrame) -> pd.DataFrame:
    """Pairs of applicant keys written in two scripts for one publication by two exports (one vendor
    writes 通用电气公司 where another writes General Electric Company): the n-th applicant of the merged
    row and of the row it merged into, where both list as many applicants.

    ``rows``: every usable row (source, row, applicants); ``merged``: file, row, into_file, into_row.
    Returns columns cjk, latin, families (here: publications) like :func:`family_links`, and the
    names as written (cjk_name, latin_name): the merged row's names are not in the kept record.

    >>> rows = pd.DataFrame({"source": ["a", "b"], "row": [2, 2], "applicants": [["通用电气公司"], ["General Electric Co"]]})
    >>> merged = pd.DataFrame({"file": ["b"], "row": [2], "into_file": ["a"], "into_row": [2]})
    >>> publication_links(rows, merged)[["cjk", "latin", "families", "cjk_name"]].values.tolist()
    [['通用电气', 'general electric', 1, '通用电气公司']]
    """
    from ingest.names import name_key
    if merged.empty or rows.empty:
        return pd.DataFrame(columns=["cjk", "latin", "families"])
    lists = rows.set_index(["source", "row"])["applicants"]
    lists = lists[~lists.index.duplicated()]
    pairs = []
    for f, r, g, q in zip(merged["file"], merged["row"], merged["into_file"], merged["into_row"]):
        a, b = lists.get((f, int(r))), lists.get((g, int(q)))
        if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
            pairs += list(zip(a, b))
    if not pairs:
        return pd.DataFrame(columns=["cjk", "latin", "families"])
    p = pd.DataFrame(pairs, columns=["x", "y"])
    sx, sy = script(p["x"]), script(p["y"])
    cross = p[sx != sy]
    cjk = cross["x"].where(sx[cross.index] == "cjk", cross["y"])
    latin = cross["y"].where(sx[cross.index] == "cjk", cross["x"])
    out = pd.DataFrame({"cjk": name_key(cjk.astype(str)), "latin": name_key(latin.astype(str)),
                        "cjk_name": cjk.astype(str).to_numpy(), "latin_name": latin.astype(str).to_numpy()})
    out = out[(out["cjk"] != "") & (out["latin"] != "")]
    # the names as written: the first in code-point order, so the result does not depend on the row order
    support = out.groupby(["cjk", "latin"]).agg(families=("cjk", "size"), cjk_name=("cjk_name", "min"),
                                                latin_name=("latin_name", "min")).reset_index()
    # mutual best partners only: an owner changed between two exports must not join two organisations
    best_c = support.sort_values(["cjk", "families", "latin"], ascending=[True, False, True]).drop_duplicates("cjk")
    best_l = support.sort_values(["latin", "families", "cjk"], ascending=[True, False, True]).drop_duplicates("latin")
    return best_c.merge(best_l[["cjk", "latin"]], on=["cjk", "latin"]).reset_index(drop=True)


def canonical_keys(links: pd.DataFrame, names: pd.DataFrame) -> pd.Series:
    """Key → the key of its organisation: linked keys (any chain of links) become one, represented by
    the key of its most frequent Chinese (Han) name, else its most frequent name. ``names``: key, name,
    n (mentions).

    >>> links = pd.DataFrame({"cjk": ["通用电气"], "latin": ["general electric"], "families": [2]})
    >>> names = pd.DataFrame({"key": ["通用电气", "general electric"], "name": ["通用电气公司", "General Electric Co"], "n": [5, 9]})
    >>> canonical_keys(links, names).to_dict()
    {'general electric': '通用电气', '通用电气': '通用电气'}
    """
    if links.empty:
        return pd.Series(dtype=object)
    parent: dict[str, str] = {}

    def find(k: str) -> str:
        parent.setdefault(k, k)
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k
    for a, b in zip(links["cjk"], links["latin"]):
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[rb] = ra
    members = pd.DataFrame({"key": list(parent)})
    members["root"] = members["key"].map(find)
    weight = names.groupby("key")["n"].sum()
    han = names[names["name"].astype(str).str.contains(_HAN_ONLY, regex=True)].groupby("key")["n"].sum()
    members["han"], members["n"] = members["key"].map(han).fillna(0), members["key"].map(weight).fillna(0)
    best = members.sort_values(["root", "han", "n", "key"], ascending=[True, False, False, True])
    rep = best.drop_duplicates("root").set_index("root")["key"]
    return members.set_index("key")["root"].map(rep).sort_index()
