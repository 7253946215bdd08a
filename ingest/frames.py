"""Deduplicated records (+ chain tags) → node and relationship frames keyed as the ontology declares.

Pure functions over DataFrames; no store access. The result maps ontology names (``Patent``,
``APPLIED_BY`` …) to frames ready for ``GraphStore.load_nodes``/``load_rels``.
"""

from __future__ import annotations

import pandas as pd

from ingest import bulk
from ingest.ipc_titles import level as ipc_level
from ingest.names import applicant_country, applicant_type, name_key
from ingest.regions import locate, region_frames
from ontology.chains import Chain
from ontology.errors import IngestError

PATENT_COLUMNS = ["id", "app_no", "title", "abstract", "app_date", "app_year", "priority_date", "year", "year_basis",
                  "pub_date", "grant_date",
                  "authority", "kind", "type", "legal_status", "is_active", "claims", "cites", "cited_by",
                  "family_id", "family_size", "family_offices", "priority_country", "locarno", "source"]


def _people(records: pd.DataFrame, column: str) -> pd.DataFrame:
    """(patent id, authority, priority_country, order, name, key) for a list column, one row per person
    and patent."""
    long = records[["id", "authority", "priority_country", column]].explode(column).dropna(subset=[column])
    long = long.rename(columns={column: "name"})
    long["order"] = long.groupby("id").cumcount() + 1
    long["key"] = name_key(long["name"].astype(str))
    long = long[long["key"] != ""]
    return long.drop_duplicates(["id", "key"])


@bulk
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
    for col in ("app_year", "year", "claims", "cites", "cited_by", "family_size"):
        patents[col] = pd.to_numeric(patents[col]).astype("Int64")
    frames: dict[str, pd.DataFrame] = {"Patent": patents}
    for column, label, rel in (("applicants", "Applicant", "APPLIED_BY"), ("inventors", "Inventor", "INVENTED_BY")):
        people = _people(records, column)
        nodes = people.drop_duplicates("key")[["key", "name"]].rename(columns={"key": "id"}).reset_index(drop=True)
        if label == "Applicant":
            nodes = _applicant_details(nodes, people, records)
        frames[label] = nodes
        frames[rel] = people.rename(columns={"id": "from", "key": "to"})[["from", "to", "order"]]
    frames.update(_regions(frames["Applicant"]))
    groups, part_of_group = _groups(records)
    if len(part_of_group):
        known = frames["Applicant"]["id"]
        frames["Applicant"] = pd.concat([frames["Applicant"], groups[~groups["id"].isin(known)]], ignore_index=True)
        frames["PART_OF_GROUP"] = part_of_group
    ipc = records[["id", "ipcs", "ipc_main"]].explode("ipcs").dropna(subset=["ipcs"]).drop_duplicates(["id", "ipcs"])
    codes = pd.Series(ipc["ipcs"].drop_duplicates().to_numpy(), dtype=object)
    frames["IPC"] = pd.DataFrame({"id": codes, "level": codes.map(ipc_level)})
    frames["CLASSIFIED_AS"] = pd.DataFrame({"from": ipc["id"].to_numpy(), "to": ipc["ipcs"].to_numpy(),
                                            "main": (ipc["ipcs"] == ipc["ipc_main"]).to_numpy()})
    if chains:
        parts = [c.frames() for c in chains]
        for name in ("ChainNode", "PART_OF", "SUPPLIES"):
            frames[name] = pd.concat([p[name] for p in parts], ignore_index=True)
        frames["PART_OF"].attrs["endpoints"] = ("ChainNode", "ChainNode")  # PART_OF also links IPC → IPC
    if in_node is not None and len(in_node):
        frames["IN_NODE"] = in_node
    return frames


def _applicant_details(nodes: pd.DataFrame, people: pd.DataFrame, records: pd.DataFrame) -> pd.DataFrame:
    """Country, type, name variants and location text per applicant key."""
    by_key = people.groupby("key")
    offices = by_key["authority"].agg(list)
    priorities = by_key["priority_country"].agg(lambda s: [c for c in s if isinstance(c, str)])
    nodes["country"] = applicant_country(nodes["name"], nodes["id"].map(offices),
                                         nodes["id"].map(priorities)).to_numpy()
    nodes["type"] = applicant_type(nodes["name"]).to_numpy()
    nodes["name_variants"] = nodes["id"].map(by_key["name"].agg(lambda s: sorted(set(s)))).to_numpy()
    # an export's address (or 省市/地市) belongs to the first applicant; the most frequent one wins
    where = records[["id", "address", "province", "city"]].copy()
    where["text"] = where["address"].where(where["address"].notna(),
                                           where["province"].fillna("") + where["city"].fillna(""))
    first = people[people["order"] == 1][["id", "key"]].merge(where[["id", "text"]], on="id")
    first = first[first["text"].fillna("").str.strip().ne("")]
    text = first.groupby("key")["text"].agg(lambda s: s.value_counts().index[0])
    nodes["location_text"] = nodes["id"].map(text)
    chinese = nodes["country"].eq("CN")
    nodes["location_text"] = nodes["location_text"].where(nodes["location_text"].notna() | ~chinese, nodes["name"])
    return nodes


def _regions(applicants: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Applicant province/city from its location text, ``Region`` nodes, ``LOCATED_IN`` and ``WITHIN``."""
    text = applicants.pop("location_text")
    has = text.notna()
    places = locate(text[has])
    applicants["province"] = places["province"].reindex(applicants.index)
    applicants["city"] = places["city"].reindex(applicants.index)
    found = places.dropna(subset=["province_code"])
    if found.empty:
        return {}
    regions, within = region_frames(found)
    finest = found["district_code"].where(found["district_code"].notna(),
                                          found["city_code"].where(found["city_code"].notna(), found["province_code"]))
    located = pd.DataFrame({"from": applicants.loc[found.index, "id"].to_numpy(), "to": finest.to_numpy()})
    located.attrs["endpoints"] = ("Applicant", "Region")
    return {"Region": regions, "WITHIN": within, "LOCATED_IN": located}


def _groups(records: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``PART_OF_GROUP`` from the vendor's standardised applicant (incoPat 标准化申请人 ``[通用汽车-C]``,
    Patentics 标准申请人, PatSnap [标]): paired with the applicants by position, or with the first
    applicant when there is one standardised name; the group is an Applicant of type ``group``."""
    rows = [(a, g) for apps, std in zip(records["applicants"], records["std_applicants"]) if std and apps
            for a, g in (zip(apps, std) if len(apps) == len(std) else [(apps[0], std[0])])]
    pairs = pd.DataFrame(rows, columns=["name", "group"], dtype=object)
    pairs["group"] = pairs["group"].str.strip("[] ").str.replace(r"-[A-Za-z]$", "", regex=True)
    pairs["from"], pairs["to"] = name_key(pairs["name"].astype(str)), name_key(pairs["group"])
    pairs = pairs[(pairs["from"] != pairs["to"]) & pairs["to"].ne("") & pairs["from"].ne("")]
    pairs = pairs.drop_duplicates(["from", "to"])
    groups = pairs.drop_duplicates("to")[["to", "group"]].rename(columns={"to": "id", "group": "name"})
    groups["type"] = "group"
    return groups, pairs[["from", "to"]]
