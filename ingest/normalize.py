"""Raw export rows → normalised patent records, with a reason for every row that cannot be used.

Pure, vectorised functions over pandas Series; no store access. ``records`` turns a ``Raw`` frame into
one row per input row with the columns in ``RECORD_COLUMNS`` (list columns hold applicants, inventors,
IPC codes in source order), and returns the rows it rejects with file, row, column, value and reason.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd

from ingest.read import Raw

RECORD_COLUMNS = ["id", "app_no", "title", "abstract", "app_date", "app_year", "pub_date", "grant_date",
                  "authority", "kind", "type", "legal_status", "is_active", "claims", "cites", "cited_by",
                  "family_id", "family_size", "applicants", "inventors", "ipcs", "ipc_main", "source", "row"]
REJECT_COLUMNS = ["file", "row", "column", "value", "reason"]

_CONTROL = re.compile(r"_x000[dDaA]_|[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class Normalised(NamedTuple):
    records: pd.DataFrame
    rejects: pd.DataFrame


def clean_text(series: pd.Series) -> pd.Series:
    """Excel's ``_x000D_`` escapes and control characters removed, whitespace collapsed and trimmed.

    >>> clean_text(pd.Series(["到incoPat中查看_x000D_\\nCN1", "  a\\t b "])).tolist()
    ['到incoPat中查看 CN1', 'a b']
    """
    return (series.fillna("").astype(str).str.replace(_CONTROL, " ", regex=True)
            .str.replace(r"\s+", " ", regex=True).str.strip())


def split_multi(series: pd.Series, separator: str) -> pd.Series:
    """Multi-value cells as lists: trimmed, empty parts dropped, repeats removed, order kept.

    >>> split_multi(pd.Series(["Waymo LLC | Google | Waymo LLC", ""]), "|").tolist()
    [['Waymo LLC', 'Google'], []]
    """
    parts = series.fillna("").astype(str).str.split(re.escape(separator), regex=True)
    return parts.map(lambda xs: list(dict.fromkeys(x.strip() for x in xs if x.strip())))


def normalize_ipc(series: pd.Series) -> pd.Series:
    """IPC/CPC symbols without inner spaces, upper case, without version/edition letters after the
    subgroup: ``'H04N  5/353'`` → ``'H04N5/353'``, ``'B60W50/08I'`` → ``'B60W50/08'``.

    >>> normalize_ipc(pd.Series(["h04n  5/353", " G06T 7/90", "B60W50/08I"])).tolist()
    ['H04N5/353', 'G06T7/90', 'B60W50/08']
    """
    return series.str.replace(r"\s+", "", regex=True).str.upper().str.replace(r"(/\d+)[A-Z]+$", r"\1", regex=True)


_IPC = re.compile(r"^[A-H]\d\d[A-Z](\d{1,4}(/\d{1,7})?)?$")


def publication_number(series: pd.Series) -> pd.Series:
    """Publication numbers as office + number + kind, no spaces or punctuation; invalid → ``""``.

    >>> publication_number(pd.Series(["cn 110298449 a", "US2019/0320115A1", "12345", ""])).tolist()
    ['CN110298449A', 'US20190320115A1', '', '']
    """
    s = series.fillna("").astype(str).str.upper().str.replace(r"[\s\-/.,]", "", regex=True)
    return s.where(s.str.match(r"^[A-Z]{2}[0-9A-Z]*\d[0-9A-Z]*$") & (s.str.len() >= 5), "")


def parse_dates(series: pd.Series, no_date: tuple[str, ...] = ()) -> tuple[pd.Series, pd.Series]:
    """(dates, bad): text dates in the usual export forms or Excel serial numbers → ``datetime64``.

    Accepted: ``YYYY-MM-DD[ HH:MM:SS]``, ``YYYY/MM/DD``, ``YYYY.MM.DD``, ``YYYYMMDD``, Excel serials
    (1900 system). Empty cells and ``no_date`` placeholders are missing, not bad.

    >>> d, bad = parse_dates(pd.Series(["2019-07-03 00:00:00", "20210226", "44000", "2020.1.5", "1", ""]))
    >>> [x.strftime("%Y-%m-%d") if not pd.isna(x) else None for x in d], bad.tolist()
    (['2019-07-03', '2021-02-26', '2020-06-18', '2020-01-05', None, None], [False, False, False, False, True, False])
    """
    text = series.fillna("").astype(str).str.strip()
    text = text.where(~text.isin(no_date), "")
    out = pd.Series(pd.NaT, index=text.index, dtype="datetime64[ns]")
    serial = text.str.fullmatch(r"\d{5}(\.\d+)?")
    compact = text.str.fullmatch(r"\d{8}")
    if serial.any():
        days = pd.to_numeric(text[serial]).astype(float)
        out[serial] = pd.to_datetime("1899-12-30") + pd.to_timedelta(days.round(), unit="D")
    if compact.any():
        out[compact] = pd.to_datetime(text[compact], format="%Y%m%d", errors="coerce")
    rest = ~serial & ~compact & text.ne("")
    if rest.any():
        unified = text[rest].str.replace(r"[./]", "-", regex=True).str.split(" ").str[0]
        out[rest] = pd.to_datetime(unified, format="%Y-%m-%d", errors="coerce")
    bad = text.ne("") & out.isna()
    out = out.where((out.dt.year >= 1800) & (out.dt.year <= 2100))
    return out, bad | (text.ne("") & out.isna())


# legal status words across vendors → active? (None when the word says nothing)
_ACTIVE = {"有效": True, "授权": True, "实质审查": True, "公开": True, "审中": True,
           "未进入国家阶段-PCT有效期内": True, "进入国家阶段-PCT有效期内": True, "PCT有效期内": True,
           "失效": False, "无效": False, "撤回": False, "驳回": False, "放弃": False, "期限届满": False,
           "未缴年费": False, "权利终止": False, "未进入国家阶段-PCT有效期满": False,
           "进入国家阶段-PCT有效期满": False, "PCT有效期满": False}


def is_active(status: pd.Series) -> pd.Series:
    """True/False/None from a legal-status word (有效, 实质审查 … vs 撤回, 期限届满 …).

    >>> is_active(pd.Series(["授权", "撤回", "其他", ""])).tolist()
    [True, False, None, None]
    """
    return status.map(lambda s: _ACTIVE.get(s.strip()) if isinstance(s, str) else None).astype(object)


def patent_type(type_text: pd.Series, ids: pd.Series) -> pd.Series:
    """invention / utility / design, from the vendor's type column or else the office and kind code.

    >>> patent_type(pd.Series(["发明申请", "实用新型", "", ""]), pd.Series(["CN1A", "CN2U", "CN3S", "US4B2"])).tolist()
    ['invention', 'utility', 'design', 'invention']
    """
    text = type_text.fillna("").astype(str)
    from_text = np.select([text.str.contains("实用新型|utility", case=False),
                           text.str.contains("外观|design", case=False),
                           text.str.contains("发明|invention|patent", case=False)],
                          ["utility", "design", "invention"], "")
    kind = ids.str.extract(r"([A-Z]\d?)$", expand=False).fillna("")
    office = ids.str[:2]
    from_kind = np.select([office.isin(["CN", "JP", "DE", "KR"]) & kind.isin(["U", "U1", "Y", "Y1"]),
                           kind.isin(["S", "S1"])], ["utility", "design"], "invention")
    return pd.Series(np.where(from_text != "", from_text, from_kind), index=ids.index)


def name_key(series: pd.Series) -> pd.Series:
    """An applicant/inventor key: full/half width folded, case-folded, punctuation and spaces collapsed.

    >>> name_key(pd.Series(["Waymo LLC", "WAYMO, LLC.", "开放智能机器（上海）有限公司"])).tolist()
    ['waymo llc', 'waymo llc', '开放智能机器 上海 有限公司']
    """
    return (series.str.normalize("NFKC").str.casefold()
            .str.replace(r"[\W_]+", " ", regex=True).str.strip())


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


def applicant_country(names: pd.Series, offices: pd.Series) -> pd.Series:
    """A first guess at an applicant's country (ISO code, ``""`` when unsure), never the filing office alone.

    ``names`` are applicant names, ``offices`` for each name the filing offices of its patents (a list).
    Rules in order: Hangul → KR; kana or 株式会社 → JP; a Chinese province/city name, 中国, 大学, 研究院/所
    or a mainland company form in Han script → CN, except names shaped like a foreign group's Chinese
    subsidiary name (环球/全球技术/有限责任公司 without a place) → unknown; Latin names with a Chinese place
    in pinyin → CN; legal-form suffixes (GmbH → DE, LLC/Inc/Corp → US …); otherwise the most frequent
    national office among the applicant's filings other than CN, WO and EP. Issue-4 normalisation
    (addresses, priority country) replaces this.

    >>> applicant_country(pd.Series(["Waymo LLC", "北京百度网讯科技有限公司", "伟摩有限责任公司", "トヨタ株式会社", "Aptiv Technologies Limited"]),
    ...                   pd.Series([["US"], ["CN"], ["CN"], ["JP"], ["US", "EP", "US", "CN"]])).tolist()
    ['US', 'CN', '', 'JP', 'US']
    """
    places = _places()
    out = []
    for name, offs in zip(names.fillna(""), offices):
        n = str(name)
        country = ""
        if re.search(r"[\uac00-\ud7af]", n):
            country = "KR"
        elif re.search(r"[\u3040-\u30ff]|株式会社", n):
            country = "JP"
        elif re.search(r"[\u4e00-\u9fff]", n):
            if places.han.search(n) or re.search(r"中国|中华|大学|学院|研究院|研究所|科学院|研究中心", n):
                country = "CN"
            elif re.search(r"环球|全球技术|国际知识产权|有限责任公司$|技术公司$", n):
                country = ""
            elif re.search(r"有限公司$|股份|集团|公司$", n) or len(n) <= 4:
                country = "CN"
        elif places.latin.search(n):
            country = "CN"
        else:
            upper = n.upper()
            country = next((c for c, pat in _LATIN_SUFFIX if re.search(pat, upper)), "")
            if not country:
                national = [o for o in (offs or []) if o not in ("CN", "WO", "EP")]
                if national:
                    country = pd.Series(national).value_counts().index[0]
        out.append(country)
    return pd.Series(out, index=names.index, dtype=object)


def applicant_type(names: pd.Series) -> pd.Series:
    """university / institute / government / enterprise / individual / other, from name patterns.

    >>> applicant_type(pd.Series(["清华大学", "中国科学院自动化研究所", "Waymo LLC", "张三", "Gassend; Blaise"])).tolist()
    ['university', 'institute', 'enterprise', 'individual', 'individual']
    """
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


def family_id(members: pd.Series) -> pd.Series:
    """A stable family id from a simple-family member list: the smallest member, or None.

    >>> family_id(pd.Series([["CN110298449B", "US20220404779A1", "CN110298449A"], []])).tolist()
    ['CN110298449A', None]
    """
    long = members.explode().dropna()
    long = publication_number(long)
    smallest = long[long.ne("")].groupby(level=0).min()
    return pd.Series([smallest.get(i) for i in members.index], index=members.index, dtype=object)


def records(raw: Raw) -> Normalised:
    """One normalised record per usable row of ``raw``, and the rejects (file, row, column, value, reason).

    A row is rejected when its publication number is missing or malformed, or a date cannot be read.
    ``len(records) + len(rejects) == len(raw.frame)``.
    """
    f = raw.frame
    prof = raw.profile
    file = raw.path.name
    col = lambda name: f[name] if name in f else pd.Series("", index=f.index, dtype=object)  # noqa: E731
    rec = pd.DataFrame(index=f.index)
    rec["row"] = f["row"]
    raw_id = clean_text(col("id"))
    rec["id"] = publication_number(raw_id)
    problems: list[pd.DataFrame] = []

    def reject(mask: pd.Series, field: str, value: pd.Series, reason: str) -> None:
        if mask.any():
            problems.append(pd.DataFrame({"file": file, "row": f.loc[mask, "row"],
                                          "column": raw.mapping.get(field, field), "value": value[mask],
                                          "reason": reason}))

    empty = (f.drop(columns="row").astype(str).apply(lambda c: c.str.strip()).eq("")).all(axis=1)
    reject(empty, "id", raw_id, "empty row")
    reject(~empty & raw_id.eq(""), "id", raw_id, "no publication number; every patent needs one")
    reject(~empty & raw_id.ne("") & rec["id"].eq(""), "id", raw_id,
           "publication number is not office + number + kind (e.g. CN110298449A)")
    for field in ("app_date", "pub_date", "grant_date"):
        dates, bad = parse_dates(col(field), prof.no_date)
        reject(bad & rec["id"].ne(""), field, col(field), "date is not YYYY-MM-DD, YYYYMMDD or an Excel date")
        rec[field] = dates.dt.date.where(dates.notna(), None)
    rejects = (pd.concat(problems, ignore_index=True) if problems else pd.DataFrame(columns=REJECT_COLUMNS))
    rejects = rejects.drop_duplicates("row", keep="first")  # one reason per row: the first found
    keep = ~f["row"].isin(rejects["row"])
    rec = rec[keep].copy()
    f = f[keep]
    for field in ("app_no", "title", "abstract", "legal_status"):
        rec[field] = clean_text(col(field)[keep]).replace("", None)
    rec["app_no"] = rec["app_no"].str.replace(r"\s", "", regex=True)
    rec["app_year"] = pd.to_datetime(rec["app_date"]).dt.year.astype("Int64")
    rec["authority"] = rec["id"].str[:2]
    rec["kind"] = rec["id"].str.extract(r"\d([A-Z]\d?)$", expand=False)
    rec["type"] = patent_type(col("patent_type")[keep], rec["id"])
    rec["is_active"] = is_active(rec["legal_status"].fillna(""))
    for field in ("claims", "cites", "cited_by", "family_size"):
        rec[field] = pd.to_numeric(col(field)[keep].replace("", None), errors="coerce").astype("Int64")
    sep = prof.separator
    for field in ("applicants", "inventors", "ipcs", "family_members"):
        rec[field] = split_multi(clean_text(col(field)[keep]), sep)
    long = normalize_ipc(rec["ipcs"].explode().dropna())
    long = long[long.str.match(_IPC.pattern)]
    ipcs = long.groupby(level=0).agg(list).reindex(rec.index).map(lambda xs: xs if isinstance(xs, list) else [])
    main = normalize_ipc(clean_text(col("ipc_main")[keep]))
    main = main.where(main.str.match(_IPC.pattern), "")
    # the main IPC leads the list; without a main column, the first listed code is the main one
    rec["ipcs"] = [list(dict.fromkeys(([m] if m else []) + xs)) for m, xs in zip(main, ipcs)]
    rec["ipc_main"] = pd.Series([xs[0] if xs else None for xs in rec["ipcs"]], index=rec.index, dtype=object)
    rec["family_id"] = family_id(rec["family_members"])
    sizes = rec["family_members"].map(len)
    rec["family_size"] = rec["family_size"].where(sizes.eq(0), sizes.astype("Int64"))
    rec["source"] = file
    return Normalised(rec[RECORD_COLUMNS].reset_index(drop=True), rejects[REJECT_COLUMNS].reset_index(drop=True))
