"""Engine schemas generated from the ontology, and frames conformed to it.

``ladybug_ddl`` and ``neo4j_constraints`` turn the closed vocabulary of ``ontology/core.ttl`` into
each engine's schema; ``conform_nodes``/``conform_rels`` check a frame against it (unknown columns,
missing or duplicate keys, values that do not fit the declared type) and cast it to one Arrow table,
so both engines receive identical typed values. Nothing here talks to an engine.
"""

from __future__ import annotations

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ontology.errors import StoreError
from ontology.vocab import Prop, Vocabulary, vocabulary

ARROW = {"string": pa.string(), "int": pa.int64(), "double": pa.float64(), "bool": pa.bool_(),
         "date": pa.date32()}
LADYBUG = {"string": "STRING", "int": "INT64", "double": "DOUBLE", "bool": "BOOLEAN", "date": "DATE"}


def quote(name: str) -> str:
    """Backtick an identifier: some property names (``order``) are reserved words in LadybugDB."""
    return "`" + name.replace("`", "``") + "`"


def _column_ddl(p: Prop) -> str:
    return f"{quote(p.name)} {LADYBUG[p.dtype]}{'[]' if p.many else ''}"


def ladybug_ddl(vocab: Vocabulary | None = None) -> list[str]:
    """``CREATE NODE/REL TABLE IF NOT EXISTS`` statements, nodes first."""
    vocab = vocab or vocabulary()
    out = []
    for n in vocab.nodes.values():
        cols = ", ".join(_column_ddl(p) + (" PRIMARY KEY" if p.name == n.key else "") for p in n.properties)
        out.append(f"CREATE NODE TABLE IF NOT EXISTS {n.label}({cols})")
    for r in vocab.relationships.values():
        parts = [f"FROM {a} TO {b}" for a, b in r.endpoints] + [_column_ddl(p) for p in r.properties]
        out.append(f"CREATE REL TABLE IF NOT EXISTS {r.type}({', '.join(parts)})")
    return out


def neo4j_constraints(vocab: Vocabulary | None = None) -> list[str]:
    """One uniqueness constraint on ``id`` per label (it also backs the MERGE/MATCH lookups)."""
    vocab = vocab or vocabulary()
    return [f"CREATE CONSTRAINT {n.label.lower()}_id IF NOT EXISTS FOR (n:{n.label}) REQUIRE n.id IS UNIQUE"
            for n in vocab.nodes.values()]


def arrow_schema(props: tuple[Prop, ...]) -> pa.Schema:
    return pa.schema([pa.field(p.name, pa.list_(ARROW[p.dtype]) if p.many else ARROW[p.dtype])
                      for p in props])


def _cast(frame: pd.DataFrame, props: tuple[Prop, ...], what: str) -> pa.Table:
    columns = {}
    for p in props:
        typ = pa.list_(ARROW[p.dtype]) if p.many else ARROW[p.dtype]
        series = frame[p.name]
        if p.dtype == "date" and not p.many:
            series = pd.to_datetime(series, errors="raise").dt.date if len(series) else series
        try:  # infer, then a safe cast: 1.7 never becomes 1, "x" never becomes null
            columns[p.name] = (pa.array(series, type=typ, from_pandas=True) if p.many
                               else pa.array(series, from_pandas=True).cast(typ))
            if p.many and len(series):  # an empty list is no value: null on every load path (the import
                column = columns[p.name]  # tool cannot write an empty array)
                columns[p.name] = pc.if_else(pc.equal(pc.list_value_length(column), 0),
                                             pa.scalar(None, typ), column)
        except (pa.ArrowInvalid, pa.ArrowTypeError, ValueError, TypeError) as exc:
            bad = _first_unfit(series, typ)
            raise StoreError(f"{what}: column {p.name!r} must hold {p.dtype}{' lists' if p.many else ''} "
                             f"(ontology/core.ttl); row {bad[0]} has {bad[1]!r}. Fix the value or the "
                             f"loader that produced it.") from exc
    return pa.table(columns)


def _first_unfit(series: pd.Series, typ: pa.DataType):
    for i, v in series.items():
        try:
            pa.array([v], from_pandas=True).cast(typ)
        except (pa.ArrowInvalid, pa.ArrowTypeError, ValueError, TypeError):
            return i, v
    return "?", "?"


def _check_columns(frame: pd.DataFrame, allowed: set[str], what: str) -> None:
    unknown = [c for c in frame.columns if c not in allowed]
    if unknown:
        raise StoreError(f"{what}: columns {unknown} are not declared in ontology/core.ttl "
                         f"(declared: {sorted(allowed)}). Rename them or declare them in the ontology.")


def conform_nodes(label: str, frame: pd.DataFrame, vocab: Vocabulary | None = None) -> pa.Table:
    """Validate and cast a node frame; columns = the frame's declared properties, key first.

    >>> conform_nodes("Region", pd.DataFrame({"id": ["CN"], "name": ["China"]})).column_names
    ['id', 'name']
    """
    node = (vocab or vocabulary()).node(label)
    what = f"{label} nodes"
    _check_columns(frame, {p.name for p in node.properties}, what)
    if node.key not in frame.columns:
        raise StoreError(f"{what}: the key column {node.key!r} is missing")
    keys = frame[node.key]
    if keys.isna().any():
        raise StoreError(f"{what}: {int(keys.isna().sum())} rows have no {node.key!r} "
                         f"(first at row {keys[keys.isna()].index[0]}); every node needs its key")
    dup = keys[keys.duplicated()]
    if len(dup):
        raise StoreError(f"{what}: {len(dup)} duplicate keys, e.g. {dup.iloc[0]!r}; "
                         f"deduplicate before loading (ingest merges duplicates)")
    props = tuple(p for p in node.properties if p.name in frame.columns)
    return _cast(frame, props, what)


def conform_rels(rel_type: str, frame: pd.DataFrame, vocab: Vocabulary | None = None) -> pa.Table:
    """Validate and cast a relationship frame with columns ``from``, ``to`` and declared properties."""
    rel = (vocab or vocabulary()).rel(rel_type)
    what = f"{rel_type} relationships"
    _check_columns(frame, {"from", "to"} | {p.name for p in rel.properties}, what)
    for end in ("from", "to"):
        if end not in frame.columns:
            raise StoreError(f"{what}: column {end!r} (the {end} node's id) is missing")
        if frame[end].isna().any():
            raise StoreError(f"{what}: {int(frame[end].isna().sum())} rows have no {end!r} id")
    if frame.duplicated(["from", "to"]).any():
        raise StoreError(f"{what}: duplicate (from, to) pairs; one relationship of a type per pair")
    ends = (Prop("from", "string"), Prop("to", "string"))
    props = ends + tuple(p for p in rel.properties if p.name in frame.columns)
    return _cast(frame, props, what)


def full_width(table: pa.Table, props: tuple[Prop, ...], lead: tuple[str, ...] = ()) -> pa.Table:
    """``table`` with every declared property, in declared order (nulls where absent): COPY needs it."""
    schema = arrow_schema(props)
    cols = [table.column(c) for c in lead]
    for f in schema:
        cols.append(table.column(f.name) if f.name in table.column_names else pa.nulls(len(table), f.type))
    return pa.table(cols, names=list(lead) + schema.names)
