// 申请人的链节点布局 — An applicant's portfolio across the chain
// An applicant's patent families per chain node of a scheme, with the share of the node's families
// they hold.
// :param scheme => 'icv'
// :param applicant => 'waymo'
MATCH (n:ChainNode)<-[:IN_NODE]-(p:Patent)-[:APPLIED_BY]->(a:Applicant {id: $applicant})
WHERE n.scheme = $scheme
WITH n, count(DISTINCT coalesce(p.family_id, p.id)) AS own
MATCH (n)<-[:IN_NODE]-(q:Patent)
WITH n, own, count(DISTINCT coalesce(q.family_id, q.id)) AS node_families
RETURN n.id AS node, n.name_zh AS name_zh, n.stage AS stage, own AS families, node_families,
       round(100.0 * own / node_families, 1) AS share_pct
ORDER BY families DESC, node
