"""Bad files end with a message, never a traceback: a fixed-seed sample of the malformed variants
(tests/fuzz.py; `python bench/fuzz.py` runs all of them)."""

from __future__ import annotations

import warnings

import pytest

from fuzz import check, formula_cells, variants

SAMPLE = variants(seed=7, n=36)


def test_the_generator_makes_enough_variants():
    every = variants(seed=7)
    assert len(every) >= 300 and len({v.name for v in every}) == len(every)
    assert {v.suffix for v in every} >= {".csv", ".xlsx", ".xml", ".sql", ".txt", ".xls"}


@pytest.mark.parametrize("variant", SAMPLE, ids=lambda v: v.name)
def test_a_malformed_file_is_met_with_a_message(variant, tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert check(variant, tmp_path) == []


def test_formula_like_values_are_written_as_text(tmp_path):
    """A rejected cell that would run as a formula (=HYPERLINK …) is kept in rejects.csv, as text."""
    import csv
    from typer.testing import CliRunner

    from api.cli import app
    src = (variants.__globals__["FIXTURES"][0]).read_text(encoding="utf-8-sig").splitlines()
    bad = tmp_path / "formula.csv"
    bad.write_text("\n".join([src[0], '=HYPERLINK("http://x"),' + src[1].split(",", 1)[1], src[2]]) + "\n",
                   encoding="utf-8")
    result = CliRunner().invoke(app, ["ingest", str(bad), "--db", str(tmp_path / "db")])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader((tmp_path / "db" / "rejects.csv").open(encoding="utf-8-sig")))
    assert [r["value"] for r in rows] == ["'=HYPERLINK(\"http://x\")"] and formula_cells(tmp_path / "db") == []
