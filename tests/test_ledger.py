"""Nothing is lost, per format, on both engines: hand-counted ledgers, the rejects and merged files, and a
second ingest that changes no count.

Each format fixture (tests/data/formats) and the bundled sample go through ``workflow.ingest`` — the
call behind `patnav ingest` — into an empty store of each engine. The expected numbers were counted by
reading the files: rows (records) in, rows rejected and why, rows that are the same application as
another. The sample's groups are recomputed from its files by tests/expected_ingest.py.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import expected_ingest
from api import workflow
from api.workflow import demo_files
from ingest.report import LEDGER
from ontology.vocab import vocabulary

FORMATS = Path(__file__).parent / "data" / "formats"
MERGED_COLUMNS = ["file", "row", "id", "into_file", "into_row", "into_id", "reason"]

#: fixture → (rows_in, loaded, merged, rejected, merged.csv rows, rejects.csv rows as (file, row, column, value))
LEDGERS = {
    # three exchange-documents: EP2400812A1, and EP2533477A1 / B1 of application EP11169280
    "epo-ops/biblio-3.xml": (3, 2, 1, 0, [("biblio-3.xml", 3, "EP2533477B1", "biblio-3.xml", 2, "EP2533477A1",
                                           "same application")], []),
    "lens/lens-3.csv": (3, 3, 0, 0, [], []),
    "patentics-xlsx/address.xlsx": (2, 2, 0, 0, [], []),
    "patentics-xlsx/patentics-header.xlsx": (2, 2, 0, 0, [], []),
    "patentics-xlsx/title-row.xlsx": (2, 2, 0, 0, [], []),
    "patsnap/patsnap-1.xlsx": (1, 1, 0, 0, [], []),
    "sql/cnipa-3.sql": (3, 3, 0, 0, [], []),
    "uspto/application-2004.xml": (1, 1, 0, 0, [], []),
    "uspto/aps-1976.greenbook": (1, 1, 0, 0, [], []),
    "uspto/brs-2.txt": (2, 2, 0, 0, [], []),
    "uspto/pap-2001.xml": (1, 1, 0, 0, [], []),
    "uspto/st32-grant.xml": (1, 1, 0, 0, [], []),
    "uspto/weekly-2-grants.xml": (2, 2, 0, 0, [], []),
    "patentsview": (3, 3, 0, 0, [], []),
}
#: the bundled sample: 8 files, 4,550 data rows; CRUISE rows 54–57 carry 授权公告日 "1"
SAMPLE_LEDGER = (4550, 4459, 87, 4, None, [("CRUISE全球500-sample.csv", row, "授权公告日", "1") for row in range(54, 58)])


def graph_counts(store) -> dict[str, int]:
    """Nodes per label and relationships per type (each endpoint pair apart)."""
    vocab = vocabulary()
    counts = {label: int(store.run(f"MATCH (n:{label}) RETURN count(n) AS n")["n"][0]) for label in vocab.nodes}
    for name, rel in vocab.relationships.items():
        for a, b in rel.endpoints:
            counts[f"{a}-{name}-{b}"] = int(store.run(f"MATCH (:{a})-[r:{name}]->(:{b}) RETURN count(r) AS n")["n"][0])
    return counts


def _files(state: Path) -> tuple[str, str, str]:
    return tuple((state / name).read_text(encoding="utf-8-sig") for name in (LEDGER, "merged.csv", "rejects.csv"))


def test_every_fixture_has_a_ledger():
    found = {p.relative_to(FORMATS).as_posix() for p in FORMATS.glob("*/*") if p.parent.name != "patentsview"}
    assert found | {"patentsview"} == set(LEDGERS) and len(LEDGERS) == 14


@pytest.mark.parametrize("case", sorted(LEDGERS) + ["samples"])
def test_ingest_ledger_is_hand_counted_and_stable(make_store, tmp_path, case):
    paths = demo_files("icv") if case == "samples" else [FORMATS / case]
    rows_in, loaded, merged, rejected, merged_rows, reject_rows = SAMPLE_LEDGER if case == "samples" else LEDGERS[case]
    state = tmp_path / "state"
    with make_store() as store:
        report = workflow.ingest(store, state, paths, ["icv"])
        assert report["total"] == {"rows_in": rows_in, "loaded": loaded, "merged": merged, "rejected": rejected}
        assert all(f["balanced"] for f in report["files"])
        got_merged = pd.read_csv(state / "merged.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
        got_rejects = pd.read_csv(state / "rejects.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
        assert list(got_merged.columns) == MERGED_COLUMNS and len(got_merged) == merged
        if merged_rows is not None:
            assert sorted(map(tuple, got_merged.values.tolist())) == sorted(tuple(map(str, r)) for r in merged_rows)
        else:
            book = expected_ingest.ledger(paths)
            assert (book.loaded, book.merged) == (loaded, merged)
            expected_ingest.check_merged(got_merged, book)
        assert sorted(map(tuple, got_rejects[["file", "row", "column", "value"]].values.tolist())) == \
            sorted(tuple(map(str, r)) for r in reject_rows)
        assert got_rejects["reason"].str.len().gt(10).all()
        counts = graph_counts(store)
        assert counts["Patent"] == loaded
        before = _files(state)
        again = workflow.ingest(store, state, paths, ["icv"])
        assert graph_counts(store) == counts
        assert again["total"] == report["total"] and _files(state) == before
