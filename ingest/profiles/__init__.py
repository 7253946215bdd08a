"""Declarative export profiles: one small TOML mapping per vendor format, no code per vendor.

A profile says how to recognise a header row (``detect``: all of these headers; ``also``: at least
one of these), which headers carry each canonical field (first present wins), which fields hold
several values and how they are separated, and which placeholders mean "no date".
"""

from __future__ import annotations

import difflib
import re
import tomllib
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Sequence

from ontology.errors import IngestError

PROFILES_DIR = Path(__file__).parent

#: the canonical fields a profile may map; every other header is ignored.
FIELDS = ("id", "record_id", "app_no", "title", "abstract", "app_date", "app_year", "priority_date", "priority_year",
          "pub_date", "grant_date", "applicants", "applicant_country", "applicant_address",
          "std_applicants", "inventors", "ipcs", "ipc_main", "cpcs", "claims", "cites", "cited_by", "cited_pubs",
          "citing_pubs", "legal_status",
          "legal_events", "litigations", "url",
          "patent_type", "family_id", "family_members", "family_size", "family_offices", "priority_numbers",
          "priority_country", "address", "province", "city", "sei_labels", "sei_main_labels")


def header_key(header) -> str:
    """A header as compared with a profile's: width, case, spaces and punctuation folded, so a re-saved
    file's 公开公告号 or 公开（公告）号 finds 公开(公告)号, and "Lens  ID" finds "Lens ID".

    >>> [header_key(h) for h in ("公开(公告)号", "公开（公告）号", "公开公告号", " Lens ID ", "IPC - 现版")]
    ['公开公告号', '公开公告号', '公开公告号', 'lensid', 'ipc现版']
    """
    return re.sub(r"[\W_]+", "", unicodedata.normalize("NFKC", str(header)).casefold())


@dataclass(frozen=True)
class Profile:
    name: str
    vendor: str
    detect: tuple[str, ...]
    also: tuple[str, ...]
    separator: str
    columns: dict[str, tuple[str, ...]]
    multi: tuple[str, ...]
    no_date: tuple[str, ...] = ()

    def matches(self, headers: Sequence[str]) -> bool:
        seen = {header_key(h) for h in headers}
        return (all(header_key(h) in seen for h in self.detect)
                and (not self.also or any(header_key(h) in seen for h in self.also)))

    def mapping(self, headers: Sequence[str]) -> dict[str, str]:
        """canonical field → the header that carries it in this file (headers compared as
        :func:`header_key` folds them; the first of repeated headers wins)."""
        seen: dict[str, str] = {}
        for h in headers:
            seen.setdefault(header_key(h), str(h).strip())
        out = {}
        for field_name, candidates in self.columns.items():
            for c in candidates:
                if header_key(c) in seen:
                    out[field_name] = seen[header_key(c)]
                    break
        return out


def load_profile(path: str | Path) -> Profile:
    """A profile from a TOML file (the format of ``ingest/profiles/*.toml``), e.g. for ``--profile``."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        data["name"], data["detect"]
    except (OSError, tomllib.TOMLDecodeError, KeyError) as exc:
        raise IngestError(f"not a usable profile: {exc}. A profile is TOML with name, detect = [headers…], "
                          f"separator and a [columns] table; copy one from ingest/profiles/", file=str(path)) from exc
    columns = {k: tuple(v) for k, v in data.get("columns", {}).items()}
    unknown = sorted(set(columns) - set(FIELDS))
    if unknown or "id" not in columns:
        raise IngestError(f"profile {path.name}: fields {unknown} are not canonical fields ({', '.join(FIELDS)}), "
                          f"or 'id' is not mapped")
    return Profile(name=data["name"], vendor=data.get("vendor", data["name"]), detect=tuple(data["detect"]),
                   also=tuple(data.get("also", ())), separator=data.get("separator", ";"), columns=columns,
                   multi=tuple(data.get("multi", {}).get("fields", ())), no_date=tuple(data.get("no_date", ())))


@lru_cache(maxsize=1)
def profiles() -> tuple[Profile, ...]:
    """The shipped profiles, in file-name order."""
    return tuple(load_profile(p) for p in sorted(PROFILES_DIR.glob("*.toml")))


def detect(rows: Sequence[Sequence[str]], file: str, candidates: Sequence[Profile] | None = None) -> tuple[Profile, int]:
    """The profile and 0-based index of the header row among the first ``rows`` of a file.

    The header may sit below title rows. Where several profiles match a row, the one that maps the
    most of its headers wins (vendors share headers such as 申请号). An unknown layout raises
    ``IngestError`` listing the headers seen and the closest profile.
    """
    candidates = tuple(candidates) if candidates else profiles()
    for i, row in enumerate(rows):
        matching = [p for p in candidates if p.matches(row)]
        if matching:
            return max(matching, key=lambda p: (len(p.mapping(row)), -candidates.index(p))), i
    seen = [str(h) for h in (max(rows, key=lambda r: sum(bool(str(v).strip()) for v in r)) if rows else [])
            if str(h).strip()]
    def score(p: Profile) -> tuple:
        return len(p.mapping(seen)), difflib.SequenceMatcher(None, sorted(p.detect), sorted(seen)).ratio()
    best = max(candidates, key=score)
    missing = [h for h in best.detect if h not in seen]
    if best.also and not any(h in seen for h in best.also):
        missing.append(f"one of {list(best.also)}")
    raise IngestError(f"unknown export layout; headers seen: {seen[:25]}. Closest profile: {best.name} "
                      f"({best.vendor}), which needs the headers {missing}. PatNav reads, by their headers, "
                      f"{', '.join(sorted({p.vendor for p in candidates}))}; also PatentsView table folders, EPO "
                      f"OPS and USPTO XML, USPTO APS/BRS text. Export with those columns, pass --profile FILE (a "
                      f"TOML mapping like ingest/profiles/*.toml), or add a profile there.", file=file, row=1)
