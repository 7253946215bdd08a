"""The first navigation run end to end: `patnav demo|ingest|analyze|query` and the HTTP API.

Everything goes through the real CLI (typer's runner) or the real app (FastAPI's test client) on the
real engines; the checks read the files and answers a person would see.
"""

import hashlib
import html
import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from analytics.pathways import PATHS
from analytics.pathways.graph import check_graph
from analytics.registry import INDICATORS

#: tables a zone given as an admin area leaves empty (they need a zone file's roster or peers)
WITHOUT_ZONE_FILE = {"positioning_roster", "positioning_peers"}
#: empty without enterprise market data (--market)
WITHOUT_MARKET = {"control_market", "market_matching"}
import expected_direction
import expected_ingest
from expected_direction import KEYS
from ingest.pipeline import ingest_files
from ontology.chains import load_chain
from api.app import create_app
from api.cli import app
from api.settings import Settings
from ontology.errors import QueryRejected
from api.workflow import demo_files

runner = CliRunner()
REMOTE = re.compile(r"""<(?:script|link|img|iframe)\b[^>]*\b(?:src|href)\s*=\s*["']?(?:https?:)?//""", re.I)


def test_demo_writes_an_offline_atlas(demo_out):
    index = (demo_out / "index.html").read_text(encoding="utf-8")
    chain_map = (demo_out / "maps" / "chain-icv.html").read_text(encoding="utf-8")
    growth_map = (demo_out / "maps" / "growth-icv.html").read_text(encoding="utf-8")
    for page in (index, chain_map, growth_map):
        assert not REMOTE.search(page), REMOTE.search(page).group(0)
    for figure in ("fig-trend", "fig-stage", "fig-control", "fig-flows"):
        assert f'id="{figure}"' in index, figure
    assert '"type":"sankey"' in index.replace(" ", "") and 'src="maps/growth-icv.html"' in index
    assert "CAGR" in growth_map and "产业发展方向结论" in index
    assert 'id="year-basis"' in index and "申请年 application" in index
    assert '<script src="assets/plotly.min.js">' in index and (demo_out / "assets" / "plotly.min.js").stat().st_size > 1e6
    assert 'src="maps/chain-icv.html"' in index and "智能网联汽车" in index
    assert "new vis.Network" in chain_map and "icv:U1.1" in chain_map
    assert json.dumps("激光雷达")[1:-1] in chain_map  # labels travel as JSON inside the page
    assert "SUPPLIES" in chain_map and "CR4" in chain_map
    for name in INDICATORS:
        # the demo's zone is an admin area: no roster and no peers, so those tables are their header only
        assert (demo_out / "tables" / f"{name}.csv").stat().st_size > (10 if name in WITHOUT_ZONE_FILE | WITHOUT_MARKET else 100)
        assert f'id="{name}"' in index
    zone = json.loads((demo_out / "run.json").read_text())["parameters"]["zone"]
    assert zone and f"区域产业发展定位 · {zone['name_zh']}" in index
    for figure in ("fig-position", "fig-zone_bars", "fig-china"):
        assert f'id="{figure}"' in index, figure
    quadrant_map = (demo_out / "maps" / "quadrant-icv.html").read_text(encoding="utf-8")
    assert not REMOTE.search(quadrant_map) and "new vis.Network" in quadrant_map
    quadrants = pd.read_csv(demo_out / "tables" / "positioning_nodes.csv", encoding="utf-8-sig")["quadrant"]
    labels = {"advantage": "优势", "potential": "潜力", "catch-up": "追赶", "weak": "薄弱", "gap": "空白"}
    for q in set(quadrants):  # each quadrant the table has is drawn with its label
        assert json.dumps(labels[q])[1:-1] in quadrant_map, q
    assert f"产业发展路径导航 · {zone['name_zh']}" in index
    for path in PATHS:  # each path: its table, its graph (sound) and its map, offline
        graph = json.loads((demo_out / "maps" / f"pathway-{path}.json").read_text(encoding="utf-8"))
        assert check_graph(graph) == [] and graph["zone"] == zone["id"], path
        rows = pd.read_csv(demo_out / "tables" / f"pathway_{path}.csv", encoding="utf-8-sig")
        assert {n["id"] for n in graph["nodes"]} >= ({f"{k}:{c}" for k, c in zip(rows["kind"], rows["candidate_id"])}
                                                     if path != "structure" else set(rows["node"])), path
        page = (demo_out / "maps" / f"pathway-{path}.html").read_text(encoding="utf-8")
        assert not REMOTE.search(page) and "new vis.Network" in page and f'id="pathway-{path}"' in index, path
    assert html.escape("MATCH (p:Patent)-[:IN_NODE]->(n:ChainNode)") in index  # each table shows its query
    assert (demo_out / "queries" / "node_applicant_shares.cypher").exists()


def test_run_json_totals_add_up_and_carry_provenance(demo_out):
    run = json.loads((demo_out / "run.json").read_text(encoding="utf-8"))
    t = run["totals"]
    assert t["rows_in"] == t["loaded"] + t["merged"] + t["rejected"]
    assert t["loaded"] > 1000 and run["graph"]["patents"] == t["loaded"]
    assert {f["name"] for f in run["inputs"]} == {p.name for p in demo_files("icv")}
    assert all(f["rows_in"] == f["loaded"] + f["merged"] + f["rejected"] for f in run["inputs"])
    files = {p.name: p for p in demo_files("icv")}
    assert {f["name"]: f["sha256"] for f in run["inputs"]} == {
        name: hashlib.sha256(path.read_bytes()).hexdigest() for name, path in files.items()}
    assert run["ontology"]["chain"]["scheme"] == "icv" and run["ontology"]["core"]
    assert run["software"]["patnav"] and run["engine"] == "ladybug" and run["parameters"]["scheme"] == "icv"
    assert 0 < run["graph"]["unclassified_share"] < 1
    assert sum(run["graph"]["year_basis"].values()) == run["graph"]["patents"]


def test_data_quality_fill_rates_are_the_files_own(demo_out):
    """The per-file fill rates in run.json and the atlas, recomputed from the sample files themselves
    (openpyxl / csv, not the ingest readers): application year and applicants among the usable rows."""
    import csv

    import openpyxl
    run = json.loads((demo_out / "run.json").read_text(encoding="utf-8"))
    rejects = pd.read_csv(demo_out / "db" / "rejects.csv") if (demo_out / "db" / "rejects.csv").exists() else None
    index = (demo_out / "index.html").read_text(encoding="utf-8")
    assert "数据质量 Data quality" in index
    for f, path in ((f, next(p for p in demo_files("icv") if p.name == f["name"])) for f in run["inputs"]):
        if path.suffix == ".csv":
            rows = list(csv.DictReader(path.open(encoding="utf-8-sig", newline="")))
            cells = [(r["申请日"].strip("0 "), r["申请人"].strip()) for r in rows]
        else:
            sheet = openpyxl.load_workbook(path, read_only=True).active
            values = list(sheet.iter_rows(values_only=True))
            col = {h: i for i, h in enumerate(values[0])}
            cells = [(str(r[col["申请日"]] or "").strip(), str(r[col["申请人"]] or "").strip()) for r in values[1:]]
        bad = set(rejects.loc[rejects["file"] == f["name"], "row"]) if rejects is not None else set()
        usable = [c for i, c in enumerate(cells, start=2) if i not in bad]
        fill = f["quality"]["fill"]
        assert fill["app_year"] == round(sum(bool(y) for y, _ in usable) / len(usable), 4), f["name"]
        assert fill["applicants"] == round(sum(bool(a) for _, a in usable) / len(usable), 4), f["name"]
        assert f"<td>{f['name']}</td>" in index and "{:.0%}".format(fill["app_year"]) in index


def test_an_official_scheme_without_stages_runs_through_ingest_and_atlas(tmp_path):
    """sei-2021 has industries, not stages: the map lays out one column per industry, nodes keep their
    codes, and the table counts match the IN_NODE tags in the graph."""
    db, out = tmp_path / "db", tmp_path / "out"
    files = [str(p) for p in demo_files("icv")]
    assert runner.invoke(app, ["ingest", *files, "--db", str(db), "--chain", "sei-2021"]).exit_code == 0
    result = runner.invoke(app, ["analyze", "--db", str(db), "--out", str(out), "--chain", "sei-2021"])
    assert result.exit_code == 0, result.output
    chain_map = (out / "maps" / "chain-sei-2021.html").read_text(encoding="utf-8")
    assert "sei-2021:1.1" in chain_map and "sei-2021:9.2" in chain_map
    index = (out / "index.html").read_text(encoding="utf-8")
    assert json.dumps("Upstream")[1:-1] not in index.split('id="trend"')[0]  # no stage legend
    tagged = runner.invoke(app, ["query", "--db", str(db), "--format", "json",
                                 "MATCH (p:Patent)-[:IN_NODE]->(n:ChainNode {id: 'sei-2021:1'}) "
                                 "RETURN count(DISTINCT p) AS n"])
    n = json.loads(tagged.stdout)[0]["n"]
    nodes = json.loads(re.search(r"nodes = new vis\.DataSet\((\[.*?\])\);", chain_map, re.S).group(1))
    tooltip = next(x["title"] for x in nodes if x["id"] == "sei-2021:1")
    assert n > 0 and f"专利 patents: {n:,}" in tooltip


def test_demo_again_changes_nothing(demo_out):
    before = json.loads((demo_out / "run.json").read_text())
    tables = {n: (demo_out / "tables" / f"{n}.csv").read_bytes() for n in INDICATORS}
    assert runner.invoke(app, ["demo", "--out", str(demo_out)]).exit_code == 0
    after = json.loads((demo_out / "run.json").read_text())
    assert after["totals"] == before["totals"] and after["graph"] == before["graph"]
    assert tables == {n: (demo_out / "tables" / f"{n}.csv").read_bytes() for n in INDICATORS}


def test_ingest_report_and_query_contract(tmp_path):
    db, report = tmp_path / "db", tmp_path / "report.json"
    files = [str(p) for p in demo_files("icv") if p.suffix == ".csv"][:2]
    result = runner.invoke(app, ["ingest", *files, "--db", str(db), "--chain", "icv", "--report", str(report)])
    assert result.exit_code == 0, result.output
    rep = json.loads(report.read_text())
    assert set(rep["total"]) == {"rows_in", "loaded", "merged", "rejected"}
    assert len(rep["files"]) == 2 and all({"rows_in", "loaded", "merged", "rejected", "rejects_path"} <= set(f)
                                          for f in rep["files"])
    assert Path(rep["rejects_path"]).exists()
    q = runner.invoke(app, ["query", "--db", str(db), "--format", "json",
                            "MATCH (p:Patent) RETURN p.source AS source, count(*) AS n ORDER BY source"])
    rows = json.loads(q.stdout)
    assert isinstance(rows, list) and all(set(r) == {"source", "n"} for r in rows)
    assert sum(r["n"] for r in rows) == rep["total"]["loaded"]
    # the coverage report is what the graph holds: patents per node, and the nodes nobody reached
    q = runner.invoke(app, ["query", "--db", str(db), "--format", "json",
                            "MATCH (p:Patent)-[:IN_NODE]->(n:ChainNode) RETURN n.code AS code, count(DISTINCT p) AS n"])
    in_graph = {r["code"]: r["n"] for r in json.loads(q.stdout)}
    cov = rep["chains"][0]["coverage"]
    assert {k: v for k, v in cov["nodes"].items() if v} == in_graph
    assert set(cov["empty_nodes"]) == set(cov["nodes"]) - set(in_graph)
    assert "nodes reached" in result.output
    out = tmp_path / "out"
    result = runner.invoke(app, ["analyze", "--db", str(db), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert json.loads((out / "run.json").read_text())["totals"] == rep["total"]


def test_bad_input_is_one_line_naming_the_file(tmp_path):
    bad = tmp_path / "notes.csv"
    bad.write_text("名称,日期\nx,1\n", encoding="utf-8")
    result = runner.invoke(app, ["ingest", str(bad), "--db", str(tmp_path / "db")])
    assert result.exit_code == 1 and "notes.csv" in result.output and "unknown export layout" in result.output
    assert "Traceback" not in result.output
    result = runner.invoke(app, ["ingest", str(bad), "--db", str(tmp_path / "db"), "--chain", "nochain"])
    assert result.exit_code == 1 and "no chain 'nochain'" in result.output


def same_csv(a: Path, b: Path, keys: list[str]) -> None:
    """Two written tables hold the same rows: text cells equal, numbers equal to 1e-9 (row order by ``keys``)."""
    left = pd.read_csv(a, keep_default_na=False, dtype=str, encoding="utf-8-sig")
    right = pd.read_csv(b, keep_default_na=False, dtype=str, encoding="utf-8-sig")
    assert list(left.columns) == list(right.columns), a.name
    assert len(left) == len(right) > (-1 if a.stem in WITHOUT_ZONE_FILE | WITHOUT_MARKET else 0), a.name
    left, right = (f.sort_values(keys).reset_index(drop=True) for f in (left, right))
    for col in left.columns:
        x, y = left[col], right[col]
        nx, ny = pd.to_numeric(x.where(x != ""), errors="coerce"), pd.to_numeric(y.where(y != ""), errors="coerce")
        if nx.notna().sum() == (x != "").sum() and nx.notna().any():
            assert np.allclose(nx.astype(float), ny.astype(float), rtol=1e-9, atol=1e-12, equal_nan=True), (a.name, col)
        else:
            assert x.tolist() == y.tolist(), (a.name, col)


@pytest.mark.neo4j
def test_ingest_and_analyze_on_neo4j_equal_the_embedded_run(tmp_path, neo4j_credentials, monkeypatch, demo_out):
    """`patnav ingest` + `analyze` on the Neo4j server write the same tables, value by value, and the same
    counts as the embedded demo run on the same files."""
    from graph.neo4j_store import Neo4jStore
    with Neo4jStore.connect(*neo4j_credentials) as store:
        store.reset()
    uri, user, password = neo4j_credentials
    for k, v in {"PATNAV_NEO4J_URI": uri, "PATNAV_NEO4J_USER": user, "PATNAV_NEO4J_PASSWORD": password,
                 "PATNAV_HOME": str(tmp_path / "home")}.items():
        monkeypatch.setenv(k, v)
    files = [str(p) for p in demo_files("icv")]
    result = runner.invoke(app, ["ingest", *files, "--neo4j"])
    assert result.exit_code == 0, result.output
    out = tmp_path / "out"
    zone = json.loads((demo_out / "run.json").read_text())["parameters"]["zone"]["id"]
    result = runner.invoke(app, ["analyze", "--neo4j", "--out", str(out), "--zone", zone])
    assert result.exit_code == 0, result.output
    run = json.loads((out / "run.json").read_text())
    embedded = json.loads((demo_out / "run.json").read_text())
    assert run["engine"] == "neo4j" and embedded["engine"] == "ladybug"
    assert run["graph"] == embedded["graph"] and run["totals"] == embedded["totals"]
    for name in INDICATORS:
        same_csv(out / "tables" / f"{name}.csv", demo_out / "tables" / f"{name}.csv", KEYS[name])


@pytest.fixture(scope="module")
def client(demo_out):
    api = create_app(Settings.from_env(), db=demo_out / "db", atlas=demo_out)
    with TestClient(api) as c:
        yield c


def test_api_health_and_docs(client):
    health = client.get("/health").json()
    assert health["status"] == "ok" and health["engine"] == "ladybug" and health["patents"] > 1000
    spec = client.get("/openapi.json").json()
    assert {"/api/indicators", "/api/indicators/{name}", "/api/chain/{scheme}/map", "/health"} <= set(spec["paths"])
    assert client.get("/docs").status_code == 200


@pytest.fixture(scope="module")
def oracle():
    """Every table recomputed in pandas from the demo's ingest output (tests/expected_direction.py)."""
    return expected_direction.expected(ingest_files(demo_files("icv"), [load_chain("icv")]), load_chain("icv"))


def test_api_indicators_equal_the_pandas_oracle(client, oracle, demo_out):
    listed = client.get("/api/indicators").json()
    assert [i["name"] for i in listed] == list(INDICATORS) and all(i["doc"] and i["title_zh"] for i in listed)
    served = {}
    direction = [n for n, i in INDICATORS.items() if i.module == "direction"]
    for name in direction:
        body = client.get(f"/api/indicators/{name}").json()
        served[name] = pd.DataFrame(body["rows"], columns=body["columns"])
        assert len(served[name]) > 0 or name in WITHOUT_MARKET, name
    # all but the summary and the market tables (no market data here: tests/test_history.py)
    assert expected_direction.check_tables(served, oracle, "api") == len(direction) - 1 - len(WITHOUT_MARKET)
    summary = pd.read_csv(demo_out / "tables" / "direction_summary.csv", encoding="utf-8-sig")
    assert served["direction_summary"]["text_en"].tolist() == summary["text_en"].tolist()  # text over the tables above
    missing = client.get("/api/indicators/nope")
    assert missing.status_code == 404 and "known: filings_by_node_year" in missing.json()["detail"]


def test_api_zone_positioning_serves_the_tables_the_atlas_wrote(client, demo_out):
    """/api/zones/{zone}/positioning/{table} for the demo's zone equals the atlas's CSV, by code and by
    name; an unknown zone or table is a 404 that says what is known."""
    zone = json.loads((demo_out / "run.json").read_text())["parameters"]["zone"]
    for name in ("positioning_nodes", "positioning_enterprises", "positioning_regions"):
        for spec in (zone["id"], zone["name_zh"]):
            body = client.get(f"/api/zones/{spec}/positioning/{name.removeprefix('positioning_')}").json()
            assert body["zone"]["id"] == zone["id"], spec
            served = pd.DataFrame(body["rows"], columns=body["columns"]).replace("", None)  # CSV reads "" as empty
            written = pd.read_csv(demo_out / "tables" / f"{name}.csv", encoding="utf-8-sig",
                                  dtype={"code": str, "applicant": str})
            assert len(served) == len(written) > 0, name
            expected_direction.same(served.astype({c: written[c].dtype for c in written.columns if
                                                   written[c].dtype == object or str(written[c].dtype) == "str"}),
                                    written, KEYS[name], f"api {name} {spec}")
    unknown = client.get("/api/zones/Atlantis/positioning/nodes")
    assert unknown.status_code == 404 and "not the name or code" in unknown.json()["detail"]
    table = client.get(f"/api/zones/{zone['id']}/positioning/nope")
    assert table.status_code == 404 and "known: nodes, coverage" in table.json()["detail"]


def test_api_zone_pathways_serve_the_tables_and_graphs_the_atlas_wrote(client, demo_out):
    """/api/zones/{zone}/pathways/{path} equals the atlas's CSV; its graph JSON is sound and draws every row;
    format=html is the offline map; an unknown path is a 404 that lists the known ones."""
    zone = json.loads((demo_out / "run.json").read_text())["parameters"]["zone"]
    for path in PATHS:
        body = client.get(f"/api/zones/{zone['id']}/pathways/{path}").json()
        served = pd.DataFrame(body["rows"], columns=body["columns"])
        written = pd.read_csv(demo_out / "tables" / f"pathway_{path}.csv", encoding="utf-8-sig", keep_default_na=False)
        assert list(served.columns) == list(written.columns) and len(served) == len(written), path
        assert served["candidate_id"].astype(str).tolist() == written["candidate_id"].astype(str).tolist(), path
        assert np.allclose(served["score"].astype(float), written["score"].astype(float)), path
        graph = client.get(f"/api/zones/{zone['id']}/pathways/{path}/graph").json()
        assert check_graph(graph) == [] and all(e["reason_zh"] and e["reason_en"] for e in graph["edges"]), path
        assert graph == json.loads((demo_out / "maps" / f"pathway-{path}.json").read_text(encoding="utf-8")), path
        page = client.get(f"/api/zones/{zone['id']}/pathways/{path}/graph", params={"format": "html"})
        assert page.headers["content-type"].startswith("text/html") and not REMOTE.search(page.text), path
    missing = client.get(f"/api/zones/{zone['id']}/pathways/nope")
    assert missing.status_code == 404 and "known: structure, enterprises" in missing.json()["detail"]


def test_api_zone_plan_serves_the_table_the_atlas_wrote(client, demo_out):
    zone = json.loads((demo_out / "run.json").read_text())["parameters"]["zone"]
    for table, name in (("plan", "plan"), ("offices", "plan_offices")):
        body = client.get(f"/api/zones/{zone['id']}/plan", params={"table": table}).json()
        served = pd.DataFrame(body["rows"], columns=body["columns"])
        written = pd.read_csv(demo_out / "tables" / f"{name}.csv", encoding="utf-8-sig", keep_default_na=False)
        assert list(served.columns) == list(written.columns) and len(served) == len(written) > 0, table
        number = "target_units" if table == "plan" else "office_units"
        assert np.allclose(served[number].astype(float), written[number].astype(float)), table
    assert client.get("/api/zones/nowhere-at-all/plan").status_code == 404


def test_api_indicator_parameters(client):
    plain = pd.DataFrame(client.get("/api/indicators/control_power").json()["rows"])
    tech = pd.DataFrame(client.get("/api/indicators/control_power", params={"control_weights": "1,0,0"}).json()["rows"])
    assert np.allclose(tech["index"], tech["technology_control"]) and not np.allclose(plain["index"], plain["technology_control"])
    bad = client.get("/api/indicators/control_power", params={"control_weights": "1,2"})
    assert bad.status_code == 422 and "control_weights takes three" in bad.json()["detail"][0]["msg"]


def test_api_growth_map(client):
    page = client.get("/api/chain/icv/map", params={"colour": "growth"})
    assert page.status_code == 200 and "CAGR" in page.text and not REMOTE.search(page.text)
    assert client.get("/api/chain/icv/map", params={"colour": "rainbow"}).status_code == 422


def test_api_chain_map_and_static_atlas(client):
    page = client.get("/api/chain/icv/map")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "new vis.Network" in page.text and not REMOTE.search(page.text)
    assert client.get("/api/chain/nope/map").status_code == 404
    atlas = client.get("/atlas/")
    assert atlas.status_code == 200 and "产业链专利导航图" in atlas.text
    assert client.get("/atlas/run.json").json()["totals"]["loaded"] > 1000
    assert client.get("/", follow_redirects=False).headers["location"] == "/atlas/"


def _digest(folder: Path) -> dict[str, str]:
    import hashlib
    return {str(f.relative_to(folder)): hashlib.sha256(f.read_bytes()).hexdigest()
            for f in sorted(folder.rglob("*")) if f.is_file()}


def test_api_store_is_read_only_and_leaves_the_database_as_it_was(demo_out, tmp_path):
    """Every GET route served, then the database folder is byte-identical; a write through the app's own
    store is refused; the time limit set in PATNAV_QUERY_TIMEOUT bounds the app's queries."""
    db = tmp_path / "db"
    import shutil
    shutil.copytree(demo_out / "db", db)
    before = _digest(db)
    settings = Settings.from_env({"PATNAV_QUERY_TIMEOUT": "1.5"})
    with TestClient(create_app(settings, db=db, atlas=demo_out)) as c:
        paths = {p for p, item in c.get("/openapi.json").json()["paths"].items() if "get" in item}
        assert paths == {"/health", "/api/indicators", "/api/indicators/{name}", "/api/chain/{scheme}/map",
                         "/api/chain/{scheme}/control-history",
                         "/api/zones/{zone}/positioning/{table}", "/api/zones/{zone}/pathways/{path}",
                         "/api/zones/{zone}/pathways/{path}/graph", "/api/zones/{zone}/plan"}, \
            "a new GET route: request it below too"
        for table in ("plan", "offices"):
            assert c.get("/api/zones/110000/plan", params={"table": table}).status_code == 200, table
        for path in PATHS:
            assert c.get(f"/api/zones/110000/pathways/{path}").status_code == 200, path
            for fmt in ("json", "html"):
                assert c.get(f"/api/zones/110000/pathways/{path}/graph", params={"format": fmt}).status_code == 200
        assert c.get("/api/indicators").status_code == 200
        for name in INDICATORS:
            assert c.get(f"/api/indicators/{name}").status_code == 200, name
            if INDICATORS[name].module == "positioning":
                assert c.get(f"/api/zones/110000/positioning/{name}").status_code == 200, name
        for colour in ("stage", "growth"):
            assert c.get("/api/chain/icv/map", params={"colour": colour}).status_code == 200
        for fmt in ("json", "html"):
            assert c.get("/api/chain/icv/control-history", params={"format": fmt}).status_code == 200
        assert c.get("/health").status_code == 200 and c.get("/atlas/").status_code == 200
        guarded = c.app.state.store
        assert guarded.store.limits.timeout_s == 1.5
        with pytest.raises(QueryRejected, match="write queries are not allowed"):  # the engine's read mode
            guarded.run(lambda s: s.run("MATCH (p:Patent) SET p.title = 'x' RETURN count(p) AS n"))
        from ontology.errors import StoreError
        with pytest.raises(StoreError, match="time limit"):
            guarded.run(lambda s: s.run("UNWIND range(1, 3000) AS a UNWIND range(1, 3000) AS b UNWIND range(1, 3000) "
                                        "AS c WITH a, b, c WHERE (a * b + c) % 7919 = 1 RETURN count(*) AS n"))
    assert _digest(db) == before


def test_patnav_serve_answers_over_real_http(demo_out, oracle):
    """`patnav serve` in its own process: the patents it reports are those counted from the sample files
    themselves, and the tables it serves equal the pandas oracle."""
    import socket
    import subprocess
    import sys
    import time

    import httpx

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    cli = Path(sys.executable).with_name("patnav")
    proc = subprocess.Popen([str(cli), "serve", "--db", str(demo_out / "db"), "--atlas", str(demo_out),
                             "--port", str(port)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        for _ in range(100):
            try:
                health = httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).json()
                break
            except httpx.TransportError:
                time.sleep(0.2)
        else:
            raise AssertionError(proc.stdout.read1().decode() if proc.poll() is not None else "no answer")
        assert health["status"] == "ok" and health["patents"] == expected_ingest.ledger(demo_files("icv")).loaded
        for name in ("trend", "concentration", "control_power"):
            body = httpx.get(f"http://127.0.0.1:{port}/api/indicators/{name}", timeout=60).json()
            served = pd.DataFrame(body["rows"], columns=body["columns"])
            expected_direction.same(served, oracle[name], KEYS[name], f"http {name}")
        page = httpx.get(f"http://127.0.0.1:{port}/atlas/index.html")
        assert page.status_code == 200 and page.text == (demo_out / "index.html").read_text(encoding="utf-8")
    finally:
        proc.terminate()
        proc.wait(timeout=10)
