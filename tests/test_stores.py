"""The store protocol on both real engines: upserts, integrity, typed round trips, the read-only path."""

import datetime as dt

import pandas as pd
import pytest

from graph.store import GraphStore, Limits, Loaded
from ingest.load import load_graph
from ontology.errors import OntologyError, QueryRejected, StoreError

COUNT = "MATCH (n:Patent) RETURN count(n) AS n"


def test_store_satisfies_the_protocol(make_store):
    """Every method of the protocol, by what it does: schema twice, typed loads with their counts, a read
    with parameters and column order, bulk deletes that ignore what is not there, and close."""
    store = make_store()
    assert isinstance(store, GraphStore) and store.engine in ("ladybug", "neo4j")
    store.create_schema()
    store.create_schema()  # safe to call again
    assert store.load_nodes("Patent", pd.DataFrame({"id": ["P1", "P2", "P3"], "claims": [3, 1, 2]})) == Loaded(3, 0)
    assert store.load_nodes("Applicant", pd.DataFrame({"id": ["a", "b"], "name": ["A", "B"]})) == Loaded(2, 0)
    rels = pd.DataFrame({"from": ["P1", "P2", "P3"], "to": ["a", "a", "b"], "order": [1, 1, 1]})
    assert store.load_rels("APPLIED_BY", rels) == Loaded(3, 0)
    assert store.load_rels("APPLIED_BY", rels) == Loaded(0, 3)
    got = store.run("MATCH (p:Patent)-[:APPLIED_BY]->(a:Applicant) WHERE p.claims >= $k "
                    "RETURN a.name AS name, count(p) AS n, sum(p.claims) AS claims ORDER BY name", {"k": 2})
    assert isinstance(got, pd.DataFrame) and list(got.columns) == ["name", "n", "claims"]
    assert got.values.tolist() == [["A", 1, 3], ["B", 1, 2]]
    assert store.delete_rels("APPLIED_BY", pd.DataFrame({"from": ["P1", "P1"], "to": ["a", "b"]})) == 1
    assert store.delete_nodes("Patent", ["P2", "P9"]) == 1
    left = store.run("MATCH (p:Patent) OPTIONAL MATCH (p)-[:APPLIED_BY]->(a:Applicant) "
                     "RETURN p.id AS patent, a.id AS applicant ORDER BY patent")
    assert left.astype(object).where(left.notna(), None).values.tolist() == [["P1", None], ["P3", "b"]]
    store.close()
    with pytest.raises(StoreError, match="closed"):
        store.run("RETURN 1 AS x")
    store.close()  # closing twice is harmless


def test_load_is_an_idempotent_upsert(store, sample_frames):
    first = load_graph(store, sample_frames)
    assert {k: v.created for k, v in first.items()} == {k: len(f) for k, f in sample_frames.items()}
    again = load_graph(store, sample_frames)
    assert all(v.created == 0 and v.updated == len(sample_frames[k]) for k, v in again.items())
    for label in ("Patent", "Applicant", "Inventor", "IPC"):
        n = store.run(f"MATCH (n:{label}) RETURN count(n) AS n")["n"][0]
        assert n == len(sample_frames[label]), label
    for rel, (a, b) in {"APPLIED_BY": ("Patent", "Applicant"), "INVENTED_BY": ("Patent", "Inventor"),
                        "CLASSIFIED_AS": ("Patent", "IPC")}.items():
        n = store.run(f"MATCH (:{a})-[r:{rel}]->(:{b}) RETURN count(r) AS n")["n"][0]
        assert n == len(sample_frames[rel]), rel


def test_upsert_updates_properties_in_place(store):
    store.create_schema()
    store.load_nodes("Patent", pd.DataFrame({"id": ["CN1A", "CN2A"], "title": ["old", "kept"], "claims": [1, 2]}))
    done = store.load_nodes("Patent", pd.DataFrame({"id": ["CN1A", "CN3A"], "title": ["new", "third"]}))
    assert (done.created, done.updated) == (1, 1)
    got = store.run("MATCH (p:Patent) RETURN p.id AS id, p.title AS title, p.claims AS claims ORDER BY id")
    assert got["title"].tolist() == ["new", "kept", "third"]
    assert got["claims"].iloc[:2].tolist() == [1, 2]  # a column absent from the update is left alone
    assert pd.isna(got["claims"].iloc[2])


def test_a_null_in_a_later_load_keeps_the_value(store):
    """A second export that lacks a field (claims, a relationship's order) must not erase it."""
    store.create_schema()
    store.load_nodes("Patent", pd.DataFrame({"id": ["CN1A", "CN2A"], "claims": [10, 20], "title": ["a", "b"]}))
    store.load_nodes("Applicant", pd.DataFrame({"id": ["acme"], "name": ["Acme"]}))
    store.load_rels("APPLIED_BY", pd.DataFrame({"from": ["CN1A"], "to": ["acme"], "order": [1]}))
    store.load_nodes("Patent", pd.DataFrame({"id": ["CN1A", "CN2A"], "claims": pd.array([None, 21], dtype="Int64"),
                                             "title": [None, "b2"]}))
    store.load_rels("APPLIED_BY", pd.DataFrame({"from": ["CN1A"], "to": ["acme"],
                                                "order": pd.array([None], dtype="Int64")}))
    got = store.run("MATCH (p:Patent) RETURN p.id AS id, p.claims AS claims, p.title AS title ORDER BY id")
    assert got["claims"].tolist() == [10, 21] and got["title"].tolist() == ["a", "b2"]
    assert store.run("MATCH (:Patent)-[r:APPLIED_BY]->(:Applicant) RETURN r.`order` AS o")["o"].tolist() == [1]


def test_delete_named_relationships_and_nodes(store):
    store.create_schema()
    store.load_nodes("Patent", pd.DataFrame({"id": ["P1", "P2"]}))
    store.load_nodes("ChainNode", pd.DataFrame({"id": ["x:A", "x:B"], "scheme": ["x", "x"]}))
    store.load_rels("IN_NODE", pd.DataFrame({"from": ["P1", "P1", "P2"], "to": ["x:A", "x:B", "x:B"]}))
    gone = store.delete_rels("IN_NODE", pd.DataFrame({"from": ["P1", "P9"], "to": ["x:A", "x:A"]}))
    assert gone == 1  # the pair that is not there is ignored
    pairs = store.run("MATCH (p:Patent)-[:IN_NODE]->(n:ChainNode) RETURN p.id AS patent, n.id AS node ORDER BY patent, node")
    assert pairs.values.tolist() == [["P1", "x:B"], ["P2", "x:B"]]
    assert store.delete_nodes("ChainNode", ["x:B", "x:Z"]) == 1
    assert store.run("MATCH (n:ChainNode) RETURN n.id AS id")["id"].tolist() == ["x:A"]
    assert store.run("MATCH (:Patent)-[r:IN_NODE]->() RETURN count(r) AS n")["n"][0] == 0
    assert store.run("MATCH (p:Patent) RETURN count(p) AS n")["n"][0] == 2


def test_typed_values_round_trip(store):
    store.create_schema()
    store.load_nodes("Patent", pd.DataFrame({
        "id": ["CN1A", "CN2A"], "app_date": [dt.date(2019, 3, 1), None], "app_year": [2019, None],
        "is_active": [True, False], "family_offices": [["CN", "US"], None]}))
    store.load_nodes("ChainNode", pd.DataFrame({"id": ["icv:lidar"], "weight": [0.25], "level": [2]}))
    got = store.run("MATCH (p:Patent) RETURN p.id AS id, p.app_date AS d, p.app_year AS y, "
                    "p.is_active AS a, p.family_offices AS o ORDER BY id")
    assert got["d"].tolist()[0] == dt.date(2019, 3, 1) and pd.isna(got["d"].tolist()[1])
    assert got["y"].tolist()[0] == 2019 and str(got["y"].dtype) == "Int64"
    assert got["a"].tolist() == [True, False]
    assert got["o"].tolist()[0] == ["CN", "US"]
    node = store.run("MATCH (c:ChainNode) RETURN c.weight AS w, c.level AS l")
    assert node["w"][0] == 0.25 and node["l"][0] == 2


def test_relationships_need_both_ends(store):
    store.create_schema()
    store.load_nodes("Patent", pd.DataFrame({"id": ["CN1A"]}))
    store.load_nodes("Applicant", pd.DataFrame({"id": ["acme"]}))
    with pytest.raises(StoreError, match="Applicant ids that are not in the graph, e.g. 'ghost'"):
        store.load_rels("APPLIED_BY", pd.DataFrame({"from": ["CN1A", "CN1A"], "to": ["acme", "ghost"],
                                                    "order": [1, 2]}))
    assert store.run("MATCH (:Patent)-[r:APPLIED_BY]->(:Applicant) RETURN count(r) AS n")["n"][0] == 0


def test_a_type_with_several_endpoint_pairs(store):
    store.create_schema()
    store.load_nodes("Region", pd.DataFrame({"id": ["CN", "CN-11"], "level": ["country", "province"]}))
    store.load_nodes("Applicant", pd.DataFrame({"id": ["baidu"]}))
    store.load_nodes("Inventor", pd.DataFrame({"id": ["li"]}))
    store.load_rels("LOCATED_IN", pd.DataFrame({"from": ["baidu"], "to": ["CN-11"]}), src="Applicant")
    store.load_rels("LOCATED_IN", pd.DataFrame({"from": ["li"], "to": ["CN-11"]}), src="Inventor")
    store.load_rels("WITHIN", pd.DataFrame({"from": ["CN-11"], "to": ["CN"]}))
    with pytest.raises(OntologyError, match="name the endpoints"):
        store.load_rels("LOCATED_IN", pd.DataFrame({"from": ["li"], "to": ["CN"]}))
    got = store.run("MATCH (a:Applicant)-[:LOCATED_IN]->(r:Region)-[:WITHIN*1..2]->(c:Region) "
                    "RETURN a.id AS a, r.id AS r, c.id AS c")
    assert got.values.tolist() == [["baidu", "CN-11", "CN"]]
    assert store.run("MATCH (i:Inventor)-[:LOCATED_IN]->(r:Region) RETURN i.id AS i")["i"].tolist() == ["li"]


@pytest.mark.parametrize("write", [
    "CREATE (p:Patent {id: 'X1'}) RETURN p.id AS id",
    "MATCH (p:Patent) SET p.title = 'changed' RETURN count(p) AS n",
    "MERGE (a:Applicant {id: 'new'}) RETURN a.id AS id",
    "MATCH (p:Patent) DETACH DELETE p",
])
def test_read_path_refuses_writes(store, write):
    store.create_schema()
    store.load_nodes("Patent", pd.DataFrame({"id": ["CN1A"], "title": ["kept"]}))
    with pytest.raises(QueryRejected, match="write queries are not allowed on the read-only path"):
        store.run(write)
    got = store.run("MATCH (p:Patent) RETURN p.id AS id, p.title AS title")
    assert got.values.tolist() == [["CN1A", "kept"]]
    assert store.run("MATCH (a:Applicant) RETURN count(a) AS n")["n"][0] == 0


def test_read_path_is_bounded_in_rows(make_store):
    store = make_store(limits=Limits(max_rows=2))
    store.create_schema()
    store.load_nodes("Patent", pd.DataFrame({"id": ["A", "B", "C"]}))
    assert len(store.run("MATCH (p:Patent) RETURN p.id AS id ORDER BY id LIMIT 2")) == 2
    with pytest.raises(QueryRejected, match="more than the limit of 2"):
        store.run("MATCH (p:Patent) RETURN p.id AS id")


def test_read_path_is_bounded_in_time(make_store):
    store = make_store(limits=Limits(timeout_s=1.0))
    slow = ("UNWIND range(1, 3000) AS a UNWIND range(1, 3000) AS b UNWIND range(1, 3000) AS c "
            "WITH a, b, c WHERE (a * b + c) % 7919 = 1 RETURN count(*) AS n")  # ~10^10 rows of real work
    with pytest.raises(StoreError, match="time limit"):
        store.run(slow)


@pytest.mark.parametrize("several", [
    "MATCH (p:Patent) RETURN count(p) AS n; MATCH (a:Applicant) RETURN count(a) AS n",
    "RETURN 1 AS x;RETURN 2 AS y",
    "MATCH (p:Patent) RETURN p.id AS id; CREATE (x:Patent {id: 'X'})",
])
def test_several_statements_in_one_query_are_refused(store, several):
    store.create_schema()
    store.load_nodes("Patent", pd.DataFrame({"id": ["CN1A"]}))
    with pytest.raises(QueryRejected, match="one statement per query|write queries are not allowed"):
        store.run(several)
    assert store.run("MATCH (p:Patent) RETURN p.id AS id")["id"].tolist() == ["CN1A"]


def test_bad_cypher_is_a_store_error(store):
    with pytest.raises(StoreError, match="rejected the query"):
        store.run("MATCH (p:Patent RETURN p")


def test_a_graph_built_by_an_older_version_says_so(tmp_path):
    """A database whose Patent table lacks a property this version declares (an upgrade): the query that
    reads it fails with one line saying to ingest again, not the engine's binder message."""
    import ladybug
    from graph.embedded_store import DB_FILE, EmbeddedStore
    (tmp_path / "old").mkdir()
    db = ladybug.Database(str(tmp_path / "old" / DB_FILE))
    conn = ladybug.Connection(db)
    conn.execute("CREATE NODE TABLE Patent(id STRING, PRIMARY KEY(id))").close()
    conn.close()
    db.close()
    with EmbeddedStore(tmp_path / "old", read_only=True) as store:
        with pytest.raises(StoreError, match="built by an older version. Ingest the exports again"):
            store.run("MATCH (p:Patent) RETURN p.transfers AS t")
        with pytest.raises(StoreError, match="LadybugDB rejected the query"):  # a typo is not an upgrade
            store.run("MATCH (p:Patent) RETURN p.transferz AS t")
