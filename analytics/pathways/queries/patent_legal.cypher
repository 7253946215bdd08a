// patent_legal — 专利法律状态与价值要素 (legal status, dates and value inputs of the chain's patents)
// One row per patent classified in the scheme: what the pathway module estimates expiry, legal state and the
// high-value score from (analytics/pathways/value.py).
// Parameters: $scheme.
// Returns: patent, unit (family_id, else the patent id), title, office (filing office), type (invention / utility / design / ''), app_date, grant_date,
// legal_status (the export's word, '' where none), active (true / false / null), year (counting year),
// cited_by, family_size, claims, transfers, licences, pledges, litigations (legal events; null where not
// exported), url (the vendor's link, null where none).
MATCH (p:Patent)
WHERE EXISTS { MATCH (p)-[:IN_NODE]->(n:ChainNode) WHERE n.scheme = $scheme }
RETURN p.id AS patent, coalesce(p.family_id, p.id) AS unit, coalesce(p.title, '') AS title,
       coalesce(p.authority, '') AS office, coalesce(p.type, '') AS type, p.app_date AS app_date,
       p.grant_date AS grant_date, coalesce(p.legal_status, '') AS legal_status, p.is_active AS active,
       p.year AS year, p.cited_by AS cited_by, p.family_size AS family_size, p.claims AS claims,
       p.transfers AS transfers, p.licences AS licences, p.pledges AS pledges, p.litigations AS litigations,
       p.url AS url
ORDER BY patent
