"""Deduplicated records (+ chain tags) → node and relationship frames keyed as the ontology declares.

Pure functions over DataFrames; no store access. The result maps ontology names (``Patent``,
``APPLIED_BY`` …) to frames ready for ``GraphStore.load_nodes``/``load_rels``.
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd

from ingest.citations import citation_links
from ingest import bulk
from ingest.ipc_titles import level as ipc_level
from ingest.countries import decide
from ingest.linking import canonical_keys, family_links
from ingest.names import applicant_type, name_key, person_key
from ingest.regions import locate, region_frames
from ingest.vectors import lists_per_group, per_unique
from ontology.chains import Chain
from ontology.errors import IngestError

PATENT_COLUMNS = ["id", "app_no", "title", "abstract", "app_date", "app_year", "priority_date", "year", "year_basis",
                  "pub_date", "grant_date",
                  "authority", "kind", "type", "legal_status", "is_active", "transfers", "licences", "pledges",
                  "litigations", "url", "claims", "cites", "cited_by", "cited_pubs", "citing_pubs",
                  "family_id", "family_size", "family_offices", "priority_country", "locarno", "source"]


def _people(records: pd.DataFrame, column: str) -> pd.DataFrame:
    """(patent id, authority, priority_country, priority_known, order, name, key, column_country, address)
    for a list column, one row per person and patent; the country and address are the export's values
    for that applicant's position (applicants only)."""
    cols = ["id", "authority", "priority_country", "priority_known", column]
    aligned = column == "applicants" and {"applicant_countries", "applicant_addresses"} <= set(records.columns)
    frame = records[[c for c in cols if c in records.columns and c != column]]
    cells = records[column]
    lengths = np.fromiter(map(len, cells), dtype=np.int64, count=len(cells))
    rows = np.repeat(np.arange(len(frame)), lengths)
    long = frame.iloc[rows].copy()
    long["name"] = list(itertools.chain.from_iterable(cells))
    if aligned:
        for src, dst in (("applicant_countries", "column_country"), ("applicant_addresses", "address")):
            long[dst] = [xs[i] if i < len(xs) else "" for xs, n in zip(records[src], lengths) for i in range(n)]
    # the position of each name in its patent's list (ids are unique here: one run of rows per patent)
    starts = np.cumsum(lengths) - lengths
    long["order"] = np.arange(len(long)) - np.repeat(starts, lengths) + 1
    long["key"] = name_key(long["name"].astype(str)) if column != "inventors" else person_key(long["name"].astype(str))
    long = long[long["key"] != ""]
    return long.drop_duplicates(["id", "key"])


@bulk
def graph_frames(records: pd.DataFrame, in_node: pd.DataFrame | None = None,
                 chains: tuple[Chain, ...] = (), aliases: pd.DataFrame | None = None) -> dict[str, pd.DataFrame]:
    """Node and relationship frames for records that are already deduplicated by ``id``.

    ``in_node`` holds chain tags (from, to, score, rule) from ``ingest.classify``; ``chains`` adds
    their ``ChainNode``, ``PART_OF`` and ``SUPPLIES`` frames; ``aliases`` (cjk, latin, families) are
    further applicant keys known to be one organisation (``ingest.linking.publication_links``).
    """
    if records["id"].duplicated().any():
        dup = records.loc[records["id"].duplicated(), "id"].iloc[0]
        raise IngestError(f"publication {dup!r} occurs twice; deduplicate records before building the graph")
    patents = records[PATENT_COLUMNS].copy()
    for col in ("app_year", "year", "claims", "cites", "cited_by", "family_size", "transfers", "licences", "pledges",
                "litigations"):
        patents[col] = pd.to_numeric(patents[col]).astype("Int64")
    frames: dict[str, pd.DataFrame] = {"Patent": patents}
    for column, label, rel in (("applicants", "Applicant", "APPLIED_BY"), ("inventors", "Inventor", "INVENTED_BY")):
        people = _people(records, column)
        if label == "Applicant":  # one organisation under names in two scripts is one applicant
            canon = _organisations(people, records, aliases)
            people = people.assign(key=_remap(people["key"], canon)).drop_duplicates(["id", "key"])
        seen = people[["key", "name"]]
        if label == "Applicant" and aliases is not None and len(aliases):  # the names merged rows wrote
            written = pd.concat([aliases[["cjk", "cjk_name"]].set_axis(["key", "name"], axis=1),
                                 aliases[["latin", "latin_name"]].set_axis(["key", "name"], axis=1)])
            written = written.assign(key=_remap(written["key"], canon))
            seen = pd.concat([seen, written[written["key"].isin(set(people["key"]))]], ignore_index=True)
        nodes = _display_names(seen)
        if label == "Applicant":
            groups, part_of_group = _groups(records)
            part_of_group = part_of_group.assign(**{c: _remap(part_of_group[c], canon) for c in ("from", "to")})
            part_of_group = part_of_group[part_of_group["from"] != part_of_group["to"]].drop_duplicates()
            named = part_of_group.assign(group_name=part_of_group["to"].map(groups.set_index("id")["name"]))
            nodes, decided = _applicant_details(nodes, people, records, named, seen)
        frames[label] = nodes
        frames[rel] = people.rename(columns={"id": "from", "key": "to"})[["from", "to", "order"]]
    frames.update(_regions(frames["Applicant"]))
    if len(part_of_group):
        known = frames["Applicant"]["id"]
        extra = groups[~groups["id"].isin(known)].copy()
        extra["country"] = extra["id"].map(decided["country"]).fillna("")  # decide() gave the groups theirs too
        extra["country_source"] = extra["id"].map(decided["country_source"]).fillna("")
        frames["Applicant"] = pd.concat([frames["Applicant"], extra], ignore_index=True)
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
    cites = citation_links(records)
    if len(cites):
        frames["CITES"] = cites
    return frames


def _remap(keys: pd.Series, canon: pd.Series) -> pd.Series:
    """Each key replaced by its organisation's key where it has one."""
    if canon.empty:
        return keys
    mapped = keys.map(canon.astype(object))
    return mapped.where(mapped.notna(), keys).astype(object)


def _organisations(people: pd.DataFrame, records: pd.DataFrame, aliases: pd.DataFrame | None = None) -> pd.Series:
    """Applicant key → the key of the organisation it is one of (``ingest.linking``: the same family
    filed in China and abroad, or the same publication in two exports, with the applicant in each script)."""
    names = people.groupby(["key", "name"]).size().rename("n").reset_index()
    links = family_links(people, records.set_index("id")["family_id"])
    if aliases is not None and len(aliases):
        known = set(people["key"])
        extra = aliases[aliases["cjk"].isin(known) | aliases["latin"].isin(known)][["cjk", "latin", "families"]]
        links = pd.concat([links, extra], ignore_index=True).drop_duplicates(["cjk", "latin"])
        hans = aliases[["cjk", "cjk_name"]].set_axis(["key", "name"], axis=1).assign(n=1)
        names = pd.concat([names, hans[~hans["key"].isin(set(names["key"]))]], ignore_index=True)
    return canonical_keys(links, names)


def _display_names(people: pd.DataFrame) -> pd.DataFrame:
    """One node per key named by its most frequent spelling (ties: one not in capitals throughout, then the
    first in code-point order: "Lyft, Inc." before "LYFT, INC.") — or,
    for a key several scripts share, by its most frequent Chinese name (Chinese first; the others are
    name variants). Not by first mention: the graph must not depend on the order files or rows come in
    (another file order, or Spark's partitions, would rename a node)."""
    nodes = people.drop_duplicates("key")[["key"]].rename(columns={"key": "id"}).reset_index(drop=True)
    spelled = people.groupby(["key", "name"], sort=False).size().rename("n").reset_index()
    text = spelled["name"].astype(str)
    spelled["capitals"] = text.eq(text.str.upper()) & text.ne(text.str.lower())
    spelled = (spelled.sort_values(["key", "n", "capitals", "name"], ascending=[True, False, True, True])
               .drop_duplicates("key"))
    nodes["name"] = nodes["id"].map(spelled.set_index("key")["name"])
    is_han = per_unique(lambda s: s.astype(str).str.contains(r"[\u4e00-\u9fff]"), people["name"]).astype(bool)
    by_key = is_han.groupby(people["key"].to_numpy())
    mixed = by_key.any() & ~by_key.all()
    if mixed.any():
        han = people[people["key"].isin(mixed.index[mixed]) & is_han]
        best = han.groupby(["key", "name"]).size().rename("n").reset_index()
        best = best.sort_values(["key", "n", "name"], ascending=[True, False, True]).drop_duplicates("key")
        nodes["name"] = nodes["id"].map(best.set_index("key")["name"]).fillna(nodes["name"])
    return nodes


def _applicant_details(nodes: pd.DataFrame, people: pd.DataFrame, records: pd.DataFrame,
                       groups: pd.DataFrame | None = None, seen: pd.DataFrame | None = None
                       ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Country (with the evidence that decided it), type, name variants and location text per applicant
    key; and the decided countries of every key (the group nodes' too)."""
    if people.empty:
        empty = pd.DataFrame(columns=["country", "country_source"], dtype=object)
        return nodes.assign(country="", country_source="", type="", name_variants=None, location_text=None,
                            region_source=None), empty
    first_address = records.set_index("id")["address"] if "address" in records else None
    address = people["address"] if "address" in people else pd.Series("", index=people.index)
    if first_address is not None:  # a single address column belongs to the first applicant
        first = people["order"].eq(1) & address.fillna("").eq("")
        address = address.where(~first, people["id"].map(first_address))
    mentions = pd.DataFrame({"key": people["key"], "name": people["name"], "office": people["authority"],
                             "priority": people["priority_country"].fillna(""),
                             "priority_known": people.get("priority_known", pd.Series(False, index=people.index))
                             .fillna(False).astype(bool),
                             "column": people.get("column_country", pd.Series("", index=people.index)).fillna(""),
                             "address": address.fillna("")})
    decided = decide(mentions, groups).set_index("key")
    nodes["country"] = nodes["id"].map(decided["country"]).fillna("").to_numpy()
    nodes["country_source"] = nodes["id"].map(decided["country_source"]).fillna("").to_numpy()
    nodes["type"] = applicant_type(nodes["name"]).to_numpy()
    named = seen if seen is not None else people
    variants = lists_per_group(named["key"], named["name"])
    nodes["name_variants"] = nodes["id"].map(variants).to_numpy()
    # where in China: the applicant's address, else the export's 省市/地市 (they belong to the first applicant),
    # else its name; the most frequent text wins; only for applicants whose country is China
    where = mentions.assign(order=people["order"].to_numpy(), id=people["id"].to_numpy())
    cols = records.set_index("id")[["province", "city"]].fillna("")
    columns = (where["id"].map(cols["province"]) + where["id"].map(cols["city"])).where(where["order"].eq(1), "")
    where["text"] = where["address"].where(where["address"].str.strip().ne(""), columns.fillna(""))
    where["source"] = where["address"].str.strip().ne("").map({True: "address", False: "column"})
    where = where[where["text"].str.strip().ne("")]
    best = where.groupby(["key", "text", "source"]).size().rename("n").reset_index()
    best = best.sort_values(["key", "n", "text"], ascending=[True, False, True]).drop_duplicates("key").set_index("key")
    chinese = nodes["country"].eq("CN")
    text = nodes["id"].map(best["text"]).astype(object).where(chinese, None)
    source = nodes["id"].map(best["source"]).astype(object).where(chinese, None)
    by_name = chinese & text.isna() & nodes["type"].ne("individual").to_numpy()  # a person's name is no place
    nodes["location_text"] = text.where(~by_name, nodes["name"].astype(object))
    nodes["region_source"] = source.where(~by_name, "name")
    return nodes, decided


def _regions(applicants: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Applicant province/city from its location text, ``Region`` nodes, ``LOCATED_IN`` and ``WITHIN``."""
    text = applicants.pop("location_text")
    has = text.notna()
    places = locate(text[has])
    applicants["province"] = places["province"].reindex(applicants.index)
    applicants["city"] = places["city"].reindex(applicants.index)
    applicants["region_source"] = applicants["region_source"].where(applicants["province"].notna(), None)
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
