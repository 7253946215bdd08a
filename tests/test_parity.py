"""Same Cypher, same answers: representative queries on LadybugDB and Neo4j over the same real rows.

The rows are the committed cut of the shared Patentics autonomous-driving exports. Each query follows
the portable-Cypher rules of DESIGN.md §2 (ORDER BY with a unique tie-breaker, scalar columns only,
bounded variable-length paths, EXISTS/COUNT subqueries). A few are also checked against pandas.
"""

import pandas as pd
import pytest

from ingest.names import name_key

PARITY = {
    "patents_per_applicant_year": (
        "MATCH (p:Patent)-[:APPLIED_BY]->(a:Applicant) "
        "RETURN a.id AS applicant, p.app_year AS year, count(p) AS patents, sum(p.claims) AS claims, "
        "avg(p.claims) AS mean_claims ORDER BY applicant, year", {}),
    "exists_subquery": (
        "MATCH (a:Applicant) WHERE EXISTS { MATCH (a)<-[:APPLIED_BY]-(p:Patent) WHERE p.claims > $k } "
        "RETURN a.id AS applicant ORDER BY applicant", {"k": 25}),
    "count_subquery": (
        "MATCH (p:Patent) WITH p, COUNT { MATCH (p)-[:INVENTED_BY]->(:Inventor) } AS inventors "
        "WHERE inventors >= 3 RETURN p.id AS patent, inventors ORDER BY inventors DESC, patent LIMIT 40", {}),
    "bounded_path_reach": (
        "MATCH (x:Inventor)-[:INVENTED_BY*1..4]-(y:Inventor) WHERE x.id = $who AND y.id <> x.id "
        "RETURN y.id AS inventor, count(*) AS paths ORDER BY paths DESC, inventor", {"who": "jing chen"}),
    "bounded_path_ipc_bridge": (
        "MATCH (a:Applicant)<-[:APPLIED_BY]-(:Patent)-[:CLASSIFIED_AS]->(c:IPC)<-[:CLASSIFIED_AS]-(:Patent)"
        "-[:APPLIED_BY]->(b:Applicant) WHERE a.id < b.id "
        "RETURN a.id AS a, b.id AS b, count(DISTINCT c.id) AS shared_ipc ORDER BY shared_ipc DESC, a, b", {}),
    "top_ipc_with_ties": (
        "MATCH (p:Patent)-[r:CLASSIFIED_AS]->(c:IPC) WHERE r.main = true "
        "RETURN c.id AS ipc, count(p) AS patents ORDER BY patents DESC, ipc LIMIT 25", {}),
    "optional_match_nulls": (
        "MATCH (p:Patent) WHERE p.app_year >= $y OPTIONAL MATCH (p)-[:IN_FAMILY]->(f:Family) "
        "RETURN p.id AS patent, f.id AS family, p.grant_date AS granted ORDER BY patent", {"y": 2021}),
    "with_aggregate_filter": (
        "MATCH (p:Patent)-[:INVENTED_BY]->(i:Inventor) WITH i, count(p) AS n, min(p.app_date) AS first "
        "WHERE n >= 5 RETURN i.id AS inventor, n, first ORDER BY n DESC, inventor", {}),
    "distinct_years_per_authority": (
        "MATCH (p:Patent) RETURN p.authority AS office, count(DISTINCT p.app_year) AS years, "
        "max(p.pub_date) AS latest ORDER BY office", {}),
}


#: the cases whose results were actually compared in this session (filled by test_neo4j_and_ladybug_agree)
COMPARED: dict[str, int] = {}


def _same(a: pd.DataFrame, b: pd.DataFrame) -> None:
    assert list(a.columns) == list(b.columns)
    assert len(a) == len(b)
    pd.testing.assert_frame_equal(a.reset_index(drop=True), b.reset_index(drop=True), check_dtype=False,
                                  check_exact=False, rtol=1e-12)


@pytest.mark.neo4j
@pytest.mark.parametrize("name", sorted(PARITY))
def test_neo4j_and_ladybug_agree(loaded_pair, name):
    query, params = PARITY[name]
    embedded = loaded_pair["ladybug"].run(query, params)
    server = loaded_pair["neo4j"].run(query, params)
    assert len(embedded) > 0, f"{name} returned nothing: the comparison would be empty"
    _same(embedded, server)
    COMPARED[name] = len(embedded)


def test_every_parity_case_ran():
    """Runs after the cases above (pytest keeps file order): every case returned rows on both engines
    and was compared — a skipped, deselected or failed case leaves a gap here."""
    missing = sorted(set(PARITY) - set(COMPARED))
    assert not missing, f"parity cases not compared in this run: {missing} (run the whole module)"
    assert len(COMPARED) == len(PARITY) >= 8 and all(n > 0 for n in COMPARED.values())


@pytest.mark.neo4j
@pytest.mark.parametrize("engine", ["ladybug", "neo4j"])
def test_counts_match_pandas(loaded_pair, sample_records, engine):
    """Patents and claims per applicant and year, against pandas on the same parsed rows."""
    rec = sample_records.copy()
    rec["year"] = pd.to_datetime(rec["app_date"]).dt.year
    long = rec.explode("applicants").dropna(subset=["applicants"])
    long["applicant"] = name_key(long["applicants"])
    long = long.drop_duplicates(["id", "applicant"])
    expect = (long.groupby(["applicant", "year"])
              .agg(patents=("id", "size"), claims=("claims", "sum")).reset_index()
              .sort_values(["applicant", "year"]).reset_index(drop=True))
    got = loaded_pair[engine].run(PARITY["patents_per_applicant_year"][0])
    assert got["applicant"].tolist() == expect["applicant"].tolist()
    assert got["year"].astype(int).tolist() == expect["year"].astype(int).tolist()
    assert got["patents"].astype(int).tolist() == expect["patents"].tolist()
    assert got["claims"].astype(int).tolist() == expect["claims"].astype(int).tolist()
