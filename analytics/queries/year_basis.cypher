// year_basis — 计数年份依据 (which year each patent is counted in)
// Every patent is counted in p.year: its earliest priority year where the export gives one, else its
// application year, else (nothing earlier known) its publication year; p.year_basis says which.
// Parameters: $scheme.
// Returns: basis (priority / application / publication / '' when no year is known), patents, classified
// (of those, patents with a node of the scheme).
MATCH (p:Patent)
RETURN coalesce(p.year_basis, '') AS basis, count(*) AS patents,
       sum(CASE WHEN EXISTS { MATCH (p)-[:IN_NODE]->(n:ChainNode) WHERE n.scheme = $scheme } THEN 1 ELSE 0 END) AS classified
ORDER BY basis
