// 企业的发明人 — A company's inventors
// The inventors on an applicant's patents, most prolific first, with their active years: the company's
// core R&D staff (核心研发人员) as the patents show them.
// :param applicant => 'waymo'
MATCH (a:Applicant {id: $applicant})<-[:APPLIED_BY]-(p:Patent)-[:INVENTED_BY]->(i:Inventor)
RETURN i.id AS inventor_id, i.name AS inventor, count(DISTINCT p.id) AS patents,
       min(p.app_year) AS first_year, max(p.app_year) AS last_year
ORDER BY patents DESC, inventor_id
LIMIT 30
