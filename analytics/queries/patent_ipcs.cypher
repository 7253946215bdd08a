// patent_ipcs — 产业链专利的IPC分类号 (IPC codes of the patents classified into the chain)
// Parameters: $scheme.
// Returns: patent, unit (family_id, else the patent id), year (the counting year p.year: earliest priority, else application, else publication; or null), ipc (code as
// stored, e.g. 'G06F17/30'; the main group is the part before '/' followed by '/00').
MATCH (p:Patent)-[:CLASSIFIED_AS]->(c:IPC)
WHERE EXISTS { MATCH (p)-[:IN_NODE]->(n:ChainNode) WHERE n.scheme = $scheme }
RETURN p.id AS patent, coalesce(p.family_id, p.id) AS unit, p.year AS year, c.id AS ipc
ORDER BY patent, ipc
