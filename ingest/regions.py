"""Chinese province / city / district of applicants, from addresses or names, as ``Region`` nodes.

``cpca`` (Chinese province-city-area parsing with the national admin-division table) reads each
distinct text once. Region ids are the 6-digit admin codes (province ``610000``, city ``610100``,
district ``610113``) below the country ``CN``; ``WITHIN`` links each to its parent.
"""

from __future__ import annotations

import pandas as pd

LEVELS = ("province", "city", "district")
MUNICIPALITIES = {"北京市", "天津市", "上海市", "重庆市"}


def locate(texts: pd.Series) -> pd.DataFrame:
    """province, city, district names and their admin codes for each text (None where not found).

    Municipalities (北京, 上海 …) have no separate city: the city is the municipality itself.

    >>> locate(pd.Series(["710000 陕西省西安市高新区软件新城天谷八路1", "北京百度网讯科技有限公司", "Waymo LLC"]))[
    ...     ["province", "city", "province_code", "city_code"]].values.tolist()
    [['陕西省', '西安市', '610000', '610100'], ['北京市', '北京市', '110000', '110100'], [None, None, None, None]]
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
    out.index = unique
    out = out.reindex(texts.astype(str).to_numpy()).set_axis(texts.index)[cols].astype(object)
    return out.where(out.notna(), None)


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
