"""The direction module's own behaviour: options, economic data, the summary's numbers, the CLI flags.

Cross-engine and pandas agreement of every table is in test_indicators.py; these run on the embedded
engine over the bundled sample.
"""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.stats import spearmanr
from typer.testing import CliRunner

from analytics.cypher import run_query
from analytics.frames import CHAIN
from analytics.options import Options, read_economic
from analytics.registry import INDICATORS
from analytics.run import analyze as run_indicators
import expected_direction
from api import workflow
from api.cli import app
from api.workflow import demo_files
from graph.embedded_store import EmbeddedStore
from ingest.load import load_graph
from ingest.pipeline import ingest_files
from ontology.chains import load_chain
from ontology.errors import IngestError, PatNavError

runner = CliRunner()
FORMATS = Path(__file__).parent / "data" / "formats"


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    ingested = ingest_files(demo_files("icv"), [load_chain("icv")])
    s = EmbeddedStore(tmp_path_factory.mktemp("dir"))
    load_graph(s, ingested.frames)
    yield s
    s.close()


@pytest.fixture(scope="module")
def economic_csv(tmp_path_factory):
    """Output value for the level-2 nodes, by code; deliberately rank-ordered by node code."""
    chain = load_chain("icv")
    rows = [(c.code, 100.0 * (i + 1)) for i, c in enumerate(sorted(
        (c for c in chain.concepts if c.level == 2), key=lambda c: c.code))]
    path = tmp_path_factory.mktemp("econ") / "output.csv"
    pd.DataFrame(rows, columns=["node", "output_value"]).to_csv(path, index=False)
    return path


def test_control_index_is_the_weighted_sum_and_weights_change_it(store):
    base = INDICATORS["control_power"].run(store, "icv")
    parts = base[["technology_control", "product_control", "market_control"]].to_numpy()
    assert np.allclose(parts @ np.array([0.4, 0.3, 0.3]), base["index"], atol=1e-8)
    assert base[["technology_control", "product_control", "market_control"]].stack().between(0, 1).all()
    tech_only = INDICATORS["control_power"].run(store, "icv", Options(control_weights=(1, 0, 0)))
    assert np.allclose(tech_only["index"], tech_only["technology_control"])
    whole = base[(base["node"] == CHAIN) & (base["actor_type"] == "country")]
    assert whole["rank"].max() < 50  # every country is listed, so their technology control sums to 1
    assert whole["technology_control"].sum() == pytest.approx(1.0)


def test_market_weights_shift_market_control_towards_the_weighted_office(store):
    plain = INDICATORS["control_power"].run(store, "icv")
    heavy = INDICATORS["control_power"].run(store, "icv", Options(market_weights={"CN": 10.0}))
    pick = lambda f: f[(f["node"] == CHAIN) & (f["actor_type"] == "country")].set_index("actor")["market_control"]
    assert pick(heavy)["CN"] > pick(plain)["CN"] and pick(heavy)["US"] < pick(plain)["US"]


def test_summary_cites_the_numbers_of_its_tables(store):
    summary = INDICATORS["direction_summary"].run(store, "icv")
    hot = INDICATORS["hotspots"].run(store, "icv")
    nodes = run_query(store, "chain_nodes", scheme="icv").set_index("node")
    top = hot[(hot["kind"] == "node") & (hot["rank"] == 1)].iloc[0]
    tech = summary[summary["topic"] == "technology"]["text_en"].iloc[0]
    assert nodes.loc[top["key"], "name_en"] in tech
    assert f"{int(top['value_start'])} → {int(top['value_end'])} units, {top['cagr']:.1%} a year" in tech
    office = hot[(hot["kind"] == "office") & (hot["rank"] == 1)].iloc[0]
    market = summary[summary["topic"] == "market"]["text_en"].iloc[0]
    assert f"{office['key']} ({office['share_before']:.1%} → {office['share_after']:.1%})" in market
    assert {"structure", "technology", "market", "lifecycle", "control", "supply_demand"} <= set(summary["topic"])
    assert summary["text_zh"].str.len().min() > 10 and summary["evidence"].str.contains(".csv").all()
    assert "No economic data" in " ".join(summary["text_en"])


def test_economic_data_gives_the_rank_correlation(store, economic_csv):
    options = Options(economic=read_economic(economic_csv), economic_source=str(economic_csv))
    corr = INDICATORS["correlation"].run(store, "icv", options)
    have = corr.dropna(subset=["output_value"])
    assert len(have) == sum(1 for c in load_chain("icv").concepts if c.level == 2)
    rho = spearmanr(have["share"], have["output_value"])[0]
    summary = INDICATORS["direction_summary"].run(store, "icv", options)
    text = summary[summary["topic"] == "supply_demand"]["text_en"]
    assert any(f"output_value: ρ = {rho:.2f}" in t for t in text) and "No economic data" not in " ".join(text)


def test_bad_economic_data_names_file_row_and_column(store, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("node,output_value\nU1,12\nM1,lots\n", encoding="utf-8")
    with pytest.raises(IngestError) as err:
        read_economic(bad)
    assert err.value.row == 3 and err.value.column == "output_value" and "bad.csv" in str(err.value)
    unknown = tmp_path / "unknown.csv"
    unknown.write_text("node,output_value\nZ9,12\n", encoding="utf-8")
    with pytest.raises(PatNavError, match="Z9"):
        INDICATORS["correlation"].run(store, "icv", Options(economic=read_economic(unknown)))


def test_cli_analyze_takes_the_options_and_records_them(tmp_path, economic_csv):
    db = tmp_path / "db"
    ingest = runner.invoke(app, ["ingest", *map(str, demo_files("icv")), "--db", str(db), "--chain", "icv"])
    assert ingest.exit_code == 0, ingest.output
    out = tmp_path / "atlas"
    result = runner.invoke(app, ["analyze", "--db", str(db), "--out", str(out), "--economic", str(economic_csv),
                                 "--market-weights", "US=2,cn=1.5", "--control-weights", "1,1,2", "--theta", "0.1"])
    assert result.exit_code == 0, result.output
    params = json.loads((out / "run.json").read_text(encoding="utf-8"))["parameters"]
    assert params["market_weights"] == {"US": 2.0, "CN": 1.5} and params["control_weights"] == [1.0, 1.0, 2.0]
    assert params["theta"] == 0.1 and params["economic"] == str(economic_csv)
    corr = pd.read_csv(out / "tables" / "correlation.csv", encoding="utf-8-sig")
    assert corr["output_value"].notna().sum() > 3
    bad = runner.invoke(app, ["analyze", "--db", str(db), "--out", str(out), "--control-weights", "1,2"])
    assert bad.exit_code != 0 and "three numbers" in bad.output
    with EmbeddedStore(db) as graph:
        want = expected_direction.from_graph_tuples(graph)
    for name, keys in (("trend", ["node", "year"]), ("concentration", ["node"])):
        got = pd.read_csv(out / "tables" / f"{name}.csv", encoding="utf-8-sig").sort_values(keys).reset_index(drop=True)
        exp = want[name].sort_values(keys).reset_index(drop=True)
        assert got[keys].astype(str).equals(exp[keys].astype(str)), name
        for col in exp.columns.difference(keys):
            assert np.allclose(got[col], exp[col].astype(float), rtol=1e-9, atol=1e-9), (name, col)
    tables = {p.stem for p in (out / "tables").glob("*.csv")}
    assert {"trend", "lifecycle", "concentration", "transfer", "control_power", "hotspots"} <= tables


#: hand-read from each fixture: patents (rows less same-application merges: the EPO file holds
#: EP2533477A1 and B1), patents the sei-2021 table tags (B64C31, B60R9, H01J1 and B64U are in none of its
#: rules), first and last counting year — the earliest priority date where the file gives one (Lens's
#: Earliest Priority Date; the USPTO files' CH, JP and NO priority claims), else the application date,
#: else (PatentsView's sample has no g_application) the publication date
FIXTURES = {
    "derwent/derwent-cn.xls": (6, 6, 2022, 2022),
    "epo-ops/biblio-3.xml": (2, 2, 2010, 2011),
    "lens/lens-3.csv": (3, 3, 2014, 2018),
    "patentics-xlsx/address.xlsx": (2, 2, 2022, 2022),
    "patentics-xlsx/patentics-header.xlsx": (2, 2, 2017, 2020),
    "patentics-xlsx/title-row.xlsx": (2, 2, 2018, 2020),
    "patsnap/patsnap-1.xlsx": (1, 0, 2013, 2013),
    "sql/cnipa-3.sql": (3, 2, 2021, 2022),
    "uspto/application-2004.xml": (1, 1, 2001, 2001),
    "uspto/aps-1976.greenbook": (1, 0, 1974, 1974),
    "uspto/brs-2.txt": (2, 2, 2012, 2014),
    "uspto/pap-2001.xml": (1, 0, 1999, 1999),
    "uspto/st32-grant.xml": (1, 1, 1997, 1997),
    "uspto/weekly-2-grants.xml": (2, 2, 2001, 2012),
    "patentsview": (3, 3, 2018, 2021),
}


def test_every_format_fixture_is_listed():
    found = {p.relative_to(FORMATS).as_posix() for p in FORMATS.glob("*/*") if p.parent.name != "patentsview"}
    assert found | {"patentsview"} == set(FIXTURES) and len(FIXTURES) == 15


@pytest.mark.parametrize("fixture", sorted(FIXTURES))
def test_every_format_fixture_analyses_to_the_oracle(make_store, tmp_path, fixture):
    """Tiny and odd inputs (no families, no citations, no years, nothing classified): the graph holds the
    hand-read numbers, and every table equals the pandas oracle, on both engines."""
    patents, tagged, first, last = FIXTURES[fixture]
    chain = load_chain("sei-2021")
    ingested = ingest_files([FORMATS / fixture], [chain])
    with make_store() as graph:
        load_graph(graph, ingested.frames)
        summary = run_query(graph, "data_summary", scheme="sei-2021").iloc[0]
        assert (int(summary["patents"]), int(summary["classified"])) == (patents, tagged)
        years = (None if pd.isna(summary["first_year"]) else int(summary["first_year"]),
                 None if pd.isna(summary["last_year"]) else int(summary["last_year"]))
        assert years == (first, last)
        tables = run_indicators(graph, "sei-2021").tables
        assert expected_direction.check_tables(tables, expected_direction.expected(ingested, chain), fixture) == 13
        dated_tags = expected_direction.Rows(ingested, chain).unit_years()
        assert int(tables["filings_by_node_year"]["filings"].sum()) == len(dated_tags) - len(dated_tags.loc["*"]) \
            if len(dated_tags) else tables["filings_by_node_year"].empty
        run = workflow.analyze(graph, tmp_path, tmp_path / "out", "sei-2021", report=False)  # the atlas is checked here
    assert len(run["tables"]) == len(INDICATORS) and (tmp_path / "out" / "maps" / "growth-sei-2021.html").exists()


def test_api_keeps_tables_until_the_graph_changes(make_store):
    """On both engines: the fingerprint query runs, a second request reuses, a load invalidates."""
    from api.app import _Guarded
    files = demo_files("icv")
    with make_store() as graph:
        load_graph(graph, ingest_files(files[:1], [load_chain("icv")]).frames)
        guarded = _Guarded(graph)
        first = guarded.cached(INDICATORS["trend"].run, "icv")
        memo = guarded.memo
        assert guarded.cached(INDICATORS["trend"].run, "icv").equals(first) and guarded.memo is memo
        load_graph(graph, ingest_files(files, [load_chain("icv")]).frames)
        fresh = guarded.cached(INDICATORS["trend"].run, "icv")
        assert guarded.memo is not memo and fresh["patents"].sum() > first["patents"].sum()
        assert fresh.equals(INDICATORS["trend"].run(graph, "icv"))
