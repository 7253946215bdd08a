// node_patents — 节点专利明细 (the patents of each chain node with the fields the direction module weighs)
// One row per (node, patent): the graph's own tuples, finished in pandas by transfer, control_power,
// correlation and hotspots (analytics/direction.py), so both engines hand over identical rows.
// Parameters: $scheme.
// Returns: node, patent, unit (family_id, else the patent id), year (the counting year p.year: earliest priority, else application, else publication; or null),
// cited_by (forward citations), family_size, claims, office (filing office = authority; the family's
// other offices come from family_offices.cypher).
MATCH (p:Patent)-[:IN_NODE]->(n:ChainNode)
WHERE n.scheme = $scheme
RETURN n.id AS node, p.id AS patent, coalesce(p.family_id, p.id) AS unit, p.year AS year,
       p.cited_by AS cited_by, p.family_size AS family_size, p.claims AS claims,
       coalesce(p.authority, '') AS office
ORDER BY node, patent
