// applicant_countries — 节点申请人国别分布 (applicant-country distribution per chain node)
// Fractional counting as in node_applicant_shares, summed by the applicant's country (ISO code; ''
// where the country is not known). Country of the applicant, not the filing office.
// Parameters: $scheme.
// Returns: node, country, frac.
MATCH (p:Patent)-[:IN_NODE]->(n:ChainNode)
WHERE n.scheme = $scheme
MATCH (p)-[:APPLIED_BY]->(a:Applicant)
WITH DISTINCT n.id AS node, coalesce(p.family_id, p.id) AS unit, a.id AS applicant, coalesce(a.country, '') AS country
WITH node, unit, collect(country) AS countries
UNWIND countries AS country
WITH node, country, sum(1.0 / size(countries)) AS frac
RETURN node, country, frac
ORDER BY node, country
