"""Deduplicated records (+ chain tags) → node and relationship frames keyed as the ontology declares.

Pure functions over DataFrames; no store access. The result maps ontology names (``Patent``,
``APPLIED_BY`` …) to frames ready for ``GraphStore.load_nodes``/``load_rels``.
"""

from __future__ import annotations

import pandas as pd

from ingest.normalize import applicant_country, applicant_type, name_key
from ontology.chains import Chain
from ontology.errors import IngestError

PATENT_COLUMNS = ["id", "app_no", "title", "abstract", "app_date", "app_year", "pub_date", "grant_date",
                  "authority", "kind", "type", "legal_status", "is_active", "claims", "cites", "cited_by",
                  "family_id", "family_size", "source"]


def _people(records: pd.DataFrame, column: str) -> pd.DataFrame:
    """(patent id, authority, order, name, key) for a list column, one row per person and patent."""
    long = records[["id", "authority", column]].explode(column).dropna(subset=[column])
    long = long.rename(columns={column: "name"})
    long["order"] = long.groupby("id").cumcount() + 1
    long["key"] = name_key(long["name"].astype(str))
    long = long[long["key"] != ""]
    return long.drop_duplicates(["id", "key"])


def graph_frames(records: pd.DataFrame, in_node: pd.DataFrame | None = None,
                 chains: tuple[Chain, ...] = ()) -> dict[str, pd.DataFrame]:
    """Node and relationship frames for records that are already deduplicated by ``id``.

    ``in_node`` holds chain tags (from, to, score, rule) from ``ingest.classify``; ``chains`` adds
    their ``ChainNode``, ``PART_OF`` and ``SUPPLIES`` frames.
    """
    if records["id"].duplicated().any():
        dup = records.loc[records["id"].duplicated(), "id"].iloc[0]
        raise IngestError(f"publication {dup!r} occurs twice; deduplicate records before building the graph")
    patents = records[PATENT_COLUMNS].copy()
    for col in ("app_year", "claims", "cites", "cited_by", "family_size"):
        patents[col] = pd.to_numeric(patents[col]).astype("Int64")
    frames: dict[str, pd.DataFrame] = {"Patent": patents}
    for column, label, rel in (("applicants", "Applicant", "APPLIED_BY"), ("inventors", "Inventor", "INVENTED_BY")):
        people = _people(records, column)
        nodes = people.drop_duplicates("key")[["key", "name"]].rename(columns={"key": "id"}).reset_index(drop=True)
        if label == "Applicant":
            offices = people.groupby("key")["authority"].agg(list)
            nodes["country"] = applicant_country(nodes["name"], nodes["id"].map(offices)).to_numpy()
            nodes["type"] = applicant_type(nodes["name"]).to_numpy()
            variants = people.groupby("key")["name"].agg(lambda s: sorted(set(s)))
            nodes["name_variants"] = nodes["id"].map(variants).to_numpy()
        frames[label] = nodes
        frames[rel] = people.rename(columns={"id": "from", "key": "to"})[["from", "to", "order"]]
    ipc = records[["id", "ipcs", "ipc_main"]].explode("ipcs").dropna(subset=["ipcs"]).drop_duplicates(["id", "ipcs"])
    codes = pd.Series(ipc["ipcs"].drop_duplicates().to_numpy(), dtype=object)
    frames["IPC"] = pd.DataFrame({"id": codes, "level": codes.str.endswith("/00").map({True: "group",
                                                                                       False: "subgroup"})})
    frames["CLASSIFIED_AS"] = pd.DataFrame({"from": ipc["id"].to_numpy(), "to": ipc["ipcs"].to_numpy(),
                                            "main": (ipc["ipcs"] == ipc["ipc_main"]).to_numpy()})
    if chains:
        parts = [c.frames() for c in chains]
        for name in ("ChainNode", "PART_OF", "SUPPLIES"):
            frames[name] = pd.concat([p[name] for p in parts], ignore_index=True)
    if in_node is not None and len(in_node):
        frames["IN_NODE"] = in_node
    return frames
