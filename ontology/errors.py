"""The one exception tree of PatNav.

It lives in the bottom layer (``ontology`` depends on nothing of ours) so every layer can raise from it::

    PatNavError                     anything PatNav reports to a person
    ├── OntologyError               a vocabulary or chain file is wrong (names the concept/field)
    ├── IngestError                 an input file is wrong (names file, row, column)
    └── StoreError                  the graph engine refused or failed (names engine and what to do)
        └── QueryRejected           a query is not allowed on this path (e.g. a write on the read path)

The API maps the tree to HTTP in one handler; the CLI prints the message and exits non-zero.
"""

from __future__ import annotations


class PatNavError(Exception):
    """Base of every error PatNav raises on purpose; its message says what to do."""


class OntologyError(PatNavError):
    """An ontology or chain definition cannot be used as it is."""


class IngestError(PatNavError):
    """An input file cannot be read; names the file, row and column where known."""

    def __init__(self, message: str, *, file: str | None = None, row: int | None = None,
                 column: str | None = None) -> None:
        where = ", ".join(f"{k} {v}" for k, v in (("file", file), ("row", row), ("column", column))
                          if v is not None)
        super().__init__(f"{where}: {message}" if where else message)
        self.file, self.row, self.column = file, row, column


class StoreError(PatNavError):
    """The graph engine failed or refused an operation."""


class QueryRejected(StoreError):
    """A query was refused on this path, e.g. a write sent through the read-only path."""
