"""The zone a navigation analysis is for (区域): admin areas of China, or a zone file.

``--zone 青岛市`` / ``--zone 370200`` / ``--zone 山东省`` names one admin area (province, city or district,
resolved against cpca's table of admin codes); ``--zone park.toml`` a zone file::

    name_zh = "青岛高新区"
    name_en = "Qingdao Hi-tech Zone"
    areas = ["370212", "370213"]        # admin areas, by code or name
    roster = "enterprises.xlsx"         # optional: the zone's enterprises (a name column, optional credit code)
    peers = ["苏州市", "370100"]          # optional: zones to compare with

    [priorities]                        # optional: chain nodes the zone's policy favours, weight 0–1
    "icv:M1" = 1.0                      # (node id, or its code: "M1"); the pathways' policy fit

An applicant belongs to the zone when its located region lies within one of the areas (an applicant
placed only at province level is not in a city zone: where it is, is unknown) or when it, or the group
it belongs to, is on the roster. References: the nation (the zone's country, CN) and the world (every
applicant in the graph).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ingest.regions import admin_areas  # noqa: F401 — the admin table, re-exported for the positioning module
from ontology.errors import PatNavError


@dataclass(frozen=True)
class Zone:
    id: str                                  # what URLs and file names use: the admin code, or the file's stem
    name_zh: str
    name_en: str
    areas: tuple[str, ...]                   # 6-digit admin codes
    roster: tuple[str, ...] = ()             # enterprise names as given
    roster_codes: tuple[str, ...] = ()       # their credit codes, where given ('' otherwise)
    peers: tuple["Zone", ...] = field(default=())
    priorities: tuple[tuple[str, float], ...] = ()  # (chain node id or code, weight 0–1) from the zone file
    country: str = "CN"
    source: str = ""                         # how it was given: "admin area", or the zone file's path

    def record(self) -> dict:
        """What run.json keeps."""
        return {"id": self.id, "name_zh": self.name_zh, "name_en": self.name_en, "areas": list(self.areas),
                "roster": len(self.roster), "peers": [p.id for p in self.peers], "priorities": dict(self.priorities), "country": self.country,
                "source": self.source}


def resolve_area(text: str) -> pd.Series:
    """One admin area by code (``370200``, ``370200000000``) or name (``青岛市``, ``青岛``, ``山东省``).

    >>> resolve_area("青岛")[["code", "level"]].tolist(), resolve_area("370000")["name"], resolve_area("310100")["code"]
    (['370200', 'city'], '山东省', '310000')
    """
    areas = admin_areas()
    text = str(text).strip()
    if re.fullmatch(r"\d{6}(\d{6})?", text):
        code = text[:6]
        if code[:2] in ("11", "12", "31", "50") and code[2:] in ("0100", "0200"):
            code = code[:2] + "0000"  # a municipality's 市辖区 / 县 is the municipality: 310100 is 上海市
        found = areas[areas["code"] == code]
        if found.empty:
            raise PatNavError(f"no admin area has the code {text}; give a 6-digit code of a province, city or "
                              "district (e.g. 370200 for 青岛市) or its name")
        return found.iloc[0]
    for candidate in (text, text + "市", text + "省", text + "区", text + "县", text + "自治区"):
        found = areas[areas["name"] == candidate]
        if len(found) == 1:
            return found.iloc[0]
        if len(found) > 1:
            options = ", ".join(f"{r.code} ({r.name}, {r.level})" for r in found.head(6).itertuples())
            raise PatNavError(f"{text!r} names several admin areas: {options}; give the code instead")
    raise PatNavError(f"{text!r} is not the name or code of a Chinese province, city or district; give it as "
                      "written in the admin table (青岛市, 山东省, 黄岛区) or its 6-digit code, or a zone file (.toml)")


def load_zone(spec: str) -> Zone:
    """A zone from ``--zone``: an admin area's name or code, or a zone file (.toml)."""
    path = Path(spec)
    if path.suffix.lower() == ".toml":
        return _zone_file(path)
    area = resolve_area(spec)
    return Zone(id=area["code"], name_zh=area["name"], name_en=area["name"], areas=(area["code"],),
                source="admin area")


def _zone_file(path: Path) -> Zone:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise PatNavError(f"zone file {path}: cannot read it ({exc}); see the example in analytics/zone.py") from exc
    areas = data.get("areas", [])
    if not isinstance(areas, list) or not (areas or data.get("roster")):
        raise PatNavError(f"zone file {path}: give areas = [\"370200\", …] (admin codes or names) and/or a roster")
    codes = tuple(dict.fromkeys(resolve_area(a)["code"] for a in areas))
    roster, credit = (), ()
    if data.get("roster"):
        roster, credit = read_roster(path.parent / data["roster"])
    # a peer given as a zone file is read beside this one, as the roster is
    peers = tuple(load_zone(str(path.parent / p) if str(p).lower().endswith(".toml") else p)
                  for p in data.get("peers", []))
    priorities = data.get("priorities", {})
    if not isinstance(priorities, dict) or not all(isinstance(v, (int, float)) and 0 <= v <= 1
                                                    for v in priorities.values()):
        raise PatNavError(f"zone file {path}: [priorities] maps chain nodes to weights from 0 to 1, e.g. "
                          '"icv:M1" = 1.0')
    name = data.get("name_zh") or data.get("name") or path.stem
    return Zone(id=re.sub(r"[^\w-]+", "-", path.stem), name_zh=name, name_en=data.get("name_en", name), areas=codes,
                roster=roster, roster_codes=credit, peers=peers,
                priorities=tuple(sorted((str(k), float(v)) for k, v in priorities.items())), country=str(data.get("country", "CN")).upper(),
                source=str(path))


def read_roster(path: Path) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Enterprise names (and credit codes, where a column holds them) from a CSV or XLSX roster: the name
    column is the first whose header says 名称 / name, else 企业 / 单位 / company, never the credit-code
    column (企业统一社会信用代码 is a code, not a name)."""
    try:
        frame = (pd.read_excel(path, dtype=str) if path.suffix.lower() in (".xlsx", ".xls")
                 else pd.read_csv(path, dtype=str, encoding="utf-8-sig"))
    except Exception as exc:  # noqa: BLE001 — any unreadable file is the same message
        raise PatNavError(f"roster {path}: cannot read it ({exc}); give a CSV or XLSX with a column of names") from exc
    frame.columns = [str(c).strip() for c in frame.columns]
    code_col = next((c for c in frame.columns if re.search(r"信用代码|credit|uscc", c, re.I)), None)
    names_first = [c for c in frame.columns if c != code_col]
    name_col = next((c for pattern in (r"名称|name", r"企业|单位|company") for c in names_first
                     if re.search(pattern, c, re.I)), names_first[0] if names_first else frame.columns[0])
    names = frame[name_col].fillna("").str.strip()
    keep = names != ""
    codes = frame[code_col].fillna("").str.strip() if code_col else pd.Series("", index=frame.index)
    return tuple(names[keep]), tuple(codes[keep])


def in_areas(regions: pd.Series, areas: tuple[str, ...]) -> pd.Series:
    """True where a located region (its finest 6-digit code) lies within one of ``areas``.

    >>> in_areas(pd.Series(["370212", "370200", "370000", "110101", None]), ("370200",)).tolist()
    [True, True, False, False, False]
    >>> in_areas(pd.Series(["370212", "370000"]), ("370000",)).tolist()
    [True, True]
    """
    codes = regions.fillna("").astype(str)
    hit = pd.Series(False, index=regions.index)
    for area in areas:
        width = 2 if area.endswith("0000") else 4 if area.endswith("00") else 6
        hit |= codes.str.len().eq(6) & codes.str[:width].eq(area[:width])
    return hit


def members(applicants: pd.DataFrame, zone: Zone, groups: pd.DataFrame | None = None) -> pd.Series:
    """True per applicant row (columns applicant, region) in the zone: located in its areas, or on its
    roster (by name key, or through the group it belongs to: ``groups`` from/to)."""
    from ingest.names import name_key
    inside = in_areas(applicants["region"], zone.areas)
    if zone.roster:
        keys = set(name_key(pd.Series(list(zone.roster))))
        on = applicants["applicant"].isin(keys)
        if groups is not None and len(groups):
            on |= applicants["applicant"].isin(set(groups.loc[groups["to"].isin(keys), "from"]))
        inside |= on
    return inside


def roster_matches(zone: Zone, applicant_ids: pd.Series, groups: pd.DataFrame | None = None) -> pd.DataFrame:
    """Each roster name with the applicant key it matched (directly, or as a group) or none."""
    from ingest.names import name_key
    if not zone.roster:
        return pd.DataFrame(columns=["name", "credit_code", "key", "matched"])
    keys = name_key(pd.Series(list(zone.roster)))
    known = set(applicant_ids)
    group_keys = set(groups["to"]) if groups is not None and len(groups) else set()
    matched = [("applicant" if k in known else "group" if k in group_keys else "") for k in keys]
    return pd.DataFrame({"name": list(zone.roster), "credit_code": list(zone.roster_codes) or [""] * len(keys),
                         "key": keys.tolist(), "matched": matched})
