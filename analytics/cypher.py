"""Named Cypher queries: ``analytics/queries/<name>.cypher``, each with a header comment.

The header (leading ``//`` lines) says what the query computes, its parameters and returned columns;
the atlas and the API show it next to every figure, and analysts can paste the file into Neo4j
Browser unchanged.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pandas as pd

from graph.store import GraphStore

QUERIES = Path(__file__).with_name("queries")
#: the shared queries, then each module's own (analytics/<module>/queries): names are unique across them
FOLDERS = (QUERIES, *sorted(p for p in Path(__file__).parent.glob("*/queries") if p != QUERIES))


def _paths() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for folder in FOLDERS:
        for path in sorted(folder.glob("*.cypher")):
            if path.stem in found:
                raise KeyError(f"two queries are named {path.stem!r}: {found[path.stem]} and {path}")
            found[path.stem] = path
    return found


def names() -> list[str]:
    return sorted(_paths())


@lru_cache(maxsize=128)
def query_text(name: str) -> str:
    """The text of a named query; an unknown name lists the known ones."""
    path = _paths().get(name)
    if path is None:
        raise KeyError(f"no query {name!r}; known: {', '.join(names())}")
    return path.read_text(encoding="utf-8")


def header(name: str) -> str:
    """The header comment of a named query, without the ``//`` markers."""
    lines = []
    for line in query_text(name).splitlines():
        if not line.startswith("//"):
            break
        lines.append(line[2:].strip())
    return "\n".join(lines)


def run_query(store: GraphStore, name: str, **params) -> pd.DataFrame:
    """Run a named query on ``store`` with ``params`` (values are always parameters)."""
    return store.run(query_text(name), params)


class Memo:
    """A store whose reads are remembered for one run: indicators that share a query (CR4/HHI and the
    top applicants both read ``node_applicant_shares``) send it to the engine once. Read-only use only."""

    def __init__(self, store: GraphStore) -> None:
        self.store, self.engine, self._seen = store, store.engine, {}
        self.results: dict = {}  # indicator tables of this run (see registry.Indicator.run)

    def run(self, query: str, params=None) -> pd.DataFrame:
        key = (query, tuple(sorted((params or {}).items())))
        if key not in self._seen:
            self._seen[key] = self.store.run(query, params)
        return self._seen[key].copy(deep=False)  # copy-on-write (pandas 3): a caller's change stays its own
