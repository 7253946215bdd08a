"""The only ingest module that touches a store: graph frames in, nodes before relationships."""

from __future__ import annotations

from typing import Callable, Mapping

import pandas as pd

from graph.store import GraphStore, Loaded
from ontology.chains import Chain
from ontology.vocab import vocabulary


def load_graph(store: GraphStore, frames: Mapping[str, pd.DataFrame],
               progress: Callable[[str, Loaded], None] | None = None) -> dict[str, Loaded]:
    """Create the schema, then upsert every frame: node labels first, relationship types after.

    ``frames`` maps ontology names (``Patent``, ``APPLIED_BY`` …) to frames; an unknown name is an
    ``OntologyError``. Re-loading the same frames creates nothing new.
    """
    vocab = vocabulary()
    nodes = [k for k in frames if k in vocab.nodes]
    rels = [k for k in frames if k not in vocab.nodes]
    for name in rels:
        vocab.rel(name)
    store.create_schema()
    done: dict[str, Loaded] = {}
    for name in nodes:
        done[name] = store.load_nodes(name, frames[name])
        if progress:
            progress(name, done[name])
    for name in rels:  # a type with several endpoint pairs names its pair in frame.attrs["endpoints"]
        src, dst = frames[name].attrs.get("endpoints", (None, None))
        done[name] = store.load_rels(name, frames[name], src=src, dst=dst)
        if progress:
            progress(name, done[name])
    return done


def sync_chain(store: GraphStore, chain: Chain) -> dict[str, int]:
    """Make the graph's copy of ``chain`` exactly the scheme file: load its nodes and links, delete the
    ChainNodes of the scheme the file no longer has (with their tags) and links it no longer draws.

    Returns counts removed: nodes, IN_NODE (tags those nodes carried), PART_OF, SUPPLIES.
    """
    frames = chain.frames()
    load_graph(store, frames)
    scheme = {"scheme": chain.scheme}
    there = store.run("MATCH (n:ChainNode) WHERE n.scheme = $scheme RETURN n.id AS id", scheme)["id"]
    gone = sorted(set(there) - set(frames["ChainNode"]["id"]))
    tagged = store.run("MATCH (:Patent)-[r:IN_NODE]->(n:ChainNode) WHERE n.id IN $gone RETURN count(r) AS n",
                       {"gone": gone})["n"].iloc[0] if gone else 0
    removed = {"nodes": store.delete_nodes("ChainNode", gone) if gone else 0, "IN_NODE": int(tagged)}
    for rel in ("PART_OF", "SUPPLIES"):
        have = store.run(f"MATCH (a:ChainNode)-[:{rel}]->(b:ChainNode) WHERE a.scheme = $scheme "
                         "RETURN a.id AS `from`, b.id AS `to`", scheme)
        stale = _minus(have, frames[rel])
        removed[rel] = store.delete_rels(rel, stale, src="ChainNode", dst="ChainNode") if len(stale) else 0
    return removed


def replace_tags(store: GraphStore, chain: Chain, in_node: pd.DataFrame, patents: pd.Series | None = None) -> dict:
    """Make the ``IN_NODE`` tags of ``chain`` on ``patents`` (every patent when None) exactly ``in_node``:
    load the new tags, delete those the classification no longer gives (a node renamed, a rule narrowed).

    Returns counts: tags (now), added, removed, unchanged, patents (tagged now).
    """
    mine = in_node[in_node["to"].isin(pd.Index([c.id for c in chain.concepts]))]
    have = store.run("MATCH (p:Patent)-[:IN_NODE]->(n:ChainNode) WHERE n.scheme = $scheme "
                     "RETURN p.id AS `from`, n.id AS `to`", {"scheme": chain.scheme})
    if patents is not None:
        have = have[have["from"].isin(pd.Index(patents))]
    stale = _minus(have, mine)
    added = len(_minus(mine, have))
    if len(mine):
        store.load_rels("IN_NODE", mine)
    removed = store.delete_rels("IN_NODE", stale) if len(stale) else 0
    return {"tags": len(mine), "added": added, "removed": removed, "unchanged": len(mine) - added,
            "patents": int(mine["from"].nunique())}


def _minus(a: pd.DataFrame, b: pd.DataFrame) -> pd.DataFrame:
    """Rows (from, to) of ``a`` that are not in ``b``."""
    key = lambda f: f["from"].astype(str) + "\x1f" + f["to"].astype(str)  # noqa: E731
    return a[~key(a).isin(key(b))][["from", "to"]].reset_index(drop=True)
