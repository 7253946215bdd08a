"""Engine schemas generated from the ontology, and frames conformed to it."""

import datetime as dt

import pandas as pd
import pytest

from graph.schema import conform_nodes, conform_rels, ladybug_ddl, neo4j_constraints
from ontology.errors import StoreError
from ontology.vocab import vocabulary


def test_ladybug_ddl_covers_the_vocabulary():
    ddl = ladybug_ddl()
    v = vocabulary()
    assert len(ddl) == len(v.nodes) + len(v.relationships)
    patent = next(s for s in ddl if "TABLE IF NOT EXISTS Patent(" in s)
    assert "`id` STRING PRIMARY KEY" in patent and "`app_year` INT64" in patent
    assert "`family_offices` STRING[]" in patent and "`app_date` DATE" in patent
    located = next(s for s in ddl if "LOCATED_IN(" in s)
    assert "FROM Applicant TO Region, FROM Inventor TO Region" in located
    applied = next(s for s in ddl if "APPLIED_BY(" in s)
    assert "`order` INT64" in applied  # a reserved word in LadybugDB, so it is quoted
    first_rel = next(i for i, s in enumerate(ddl) if "REL TABLE" in s)
    assert all("NODE TABLE" in s for s in ddl[:first_rel])


def test_neo4j_constraints_one_unique_key_per_label():
    stmts = neo4j_constraints()
    assert len(stmts) == len(vocabulary().nodes)
    assert "CREATE CONSTRAINT patent_id IF NOT EXISTS FOR (n:Patent) REQUIRE n.id IS UNIQUE" in stmts


def test_conform_casts_to_declared_types():
    frame = pd.DataFrame({"id": ["CN1A", "CN2B"], "app_year": [2020.0, None],
                          "app_date": ["2020-01-02", None], "is_active": [True, None],
                          "family_offices": [["CN", "US"], None]})
    table = conform_nodes("Patent", frame)
    assert table.column_names == ["id", "app_date", "app_year", "family_offices", "is_active"]
    assert table.column("app_year").to_pylist() == [2020, None]
    assert table.column("app_date").to_pylist() == [dt.date(2020, 1, 2), None]
    assert table.column("family_offices").to_pylist() == [["CN", "US"], None]


@pytest.mark.parametrize("frame, message", [
    (pd.DataFrame({"id": ["a"], "colour": ["red"]}), r"columns \['colour'\] are not declared"),
    (pd.DataFrame({"title": ["x"]}), "key column 'id' is missing"),
    (pd.DataFrame({"id": ["a", None]}), "1 rows have no 'id'"),
    (pd.DataFrame({"id": ["a", "a"]}), "1 duplicate keys, e.g. 'a'"),
    (pd.DataFrame({"id": ["a", "b"], "app_year": [2020, "twenty"]}), "column 'app_year' must hold int.*row 1 has 'twenty'"),
    (pd.DataFrame({"id": ["a"], "claims": [1.7]}), "column 'claims' must hold int"),  # no silent rounding
])
def test_conform_refuses_frames_that_do_not_fit(frame, message):
    with pytest.raises(StoreError, match=message):
        conform_nodes("Patent", frame)


def test_conform_rels_checks_ends_and_pairs():
    ok = conform_rels("APPLIED_BY", pd.DataFrame({"from": ["p"], "to": ["a"], "order": [1]}))
    assert ok.column_names == ["from", "to", "order"]
    with pytest.raises(StoreError, match="column 'to'"):
        conform_rels("APPLIED_BY", pd.DataFrame({"from": ["p"]}))
    with pytest.raises(StoreError, match="duplicate"):
        conform_rels("CITES", pd.DataFrame({"from": ["p", "p"], "to": ["q", "q"]}))
    with pytest.raises(StoreError, match="not declared"):
        conform_rels("CITES", pd.DataFrame({"from": ["p"], "to": ["q"], "weight": [1]}))
