"""LadybugDB, embedded in-process: the zero-setup engine.

The database is one file (``graph.lbdb``) in the directory given by ``--db DIR``. Reads go through a
database handle opened ``read_only=True``, so LadybugDB itself refuses writes on the read path; loads
and DDL use a separate read-write handle. The two are never open together: switching closes one (a
close checkpoints) before opening the other. Bulk loads use ``COPY … FROM`` Arrow tables for new rows
and one ``LOAD FROM … MATCH … SET`` for rows that already exist, never per-row statements.
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any, Mapping, Sequence

import ladybug
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from graph.schema import conform_nodes, conform_rels, full_width, ladybug_ddl, quote
from graph.store import Limits, Loaded, file_signature, frame_of, frame_of_arrow
from ontology.errors import QueryRejected, StoreError
from ontology.vocab import Vocabulary, vocabulary

DB_FILE = "graph.lbdb"


class EmbeddedStore:
    """A PatNav graph in a LadybugDB database under ``directory``."""

    engine = "ladybug"

    def __init__(self, directory: str | Path, *, read_only: bool = False, limits: Limits = Limits(),
                 vocab: Vocabulary | None = None) -> None:
        self.directory = Path(directory)
        self.path = self.directory / DB_FILE
        self.read_only = read_only
        self.limits = limits
        self.vocab = vocab or vocabulary()
        if read_only and not self.path.exists():
            raise StoreError(f"no PatNav database at {self.directory} (expected {self.path}); "
                             f"create one with `patnav ingest … --db {self.directory}`")
        self.directory.mkdir(parents=True, exist_ok=True)
        self._db: ladybug.Database | None = None
        self._conn: ladybug.Connection | None = None
        self._mode: str | None = None  # "read" or "write"
        self._closed = False
        self._seen: tuple | None = None  # the database files as the read handle opened them

    # ------------------------------------------------------------------ handles
    def version(self) -> tuple:
        """What changes when anyone writes this database (this store or another process): file sizes and
        modification times. Cheap (two ``stat`` calls): the API asks it on every request."""
        return self._files()

    def _files(self) -> tuple:
        """Size and modification time of the database file and its write-ahead log: what changes when
        another process (an ingest, a classify) writes the graph."""
        return file_signature((self.path, self.path.with_name(self.path.name + ".wal")))

    def _open(self, mode: str) -> ladybug.Connection:
        if self._closed:
            raise StoreError(f"the store on {self.directory} is closed; open a new one")
        if self._mode == mode and self._conn is not None:
            if mode != "read" or self._files() == self._seen:
                return self._conn
            self._release()  # another process wrote the graph: a read handle sees the file as it was opened
        self._release()
        if mode == "read" and not self.path.exists():
            self._open("write")  # a new, empty database: create the file, then reopen read-only
            self._release()
        try:
            self._db = ladybug.Database(str(self.path), read_only=(mode == "read"))
            self._conn = ladybug.Connection(self._db)
        except RuntimeError as exc:
            raise StoreError(f"cannot open LadybugDB at {self.path} for {mode}ing: {exc}. If another "
                             f"process (an ingest, a server) has it open for writing, stop it first.") from exc
        self._seen = self._files() if mode == "read" else None
        if self.limits.timeout_s:
            self._conn.set_query_timeout(max(1, math.ceil(self.limits.timeout_s * 1000)))  # 0 would mean none
        self._mode = mode
        return self._conn

    def _release(self) -> None:
        if self._conn is not None:
            self._conn.close()
        if self._db is not None:
            self._db.close()
        self._db = self._conn = self._mode = None

    def _writer(self) -> ladybug.Connection:
        if self.read_only:
            raise QueryRejected(f"{self.directory} was opened read-only; open it without read_only to load")
        return self._open("write")

    def _exec(self, conn: ladybug.Connection, query: str, params: Mapping[str, Any] | None = None):
        try:
            result = conn.execute(trail_semantics(query), dict(params or {}))
        except RuntimeError as exc:
            raise _translate(exc, query) from exc
        if isinstance(result, list):
            for r in result:
                r.close()
            raise QueryRejected("send one statement per query (this text holds several)")
        return result

    # ------------------------------------------------------------------ protocol
    def run(self, query: str, params: Mapping[str, Any] | None = None, *,
            max_rows: int | None = None) -> pd.DataFrame:
        result = self._exec(self._open("read"), query, params)
        limit = self.limits.max_rows if max_rows is None else max_rows
        try:
            columns = result.get_column_names()
            n = result.get_num_tuples()
            if limit is not None and n > limit:
                raise QueryRejected(f"the query returned {n} rows, more than the limit of "
                                    f"{limit}; add LIMIT or aggregate")
            try:  # columnar: no Python object per cell for numbers and text
                return frame_of_arrow(result.get_as_arrow())
            except (RuntimeError, pa.ArrowException, NotImplementedError):  # a type Arrow cannot carry
                result.reset_iterator()
            rows = []
            while result.has_next():
                rows.append(result.get_next())
        finally:
            result.close()
        return frame_of(rows, columns)

    def create_schema(self) -> None:
        conn = self._writer()
        for ddl in ladybug_ddl(self.vocab):
            self._exec(conn, ddl).close()

    def _ids(self, conn: ladybug.Connection, label: str) -> pa.Array:
        return self._exec(conn, f"MATCH (n:{label}) RETURN n.id AS id").get_as_arrow().column("id")

    def load_nodes(self, label: str, frame: pd.DataFrame) -> Loaded:
        node = self.vocab.node(label)
        table = conform_nodes(label, frame, self.vocab)
        conn = self._writer()
        exists = pc.is_in(table.column("id"), value_set=self._ids(conn, label))
        new, old = table.filter(pc.invert(exists)), table.filter(exists)
        if new.num_rows:
            self._exec(conn, f"COPY {label} FROM $t", {"t": full_width(new, node.properties)}).close()
        if old.num_rows and old.num_columns > 1:  # a null in the new row keeps the value already there
            sets = ", ".join(f"n.{quote(c)} = coalesce(c{i}, n.{quote(c)})" for i, c in enumerate(old.column_names) if i)
            self._exec(conn, f"LOAD FROM $t MATCH (n:{label} {{id: c0}}) SET {sets}",
                       {"t": _positional(old)}).close()
        return Loaded(new.num_rows, old.num_rows)

    def load_rels(self, rel_type: str, frame: pd.DataFrame, *, src: str | None = None,
                  dst: str | None = None) -> Loaded:
        rel = self.vocab.rel(rel_type)
        a, b = self.vocab.endpoint(rel_type, src, dst)
        table = conform_rels(rel_type, frame, self.vocab)
        conn = self._writer()
        ids = {label: self._ids(conn, label) for label in {a, b}}  # once, also for self-relationships
        for end, label in (("from", a), ("to", b)):
            missing = table.filter(pc.invert(pc.is_in(table.column(end), value_set=ids[label])))
            if missing.num_rows:
                raise StoreError(f"{rel_type}: {missing.num_rows} rows name {label} ids that are not in the "
                                 f"graph, e.g. {missing.column(end)[0].as_py()!r}; load the nodes first")
        pairs = self._exec(conn, f"MATCH (x:{a})-[:{rel_type}]->(y:{b}) RETURN x.id AS f, y.id AS t")
        pairs = pairs.get_as_arrow()
        exists = pc.is_in(_pair_key(table.column("from"), table.column("to")),
                          value_set=_pair_key(pairs.column("f"), pairs.column("t")))
        new, old = table.filter(pc.invert(exists)), table.filter(exists)
        if new.num_rows:
            pick = f" (from='{a}', to='{b}')" if len(rel.endpoints) > 1 else ""
            self._exec(conn, f"COPY {rel_type} FROM $t{pick}",
                       {"t": full_width(new, rel.properties, lead=("from", "to"))}).close()
        if old.num_rows and old.num_columns > 2:
            sets = ", ".join(f"r.{quote(c)} = coalesce(c{i}, r.{quote(c)})"
                             for i, c in enumerate(old.column_names) if i > 1)
            self._exec(conn, f"LOAD FROM $t MATCH (x:{a} {{id: c0}})-[r:{rel_type}]->(y:{b} {{id: c1}}) "
                             f"SET {sets}", {"t": _positional(old)}).close()
        return Loaded(new.num_rows, old.num_rows)

    def delete_rels(self, rel_type: str, frame: pd.DataFrame, *, src: str | None = None,
                    dst: str | None = None) -> int:
        a, b = self.vocab.endpoint(rel_type, src, dst)
        table = conform_rels(rel_type, frame[["from", "to"]], self.vocab)
        if not table.num_rows:
            return 0
        conn = self._writer()
        pairs = self._exec(conn, f"MATCH (x:{a})-[:{rel_type}]->(y:{b}) RETURN x.id AS f, y.id AS t").get_as_arrow()
        there = table.filter(pc.is_in(_pair_key(table.column("from"), table.column("to")),
                                      value_set=_pair_key(pairs.column("f"), pairs.column("t"))))
        if there.num_rows:
            self._exec(conn, f"LOAD FROM $t MATCH (x:{a} {{id: c0}})-[r:{rel_type}]->(y:{b} {{id: c1}}) DELETE r",
                       {"t": _positional(there)}).close()
        return there.num_rows

    def delete_nodes(self, label: str, ids: Sequence[str]) -> int:
        self.vocab.node(label)
        conn = self._writer()
        wanted = pa.array(list(ids), pa.string())
        there = wanted.filter(pc.is_in(wanted, value_set=self._ids(conn, label)))
        if len(there):
            self._exec(conn, f"LOAD FROM $t MATCH (n:{label} {{id: c0}}) DETACH DELETE n",
                       {"t": pa.table({"c0": there})}).close()
        return len(there)

    def close(self) -> None:
        self._release()
        self._closed = True

    def __enter__(self) -> "EmbeddedStore":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _positional(table: pa.Table) -> pa.Table:
    """Columns renamed c0, c1, …: LOAD FROM binds column names as variables, and some are keywords."""
    return table.rename_columns([f"c{i}" for i in range(table.num_columns)])


def _pair_key(a: pa.Array, b: pa.Array) -> pa.Array:
    return pc.binary_join_element_wise(a, b, "\x1f")


_VARLEN = re.compile(r"(-\[[^\]\[]*?\*)\s*(?!\s*(?:TRAIL|ACYCLIC|WALK|SHORTEST|ALL)\b)(?=[\d.\s]*\])", re.I)


def trail_semantics(query: str) -> str:
    """Make variable-length patterns match trails, as Neo4j does: ``[:T*1..3]`` → ``[:T* TRAIL 1..3]``.

    Neo4j never repeats a relationship within one path; LadybugDB walks by default (and, in 0.22,
    ignores ``CALL recursive_pattern_semantic``), so path counts would differ between the engines.

    >>> trail_semantics("MATCH (a)-[:CITES*1..3]->(b), (a)-[r:WITHIN*2]-(c) RETURN b")
    'MATCH (a)-[:CITES* TRAIL 1..3]->(b), (a)-[r:WITHIN* TRAIL 2]-(c) RETURN b'
    >>> trail_semantics("RETURN [x * 2] AS doubled")
    'RETURN [x * 2] AS doubled'
    """
    return _VARLEN.sub(r"\1 TRAIL ", query)


_WRITE = re.compile(r"read-only|Cannot execute write", re.I)


def _translate(exc: RuntimeError, query: str) -> StoreError:
    msg = str(exc).strip()
    head = query.strip().splitlines()[0][:120] if query.strip() else ""
    if _WRITE.search(msg):
        return QueryRejected("write queries are not allowed on the read-only path (LadybugDB refused: "
                             f"{msg}). Use `patnav ingest` to change the graph.")
    if msg.startswith("Interrupted"):
        return StoreError(f"the query ran past the time limit and was stopped: {head}")
    missing = re.search(r"Cannot find property (\w+) for", msg)
    if missing and missing.group(1) in _declared():
        return StoreError(f"the graph has no property {missing.group(1)!r}, which this version of PatNav declares: "
                          "it was built by an older version. Ingest the exports again into a new --db")
    return StoreError(f"LadybugDB rejected the query: {msg}")


def _declared() -> set[str]:
    """Every property name the vocabulary declares (on any label or relationship)."""
    from ontology.vocab import vocabulary
    v = vocabulary()
    return {p.name for n in v.nodes.values() for p in n.properties} | \
        {p.name for r in v.relationships.values() for p in r.properties}
