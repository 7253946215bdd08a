// applicant_regions — 申请人所在地区 (where the applicants of the chain's patents are located)
// The finest region each applicant is located in (district, city or province code; null where not known),
// its type and country: what the positioning module places in a zone.
// Parameters: $scheme.
// Returns: applicant, region (6-digit admin code or null), type, country ('' unknown), region_source
// (address, province/city column, name; '' where not located).
MATCH (a:Applicant)
WHERE EXISTS { MATCH (a)<-[:APPLIED_BY]-(p:Patent)-[:IN_NODE]->(n:ChainNode) WHERE n.scheme = $scheme }
OPTIONAL MATCH (a)-[:LOCATED_IN]->(r:Region)
RETURN a.id AS applicant, r.id AS region, coalesce(a.type, '') AS type, coalesce(a.country, '') AS country,
       coalesce(a.region_source, '') AS region_source
ORDER BY applicant
