"""The IPC hierarchy with its titles, for the IPC codes a graph holds.

The scheme comes from a title list such as ``../shared/data/reference/ipc/all_ipc.tsv`` (symbol TAB
title; groups written ``H01M0010050000``: subclass, main group in 4 digits, subgroup in 6). PatNav does
not ship the list (it is GPL-licensed); `patnav ontology ipc --titles FILE` reads it locally. Every IPC
code in the graph gets its ``title`` and ``level`` and a ``PART_OF`` path up to its section:
subgroup → main group → subclass → class → section.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from ontology.errors import IngestError

_GROUP = re.compile(r"^([A-H]\d\d[A-Z])(\d{4})(\d{6})$")


def symbol(code: str) -> str:
    """``H01M0010050000`` → ``H01M10/05``; sections, classes and subclasses stay as they are.

    >>> [symbol(c) for c in ["H01M0010050000", "A01B0001000000", "G06F0016245800", "H01M0010100000", "H01M"]]
    ['H01M10/05', 'A01B1/00', 'G06F16/2458', 'H01M10/10', 'H01M']
    """
    m = _GROUP.match(code)
    if not m:
        return code
    sub = m.group(3).rstrip("0")
    return f"{m.group(1)}{int(m.group(2))}/{sub.ljust(2, '0')}"


def level(code: str) -> str:
    if len(code) == 1:
        return "section"
    if len(code) == 3:
        return "class"
    if len(code) == 4:
        return "subclass"
    return "group" if code.endswith("/00") else "subgroup"


def parent(code: str) -> str | None:
    """Subgroup → its main group → subclass → class → section → None.

    >>> [parent(c) for c in ["H01M10/052", "H01M10/00", "H01M", "H01", "H"]]
    ['H01M10/00', 'H01M', 'H01', 'H', None]
    """
    if "/" in code:
        return code[:4] if code.endswith("/00") else code.split("/")[0] + "/00"
    return {4: code[:3], 3: code[:1]}.get(len(code))


def read_titles(path: str | Path) -> pd.Series:
    """Titles by symbol (``H01M10/05`` → "Accumulators with non-aqueous electrolyte (H01M10/39 …)")."""
    path = Path(path)
    if not path.is_file():
        raise IngestError("no such IPC title list; give the path of all_ipc.tsv (symbol TAB title)", file=str(path))
    frame = pd.read_csv(path, sep="\t", header=None, names=["code", "title"], dtype=str, keep_default_na=False,
                        quoting=3)
    codes = frame["code"].str.strip().map(symbol)
    titles = frame["title"].str.replace(r"\b([A-H]\d\d[A-Z]\d{10})\b", lambda m: symbol(m.group(1)), regex=True)
    return pd.Series(titles.to_numpy(), index=codes.to_numpy()).groupby(level=0).first()


def ipc_frames(codes: pd.Series, titles: pd.Series) -> dict[str, pd.DataFrame]:
    """``IPC`` nodes (id, level, title) for ``codes`` and all their ancestors, and ``PART_OF`` edges."""
    seen: dict[str, str | None] = {}
    todo = list(dict.fromkeys(str(c) for c in codes if c))
    while todo:
        code = todo.pop()
        if code in seen:
            continue
        up = parent(code)
        seen[code] = up
        if up and up not in seen:
            todo.append(up)
    ids = sorted(seen)
    nodes = pd.DataFrame({"id": ids, "level": [level(c) for c in ids],
                          "title": [titles.get(c) for c in ids]}).astype(object)
    nodes["title"] = nodes["title"].where(nodes["title"].notna(), None)
    edges = pd.DataFrame([(c, p) for c, p in seen.items() if p], columns=["from", "to"])
    edges.attrs["endpoints"] = ("IPC", "IPC")
    return {"IPC": nodes, "PART_OF": edges}
