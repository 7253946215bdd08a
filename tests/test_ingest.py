"""Ingest v1 on real exports: profiles, normalisation, dedup, accounting, rejects, idempotent loads.

Expected values come from independent reads of the same files (the csv module, openpyxl), never from
the code under test.
"""

import csv
import json
import re
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

import expected_ingest
from api.workflow import demo_files, ingest
from graph.embedded_store import EmbeddedStore
from ingest.normalize import records
from ingest.pipeline import ingest_files
from ingest.read import read_export
from ontology.chains import load_chain
from ontology.errors import IngestError

SAMPLES = demo_files("icv")
XLSX = [p for p in SAMPLES if p.suffix == ".xlsx"]
CSV = [p for p in SAMPLES if p.suffix == ".csv"]


def test_the_bundled_sample_is_real_and_small():
    assert len(XLSX) == 2 and len(CSV) == 6
    assert sum(p.stat().st_size for p in SAMPLES) <= 5 * 2**20
    assert {read_export(p).profile.name for p in SAMPLES} == {"incopat", "patentics"}


@pytest.mark.parametrize("path", CSV, ids=lambda p: p.stem)
def test_patentics_csv_matches_an_independent_parse(path):
    with path.open(encoding="utf-8-sig", newline="") as f:
        raw = list(csv.DictReader(f))
    norm = records(read_export(path))
    assert len(norm.records) + len(norm.rejects) == len(raw)
    kept = [r for i, r in enumerate(raw) if i + 2 not in set(norm.rejects["row"])]
    assert norm.records["id"].tolist() == [r["公开号"].strip().upper() for r in kept]
    assert norm.records["applicants"].map(len).sum() == sum(
        len(dict.fromkeys(" ".join(v.split()) for v in r["申请人"].split("|") if v.strip())) for r in kept)
    kinds = [re.search(r"\d([A-Z]\d?)$", r["公开号"].strip().upper()) for r in kept]
    assert norm.records["kind"].tolist() == [k.group(1) if k else None for k in kinds]
    years = norm.records["app_year"].astype(object).where(norm.records["app_year"].notna(), None).tolist()
    assert years == [int(r["申请日"][:4]) if r["申请日"].strip("0 ") else None for r in kept]
    # Indian rows write "G06Q   /5030" for G06Q50/30 (the last two digits are the subgroup)
    codes = [[re.sub(r"^([A-H]\d\d[A-Z])/(\d{1,2})(\d\d)$", r"\1\2/\3", c.replace(" ", ""))
              for c in r["国际分类"].split("|")] for r in kept]
    valid = [[c for c in cs if re.fullmatch(r"[A-H]\d\d[A-Z](\d{1,4}(/\d{1,7})?)?", c)] for cs in codes]
    mains = [r["国际主分类"].replace(" ", "") for r in kept]  # Patentics CSV: the main IPC's subclass only
    mains = [m if re.fullmatch(r"[A-H]\d\d[A-Z]", m) else "" for m in mains]
    assert norm.records["ipc_main"].tolist() == [next((c for c in v if c.startswith(m)), m) if m else (v[0] if v else None)
                                                 for v, m in zip(valid, mains)]


@pytest.mark.parametrize("path", XLSX, ids=lambda p: p.stem)
def test_incopat_xlsx_matches_an_independent_parse(path):
    rows = list(openpyxl.load_workbook(path, read_only=True).active.iter_rows(values_only=True))
    header, data = list(rows[0]), rows[1:]
    col = {h: i for i, h in enumerate(header)}
    norm = records(read_export(path))
    assert len(norm.records) == len(data) and norm.rejects.empty
    assert norm.records["id"].tolist() == [r[col["公开（公告）号"]] for r in data]
    years = [(v.year if hasattr(v, "year") else int(str(v)[:4]) if v else None) for v in (r[col["申请日"]] for r in data)]
    got = norm.records["app_year"]
    assert got.astype(object).where(got.notna(), None).tolist() == years
    assert norm.records["ipc_main"].tolist() == [re.sub(r"(/\d+)[A-Z]$", r"\1", r[col["IPC主分类"]]) if r[col["IPC主分类"]]
                                                 else None for r in data]
    n_app = sum(len(dict.fromkeys(" ".join(a.split()) for a in str(v).split(";") if a.strip())) if v else 0
                for v in (r[col["申请人"]] for r in data))
    assert norm.records["applicants"].map(len).sum() == n_app
    types = {"发明申请": "invention", "发明授权": "invention", "实用新型": "utility", "外观设计": "design"}
    assert norm.records["type"].tolist() == [types[r[col["专利类型"]]] for r in data]


def test_simple_family_gives_a_family_id_and_size():
    path = next(p for p in XLSX if "通用" in p.name)
    rows = list(openpyxl.load_workbook(path, read_only=True).active.iter_rows(values_only=True))
    col = rows[0].index("简单同族")
    members = [[m.strip() for m in (r[col] or "").split(";") if m.strip()] for r in rows[1:]]
    norm = records(read_export(path))
    assert norm.records["family_id"].tolist() == [min(m) if m else None for m in members]
    sized = norm.records.loc[norm.records["family_id"].notna(), "family_size"].tolist()
    assert sized == [len(m) for m in members if m]
    assert sum(bool(m) for m in members) > 0.9 * len(members)


def _write_xlsx(path, rows):
    wb = openpyxl.Workbook()
    for r in rows:
        wb.active.append(r)
    wb.save(path)


INCOPAT_HEADER = ["序号", "标题 (中文)", "申请人", "公开（公告）号", "公开（公告）日", "申请号", "申请日", "专利类型",
                  "公开国别", "IPC主分类"]


def test_header_below_a_title_row_and_mixed_dates(tmp_path):
    path = tmp_path / "titled.xlsx"
    _write_xlsx(path, [["incoPat 导出 2023-05-01"], INCOPAT_HEADER,
                       [1, "激光雷达", "甲公司; 乙大学", "CN1234567A", "2020-01-01", "CN2019100001.1", 43466, "发明申请",
                        "中国", "G01S17/93"],
                       [2, "车辆", "丙公司", "CN7654321U", "2020-01-01", "CN2019200002.2", "2019.03.04", "实用新型",
                        "中国", "B60W30/09"]])
    norm = records(read_export(path))
    assert norm.rejects.empty
    assert norm.records["row"].tolist() == [3, 4]  # the row numbers a person sees in Excel
    assert [d.isoformat() for d in norm.records["app_date"]] == ["2019-01-01", "2019-03-04"]
    assert norm.records["applicants"].tolist() == [["甲公司", "乙大学"], ["丙公司"]]
    assert norm.records["type"].tolist() == ["invention", "utility"]


def test_gb18030_csv_is_decoded(tmp_path):
    src = CSV[0].read_text(encoding="utf-8-sig").splitlines()
    path = tmp_path / "gbk.csv"
    path.write_bytes("\n".join(src[:6]).encode("gb18030"))
    assert len(records(read_export(path)).records) == 5


def test_uneven_rows_and_gb18030_read_like_the_fast_path(tmp_path):
    """The Arrow reader refuses rows of uneven width; GB18030 files are transcoded. Both must give the
    same records as a clean UTF-8 file does."""
    src = CSV[0].read_text(encoding="utf-8-sig").splitlines()
    clean = tmp_path / "clean.csv"
    clean.write_text("\n".join(src[:40]), encoding="utf-8")
    ragged = tmp_path / "ragged.csv"
    ragged.write_text("\n".join(src[:20] + [src[20].rstrip(",")] + src[21:40]), encoding="utf-8")
    gbk = tmp_path / "gbk.csv"
    gbk.write_bytes("\n".join(src[:40]).encode("gb18030"))
    want = records(read_export(clean)).records.drop(columns="source")
    for path in (ragged, gbk):
        got = records(read_export(path)).records.drop(columns="source")
        pd.testing.assert_frame_equal(got, want)


def test_unknown_layout_names_file_headers_and_closest_profile(tmp_path):
    path = tmp_path / "other.csv"
    path.write_text("公开号,标题,申请日期\nCN1A,x,20200101\n", encoding="utf-8")
    with pytest.raises(IngestError, match=r"file other.csv, row 1: unknown export layout; headers seen: "
                                          r"\['公开号', '标题', '申请日期'\]\. Closest profile: \w+ .* needs"):
        read_export(path)


def test_bad_rows_are_rejected_with_file_row_column_and_reason(tmp_path):
    path = tmp_path / "bad.xlsx"
    _write_xlsx(path, [INCOPAT_HEADER,
                       [1, "ok", "甲公司", "CN1234567A", "2020-01-01", "CN1", "2019-01-01", "发明申请", "中国", "G01S17/93"],
                       [2, "no number", "甲公司", None, "2020-01-01", "CN2", "2019-01-01", "发明申请", "中国", "G01S17/93"],
                       [3, "bad date", "甲公司", "CN2234567A", "2020-01-01", "CN3", "2019-13-45", "发明申请", "中国", "G01S17/93"],
                       [None] * len(INCOPAT_HEADER),
                       [5, "bad number", "甲公司", "12345", "2020-01-01", "CN5", "2019-01-01", "发明申请", "中国", "G01S17/93"]])
    norm = records(read_export(path))
    assert norm.records["id"].tolist() == ["CN1234567A"]
    got = norm.rejects.set_index("row")[["column", "reason"]].to_dict("index")
    assert got[3] == {"column": "公开（公告）号", "reason": "no publication number; every patent needs one"}
    assert got[4]["column"] == "申请日" and "date is not" in got[4]["reason"]
    assert got[5]["reason"] == "empty row"
    assert got[6]["reason"].startswith("publication number is not office + number + kind")
    assert len(norm.records) + len(norm.rejects) == 5


@pytest.fixture(scope="module")
def sample_ingest():
    return ingest_files(SAMPLES, [load_chain("icv")])


def test_every_row_is_accounted_for(sample_ingest):
    """rows_in, rejected, loaded and merged per file and in total, against the ledger recomputed from the
    files with csv/openpyxl and a union–find over publication and application numbers."""
    book = expected_ingest.ledger(SAMPLES)
    rep = sample_ingest.report
    assert sum(book.rows_in.values()) == rep["total"]["rows_in"] == 4550
    for f in rep["files"]:
        assert f["rows_in"] == book.rows_in[f["name"]], f["name"]
        assert f["rejected"] == len(book.rejected[f["name"]]), f["name"]
        assert f["loaded"] + f["merged"] == f["rows_in"] - f["rejected"], f["name"]
    assert (rep["total"]["loaded"], rep["total"]["merged"]) == (book.loaded, book.merged)
    assert len(sample_ingest.records) == rep["patents"] == book.loaded
    assert sorted(zip(sample_ingest.rejects["file"], sample_ingest.rejects["row"].astype(int))) == sorted(
        (name, row) for name, rows in book.rejected.items() for row in rows)
    expected_ingest.check_merged(sample_ingest.merged, book)


def test_duplicates_merge_into_the_richest_row_whatever_the_file_order(tmp_path):
    a, b = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    _write_xlsx(a, [INCOPAT_HEADER, [1, "标题A", "甲公司", "CN1234567A", None, "CN1", "2019-01-01", "发明申请", "中国", None]])
    _write_xlsx(b, [INCOPAT_HEADER, [1, "标题B", "乙公司", "CN 1234567 A", "2020-02-02", "CN1", "2019-01-01", "发明申请",
                                     "中国", "G01S17/93"]])
    for order in ([a, b], [b, a]):
        result = ingest_files(order, [])
        rec = result.records.iloc[0]
        assert len(result.records) == 1 and rec["title"] == "标题B" and rec["ipc_main"] == "G01S17/93"
        assert rec["pub_date"].isoformat() == "2020-02-02" and rec["source"] == "b.xlsx"
        assert result.merged.to_dict("records") == [{"file": "a.xlsx", "row": 2, "id": "CN1234567A",
                                                     "into_file": "b.xlsx", "into_row": 2, "into_id": "CN1234567A",
                                                     "reason": "same publication"}]
        assert result.report["total"] == {"rows_in": 2, "loaded": 1, "merged": 1, "rejected": 0}


def test_a_duplicate_fills_the_gaps_of_the_kept_row(tmp_path):
    a, b = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    _write_xlsx(a, [INCOPAT_HEADER, [1, "标题A", "甲公司", "CN1234567A", "2020-02-02", "CN1", "2019-01-01", "发明申请",
                                     "中国", None]])
    _write_xlsx(b, [INCOPAT_HEADER, [1, None, None, "CN1234567A", None, "CN1", "2019-01-01", "发明申请", "中国",
                                     "G01S17/93"]])
    rec = ingest_files([b, a], []).records.iloc[0]
    assert rec["source"] == "a.xlsx" and rec["title"] == "标题A" and rec["ipc_main"] == "G01S17/93"


def test_kind_codes_of_one_application_merge(tmp_path):
    a = tmp_path / "a.xlsx"
    _write_xlsx(a, [INCOPAT_HEADER,
                    [1, "申请公开", "甲公司", "CN110298449A", "2019-10-01", "CN201910593937.7", "2019-07-03", "发明申请", "中国", "G06N20/00"],
                    [2, "授权", "甲公司", "CN110298449B", "2021-05-01", "CN 201910593937.7", "2019-07-03", "发明授权", "中国", "G06N20/00"],
                    [3, "另一件", "乙公司", "CN110298450A", "2019-10-01", "CN201910593938.1", "2019-07-03", "发明申请", "中国", "G06N20/00"]])
    result = ingest_files([a], [])
    # the grant (latest publication, fields alike) represents the application
    assert sorted(result.records["id"]) == ["CN110298449B", "CN110298450A"]
    assert result.merged[["id", "into_id", "reason"]].values.tolist() == [["CN110298449A", "CN110298449B",
                                                                          "same application"]]
    assert result.report["total"] == {"rows_in": 3, "loaded": 2, "merged": 1, "rejected": 0}


def test_reingest_is_idempotent_and_the_ledger_does_not_double_count(tmp_path):
    db = tmp_path / "db"
    files = CSV[:2]
    with EmbeddedStore(db) as store:
        first = ingest(store, db, files, ["icv"], report_path=tmp_path / "r.json")
        counts = store.run("MATCH (p:Patent)-[r]->(x) RETURN count(r) AS rels, count(DISTINCT p.id) AS patents")
        second = ingest(store, db, files, ["icv"])
        again = store.run("MATCH (p:Patent)-[r]->(x) RETURN count(r) AS rels, count(DISTINCT p.id) AS patents")
    assert counts.equals(again)
    assert first["graph"]["Patent"]["created"] == first["total"]["loaded"]
    assert second["graph"]["Patent"] == {"created": 0, "updated": 0, "removed": 0}  # nothing changed, nothing written
    ledger = json.loads((db / "ingest.json").read_text())
    assert ledger["total"] == first["total"]
    assert json.loads((tmp_path / "r.json").read_text())["total"] == first["total"]
    rejects = pd.read_csv(db / "rejects.csv", encoding="utf-8-sig")
    assert len(rejects) == first["total"]["rejected"]


def test_merging_does_not_depend_on_the_order_of_the_files():
    """The bundled sample (8 files, 91 merges across and within files) in three orders: the same records,
    field by field, and the same merged rows."""
    import random
    orders = [SAMPLES, SAMPLES[::-1], random.Random(11).sample(SAMPLES, len(SAMPLES))]
    assert len({tuple(o) for o in orders}) == 3
    results = [ingest_files(order, []) for order in orders]
    first = results[0]
    assert len(first.merged) == 91 and first.merged["file"].nunique() > 3
    key = lambda f: f.sort_values(["id"]).reset_index(drop=True).astype(str)  # noqa: E731
    for other in results[1:]:
        pd.testing.assert_frame_equal(key(other.records), key(first.records))
        m = lambda f: f.sort_values(["file", "row"]).reset_index(drop=True)  # noqa: E731
        pd.testing.assert_frame_equal(m(other.merged), m(first.merged))
        for name, frame in first.frames.items():  # and the same graph: names too (not "the first mention")
            pd.testing.assert_frame_equal(sorted_frame(other.frames[name]), sorted_frame(frame), obj=name)


def test_the_graph_does_not_depend_on_the_order_of_the_records():
    """Applicants and inventors are named by their most frequent spelling, not their first mention:
    the records in another order (Spark's partitions give one) make the same graph."""
    from ingest.frames import graph_frames
    result = ingest_files(SAMPLES, [])
    shuffled = result.records.sample(frac=1, random_state=5).reset_index(drop=True)
    first, other = graph_frames(result.records), graph_frames(shuffled)
    assert first["Applicant"]["id"].nunique() > 1000
    for name, frame in first.items():
        pd.testing.assert_frame_equal(sorted_frame(other[name]), sorted_frame(frame), obj=name)


def sorted_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` in an order that does not depend on the order its rows were made in."""
    keys = [c for c in ("id", "from", "to", "rule") if c in frame.columns] or list(frame.columns)
    return frame.sort_values(keys, kind="stable").reset_index(drop=True)


def test_an_xls_export_reads_like_its_xlsx(tmp_path):
    """The same real Patentics rows (a title row above the header) saved as legacy .xls (xlwt) give the
    same records as the .xlsx they came from."""
    import xlwt
    source = Path(__file__).parent / "data" / "formats" / "patentics-xlsx" / "title-row.xlsx"
    rows = list(openpyxl.load_workbook(source, read_only=True).active.iter_rows(values_only=True))
    book = xlwt.Workbook()
    sheet = book.add_sheet("Patentics")
    for i, row in enumerate(rows):
        for j, value in enumerate(row):
            if value is not None:
                sheet.write(i, j, value if not hasattr(value, "isoformat") else value.isoformat())
    xls = tmp_path / "title-row.xls"
    book.save(str(xls))
    want = records(read_export(source)).records.drop(columns="source")
    got = records(read_export(xls))
    assert got.rejects.empty and len(got.records) == 2
    pd.testing.assert_frame_equal(got.records.drop(columns="source"), want)


def test_an_export_with_only_the_application_year_counts_by_it(tmp_path):
    """Re-saved headers lose punctuation (公开公告号) and some exports carry 申请年 instead of 申请日."""
    path = tmp_path / "resaved.xlsx"
    _write_xlsx(path, [["序号", "标题", "申请人", "公开公告号", "公开公告日", "申请号", "申请年", "最早优先权日", "公开国别"],
                       [1, "激光雷达", "甲公司", "CN1234567A", "2021-01-05", "CN201910000001.1", "2019年", None, "中国"],
                       [2, "车辆", "乙公司", "CN7654321A", "2021-02-05", "CN202010000002.2", 2020, "2018-06-01", "中国"]])
    norm = records(read_export(path))
    assert norm.rejects.empty
    got = norm.records[["id", "app_year", "priority_date", "year", "year_basis"]].astype(object).values.tolist()
    import datetime as dt
    assert got == [["CN1234567A", 2019, None, 2019, "application"],
                   ["CN7654321A", 2020, dt.date(2018, 6, 1), 2018, "priority"]]


def test_two_pct_applications_of_one_number_at_different_offices_stay_apart(tmp_path):
    """Application numbers are unique only within their receiving office: PCT/RO95/00001 and PCT/KZ95/00001
    (written by Lens as "RO 9500001 W" and "KZ 9500001 W") are two applications, two patents."""
    source = Path(__file__).parent / "data" / "formats" / "lens" / "lens-3.csv"
    header, row = source.read_text(encoding="utf-8").splitlines()[:2]
    cells = next(csv.reader([row]))
    names = next(csv.reader([header]))
    out = []
    for pub, app, lens_id in (("WO 1995/024959 A1", "RO 9500001 W", "111-111-111-111-111"),
                              ("WO 1996/038691 A1", "KZ 9500001 W", "222-222-222-222-222")):
        r = dict(zip(names, cells))
        r.update({"Jurisdiction": "WO", "Kind": "A1", "Display Key": pub, "Application Number": app, "Lens ID": lens_id,
                  "Simple Family Members": lens_id})
        out.append(r)
    path = tmp_path / "lens-wo.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=names)
        w.writeheader()
        w.writerows(out)
    result = ingest_files([path], [])
    assert sorted(result.records["id"]) == ["WO1995024959A1", "WO1996038691A1"] and result.merged.empty


def test_a_thinly_filled_field_is_a_loud_warning(tmp_path):
    """A file whose year, applicant, title or classification fills under half its rows says so, naming
    the field and the columns PatNav looked for — in the report and on the terminal."""
    from typer.testing import CliRunner
    from api.cli import app
    path = tmp_path / "no-ipc.xlsx"
    _write_xlsx(path, [["序号", "申请人", "公开（公告）号", "申请号", "申请日", "公开国别"],
                       [1, "甲公司", "CN1234567A", "CN201910000001.1", "2019-01-01", "中国"],
                       [2, "乙公司", "CN7654321A", "CN202010000002.2", "2020-01-01", "中国"]])
    report = ingest_files([path], []).report
    fields = {w.split(": ")[1].split(" ")[0] for w in report["warnings"]}
    assert fields == {"title", "classification"}
    assert any("IPC主分类" in w and "no column found" in w for w in report["warnings"])
    result = CliRunner().invoke(app, ["ingest", str(path), "--db", str(tmp_path / "db")])
    assert result.exit_code == 0 and "warning" in result.output and "title is filled for only 0%" in result.output


def test_implausible_dates_are_rejected_and_bad_numbers_counted(tmp_path):
    """9999-12-31 and 1700-01-01 are dates no patent has: the row is rejected with the reason (it used to
    sink the whole file); counts that are no whole number are left empty and counted per column."""
    path = tmp_path / "odd.xlsx"
    header = INCOPAT_HEADER + ["权利要求数量"]
    _write_xlsx(path, [header,
                       [1, "a", "甲公司", "CN1234567A", "2020-01-01", "CN1", "9999-12-31", "发明申请", "中国", "G01S17/93", 5],
                       [2, "b", "甲公司", "CN2234567A", "2020-01-01", "CN2", "1700-01-01", "发明申请", "中国", "G01S17/93", 5],
                       [3, "c", "甲公司", "CN3234567A", "2020-01-01", "CN3", "2019-01-01", "发明申请", "中国", "G01S17/93", "abc"],
                       [4, "d", "甲公司", "CN4234567A", "2020-01-01", "CN4", "2019-01-01", "发明申请", "中国", "G01S17/93", -5],
                       [5, "e", "甲公司", "CN5234567A", "2020-01-01", "CN5", "2019-01-01", "发明申请", "中国", "G01S17/93", 3.7]])
    result = ingest_files([path], [])
    reasons = result.rejects.set_index("row")["reason"].to_dict()
    assert sorted(reasons) == [2, 3] and all(r.startswith("implausible date") for r in reasons.values())
    assert result.records["claims"].isna().all()
    assert result.report["files"][0]["quality"]["invalid_numbers"] == {"权利要求数量": 3}


@pytest.mark.corpus
def test_two_grants_exported_with_one_application_number_stay_two():
    """Lyft's two grants "Ride chaining" (US10446038B2, US10482771B2) come with one application number in the
    Patentics export: an application has one grant, so the number is the export's error and nothing merges."""
    path = Path(__file__).resolve().parents[2] / "shared" / "data" / "exports" / "patentics" / "LYFT_全球433.csv"
    if not path.exists():
        pytest.skip("../shared/data is absent")
    ids = set(ingest_files([path], []).records["id"])
    assert {"US10446038B2", "US10482771B2"} <= ids
