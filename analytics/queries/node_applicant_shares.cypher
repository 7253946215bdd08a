// node_applicant_shares — 节点申请人专利份额 (fractional counts per chain node and applicant)
// Each counting unit (family where known, else patent) in a node weighs 1, split equally among the
// unit's distinct applicants (fractional counting); units without applicants are left out.
// Parameters: $scheme.
// Returns: node, applicant (Applicant id), name, units (units the applicant is on), frac (its share of
// unit weight; sum over a node's applicants = the node's units with applicants).
MATCH (p:Patent)-[:IN_NODE]->(n:ChainNode)
WHERE n.scheme = $scheme
MATCH (p)-[:APPLIED_BY]->(a:Applicant)
WITH DISTINCT n.id AS node, coalesce(p.family_id, p.id) AS unit, a.id AS applicant
WITH node, unit, collect(applicant) AS applicants
UNWIND applicants AS applicant
WITH node, applicant, count(*) AS units, sum(1.0 / size(applicants)) AS frac
MATCH (a:Applicant {id: applicant})
RETURN node, applicant, a.name AS name, units, frac
ORDER BY node, applicant
