// applicant_groups — 申请人所属集团 (the vendors' standardised groups applicants belong to)
// Parameters: none.
// Returns: applicant (member Applicant id), group (group Applicant id).
MATCH (a:Applicant)-[:PART_OF_GROUP]->(g:Applicant)
RETURN a.id AS applicant, g.id AS group_id
ORDER BY applicant, group_id
