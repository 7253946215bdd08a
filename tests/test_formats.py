"""Golden cases per source format: real rows cut from ../shared/data/exports (tests/data/formats/),
with the expected normalised values read off the input files by hand (each value below is visible in
the fixture). A guard asserts that every format folder has a case, so a new fixture without
expectations fails.
"""

import csv
from pathlib import Path

import pandas as pd
import pytest

from ingest.frames import graph_frames
from ingest.normalize import records
from ingest.read import read_export

FORMATS = Path(__file__).parent / "data" / "formats"

CASES = {
    # Derwent Innovation layout (Chinese UI, legacy .xls, a title row): real rows, see tools/make_derwent_fixture.py
    "derwent/derwent-cn.xls": ("derwent", [
        {"id": "CN115438209A", "row": 3, "app_no": "CN2022108360067", "app_year": 2022, "year": 2022,
         "year_basis": "priority", "priority_country": "CN", "applicants": ["西安中科创达软件有限公司"],
         "applicant_addresses": ["西安中科创达软件有限公司,陕西省西安市高新区软件新城天谷八路156号云汇谷C1楼701室,710000,CN"],
         "std_applicants": ["中科创达软件股份有限公司"], "ipcs": ["G06F16/583", "G06F16/535", "G06F9/451"],
         "title": "一种主题推荐方法、装置、设备和系统"},
        {"id": "CN115412894A", "ipcs": ["H04W4/90", "H04W4/02", "G08B21/02"]},
        {"id": "CN115390929A", "ipcs": ["G06F9/4401"]},
        {"id": "CN115344120A", "applicants": ["武汉中科创达软件有限公司"]},
        {"id": "CN115542182A", "row": 7, "year_basis": "application", "priority_country": None,
         "applicants": ["国网江苏省电力有限公司南京供电分公司", "中国电力科学研究院有限公司"], "applicant_addresses": ["", ""],
         "ipcs": ["G01R31/392", "G01R31/3842", "G01R31/367"]},
        {"id": "CN115546605A", "applicants": ["安徽省立医院（中国科学技术大学附属第一医院）", "中国人民解放军陆军军医大学第一附属医院"]}]),
    "lens/lens-3.csv": ("lens", [
        {"id": "US9833479B2", "app_year": 2017, "year": 2014, "year_basis": "priority", "applicants": ["SANGAMO THERAPEUTICS INC"], "ipc_main": "A61K35/28",
         "priority_country": "US", "legal_status": "ACTIVE", "is_active": True, "family_offices": ["US", "WO"],
         "url": "https://lens.org/004-833-779-175-375", "transfers": None, "litigations": None},
        {"id": "US20230067653A1", "app_year": 2022, "ipc_main": "C12N9/22", "is_active": False},
        {"id": "US20200102577A1", "app_year": 2019, "ipc_main": "C12N15/86", "type": "invention"}]),
    "patsnap/patsnap-1.xlsx": ("patsnap", [
        {"id": "DE102013020339A1", "app_year": 2013, "applicants": ["SCHWARZE MALTE"], "ipc_main": "B64C31/02",
         "ipcs": ["B64C31/02", "B64F1/04"], "legal_status": "实质审查", "is_active": True, "type": "invention",
         "priority_country": None, "cites": 13,
         # 法律状态/事件 "实质审查 | 许可": the status, then a licence; 诉讼案件数 0
         "licences": 1, "transfers": 0, "pledges": 0, "litigations": 0, "url": None}]),
    "patentics-xlsx/title-row.xlsx": ("patentics", [
        {"id": "CN112597341A", "row": 3, "app_year": 2018, "inventors": [], "ipc_main": "G06F16/783",
         "priority_country": "CN", "applicants": ["中科寒武纪科技股份有限公司"]},
        {"id": "CN212846786U", "row": 4, "app_year": 2020, "ipc_main": "G06F15/167", "type": "utility"}]),
    "patentics-xlsx/address.xlsx": ("patentics", [
        {"id": "CN115438209A", "applicants": ["西安中科创达软件有限公司"], "std_applicants": ["中科创达软件股份有限公司"],
         "ipcs": ["G06F16/583", "G06F16/535", "G06F9/451"], "province": "陕西省"},
        {"id": "CN115412894A", "app_year": 2022, "ipc_main": "H04W4/90"}]),
    "patentics-xlsx/patentics-header.xlsx": ("patentics", [
        {"id": "US11412475B2", "app_year": 2017, "ipc_main": "H04W64/00",
         "applicants": ["TELEFONAKTIEBOLAGET LM ERICSSON (PUBL)"], "std_applicants": ["爱立信公司"],
         "inventors": ["Poscher; Jens", "Detke; Ralph", "Eichinger; Stefan", "Tercero; Pedro"]},
        {"id": "US11410420B1", "app_year": 2020, "applicants": ["Wells Fargo Bank, N.A."]}]),
    "patentsview": ("patentsview", [
        {"id": "US10114758B2", "year": 2018, "year_basis": "publication", "applicants": ["NVIDIA CORPORATION"], "ipc_main": "G06F12/1009", "claims": 26,
         "title": "Techniques for supporting for demand paging"},
        {"id": "US10705525B2", "ipc_main": "G06V10/82"},
        {"id": "US10909903B2", "applicants": ["NVIDIA CORPORATION"]}]),
    "epo-ops/biblio-3.xml": ("epo-ops", [
        {"id": "EP2400812A1", "app_year": 2010, "family_id": "epo:43088294", "ipc_main": "H04W84/20",
         "applicants": ["9SOLUTIONS OY", "9Solutions Oy"], "priority_country": "EP"},
        {"id": "EP2533477A1", "family_id": "epo:44533794"},
        {"id": "EP2533477B1", "family_id": "epo:44533794", "app_no": "EP11169280"}]),
    # USPTO full text: two ICE grants concatenated as in a weekly bulk file (2014 v4.5, 2004 v4.0 with a
    # zero-padded IPC "G06F015/00"), a 2004 pre-grant publication, a 2001 ST.32 grant and a v1.6 publication
    "uspto/weekly-2-grants.xml": ("uspto-xml", [
        {"id": "US8930553B2", "app_no": "US13648029", "app_year": 2012, "year": 2012, "year_basis": "application", "type": "invention", "claims": 8,
         "applicants": ["International Business Machines Corporation"], "ipc_main": "G06F15/16",
         "inventors": ["Nitzan Nissim", "Brian Pulito", "Asaf Zinger"], "cites": 21},
        {"id": "US6859910B2", "app_year": 2001, "applicants": ["John Charles Croy"], "ipc_main": "G06F15/00",
         "ipcs": ["G06F15/00", "G06F17/00", "G06F17/21", "G06F17/24"], "claims": 2}]),
    "uspto/application-2004.xml": ("uspto-xml", [
        {"id": "US20050004437A1", "app_year": 2004, "year": 2001, "year_basis": "priority", "applicants": ["Heiner Kaufmann", "Thomas Vering"],
         "priority_country": "CH", "ipc_main": "A61B5/00"}]),
    "uspto/st32-grant.xml": ("uspto-xml", [
        {"id": "US6336130B1", "app_no": "US09413215", "app_year": 1999, "year": 1997, "year_basis": "priority", "ipcs": ["G06F15/16", "G06F13/00"],
         "applicants": ["Telefonaktiebolaget LM Ericsson (publ)"], "inventors": ["Thanh Van Do"], "claims": 22,
         "priority_country": "NO"}]),
    "uspto/pap-2001.xml": ("uspto-xml", [
        {"id": "US20010000943A1", "app_year": 2000, "applicants": ["IDEMITSU KOSAN CO., LTD."], "ipc_main": "H01J1/62",
         "inventors": ["Kenichi Fukuoka", "Mitsura Eida"], "claims": 13, "priority_country": "JP"}]),
    "uspto/aps-1976.greenbook": ("uspto-aps", [
        {"id": "US3937375A", "app_no": "US518454", "app_year": 1974, "title": "Bumper support for a boat loader",
         "applicants": ["Everette E. Daniels"], "inventors": ["Everette E. Daniels"], "ipcs": ["B60R9/00"],
         "claims": 3, "cites": 5}]),
    "uspto/brs-2.txt": ("uspto-brs", [
        {"id": "US9204581B2", "app_no": "US13676098", "app_year": 2012, "applicants": ["MEDIATEK INC."],
         "inventors": ["Long-Kun Yu", "Kuo-Liang Deng"], "ipcs": ["H05K9/00"], "claims": 20, "priority_country": None},
        {"id": "US9204582B2", "applicants": ["The Boeing Company"], "ipcs": ["H05K9/00", "H01Q15/00"]}]),
    # a Navicat MySQL dump of a CNIPA-style table: integer YYYYMMDD dates, ";" lists, "有权-审定授权"
    "sql/cnipa-3.sql": ("cnipa", [
        {"id": "CN218751475U", "app_no": "CN202223220665.2", "app_year": 2022, "type": "utility",
         "applicants": ["中科大数据研究院"], "inventors": ["刘迪", "刘敏", "王煜伟", "付艳波", "王元卓"],
         "ipcs": ["B64U20/80", "B64U101/30"], "is_active": True, "row": 1},
        {"id": "CN216774847U", "ipc_main": "H04N5/225", "row": 2},
        {"id": "CN217546176U", "app_year": 2021, "row": 3}]),
}


def test_every_format_fixture_has_a_case():
    found = {str(p.relative_to(FORMATS)) for p in FORMATS.glob("*/*") if p.parent.name != "patentsview"}
    found |= {"patentsview"}
    assert found == set(CASES) and len(CASES) == 15


def _value(v):
    if isinstance(v, list) or v is None:
        return v
    return None if pd.isna(v) else (v.item() if hasattr(v, "item") else v)


@pytest.mark.parametrize("name", sorted(CASES))
def test_format_is_detected_and_normalised(name):
    profile, expected = CASES[name]
    raw = read_export(FORMATS / name)
    assert raw.profile.name == profile
    norm = records(raw)
    assert norm.rejects.empty and len(norm.records) == len(expected)
    for got, want in zip(norm.records.to_dict("records"), expected):
        for field, value in want.items():
            assert _value(got[field]) == value, (name, want["id"], field)


def test_lens_family_is_the_smallest_lens_id_of_the_family():
    path = FORMATS / "lens" / "lens-3.csv"
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    want = ["lens:" + min([r["Lens ID"]] + [m for m in r["Simple Family Members"].split(";;") if m]) for r in rows]
    assert records(read_export(path)).records["family_id"].tolist() == want


def test_address_gives_region_nodes_and_the_group_link():
    norm = records(read_export(FORMATS / "patentics-xlsx" / "address.xlsx"))
    frames = graph_frames(norm.records)
    applicant = frames["Applicant"].set_index("id").loc["西安中科创达软件"]  # key: legal form dropped
    assert applicant["name"] == "西安中科创达软件有限公司"
    assert (applicant["country"], applicant["province"], applicant["city"]) == ("CN", "陕西省", "西安市")
    regions = frames["Region"].set_index("id")
    assert regions.loc["610000", "name"] == "陕西省" and regions.loc["610100", "level"] == "city"
    assert set(map(tuple, frames["WITHIN"].values.tolist())) >= {("610000", "CN"), ("610100", "610000")}
    located = frames["LOCATED_IN"]
    assert located.attrs["endpoints"] == ("Applicant", "Region")
    assert located.set_index("from").loc["西安中科创达软件", "to"].startswith("6101")
    assert frames["PART_OF_GROUP"].values.tolist() == [["西安中科创达软件", "中科创达软件"]]
    assert frames["Applicant"].set_index("id").loc["中科创达软件", "type"] == "group"


def test_xml_of_no_known_patent_format_says_so(tmp_path):
    scheme = tmp_path / "cpc-scheme.xml"
    scheme.write_text('<?xml version="1.0"?><class-scheme><classification-item/></class-scheme>')
    from ontology.errors import IngestError
    with pytest.raises(IngestError, match=r"cpc-scheme.xml: XML of no patent format .*<class-scheme>"):
        read_export(scheme)


def test_sql_dump_with_a_short_tuple_names_it(tmp_path):
    dump = tmp_path / "bad.sql"
    dump.write_text("CREATE TABLE `t` (\n  `申请号` varchar(9),\n  `专利名称` text,\n  `主分类号` text,\n"
                    "  `分类号` text\n) ENGINE=InnoDB;\nINSERT INTO `t` VALUES ('CN1', 'x', 'G06F', 'G06F');\n"
                    "INSERT INTO `t` VALUES ('CN2', 'it''s', 'G06F');\n", encoding="utf-8")
    from ontology.errors import IngestError
    with pytest.raises(IngestError, match=r"bad.sql.*INSERT tuple 2 has 3 values for 4 columns"):
        read_export(dump)


def test_ops_responses_without_bibliographic_records_say_so(tmp_path):
    legal = tmp_path / "legal.xml"
    legal.write_text('<ops:world-patent-data xmlns:ops="http://ops.epo.org"><ops:patent-family/></ops:world-patent-data>')
    from ontology.errors import IngestError
    with pytest.raises(IngestError, match="legal.xml: no exchange-document"):
        read_export(legal)


def test_derwent_applicants_get_country_and_region_from_their_addresses():
    """The Derwent failure: applicants written with their addresses loaded as names, with no country or
    city. Now the name is the applicant, the address gives the country and the city."""
    from ingest.pipeline import ingest_files
    apps = ingest_files([FORMATS / "derwent" / "derwent-cn.xls"], []).frames["Applicant"].set_index("id")
    xian = apps.loc["西安中科创达软件"]
    assert (xian["name"], xian["country"], xian["country_source"]) == ("西安中科创达软件有限公司", "CN", "address")
    assert (xian["province"], xian["city"], xian["region_source"]) == ("陕西省", "西安市", "address")
    assert apps.loc["武汉中科创达软件", "city"] == "武汉市" and not apps.index.str.contains(",").any()
