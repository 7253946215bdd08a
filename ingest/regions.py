"""Chinese province / city / district of applicants, from addresses or names, as ``Region`` nodes.

``cpca`` (Chinese province-city-area parsing with the national admin-division table) reads each
distinct text once. Region ids are the 6-digit admin codes (province ``610000``, city ``610100``,
district ``610113``) below the country ``CN``; ``WITHIN`` links each to its parent.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import pandas as pd

LEVELS = ("province", "city", "district")
MUNICIPALITIES = {"北京市", "天津市", "上海市", "重庆市"}
#: provinces whose usual Latin name is not their plain pinyin (陕西 and 山西 are both "shanxi" in pinyin)
_LATIN_PROVINCES = {"shaanxi": "610000", "shanxi": "140000", "inner mongolia": "150000", "neimenggu": "150000",
                    "tibet": "540000", "xizang": "540000"}
_SUFFIX = re.compile(r"(?:维吾尔|壮族|回族)?(?:自治区|特别行政区|省|市)$")


@lru_cache(maxsize=4096)
def area_name(code: str) -> str:
    """The name of an admin area; a municipality's 市辖区 / 县 (110100, 500200) is named after the
    municipality, and an unknown code is returned as given.

    >>> area_name("330100"), area_name("110100"), area_name("999999")
    ('杭州市', '北京市', '999999')
    """
    names = admin_areas().set_index("code")["name"]
    name = names.get(code)
    if name in ("市辖区", "县") or (name is None and str(code)[2:] in ("0100", "0200")):
        name = names.get(str(code)[:2] + "0000", name)
    return str(name) if isinstance(name, str) else str(code)


@lru_cache(maxsize=1)
def admin_areas() -> pd.DataFrame:
    """Every admin area of China in cpca's table: code (6 digits), name, level (province / city /
    district), longitude, latitude."""
    import cpca
    path = Path(cpca.__file__).with_name("resources") / "adcodes.csv"
    table = pd.read_csv(path, dtype={"adcode": str})
    table["code"] = table["adcode"].str[:6]
    table["level"] = [("province" if c.endswith("0000") else "city" if c.endswith("00") else "district")
                      for c in table["code"]]
    return table[["code", "name", "level", "longitude", "latitude"]].drop_duplicates("code").reset_index(drop=True)


@lru_cache(maxsize=1)
def _latin_table() -> tuple[dict[str, str], dict[str, list[str]], re.Pattern]:
    """(province pinyin → code, city pinyin → codes, one pattern for every name) from the admin table:
    "beijing" → 110000, "shenzhen" → [440300], "suzhou" → [320500, 341300] (苏州 and 宿州)."""
    from pypinyin import lazy_pinyin
    areas = admin_areas()
    spell = lambda name: "".join(lazy_pinyin(_SUFFIX.sub("", name))).lower()  # noqa: E731
    provinces: dict[str, str] = {}
    for code, name in zip(areas.loc[areas["level"] == "province", "code"], areas.loc[areas["level"] == "province", "name"]):
        key = spell(name)
        provinces[key] = code if key not in provinces else ""  # "" marks an ambiguous spelling
    provinces = {k: v for k, v in provinces.items() if v}
    provinces.pop("shanxi", None)
    provinces.update(_LATIN_PROVINCES)
    cities: dict[str, list[str]] = {}
    # prefecture cities, and county-level cities (昆山市 → its prefecture, 苏州市): a place in a name is a city
    # (a county-level spelling of under 5 letters is too often an English word or a given name: mile, bole, anda)
    ends = areas["name"].str.endswith("市") & areas["level"].isin(["city", "district"])
    for code, name, level in zip(areas.loc[ends, "code"], areas.loc[ends, "name"], areas.loc[ends, "level"]):
        if level == "city" or len(spell(name)) >= 5:
            cities.setdefault(spell(name), []).append(code[:4] + "00")
    cities = {k: sorted(set(v)) for k, v in cities.items()}
    names = sorted(set(provinces) | set(cities), key=len, reverse=True)
    pattern = re.compile(r"(?<![a-z])(" + "|".join(re.escape(n).replace(r"\ ", r"\s+") for n in names) + r")(?![a-z])")
    return provinces, cities, pattern


def latin_place(text: str) -> tuple[str | None, str | None]:
    """(province code, city code) that a Latin-script name or address names, or None where it names none
    or only an ambiguous city (Suzhou is 苏州 and 宿州, unless Jiangsu or Anhui is named too). A province's
    name wins over a city of the same spelling (Jilin University is in Changchun, not Jilin city).

    >>> [latin_place(t) for t in ("BEIJING DIDI INFINITY TECHNOLOGY AND DEVELOPMENT CO., LTD.",
    ...  "Shenzhen, Guangdong 518000", "SUZHOU FOO CO LTD", "Suzhou, Jiangsu", "Xi'an Jiaotong University",
    ...  "Shaanxi Heavy Duty", "Jilin University", "Waymo LLC", "Haoxiang Electric Energy (Kunshan) Co., Ltd.")]
    [('110000', '110100'), ('440000', '440300'), (None, None), ('320000', '320500'), ('610000', '610100'), ('610000', None), ('220000', None), (None, None), ('320000', '320500')]
    """
    provinces, cities, pattern = _latin_table()
    folded = re.sub(r"['’`-]", "", str(text).lower())
    found = [m.group(1).replace(" ", "") if m.group(1) not in provinces else m.group(1)
             for m in pattern.finditer(re.sub(r"\s+", " ", folded))]
    named = [provinces[f] for f in found if f in provinces]
    province = named[0] if named else None
    for f in found:
        if f in provinces:
            continue
        options = [c for c in cities.get(f, []) if province is None or c[:2] == province[:2]]
        if len(options) == 1:
            city = options[0]
            if province is None or province[:2] == city[:2]:
                return city[:2] + "0000", (city[:2] + "0100" if city[:2] in ("11", "12", "31", "50") else city)
    if province is None:
        return None, None
    muni = province[:2] in ("11", "12", "31", "50")
    return province, (province[:2] + "0100" if muni else None)


def locate(texts: pd.Series) -> pd.DataFrame:
    """province, city, district names and their admin codes for each text (None where not found).

    Municipalities (北京, 上海 …) have no separate city: the city is the municipality itself.

    Latin-script texts (English names and addresses) are read for the pinyin of provinces and cities
    (:func:`latin_place`).

    >>> locate(pd.Series(["710000 陕西省西安市高新区软件新城天谷八路1", "北京百度网讯科技有限公司", "Waymo LLC",
    ...                   "Beijing Didi Infinity Technology", "Hangzhou Hikvision Digital Technology Co., Ltd."]))[
    ...     ["province", "city", "province_code", "city_code"]].values.tolist()
    [['陕西省', '西安市', '610000', '610100'], ['北京市', '北京市', '110000', '110100'], [None, None, None, None], ['北京市', '北京市', '110000', '110100'], ['浙江省', '杭州市', '330000', '330100']]
    """
    import cpca  # loads its admin-division table (≈0.2 s); only ingest needs it

    unique = pd.Series(texts.dropna().astype(str).unique())
    cols = ["province", "city", "district", "province_code", "city_code", "district_code"]
    if unique.empty:
        return pd.DataFrame(columns=cols, index=texts.index)
    found = cpca.transform(unique.tolist())
    code = [str(c).split(".")[0] if isinstance(c, str) or (c is not None and not pd.isna(c)) else None
            for c in found["adcode"]]
    text = lambda col: [v if isinstance(v, str) and v else None for v in found[col]]  # noqa: E731
    out = pd.DataFrame({"province": text("省"), "city": text("市"), "district": text("区")}, dtype=object)
    muni = [p in MUNICIPALITIES for p in out["province"]]
    out["city"] = [p if m else c for p, c, m in zip(out["province"], out["city"], muni)]
    out["province_code"] = [c[:2] + "0000" if c else None for c in code]
    out["city_code"] = [c[:2] + "0100" if c and m else c[:4] + "00" if c and c[2:4] != "00" else None
                        for c, m in zip(code, muni)]
    out["district_code"] = [c if c and c[4:] != "00" else None for c in code]
    out.loc[out["province"].isna()] = None
    _latin(out, unique)
    out.index = unique
    out = out.reindex(texts.astype(str).to_numpy()).set_axis(texts.index)[cols].astype(object)
    return out.where(out.notna(), None)


def _latin(out: pd.DataFrame, texts: pd.Series) -> None:
    """Fill, in place, the rows of ``out`` that cpca did not place and whose text is in Latin script
    (an English name or address of a Chinese applicant) from :func:`latin_place`."""
    latin = out["province"].isna().to_numpy() & ~texts.str.contains(r"[\u4e00-\u9fff]", regex=True).to_numpy()
    if not latin.any():
        return
    names = admin_areas().set_index("code")["name"]
    places = [latin_place(t) for t in texts[latin]]
    province = [p for p, _ in places]
    city = [c for _, c in places]
    rows = out.index[latin]
    out.loc[rows, "province_code"] = province
    out.loc[rows, "city_code"] = city
    out.loc[rows, "province"] = [names.get(p) if p else None for p in province]
    out.loc[rows, "city"] = [(names.get(p) if c and c.endswith("0100") and p[:2] in ("11", "12", "31", "50")
                              else names.get(c)) if c else None for p, c in zip(province, city)]


def region_frames(places: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(Region nodes, WITHIN links) for the rows of :func:`locate`, plus the country node CN."""
    nodes, links = [{"id": "CN", "name": "中国", "level": "country"}], []
    for level, parent in zip(LEVELS, ("country", "province", "city")):
        part = places.dropna(subset=[f"{level}_code"]).drop_duplicates(f"{level}_code")
        for row in part.itertuples():
            nodes.append({"id": getattr(row, f"{level}_code"), "name": getattr(row, level), "level": level})
            up = "CN" if parent == "country" else getattr(row, f"{parent}_code")
            links.append({"from": getattr(row, f"{level}_code"), "to": up})
    return (pd.DataFrame(nodes).drop_duplicates("id"),
            pd.DataFrame(links, columns=["from", "to"]).drop_duplicates())
