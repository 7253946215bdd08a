// chain_nodes — 产业链节点与专利量 (chain nodes with their patent counts, for the chain map)
// Parameters: $scheme.
// Returns: node, code, name_zh, name_en, stage, level, weight, parent (id or null), units (distinct
// families-or-patents tagged), patents (distinct patents tagged).
MATCH (n:ChainNode)
WHERE n.scheme = $scheme
OPTIONAL MATCH (n)-[:PART_OF]->(up:ChainNode)
OPTIONAL MATCH (p:Patent)-[:IN_NODE]->(n)
WITH n, up, count(DISTINCT coalesce(p.family_id, p.id)) AS units, count(DISTINCT p.id) AS patents
RETURN n.id AS node, n.code AS code, n.name_zh AS name_zh, n.name_en AS name_en, n.stage AS stage,
       n.level AS level, n.weight AS weight, up.id AS parent, units, patents
ORDER BY node
