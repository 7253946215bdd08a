// 区域空白节点 — A zone's gap nodes
// Chain nodes with patent families worldwide but none from applicants located in the zone (a province
// or city by its Chinese name): the links the zone lacks (补链 candidates).
// :param scheme => 'icv'
// :param zone => '北京市'
MATCH (n:ChainNode) WHERE n.scheme = $scheme
OPTIONAL MATCH (n)<-[:IN_NODE]-(p:Patent)
WITH n, count(DISTINCT coalesce(p.family_id, p.id)) AS world
OPTIONAL MATCH (n)<-[:IN_NODE]-(q:Patent)-[:APPLIED_BY]->(a:Applicant)
WHERE a.city = $zone OR a.province = $zone
WITH n, world, count(DISTINCT coalesce(q.family_id, q.id)) AS zone_units
WHERE world > 0 AND zone_units = 0
RETURN n.id AS node, n.name_zh AS name_zh, n.name_en AS name_en, n.stage AS stage, world AS world_families
ORDER BY world_families DESC, node
