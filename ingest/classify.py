"""Chain tagging (标引): patents → chain nodes by IPC/CPC patterns and keywords, every tag with its rule.

Pure and vectorised: IPC codes are exploded once and joined to the patterns by kind (class, subclass,
main group, exact group) with ``isin``; subgroup prefixes use ``str.startswith``; keywords are one
regular expression per node over title + abstract.

Rules, for a patent p and a chain node n:
  * **ipc** — one of p's codes matches an include pattern of n and no exclude pattern of n;
    score 1.0 when that code is p's main IPC, else 0.8; rule ``ipc:<pattern>``;
  * **keyword** — a keyword of n occurs in p's title or abstract (Latin terms as whole words,
    case-insensitive); score 0.5; rule ``kw:<keyword>``;
  * an exclusion keyword of n in the text removes the tag;
  * **denoise** — a patent whose main IPC matches a scheme-level exclude pattern, or whose text holds
    a scheme-level exclusion keyword, gets no node at all;
  * **roll-up** — every tag also counts for the node's ancestors, rule ``via:<code>``.
The best-scoring rule is kept per (patent, node); ties go to the alphabetically first rule.
"""

from __future__ import annotations

import re
from typing import NamedTuple

import pandas as pd

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
    long = records[["id", "ipcs", "ipc_main"]].explode("ipcs").dropna(subset=["ipcs"])
    code = long["ipcs"].astype(str)
    return pd.DataFrame({"id": long["id"].to_numpy(), "exact": code.to_numpy(),
                         "main": (code == long["ipc_main"]).to_numpy(),
                         "class": code.str[:3].to_numpy(), "subclass": code.str[:4].to_numpy(),
                         "group": code.str.split("/").str[0].to_numpy()})


def _matches(codes: pd.DataFrame, patterns: tuple[str, ...]) -> pd.DataFrame:
    """Rows of ``codes`` matched by any pattern, with the pattern that matched (first in order)."""
    hits = []
    for pat in patterns:
        kind, key = pattern_kind(pat)
        mask = codes["exact"].str.startswith(key) if kind == "prefix" else codes[kind].eq(key)
        if mask.any():
            hits.append(codes[mask].assign(pattern=pat))
    return pd.concat(hits) if hits else codes.iloc[0:0].assign(pattern="")


def _term_regex(terms: tuple[str, ...]) -> re.Pattern | None:
    parts = []
    for t in sorted(terms, key=len, reverse=True):
        esc = re.escape(t)
        parts.append(rf"(?<![A-Za-z0-9]){esc}(?:s|es)?(?![A-Za-z0-9])" if re.match(r"^[\x00-\x7f]+$", t) else esc)
    return re.compile("(" + "|".join(parts) + ")", re.I) if parts else None


def _find(text: pd.Series, terms: tuple[str, ...]) -> pd.Series:
    """The first of ``terms`` found in each text (as written in the ontology), or NaN."""
    rx = _term_regex(terms)
    if rx is None:
        return pd.Series(pd.NA, index=text.index, dtype=object)
    found = text.str.extract(rx, expand=False)
    canon = {t.casefold(): t for t in terms}
    return found.map(lambda s: canon.get(re.sub(r"(?:es|s)$", "", s.casefold()) if s.casefold() not in canon
                                         else s.casefold(), s) if isinstance(s, str) else pd.NA)


def classify(records: pd.DataFrame, chain: Chain) -> Tagged:
    """``IN_NODE`` rows for ``records`` (columns id, ipcs, ipc_main, title, abstract) under ``chain``."""
    text = (records["title"].fillna("").astype(str) + " " + records["abstract"].fillna("").astype(str))
    text.index = records["id"].to_numpy()
    codes = _codes(records)
    noise_rule = pd.Series(pd.NA, index=text.index, dtype=object)
    if chain.exclude_ipc:
        hit = _matches(codes[codes["main"]], chain.exclude_ipc).drop_duplicates("id")
        noise_rule.loc[hit["id"].to_numpy()] = ("ipc-exclude:" + hit["pattern"]).to_numpy()
    if chain.exclude_keywords:
        kw = _find(text, chain.exclude_keywords)
        noise_rule = noise_rule.where(noise_rule.notna(), ("kw-exclude:" + kw).where(kw.notna()))
    noisy = noise_rule.dropna()
    tags = []
    for c in chain.concepts:
        if c.ipc_include:
            hit = _matches(codes, c.ipc_include)
            if c.ipc_exclude and len(hit):
                out = _matches(hit.drop(columns="pattern"), c.ipc_exclude)
                hit = hit[~(hit["id"] + "\x1f" + hit["exact"]).isin(out["id"] + "\x1f" + out["exact"])]
            tags.append(pd.DataFrame({"from": hit["id"], "to": c.id, "score": hit["main"].map({True: 1.0, False: 0.8}),
                                      "rule": "ipc:" + hit["pattern"]}))
        if c.keywords:
            kw = _find(text, c.keywords).dropna()
            tags.append(pd.DataFrame({"from": kw.index, "to": c.id, "score": 0.5, "rule": "kw:" + kw.astype(str)}))
        if c.exclude_keywords:
            banned = _find(text, c.exclude_keywords).dropna().index
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
