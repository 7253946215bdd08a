// data_summary — 数据概况 (what the graph holds)
// Parameters: $scheme.
// Returns: one row: patents, units (families-or-patents), classified (patents with a node of the
// scheme), first_year, last_year, latest_pub (latest publication date: the data cut-off).
MATCH (p:Patent)
WITH count(*) AS patents, count(DISTINCT coalesce(p.family_id, p.id)) AS units, min(p.year) AS first_year,
     max(p.year) AS last_year, max(p.pub_date) AS latest_pub,
     sum(CASE WHEN EXISTS { MATCH (p)-[:IN_NODE]->(n:ChainNode) WHERE n.scheme = $scheme } THEN 1 ELSE 0 END) AS classified
RETURN patents, units, classified, first_year, last_year, latest_pub
