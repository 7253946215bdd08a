"""Chain tagging (标引): patents → chain nodes by IPC/CPC patterns and keywords, every tag with its rule.

Pure and vectorised: IPC codes are exploded once and joined to the patterns by kind (class, subclass,
main group, exact group) with ``isin``; subgroup prefixes use ``str.startswith``; keywords are one
regular expression per node over title + abstract.

Rules, for a patent p and a chain node n:
  * **ipc** — one of p's codes matches an include pattern of one of n's rules and no exclude pattern of
    that rule (a concept's own pn:ipcInclude/pn:ipcExclude form its rule 0); score 1.0 when that code is
    p's main IPC, else 0.8; rule ``ipc:<pattern>`` (rule 0) or ``ipc#<n>:<pattern>``;
  * **keyword** — a keyword of n occurs in p's title or abstract (Latin terms as whole words,
    case-insensitive); score 0.5; rule ``kw:<keyword>``;
  * an exclusion keyword of n in the text removes the tag;
  * **denoise** — a patent whose main IPC matches a scheme-level exclude pattern, or whose text holds
    a scheme-level exclusion keyword, gets no node at all;
  * **roll-up** — every tag also counts for the node's ancestors, rule ``via:<code>``.
The best-scoring rule is kept per (patent, node); ties go to the alphabetically first rule.
"""

from __future__ import annotations

import itertools
import os
import re
from concurrent.futures import ThreadPoolExecutor
from typing import NamedTuple

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ingest import bulk
from ontology.chains import Chain

IN_NODE_COLUMNS = ["from", "to", "score", "rule"]


class Tagged(NamedTuple):
    in_node: pd.DataFrame     # from (patent id), to (chain node id), score, rule
    denoised: pd.DataFrame    # id, rule


def pattern_kind(pattern: str) -> tuple[str, str]:
    """(kind, key) of an IPC pattern; kinds: class, subclass, group, exact, prefix.

    >>> [pattern_kind(p) for p in ["G16*", "B60W", "B60W*", "G01S17*", "G06F11", "G08G1/16", "G01S7/48*"]]
    [('class', 'G16'), ('subclass', 'B60W'), ('subclass', 'B60W'), ('group', 'G01S17'), ('group', 'G06F11'), ('exact', 'G08G1/16'), ('prefix', 'G01S7/48')]
    """
    p = pattern.rstrip("*")
    if len(p) == 3:
        return "class", p
    if len(p) == 4:
        return "subclass", p
    if "/" not in p:
        return "group", p
    return ("prefix", p) if pattern.endswith("*") else ("exact", p)


def _codes(records: pd.DataFrame) -> pd.DataFrame:
    """One row per (patent, IPC code) with the keys every pattern kind compares."""
    lengths = np.fromiter(map(len, records["ipcs"]), dtype=np.int64, count=len(records))
    code = pa.array(list(itertools.chain.from_iterable(records["ipcs"])), pa.string())
    main = pa.array(np.repeat(records["ipc_main"].to_numpy(dtype=object), lengths), pa.string(), from_pandas=True)
    text = lambda a: pd.arrays.ArrowStringArray(a)  # noqa: E731  (Arrow kernels for startswith / eq)
    return pd.DataFrame({"id": np.repeat(records["id"].to_numpy(dtype=object), lengths), "exact": text(code),
                         "main": pc.fill_null(pc.equal(code, main), False).to_numpy(zero_copy_only=False),
                         "class": text(pc.utf8_slice_codeunits(code, 0, 3)),
                         "subclass": text(pc.utf8_slice_codeunits(code, 0, 4)),
                         "group": text(pc.replace_substring_regex(code, pattern="/.*", replacement=""))})


def _matches(codes: pd.DataFrame, patterns: tuple[str, ...]) -> pd.DataFrame:
    """Rows of ``codes`` matched by any pattern, with the pattern that matched (first in order)."""
    hits = []
    for pat in patterns:
        kind, key = pattern_kind(pat)
        mask = codes["exact"].str.startswith(key) if kind == "prefix" else codes[kind].eq(key)
        if mask.any():
            hits.append(codes[mask].assign(pattern=pat))
    return pd.concat(hits) if hits else codes.iloc[0:0].assign(pattern="")


def _term_regex(terms: tuple[str, ...]) -> str | None:
    """One RE2 pattern (Arrow's regex engine: linear time, no per-row Python) for the first of ``terms``.

    Latin-script terms match as whole words, with an optional plural ``s``/``es``; Chinese terms match
    anywhere. Longer terms come first, so "lidar point cloud" wins over "lidar" at the same place.
    """
    latin, han = [], []
    for t in sorted(terms, key=len, reverse=True):
        (latin if re.match(r"^[\x00-\x7f]+$", t) else han).append(re.escape(t))
    parts = []
    if latin:
        parts.append(r"(?:^|[^A-Za-z0-9])(?P<w>" + "|".join(latin) + r")(?:s|es)?(?:[^A-Za-z0-9]|$)")
    if han:
        parts.append("(?P<h>" + "|".join(han) + ")")
    return "(?i)" + "|".join(parts) if parts else None


def _find(text: pa.Array, index: pd.Index, terms: tuple[str, ...]) -> pd.Series:
    """The first of ``terms`` found in each text (as written in the ontology), or NA."""
    rx = _term_regex(terms)
    if rx is None:
        return pd.Series(pd.NA, index=index, dtype=object)
    found = pc.extract_regex(text, pattern=rx)
    groups = [found.field(g).to_numpy(zero_copy_only=False) for g in ("w", "h") if g in rx]
    hit = groups[0] if len(groups) == 1 else np.where(pd.notna(groups[0]) & (groups[0] != ""), groups[0], groups[1])
    found = pd.notna(hit) & (hit != "")
    out = pd.Series(pd.NA, index=index, dtype=object)
    if found.any():
        canon = {t.casefold(): t for t in terms}
        words = pd.Series(hit[found], dtype=object)
        out[found] = words.map({w: canon.get(w.casefold(), w) for w in words.unique()}).to_numpy()
    return out


@bulk
def classify(records: pd.DataFrame, chain: Chain) -> Tagged:
    """``IN_NODE`` rows for ``records`` (columns id, ipcs, ipc_main, title, abstract) under ``chain``."""
    index = pd.Index(records["id"].to_numpy())
    title, abstract = (pa.array(records[c].to_numpy(dtype=object), pa.string(), from_pandas=True)
                       for c in ("title", "abstract"))
    text = pc.binary_join_element_wise(title, abstract, " ", null_handling="replace", null_replacement="")
    # every keyword search at once, on all cores: Arrow's RE2 kernels release the GIL
    searches = {chain.exclude_keywords} | {t for c in chain.concepts for t in (c.keywords, c.exclude_keywords)}
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        found = dict(zip(searches, pool.map(lambda terms: _find(text, index, terms), searches)))
    codes = _codes(records)
    noise_rule = pd.Series(pd.NA, index=index, dtype=object)
    if chain.exclude_ipc:
        hit = _matches(codes[codes["main"]], chain.exclude_ipc).drop_duplicates("id")
        noise_rule.loc[hit["id"].to_numpy()] = ("ipc-exclude:" + hit["pattern"]).to_numpy()
    if chain.exclude_keywords:
        kw = found[chain.exclude_keywords]
        noise_rule = noise_rule.where(noise_rule.notna(), ("kw-exclude:" + kw).where(kw.notna()))
    noisy = noise_rule.dropna()
    tags = []
    for c in chain.concepts:
        for rule in c.rules:
            hit = _matches(codes, rule.include)
            if rule.exclude and len(hit):
                out = _matches(hit.drop(columns="pattern"), rule.exclude)
                hit = hit[~(hit["id"] + "\x1f" + hit["exact"]).isin(out["id"] + "\x1f" + out["exact"])]
            tag = "ipc:" if rule.number == 0 else f"ipc#{rule.number}:"
            tags.append(pd.DataFrame({"from": hit["id"], "to": c.id, "score": hit["main"].map({True: 1.0, False: 0.8}),
                                      "rule": tag + hit["pattern"]}))
        if c.keywords:
            kw = found[c.keywords].dropna()
            tags.append(pd.DataFrame({"from": kw.index, "to": c.id, "score": 0.5, "rule": "kw:" + kw.astype(str)}))
        if c.exclude_keywords:
            banned = found[c.exclude_keywords].dropna().index
            tags = [t[~((t["to"] == c.id) & t["from"].isin(banned))] for t in tags]
    tags = [t for t in tags if len(t)]
    if not tags:
        return Tagged(pd.DataFrame(columns=IN_NODE_COLUMNS),
                      pd.DataFrame({"id": noisy.index, "rule": noisy.to_numpy()}))
    tagged = pd.concat(tags, ignore_index=True)
    tagged = tagged[~tagged["from"].isin(noisy.index)]
    direct = _best(tagged)
    code = {c.id: c.code for c in chain.concepts}
    rolled = [direct]
    for c in chain.concepts:
        ups = chain.ancestors(c.id)
        mine = direct[direct["to"] == c.id]
        for up in ups:
            rolled.append(mine.assign(to=up, rule=f"via:{code[c.id]}"))
    return Tagged(_best(pd.concat(rolled, ignore_index=True))[IN_NODE_COLUMNS].reset_index(drop=True),
                  pd.DataFrame({"id": noisy.index, "rule": noisy.to_numpy()}))


def _best(tags: pd.DataFrame) -> pd.DataFrame:
    tags = tags.sort_values(["from", "to", "score", "rule"], ascending=[True, True, False, True])
    return tags.drop_duplicates(["from", "to"], keep="first")
