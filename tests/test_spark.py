"""`patnav ingest --spark`: the single-machine ingest's pure functions on Apache Spark (local mode here)
give the same records, merged rows, rejects, tags, graph frames and report as the single-machine path."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from ingest.pipeline import ingest_files
from ingest.state import read_frame
from ontology.chains import load_chain
from ontology.errors import IngestError

from test_ingest import SAMPLES, sorted_frame

pyspark = pytest.importorskip("pyspark", reason="pip install 'patnav[spark]'")


def assert_same_ingest(spark_run, single):
    key = lambda f, by: f.sort_values(by, kind="stable").reset_index(drop=True)  # noqa: E731
    pd.testing.assert_frame_equal(key(spark_run.records, ["id"]), key(single.records, ["id"]))
    pd.testing.assert_frame_equal(key(spark_run.merged, ["file", "row"]), key(single.merged, ["file", "row"]))
    pd.testing.assert_frame_equal(spark_run.rows, single.rows)
    pd.testing.assert_frame_equal(spark_run.rejects, single.rejects)
    pd.testing.assert_frame_equal(key(spark_run.denoised, ["scheme", "id"]), key(single.denoised, ["scheme", "id"]))
    assert spark_run.frames.keys() == single.frames.keys()
    for name, frame in single.frames.items():
        pd.testing.assert_frame_equal(sorted_frame(spark_run.frames[name]), sorted_frame(frame), obj=name)
    assert json.dumps(spark_run.report, default=str, sort_keys=True) == json.dumps(single.report, default=str,
                                                                                  sort_keys=True)


@pytest.fixture(scope="module")
def spark():
    from ingest.spark import session
    s = session("local[2]", partitions=3)
    yield s
    s.stop()


def test_spark_with_earlier_runs_gives_the_single_machine_result(spark):
    """A second run onto the rows of a first (one file given again, so its rows are replaced), two chains:
    records, merged rows, tags, denoised patents, frames and report equal the single-machine path's."""
    from ingest.spark import ingest_spark
    chains = [load_chain("icv"), load_chain("sei-2021")]
    earlier = ingest_files(SAMPLES[:4], chains).rows
    again = SAMPLES[3:]
    steps = []
    # 8 partitions for ~4,000 rows: groups spread over many partitions
    spark_run = ingest_spark(again, chains, step=steps.append, previous=earlier, partitions=8, spark=spark)
    single = ingest_files(again, chains, previous=earlier)
    assert len(single.merged) > 50 and single.frames["IN_NODE"]["to"].nunique() > 10  # groups and tags to compare
    assert_same_ingest(spark_run, single)
    assert steps[:len(again)] == [f"read {Path(p).name}" for p in again]
    assert steps[len(again):] == ["deduplicated", "classified", "graph frames"]


def test_a_bad_export_on_spark_gives_the_analysts_error(spark, tmp_path):
    from ingest.spark import ingest_spark
    bad = tmp_path / "other.csv"
    bad.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(IngestError) as single:
        ingest_files([SAMPLES[0], bad], [])
    with pytest.raises(IngestError) as spread:
        ingest_spark([SAMPLES[0], bad], [], partitions=3, spark=spark)
    assert str(spread.value) == str(single.value) and "unknown export layout" in str(single.value)


def test_patnav_ingest_spark_writes_the_single_machine_graph_frames(demo_out, tmp_path):
    """The CLI with --spark local[2] (its own Spark session) on the demo sample: the Parquet frames and
    rows it keeps beside the graph, and its report, equal those `patnav demo` kept from the same files."""
    one, spread = demo_out / "db", tmp_path / "spark"
    run = subprocess.run([str(Path(sys.executable).parent / "patnav"), "ingest", *map(str, SAMPLES), "--db", str(spread),
                          "--spark", "local[2]", "--report", str(tmp_path / "spark.json")],
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-3000:]
    assert "Traceback" not in run.stderr
    # the rejects and merged files lie beside each graph: their paths differ by the folder alone
    reports = [json.loads(path.read_text().replace(str(db), "DB"))
               for path, db in ((demo_out / "ingest-report.json", one), (tmp_path / "spark.json", spread))]
    for r in reports:  # what the load changed: other tests ingest into the demo's graph again (0 created)
        r.pop("graph")
    assert reports[0]["total"]["merged"] > 50
    assert reports[1] == reports[0]
    frames = sorted(p.name for p in (one / "frames").glob("*.parquet"))
    assert len(frames) > 10 and frames == sorted(p.name for p in (spread / "frames").glob("*.parquet"))
    for name in frames + ["../rows.parquet"]:
        a, b = read_frame(one / "frames" / name), read_frame(spread / "frames" / name)
        pd.testing.assert_frame_equal(sorted_frame(b), sorted_frame(a), obj=name)
    # Spark's own chatter stays off the analyst's terminal (the JVM's one-line notice on its vector module stays)
    chatter = [line for line in run.stderr.splitlines() if "WARN" in line or "log4j" in line or "setLogLevel" in line]
    assert chatter == [line for line in chatter if "incubator" in line], run.stderr[:2000]


def test_a_failed_spark_job_is_one_clear_error(tmp_path):
    """Spark refusing to start (here: a driver too small for it) ends as one error line that says what to
    change, not a Python traceback."""
    import os
    run = subprocess.run([str(Path(sys.executable).parent / "patnav"), "ingest", str(SAMPLES[0]), "--db",
                          str(tmp_path / "db"), "--spark", "local[1]"], capture_output=True, text=True, timeout=300,
                         env={**os.environ, "PATNAV_SPARK_DRIVER_MEMORY": "100m"})
    assert run.returncode == 1
    assert "Traceback" not in run.stderr, run.stderr[-3000:]
    assert re.search(r"error: the Spark job on local\[1\] failed: .*PATNAV_SPARK_DRIVER_MEMORY, now 100m",
                     " ".join(run.stderr.split())), run.stderr[-3000:]


def test_partitions_without_merges_or_tags_leave_the_column_types_alone():
    """A partition with no merged row or no tag returns an empty frame without types; concatenated as it
    is, it turns the others' row numbers and scores into objects (pandas 3)."""
    from ingest.spark import _concat
    merged = pd.DataFrame({"file": ["a.csv"], "row": [2], "into_row": [5]})
    empty = pd.DataFrame(columns=["file", "row", "into_row"])
    assert pd.concat([merged, empty]).dtypes["row"] == object  # what the partitions' plain concat gave
    together = _concat([empty, merged, empty])
    pd.testing.assert_frame_equal(together, merged)
    assert _concat([empty, empty]).empty
