// patent_status — 专利类型与法律状态 (type, grant and legal state of the chain's patents)
// Parameters: $scheme.
// Returns: patent, type (invention / utility / design / ''), granted (a grant date is known), active (true /
// false / null where the export says nothing).
MATCH (p:Patent)
WHERE EXISTS { MATCH (p)-[:IN_NODE]->(n:ChainNode) WHERE n.scheme = $scheme }
RETURN p.id AS patent, coalesce(p.type, '') AS type, p.grant_date IS NOT NULL AS granted, p.is_active AS active
ORDER BY patent
