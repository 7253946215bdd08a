"""The `patnav` command line, end to end through typer's runner on real engines."""

import io
import json

import pandas as pd
import pytest
import typer
from typer.testing import CliRunner

from api.cli import app
from graph.embedded_store import EmbeddedStore
from ingest.load import load_graph

runner = CliRunner()
QUERY = ("MATCH (p:Patent)-[:APPLIED_BY]->(a:Applicant) RETURN a.id AS applicant, count(p) AS patents "
         "ORDER BY patents DESC, applicant")


def _commands(group: typer.Typer, prefix=()):
    for cmd in group.registered_commands:
        yield prefix + (cmd.name or cmd.callback.__name__,), cmd.callback
    for sub in group.registered_groups:
        yield from _commands(sub.typer_instance, prefix + (sub.name,))


def test_every_command_has_help():
    commands = list(_commands(app))
    assert len(commands) >= 6
    for path, callback in commands:
        assert (callback.__doc__ or "").strip(), f"patnav {' '.join(path)} has no help text"
        result = runner.invoke(app, [*path, "--help"])
        assert result.exit_code == 0 and "Usage" in result.output, path


@pytest.fixture(scope="module")
def sample_db(tmp_path_factory, sample_frames):
    directory = tmp_path_factory.mktemp("clidb")
    with EmbeddedStore(directory) as store:
        load_graph(store, sample_frames)
    return directory


def test_query_json_is_an_array_of_row_objects(sample_db):
    result = runner.invoke(app, ["query", "--db", str(sample_db), "--format", "json", QUERY])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    with EmbeddedStore(sample_db, read_only=True) as store:
        expect = store.run(QUERY)
    assert [list(r) for r in rows][0] == ["applicant", "patents"]
    assert [(r["applicant"], r["patents"]) for r in rows] == list(expect.itertuples(index=False, name=None))


def test_query_parameters_and_csv(sample_db):
    result = runner.invoke(app, ["query", "--db", str(sample_db), "--format", "csv", "-p", "y=2020",
                                 "MATCH (p:Patent) WHERE p.app_year = $y RETURN count(p) AS n"])
    assert result.exit_code == 0, result.output
    n = pd.read_csv(io.StringIO(result.stdout))["n"][0]
    with EmbeddedStore(sample_db, read_only=True) as store:
        assert n == store.run("MATCH (p:Patent) WHERE p.app_year = 2020 RETURN count(p) AS n")["n"][0] > 0


def test_query_table_format(sample_db):
    result = runner.invoke(app, ["query", "--db", str(sample_db), QUERY])
    assert result.exit_code == 0 and "waymo" in result.stdout and "waymo llc" not in result.stdout and "rows" in result.stdout


def test_query_refuses_writes_with_one_line(sample_db):
    result = runner.invoke(app, ["query", "--db", str(sample_db), "CREATE (p:Patent {id: 'X'}) RETURN p.id"])
    assert result.exit_code == 1
    assert "write queries are not allowed" in result.output and "Traceback" not in result.output


def test_query_needs_one_engine(tmp_path):
    result = runner.invoke(app, ["query", "RETURN 1 AS x"])
    assert result.exit_code == 1 and "choose one engine" in result.output
    result = runner.invoke(app, ["query", "--db", str(tmp_path / "none"), "RETURN 1 AS x"])
    assert result.exit_code == 1 and "no PatNav database" in result.output


@pytest.mark.neo4j
def test_query_on_neo4j_matches_embedded(sample_db, sample_frames, neo4j_credentials, monkeypatch):
    from graph.neo4j_store import Neo4jStore
    with Neo4jStore.connect(*neo4j_credentials) as store:
        store.reset()
        load_graph(store, sample_frames)
    uri, user, password = neo4j_credentials
    for k, v in {"PATNAV_NEO4J_URI": uri, "PATNAV_NEO4J_USER": user, "PATNAV_NEO4J_PASSWORD": password}.items():
        monkeypatch.setenv(k, v)
    server = runner.invoke(app, ["query", "--neo4j", "--format", "json", QUERY])
    embedded = runner.invoke(app, ["query", "--db", str(sample_db), "--format", "json", QUERY])
    assert server.exit_code == 0, server.output
    assert json.loads(server.stdout) == json.loads(embedded.stdout)
    refused = runner.invoke(app, ["query", "--neo4j", "MERGE (a:Applicant {id: 'x'}) RETURN a.id"])
    assert refused.exit_code == 1 and "write queries are not allowed" in refused.output


def test_schema_prints_generated_statements():
    result = runner.invoke(app, ["schema", "--engine", "neo4j"])
    assert result.exit_code == 0 and "REQUIRE n.id IS UNIQUE" in result.stdout
    result = runner.invoke(app, ["schema"])
    assert "CREATE REL TABLE IF NOT EXISTS LOCATED_IN" in result.stdout
