// filings_by_node_year — 各产业链节点逐年专利申请量 (trend per chain node and year)
// Counts counting units per node and year: a unit is a patent family (family_id) where known, else the
// patent; a unit's year is the earliest counting year (p.year: earliest priority, else application,
// else publication year) among its members tagged to the node.
// Parameters: $scheme (chain scheme id, e.g. 'icv').
// Returns: node (ChainNode id), year (int), filings (units).
MATCH (p:Patent)-[:IN_NODE]->(n:ChainNode)
WHERE n.scheme = $scheme AND p.year IS NOT NULL
WITH n.id AS node, coalesce(p.family_id, p.id) AS unit, min(p.year) AS year
RETURN node, year, count(*) AS filings
ORDER BY node, year
