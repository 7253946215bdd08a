"""Every indicator: identical on LadybugDB and Neo4j, and equal to an independent pandas computation.

The pandas side starts from the ingest output (deduplicated records, chain tags, applicant frame), not
from the graph or the Cypher, and recomputes each definition from its docstring. It runs on the
bundled sample and, when ../shared/data is present, on the full shared autonomous-driving corpus.
"""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import expected_direction
from analytics import direction
from analytics.cypher import names, run_query
from analytics.registry import INDICATORS
from api.workflow import demo_files
from graph.embedded_store import EmbeddedStore
from graph.neo4j_store import Neo4jStore
from ingest.load import load_graph
from ingest.names import name_key
from ingest.pipeline import ingest_files
from ontology.chains import load_chain

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data" / "exports"
CORPUS = [SHARED / "incopat" / f for f in ("通用自动驾驶_10000.xlsx", "福特自动驾驶INCO_7552.xlsx")] + [
    SHARED / "patentics" / f for f in ("WAYMO_全球1005.csv", "滴滴_全球4011.csv", "UBER_全球989.csv", "CRUISE全球500.csv",
                                       "LYFT_全球433.csv", "APTIV全球1435.csv", "AURORA全球30.csv",
                                       "ptics--autodriving--fleet.csv", "20220414--AN=阿波罗智行.csv")]
KEYS = {"filings_by_node_year": ["node", "year"], "top_applicants": ["node", "rank"],
        "concentration": ["node"], "applicant_countries": ["node", "rank"], "trend": ["node", "year"],
        "lifecycle": ["node"], "correlation": ["node"], "transfer": ["node", "window", "country"],
        "flows": ["node", "origin", "office"], "control_power": ["actor_type", "node", "actor"],
        "hotspots": ["kind", "key"], "direction_summary": ["topic", "text_en"]}


def expected(ingested) -> dict[str, pd.DataFrame]:
    """Every indicator recomputed with pandas from the ingest frames."""
    rec = ingested.records.set_index("id")
    tags = ingested.frames["IN_NODE"][["from", "to"]].rename(columns={"from": "id", "to": "node"})
    tags["unit"] = tags["id"].map(rec["family_id"].where(rec["family_id"].notna(), rec.index.to_series()))
    tags["year"] = tags["id"].map(rec["app_year"])
    filings = (tags.dropna(subset=["year"]).groupby(["node", "unit"])["year"].min().reset_index()
               .groupby(["node", "year"]).size().rename("filings").reset_index())
    apps = ingested.frames["APPLIED_BY"][["from", "to"]].rename(columns={"from": "id", "to": "applicant"})
    unit_apps = tags.merge(apps, on="id")[["node", "unit", "applicant"]].drop_duplicates()
    unit_apps["w"] = 1 / unit_apps.groupby(["node", "unit"])["applicant"].transform("size")
    per_app = unit_apps.groupby(["node", "applicant"]).agg(frac=("w", "sum"), units=("unit", "size")).reset_index()
    per_app["frac"] = per_app["frac"].round(9)  # ties rank alike on every engine (see analytics.direction.shares)
    per_app["share"] = per_app["frac"] / per_app.groupby("node")["frac"].transform("sum")
    names = ingested.frames["Applicant"].set_index("id")
    per_app["name"] = per_app["applicant"].map(names["name"])
    ranked = per_app.sort_values(["node", "frac", "applicant"], ascending=[True, False, True])
    ranked["rank"] = ranked.groupby("node").cumcount() + 1
    conc = ranked.groupby("node").agg(applicants=("share", "size"), cr4=("share", lambda s: s.head(4).sum()),
                                      hhi=("share", lambda s: (s ** 2).sum() * 1e4), units=("frac", "sum"))
    unit_apps["country"] = unit_apps["applicant"].map(names["country"]).fillna("")
    countries = unit_apps.groupby(["node", "country"])["w"].sum().round(9).rename("frac").reset_index()
    countries["share"] = countries["frac"] / countries.groupby("node")["frac"].transform("sum")
    countries = countries.sort_values(["node", "frac", "country"], ascending=[True, False, True])
    countries["rank"] = countries.groupby("node").cumcount() + 1
    per_year = tags.dropna(subset=["year"]).merge(apps, on="id", how="left")
    trend = per_year.groupby(["node", "year"]).agg(patents=("id", "nunique"), applicants=("applicant", "nunique"))
    trend["units"] = trend.index.map(filings.set_index(["node", "year"])["filings"]).fillna(0).astype(int)
    latest = max(d for d in ingested.records["pub_date"] if d is not None)
    last_complete = (pd.Timestamp(latest) - pd.DateOffset(months=18)).year - 1
    filings["complete"] = filings["year"] <= last_complete
    lifecycle = direction.lifecycle_table(filings)  # the fit itself is tested on synthetic curves
    rows = expected_direction.Rows(ingested, load_chain("icv"))
    return {"filings_by_node_year": filings, "top_applicants": ranked[ranked["rank"] <= 10],
            "concentration": conc.reset_index(), "applicant_countries": countries,
            "trend": trend.reset_index(), "lifecycle": lifecycle,
            "correlation": expected_direction.correlation(rows), "transfer": expected_direction.transfer(rows),
            "flows": expected_direction.flows(rows), "control_power": expected_direction.control_power(rows),
            "hotspots": expected_direction.hotspots(rows)}


def _same(got: pd.DataFrame, want: pd.DataFrame, keys: list[str], what: str) -> None:
    cols = [c for c in want.columns if c in got.columns]
    a = got[cols].sort_values(keys).reset_index(drop=True)
    b = want[cols].sort_values(keys).reset_index(drop=True)
    assert len(a) == len(b), f"{what}: {len(a)} rows vs {len(b)}"
    for c in cols:
        x, y = a[c], b[c]
        if pd.api.types.is_float_dtype(x) or pd.api.types.is_float_dtype(y):
            assert np.allclose(x.astype(float), y.astype(float), rtol=1e-9, atol=1e-9, equal_nan=True), f"{what}.{c}"
        else:
            assert x.astype(object).tolist() == y.astype(object).tolist(), f"{what}.{c}"


def _both_engines(tmp_path_factory, neo4j_credentials, ingested):
    embedded = EmbeddedStore(tmp_path_factory.mktemp("ind"))
    neo = Neo4jStore.connect(*neo4j_credentials)
    neo.reset()
    for s in (embedded, neo):
        load_graph(s, ingested.frames)
    return embedded, neo


def check_map_numbers(embedded, neo, ingested) -> None:
    """The chain-map and data-section numbers (chain_nodes, data_summary) against pandas."""
    rec = ingested.records.set_index("id")
    tags = ingested.frames["IN_NODE"][["from", "to"]].rename(columns={"from": "id", "to": "node"})
    tags["unit"] = tags["id"].map(rec["family_id"].where(rec["family_id"].notna(), rec.index.to_series()))
    want = tags.groupby("node").agg(units=("unit", "nunique"), patents=("id", "nunique"))
    chain = load_chain("icv")
    for store in (embedded, neo):
        nodes = run_query(store, "chain_nodes", scheme="icv").set_index("node")
        assert sorted(nodes.index) == sorted(c.id for c in chain.concepts)
        got = nodes[["units", "patents"]].astype(int)
        assert got.to_dict() == want.reindex(got.index, fill_value=0).astype(int).to_dict()
        assert nodes["parent"].dropna().to_dict() == {c.id: c.parent for c in chain.concepts if c.parent}
        summary = run_query(store, "data_summary", scheme="icv").iloc[0]
        assert int(summary["patents"]) == len(rec) and int(summary["classified"]) == tags["id"].nunique()
        units = rec["family_id"].where(rec["family_id"].notna(), rec.index.to_series()).nunique()
        assert int(summary["units"]) == units
        assert str(summary["latest_pub"]) == str(max(d for d in rec["pub_date"] if d is not None))


def check_indicators(embedded, neo, ingested) -> int:
    check_map_numbers(embedded, neo, ingested)
    want = expected(ingested)
    checked = 0
    for name, ind in INDICATORS.items():
        on_ladybug, on_neo4j = ind.run(embedded, "icv"), ind.run(neo, "icv")
        assert len(on_ladybug) > 0, name
        _same(on_ladybug, on_neo4j, KEYS[name], f"{name} ladybug vs neo4j")
        if name in want:  # the summary is text over these tables: checked in test_summary_cites_the_tables
            _same(on_ladybug, want[name], KEYS[name], f"{name} vs pandas")
        checked += 1
    return checked


@pytest.fixture(scope="module")
def sample_engines(tmp_path_factory, neo4j_credentials):
    ingested = ingest_files(demo_files("icv"), [load_chain("icv")])
    embedded, neo = _both_engines(tmp_path_factory, neo4j_credentials, ingested)
    yield embedded, neo, ingested
    embedded.close()
    neo.close()


def test_indicators_agree_on_both_engines_and_with_pandas(sample_engines):
    assert check_indicators(*sample_engines) == len(INDICATORS) == 12


def test_named_queries_run_the_same_on_both_engines(sample_engines):
    """Every .cypher file, raw rows, LadybugDB vs Neo4j (lists and nulls included)."""
    embedded, neo, _ = sample_engines
    ran = 0
    for name in names():
        a, b = run_query(embedded, name, scheme="icv"), run_query(neo, name, scheme="icv")
        assert list(a.columns) == list(b.columns) and len(a) == len(b) > 0, name
        for col in a.columns:
            left = a[col].map(lambda v: tuple(v) if isinstance(v, (list, np.ndarray)) else v).astype(object)
            right = b[col].map(lambda v: tuple(v) if isinstance(v, (list, np.ndarray)) else v).astype(object)
            if pd.api.types.is_float_dtype(a[col]) and pd.api.types.is_float_dtype(b[col]):
                assert np.allclose(a[col], b[col], equal_nan=True, rtol=1e-12), (name, col)
            else:
                same = [(x is None or x is pd.NA or x != x) and (y is None or y is pd.NA or y != y) or str(x) == str(y)
                        for x, y in zip(left, right)]
                assert all(same), (name, col)
        ran += 1
    assert ran == len(names()) >= 10


def test_completeness_flag_marks_the_publication_lag(sample_engines):
    embedded, _, ingested = sample_engines
    frame = INDICATORS["filings_by_node_year"].run(embedded, "icv")
    latest = max(d for d in ingested.records["pub_date"] if d is not None)
    last_complete = (pd.Timestamp(latest) - pd.DateOffset(months=18)).year - 1
    assert frame.loc[frame["complete"], "year"].max() <= last_complete
    assert not frame.loc[frame["year"] > last_complete, "complete"].any()


def test_shares_sum_to_one_and_hhi_is_on_the_10000_scale(sample_engines):
    embedded = sample_engines[0]
    conc = INDICATORS["concentration"].run(embedded, "icv")
    assert conc["hhi"].between(0, 10_000).all() and conc["cr4"].between(0, 1).all()
    countries = INDICATORS["applicant_countries"].run(embedded, "icv")
    assert np.allclose(countries.groupby("node")["share"].sum(), 1.0)


def test_name_keys_used_by_the_pandas_side_are_the_graph_keys(sample_engines):
    ingested = sample_engines[2]
    names = ingested.frames["Applicant"]
    assert (name_key(names["name"].astype(str)) == names["id"]).all()


@pytest.mark.corpus
def test_full_shared_corpus_same_on_both_engines_and_pandas(tmp_path_factory, neo4j_credentials):
    missing = [p.name for p in CORPUS if not p.exists()]
    if missing:
        pytest.skip(f"../shared/data is absent ({missing[0]} …): the corpus test needs the shared exports")
    ingested = ingest_files(CORPUS, [load_chain("icv")])
    assert ingested.report["patents"] > 30_000
    embedded, neo = _both_engines(tmp_path_factory, neo4j_credentials, ingested)
    try:
        assert check_indicators(embedded, neo, ingested) == len(INDICATORS)
    finally:
        embedded.close()
        neo.close()
