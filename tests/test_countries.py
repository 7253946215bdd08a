"""Applicant countries decided from evidence, measured against hand-labelled applicants of real exports.

The labels (tests/data/countries/*.tsv) were made from public knowledge of each organisation,
independently of PatNav; "?" marks those the labeller did not know (left out). Right, wrong and unknown
are shares of the labelled applicants: unknown is better than wrong, so wrong has the tighter bound.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from ingest.countries import address_country, decide, name_evidence
from ingest.pipeline import ingest_files

LABELS = Path(__file__).parent / "data" / "countries"
SHARED = Path(__file__).resolve().parents[2] / "shared" / "data" / "exports"


def labels(name: str) -> pd.DataFrame:
    lines = [l for l in (LABELS / name).read_text(encoding="utf-8").splitlines() if not l.startswith("#")]
    rows = [l.split("\t") for l in lines[1:] if l.strip()]
    frame = pd.DataFrame(rows, columns=lines[0].split("\t"))
    return frame[frame["country"] != "?"]


def score(applicants: pd.DataFrame, labelled: pd.DataFrame) -> dict:
    """Right / wrong / unknown shares; a labelled name is found among the applicant nodes' name variants
    (an applicant linked to its name in another script is one node)."""
    variant = {v: c for vs, c in zip(applicants["name_variants"], applicants["country"]) if isinstance(vs, list)
               for v in vs}
    missing = labelled.loc[~labelled["name"].isin(variant), "name"].tolist()
    assert not missing, missing
    got = labelled["name"].map(variant).fillna("")
    right, unknown = got.eq(labelled["country"]), got.eq("")
    return {"n": len(labelled), "right": right.mean(), "wrong": (~right & ~unknown).mean(), "unknown": unknown.mean(),
            "errors": labelled.assign(got=got)[~right & ~unknown][["name", "country", "got"]].values.tolist()}


@pytest.mark.corpus
def test_us_drone_applicants_countries():
    files = sorted((SHARED / "patentics").glob("无人机美国申请_download*.xlsx"))
    if len(files) != 3:
        pytest.skip("../shared/data is absent: the labelled exports are the shared Patentics drone files")
    result = score(ingest_files(files, []).frames["Applicant"], labels("drones-us.tsv"))
    assert result["n"] >= 95
    assert result["right"] >= 0.95 and result["wrong"] <= 0.035, result


def test_the_evidence_order():
    """Column beats address beats name beats priorities beats the only office beats the group beats a
    US legal form; a Chinese rendering of a foreign name decides nothing by itself."""
    m = pd.DataFrame({
        "key": ["col", "addr", "name", "prio", "prio", "office", "weak", "member", "member en", "none"],
        "name": ["甲公司", "Acme", "北京某某有限公司", "通用电气公司", "通用电气公司", "华为技术有限公司", "Waymo LLC", "伟摩有限责任公司",
                 "Foo GmbH", "某某公司"],
        "office": ["CN", "US", "US", "CN", "CN", "CN", "US", "CN", "DE", "CN"],
        "priority": ["", "", "US", "US", "US", "", "", "", "", ""],
        "priority_known": [False, False, True, True, True, True, False, False, False, False],
        "column": ["日本", "", "", "", "", "", "", "", "", ""],
        "address": ["北京市海淀区", "Mountain View, CA, USA", "", "", "", "", "", "", "", ""]})
    groups = pd.DataFrame({"from": ["member", "member en"], "to": ["grp", "grp"]})
    got = decide(m, groups).set_index("key")
    assert got.loc["col"].tolist() == ["JP", "column"] and got.loc["addr"].tolist() == ["US", "address"]
    assert got.loc["name"].tolist() == ["CN", "name"] and got.loc["prio"].tolist() == ["US", "priority"]
    assert got.loc["office"].tolist() == ["CN", "office"] and got.loc["weak"].tolist() == ["US", "legal_form"]
    assert got.loc["member"].tolist() == ["DE", "group"] and got.loc["none"].tolist() == ["", ""]


def test_the_vendor_group_name_places_members_in_another_script():
    """日本电气株式会社 names Japan: NEC Corporation, with nothing else to say, is Japanese; its US subsidiary
    (named after America) keeps its priorities, a member with an Italian legal form is Italian, a member
    whose own priorities point elsewhere is unknown, and a Chinese place in a vendor's rendering of a
    foreign name (西安大略大学 is Western Ontario) decides nothing."""
    keys = ["nec", "nec", "nec america", "archon", "western ontario", "argo ai", "argo ai", "nidec motor", "nidec"]
    m = pd.DataFrame({"key": keys,
                      "name": ["NEC Corporation", "NEC Corporation", "NEC Corporation of America", "Archon Technologies S.R.L.",
                               "The University of Western Ontario", "Argo AI GmbH", "Argo AI, LLC",
                               "Nidec Motor Corporation", "Nidec Corporation"],
                      "office": ["US"] * 9, "priority": ["", "", "US", "", "", "", "", "US", ""],
                      "priority_known": [False, False, True, False, False, False, False, True, False],
                      "column": [""] * 9, "address": [""] * 9})
    groups = pd.DataFrame({"from": ["nec", "nec america", "archon", "western ontario", "nidec motor", "nidec"],
                           "to": ["日本电气", "日本电气", "美国3m", "西安大略大学", "日本电产", "日本电产"],
                           "group_name": ["日本电气株式会社", "日本电气株式会社", "美国3M公司", "西安大略大学", "日本电产株式会社",
                                          "日本电产株式会社"]})
    got = decide(m, groups).set_index("key")
    assert got.loc["nec"].tolist() == ["JP", "group_name"] and got.loc["nidec"].tolist() == ["JP", "group_name"]
    # a member whose own priorities say otherwise (a subsidiary abroad, or a wrong grouping) stays unknown,
    # even for the weak US legal form its name carries
    assert got.loc["nidec motor"].tolist() == ["", ""]
    assert got.loc["nec america"].tolist() == ["US", "priority"]
    assert got.loc["archon"].tolist() == ["IT", "name"]
    assert got.loc["western ontario"].tolist() == ["", ""]
    assert got.loc["日本电气"].tolist() == ["JP", "group_name"]
    # Argo AI GmbH and Argo AI, LLC share a key: the German form does not decide for the parent
    assert got.loc["argo ai"].tolist() == ["US", "legal_form"]


@pytest.mark.parametrize("name, country", [
    ("通用电气公司", ""), ("波音公司", ""), ("空中客车运营简化股份公司", "FR"), ("赛峰电气与电源公司", ""),
    ("劳斯莱斯德国有限两合公司", "DE"), ("保时捷股份公司", ""), ("米其林集团总公司", ""), ("三星电子株式会社", ""),
    ("北京嘀嘀无限科技发展有限公司", "CN"), ("Terminus (beijing) Technology Co. Ltd.", "CN")])
def test_names_of_the_green_aviation_failure(name, country):
    """Foreign companies whose names a vendor rendered in Chinese are not Chinese by their script: a
    name says a country only through a place, a country or a legal form of that country."""
    assert name_evidence(name)[0] == country


def test_address_evidence():
    assert [address_country(a) for a in ("Terminus (beijing),Beijing,100034,CN", "Toulouse, FR", "美国华盛顿州西雅图",
                                         "上海市浦东新区", "Stuttgart, Germany")] == ["CN", "FR", "US", "CN", "DE"]


@pytest.mark.corpus
def test_autodriving_applicants_countries_without_priorities():
    """Global exports with no priority column and foreign names rendered in Chinese, Japanese and
    Korean: much stays unknown, little is wrong."""
    import sys
    sys.path.insert(0, str(Path(__file__).parent))
    from test_indicators import CORPUS
    if not all(p.exists() for p in CORPUS):
        pytest.skip("../shared/data is absent: the labelled exports are the shared autonomous-driving corpus")
    result = score(ingest_files(CORPUS, []).frames["Applicant"], labels("autodriving.tsv"))
    assert result["n"] >= 80
    assert result["wrong"] <= 0.03 and result["right"] >= 0.65, result


@pytest.mark.corpus
def test_one_organisation_in_two_scripts_is_one_applicant(tmp_path):
    """WO2020253206 is exported twice by Patentics, A1 with 北京嘀嘀无限科技发展有限公司 and A9 with BEIJING DIDI
    INFINITY TECHNOLOGY & DEV CO LTD: one applicant, named in Chinese, the English name a variant."""
    source = SHARED / "patentics" / "滴滴_全球4011.csv"
    if not source.exists():
        pytest.skip("../shared/data is absent")
    lines = source.read_text(encoding="utf-8-sig").splitlines()
    cut = tmp_path / "didi.csv"
    cut.write_text("\n".join([lines[0], lines[1221], lines[1828]]) + "\n", encoding="utf-8")
    result = ingest_files([cut], [])
    apps = result.frames["Applicant"]
    apps = apps[apps["type"] != "group"]  # the vendor's standardised group is a node of its own
    assert len(result.records) == 1 and len(apps) == 1
    node = apps.iloc[0]
    assert node["name"] == "北京嘀嘀无限科技发展有限公司" and "BEIJING DIDI INFINITY TECHNOLOGY & DEV CO LTD" in node["name_variants"]
    assert node["country"] == "CN"
