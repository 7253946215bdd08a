// chain_links — 产业链供给关系 (supply links between chain nodes)
// Parameters: $scheme.
// Returns: source, target (ChainNode ids).
MATCH (a:ChainNode)-[:SUPPLIES]->(b:ChainNode)
WHERE a.scheme = $scheme
RETURN a.id AS source, b.id AS target
ORDER BY source, target
