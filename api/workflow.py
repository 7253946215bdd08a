"""The three steps of a navigation run as library calls: ingest, analyze, demo. The CLI is a thin shell.

``ingest`` and ``analyze`` take an open store and a state directory (where the ingest ledger lives),
so the same calls serve the embedded engine, the Neo4j server and the tests.
"""

from __future__ import annotations

import json
from functools import partial
from pathlib import Path

import pandas as pd
from typing import Callable, Sequence

from analytics.options import Options
from analytics.run import analyze as run_indicators
from analytics.zone import Zone
from api.atlas import write_atlas
from graph.store import GraphStore
from ingest.load import load_graph, reconcile, replace_tags, sync_chain
from ingest.pipeline import ingest_files
from ingest.spark import ingest_spark
from ingest.profiles import load_profile
from ingest.report import read_ledger, record_run
from ingest.state import NOT_DIFFED, IngestState
from ontology.chains import load_chain
from ontology.errors import PatNavError

Step = Callable[[str], None]
SAMPLES = Path(__file__).resolve().parent.parent / "ingest" / "samples"


def demo_files(chain: str = "icv") -> list[Path]:
    """The committed sample exports for ``chain`` (incoPat XLSX first, then Patentics CSV)."""
    folder = SAMPLES / chain
    files = sorted(folder.glob("*.xlsx")) + sorted(folder.glob("*.csv"))
    if not files:
        raise PatNavError(f"no bundled sample for chain {chain!r} in {folder}")
    return files


def ingest(store: GraphStore, state_dir: Path, paths: Sequence[str | Path], chains: Sequence[str] = ("icv",),
           report_path: Path | None = None, step: Step | None = None, profile: Path | None = None,
           spark: str | None = None, spark_memory: str = "4g") -> dict:
    """Read, normalise, deduplicate, classify and load ``paths``; keep the ledger in ``state_dir``.

    The rows of earlier runs into the same graph (kept in ``state_dir``, see ``ingest.state``) are
    deduplicated together with this run's, and only what changed is written, so `ingest a; ingest b`
    gives the graph `ingest a b` gives. Returns this run's report (per file and total rows_in/loaded/merged/rejected, rejects_path, what
    was created or updated in the graph); also written to ``report_path`` when given. ``spark``: a Spark
    master URL (``local[*]``, ``spark://host:7077`` …) to read, normalise, deduplicate and classify on
    (``ingest.spark``; the same result as on this machine).
    """
    loaded_chains = [load_chain(c) for c in chains]
    state = IngestState(state_dir)
    run = partial(ingest_spark, master=spark, driver_memory=spark_memory) if spark else ingest_files
    result = run(paths, loaded_chains, step=step, profile=load_profile(profile) if profile else None,
                 previous=state.rows())
    frames = {k: v for k, v in result.frames.items() if k not in NOT_DIFFED}
    before, interrupted = state.loaded_frames(), state.incomplete() is not None
    state.begin(frames, [Path(p).name for p in paths])  # the graph counts as incomplete until state.done
    bulk = _bulk(store, before, interrupted, result.frames)
    if bulk:  # a large first load into an empty Neo4j: the offline import tool
        if step:
            step("bulk import (neo4j-admin): the server restarts")
        done = store.bulk_import(result.frames)
        graph = {name: {"created": n.created, "updated": 0, "removed": 0} for name, n in done.items()}
    else:
        graph = reconcile(store, before, frames, progress=(lambda name, n: step(f"loaded {name}")) if step else None,
                          trust=not interrupted)
    tags = result.frames.get("IN_NODE")
    if tags is None:
        tags = pd.DataFrame(columns=["from", "to", "score", "rule"])
    for chain in loaded_chains:  # re-ingesting under a changed chain leaves no stale tag or node behind
        removed = sync_chain(store, chain)
        if len(result.records):
            t = replace_tags(store, chain, tags, patents=result.records["id"])
            tally = graph.setdefault("IN_NODE", {"created": 0, "updated": 0, "removed": 0})
            tally["created"] += t["added"]
            tally["updated"] += 0 if bulk else t["unchanged"]  # after a bulk import the tags were all just made
            tally["removed"] += t["removed"] + removed["IN_NODE"]
        if removed["nodes"]:
            graph.setdefault("ChainNode", {})["removed"] = graph.get("ChainNode", {}).get("removed", 0) + removed["nodes"]
    state.save_rows(result.rows)
    state.done(frames)
    ledger = record_run(state_dir, result)
    report = {**result.report, "rejects_path": ledger["rejects_path"], "merged_path": ledger["merged_path"],
              "engine": store.engine, "graph": graph}
    for f in report["files"]:
        f["rejects_path"] = ledger["rejects_path"]
    if report_path:
        Path(report_path).write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    return report


def _bulk(store: GraphStore, before: dict, interrupted: bool, frames: dict) -> bool:
    """Whether this load goes through ``neo4j-admin database import``: the first load (nothing loaded
    before, no killed run) of at least ``PATNAV_BULK_IMPORT_ROWS`` graph rows into an empty database of the
    server `patnav neo4j start` runs. Smaller loads take ``UNWIND`` batches: the server's restart costs
    more than it saves."""
    threshold = getattr(store, "bulk_import_rows", None)
    if store.engine != "neo4j" or getattr(store, "server_home", None) is None or threshold is None:
        return False
    if before or interrupted or sum(len(f) for f in frames.values()) < threshold:
        return False
    return store.is_empty()


def incomplete(state_dir: Path | None) -> str | None:
    """A warning when an ingest into this graph was killed before it finished (None when complete)."""
    if state_dir is None:
        return None
    run = IngestState(state_dir).incomplete()
    if run is None:
        return None
    files = ", ".join(run.get("files", [])[:5]) or "?"
    return (f"the graph is incomplete: the ingest of {files} started {run.get('started', '?')} did not finish; "
            f"run that `patnav ingest` again (it completes what was started)")


def analyze(store: GraphStore, state_dir: Path, out: Path, scheme: str = "icv", step: Step | None = None,
            options: Options | None = None, report: bool = True) -> dict:
    """Run every indicator for ``scheme`` and write the atlas to ``out`` (and, unless ``report`` is
    False, report.docx and tables.xlsx beside it); return run.json's content."""
    options = options or Options()
    chain = None
    try:  # a shipped scheme id or a scheme file (.ttl / .xlsx), as ingest and classify accept
        chain = load_chain(str(scheme))
        scheme = chain.scheme
    except PatNavError:
        pass  # a scheme loaded from a file elsewhere: the atlas still works from the graph alone
    analysis = run_indicators(store, scheme, step=step, options=options)
    ledger = read_ledger(state_dir)
    run = write_atlas(out, analysis, chain, ledger, store.engine,
                      {"scheme": scheme, "counting_unit": "family", "top": 10, "publication_lag_months": 18,
                       **options.record()}, deliverables=report)
    warning = incomplete(state_dir)
    if warning:
        run["warnings"] = run.get("warnings", []) + [warning]
        (Path(out) / "run.json").write_text(json.dumps(run, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
    return run


def demo_zone(store: GraphStore, scheme: str) -> tuple[Zone, str]:
    """The zone ``patnav demo`` positions: the city whose located applicants hold the most of the chain's
    Chinese units in the graph, and the sentence saying why."""
    from analytics.positioning.structure import busiest_cities
    from analytics.zone import load_zone
    cities = busiest_cities(store, scheme)
    if cities.empty:
        raise PatNavError("no applicant of the sample is located in a Chinese city: no zone to position")
    best = cities.iloc[0]
    zone = load_zone(best["code"])
    runner = f"; next: {cities['name'].iloc[1]} {cities['units'].iloc[1]:.1f}" if len(cities) > 1 else ""
    return zone, (f"zone {zone.name_zh} ({zone.id}): the city whose applicants hold the most of the sample's Chinese "
                  f"units — {best['units']:.1f} units ({best['nation_share']:.1%} of the nation's), "
                  f"{int(best['applicants'])} applicants{runner}")


def graph_records(store: GraphStore) -> "pd.DataFrame":
    """The loaded patents as classification input (id, title, abstract, ipcs with the main one first,
    ipc_main), read back from the graph — what `patnav ontology diff --db` reclassifies."""
    from ingest.vectors import lists_per_group
    patents = store.run("MATCH (p:Patent) RETURN p.id AS id, p.title AS title, p.abstract AS abstract")
    codes = store.run("MATCH (p:Patent)-[r:CLASSIFIED_AS]->(c:IPC) RETURN p.id AS id, c.id AS code, r.main AS main")
    codes = codes.assign(main=codes["main"].fillna(False).astype(bool)).sort_values(["id", "main", "code"],
                                                                                    ascending=[True, False, True])
    lists = lists_per_group(codes["id"].astype(object), codes["code"].astype(object), sort=False)
    main = codes[codes["main"]].drop_duplicates("id").set_index("id")["code"].astype(object)
    ids = patents["id"].astype(object)
    patents["ipcs"] = [v if isinstance(v, list) else [] for v in ids.map(lists)]
    patents["ipc_main"] = ids.map(main).astype(object).where(ids.isin(main.index), None).to_numpy()
    return patents


def classify(store: GraphStore, chain_ref: str | Path) -> dict:
    """Reclassify every patent in the graph under a chain (shipped id or .ttl file): the scheme's nodes
    and links become exactly the file's, and its ``IN_NODE`` tags exactly what the rules give now."""
    from ingest.classify import classify as tag
    chain = load_chain(str(chain_ref))
    records = graph_records(store)
    nodes = sync_chain(store, chain)
    tags = replace_tags(store, chain, tag(records, chain).in_node)
    tags["patents_tagged"] = tags.pop("patents")
    tags["removed"] += nodes["IN_NODE"]
    return {"scheme": chain.scheme, "version": chain.version, "patents": len(records), **tags,
            "nodes_removed": nodes["nodes"], "links_removed": nodes["PART_OF"] + nodes["SUPPLIES"]}


def ontology_diff(old: str | Path, new: str | Path, store: GraphStore | None = None) -> dict:
    """Concept and rule changes between two scheme files and, with a store, how many of its patents
    would change node."""
    from ingest.classify import classify
    from ontology.diff import diff_chains, patent_moves
    a, b = load_chain(str(old)), load_chain(str(new))
    result = {"changes": diff_chains(a, b)}
    if store is not None:
        records = graph_records(store)
        result["patents"] = len(records)
        result["moves"] = patent_moves(classify(records, a).in_node, classify(records, b).in_node, a, b)
    return result


def load_ipc_titles(store: GraphStore, titles_path: str | Path) -> dict:
    """Give every IPC code in the graph its title and level, and the PART_OF path up to its section."""
    from ingest.ipc_titles import ipc_frames, read_titles
    titles = read_titles(titles_path)
    codes = store.run("MATCH (c:IPC) RETURN c.id AS id")["id"]
    frames = ipc_frames(codes, titles)
    load_graph(store, frames)
    nodes = frames["IPC"]
    return {"codes": len(codes), "nodes": len(nodes), "with_title": int(nodes["title"].notna().sum()),
            "links": len(frames["PART_OF"]), "untitled": nodes.loc[nodes["title"].isna(), "id"].head(10).tolist()}
