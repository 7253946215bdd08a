"""Settings, read once at the edge (the CLI and the app factory) from ``PATNAV_*`` variables.

| variable | default | meaning |
|---|---|---|
| PATNAV_HOME | ./.patnav | local state: the provisioned Neo4j server lives in HOME/neo4j |
| PATNAV_NEO4J_URI | the provisioned server's | Bolt URI of the Neo4j server |
| PATNAV_NEO4J_USER | neo4j | user |
| PATNAV_NEO4J_PASSWORD | the provisioned server's | password |
| PATNAV_NEO4J_DATABASE | neo4j | database name |
| PATNAV_NEO4J_PORT | 7687 | Bolt port for `patnav neo4j start` |
| PATNAV_QUERY_TIMEOUT | 60 | seconds a read query may run |
| PATNAV_QUERY_MAX_ROWS | 100000 | rows a read query may return |
| PATNAV_BULK_IMPORT_ROWS | 200000 | a first load into an empty Neo4j of at least this many graph rows goes through `neo4j-admin database import` (the server `patnav neo4j start` runs is restarted for it) |
| PATNAV_API_RATE | 120 | requests a minute one API token may send to `POST /api/cypher` |
| PATNAV_API_RECHECK | 2 | seconds the API trusts its cached tables before asking the graph whether it changed |
| PATNAV_SPARK_DRIVER_MEMORY | 4g | the Spark driver's heap for `patnav ingest --spark` (it gathers every row): 512m, 8g … |
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the engines load pandas and their drivers: imported when a store is opened
    from graph.store import GraphStore, Limits
from ontology.errors import PatNavError, StoreError


def _number(env: Mapping[str, str], name: str, default: str, kind: type, meaning: str, least: float):
    """A numeric setting, or a one-line error naming the variable (never a traceback, never a limit
    silently switched off by 0 or a typo)."""
    text = env.get(name, default).strip()
    try:
        value = kind(text)
    except ValueError:
        value = None
    if value is None or value != value or value < least or value in (float("inf"),):
        raise PatNavError(f"{name}={text!r} is not valid: it is {meaning}, a number ≥ {least:g}; "
                          f"unset it to use the default {default}")
    return value


def _memory(env: Mapping[str, str], name: str, default: str) -> str:
    """A JVM memory size (``512m``, ``4g``) from ``env``, or a PatNavError naming the variable."""
    import re
    value = env.get(name, default).strip().lower()
    if not re.fullmatch(r"[1-9]\d*[kmgt]", value):
        raise PatNavError(f"{name}={env.get(name)!r} is not a memory size; write a whole number and a unit, "
                          f"e.g. 512m or 8g")
    return value


@dataclass(frozen=True)
class Settings:
    home: Path = Path(".patnav")
    neo4j_uri: str | None = None
    neo4j_user: str = "neo4j"
    neo4j_password: str | None = None
    neo4j_database: str = "neo4j"
    neo4j_port: int = 7687
    query_timeout_s: float = 60.0
    query_max_rows: int = 100_000
    api_rate: int = 120
    bulk_import_rows: int = 200_000
    api_recheck_s: float = 2.0
    spark_driver_memory: str = "4g"

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> "Settings":
        env = os.environ if env is None else env
        return cls(
            home=Path(env.get("PATNAV_HOME", ".patnav")),
            neo4j_uri=env.get("PATNAV_NEO4J_URI") or None,
            neo4j_user=env.get("PATNAV_NEO4J_USER", "neo4j"),
            neo4j_password=env.get("PATNAV_NEO4J_PASSWORD") or None,
            neo4j_database=env.get("PATNAV_NEO4J_DATABASE", "neo4j"),
            neo4j_port=_number(env, "PATNAV_NEO4J_PORT", "7687", int, "a port number (0 picks a free one)", 0),
            query_timeout_s=_number(env, "PATNAV_QUERY_TIMEOUT", "60", float, "seconds a query may run", 0.001),
            query_max_rows=_number(env, "PATNAV_QUERY_MAX_ROWS", "100000", int, "rows a query may return", 1),
            bulk_import_rows=_number(env, "PATNAV_BULK_IMPORT_ROWS", "200000", int, "graph rows", 0),
            api_rate=_number(env, "PATNAV_API_RATE", "120", int, "requests a minute per API token", 1),
            api_recheck_s=_number(env, "PATNAV_API_RECHECK", "2", float, "seconds between graph checks", 0),
            spark_driver_memory=_memory(env, "PATNAV_SPARK_DRIVER_MEMORY", "4g"),
        )

    @property
    def neo4j_home(self) -> Path:
        return self.home / "neo4j"

    @property
    def limits(self) -> Limits:
        from graph.store import Limits
        return Limits(self.query_timeout_s, self.query_max_rows)

    def neo4j_credentials(self) -> tuple[str, str, str]:
        """(uri, user, password): the variables where set, else the server `patnav neo4j start` made."""
        auth_file = self.neo4j_home / "auth.json"
        local = json.loads(auth_file.read_text()) if auth_file.exists() else {}
        uri = self.neo4j_uri or local.get("uri")
        password = self.neo4j_password or (local.get("password") if self.neo4j_user == local.get("user") else None)
        if not uri or not password:
            raise StoreError("no Neo4j server configured: run `patnav neo4j start`, or set PATNAV_NEO4J_URI, "
                             "PATNAV_NEO4J_USER and PATNAV_NEO4J_PASSWORD")
        return uri, self.neo4j_user, password

    def open_store(self, *, db: Path | None = None, neo4j: bool = False, read_only: bool = True,
                   limits: Limits | None = None) -> GraphStore:
        """The embedded store on ``db``, or the configured Neo4j server when ``neo4j``.

        ``limits`` default to the analyst limits (PATNAV_QUERY_*); indicator runs pass their own.
        """
        if neo4j == (db is not None):
            raise StoreError("choose one engine: --db DIR (embedded LadybugDB) or --neo4j")
        limits = self.limits if limits is None else limits
        if neo4j:
            uri, user, password = self.neo4j_credentials()
            from graph.neo4j_store import Neo4jStore
            store = Neo4jStore.connect(uri, user, password, database=self.neo4j_database, limits=limits)
            auth_file = self.neo4j_home / "auth.json"
            if auth_file.exists() and json.loads(auth_file.read_text()).get("uri") == uri:
                store.server_home = self.neo4j_home  # PatNav's own server: bulk import may restart it
            store.bulk_import_rows = self.bulk_import_rows
            return store
        from graph.embedded_store import EmbeddedStore
        return EmbeddedStore(db, read_only=read_only, limits=limits)

    def state_dir(self, *, db: Path | None = None, neo4j: bool = False) -> Path:
        """Where the ingest ledger, rejects and merged rows of a graph live: the --db directory, or
        PATNAV_HOME/neo4j-ingest for the Neo4j server."""
        return self.home / "neo4j-ingest" if neo4j else Path(db)
