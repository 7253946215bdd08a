"""Neo4j 5 over Bolt with the official driver: the shared server engine.

Reads run in READ access-mode transactions, so the server refuses writes on the read path. Loads
send ``UNWIND $rows`` batches (default 5,000 rows) in write transactions: ``MERGE`` on the key, then
``SET`` per property; relationships ``MATCH`` both ends first and fail the batch (rolled back) if an
end is missing. The caller may pass its own driver (and keeps owning it) or let ``connect`` make one.
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

import neo4j
import pandas as pd
import pyarrow as pa
from neo4j.exceptions import AuthError, ClientError, DriverError, Neo4jError, ServiceUnavailable

from graph.schema import conform_nodes, conform_rels, neo4j_constraints, quote
from graph.store import Limits, Loaded, frame_of
from ontology.errors import QueryRejected, StoreError
from ontology.vocab import Vocabulary, vocabulary


class Neo4jStore:
    """A PatNav graph in a Neo4j 5 database."""

    engine = "neo4j"

    def __init__(self, driver: neo4j.Driver, *, database: str = "neo4j", limits: Limits = Limits(),
                 batch_size: int = 5000, vocab: Vocabulary | None = None, owns_driver: bool = False) -> None:
        self.driver = driver
        self.database = database
        self.limits = limits
        self.batch_size = batch_size
        self.vocab = vocab or vocabulary()
        self._owns_driver = owns_driver
        self.server_home = None  # set when this is the server `patnav neo4j start` runs (bulk import may restart it)
        self.bulk_import_rows: int | None = None  # a first load this large goes through neo4j-admin import

    @classmethod
    def connect(cls, uri: str, user: str, password: str, **kw) -> "Neo4jStore":
        """Open a driver to ``uri``, check that the server answers, and own the driver."""
        driver = neo4j.GraphDatabase.driver(uri, auth=(user, password))
        try:
            driver.verify_connectivity()
        except AuthError as exc:
            driver.close()
            raise StoreError(f"Neo4j at {uri} refused user {user!r}: check PATNAV_NEO4J_USER/PASSWORD "
                             f"(a server started by `patnav neo4j start` keeps its password in its home)") from exc
        except (ServiceUnavailable, OSError, ValueError) as exc:
            driver.close()
            raise StoreError(f"cannot reach Neo4j at {uri}: {exc}. Start one with `patnav neo4j start` "
                             f"or set PATNAV_NEO4J_URI.") from exc
        return cls(driver, owns_driver=True, **kw)

    # ------------------------------------------------------------------ protocol
    def run(self, query: str, params: Mapping[str, Any] | None = None, *,
            max_rows: int | None = None) -> pd.DataFrame:
        limit = self.limits.max_rows if max_rows is None else max_rows

        @neo4j.unit_of_work(timeout=self.limits.timeout_s)
        def work(tx: neo4j.ManagedTransaction):
            result = tx.run(query, dict(params or {}))
            rows = []
            for record in result:
                if limit is not None and len(rows) >= limit:
                    raise QueryRejected(f"the query returned more than the limit of {limit} rows; "
                                        f"add LIMIT or aggregate")
                rows.append(list(record.values()))
            return rows, list(result.keys())

        rows, keys = self._session(neo4j.READ_ACCESS, lambda s: s.execute_read(work), query)
        return frame_of(rows, keys)

    def create_schema(self) -> None:
        def work(session: neo4j.Session):
            for stmt in neo4j_constraints(self.vocab):
                session.run(stmt).consume()
        self._session(neo4j.WRITE_ACCESS, work, "schema")

    def load_nodes(self, label: str, frame: pd.DataFrame) -> Loaded:
        self.vocab.node(label)
        table = conform_nodes(label, frame, self.vocab)
        sets = "".join(f", n.{quote(c)} = coalesce(r.{quote(c)}, n.{quote(c)})"  # a null keeps the value there
                       for c in table.column_names if c != "id")
        query = f"UNWIND $rows AS r MERGE (n:{label} {{id: r.id}}) SET n.id = r.id{sets}"
        created = self._batches(table, lambda tx, rows: tx.run(query, rows=rows).consume().counters.nodes_created)
        return Loaded(created, table.num_rows - created)

    def load_rels(self, rel_type: str, frame: pd.DataFrame, *, src: str | None = None,
                  dst: str | None = None) -> Loaded:
        a, b = self.vocab.endpoint(rel_type, src, dst)
        table = conform_rels(rel_type, frame, self.vocab)
        props = [c for c in table.column_names if c not in ("from", "to")]
        sets = (" SET " + ", ".join(f"x.{quote(c)} = coalesce(r.{quote(c)}, x.{quote(c)})" for c in props)) \
            if props else ""
        check = (f"UNWIND $rows AS r OPTIONAL MATCH (a:{a} {{id: r.`from`}}) OPTIONAL MATCH (b:{b} {{id: r.to}}) "
                 f"WITH r, a, b WHERE a IS NULL OR b IS NULL "
                 f"RETURN r.`from` AS f, r.to AS t, a IS NULL AS no_from LIMIT 1")
        merge = (f"UNWIND $rows AS r MATCH (a:{a} {{id: r.`from`}}) MATCH (b:{b} {{id: r.to}}) "
                 f"MERGE (a)-[x:{rel_type}]->(b){sets}")

        def batch(tx: neo4j.ManagedTransaction, rows: list[dict]) -> int:
            bad = tx.run(check, rows=rows).single()
            if bad is not None:
                label, key = (a, bad["f"]) if bad["no_from"] else (b, bad["t"])
                raise StoreError(f"{rel_type}: rows name {label} ids that are not in the graph, e.g. "
                                 f"{key!r}; load the nodes first")
            return tx.run(merge, rows=rows).consume().counters.relationships_created

        created = self._batches(table, batch)
        return Loaded(created, table.num_rows - created)

    def delete_rels(self, rel_type: str, frame: pd.DataFrame, *, src: str | None = None,
                    dst: str | None = None) -> int:
        a, b = self.vocab.endpoint(rel_type, src, dst)
        table = conform_rels(rel_type, frame[["from", "to"]], self.vocab)
        query = (f"UNWIND $rows AS r MATCH (a:{a} {{id: r.`from`}})-[x:{rel_type}]->(b:{b} {{id: r.to}}) DELETE x")
        return self._batches(table, lambda tx, rows: tx.run(query, rows=rows).consume().counters.relationships_deleted)

    def delete_nodes(self, label: str, ids: Sequence[str]) -> int:
        self.vocab.node(label)
        table = pa.table({"id": pa.array(list(ids), pa.string())})
        query = f"UNWIND $rows AS r MATCH (n:{label} {{id: r.id}}) DETACH DELETE n"
        return self._batches(table, lambda tx, rows: tx.run(query, rows=rows).consume().counters.nodes_deleted)

    def is_empty(self) -> bool:
        """True when the database holds no node."""
        return self._session(neo4j.READ_ACCESS, lambda s: s.run("MATCH (n) RETURN n LIMIT 1").single(), "query") is None

    def bulk_import(self, frames) -> dict:
        """Load ``frames`` into this empty database with ``neo4j-admin database import full`` (the server is
        restarted), then create the constraints."""
        from graph.neo4j_import import import_full
        if self.server_home is None or not self.is_empty():
            raise StoreError("bulk import needs an empty database on the server `patnav neo4j start` runs")
        done = import_full(self.server_home, frames, database=self.database, vocab=self.vocab)
        self.create_schema()
        return done

    def reset(self) -> None:
        """Delete every node and relationship (in bounded transactions); constraints stay."""
        def work(session: neo4j.Session):
            while session.run("MATCH (n) WITH n LIMIT 20000 DETACH DELETE n RETURN count(*) AS n").single()["n"]:
                pass
        self._session(neo4j.WRITE_ACCESS, work, "reset")

    def close(self) -> None:
        if self._owns_driver:
            self.driver.close()

    def __enter__(self) -> "Neo4jStore":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # ------------------------------------------------------------------ helpers
    def _batches(self, table: pa.Table, fn) -> int:
        total = 0
        for batch in table.to_batches(max_chunksize=self.batch_size):
            rows = batch.to_pylist()
            total += self._session(neo4j.WRITE_ACCESS, lambda s: s.execute_write(fn, rows), "load")
        return total

    def _session(self, mode: str, fn, what: str):
        try:
            with self.driver.session(database=self.database, default_access_mode=mode) as session:
                return fn(session)
        except StoreError:
            raise
        except ClientError as exc:
            if exc.code == "Neo.ClientError.Statement.AccessMode":
                raise QueryRejected("write queries are not allowed on the read-only path (Neo4j refused: "
                                    f"{exc.message}). Use `patnav ingest` to change the graph.") from exc
            if "exactly one statement" in (exc.message or ""):
                raise QueryRejected("send one statement per query (this text holds several)") from exc
            if "TransactionTimedOut" in (exc.code or ""):
                raise StoreError(f"the query ran past the time limit of {self.limits.timeout_s}s "
                                 f"and was stopped") from exc
            raise StoreError(f"Neo4j rejected the {_what(what)}: {exc.message}") from exc
        except ServiceUnavailable as exc:
            raise StoreError(f"Neo4j is not reachable: {exc}. Is it running? `patnav neo4j status`") from exc
        except Neo4jError as exc:
            raise StoreError(f"Neo4j failed on the {_what(what)}: {exc}") from exc
        except DriverError as exc:  # e.g. the driver was closed: the store is no longer usable
            raise StoreError(f"the Neo4j store is closed ({exc}); open a new one") from exc


def _what(what: str) -> str:
    return {"schema": "schema statement", "load": "load batch", "reset": "reset"}.get(what, "query")
