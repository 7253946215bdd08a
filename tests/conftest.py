"""Fixtures: real engines only.

``store`` runs a test once per engine (ids ``[ladybug]`` and ``[neo4j]``): LadybugDB in a temporary
directory, and the real Neo4j 5.26 server that ``make test`` starts with the project's own script.
When pytest runs without it, the session starts that server itself (and stops it at the end).
"""

from __future__ import annotations

import os
import random
from pathlib import Path

import pandas as pd

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
from analytics.zone import load_zone

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
    info = neo4j_server.start(settings.neo4j_home, port=settings.neo4j_port, browser=True, http_port=0)
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


@pytest.fixture(scope="session")
def sample_db(tmp_path_factory, sample_frames):
    """The committed sample in an embedded database of its own (the CLI and guard tests read it)."""
    directory = tmp_path_factory.mktemp("sampledb")
    with EmbeddedStore(directory) as store:
        load_graph(store, sample_frames)
    return directory


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


SHARED_PATENTICS = Path(__file__).resolve().parents[2] / "shared" / "data" / "exports" / "patentics"
#: the VR/AR Patentics exports (12,288 rows, chain vr-ar): modules 2 and 3 are checked on them
VR = [SHARED_PATENTICS / "20220507--CNAPP-TI=虚拟现实.csv", SHARED_PATENTICS / "20220530--CNAPP-TI=增强现实.csv"]


@pytest.fixture(scope="session")
def _vr_graph(tmp_path_factory, neo4j_credentials):
    """The VR/AR exports ingested once per session into LadybugDB and Neo4j (tests/test_pathways.py and
    tests/test_positioning.py share it)."""
    from ingest.pipeline import ingest_files
    from ontology.chains import load_chain
    if not all(p.exists() for p in VR):
        pytest.skip("../shared/data is absent: the VR/AR exports are needed")
    ingested = ingest_files(VR, [load_chain("vr-ar")])
    embedded = EmbeddedStore(tmp_path_factory.mktemp("vr"))
    neo = Neo4jStore.connect(*neo4j_credentials)
    neo.reset()
    for s in (embedded, neo):
        load_graph(s, ingested.frames)
    yield embedded, neo, ingested
    embedded.close()
    neo.close()


@pytest.fixture
def vr_engines(_vr_graph):
    """The shared VR/AR graph on both engines; Neo4j is reloaded if a test in between reset it."""
    embedded, neo, ingested = _vr_graph
    count = "MATCH (p:Patent) RETURN count(*) AS n"
    if int(neo.run(count)["n"].iloc[0]) != int(embedded.run(count)["n"].iloc[0]):
        neo.reset()
        load_graph(neo, ingested.frames)
    return _vr_graph


def _cities(store) -> pd.Series:
    """The city of each applicant located at city level or finer."""
    regions = store.run("MATCH (a:Applicant)-[:LOCATED_IN]->(r:Region) RETURN r.id AS region")["region"]
    return regions[regions.str.len().eq(6) & ~regions.str.endswith("0000")].str[:4] + "00"


def _a_city(store) -> str:
    """A city with at least 30 placed applicants, drawn at random (PATNAV_TEST_CITY=code replays one)."""
    counts = _cities(store).value_counts()
    return os.environ.get("PATNAV_TEST_CITY") or random.Random().choice(sorted(counts[counts >= 30].index))


@pytest.fixture(scope="session")
def city(_vr_graph):
    """A city chosen when the test runs (printed, so a failure can be replayed with its code)."""
    code = load_zone(_a_city(_vr_graph[0])).id  # a municipality's 市辖区 (310100) is the municipality (310000)
    print(f"zone under test: {code}")
    return code




@pytest.fixture(scope="session")
def demo_out(tmp_path_factory) -> Path:
    """`patnav demo` run once per session through the real CLI: the atlas, report and workbook it writes."""
    from typer.testing import CliRunner
    from api.cli import app
    out = tmp_path_factory.mktemp("demo") / "patnav-out"
    result = CliRunner().invoke(app, ["demo", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "index.html" in result.output and "patnav serve" in result.output
    return out
