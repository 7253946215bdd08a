"""Neo4j loads that survive the real world: the first load through `neo4j-admin database import full` gives
the graph the UNWIND/COPY paths give; a Neo4j killed in the middle of a load leaves nothing doubled once
the ingest is run again. Both restart the project's test server."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from api.settings import Settings
from api.workflow import demo_files, ingest
from graph import neo4j_server
from graph.embedded_store import EmbeddedStore
from ontology.vocab import vocabulary

pytestmark = pytest.mark.neo4j


@pytest.fixture
def local_server(settings, neo4j_credentials):
    """The Neo4j `patnav neo4j start` runs for the tests (these tests stop and start it)."""
    if settings.neo4j_uri or neo4j_server.status(settings.neo4j_home) is None:
        pytest.skip("needs the server `patnav neo4j start` runs (make test starts it)")
    return settings


def _graph(store) -> dict:
    """Every node's declared properties and every relationship, per label and type, sorted."""
    vocab, out = vocabulary(), {}
    for label, node in vocab.nodes.items():
        props = ", ".join(f"n.`{p.name}` AS `{p.name}`" for p in node.properties)
        frame = store.run(f"MATCH (n:{label}) RETURN {props} ORDER BY n.id")
        out[label] = [tuple(str(v) for v in row) for row in frame.astype(object).itertuples(index=False)]
    for rel in vocab.relationships:
        frame = store.run(f"MATCH (x)-[r:{rel}]->(y) RETURN x.id AS a, y.id AS b ORDER BY a, b")
        out[rel] = list(zip(frame["a"], frame["b"]))
    return out


@pytest.fixture(scope="module")
def want(tmp_path_factory) -> dict:
    """The demo sample's graph as the embedded engine's COPY path loads it."""
    folder = tmp_path_factory.mktemp("embedded")
    with EmbeddedStore(folder) as embedded:
        ingest(embedded, folder, demo_files("icv"), chains=("icv",))
        return _graph(embedded)


def test_the_first_load_through_the_import_tool_equals_the_unwind_graph(local_server, tmp_path, want):
    files = demo_files("icv")
    settings = Settings.from_env({**os.environ, "PATNAV_BULK_IMPORT_ROWS": "0"})
    store = settings.open_store(neo4j=True, read_only=False)
    try:
        store.reset()
        report = ingest(store, tmp_path / "neo", files[:-1], chains=("icv",))  # empty database: the import tool
        assert report["graph"]["Patent"]["created"] > 1000 and report["graph"]["IN_NODE"]["updated"] == 0
        assert neo4j_server.status(settings.neo4j_home).browser  # restarted as it ran, Browser included
        constraints = store.run("SHOW CONSTRAINTS YIELD name RETURN count(*) AS n")["n"].iloc[0]
        assert constraints == len(vocabulary().nodes)
        ingest(store, tmp_path / "neo", files[-1:], chains=("icv",))  # not empty any more: UNWIND batches
        got = _graph(store)
    finally:
        store.close()
    assert {k: len(v) for k, v in got.items()} == {k: len(v) for k, v in want.items()}
    for name in want:
        diff = [(a, b) for a, b in zip(got[name], want[name]) if a != b]
        assert not diff, (name, len(diff), [[(x, y) for x, y in zip(*d) if x != y] for d in diff[:3]])


def test_neo4j_killed_mid_load_then_the_rerun_completes_without_duplicates(local_server, tmp_path, want):
    settings = local_server
    uri, user, password = settings.neo4j_credentials()
    env = {**os.environ, "PATNAV_BULK_IMPORT_ROWS": "100000000",  # the UNWIND path, batch after batch
           "PATNAV_HOME": str(tmp_path / "home"),  # the ingest ledger of this test alone, on the test server
           "PATNAV_NEO4J_URI": uri, "PATNAV_NEO4J_USER": user, "PATNAV_NEO4J_PASSWORD": password}
    store = settings.open_store(neo4j=True, read_only=False)
    store.reset()
    store.close()
    patnav = str(Path(sys.executable).with_name("patnav"))
    files = [str(f) for f in demo_files("icv")]
    command = [patnav, "ingest", *files, "--neo4j", "--chain", "icv"]
    run = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    probe = settings.open_store(neo4j=True)
    killed = False
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and run.poll() is None:
            if probe.run("MATCH (p:Patent) RETURN count(p) AS n")["n"].iloc[0] > 0:  # loading has begun
                os.kill(neo4j_server.status(settings.neo4j_home).pid, signal.SIGKILL)
                killed = True
                break
            time.sleep(0.05)
    finally:
        probe.close()
    output = run.communicate(timeout=300)[0].decode()
    assert killed and run.returncode == 1 and "Traceback" not in output, output
    neo4j_server.start(settings.neo4j_home, port=int(neo4j_server._auth(settings.neo4j_home)["uri"].rsplit(":", 1)[1]),
                       browser=True, http_port=0)
    again = subprocess.run(command, env=env, capture_output=True, text=True)
    assert again.returncode == 0, again.stdout + again.stderr
    store = settings.open_store(neo4j=True)
    try:
        for label in vocabulary().nodes:
            n = store.run(f"MATCH (n:{label}) RETURN count(n) AS n, count(DISTINCT n.id) AS d").iloc[0]
            assert n["n"] == n["d"], label
        got = _graph(store)
    finally:
        store.close()
    assert got == want
