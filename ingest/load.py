"""The only ingest module that touches a store: graph frames in, nodes before relationships."""

from __future__ import annotations

from typing import Callable, Mapping

import pandas as pd

from graph.store import GraphStore, Loaded
from ingest.vectors import isin_text, pair_keys, present
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


#: nodes other commands also hang links on (`patnav ontology ipc` adds PART_OF between IPC codes): deleted only
#: when nothing links to them any more
SHARED_NODES = ("IPC", "Region")


def reconcile(store: GraphStore, before: Mapping[str, pd.DataFrame], frames: Mapping[str, pd.DataFrame],
              progress: Callable[[str, Loaded], None] | None = None, trust: bool = True) -> dict[str, dict]:
    """Make the graph hold ``frames`` where the last completed ingest left ``before`` (``ingest.state``):
    load the rows that are new or changed, then delete the relationships and nodes ``before`` had and
    ``frames`` no longer do (a patent another file's grant now represents, an applicant left without
    patents). Nothing an ingest did not create is touched. ``trust=False`` (the last run was killed,
    so the graph may hold part of anything): every row is loaded again.

    Returns per frame name: created, updated, removed.
    """
    from ingest.state import change
    vocab = vocabulary()
    changes = {name: change(before.get(name), frame) for name, frame in frames.items()}
    upserts = {name: (c.upsert if trust else frames[name]).copy() for name, c in changes.items()
               if len(c.upsert if trust else frames[name])}
    for name, frame in upserts.items():
        frame.attrs = dict(frames[name].attrs)
    done = load_graph(store, upserts, progress) if upserts else {}
    out = {name: {"created": done[name].created if name in done else 0,
                  "updated": done[name].updated if name in done else 0, "removed": 0} for name in frames}
    gone = {name: c.gone for name, c in changes.items() if len(c.gone)}
    gone.update({name: old[["id"] if "id" in old else ["from", "to"]] for name, old in before.items()
                 if name not in frames and len(old)})
    for name, keys in gone.items():
        if name not in vocab.nodes:
            src, dst = (frames.get(name, before.get(name)).attrs.get("endpoints", (None, None)))
            out.setdefault(name, {"created": 0, "updated": 0, "removed": 0})
            out[name]["removed"] = store.delete_rels(name, keys, src=src, dst=dst)
    for name, keys in gone.items():
        if name in vocab.nodes:
            ids = keys["id"].astype(str).tolist()
            if name in SHARED_NODES:
                linked = store.run(f"MATCH (n:{name})-[]-() WHERE n.id IN $ids RETURN DISTINCT n.id AS id",
                                   {"ids": ids})["id"]
                ids = sorted(set(ids) - set(linked))
            out.setdefault(name, {"created": 0, "updated": 0, "removed": 0})
            out[name]["removed"] = store.delete_nodes(name, ids) if ids else 0
    return out


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
    have = store.run("MATCH (p:Patent)-[t:IN_NODE]->(n:ChainNode) WHERE n.scheme = $scheme "
                     "RETURN p.id AS `from`, n.id AS `to`, t.score AS score, t.rule AS rule", {"scheme": chain.scheme})
    if patents is not None:
        have = have[isin_text(have["from"], patents)]
    stale = _minus(have, mine)
    added = len(_minus(mine, have))
    # only tags that are new or read differently now are written: a reclassification leaves most as they were
    same = present(_tag_keys(mine), _tag_keys(have))
    if (~same).any():
        store.load_rels("IN_NODE", mine[~same])
    removed = store.delete_rels("IN_NODE", stale) if len(stale) else 0
    return {"tags": len(mine), "added": added, "removed": removed, "unchanged": len(mine) - added,
            "patents": int(mine["from"].nunique())}


def _tag_keys(tags: pd.DataFrame):
    """One text key per tag: patent, node, score and rule."""
    both = tags.assign(key=pair_keys(tags).to_numpy(zero_copy_only=False),
                       how=tags["score"].astype(float).round(6).astype(str) + "\x1f" + tags["rule"].astype(str))
    return pair_keys(both, "key", "how")


def _minus(a: pd.DataFrame, b: pd.DataFrame) -> pd.DataFrame:
    """Rows (from, to) of ``a`` that are not in ``b``."""
    return a[~present(pair_keys(a), pair_keys(b))][["from", "to"]].reset_index(drop=True)
