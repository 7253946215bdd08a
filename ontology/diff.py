"""What changed between two versions of a scheme: concepts, their fields and rules, supply links.

``patent_moves`` then says what the change does to real data: the patents whose set of nodes differs
when classified under the old and the new version.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ontology.chains import Chain, Concept

FIELDS = ("name_zh", "name_en", "stage", "parent", "weight", "keywords", "exclude_keywords")


@dataclass(frozen=True)
class Change:
    code: str       # concept code, or "scheme"
    what: str       # added, removed, changed
    field: str      # the field that changed ("" for added/removed)
    old: str
    new: str


def _rules(c: Concept) -> set[str]:
    return {f"#{r.number}: +{' '.join(r.include)}" + (f" -{' '.join(r.exclude)}" if r.exclude else "") for r in c.rules}


def diff_chains(old: Chain, new: Chain) -> list[Change]:
    """Every difference that changes meaning, concept by concept (by code), in code order."""
    out: list[Change] = []
    a = {c.code: c for c in old.concepts}
    b = {c.code: c for c in new.concepts}
    for code in sorted(a.keys() - b.keys()):
        out.append(Change(code, "removed", "", a[code].name_zh, ""))
    for code in sorted(b.keys() - a.keys()):
        out.append(Change(code, "added", "", "", b[code].name_zh))
    for code in sorted(a.keys() & b.keys()):
        x, y = a[code], b[code]
        for f in FIELDS:
            vx, vy = getattr(x, f), getattr(y, f)
            if f == "parent":
                vx, vy = (old.concept(vx).code if vx else ""), (new.concept(vy).code if vy else "")
            if vx != vy:
                out.append(Change(code, "changed", f, _show(vx), _show(vy)))
        rx, ry = _rules(x), _rules(y)
        for r in sorted(rx - ry):
            out.append(Change(code, "changed", "rule", r, ""))
        for r in sorted(ry - rx):
            out.append(Change(code, "changed", "rule", "", r))
    sa = {(old.concept(f).code, old.concept(t).code) for f, t in old.supplies}
    sb = {(new.concept(f).code, new.concept(t).code) for f, t in new.supplies}
    out += [Change(f, "removed", "supplies", t, "") for f, t in sorted(sa - sb)]
    out += [Change(f, "added", "supplies", "", t) for f, t in sorted(sb - sa)]
    for f, label in (("exclude_ipc", "denoise_ipc"), ("exclude_keywords", "denoise_keywords")):
        if getattr(old, f) != getattr(new, f):
            out.append(Change("scheme", "changed", label, _show(getattr(old, f)), _show(getattr(new, f))))
    return out


def _show(v) -> str:
    return " ".join(v) if isinstance(v, tuple) else ("" if v is None else str(v))


def patent_moves(old_tags: pd.DataFrame, new_tags: pd.DataFrame, old: Chain, new: Chain) -> dict:
    """Patents whose node set (by code, direct and rolled-up tags alike) differs between two taggings."""
    def sets(tags: pd.DataFrame, chain: Chain) -> pd.Series:
        code = {c.id: c.code for c in chain.concepts}
        return tags.assign(code=tags["to"].map(code)).groupby("from")["code"].agg(frozenset)
    a, b = sets(old_tags, old), sets(new_tags, new)
    ids = a.index.union(b.index)
    a, b = a.reindex(ids), b.reindex(ids)
    empty = frozenset()
    moved = [i for i, x, y in zip(ids, a, b) if (x if isinstance(x, frozenset) else empty)
             != (y if isinstance(y, frozenset) else empty)]
    gained = sum(1 for x, y in zip(a, b) if not isinstance(x, frozenset) and isinstance(y, frozenset))
    lost = sum(1 for x, y in zip(a, b) if isinstance(x, frozenset) and not isinstance(y, frozenset))
    return {"patents_changed": len(moved), "newly_classified": gained, "no_longer_classified": lost,
            "examples": moved[:10]}
