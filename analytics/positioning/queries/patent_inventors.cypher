// patent_inventors — 产业链专利的发明人 (the inventors of the chain's patents, in the order written)
// Parameters: $scheme.
// Returns: patent, inventor (Inventor id), name, position (1 = first inventor; null where not known).
MATCH (p:Patent)-[r:INVENTED_BY]->(i:Inventor)
WHERE EXISTS { MATCH (p)-[:IN_NODE]->(n:ChainNode) WHERE n.scheme = $scheme }
RETURN p.id AS patent, i.id AS inventor, i.name AS name, r.`order` AS position
ORDER BY patent, inventor
