"""The store protocol: the one narrow interface every layer above ``graph/`` uses.

A store runs read-only Cypher with parameters and returns a DataFrame, bulk-loads node and
relationship frames (upserts: re-loading the same frame changes nothing; a null in a later frame never
erases a value already in the graph), deletes named relationships and nodes in bulk (what
reclassification needs), creates the schema from the ontology, and closes. Two implementations: ``EmbeddedStore`` (LadybugDB, in-process) and
``Neo4jStore`` (Neo4j 5 over Bolt). Nothing engine-specific leaks above this package.
"""

from __future__ import annotations

import decimal
from dataclasses import dataclass
from typing import Any, Mapping, Protocol, Sequence, runtime_checkable

import pandas as pd
import pyarrow as pa


@dataclass(frozen=True)
class Loaded:
    """What a bulk load did: rows that created a node/relationship, and rows that updated one."""

    created: int
    updated: int


@dataclass(frozen=True)
class Limits:
    """Bounds on the read path: seconds per query and rows per result (None = unbounded)."""

    timeout_s: float | None = None
    max_rows: int | None = None


@runtime_checkable
class GraphStore(Protocol):
    """A PatNav graph engine."""

    engine: str  # "ladybug" or "neo4j"

    def run(self, query: str, params: Mapping[str, Any] | None = None, *,
            max_rows: int | None = None) -> pd.DataFrame:
        """Run a read-only query; the engine refuses writes (``QueryRejected``). ``max_rows`` overrides the
        store's row limit for this query (more rows → ``QueryRejected``)."""

    def load_nodes(self, label: str, frame: pd.DataFrame) -> Loaded:
        """Upsert nodes by ``id``; columns are properties declared in the ontology."""

    def load_rels(self, rel_type: str, frame: pd.DataFrame, *, src: str | None = None,
                  dst: str | None = None) -> Loaded:
        """Upsert relationships from columns ``from``/``to`` (node ids) plus declared properties.

        ``src``/``dst`` name the endpoint labels when the type connects several pairs.
        Both endpoint nodes must exist already (load nodes before relationships)."""

    def delete_rels(self, rel_type: str, frame: pd.DataFrame, *, src: str | None = None,
                    dst: str | None = None) -> int:
        """Delete the relationships named by columns ``from``/``to``; return how many existed. Pairs
        that are not in the graph are ignored."""

    def delete_nodes(self, label: str, ids: Sequence[str]) -> int:
        """Delete nodes by ``id`` together with their relationships; return how many existed."""

    def create_schema(self) -> None:
        """Create tables/constraints for the whole vocabulary; safe to call again."""

    def close(self) -> None:
        """Release the engine; the store is unusable afterwards."""


def file_signature(paths) -> tuple:
    """Size and modification time of each path (None where it is missing): what changes when a file is written."""
    out = []
    for path in paths:
        try:
            st = path.stat()
            out.append((st.st_size, st.st_mtime_ns))
        except OSError:
            out.append(None)
    return tuple(out)


def plain(value: Any) -> Any:
    """One result cell as a plain Python value, the same whichever engine produced it."""
    if value is None:
        return None
    if isinstance(value, decimal.Decimal):  # LadybugDB sums integers as INT128/DECIMAL
        return int(value) if value == value.to_integral_value() else float(value)
    if hasattr(value, "to_native"):  # neo4j.time.Date / DateTime
        return value.to_native()
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


def frame_of_arrow(table: pa.Table) -> pd.DataFrame:
    """:func:`frame_of` for a columnar result (LadybugDB's Arrow tables): the same dtypes per column —
    integers ``Int64`` (integral decimals too), floats ``float64``, booleans ``boolean``, text ``string``,
    dates, lists and anything else as plain Python objects; a column without a value stays ``object``
    of None — without a Python object per cell for the numeric and text columns."""
    out = {}
    for name, column in zip(table.column_names, table.columns):
        kind = column.type
        if column.null_count == len(column) or pa.types.is_null(kind):
            out[name] = pd.Series([None] * len(column), dtype=object)
        elif pa.types.is_integer(kind):
            out[name] = pd.Series(column.to_pandas(types_mapper={kind: pd.Int64Dtype()}.get), dtype="Int64")
        elif pa.types.is_decimal(kind):
            values = column.to_pandas().map(plain)
            whole = all(isinstance(v, int) for v in values.dropna())
            out[name] = values.astype("Int64" if whole else "float64")
        elif pa.types.is_floating(kind):
            out[name] = pd.Series(column.to_numpy(zero_copy_only=False), dtype="float64")
        elif pa.types.is_boolean(kind):
            out[name] = pd.Series(column.to_pandas(types_mapper={kind: pd.BooleanDtype()}.get), dtype="boolean")
        elif pa.types.is_string(kind) or pa.types.is_large_string(kind):
            out[name] = pd.Series(pd.array(column, dtype="string"))
        else:
            out[name] = pd.Series([plain(v) for v in column.to_pylist()], dtype=object)
    return pd.DataFrame(out, columns=table.column_names)


_PLAIN_TYPES = {str, int, float, bool, type(None)}


def frame_of(rows: list[list[Any]], columns: list[str]) -> pd.DataFrame:
    """A result frame from plain rows; integer columns stay integers even with nulls (``Int64``)."""
    cells = list(zip(*rows)) if rows else [() for _ in columns]
    data = {}
    for i, values in enumerate(cells):  # plain() only for columns holding more than plain Python values
        needs = not set(map(type, values)) <= _PLAIN_TYPES
        data[i] = pd.Series([plain(v) for v in values] if needs else values, dtype=object)
    frame = pd.DataFrame(data).set_axis(columns, axis=1) if columns else pd.DataFrame([[]] * len(rows))
    for col in frame.columns:
        values = frame[col].dropna()
        if len(values) and all(isinstance(v, bool) for v in values):
            frame[col] = frame[col].astype("boolean")
        elif len(values) and all(isinstance(v, int) and not isinstance(v, bool) for v in values):
            frame[col] = frame[col].astype("Int64")
        elif len(values) and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
            frame[col] = frame[col].astype("float64")
        elif len(values) and all(isinstance(v, str) for v in values):
            frame[col] = frame[col].astype("string")
    return frame
