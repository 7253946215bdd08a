"""Reclassification after the chain changes: the graph's tags and nodes follow the scheme file exactly.

A node removed from the scheme disappears with its tags; a re-ingest or `patnav classify` leaves no
stale `IN_NODE` behind. Reclassifying reads the patents back from the graph; its result must equal a
fresh ingest of the export files under the edited chain (records parsed from the files, not read
back), and keep every tag the removal does not touch. Both engines.
"""

import pandas as pd
import pytest
import rdflib
from typer.testing import CliRunner

from api import workflow
from api.cli import app
from api.workflow import demo_files
from ontology.chains import CHAINS_DIR, load_chain

runner = CliRunner()
GONE = "U1.4"  # 超声波雷达: a leaf with a supply link


@pytest.fixture(scope="module")
def edited_chain(tmp_path_factory):
    """icv without one leaf node (and the triples naming it), as an expert's edit would leave it."""
    g = rdflib.Graph()
    g.parse(CHAINS_DIR / "icv.ttl")
    node = next(s for s in g.subjects() if str(s).endswith(f"#{GONE}"))
    g.remove((node, None, None))
    g.remove((None, None, node))
    path = tmp_path_factory.mktemp("chain") / "icv-edited.ttl"
    g.serialize(path, format="turtle")
    return path


def _tags(store) -> pd.DataFrame:
    return store.run("MATCH (p:Patent)-[:IN_NODE]->(n:ChainNode) WHERE n.scheme = 'icv' "
                     "RETURN p.id AS `from`, n.id AS `to` ORDER BY `from`, `to`")


def test_classify_follows_an_edited_chain_and_is_idempotent(make_store, tmp_path, edited_chain):
    store = make_store()
    workflow.ingest(store, tmp_path, demo_files("icv"), ["icv"])
    before = _tags(store)
    assert (before["to"] == f"icv:{GONE}").any()
    result = workflow.classify(store, edited_chain)
    after = _tags(store)
    assert not (after["to"] == f"icv:{GONE}").any() and result["nodes_removed"] == 1
    links = store.run("MATCH (a:ChainNode)-[:SUPPLIES]->(b:ChainNode) WHERE a.scheme = 'icv' "
                      "RETURN a.id AS src, b.id AS dst ORDER BY src, dst")
    assert links.values.tolist() == sorted(map(list, load_chain(str(edited_chain)).supplies))
    fresh = make_store()
    workflow.ingest(fresh, tmp_path / "fresh", demo_files("icv"), [str(edited_chain)])
    assert after.values.tolist() == _tags(fresh).values.tolist()
    fresh.close()
    # independent bounds from the tags before: nothing new, none on the removed node, and an ancestor tag
    # stays wherever the patent has another tag below that ancestor
    chain = load_chain("icv")
    old, new = set(map(tuple, before.values.tolist())), set(map(tuple, after.values.tolist()))
    assert new <= {t for t in old if t[1] != f"icv:{GONE}"}
    for up in chain.ancestors(f"icv:{GONE}"):
        path = {f"icv:{GONE}", *chain.ancestors(f"icv:{GONE}")}  # tags on these may be roll-ups of the removed one
        below = {c.id for c in chain.concepts if up in chain.ancestors(c.id)} - path
        kept = {(p, up) for p, n in old if n in below}
        assert len(kept) > 0 and kept <= new
    assert result["removed"] == len(before) - len(after) > 0 and result["added"] == 0
    again = workflow.classify(store, edited_chain)
    assert (again["added"], again["removed"], again["nodes_removed"]) == (0, 0, 0)
    back = workflow.classify(store, "icv")
    assert back["added"] == result["removed"] and _tags(store).values.tolist() == before.values.tolist()
    store.close()


def test_reingest_under_a_changed_chain_leaves_no_stale_tag(make_store, tmp_path, edited_chain):
    store = make_store()
    workflow.ingest(store, tmp_path, demo_files("icv"), ["icv"])
    report = workflow.ingest(store, tmp_path, demo_files("icv"), [str(edited_chain)])
    assert report["graph"]["IN_NODE"]["removed"] > 0 and report["graph"]["ChainNode"]["removed"] == 1
    assert not (_tags(store)["to"] == f"icv:{GONE}").any()
    assert store.run("MATCH (n:ChainNode) WHERE n.id = $id RETURN count(*) AS n", {"id": f"icv:{GONE}"})["n"][0] == 0
    store.close()


def test_cli_classify(tmp_path, edited_chain):
    db = tmp_path / "db"
    assert runner.invoke(app, ["ingest", *map(str, demo_files("icv")), "--db", str(db)]).exit_code == 0
    result = runner.invoke(app, ["classify", "--db", str(db), "--chain", str(edited_chain)])
    assert result.exit_code == 0, result.output
    assert "1 node(s)" in result.output and "removed" in result.output
