// 合作申请人 — An applicant's co-applicants
// Who files together with an applicant, how often and since when — members of the applicant's own
// group (its spellings, subsidiaries) left out: partners and possible channels for cooperation.
// :param applicant => 'beijing didi infinity technology and development'
MATCH (a:Applicant {id: $applicant})
OPTIONAL MATCH (a)-[:PART_OF_GROUP]->(ga:Applicant)
WITH a, coalesce(ga.id, a.id) AS own
MATCH (a)<-[:APPLIED_BY]-(p:Patent)-[:APPLIED_BY]->(b:Applicant)
OPTIONAL MATCH (b)-[:PART_OF_GROUP]->(gb:Applicant)
WITH p, b, own, coalesce(gb.id, b.id) AS theirs
WHERE theirs <> own
RETURN b.id AS co_applicant, b.name AS name, b.type AS type, b.country AS country,
       count(DISTINCT p.id) AS joint_patents, min(p.app_year) AS since
ORDER BY joint_patents DESC, co_applicant
LIMIT 30
