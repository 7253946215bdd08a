// 链节点的年度申请量 — Filings per year in a chain node
// Patents and families per application year in one chain node (the latest years are incomplete:
// publication lags filing by about 18 months).
// :param node => 'icv:M2'
MATCH (n:ChainNode {id: $node})<-[:IN_NODE]-(p:Patent)
WHERE p.app_year IS NOT NULL
RETURN p.app_year AS year, count(DISTINCT p.id) AS patents, count(DISTINCT coalesce(p.family_id, p.id)) AS families
ORDER BY year
