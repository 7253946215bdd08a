// 链节点的主要申请人 — Top applicants of a chain node
// The applicants with the most patent families (a family counts once, a patent without one counts
// alone) in one chain node and the nodes below it, with their country and first and last filing years.
// :param node => 'icv:M'
MATCH (top:ChainNode {id: $node})
MATCH (n:ChainNode) WHERE n.id = top.id OR (n)-[:PART_OF*1..6]->(top)
MATCH (n)<-[:IN_NODE]-(p:Patent)-[:APPLIED_BY]->(a:Applicant)
RETURN a.id AS applicant, a.name AS name, a.country AS country,
       count(DISTINCT coalesce(p.family_id, p.id)) AS families, count(DISTINCT p.id) AS patents,
       min(p.app_year) AS first_year, max(p.app_year) AS last_year
ORDER BY families DESC, applicant
LIMIT 20
