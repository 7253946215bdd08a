// patent_applicants — 产业链专利的申请人 (applicants of the patents classified into the chain)
// Parameters: $scheme.
// Returns: patent, applicant (Applicant id), name, country (ISO code, '' unknown), province ('' unknown).
MATCH (p:Patent)-[:APPLIED_BY]->(a:Applicant)
WHERE EXISTS { MATCH (p)-[:IN_NODE]->(n:ChainNode) WHERE n.scheme = $scheme }
RETURN p.id AS patent, a.id AS applicant, a.name AS name, coalesce(a.country, '') AS country,
       coalesce(a.province, '') AS province
ORDER BY patent, applicant
