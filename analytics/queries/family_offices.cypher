// family_offices — 同族受理局 (the filing offices of each classified unit's family, one row each)
// Where the source lists a family's offices (incoPat 同族国家, Lens), each office of each classified
// patent's family; market coverage adds them to the members' own offices (node_patents.office).
// Parameters: $scheme.
// Returns: unit (family_id, else the patent id), office.
MATCH (p:Patent)
WHERE p.family_offices IS NOT NULL AND EXISTS { MATCH (p)-[:IN_NODE]->(n:ChainNode) WHERE n.scheme = $scheme }
UNWIND p.family_offices AS office
RETURN DISTINCT coalesce(p.family_id, p.id) AS unit, office
ORDER BY unit, office
