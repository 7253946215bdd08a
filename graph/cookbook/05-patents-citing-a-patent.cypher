// 引用某专利的专利 — Patents citing a patent
// The patents in the graph that cite one patent (forward citations, from the exports' citation lists),
// with their applicants: who builds on this technology.
// :param patent => 'US10268191B1'
MATCH (citing:Patent)-[:CITES]->(cited:Patent {id: $patent})
OPTIONAL MATCH (citing)-[:APPLIED_BY]->(a:Applicant)
RETURN citing.id AS citing, citing.title AS title, citing.app_year AS year, collect(DISTINCT a.name) AS applicants
ORDER BY year, citing
