"""The API as a shared service: Cypher for token holders, 404s and 422s that name what is wrong, downloads,
and the graph an ingest just wrote (issue: the analysts' workbench)."""

import io
import logging
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from analytics.registry import INDICATORS
from api.app import create_app
from api.cli import app as cli
from api.settings import Settings
from api.tokens import Tokens
from api.workflow import demo_files
from graph.embedded_store import EmbeddedStore

TOP = ("MATCH (p:Patent)-[:APPLIED_BY]->(a:Applicant) RETURN a.id AS applicant, count(p) AS patents "
       "ORDER BY patents DESC, applicant LIMIT 10")


def _settings(home: Path, **env) -> Settings:
    return Settings.from_env({"PATNAV_HOME": str(home), **env})


@pytest.fixture(scope="module")
def served(demo_out, tmp_path_factory):
    """The demo graph behind an app whose PATNAV_HOME holds one token, alice's; rate 5 a minute."""
    home = tmp_path_factory.mktemp("home")
    token = Tokens(home).create("alice")
    with TestClient(create_app(_settings(home, PATNAV_API_RATE="5", PATNAV_QUERY_MAX_ROWS="50"),
                               db=demo_out / "db")) as client:
        yield client, home, token


def _auth(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def test_cypher_answers_token_holders_only(served, demo_out, caplog):
    client, home, token = served
    caplog.set_level(logging.DEBUG)
    none = client.post("/api/cypher", json={"query": TOP})
    assert none.status_code == 401 and none.headers["www-authenticate"] == "Bearer"
    wrong = client.post("/api/cypher", json={"query": TOP}, headers=_auth("pnv_not-a-token"))
    assert wrong.status_code == 401 and "not-a-token" not in wrong.text
    body = client.post("/api/cypher", json={"query": TOP}, headers=_auth(token)).json()
    with EmbeddedStore(demo_out / "db", read_only=True) as store:
        direct = store.run(TOP)
        in_2020 = store.run("MATCH (p:Patent) WHERE p.app_year = 2020 RETURN count(p) AS n")["n"][0]
    assert body["columns"] == ["applicant", "patents"] and body["row_count"] == 10
    assert [list(r.values()) for r in body["rows"]] == direct.astype(object).values.tolist()
    csv = client.post("/api/cypher", params={"format": "csv"}, headers=_auth(token),
                      json={"query": "MATCH (p:Patent) WHERE p.app_year = $y RETURN count(p) AS n", "params": {"y": 2020}})
    assert csv.headers["content-type"].startswith("text/csv")
    assert pd.read_csv(io.BytesIO(csv.content), encoding="utf-8-sig")["n"][0] == in_2020 > 0
    # the token is kept hashed, readable by its owner only, and never logged
    saved = (home / "tokens.json").read_text()
    assert token not in saved and oct((home / "tokens.json").stat().st_mode)[-3:] == "600"
    assert not any(token in r.getMessage() for r in caplog.records)


def test_cypher_refuses_writes_and_bounds_rows(demo_out, tmp_path):
    home = tmp_path
    token = Tokens(home).create("bob")
    with TestClient(create_app(_settings(home, PATNAV_QUERY_MAX_ROWS="50"), db=demo_out / "db")) as client:
        for query in ("MATCH (p:Patent) DETACH DELETE p", "CALL timeout=0", "CHECKPOINT",
                      "MATCH (p:Patent) RETURN p.id; MATCH (p) DELETE p"):
            refused = client.post("/api/cypher", json={"query": query}, headers=_auth(token))
            assert refused.status_code == 400 and refused.json()["error"] == "QueryRejected", query
        many = client.post("/api/cypher", json={"query": "MATCH (p:Patent) RETURN p.id"}, headers=_auth(token))
        assert many.status_code == 400 and "limit of 50" in many.json()["detail"]
        assert client.post("/api/cypher", json={"query": ""}, headers=_auth(token)).status_code == 422
        assert client.post("/api/cypher", json={"query": TOP, "params": [1]}, headers=_auth(token)).status_code == 422
        health = client.get("/health").json()
    with EmbeddedStore(demo_out / "db", read_only=True) as store:
        assert health["patents"] == store.run("MATCH (p:Patent) RETURN count(p) AS n")["n"][0]


def test_revoked_tokens_get_403_and_the_rate_is_limited(tmp_path, demo_out):
    home = tmp_path
    tokens = Tokens(home)
    first, second = tokens.create("carol"), tokens.create("dave")
    with TestClient(create_app(_settings(home, PATNAV_API_RATE="3"), db=demo_out / "db")) as client:
        ask = {"query": "RETURN 1 AS one"}
        assert [client.post("/api/cypher", json=ask, headers=_auth(first)).status_code for _ in range(4)] == \
            [200, 200, 200, 429]
        limited = client.post("/api/cypher", json=ask, headers=_auth(first))
        assert limited.status_code == 429 and int(limited.headers["retry-after"]) >= 1
        assert client.post("/api/cypher", json=ask, headers=_auth(second)).status_code == 200  # per token
        result = CliRunner().invoke(cli, ["token", "revoke", "dave"], env={"PATNAV_HOME": str(home)})
        assert result.exit_code == 0, result.output
        revoked = client.post("/api/cypher", json=ask, headers=_auth(second))  # the running server sees it
        assert revoked.status_code == 403 and "revoked" in revoked.json()["detail"]


def test_token_commands(tmp_path):
    runner, env = CliRunner(), {"PATNAV_HOME": str(tmp_path)}
    made = runner.invoke(cli, ["token", "create", "analyst-li"], env=env)
    assert made.exit_code == 0 and made.stdout.strip().startswith("pnv_")
    token = made.stdout.strip()
    assert Tokens(tmp_path).check(token) == ("ok", "analyst-li")
    again = runner.invoke(cli, ["token", "create", "analyst-li"], env=env)
    assert again.exit_code == 1 and "revoke it first" in again.output
    listed = runner.invoke(cli, ["token", "list"], env=env)
    assert "analyst-li" in listed.stdout and token not in listed.stdout
    assert runner.invoke(cli, ["token", "revoke", "analyst-li"], env=env).exit_code == 0
    assert runner.invoke(cli, ["token", "revoke", "analyst-li"], env=env).exit_code == 1
    assert Tokens(tmp_path).check(token) == ("revoked", "analyst-li")
    assert runner.invoke(cli, ["token", "create", "bad name!"], env=env).exit_code == 1


def test_an_unknown_scheme_is_404_everywhere(served):
    client, _, _ = served
    urls = [f"/api/indicators/{name}" for name in INDICATORS] + [
        "/api/zones/110000/positioning/nodes", "/api/zones/110000/pathways/structure",
        "/api/zones/110000/pathways/structure/graph", "/api/zones/110000/plan"]
    for url in urls:
        answer = client.get(url, params={"scheme": "no-such-chain"})
        assert answer.status_code == 404 and "known: icv" in answer.json()["detail"], url
    assert client.get("/api/chain/no-such-chain/map").status_code == 404


@pytest.mark.parametrize("params, name", [
    ({"window": "99999999999999999999"}, "window"), ({"window": "1000000000"}, "window"), ({"window": "1"}, "window"),
    ({"control_weights": "nan,nan,nan"}, "control_weights"), ({"control_weights": "1,inf,0"}, "control_weights"),
    ({"control_weights": "0,0,0"}, "control_weights"), ({"theta": "nan"}, "theta"), ({"theta": "2"}, "theta"),
    ({"market_weights": "US=inf"}, "market_weights"), ({"market_weights": "US=-1"}, "market_weights"),
    ({"format": "pdf"}, "format")])
def test_bad_parameters_are_422_naming_the_parameter(served, params, name):
    client, _, _ = served
    answer = client.get("/api/indicators/control_power", params=params)
    assert answer.status_code == 422, answer.text
    assert [d["loc"][-1] for d in answer.json()["detail"]] == [name]


def test_tables_download_as_csv_and_xlsx_equal_to_json(served):
    client, _, _ = served
    for url in ("/api/indicators/control_power", "/api/zones/110000/pathways/enterprises", "/api/zones/110000/plan"):
        body = client.get(url).json()
        rows = pd.DataFrame(body["rows"], columns=body["columns"])
        csv = client.get(url, params={"format": "csv"})
        assert csv.headers["content-type"].startswith("text/csv") and "attachment" in csv.headers["content-disposition"]
        assert len(pd.read_csv(io.BytesIO(csv.content), encoding="utf-8-sig")) == len(rows), url
        xlsx = client.get(url, params={"format": "xlsx"})
        assert xlsx.headers["content-type"].startswith("application/vnd.openxmlformats"), url
        sheets = pd.read_excel(io.BytesIO(xlsx.content), sheet_name=None, engine="openpyxl")
        table = sheets[[s for s in sheets if s.endswith(body["name"])][0]]
        assert list(table.columns) == body["columns"] and len(table) == len(rows), url


def test_the_api_serves_the_graph_a_later_ingest_wrote(tmp_path):
    """The issue: after `patnav ingest` into a database the API serves, /health said 277 patents while the
    graph held 757. Now the next requests answer from the new graph."""
    first, *rest = demo_files("icv")
    db = tmp_path / "db"
    patnav = str(Path(sys.executable).with_name("patnav"))
    env = {**os.environ, "PATNAV_HOME": str(tmp_path / "home")}
    subprocess.run([patnav, "ingest", str(first), "--db", str(db)], check=True, env=env, capture_output=True)
    with TestClient(create_app(_settings(tmp_path / "home", PATNAV_API_RECHECK="0"), db=db)) as client:
        before = client.get("/health").json()["patents"]
        trend_before = client.get("/api/indicators/trend").json()["rows"]
        subprocess.run([patnav, "ingest", *map(str, rest), "--db", str(db)], check=True, env=env, capture_output=True)
        after = client.get("/health").json()["patents"]
        trend_after = client.get("/api/indicators/trend").json()["rows"]
    with EmbeddedStore(db, read_only=True) as store:
        held = store.run("MATCH (p:Patent) RETURN count(p) AS n")["n"][0]
        tagged = store.run("MATCH (p:Patent)-[:IN_NODE]->(n:ChainNode) WHERE n.scheme = 'icv' "
                           "RETURN count(p) AS n")["n"][0]
    assert before < after == held
    assert sum(r["patents"] for r in trend_before) < sum(r["patents"] for r in trend_after) == tagged


def test_kept_replies_are_the_routes_own_and_gzip_only_when_asked(served):
    """The fast path answers a repeated GET with the bytes the route made (gzipped for clients that take it,
    plain for the others), the same as the first answer."""
    import gzip
    client, _, _ = served
    url = "/api/indicators/control_power"
    first = client.get(url, headers={"Accept-Encoding": "identity"})
    plain = client.get(url, headers={"Accept-Encoding": "identity"})
    packed = client.get(url, headers={"Accept-Encoding": "gzip"})
    assert first.status_code == plain.status_code == packed.status_code == 200
    assert "content-encoding" not in plain.headers and plain.content == first.content
    assert packed.headers["content-encoding"] == "gzip" and packed.content == first.content  # httpx inflates it
    assert len(gzip.compress(first.content)) < len(first.content) / 4
    other = client.get(url, params={"theta": 0.2}, headers={"Accept-Encoding": "identity"})
    assert other.status_code == 200 and other.content != first.content  # parameters are part of the key


def test_a_write_that_keeps_every_count_still_drops_the_kept_tables(demo_out, tmp_path):
    """Found by review: a re-ingest that only changes values (a title, a legal status) left the fingerprint
    as it was; on the embedded engine any change of the database files now counts."""
    import shutil as sh
    db = tmp_path / "db"
    sh.copytree(demo_out / "db", db)
    with TestClient(create_app(_settings(tmp_path / "home"), db=db)) as client:
        assert client.get("/api/indicators/trend").status_code == 200
        store = client.app.state.store
        before = store.generation
        assert client.get("/api/indicators/trend").status_code == 200 and store.generation == before  # kept
        script = ("import sys, pandas as pd; from graph.embedded_store import EmbeddedStore\n"
                  "with EmbeddedStore(sys.argv[1]) as s:\n"
                  "    pid = s.run('MATCH (p:Patent) RETURN p.id AS id ORDER BY id LIMIT 1')['id'][0]\n"
                  "    s.load_nodes('Patent', pd.DataFrame({'id': [pid], 'title': ['changed by another process']}))\n")
        subprocess.run([sys.executable, "-c", script, str(db)], check=True, cwd=Path(__file__).resolve().parents[1])
        assert client.get("/api/indicators/trend").status_code == 200 and store.generation == before + 1


def test_an_unreadable_token_store_is_a_503_that_names_no_file(tmp_path, demo_out):
    (tmp_path / "tokens.json").write_text("[1, 2]")
    with TestClient(create_app(_settings(tmp_path), db=demo_out / "db")) as client:
        answer = client.post("/api/cypher", json={"query": "RETURN 1 AS x"}, headers=_auth("pnv_x"))
    assert answer.status_code == 503 and str(tmp_path) not in answer.text
