"""The only ingest module that touches a store: graph frames in, nodes before relationships."""

from __future__ import annotations

from typing import Callable, Mapping

import pandas as pd

from graph.store import GraphStore, Loaded
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
