"""The `patnav` command line, end to end through typer's runner on real engines."""

import csv
import io
import json

import pandas as pd
import pytest
import typer
from typer.testing import CliRunner

import expected_ingest
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


#: applicant key → how its names start in the file (case aside); counted per patent from the raw rows
COMPANIES = {"waymo": "waymo", "uber technologies": "uber technologies", "lyft": "lyft",
             "gm cruise holdings": "gm cruise holdings", "beijing didi infinity technology and development":
             "beijing didi infinity technology and development"}


def test_query_json_is_an_array_of_row_objects(sample_db, sample_csv):
    """The JSON rows against counts made from the CSV itself (csv module): a company's patents are the
    patents (rows of one publication or application counted once) with an applicant whose name starts
    with the company's name."""
    result = runner.invoke(app, ["query", "--db", str(sample_db), "--format", "json", QUERY])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert all(list(r) == ["applicant", "patents"] for r in rows)
    assert [r["patents"] for r in rows] == sorted((r["patents"] for r in rows), reverse=True)
    got = {r["applicant"]: r["patents"] for r in rows}
    with sample_csv.open(encoding="utf-8-sig", newline="") as fh:
        names = {i + 2: [a.strip().casefold() for a in r["申请人"].split("|")] for i, r in enumerate(csv.DictReader(fh))}
    book = expected_ingest.ledger([sample_csv])
    for key, start in COMPANIES.items():
        want = sum(any(n.startswith(start) for _, row, _ in group for n in names[row]) for group in book.groups)
        assert got[key] == want > 40, key
    assert sum(got.values()) >= book.loaded  # every patent has at least one applicant


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
    assert "not allowed on the read-only query path" in result.output and "Traceback" not in result.output


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
    assert refused.exit_code == 1 and "not allowed on the read-only query path" in refused.output


def test_schema_prints_generated_statements():
    result = runner.invoke(app, ["schema", "--engine", "neo4j"])
    assert result.exit_code == 0 and "REQUIRE n.id IS UNIQUE" in result.stdout
    result = runner.invoke(app, ["schema"])
    assert "CREATE REL TABLE IF NOT EXISTS LOCATED_IN" in result.stdout


SLOW = ("UNWIND range(1, 3000) AS a UNWIND range(1, 3000) AS b UNWIND range(1, 3000) AS c "
        "WITH a, b, c WHERE (a * b + c) % 7919 = 1 RETURN count(*) AS n")  # ~10^10 rows of real work


@pytest.fixture(params=["ladybug", "neo4j"])
def engine_args(request, sample_db, sample_frames, monkeypatch):
    """CLI arguments that reach the sample graph on each engine."""
    if request.param == "ladybug":
        return ["--db", str(sample_db)]
    from graph.neo4j_store import Neo4jStore
    uri, user, password = request.getfixturevalue("neo4j_credentials")
    with Neo4jStore.connect(uri, user, password) as store:
        store.reset()
        load_graph(store, sample_frames)
    for k, v in {"PATNAV_NEO4J_URI": uri, "PATNAV_NEO4J_USER": user, "PATNAV_NEO4J_PASSWORD": password}.items():
        monkeypatch.setenv(k, v)
    return ["--neo4j"]


def test_query_limits_come_from_the_environment(engine_args, monkeypatch):
    monkeypatch.setenv("PATNAV_QUERY_MAX_ROWS", "5")
    many = runner.invoke(app, ["query", *engine_args, "MATCH (p:Patent) RETURN p.id AS id"])
    assert many.exit_code == 1 and "more than the limit of 5" in many.output and "Traceback" not in many.output
    few = runner.invoke(app, ["query", *engine_args, "--format", "json",
                              "MATCH (p:Patent) RETURN p.id AS id ORDER BY id LIMIT 5"])
    assert few.exit_code == 0 and len(json.loads(few.stdout)) == 5
    monkeypatch.setenv("PATNAV_QUERY_TIMEOUT", "1")
    slow = runner.invoke(app, ["query", *engine_args, SLOW])
    assert slow.exit_code == 1 and "time limit" in slow.output


def test_several_statements_are_refused_by_the_cli(engine_args):
    result = runner.invoke(app, ["query", *engine_args, "MATCH (p:Patent) RETURN count(p) AS n; RETURN 1 AS x"])
    assert result.exit_code == 1 and "one statement per query" in result.output


@pytest.mark.parametrize("name, value", [("PATNAV_QUERY_TIMEOUT", "abc"), ("PATNAV_QUERY_TIMEOUT", "0"),
                                         ("PATNAV_QUERY_TIMEOUT", "nan"), ("PATNAV_QUERY_MAX_ROWS", "-5"),
                                         ("PATNAV_QUERY_MAX_ROWS", "1e3x"), ("PATNAV_NEO4J_PORT", "http")])
def test_bad_settings_are_one_line_naming_the_variable(sample_db, monkeypatch, name, value):
    monkeypatch.setenv(name, value)
    result = runner.invoke(app, ["query", "--db", str(sample_db), "RETURN 1 AS x"])
    assert result.exit_code == 1 and name in result.output and "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_ingest_with_a_profile_of_ones_own(tmp_path):
    """`--profile FILE` reads a layout no shipped profile knows; without it the file is refused."""
    export = tmp_path / "inhouse.csv"
    export.write_text("PubNo;Filed;Owner;Title;Classes\n"
                      "CN110298449A;2019-07-03;甲公司 | 乙大学;激光雷达标定方法;G01S17/93 | G01S7/497\n"
                      "US11412475B2;20170301;Waymo LLC;Lidar calibration;G01S17/89\n".replace(";", ","),
                      encoding="utf-8")
    profile = tmp_path / "inhouse.toml"
    profile.write_text('name = "inhouse"\ndetect = ["PubNo", "Owner"]\nseparator = "|"\n[columns]\nid = ["PubNo"]\n'
                       'app_date = ["Filed"]\napplicants = ["Owner"]\ntitle = ["Title"]\nipcs = ["Classes"]\n'
                       '[multi]\nfields = ["applicants", "ipcs"]\n', encoding="utf-8")
    db = tmp_path / "db"
    refused = runner.invoke(app, ["ingest", str(export), "--db", str(db)])
    assert refused.exit_code == 1 and "unknown export layout" in refused.output
    result = runner.invoke(app, ["ingest", str(export), "--db", str(db), "--profile", str(profile)])
    assert result.exit_code == 0, result.output
    q = runner.invoke(app, ["query", "--db", str(db), "--format", "json",
                            "MATCH (p:Patent)-[:APPLIED_BY]->(a:Applicant) RETURN p.id AS id, p.app_year AS year, "
                            "a.name AS applicant ORDER BY id, applicant"])
    assert json.loads(q.stdout) == [{"id": "CN110298449A", "year": 2019, "applicant": "乙大学"},
                                    {"id": "CN110298449A", "year": 2019, "applicant": "甲公司"},
                                    {"id": "US11412475B2", "year": 2017, "applicant": "Waymo LLC"}]
    broken = tmp_path / "broken.toml"
    broken.write_text('name = "x"\n[columns]\nid = ["PubNo"]\n', encoding="utf-8")
    bad = runner.invoke(app, ["ingest", str(export), "--db", str(db), "--profile", str(broken)])
    assert bad.exit_code == 1 and "broken.toml" in bad.output and "Traceback" not in bad.output


def test_two_files_of_one_name_are_refused(tmp_path, sample_csv):
    for d in ("a", "b"):
        (tmp_path / d).mkdir()
        (tmp_path / d / "same.csv").write_bytes(sample_csv.read_bytes())
    result = runner.invoke(app, ["ingest", str(tmp_path / "a" / "same.csv"), str(tmp_path / "b" / "same.csv"),
                                 "--db", str(tmp_path / "db")])
    assert result.exit_code == 1 and "share the name" in result.output and "same.csv" in result.output
    assert not (tmp_path / "db" / "ingest.json").exists()  # nothing half-loaded


def test_an_xml4ip_archive_is_refused_with_what_is_read(tmp_path):
    import zipfile
    archive = tmp_path / "sample_XML4IP.ZIP"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("US09000001-20150407/US09000001-20150407.xml", '<?xml version="1.0"?><us-patent-grant/>')
    result = runner.invoke(app, ["ingest", str(archive), "--db", str(tmp_path / "db")])
    assert result.exit_code == 1 and "sample_XML4IP.ZIP" in result.output
    assert ".zip" in result.output and ".csv" in result.output and "Traceback" not in result.output


@pytest.mark.neo4j
def test_neo4j_status_and_stop_exit_codes(tmp_path, neo4j_credentials, settings, monkeypatch):
    """A running server: status exits 0 and names its URI; a home with none: status exits 1, stop says so
    and exits 0 (stopping nothing is not an error)."""
    from graph import neo4j_server
    if neo4j_server.status(settings.neo4j_home) is None:
        pytest.skip("the Neo4j under test is not one that `patnav neo4j start` runs in PATNAV_HOME")
    running = runner.invoke(app, ["neo4j", "status"])
    assert running.exit_code == 0 and neo4j_credentials[0] in running.output.replace("\n", "")
    monkeypatch.setenv("PATNAV_HOME", str(tmp_path / "empty-home"))
    status = runner.invoke(app, ["neo4j", "status"])
    assert status.exit_code == 1 and "not running" in status.output
    stop = runner.invoke(app, ["neo4j", "stop"])
    assert stop.exit_code == 0 and "was not running" in stop.output


@pytest.mark.parametrize("zone, says", [("Atlantis", "not the name or code"), ("朝阳区", "names several admin areas"),
                                        ("999999", "no admin area has the code"), ("missing.toml", "cannot read it")])
def test_a_zone_that_is_not_one_is_one_line(sample_db, tmp_path, zone, says):
    result = runner.invoke(app, ["analyze", "--db", str(sample_db), "--out", str(tmp_path / "out"), "--zone", zone])
    assert result.exit_code == 1 and says in result.output and "Traceback" not in result.output, result.output
    assert not (tmp_path / "out" / "index.html").exists()


def test_a_zone_file_with_a_roster_reaches_the_tables(sample_csv, tmp_path):
    """A zone file: its roster's enterprises are in the zone wherever they are located, unmatched names
    are listed with 0 units, and run.json records the zone."""
    sample_db = tmp_path / "db"
    result = runner.invoke(app, ["ingest", str(sample_csv), "--db", str(sample_db), "--chain", "icv"])
    assert result.exit_code == 0, result.output
    store = EmbeddedStore(sample_db)
    try:
        firms = store.run("MATCH (a:Applicant)<-[:APPLIED_BY]-(:Patent)-[:IN_NODE]->(:ChainNode) "
                          "RETURN a.id AS id, a.name AS name, count(*) AS n ORDER BY n DESC, id LIMIT 1")
    finally:
        store.close()
    (tmp_path / "firms.csv").write_text(f"企业名称\n{firms['name'].iloc[0]}\n不存在的公司\n", encoding="utf-8")
    (tmp_path / "park.toml").write_text('name_zh = "测试园区"\nname_en = "Test Park"\nareas = ["110108"]\n'
                                        'roster = "firms.csv"\n', encoding="utf-8")
    out = tmp_path / "out"
    result = runner.invoke(app, ["analyze", "--db", str(sample_db), "--out", str(out), "--zone",
                                 str(tmp_path / "park.toml")])
    assert result.exit_code == 0, result.output
    roster = pd.read_csv(out / "tables" / "positioning_roster.csv", encoding="utf-8-sig")
    assert roster["matched"].fillna("").tolist() == ["applicant", ""] and roster["units"].iloc[1] == 0
    assert roster["units"].iloc[0] > 0
    firms_table = pd.read_csv(out / "tables" / "positioning_enterprises.csv", encoding="utf-8-sig")
    assert firms["id"].iloc[0] in set(firms_table["applicant"])
    run = json.loads((out / "run.json").read_text())
    assert run["parameters"]["zone"]["name_en"] == "Test Park" and run["parameters"]["zone"]["roster"] == 2


def test_ingest_reads_the_whole_graph_whatever_the_analysts_row_limit(tmp_path, sample_csv, monkeypatch):
    """PATNAV_QUERY_MAX_ROWS bounds analysts' queries, not PatNav's own reads of its tags and ids: a second
    ingest into a graph of more tags than the limit failed with "the query returned more than the limit"
    (1M patents on Neo4j after the bulk import: 1.6M tags against the 100,000 default)."""
    monkeypatch.setenv("PATNAV_QUERY_MAX_ROWS", "50")
    db = tmp_path / "db"
    for _ in range(2):
        result = runner.invoke(app, ["ingest", str(sample_csv), "--db", str(db), "--chain", "icv"])
        assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["classify", "--db", str(db), "--chain", "icv"])
    assert result.exit_code == 0, result.output
