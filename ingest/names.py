"""Applicant and inventor names: keys that fold spelling variants, type and country guesses.

Pure, vectorised functions over pandas Series. ``name_key`` decides which spellings are one applicant
(measured by ``bench/names.py`` on hand-labelled benchmarks); ``applicant_type`` and
``applicant_country`` read name patterns and, for country, the priority and filing offices of the
applicant's patents — never the filing office alone when better evidence exists.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd

from ingest.vectors import per_unique


# legal-form words that do not tell two organisations apart (trailing, repeatable), Latin and Chinese
_LEGAL_FORMS = ("inc|incorporated|corp|corporation|co|company|cos|ltd|limited|llc|l l c|lp|llp|plc|gmbh|mbh|ag|kg|"
                "kgaa|sa|s a|sas|s a s|sarl|spa|s p a|srl|bv|b v|nv|n v|ab|oy|oyj|as|a s|aps|se|kk|k k|"
                "kabushiki kaisha|pte|pty|pvt|private|gk|ltda")
_LATIN_FORMS = re.compile(rf"(?:\s+(?:{_LEGAL_FORMS}))+$")
_HAN_FORMS = re.compile(r"\s*(?:股份有限公司|有限责任公司|有限公司|股份公司|(?<!分)公司)$")  # 分公司 (a branch) stays


#: the country prefixes Taiwan's IPO (and vendors copying its data) put before a foreign applicant's name:
#: 美商英特爾股份有限公司 is Intel, 大陸商北京嘀嘀… is 北京嘀嘀…; traditional and simplified forms. Tax-haven
#: domiciles (開曼群島, 英屬維京群島 …) are stripped but name no country (the firm's seat is elsewhere).
TW_PREFIXES = {"美": "US", "日": "JP", "韓": "KR", "韩": "KR", "南韓": "KR", "南韩": "KR", "德": "DE", "英": "GB",
               "法": "FR", "荷蘭": "NL", "荷兰": "NL", "瑞士": "CH", "瑞典": "SE", "大陸": "CN", "大陆": "CN",
               "香港": "HK", "澳門": "MO", "澳门": "MO", "新加坡": "SG", "加拿大": "CA", "以色列": "IL",
               "義大利": "IT", "意大利": "IT", "比利時": "BE", "比利时": "BE", "芬蘭": "FI", "芬兰": "FI",
               "丹麥": "DK", "丹麦": "DK", "奧地利": "AT", "奥地利": "AT", "澳大利亞": "AU", "澳洲": "AU",
               "盧森堡": "LU", "卢森堡": "LU", "西班牙": "ES", "印度": "IN", "挪威": "NO", "愛爾蘭": "IE",
               "爱尔兰": "IE", "紐西蘭": "NZ", "新西兰": "NZ", "馬來西亞": "MY", "马来西亚": "MY", "泰國": "TH",
               "泰国": "TH", "俄羅斯": "RU", "俄罗斯": "RU", "巴西": "BR",
               "開曼群島": "", "开曼群岛": "", "英屬開曼群島": "", "英属开曼群岛": "", "英屬維京群島": "",
               "英属维京群岛": "", "英屬維爾京群島": "", "英属维尔京群岛": "", "百慕達": "", "百慕达": "",
               "薩摩亞": "", "萨摩亚": "", "塞席爾": "", "塞舌尔": "", "模里西斯": "", "毛里求斯": ""}
#: a one-character prefix (美商, 日商, 德商 …) only before a TW company form (股份有限公司): 德商置业有限公司 is
#: a Chinese developer, 德商博世股份有限公司 is Bosch
_TW_LONG = "|".join(sorted((re.escape(k) for k in TW_PREFIXES if len(k) > 1), key=len, reverse=True))
_TW_SHORT = "|".join(re.escape(k) for k in TW_PREFIXES if len(k) == 1)
TW_PREFIX = re.compile(rf"^(?:({_TW_LONG})商(?=[\u4e00-\u9fff\u3040-\u30ffA-Za-z])"
                       rf"|({_TW_SHORT})商(?=[\u4e00-\u9fff\u3040-\u30ffA-Za-z].*股份有限公司\s*$))")


def name_key(series: pd.Series) -> pd.Series:
    """An applicant/inventor key: width and case folded, punctuation and spaces collapsed, ``&`` read as
    "and", a leading "the" and trailing legal forms (Inc, Corp., Co. Ltd, GmbH, 有限公司 …) dropped.
    ``bench/names.py`` measures it on hand-labelled assignee benchmarks.

    >>> name_key(pd.Series(["Waymo LLC", "WAYMO, LLC.", "开放智能机器（上海）有限公司", "The Boeing Company",
    ...                     "Motorola, Inc.", "AT&T Corp", "Co"])).tolist()
    ['waymo', 'waymo', '开放智能机器 上海', 'boeing', 'motorola', 'at and t', 'co']
    >>> name_key(pd.Series(["大陆商北京嘀嘀无限科技发展有限公司", "美商英特尔股份有限公司", "商汤科技有限公司",
    ...                     "德商置业有限公司"])).tolist()
    ['北京嘀嘀无限科技发展', '英特尔', '商汤科技', '德商置业']
    """
    return per_unique(_name_key, series)


def _name_key(series: pd.Series) -> pd.Series:
    series = series.str.replace(TW_PREFIX, "", regex=True)
    folded = (series.str.normalize("NFKC").str.casefold().str.replace("&", " and ", regex=False)
              .str.replace(r"[\W_]+", " ", regex=True).str.strip())
    stripped = (folded.str.replace(r"^the\s+", "", regex=True).str.replace(_LATIN_FORMS, "", regex=True)
                .str.replace(_HAN_FORMS, "", regex=True).str.strip())
    return stripped.where(stripped.ne(""), folded)  # a name that is only a legal form keeps it


def person_key(series: pd.Series) -> pd.Series:
    """An inventor's key: a Latin name written "Last; First" or "Last, First" (vendors differ) read as
    "First Last", then :func:`name_key` — so "Droz; Pierre-Yves" and "Pierre-Yves Droz" are one person,
    while "Li Wei" and "Wei Li" stay two (the order of a name as written is kept).

    >>> person_key(pd.Series(["Droz; Pierre-Yves", "Pierre-Yves Droz", "DROZ, PIERRE-YVES", "张三", "Li Wei", "Wei Li"])).tolist()
    ['pierre yves droz', 'pierre yves droz', 'pierre yves droz', '张三', 'li wei', 'wei li']
    """
    return per_unique(_person_key, series)


def _person_key(series: pd.Series) -> pd.Series:
    text = series.fillna("").astype(str)
    swapped = text.str.replace(r"^\s*([^;,]+?)\s*[;,]\s*([^;,]+?)\s*$", r"\2 \1", regex=True)
    latin = ~text.str.contains(r"[\u3040-\u30ff\u4e00-\u9fff\uac00-\ud7af]", regex=True)
    return name_key(text.where(~latin, swapped))


class _Places(NamedTuple):
    han: re.Pattern
    latin: re.Pattern


@lru_cache(maxsize=1)
def _places() -> _Places:
    table = pd.read_csv(Path(__file__).with_name("data") / "cn_places.tsv", sep="\t", comment="#", dtype=str)
    han = "|".join(sorted(set(table["short"]), key=len, reverse=True))
    latin = ("BEIJING|SHANGHAI|SHENZHEN|GUANGZHOU|HANGZHOU|NANJING|SUZHOU|WUHAN|CHENGDU|CHONGQING|TIANJIN|"
             "XI'?AN|HEFEI|QINGDAO|XIAMEN|DONGGUAN|FOSHAN|NINGBO|CHANGSHA|ZHENGZHOU|JINAN|SHENYANG|DALIAN|"
             "GUANGDONG|JIANGSU|ZHEJIANG|SHANDONG|CHINA|CHINESE|HUAWEI|TENCENT|BAIDU|ALIBABA|TSINGHUA|PEKING")
    return _Places(re.compile(han), re.compile(rf"\b({latin})\b", re.I))


_LATIN_SUFFIX = [("DE", r"\b(GMBH|AG|KG|KGAA|SE)\b"), ("JP", r"\b(KABUSHIKI KAISHA|K\.?K\.?|CO\.,? LTD\.? \(JP\))\b"),
                 ("FR", r"\b(S\.?A\.?S\.?|SOCIETE)\b"), ("NL", r"\b(B\.?V\.?|N\.?V\.?)\b"), ("KR", r"\bKOREA"),
                 ("US", r"\b(LLC|L\.L\.C|INC|INCORPORATED|CORP|CORPORATION)\b")]


def _plurality(codes, skip=("WO", "EP")) -> str:
    national = [c for c in (codes or []) if c and c not in skip]
    return pd.Series(national).value_counts().index[0] if national else ""


def applicant_country(names: pd.Series, offices: pd.Series, priorities: pd.Series | None = None) -> pd.Series:
    """An applicant's country (ISO code, ``""`` when the evidence is too thin) — not its filing office.

    ``names`` are applicant names; ``offices`` and ``priorities`` hold, per name, the filing offices
    and the priority countries of its patents (lists). Rules in order: Hangul → KR; kana or 株式会社 →
    JP; a Chinese province/city name, 中国, 大学, 研究院/所 in Han script → CN; a Han name shaped like a
    foreign group's Chinese name (环球, 全球技术, 有限责任公司 without a place) → its most frequent
    priority country, else unknown; other Han company forms → CN; a Chinese place in pinyin → CN;
    legal-form suffixes (GmbH → DE, LLC/Inc/Corp → US …); then the most frequent priority country, then
    the most frequent national office other than CN, WO and EP.

    >>> applicant_country(pd.Series(["Waymo LLC", "北京百度网讯科技有限公司", "伟摩有限责任公司", "伟摩有限责任公司", "トヨタ株式会社",
    ...                               "Aptiv Technologies Limited"]),
    ...                   pd.Series([["US"], ["CN"], ["CN"], ["CN"], ["JP"], ["US", "EP", "US", "CN"]]),
    ...                   pd.Series([[], [], [], ["US", "US"], [], []])).tolist()
    ['US', 'CN', '', 'US', 'JP', 'US']
    """
    places = _places()
    priorities = priorities if priorities is not None else pd.Series([[]] * len(names), index=names.index)
    out = []
    for name, offs, prio in zip(names.fillna(""), offices, priorities):
        n = str(name)
        prio = prio if isinstance(prio, list) else []
        country = ""
        if re.search(r"[\uac00-\ud7af]", n):
            country = "KR"
        elif re.search(r"[\u3040-\u30ff]|株式会社", n):
            country = "JP"
        elif re.search(r"[\u4e00-\u9fff]", n):
            if places.han.search(n) or re.search(r"中国|中华|大学|学院|研究院|研究所|科学院|研究中心", n):
                country = "CN"
            elif re.search(r"环球|全球技术|国际知识产权|有限责任公司$|技术公司$", n):
                country = _plurality(prio)
            elif re.search(r"有限公司$|股份|集团|公司$", n) or len(n) <= 4:
                country = "CN"
        elif places.latin.search(n):
            country = "CN"
        else:
            upper = n.upper()
            country = next((c for c, pat in _LATIN_SUFFIX if re.search(pat, upper)), "")
            country = country or _plurality(prio) or _plurality(offs, skip=("CN", "WO", "EP"))
        out.append(country)
    return pd.Series(out, index=names.index, dtype=object)


def applicant_type(names: pd.Series) -> pd.Series:
    """university / institute / government / enterprise / individual / other, from name patterns.

    >>> applicant_type(pd.Series(["清华大学", "中国科学院自动化研究所", "Waymo LLC", "张三", "Gassend; Blaise"])).tolist()
    ['university', 'institute', 'enterprise', 'individual', 'individual']
    """
    return per_unique(_applicant_type, names)


def _applicant_type(names: pd.Series) -> pd.Series:
    n = names.fillna("").astype(str)
    return pd.Series(np.select(
        [n.str.contains(r"大学|(?<!科)学院|University|College|Universit|Hochschule", case=False),
         n.str.contains(r"研究院|研究所|科学院|研究中心|实验室|Institute|Research|Fraunhofer|Laborator", case=False),
         n.str.contains(r"公司|企业|集团|株式会社|工厂|\b(?:LLC|Inc|Corp|Corporation|Ltd|Limited|GmbH|AG|Co|Company|"
                        r"S\.A|B\.V|N\.V|PLC|SE|KK|Holdings?|Technologies)\b", case=False),
         n.str.contains(r"政府|委员会|管理局|部$|Government|Ministry|Agency", case=False),
         n.str.fullmatch(r"[\u4e00-\u9fff·]{2,4}") | n.str.fullmatch(r"[A-Za-z'\-]+;\s*[A-Za-z.'\- ]+")
         | n.str.fullmatch(r"[A-Z][a-z]+( [A-Z]\.?)?( [A-Z][a-z]+){1,2}")],
        ["university", "institute", "enterprise", "government", "individual"], "other"), index=names.index)
