"""CITES from the citation lists exports carry (incoPat 引证专利 / 被引证专利 …), on both engines, in one run or
several. No shared export lists citations, so the lists are written here onto real incoPat rows (the bundled
sample): each row cites the next rows' numbers (some with another kind code, some not in the file at all)."""

import re
import unicodedata

import pandas as pd
import pytest

from api.workflow import demo_files, ingest
from graph.cookbook import recipes
from graph.guard import analyst_query

SAMPLE = next(p for p in demo_files("icv") if p.name.startswith("通用自动驾驶"))
ROWS = 120


def _kindless(number: str) -> str:
    return re.sub(r"^([A-Z]{2}\d+)[A-Z]\d?$", r"\1", number)


@pytest.fixture(scope="module")
def export(tmp_path_factory) -> tuple[pd.DataFrame, list]:
    """The first ROWS rows of the sample with citation lists, as two incoPat files of 60 rows, and the
    links an analyst would draw by hand from them."""
    rows = pd.read_excel(SAMPLE, engine="calamine", dtype=str).head(ROWS).reset_index(drop=True)
    ids = rows["公开（公告）号"].tolist()
    cited, citing = [], []
    for i, pub in enumerate(ids):
        out = [ids[(i + 7) % ROWS], ids[(i + 61) % ROWS]]
        out[1] = _kindless(out[1]) + "B2" if i % 3 == 0 else out[1]  # another kind code of the same number
        out.append("EP9999999A1 SIEMENS AG")  # a patent outside the export, its applicant after it
        if i % 7 == 0:  # full-width forms, as Chinese interfaces sometimes write them
            out[0] = unicodedata.normalize("NFKC", out[0]).translate({c: c + 0xFEE0 for c in range(0x21, 0x7F)})
        if i % 11 == 0:
            out[1] += " (2020-01-01)"
        cited.append("; ".join(n.lower() if i % 5 == 0 else n for n in out))
        citing.append(ids[(i + 13) % ROWS] if i % 4 == 0 else "")
    rows["引证专利"], rows["被引证专利"] = cited, citing
    folder = tmp_path_factory.mktemp("cites")
    halves = [folder / "part-1.xlsx", folder / "part-2.xlsx"]
    rows.iloc[:60].to_excel(halves[0], index=False)
    rows.iloc[60:].to_excel(halves[1], index=False)
    return rows, halves


def _expected(rows: pd.DataFrame, graph_ids: set) -> set:
    """Pairs drawn from the cells: a listed number names a graph patent exactly or, kind code aside, uniquely."""
    by_number: dict = {}
    for pid in graph_ids:
        by_number.setdefault(_kindless(pid), []).append(pid)

    def find(number: str):
        number = unicodedata.normalize("NFKC", number).split("(")[0].strip().upper()
        if number in graph_ids:
            return number
        hits = by_number.get(_kindless(number), [])
        return hits[0] if len(hits) == 1 else None

    pairs = set()
    for pub, cited, citing in zip(rows["公开（公告）号"], rows["引证专利"], rows["被引证专利"]):
        if pub not in graph_ids:
            continue
        for n in filter(None, cited.split(";")):
            if find(n) and find(n) != pub:
                pairs.add((pub, find(n)))
        for n in filter(None, citing.split(";")):
            if find(n) and find(n) != pub:
                pairs.add((find(n), pub))
    return pairs


def _cites(store) -> set:
    got = store.run("MATCH (a:Patent)-[:CITES]->(b:Patent) RETURN a.id AS a, b.id AS b")
    return set(zip(got["a"], got["b"]))


def test_citation_lists_become_links_on_both_engines_in_one_run_or_two(export, make_store, tmp_path):
    rows, halves = export
    one, two = make_store(), make_store()
    ingest(one, tmp_path / "one", halves, chains=("icv",))
    for half in halves:  # the second half's rows cite the first's and the other way round
        ingest(two, tmp_path / "two", [half], chains=("icv",))
    ids = set(one.run("MATCH (p:Patent) RETURN p.id AS id")["id"])
    want = _expected(rows, ids)
    assert len(want) > ROWS and _cites(one) == want
    assert _cites(two) == want
    counts = one.run("MATCH (p:Patent) RETURN p.id AS id, p.cites AS cites, size(p.cited_pubs) AS listed")
    assert (counts["cites"] == counts["listed"]).all() and counts["cites"].min() >= 2  # counts from the lists
    ingest(one, tmp_path / "one", halves, chains=("icv",))  # again: nothing changes
    assert _cites(one) == want


def test_the_cookbook_finds_the_patents_citing_a_patent(export, make_store, tmp_path):
    rows, halves = export
    store = make_store()
    ingest(store, tmp_path / "db", halves, chains=("icv",))
    recipe = next(r for r in recipes() if "citing" in r.name)
    cited = store.run("MATCH (:Patent)-[:CITES]->(b:Patent) RETURN b.id AS id, count(*) AS n ORDER BY n DESC, id "
                      "LIMIT 1").iloc[0]
    got = store.run(analyst_query(recipe.query, store.engine), {"patent": cited["id"]})
    assert len(got) == cited["n"] >= 2 and got["applicants"].map(len).gt(0).all()
