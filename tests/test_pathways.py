"""Module 3, development pathways, on the shared VR/AR exports with a city chosen when the test runs
(``conftest.city``): legal state and expiry against the exports' own cells, the structure items against
the position matrix, the attraction score against an independent computation from the graph's tuples,
every reason's numbers against its evidence, the pathway graphs' shape, and both engines.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import expected_pathways
import expected_positioning
from conftest import VR
from expected_direction import KEYS, last_complete, same
from analytics.cypher import Memo
from analytics.options import Options
from analytics.pathways import COLUMNS, PATHS
from analytics.pathways.graph import check_graph, pathway_graph
from analytics.pathways.inputs import roots
from analytics.registry import INDICATORS
from analytics.zone import in_areas, load_zone

PATHWAYS = {n: i for n, i in INDICATORS.items() if i.module == "pathways"}
#: a fixed day, so that which patents have expired does not depend on when the suite runs
AS_OF = dt.date(2024, 6, 30)


def _options(city: str, **kw) -> Options:
    return Options(zone=load_zone(city), as_of=AS_OF, **kw)


@pytest.mark.corpus
def test_expiry_and_legal_state_equal_the_exports_own_dates(vr_engines):
    embedded, _, _ = vr_engines
    got = PATHWAYS["patent_value"].run(embedded, "vr-ar", Options(as_of=AS_OF)).set_index("patent")
    want = expected_pathways.legal(VR, AS_OF).set_index("patent")
    common = got.index.intersection(want.index)
    assert len(common) > 0.9 * len(got), (len(common), len(got))
    g, w = got.loc[common], want.loc[common]
    assert (pd.to_datetime(g["expiry_date"]) == pd.to_datetime(w["expiry_date"])).all()
    wrong = g.index[g["state"] != w["state"]]
    assert len(wrong) == 0, g.loc[wrong[:5], ["legal_status", "grant_date", "expiry_date", "state"]]
    counts = g["state"].value_counts()
    assert {"active", "pending", "lapsed", "expired", "abandoned", "unknown"} <= set(counts.index), counts
    # a utility model filed before 30 June 2014 has run its ten years: expired whatever the export said then
    old = g[g.index.str.endswith("U") & (pd.to_datetime(g["app_date"]) <= pd.Timestamp("2014-06-30"))]
    assert len(old) and old["state"].isin(["expired", "lapsed", "abandoned"]).all()
    assert (g.loc[g["state"].isin(["lapsed", "expired", "abandoned"]), "months_left"] == 0).all()
    assert g["value_score"].between(0, 100).all()
    # months to expiry for rights in force or pending, from the oracle's own expiry dates
    live = w["state"].isin(["active", "pending"])
    months = ((pd.to_datetime(w.loc[live, "expiry_date"]) - pd.Timestamp(AS_OF)).dt.days / 30.4375).round(1)
    assert np.allclose(g.loc[live, "months_left"].astype(float), months, atol=0.051)
    assert g.loc[~live, "term_left"].isna().all()  # no remaining-term part for ended rights
    want_score = expected_pathways.value_scores(embedded, "vr-ar", got.reset_index())
    assert np.allclose(got["value_score"].astype(float), want_score.loc[got.index], atol=1e-6, equal_nan=True)


@pytest.mark.corpus
def test_structure_items_follow_the_position_matrix(vr_engines, city):
    embedded, _, _ = vr_engines
    options = _options(city)
    positions = INDICATORS["positioning_nodes"].run(embedded, "vr-ar", options)
    table = PATHWAYS["pathway_structure"].run(embedded, "vr-ar", options)
    quadrant = positions.set_index("node")["quadrant"]
    strengthen = table.loc[table["kind"] == "strengthen", "node"]
    assert quadrant[strengthen].eq("advantage").all()
    links = embedded.run("MATCH (a:ChainNode)-[:SUPPLIES]->(b:ChainNode) WHERE a.scheme = 'vr-ar' "
                         "RETURN a.id AS source, b.id AS target")
    nodes = embedded.run("MATCH (n:ChainNode) WHERE n.scheme = 'vr-ar' OPTIONAL MATCH (n)-[:PART_OF]->(u:ChainNode) "
                         "RETURN n.id AS node, u.id AS parent")
    want = expected_pathways.classify(positions, links, roots(nodes))
    assert dict(zip(table["node"], table["kind"])) == want, city
    assert len(table) == len(want) > 0
    scores = expected_pathways.structure_scores(positions, links)
    assert np.allclose(table["score"], [scores[n] for n in table["node"]], atol=1e-6), city
    for row in table.itertuples():
        assert json.loads(row.evidence)["feeds"], row.node  # each item names the paths that feed it


@pytest.mark.corpus
def test_attraction_scores_equal_an_independent_computation(vr_engines, city):
    """With a policy priority on one fill node, so that all four parts of the score are exercised."""
    embedded, _, ingested = vr_engines
    base = _options(city)
    structure = PATHWAYS["pathway_structure"].run(embedded, "vr-ar", base)
    aims = sorted(set(structure.loc[structure["kind"].isin(["fill", "extend"]), "node"]))
    assert aims, city
    favoured = aims[0]
    options = dataclasses.replace(base, zone=dataclasses.replace(base.zone, priorities=((favoured, 1.0),)),
                                  top_candidates=10 ** 6)  # every candidate, not the first 50
    table = PATHWAYS["pathway_enterprises"].run(embedded, "vr-ar", options)
    got = table[table["kind"] == "attract"].set_index("candidate_id")["score"]
    assert len(got) > 0, city
    last = last_complete(max(d for d in ingested.records["pub_date"] if d is not None))
    zone_units = expected_positioning.positioning(embedded, "vr-ar", city, last).set_index("node")["zone_units"]
    want = expected_pathways.attract(embedded, "vr-ar", city, aims, zone_units, last,
                                     priorities={favoured: 1.0})
    assert sorted(got.index) == sorted(want.index), city  # the same candidates: none in the zone, none missed
    assert np.allclose(got.sort_index(), want.loc[got.index].sort_index(), atol=1e-6), city
    top = PATHWAYS["pathway_enterprises"].run(embedded, "vr-ar", dataclasses.replace(options, top_candidates=50))
    top = top[top["kind"] == "attract"]
    assert len(top) == min(50, len(got)) and top["score"].min() >= got.sort_values().iloc[-len(top)] - 1e-6
    # no candidate to attract is located in the zone
    located = embedded.run("MATCH (a:Applicant)-[:LOCATED_IN]->(r:Region) RETURN a.id AS applicant, r.id AS region")
    located = located[located["applicant"].isin(got.index)]
    assert not in_areas(located["region"], load_zone(city).areas).any()
    assert (table["priority"] == np.select([table["score"] >= 70, table["score"] >= 50], ["S", "A"], "B")).all()


@pytest.mark.corpus
def test_partner_scores_equal_an_independent_computation(vr_engines, city):
    embedded, _, _ = vr_engines
    options = dataclasses.replace(_options(city), top_candidates=10 ** 6)
    structure = PATHWAYS["pathway_structure"].run(embedded, "vr-ar", options)
    aims = sorted(set(structure.loc[structure["kind"].isin(["fill", "extend"]), "node"]))
    value = PATHWAYS["patent_value"].run(embedded, "vr-ar", options)
    got = PATHWAYS["pathway_technology"].run(embedded, "vr-ar", options).set_index("candidate_id")["score"]
    want = expected_pathways.partner_scores(embedded, "vr-ar", city, aims,
                                            set(value.loc[value["state"] == "active", "patent"]))
    assert sorted(got.index) == sorted(want.index) and len(got) > 0, city
    assert np.allclose(got.sort_index(), want.loc[got.index].sort_index().astype(float), atol=1e-6), city


@pytest.mark.corpus
def test_every_reason_quotes_numbers_of_its_evidence(vr_engines, city):
    embedded, _, _ = vr_engines
    options = _options(city)
    quoted = 0
    nodes = embedded.run("MATCH (n:ChainNode) RETURN n.name_zh AS zh, n.name_en AS en")
    names = set(nodes["zh"]) | set(nodes["en"])
    for name, ind in PATHWAYS.items():
        if name == "patent_value":
            continue
        table = ind.run(embedded, "vr-ar", options)
        assert list(table.columns) == COLUMNS, name
        for row in table.itertuples():
            proof = json.loads(row.evidence)
            allowed = expected_pathways.renderings(proof) | {str(options.recent_years), "2", "3"}
            for text in (row.reason_en, row.reason_zh):
                for number in expected_pathways.numbers_in(text, names | expected_pathways.strings(proof)):
                    quoted += 1
                    assert number.lstrip("+") in allowed or number in allowed, (name, row.kind, number, text)
            assert json.loads(row.evidence).get("patents") or row.kind in ("strengthen", "fill", "extend"), \
                (name, row.candidate)  # no candidate without patent evidence
    assert quoted > 100


@pytest.mark.corpus
@pytest.mark.neo4j
def test_every_pathway_table_is_the_same_on_both_engines_and_its_graph_holds(vr_engines, city):
    embedded, neo, _ = vr_engines
    embedded, neo = Memo(embedded), Memo(neo)  # shared queries and tables once per engine, as a run computes them
    options = _options(city)
    names = embedded.run("MATCH (n:ChainNode) WHERE n.scheme = 'vr-ar' RETURN n.id AS node, n.name_zh AS name") \
        .set_index("node")["name"]
    positions = INDICATORS["positioning_nodes"].run(embedded, "vr-ar", options)
    structure = PATHWAYS["pathway_structure"].run(embedded, "vr-ar", options)
    filled = 0
    for name, ind in PATHWAYS.items():
        a, b = ind.run(embedded, "vr-ar", options), ind.run(neo, "vr-ar", options)
        same(a, b, KEYS[name], f"{name} {city} ladybug vs neo4j")
        filled += len(a) > 0
        if name == "patent_value":
            continue
        path = name.removeprefix("pathway_")
        graph = pathway_graph(path, a, positions, names, options.zone, structure)
        assert check_graph(graph) == [], (path, check_graph(graph)[:3])
        ids = {n["id"] for n in graph["nodes"]}
        assert len(graph["edges"]) == len(set(a["node"])) + (0 if path == "structure" else len(a))
        assert all(f"{r.kind}:{r.candidate_id}" in ids for r in a.itertuples()) or path == "structure"
    assert set(PATHS) == {n.removeprefix("pathway_") for n in PATHWAYS if n != "patent_value"}
    assert filled >= 5, city


def test_a_broken_graph_is_named():
    graph = {"nodes": [{"id": "zone:x"}, {"id": "n"}, {"id": "n"}],
             "edges": [{"source": "zone:x", "target": "m", "reason_zh": "", "reason_en": "why"}]}
    problems = check_graph(graph)
    assert "node 'n' given twice" in problems and "edge zone:x → m: no node 'm'" in problems
    assert "edge zone:x → m: no reason_zh" in problems


@pytest.mark.corpus
def test_no_zone_gives_empty_pathways_with_their_columns(vr_engines):
    embedded, _, _ = vr_engines
    for name, ind in PATHWAYS.items():
        if name != "patent_value":
            table = ind.run(embedded, "vr-ar", Options())
            assert table.empty and list(table.columns) == COLUMNS, name


def test_legal_events_and_vendor_links_reach_the_value_table(tmp_path):
    """A PatSnap-style export whose 法律状态/事件 lists a transfer and a pledge and whose 诉讼案件数 says 2:
    the counts land on the patent, the events part of the value score is known (1, and 0 for a patent
    whose events list none), and an export without an event column leaves it unknown; a Lens URL is the
    patent's link, else its public page."""
    from graph.embedded_store import EmbeddedStore
    from ingest.load import load_graph
    from ingest.pipeline import ingest_files
    from ontology.chains import load_chain
    from analytics.pathways.value import patent_value
    (tmp_path / "ps.csv").write_text(
        "公开(公告)号,申请号,申请日,法律状态/事件,诉讼案件数,IPC分类号,[标]当前申请(专利权)人,受理局\n"
        "CN110000001B,CN201910000001.1,2019-01-02,授权 | 权利转移 | 质押,2,H01M10/0525,宁德时代新能源科技股份有限公司,中国\n"
        "CN110000002A,CN201910000002.1,2019-01-03,实质审查,0,H01M10/0525,宁德时代新能源科技股份有限公司,中国\n",
        encoding="utf-8")
    lens = Path(__file__).parent / "data" / "formats" / "lens" / "lens-3.csv"
    ingested = ingest_files([tmp_path / "ps.csv", lens], [load_chain("sei-2021")])
    with EmbeddedStore(tmp_path / "db") as store:
        load_graph(store, ingested.frames)
        value = patent_value(store, "sei-2021", Options(as_of=AS_OF)).set_index("patent")
    first, second = value.loc["CN110000001B"], value.loc["CN110000002A"]
    assert (first["transfers"], first["pledges"], first["licences"], first["litigations"]) == (1, 1, 0, 2)
    assert first["events"] == 1 and second["events"] == 0 and "events" in second["value_parts"]
    assert (first["state"], second["state"]) == ("active", "pending")
    assert first["link"] == "https://patents.google.com/patent/CN110000001B"
    us = value.loc["US9833479B2"]
    assert pd.isna(us["events"]) and "events" not in us["value_parts"]
    assert us["link"] == "https://lens.org/004-833-779-175-375"


@pytest.mark.corpus
def test_patents_without_applicants_do_not_break_the_paths(tmp_path):
    """Exports leave the applicant of some rows empty (found on the autonomous-driving corpus: the patent-use
    path failed on them). Real VR/AR rows, every 40th with its applicants blanked: every path computes, and
    a listed patent without applicant says so instead of naming one."""
    import csv
    from graph.embedded_store import EmbeddedStore
    from ingest.load import load_graph
    from ingest.pipeline import ingest_files
    from ontology.chains import load_chain
    from analytics.positioning.structure import busiest_cities
    with open(VR[0], encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    header, body = rows[0], rows[1:4001]
    blank = [header.index("申请人"), header.index("标准化申请人")]
    for i, row in enumerate(body):
        if i % 40 == 0:
            for c in blank:
                row[c] = ""
    path = tmp_path / "vr-part.csv"
    with open(path, "w", encoding="utf-8-sig", newline="") as f:
        csv.writer(f).writerows([header, *body])
    ingested = ingest_files([path], [load_chain("vr-ar")])
    with EmbeddedStore(tmp_path / "db") as store:
        load_graph(store, ingested.frames)
        options = Options(zone=load_zone(busiest_cities(store, "vr-ar")["code"].iloc[0]), as_of=AS_OF,
                          top_candidates=10 ** 6)
        orphans = set(store.run("MATCH (p:Patent) WHERE NOT EXISTS { MATCH (p)-[:APPLIED_BY]->(:Applicant) } "
                                "RETURN p.id AS id")["id"])
        assert len(orphans) >= 50
        for name, ind in PATHWAYS.items():
            table = ind.run(store, "vr-ar", options)
            assert len(table) > 0, name
            if name != "patent_value":
                mine = table[table["candidate_id"].isin(orphans)]  # free or expiring patents may be orphans
                assert mine["reason_en"].str.contains("unknown applicant").all(), name
