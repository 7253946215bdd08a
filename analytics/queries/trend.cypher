// trend — 各产业链节点逐年专利数与申请人数 (patents and applicants per chain node and counting year)
// The stage chart (技术生命周期图) plots applicants against patents per year: both rising = growth,
// patents rising with fewer applicants = concentration, both falling = decline.
// Parameters: $scheme (chain scheme id, e.g. 'icv').
// Returns: node (ChainNode id), year (int), patents (distinct patents), applicants (distinct applicants
// of those patents).
MATCH (p:Patent)-[:IN_NODE]->(n:ChainNode)
WHERE n.scheme = $scheme AND p.year IS NOT NULL
OPTIONAL MATCH (p)-[:APPLIED_BY]->(a:Applicant)
RETURN n.id AS node, p.year AS year, count(DISTINCT p.id) AS patents, count(DISTINCT a.id) AS applicants
ORDER BY node, year
