"""Fixtures: real engines only.

``store`` runs a test once per engine (ids ``[ladybug]`` and ``[neo4j]``): LadybugDB in a temporary
directory, and the real Neo4j 5.26 server that ``make test`` starts with the project's own script.
When pytest runs without it, the session starts that server itself (and stops it at the end).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from api.settings import Settings
from graph import neo4j_server
from graph.embedded_store import EmbeddedStore
from graph.neo4j_store import Neo4jStore
from ingest.dedup import deduplicate
from ingest.frames import graph_frames
from ingest.normalize import records
from ingest.read import read_export
from ingest.load import load_graph

DATA = Path(__file__).parent / "data"
SAMPLE = DATA / "patentics" / "autodriving-sample.csv"
ENGINES = ["ladybug", "neo4j"]


@pytest.fixture(scope="session")
def settings() -> Settings:
    return Settings.from_env()


@pytest.fixture(scope="session")
def neo4j_credentials(settings):
    """(uri, user, password) of a running Neo4j; starts the project's server if none is configured."""
    if settings.neo4j_uri:
        yield settings.neo4j_credentials()
        return
    started = neo4j_server.status(settings.neo4j_home) is None
    info = neo4j_server.start(settings.neo4j_home, port=settings.neo4j_port)
    yield info.uri, info.user, info.password
    if started:
        neo4j_server.stop(settings.neo4j_home)


def _neo4j_store(creds, **kw) -> Neo4jStore:
    store = Neo4jStore.connect(*creds, **kw)
    store.reset()
    return store


@pytest.fixture(params=ENGINES)
def make_store(request, tmp_path):
    """A factory for an empty store of the parametrised engine (keyword args go to the store)."""
    made = []

    def make(**kw):
        if request.param == "ladybug":
            store = EmbeddedStore(tmp_path / f"db{len(made)}", **kw)
        else:
            store = _neo4j_store(request.getfixturevalue("neo4j_credentials"), **kw)
        made.append(store)
        return store

    yield make
    for store in made:
        store.close()


@pytest.fixture
def store(make_store):
    return make_store()


@pytest.fixture(scope="session")
def sample_csv() -> Path:
    return SAMPLE


@pytest.fixture(scope="session")
def sample_records():
    return deduplicate(records(read_export(SAMPLE)).records).records


@pytest.fixture(scope="session")
def sample_frames(sample_records):
    return graph_frames(sample_records)


@pytest.fixture(scope="module")
def loaded_pair(tmp_path_factory, neo4j_credentials, sample_frames):
    """The committed sample loaded into both engines: {"ladybug": store, "neo4j": store}."""
    embedded = EmbeddedStore(tmp_path_factory.mktemp("parity"))
    neo = _neo4j_store(neo4j_credentials)
    for s in (embedded, neo):
        load_graph(s, sample_frames)
    yield {"ladybug": embedded, "neo4j": neo}
    embedded.close()
    neo.close()
