// 中国申请人的省份分布 — Chinese applicants by province
// Applicants whose country is CN, per province (those whose province the data does not say are counted
// under "(unknown)", never guessed), with their patents.
MATCH (p:Patent)-[:APPLIED_BY]->(a:Applicant)
WHERE a.country = 'CN'
RETURN coalesce(a.province, '(unknown)') AS province, count(DISTINCT a.id) AS applicants,
       count(DISTINCT p.id) AS patents
ORDER BY patents DESC, province
