// 校企联合申请 — University–enterprise co-applications
// Pairs of a university or research institute and an enterprise that applied for the same patents,
// with how many and over which years: candidates for industry–academia cooperation (产学研).
MATCH (u:Applicant)<-[:APPLIED_BY]-(p:Patent)-[:APPLIED_BY]->(c:Applicant)
WHERE u.type IN ['university', 'institute'] AND c.type = 'enterprise'
RETURN u.name AS university, c.name AS enterprise, count(DISTINCT p.id) AS patents,
       min(p.app_year) AS first_year, max(p.app_year) AS last_year
ORDER BY patents DESC, university, enterprise
LIMIT 50
