"""The Patentics reader and graph frames, against an independent parse with the csv module."""

import csv

import pytest

from ingest.frames import graph_frames, read_patentics_csv
from ontology.errors import IngestError


def _raw_rows(path):
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def test_reader_keeps_every_row_and_value(sample_csv, sample_records):
    raw = _raw_rows(sample_csv)
    assert len(sample_records) == len(raw) == 480
    assert sample_records["id"].tolist() == [r["公开号"].strip().upper() for r in raw]
    n_app = sum(len([v for v in r["申请人"].split(" | ") if v.strip()]) for r in raw)
    assert sample_records["applicants"].map(len).sum() == n_app
    first = sample_records.iloc[0]
    assert first["app_date"].strftime("%Y%m%d") == raw[0]["申请日"]
    assert first["ipcs"][0] == raw[0]["国际分类"].split(" | ")[0].replace(" ", "")


def test_frames_link_every_patent(sample_records, sample_frames):
    f = sample_frames
    assert len(f["Patent"]) == len(sample_records)
    assert set(f["APPLIED_BY"]["from"]) <= set(f["Patent"]["id"])
    assert set(f["APPLIED_BY"]["to"]) == set(f["Applicant"]["id"])
    assert f["CLASSIFIED_AS"].groupby("from")["main"].sum().eq(1).all()  # one main IPC per patent
    assert f["Patent"]["app_year"].between(1990, 2030).all()


def test_bad_date_rejects_the_row_naming_row_and_column(sample_csv, tmp_path):
    text = sample_csv.read_text(encoding="utf-8-sig").splitlines()
    header, row = text[0], next(line for line in text[1:] if line.startswith('"US') or line.startswith("US"))
    bad = row.replace(row.split(",")[3], "2021-13-45", 1)
    path = tmp_path / "bad.csv"
    path.write_text(header + "\n" + bad + "\n" + row + "\n", encoding="utf-8")
    records, rejects = read_patentics_csv(path)
    assert len(records) == 1 and len(rejects) == 1  # rows in = loaded + rejected
    assert rejects.iloc[0].to_dict() == {"file": "bad.csv", "row": 2, "column": "申请日", "value": "2021-13-45",
                                         "reason": "date '2021-13-45' in column 申请日 is not YYYYMMDD"}


def test_unreadable_layout_is_an_error_naming_the_file(tmp_path):
    path = tmp_path / "other.csv"
    path.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(IngestError, match=r"file .*other.csv: columns \['公开号'"):
        read_patentics_csv(path)


def test_duplicates_are_refused_before_the_graph(sample_records):
    with pytest.raises(IngestError, match="occurs twice"):
        graph_frames(sample_records.iloc[[0, 0]])
