"""An applicant's country, decided from evidence (strongest first), with the evidence that decided it.

The script of a name is not evidence of nationality: vendors render foreign applicants in Chinese
(通用电气公司 is General Electric). So a country is only given where the data says so, and
``Applicant.country_source`` records which evidence did:

1. ``column``   — an applicant-country column of the export (ISO code or country name, zh or en);
2. ``address``  — an applicant address naming a country, a trailing ISO code (``…,Beijing,100034,CN``)
                  or a place in China;
3. ``name``     — unambiguous name evidence: a Chinese province or city, a country named in the name
                  (德国, (中国), Luxembourg), a legal form of one country written in its own script or
                  rendered in Chinese (株式会社, 주식회사, 有限两合公司, 简化股份公司);
4. ``priority`` — the priority countries of the applicant's own patents, a majority vote over all its
                  patents in the graph (every file and run);
5. ``office``   — the only office an applicant files in, where the export shows priorities and none is
                  foreign;
6. ``legal_form`` — a US legal form (LLC, Inc., Corp.): used in English names worldwide (LG Electronics
                  Inc. is Korean), so any evidence above wins;
7. ``group``    — the country every other member of its vendor-standardised group was given, where
                  they all agree (a Chinese rendering of a foreign company, 优步技术公司, joins Uber's group).

Between ``name`` and ``priority`` comes ``group_name``: the vendor's standardised group name, where it names
a foreign country unambiguously (日本电气株式会社 names Japan), decides for its members written in another
script whose own names place them nowhere — a member named after a place or a region (NEC Corporation of
America, 三星（中国）) is a subsidiary and keeps its own evidence; where the member's own priorities point
elsewhere (Nidec Motor Corporation files US priorities; NEC Corporation's drone patents claim US
provisionals) the evidence contradicts itself and the country stays unknown. A legal form of a
few countries does not decide for a key whose other names carry another country's legal form (Argo AI
GmbH and Argo AI LLC share a key: the two are a parent and its subsidiary).

Legal forms of a few countries (GmbH, B.V., SAS, Oy, K.K. …) count as name evidence, the applicant's
priorities choosing among those countries (AVL List GmbH is Austrian).

Anything else is unknown (``""``), which the tables report as such — unknown is better than wrong.
Pure functions over frames.
"""

from __future__ import annotations

import gettext
import re
from functools import lru_cache

import numpy as np
import pandas as pd

SOURCES = ("column", "address", "name", "group_name", "priority", "office", "legal_form", "group")
#: offices that are not a country of origin
REGIONAL = {"WO", "EP", "EA", "AP", "OA", "GC", "EM", "IB", "XN", "XV", "XX"}

#: country names PatNav reads in names and addresses beyond the ISO tables (zh short forms, en usage)
_ALIASES = {"韩国": "KR", "南韩": "KR", "台湾": "TW", "中国台湾": "TW", "香港": "HK", "中国香港": "HK", "澳门": "MO",
            "美利坚": "US", "俄国": "RU", "英格兰": "GB", "苏格兰": "GB", "新西兰": "NZ", "捷克": "CZ",
            "USA": "US", "U.S.A.": "US", "United States of America": "US", "UK": "GB", "Great Britain": "GB",
            "England": "GB", "Korea": "KR", "South Korea": "KR", "Republic of Korea": "KR", "Taiwan": "TW",
            "Russia": "RU", "Deutschland": "DE", "Nederland": "NL", "The Netherlands": "NL", "Schweiz": "CH",
            "Suisse": "CH", "Österreich": "AT", "Czech Republic": "CZ", "Vietnam": "VN", "Iran": "IR",
            "PRC": "CN", "P.R. China": "CN", "P.R.China": "CN", "People's Republic of China": "CN",
            # adjectives that organisations put in their names (never "American": Panasonic … of America)
            "Saudi Arabian": "SA", "Korean": "KR", "Chinese": "CN", "Swiss": "CH", "British": "GB", "Canadian": "CA",
            "Australian": "AU", "Israeli": "IL", "Indian": "IN", "Japanese": "JP", "Taiwanese": "TW", "Dutch": "NL"}
#: English country names that are also words or names of people and places elsewhere: never read in names
_AMBIGUOUS = {"Georgia", "Jordan", "Chad", "Niger", "Guinea", "Turkey", "Jersey", "Man", "Panama", "Dominica",
              "Mali", "Oman", "Peru", "Cuba", "Malta", "Monaco", "Andorra", "Nauru", "Togo", "Samoa", "Congo"}
#: legal forms written in their own country's script or rendered in Chinese: one country each
#: (株式会社 alone is not among them: Chinese renderings of Korean companies use it too — 三星电子株式会社)
_STRONG_FORMS = [("JP", r"[\u3040-\u30ff].*(?:株式会社|有限会社|合同会社)|(?:株式会社|有限会社|合同会社).*[\u3040-\u30ff]|カブシキガイシャ"),
                 ("KR", r"주식회사|유한회사|\(주\)|㈜")]
#: legal forms of a few countries (candidates, the usual one first): they name the country unless the
#: applicant's priorities point to another candidate (AVL List GmbH is Austrian, its priorities say AT)
_FORMS = [(("DE", "AT", "CH"), r"GMBH|\bMBH\b|AKTIENGESELLSCHAFT|\bAG\b|\bKGAA\b|\bKG\b|\bE\.\s?V\b"),
          (("NL", "BE"), r"\bB\.\s?V\b|\bBV\b|\bN\.\s?V\b"), (("FR", "LU", "BE"), r"\bS\.\s?A\.\s?S\b|\bSAS\b|\bSARL\b"),
          (("JP",), r"KABUSHIKI KAISHA|\bK\.\s?K\b"), (("IT",), r"\bS\.\s?P\.\s?A\b|\bSPA\b|\bS\.\s?R\.\s?L\b"),
          (("FI",), r"\bOYJ?\b"), (("SE",), r"\(PUBL\)|\bAKTIEBOLAG|\bAB\b"), (("DK", "NO"), r"\bA/S\b|\bAPS\b"),
          (("AU", "ZA"), r"\bPTY\b"), (("IN",), r"\bPVT\b|PRIVATE LIMITED"), (("BR", "PT"), r"\bLTDA\b"),
          (("GB", "IE"), r"\bPLC\b"), (("ES",), r"\bS\.\s?L\.?\s?U?$"), (("PL",), r"SP\.? Z O\.?\s?O"),
          (("DE", "AT"), r"有限两合公司|股份两合公司|两合公司"), (("FR",), r"简化股份公司|简易股份公司|股份简化公司"),
          (("GB", "IE"), r"公众有限公司|公开有限公司|公共有限公司")]
#: the US legal forms: used across the world in English names (LG Electronics Inc. is Korean) — weakest
_US_FORMS = r"\bL\.?\s?L\.?\s?C\b|\bINC\b|\bINCORPORATED\b|\bCORP\b|\bCORPORATION\b"
_CN_LATIN = ("BEIJING|SHANGHAI|SHENZHEN|GUANGZHOU|HANGZHOU|NANJING|SUZHOU|WUHAN|CHENGDU|CHONGQING|TIANJIN|XI'?AN|"
             "HEFEI|QINGDAO|XIAMEN|DONGGUAN|FOSHAN|NINGBO|CHANGSHA|ZHENGZHOU|JINAN|SHENYANG|DALIAN|GUANGDONG|JIANGSU|"
             "ZHEJIANG|SHANDONG|FUJIAN|SICHUAN|HUBEI|HUNAN|ANHUI|HEBEI|HENAN|LIAONING|JILIN|HEILONGJIANG|SHAANXI|"
             "SHANXI|YUNNAN|GUIZHOU|GUANGXI|JIANGXI|HAINAN|GANSU|NINGXIA|QINGHAI|XINJIANG|INNER MONGOLIA")


#: China's regions in names of its universities and companies (华南理工大学, 东北大学, 华中科技大学)
_CN_REGION = re.compile(r"华南|华北|华东|华中|华西|^(?:东北|西北|西南|东南|中南)\S*(?:大学|学院|研究院|研究所)")


@lru_cache(maxsize=1)
def country_names() -> dict[str, str]:
    """Country name (English, as ISO 3166 writes it and in common use; Chinese, from the iso-codes
    translations that pycountry ships) → ISO code."""
    import pycountry
    zh = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["zh_CN"], fallback=True)
    out = {}
    for c in pycountry.countries:
        for name in (c.name, getattr(c, "common_name", None), getattr(c, "official_name", None)):
            if name:
                out[name] = c.alpha_2
                out[zh.gettext(name)] = c.alpha_2
    out.update(_ALIASES)
    return out


@lru_cache(maxsize=1)
def _patterns() -> dict[str, re.Pattern]:
    names = country_names()
    han = sorted((n for n in names if re.search(r"[\u4e00-\u9fff]", n)), key=len, reverse=True)
    latin = sorted((n for n in names if not re.search(r"[\u4e00-\u9fff]", n) and (len(n) > 3 or n in _ALIASES)
                    and n not in _AMBIGUOUS and "," not in n), key=len, reverse=True)
    from ingest.names import _places
    return {"han_country": re.compile("|".join(map(re.escape, han))),
            "latin_country": re.compile(r"(?<![\w.])(" + "|".join(map(re.escape, latin)) + r")(?![\w])"),
            "han_place": _places().han,
            "latin_place": re.compile(rf"\b({_CN_LATIN})\b", re.I),
            "strong": re.compile("|".join(f"(?P<{c}_{i}>{p})" for i, (c, p) in enumerate(_STRONG_FORMS))),
            "iso_tail": re.compile(r"(?:^|[,;\s])([A-Z]{2})\s*$")}


def _iso(code: str) -> str:
    import pycountry
    return code if code and pycountry.countries.get(alpha_2=code) is not None else ""


def code_of(text: str) -> str:
    """A country column's value (ISO code, or a name in Chinese or English) → ISO code, else "".

    >>> [code_of(v) for v in ("US", "美国", "Germany", "大韩民国", "韩国", "中国台湾", "xx", "")]
    ['US', 'US', 'DE', 'KR', 'KR', 'TW', '', '']
    """
    text = str(text or "").strip()
    if re.fullmatch(r"[A-Za-z]{2}", text):
        return _iso(text.upper())
    return country_names().get(text, "")


def name_evidence(name: str, person: bool = False) -> tuple[str, str, tuple[str, ...]]:
    """(country, strength, candidates) that a name alone gives. strength "name": unambiguous (a place in
    China, a country named, a legal form in its own script); "form": a legal form of a few countries
    (``candidates``, the usual one first — resolved with the applicant's priorities); "legal_form": a
    US legal form, weakest; "": nothing. A person's name (``person``) is read for Chinese places only
    ("Ireland; John" is not Irish).

    >>> [name_evidence(n)[:2] for n in ("北京嘀嘀无限科技发展有限公司", "通用电气公司", "劳斯莱斯德国有限两合公司", "トヨタ株式会社",
    ...  "ベイジン ディディ カンパニー リミティッド", "Delphi International Operations Luxembourg SARL", "Waymo LLC",
    ...  "LG Electronics Inc", "Terminus (beijing) Technology Co. Ltd.", "空中客车运营简化股份公司", "大众汽车（中国）投资有限公司",
    ...  "三星电子株式会社", "华南农业大学", "HERE GLOBAL B.V.", "TELEFONAKTIEBOLAGET LM ERICSSON (PUBL)")]
    [('CN', 'name'), ('', ''), ('DE', 'name'), ('JP', 'name'), ('', ''), ('LU', 'name'), ('US', 'legal_form'), ('US', 'legal_form'), ('CN', 'name'), ('FR', 'form'), ('CN', 'name'), ('', ''), ('CN', 'name'), ('NL', 'form'), ('SE', 'form')]
    >>> [name_evidence(n)[:2] for n in ("美商英特尔股份有限公司", "大陆商北京嘀嘀无限科技发展有限公司", "英属开曼群岛商鸿海",
    ...                                  "德商置业有限公司")]
    [('US', 'name'), ('CN', 'name'), ('', ''), ('', '')]
    >>> name_evidence("AVL List GmbH")
    ('DE', 'form', ('DE', 'AT', 'CH'))
    """
    n = str(name or "")
    p = _patterns()
    from ingest.names import TW_PREFIX, TW_PREFIXES
    prefix = TW_PREFIX.match(n)
    if prefix and not person:
        code = TW_PREFIXES[prefix.group(1) or prefix.group(2)]
        return (code, "name", (code,)) if code else ("", "", ())
    han = bool(re.search(r"[\u4e00-\u9fff]", n))
    if han and (p["han_place"].search(n) or "中国" in n or "中华" in n or _CN_REGION.search(n)):
        return "CN", "name", ("CN",)
    strong = p["strong"].search(n)
    if strong:
        country = next(k for k, v in strong.groupdict().items() if v).split("_")[0]
        return country, "name", (country,)
    country = p["han_country"].search(n)
    if country:
        code = country_names()[country.group(0)]
        return code, "name", (code,)
    if person:
        return "", "", ()
    if not han and p["latin_place"].search(n):
        return "CN", "name", ("CN",)
    country = p["latin_country"].search(n)
    if country:
        code = country_names()[country.group(1)]
        return code, "name", (code,)
    upper = n.upper()
    form = next((c for c, pat in _FORMS if re.search(pat, upper)), None)
    if form:
        return form[0], "form", form
    if re.search(_US_FORMS, upper):
        return "US", "legal_form", ("US",)
    return "", "", ()


def address_country(text: str) -> str:
    """The country an address names: a trailing ISO code, a country name, else a place in China.

    >>> [address_country(a) for a in ("Terminus,Beijing,100034,CN", "美国加利福尼亚州山景城", "1600 Amphitheatre Pkwy, Mountain View, USA",
    ...  "710000 陕西省西安市高新区", "Unknown Street 1", "")]
    ['CN', 'US', 'US', 'CN', '', '']
    """
    t = str(text or "").strip()
    if not t:
        return ""
    p = _patterns()
    tail = p["iso_tail"].search(t)
    if tail and _iso(tail.group(1)):
        return tail.group(1)
    for key in ("han_country", "latin_country"):
        m = p[key].search(t)
        if m:
            return country_names()[m.group(m.lastindex or 0)]
    if p["han_place"].search(t) or p["latin_place"].search(t):
        return "CN"
    return ""


def _per_distinct(fn, values: pd.Series):
    uniq = pd.unique(values.fillna("").astype(str))
    found = {v: fn(v) for v in uniq}
    return values.fillna("").astype(str).map(found)


def _plurality(frame: pd.DataFrame, value: str, min_share: float = 0.0) -> pd.Series:
    """Per key, the most frequent non-empty ``value`` when it is the only most frequent one (and has at
    least ``min_share`` of the key's non-empty values)."""
    have = frame[frame[value].astype(bool)]
    if have.empty:
        return pd.Series(dtype=object)
    counts = have.groupby(["key", value]).size().rename("n").reset_index()
    counts["total"] = counts.groupby("key")["n"].transform("sum")
    counts = counts.sort_values(["key", "n"], ascending=[True, False])
    top = counts.groupby("key").head(2)
    second = top.groupby("key")["n"].nth(1).reindex(top["key"].unique()).fillna(0)
    first = top.groupby("key").head(1).set_index("key")
    ok = (first["n"] > second.reindex(first.index).fillna(0)) & (first["n"] / first["total"] >= min_share)
    return first.loc[ok, value]


def _script(names: pd.Series) -> pd.Series:
    """"latin" for names in Latin letters, else "cjk" (Han, kana, Hangul)."""
    return names.astype(str).str.contains(r"[\u3040-\u30ff\u4e00-\u9fff\uac00-\ud7af]", regex=True).map(
        {True: "cjk", False: "latin"})


def group_countries(groups: pd.DataFrame, decided: pd.DataFrame, names: pd.DataFrame) -> pd.Series:
    """Per member of a vendor-standardised group (``groups``: from member, to group), the country its
    members written in another script were given, when they all agree: the group links a vendor's
    Chinese rendering (优步技术公司) to the same company's own name (Uber Technologies, Inc.). Members in
    the same script are other companies of the group (Hyundai Motor America is not Hyundai Motor
    Company) and are not counted, nor are members placed in a country in brackets (三星（中国）投资有限公司).
    The group node itself takes the country all counted members share."""
    script = names.drop_duplicates("key").set_index("key")["name"].pipe(_script)
    local = set(names[names["name"].astype(str).str.contains(r"[(（][^)）]*[)）]", regex=True)]["key"])
    decided = decided[(decided["country"] != "") & ~decided.index.isin(local)]
    members = groups.assign(country=groups["from"].map(decided["country"]),
                            strong=groups["from"].map(decided["country_source"] != "legal_form"))
    members = members.dropna(subset=["country"])
    # the group's country: every decided member agrees (a weak legal form counts as a vote, not as proof)
    votes = members.groupby("to").agg(n=("country", "nunique"), country=("country", "first"),
                                      strong=("strong", "any"))
    whole = votes[(votes["n"] == 1) & votes["strong"]]["country"]
    scripts = members.assign(script=members["from"].map(script)).groupby("to")["script"].agg(set)
    out = groups.assign(country=groups["to"].map(whole), own=groups["from"].map(script),
                        others=groups["to"].map(scripts)).dropna(subset=["country"])
    out = out.loc[np.array([isinstance(o, set) and bool(o - {s}) for s, o in zip(out["own"], out["others"])],
                           dtype=bool)]
    out = out.groupby("from")["country"].agg(lambda c: c.iloc[0] if c.nunique() == 1 else None).dropna()
    return pd.concat([out, whole[~whole.index.isin(out.index)]])


_LOCATED = re.compile(r"[(（][^)）]*[)）]|\b(?:AMERICAS?|EUROPE|ASIA|PACIFIC|AFRICA|NORDIC|LATIN|MIDDLE EAST)\b", re.I)


def _group_name_countries(groups: pd.DataFrame, names: pd.DataFrame) -> pd.Series:
    """Per member key, the foreign country its vendor group's name says unambiguously (日本电气株式会社 →
    JP), for members written in another script than the group name and not named after a place (a
    subsidiary: NEC Corporation of America) nor carrying another country's legal form (Archon
    Technologies S.R.L. in 3M's group); the group nodes take their own name's country too. A
    Chinese place in a group name is no evidence for a member in another script: vendors' renderings of
    foreign names carry them (西安大略大学 is the University of Western Ontario, 中国电力 is Chugoku Electric
    Power, 东北大学 stands for Northeastern University in Boston too)."""
    g = groups.dropna(subset=["group_name"]).drop_duplicates(["from", "to"])
    gnames = g.drop_duplicates("to")[["to", "group_name"]]
    ev = pd.Series([name_evidence(n) for n in gnames["group_name"]], index=gnames["to"].to_numpy(), dtype=object)
    own = ev[(ev.str[1] == "name") & (ev.str[0] != "CN")].str[0]
    if own.empty:
        return pd.Series(dtype=object)
    member_names = names.groupby("key")["name"].agg(list)
    g = g[g["to"].isin(own.index) & g["from"].isin(member_names.index)]
    scripts = _script(g["group_name"]).to_numpy()
    keep = [all(_script(pd.Series(ns)).ne(sc)) and not any(_LOCATED.search(str(n)) for n in ns)
            for ns, sc in zip(g["from"].map(member_names), scripts)]
    g = g.loc[np.array(keep, dtype=bool)]
    # a member with a legal form of other countries is a subsidiary there (Archon Technologies S.R.L. in 3M)
    forms = names[names["strength"] == "form"].groupby("key")["candidates"].agg(lambda cs: set().union(*cs))
    allowed = [not isinstance(f, set) or c in f for f, c in zip(g["from"].map(forms), g["to"].map(own))]
    g = g.loc[np.array(allowed, dtype=bool)]
    per_member = g.assign(country=g["to"].map(own)).groupby("from")["country"].agg(
        lambda c: c.iloc[0] if c.nunique() == 1 else None).dropna()
    return pd.concat([per_member, own[~own.index.isin(per_member.index)]])


def decide(mentions: pd.DataFrame, groups: pd.DataFrame | None = None) -> pd.DataFrame:
    """Country and its source per applicant key.

    ``mentions``: one row per (patent, applicant) with key, name, office (filing office), priority
    (the patent's priority country or ""), priority_known (the export shows priorities), column (an
    applicant-country value or ""), address (the applicant's address or ""). ``groups``: from/to keys
    of ``PART_OF_GROUP``, optionally ``group_name`` (the group's name as the vendor wrote it). Returns
    columns key, country, country_source ("" where unknown).

    >>> m = pd.DataFrame({"key": ["ge", "ge", "ge en", "hw", "x"], "name": ["通用电气公司", "通用电气公司", "General Electric Co",
    ...      "华为技术有限公司", "某某公司"], "office": ["CN", "CN", "US", "CN", "CN"], "priority": ["US", "US", "", "", ""],
    ...      "priority_known": [True, True, False, True, False], "column": [""] * 5, "address": [""] * 5})
    >>> decide(m).values.tolist()
    [['ge', 'US', 'priority'], ['ge en', '', ''], ['hw', 'CN', 'office'], ['x', '', '']]
    """
    m = mentions.copy()
    for col in ("column", "address", "priority", "office"):
        m[col] = m[col].fillna("").astype(str)
    m["column_cc"] = _per_distinct(code_of, m["column"])
    m["address_cc"] = _per_distinct(address_country, m["address"])
    names = m.drop_duplicates(["key", "name"])[["key", "name"]].copy()
    from ingest.names import applicant_type
    person = applicant_type(names["name"]).eq("individual")
    ev = pd.Series([name_evidence(n, p) for n, p in zip(names["name"], person)], index=names.index)
    names["cc"], names["strength"], names["candidates"] = ev.str[0], ev.str[1], ev.str[2]
    keys = pd.Index(sorted(m["key"].unique()))
    out = pd.DataFrame({"country": "", "country_source": ""}, index=keys, dtype=object)
    if groups is not None and len(groups):  # the group nodes are decided too
        out = out.reindex(out.index.union(pd.Index(groups["to"].unique())), fill_value="")

    blocked: set = set()  # keys whose evidence contradicts itself: left unknown by every later step

    def settle(found: pd.Series, source: str) -> None:
        free = out.index[(out["country"] == "") & ~out.index.isin(blocked)]
        take = found.reindex(free).dropna()
        take = take[take != ""]
        out.loc[take.index, "country"] = take
        out.loc[take.index, "country_source"] = source

    settle(_plurality(m, "column_cc"), "column")
    settle(_plurality(m, "address_cc"), "address")
    settle(_plurality(names[names["strength"] == "name"], "cc"), "name")
    prio = m.assign(priority=m["priority"].where(~m["priority"].isin(REGIONAL), "").map(_iso))
    vote = _plurality(prio, "priority", min_share=0.5)
    if groups is not None and "group_name" in groups and len(groups):
        by_group = _group_name_countries(groups, names)
        # the group's name against the member's own priorities: a subsidiary abroad (Nidec Motor Corporation,
        # US priorities, in 日本电产) or a company the vendor grouped wrongly (CSI Cells, CN, in 加拿大太阳能) —
        # where they disagree nothing is known (NEC Corporation's US provisionals against 日本电气: unknown)
        clash = [k for k, c in by_group.items() if vote.get(k) not in (None, c) and out.at[k, "country"] == ""] \
            if len(by_group) else []
        blocked.update(clash)
        settle(by_group.drop(index=clash), "group_name")
    formed = names[names["strength"] == "form"].drop_duplicates("key").set_index("key")
    # a key whose names carry legal forms of different countries joins a parent and a subsidiary
    forms = names[names["strength"].isin(["form", "legal_form"])]
    mixed = forms.assign(first=forms["candidates"].str[0]).groupby("key")["first"].nunique()
    formed = formed[~formed.index.isin(mixed.index[mixed > 1])]
    if len(formed):  # a legal form of a few countries: the priorities pick among them, else the usual one
        chosen = pd.Series([vote.get(k) if vote.get(k) in c else c[0] for k, c in formed["candidates"].items()],
                           index=formed.index, dtype=object)
        by_vote = chosen.index[[vote.get(k) == v for k, v in chosen.items()]]
        settle(chosen[chosen.index.isin(by_vote)], "priority")
        settle(chosen, "name")
    settle(vote, "priority")
    by_key = m.groupby("key").agg(offices=("office", lambda s: set(s) - REGIONAL - {""}),
                                  known=("priority_known", "all"),
                                  foreign=("priority", lambda s: set(s) - REGIONAL - {""}))
    single = by_key[(by_key["offices"].map(len) == 1) & by_key["known"]]
    single = single.loc[np.array([f <= o for f, o in zip(single["foreign"], single["offices"])], dtype=bool)]
    settle(single["offices"].map(lambda s: next(iter(s))), "office")
    settle(_plurality(names[names["strength"] == "legal_form"], "cc"), "legal_form")
    if groups is not None and len(groups):
        settle(group_countries(groups, out, names), "group")
    return out.rename_axis("key").reset_index()
