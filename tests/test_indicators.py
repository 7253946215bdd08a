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
from expected_direction import KEYS
from analytics.cypher import Memo, names, run_query
from analytics.options import Options
from analytics.registry import INDICATORS

#: module 1's tables (module 2's need a zone: tests/test_positioning.py)
DIRECTION = {n: i for n, i in INDICATORS.items() if i.module == "direction"}
#: empty without enterprise market data (--market): recomputed in tests/test_history.py
MARKET = ("control_market", "market_matching")
from api.workflow import demo_files
from graph.embedded_store import EmbeddedStore
from graph.neo4j_store import Neo4jStore
from ingest.load import load_graph
from ingest.pipeline import ingest_files
from ontology.chains import load_chain

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data" / "exports"
CORPUS = [SHARED / "incopat" / f for f in ("通用自动驾驶_10000.xlsx", "福特自动驾驶INCO_7552.xlsx")] + [
    SHARED / "patentics" / f for f in ("WAYMO_全球1005.csv", "滴滴_全球4011.csv", "UBER_全球989.csv", "CRUISE全球500.csv",
                                       "LYFT_全球433.csv", "APTIV全球1435.csv", "AURORA全球30.csv",
                                       "ptics--autodriving--fleet.csv", "20220414--AN=阿波罗智行.csv")]


def _both_engines(tmp_path_factory, neo4j_credentials, ingested):
    embedded = EmbeddedStore(tmp_path_factory.mktemp("ind"))
    neo = Neo4jStore.connect(*neo4j_credentials)
    neo.reset()
    for s in (embedded, neo):
        load_graph(s, ingested.frames)
    return embedded, neo


def check_map_numbers(embedded, neo, ingested, scheme: str = "icv") -> None:
    """The chain-map and data-section numbers (chain_nodes, data_summary) against pandas."""
    rec = ingested.records.set_index("id")
    tags = ingested.frames.get("IN_NODE", pd.DataFrame(columns=["from", "to"]))
    tags = tags[tags["to"].astype(str).str.startswith(f"{scheme}:")]
    tags = tags[["from", "to"]].rename(columns={"from": "id", "to": "node"})
    tags["unit"] = tags["id"].map(rec["family_id"].where(rec["family_id"].notna(), rec.index.to_series()))
    want = tags.groupby("node").agg(units=("unit", "nunique"), patents=("id", "nunique"))
    chain = load_chain(scheme)
    for store in (embedded, neo):
        nodes = run_query(store, "chain_nodes", scheme=scheme).set_index("node")
        assert sorted(nodes.index) == sorted(c.id for c in chain.concepts)
        got = nodes[["units", "patents"]].astype(int)
        assert got.to_dict() == want.reindex(got.index, fill_value=0).astype(int).to_dict()
        assert nodes["parent"].dropna().to_dict() == {c.id: c.parent for c in chain.concepts if c.parent}
        summary = run_query(store, "data_summary", scheme=scheme).iloc[0]
        assert int(summary["patents"]) == len(rec) and int(summary["classified"]) == tags["id"].nunique()
        units = rec["family_id"].where(rec["family_id"].notna(), rec.index.to_series()).nunique()
        assert int(summary["units"]) == units
        dates = [d for d in rec["pub_date"] if d is not None and not pd.isna(d)]
        assert (str(summary["latest_pub"]) == str(max(dates))) if dates else pd.isna(summary["latest_pub"])


def check_indicators(embedded, neo, ingested, scheme: str = "icv", options: Options | None = None,
                     nonempty: bool = True, history: bool = True) -> int:
    """Every indicator on both engines, equal to each other and (all but the summary) to the oracle;
    returns how many indicators were compared across the engines."""
    check_map_numbers(embedded, neo, ingested, scheme)
    want = expected_direction.expected(ingested, load_chain(scheme), options, history=history)
    tables = {}
    # each engine's reads once per check, as a run makes them (analytics.run wraps the store in a Memo)
    runs = Memo(embedded), Memo(neo)
    for name, ind in DIRECTION.items():
        on_ladybug, on_neo4j = (ind.run(run, scheme, options) for run in runs)
        assert len(on_ladybug) > 0 or not nonempty or (name in MARKET and getattr(options, "market", None) is None), name
        expected_direction.same(on_ladybug, on_neo4j, KEYS[name], f"{name} ladybug vs neo4j")
        tables[name] = on_ladybug
    # all but the summary and the market tables (and, without ``history``, the per-window tables)
    assert expected_direction.check_tables(tables, want, scheme) == len(DIRECTION) - 1 - len(MARKET) - 2 * (not history)
    return len(tables)


@pytest.fixture(scope="module")
def sample_engines(tmp_path_factory, neo4j_credentials):
    ingested = ingest_files(demo_files("icv"), [load_chain("icv")])
    embedded, neo = _both_engines(tmp_path_factory, neo4j_credentials, ingested)
    yield embedded, neo, ingested
    embedded.close()
    neo.close()


def test_indicators_agree_on_both_engines_and_with_pandas(sample_engines):
    assert check_indicators(*sample_engines) == len(DIRECTION) == 16


def test_indicators_agree_at_other_parameters(sample_engines):
    """θ, the control weights, market weights and the window reach every table that uses them, on both
    engines and in the oracle alike (the control index and the windows do change)."""
    other = Options(theta=0.02, control_weights=(1.0, 2.0, 0.5), market_weights={"US": 3.0, "CN": 0.5}, window=3)
    assert check_indicators(*sample_engines, options=other) == len(DIRECTION)
    embedded = sample_engines[0]
    base, moved = (INDICATORS[n].run(embedded, "icv", o) for n, o in (("control_power", None),
                                                                   ("control_power", other)))
    assert not np.allclose(base["index"].head(20), moved["index"].head(20))
    windows = INDICATORS["transfer"].run(embedded, "icv", other)
    spans = sorted(set(zip(windows["start"], windows["end"])))
    assert len(spans) == 4 and all(b - a == 2 for a, b in spans[1:])  # the oldest reaches back to the first year


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


#: hand-labelled from the bundled sample's applicant columns: spellings of one applicant, and applicants
#: that share words but are different organisations or people
SAME = [["Waymo LLC", "WAYMO LLC", "Waymo Llc", "Waymo LLC."], ["Lyft, Inc.", "LYFT INC", "Lyft"],
        ["GM Cruise Holdings LLC", "GM CRUISE HOLDINGS LLC", "GM Cruise Holdings, LLC"],
        ["Beijing DiDi Infinity Technology and Development Co., Ltd.",
         "BEIJING DIDI INFINITY TECHNOLOGY & DEVELOPMENT CO LTD"],
        ["滴图(北京)科技有限公司", "滴图（北京）科技有限公司"], ["Texas Instruments Incorporated", "TEXAS INSTRUMENTS INC"]]
APART = [["Cruise Llc", "GM Cruise Holdings LLC", "Gregory M. Cruise", "STX FINLAND CRUISE OY"],
         ["Ford Motor Company", "Ford Global Technologies Llc"],
         ["DiDi Research America, LLC", "Beijing DiDi Infinity Technology and Development Co., Ltd."]]


def test_applicant_nodes_follow_hand_labelled_name_groups(sample_engines):
    """In the graph of both engines, the spellings of one applicant are variants of one Applicant node,
    and different organisations that share words are different nodes."""
    for store in sample_engines[:2]:
        rows = store.run("MATCH (a:Applicant) RETURN a.id AS id, a.name_variants AS variants")
        node_of = {v: i for i, vs in zip(rows["id"], rows["variants"]) if isinstance(vs, list) for v in vs}
        for names in SAME:
            assert all(n in node_of for n in names), [n for n in names if n not in node_of]
            assert len({node_of[n] for n in names}) == 1, names
        for names in APART:
            assert len({node_of[n] for n in names}) == len(names), names


@pytest.mark.corpus
def test_full_shared_corpus_same_on_both_engines_and_pandas(tmp_path_factory, neo4j_credentials):
    missing = [p.name for p in CORPUS if not p.exists()]
    if missing:
        pytest.skip(f"../shared/data is absent ({missing[0]} …): the corpus test needs the shared exports")
    ingested = ingest_files(CORPUS, [load_chain("icv")])
    assert ingested.report["patents"] > 30_000
    embedded, neo = _both_engines(tmp_path_factory, neo4j_credentials, ingested)
    try:
        # the per-window tables' oracle runs on the sample and the VR/AR exports (tests/test_history.py)
        assert check_indicators(embedded, neo, ingested, history=False) == len(DIRECTION)
    finally:
        embedded.close()
        neo.close()
