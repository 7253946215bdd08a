"""Nothing is lost, per format, on both engines: hand-counted ledgers, the rejects and merged files, and a
second ingest that changes no count.

Each format fixture (tests/data/formats) and the bundled sample go through ``workflow.ingest`` — the
call behind `patnav ingest` — into an empty store of each engine. The expected numbers were counted by
reading the files: rows (records) in, rows rejected and why, rows that are the same application as
another. The sample's groups are recomputed from its files by tests/expected_ingest.py.
"""

from __future__ import annotations

import json
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
    "derwent/derwent-cn.xls": (6, 6, 0, 0, [], []),
    # three exchange-documents: EP2400812A1, and EP2533477A1 / B1 of application EP11169280 (the grant stays)
    "epo-ops/biblio-3.xml": (3, 2, 1, 0, [("biblio-3.xml", 2, "EP2533477A1", "biblio-3.xml", 3, "EP2533477B1",
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
SAMPLE_LEDGER = (4550, 4455, 91, 4, None, [("CRUISE全球500-sample.csv", row, "授权公告日", "1") for row in range(54, 58)])


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
    assert found | {"patentsview"} == set(LEDGERS) and len(LEDGERS) == 15


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


def graph_dump(store) -> dict[str, list]:
    """Every node with every declared property, every relationship with its ends and properties, sorted."""
    vocab = vocabulary()
    out = {}
    for label, node in vocab.nodes.items():
        props = [p.name for p in node.properties if p.name != "id"]
        cols = ", ".join(["n.id AS id"] + [f"n.`{p}` AS `{p}`" for p in props])
        rows = store.run(f"MATCH (n:{label}) RETURN {cols}")
        out[label] = sorted(map(repr, rows.astype(object).where(rows.notna(), None).values.tolist()))
    for name, rel in vocab.relationships.items():
        props = [p.name for p in rel.properties]
        for a, b in rel.endpoints:
            cols = ", ".join(["x.id AS f", "y.id AS t"] + [f"r.`{p}` AS `{p}`" for p in props])
            rows = store.run(f"MATCH (x:{a})-[r:{name}]->(y:{b}) RETURN {cols}")
            out[f"{a}-{name}-{b}"] = sorted(map(repr, rows.astype(object).where(rows.notna(), None).values.tolist()))
    return out


@pytest.fixture(scope="module")
def halves(tmp_path_factory):
    """Two real Patentics exports split into two overlapping halves each: odd rows and the first 40 even
    rows in part 1, even rows in part 2 — so A and B publications of one application, and repeated
    rows, fall into different runs."""
    folder = tmp_path_factory.mktemp("halves")
    sources = [p for p in demo_files("icv") if p.name.startswith(("CRUISE", "LYFT"))]
    one, two = [], []
    for path in sources:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
        header, rows = lines[0], lines[1:]
        odd, even = rows[1::2], rows[0::2]
        for part, chosen in ((one, odd + even[:40]), (two, even)):
            out = folder / f"{path.stem}-{len(part) + 1}-{'a' if part is one else 'b'}.csv"
            out.write_text("\n".join([header] + chosen) + "\n", encoding="utf-8")
            part.append(out)
    return one, two


def test_two_runs_give_the_graph_of_one_run(make_store, tmp_path, halves):
    """`ingest a; ingest b` = `ingest a b`: every node, property and relationship, and the ledger totals."""
    one, two = halves
    with make_store() as single:
        together = workflow.ingest(single, tmp_path / "one", one + two, ["icv"])
        want = graph_dump(single)
    with make_store() as split:
        workflow.ingest(split, tmp_path / "two", one, ["icv"])
        second = workflow.ingest(split, tmp_path / "two", two, ["icv"])
        got = graph_dump(split)
        ledger = json.loads((tmp_path / "two" / LEDGER).read_text(encoding="utf-8"))
    assert got.keys() == want.keys()
    for name in want:
        assert got[name] == want[name], name
    assert ledger["total"] == together["total"] and len(got["Patent"]) == together["patents"]
    assert all(f["balanced"] for f in ledger["files"])
    assert second["graph"]["Patent"]["removed"] > 0  # A publications replaced by the grants of part 2
    merged = pd.read_csv(tmp_path / "two" / "merged.csv", dtype=str, encoding="utf-8-sig")
    assert (merged["file"].str.endswith("-a.csv") & merged["into_file"].str.endswith("-b.csv")).any()
    assert (merged["file"].str.endswith("-b.csv") & merged["into_file"].str.endswith("-a.csv")).any()


def test_a_killed_ingest_marks_the_graph_incomplete_until_a_rerun(make_store, tmp_path, halves, monkeypatch):
    """An ingest that dies while loading leaves a marker: `query`, `analyze` and the API say the graph is
    incomplete; the rerun completes it to exactly the graph of an uninterrupted run."""
    one, two = halves
    with make_store() as clean:
        workflow.ingest(clean, tmp_path / "clean", one + two, ["icv"])
        want = graph_dump(clean)
    with make_store() as store:
        workflow.ingest(store, tmp_path / "s", one, ["icv"])
        cls = type(store)
        original, calls = cls.load_rels, []

        def dies(self, *args, **kwargs):
            calls.append(args[0])
            if len(calls) == 3:
                raise KeyboardInterrupt("killed")
            return original(self, *args, **kwargs)
        monkeypatch.setattr(cls, "load_rels", dies)
        with pytest.raises(KeyboardInterrupt):
            workflow.ingest(store, tmp_path / "s", two, ["icv"])
        monkeypatch.setattr(cls, "load_rels", original)
        warning = workflow.incomplete(tmp_path / "s")
        assert warning and "incomplete" in warning and two[0].name in warning
        workflow.ingest(store, tmp_path / "s", two, ["icv"])
        assert workflow.incomplete(tmp_path / "s") is None
        assert graph_dump(store) == want


def test_query_analyze_and_serve_say_the_graph_is_incomplete(tmp_path, halves):
    from fastapi.testclient import TestClient
    from typer.testing import CliRunner

    from api.app import create_app
    from api.cli import app
    from api.settings import Settings
    from ingest.state import IngestState
    runner = CliRunner()
    db = tmp_path / "db"
    assert runner.invoke(app, ["ingest", *map(str, halves[0]), "--db", str(db)]).exit_code == 0
    IngestState(db).begin({}, [halves[1][0].name])  # what a killed run leaves behind
    query = runner.invoke(app, ["query", "--db", str(db), "MATCH (p:Patent) RETURN count(p) AS n"])
    assert query.exit_code == 0 and "incomplete" in query.output and halves[1][0].name in query.output
    out = tmp_path / "out"
    analyze = runner.invoke(app, ["analyze", "--db", str(db), "--out", str(out)])
    assert analyze.exit_code == 0 and "incomplete" in analyze.output
    assert any("incomplete" in w for w in json.loads((out / "run.json").read_text(encoding="utf-8"))["warnings"])
    with TestClient(create_app(Settings.from_env(), db=db)) as client:
        health = client.get("/health").json()
    assert health["complete"] is False and "incomplete" in health["warning"]
