"""The speed work changes no result: each faster path against the slower one it replaced, on real rows.

The columnar result path of LadybugDB against the row path (every named query on the VR/AR graph);
the vectorised group helpers against pandas' per-group lambdas; name keys computed once per spelling
against the keys of every row; the shortened workbook sheets.
"""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pytest

from analytics.cypher import names, query_text
from graph.store import frame_of
from ingest.vectors import isin_text, lists_per_group, per_unique, sets_per_group


def _params(query: str, store) -> dict:
    """Values for a named query's parameters drawn from the graph: its scheme, a node, a zone's codes."""
    node = store.run("MATCH (n:ChainNode) RETURN n.id AS id, n.scheme AS scheme ORDER BY id LIMIT 1").iloc[0]
    regions = store.run("MATCH (r:Region) RETURN r.id AS id ORDER BY id")["id"].tolist()
    known = {"scheme": node["scheme"], "node": node["id"], "zone": regions[:5], "codes": regions[:5], "year": 2018,
             "top": 10, "window": 5}
    wanted = set(re.findall(r"\$(\w+)", query))
    missing = wanted - set(known)
    if missing:
        pytest.fail(f"give the test a value for ${sorted(missing)[0]}")
    return {k: known[k] for k in wanted}


@pytest.mark.corpus
def test_columnar_results_equal_the_row_path_for_every_named_query(vr_engines):
    embedded = vr_engines[0]
    conn = embedded._open("read")
    checked = 0
    for name in names():
        query = query_text(name)
        params = _params(query, embedded)
        fast = embedded.run(query, params)
        result = conn.execute(query, params)
        rows = []
        while result.has_next():
            rows.append(result.get_next())
        slow = frame_of(rows, result.get_column_names())
        result.close()
        pd.testing.assert_frame_equal(fast, slow, obj=name)
        checked += len(slow) > 0
    assert checked >= 10  # most queries return rows on this graph: the comparison is not over empty frames


def test_group_helpers_equal_the_per_group_lambdas():
    rng = np.random.default_rng(3)
    offices = [f"O{i:03d}" for i in range(150)]  # more than two 63-bit words of distinct values
    rows = pd.DataFrame({"node": rng.choice(["a", "b", "c"], 30_000), "unit": rng.integers(0, 4_000, 30_000),
                         "office": rng.choice(offices, 30_000)})
    expected = rows.drop_duplicates().sort_values("office").groupby(["node", "unit"])["office"].agg(tuple)
    got = sets_per_group(rows, ["node", "unit"], "office")
    pd.testing.assert_series_equal(got.reindex(expected.index), expected, check_names=False)
    names = pd.Series(rng.choice([f"name {i}" for i in range(500)] + ["甲公司", "乙", None], 30_000))
    keys = pd.Series(rng.choice([f"k{i}" for i in range(3_000)], 30_000))
    expected = pd.DataFrame({"k": keys, "v": names}).dropna().groupby("k")["v"].agg(lambda s: sorted(set(s)))
    got = lists_per_group(keys, names)
    assert got.index.tolist() == expected.index.tolist() and got.tolist() == expected.tolist()
    wanted = pd.Series(rng.choice(names.dropna().unique(), 50))
    assert (isin_text(names, wanted) == names.isin(set(wanted)).to_numpy()).all()


def test_keys_per_distinct_spelling_equal_the_keys_per_row(sample_records):
    from ingest.names import _applicant_type, _name_key, _person_key, applicant_type, name_key, person_key
    applicants = pd.Series([a for xs in sample_records["applicants"] for a in xs], dtype=object)
    inventors = pd.Series([a for xs in sample_records["inventors"] for a in xs], dtype=object)
    assert applicants.duplicated().any() and len(applicants) > 300  # repeats: the distinct path is taken
    pd.testing.assert_series_equal(name_key(applicants), _name_key(applicants))
    pd.testing.assert_series_equal(person_key(inventors), _person_key(inventors))
    pd.testing.assert_series_equal(applicant_type(applicants), _applicant_type(applicants))
    with_missing = pd.Series(["A Co", None, "A Co", "b"], index=[9, 8, 7, 6], dtype=object)
    assert per_unique(lambda s: s.str.lower(), with_missing).tolist() == ["a co", None, "a co", "b"]


def test_a_long_table_keeps_its_best_rows_in_the_workbook_and_says_so(tmp_path):
    import openpyxl
    from api.report import write_workbook
    frame = pd.DataFrame({"patent": [f"P{i:02d}" for i in range(12)], "value_score": [float(i) for i in range(12)]})
    write_workbook(tmp_path / "t.xlsx", {"patent_value": frame}, "2023-01-01", max_rows=5)
    book = openpyxl.load_workbook(tmp_path / "t.xlsx")
    sheet = book[book.sheetnames[1]]
    kept = [r[0].value for r in sheet.iter_rows(min_row=2)]
    assert kept == ["P11", "P10", "P09", "P08", "P07"]
    said = [c.value for row in book[book.sheetnames[0]].iter_rows() for c in row if c.value]
    assert any("5 / 12" in str(v) and "tables/patent_value.csv" in str(v) for v in said)


def test_vectorised_application_keys_equal_the_scalar_reading(sample_records):
    from ingest.dedup import _national_key, national_keys
    text = sample_records["app_no"].fillna("").astype(str).str.upper().str.replace(r"[\s\-/.,_()]", "", regex=True)
    office = sample_records["authority"].fillna("").astype(str)
    tricky = pd.DataFrame([("US", "US202016634906A"), ("US", "2020166349061"), ("EP", "EP20220177888"), ("EP", "19123456789"),
                           ("DK", "DKPA201970221A"), ("CN", "CN123"), ("", "123456789"), ("JP", "JP2019123456A"),
                           ("KR", "KR1020190012345"), ("US", "US16634906B2")], columns=["office", "text"])
    office = pd.concat([office, tricky["office"]], ignore_index=True)
    text = pd.concat([text, tricky["text"]], ignore_index=True)
    assert national_keys(office, text).tolist() == [_national_key(o, t) for o, t in zip(office, text)]


def test_a_neo4j_routing_uri_ingests_and_reads_through_the_same_store(neo4j_credentials, sample_csv, tmp_path):
    """A cluster is reached through a routing URI (``neo4j://``): the driver sends reads to readers and
    writes to the leader by the sessions' access modes. A single server answers routing too, so the same
    ingest and query run through ``neo4j://`` here; a server PatNav did not start is never bulk-imported
    (the import tool stops the server)."""
    from typer.testing import CliRunner
    from api.cli import app
    uri, user, password = neo4j_credentials
    routed = "neo4j://" + uri.split("://", 1)[1]
    env = {"PATNAV_HOME": str(tmp_path / "home"), "PATNAV_NEO4J_URI": routed, "PATNAV_NEO4J_USER": user,
           "PATNAV_NEO4J_PASSWORD": password, "PATNAV_BULK_IMPORT_ROWS": "1"}
    from graph.neo4j_store import Neo4jStore
    with Neo4jStore.connect(routed, user, password) as store:
        store.reset()
    result = CliRunner().invoke(app, ["ingest", str(sample_csv), "--neo4j", "--report", str(tmp_path / "r.json")],
                                env=env)
    assert result.exit_code == 0, result.output
    report = json.loads((tmp_path / "r.json").read_text())
    assert "bulk" not in result.output and report["graph"]["Patent"]["created"] == report["patents"] > 400
    asked = CliRunner().invoke(app, ["query", "--neo4j", "MATCH (p:Patent) RETURN count(p) AS n"], env=env)
    assert asked.exit_code == 0, asked.output
    assert re.search(rf"\b{report['patents']}\b", asked.output), asked.output
