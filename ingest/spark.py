"""Ingest on Apache Spark: the single-machine path's pure functions, spread over a cluster's executors.

``patnav ingest --spark MASTER`` (``local[*]``, ``spark://host:7077``, ``yarn`` …) returns the same
:class:`ingest.pipeline.Ingested` as :func:`ingest.pipeline.ingest_files`, so everything after it (the
state's Parquet frames, the Neo4j bulk import of a first load, the ``UNWIND`` or ``COPY`` loads) is shared:

1. **read + normalise**, one task per export (``mapInArrow`` over the list of files):
   :func:`ingest.pipeline.read_one` on an executor; the rows travel in chunks of ``CHUNK_ROWS``;
2. **duplicate groups**: each row's publication number and application key (``dedup.application_key``,
   on the executors), then label propagation in Spark SQL until every row of a connected group carries
   the group's smallest row id (a few rounds: groups are a handful of rows);
3. **shuffle by group**: rows are split by the hash of their group, so every group lands whole in one
   partition, where :func:`ingest.dedup.deduplicate` and the chain tagging (:func:`ingest.pipeline.tag`)
   run as they do on one machine (``mapInArrow``);
4. the driver gathers the results and builds graph frames and the report (:func:`ingest.pipeline.assemble`).

Frames travel between stages as pickled pandas frames in Arrow binary cells: their dtypes (lists, dates,
nullable integers) arrive exactly as the pure functions made them. The executors need PatNav installed
(the same version as the driver) and read the export paths themselves, so give paths every executor sees
(a shared file system). How far this goes is in the README (*Scale*): the driver keeps every row (the
state's ``rows.parquet`` and the graph frames are built there).
"""

from __future__ import annotations

import os
import pickle
import sys
from pathlib import Path
from typing import Iterator, Sequence

import numpy as np
import pandas as pd
import pyarrow as pa

from ingest.dedup import Deduplicated, application_key, deduplicate
from ingest.pipeline import Ingested, Step, assemble, earlier_rows, read_one, tag
from ingest.profiles import Profile
from ontology.chains import Chain
from ontology.errors import IngestError

CHUNK_ROWS = 10_000          # rows per pickled chunk (~10 MB: small cells for the JVM's row buffers)
POSITION_BITS = 20           # a row id is (file << 40) | (chunk << 20) | position in its chunk
ENVELOPE = pa.schema([("n", pa.int64()), ("chunk", pa.int64()), ("kind", pa.string()), ("payload", pa.binary())])
ENVELOPE_DDL = "n long, chunk long, kind string, payload binary"


def session(master: str, partitions: int | None = None, driver_memory: str = "4g"):
    """A SparkSession on ``master``, with Java 17/21 found the way the Neo4j server finds it and the
    executors' Python set to this one (in local mode; a cluster's is its own configuration)."""
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise IngestError("--spark needs PySpark: pip install 'patnav[spark]' (or pip install 'pyspark>=4.0,<4.1')")
    from graph.neo4j_server import ServerError, find_java
    try:
        java = Path(find_java())
    except ServerError as e:
        raise IngestError(f"Spark: {e}".replace("Neo4j 5.26", "Spark 4"))
    os.environ.setdefault("JAVA_HOME", str(java.resolve().parent.parent))
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    builder = (SparkSession.builder.master(master).appName("patnav ingest")
               # the driver gathers every row (the state and the graph frames are built there)
               .config("spark.driver.memory", driver_memory)
               .config("spark.driver.maxResultSize", "0")
               .config("spark.ui.showConsoleProgress", "false")
               .config("spark.sql.shuffle.partitions", str(partitions or 8))
               .config("spark.sql.execution.arrow.maxRecordsPerBatch", "10000"))
    quiet = Path(__file__).parent / "data" / "spark-log4j2.properties"  # errors only on the analyst's terminal
    builder = builder.config("spark.driver.extraJavaOptions", f"-Dlog4j2.configurationFile={quiet.as_uri()}")
    if master.startswith("local"):
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
        builder = builder.config("spark.ui.enabled", "false").config("spark.driver.host", "127.0.0.1")
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def _batch(n: int, chunk: int, kind: str, obj) -> pa.RecordBatch:
    return pa.RecordBatch.from_pydict({"n": [n], "chunk": [chunk], "kind": [kind],
                                       "payload": [pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)]},
                                      schema=ENVELOPE)


def _chunks(n: int, frame: pd.DataFrame, kind: str) -> Iterator[pa.RecordBatch]:
    for c, start in enumerate(range(0, max(len(frame), 1), CHUNK_ROWS)):
        yield _batch(n, c, kind, frame.iloc[start:start + CHUNK_ROWS].reset_index(drop=True))


def _payloads(rows) -> list:
    return [pickle.loads(r["payload"]) for r in rows]


def _read(profile: Profile | None):
    """Executor side of step 1: each (n, path) → its file entry, rejected rows and row chunks."""
    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for batch in batches:
            for n, path in zip(batch.column("n").to_pylist(), batch.column("path").to_pylist()):
                try:
                    rows, rejected, file = read_one(Path(path), profile)
                except IngestError as e:  # the analyst's error, raised again on the driver as it is
                    yield _batch(n, 0, "error", e)
                    continue
                yield _batch(n, 0, "file", file)
                yield _batch(n, 0, "rejects", rejected)
                yield from _chunks(n, rows, "rows")
    return run


def _keys(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    """Executor side of step 2: (row id, publication number, application key) of every row of a chunk."""
    for batch in batches:
        for n, chunk, payload in zip(*(batch.column(c).to_pylist() for c in ("n", "chunk", "payload"))):
            rows = pickle.loads(payload)
            if not len(rows):
                continue
            base = (n << 40) | (chunk << POSITION_BITS)
            yield pa.RecordBatch.from_arrays(
                [pa.array(np.arange(len(rows), dtype=np.int64) + base),
                 pa.array(rows["id"].astype(object).to_numpy(), pa.string()),
                 pa.array(application_key(rows).to_numpy(dtype=object), pa.string(), from_pandas=True)],
                names=["uid", "id", "app"])


def _split(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    """Executor side of step 3: a chunk's rows cut by the bucket of their group."""
    for batch in batches:
        cols = {c: batch.column(c).to_pylist() for c in ("n", "payload", "pos", "bucket")}
        for n, payload, pos, bucket in zip(cols["n"], cols["payload"], cols["pos"], cols["bucket"]):
            rows = pickle.loads(payload)
            where = pd.Series(bucket, index=pos).sort_index()
            for b, idx in where.groupby(where, sort=True).groups.items():
                yield _batch(n, int(b), "part", rows.iloc[idx.to_numpy()])


def _dedup_tag(dtypes: pd.Series, columns: list[str], chains: Sequence[Chain]):
    """Executor side of step 3: whole groups in, their one record per patent, merged rows and tags out."""
    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        parts = [pickle.loads(p) for batch in batches for p in batch.column("payload").to_pylist()]
        if not parts:
            return
        rows = pd.concat(parts, ignore_index=True)[columns].astype(dtypes.to_dict())
        dedup = deduplicate(rows)
        in_node, noise = tag(dedup.records, chains)
        yield _batch(0, 0, "records", dedup.records)
        yield _batch(0, 0, "merged", dedup.merged)
        yield _batch(0, 0, "in_node", in_node)
        for i, frame in enumerate(noise):
            yield _batch(i, 0, "noise", frame)
    return run


def _groups(spark, keys):
    """(uid, label): the smallest uid of the rows connected to it through shared publication numbers or
    application keys — the same groups ``dedup._groups`` finds on one machine, by label propagation."""
    from pyspark.sql import functions as F
    label = keys.withColumn("label", F.col("uid")).localCheckpoint()
    while True:
        by_id = label.groupBy("id").agg(F.min("label").alias("l_id"))
        by_app = label.where(F.col("app").isNotNull()).groupBy("app").agg(F.min("label").alias("l_app"))
        new = (label.join(by_id, "id").join(by_app, "app", "left")
               .select("uid", "id", "app", "label",
                       F.least("label", "l_id", F.coalesce("l_app", "label")).alias("next")))
        new = new.localCheckpoint()
        if new.where(F.col("next") != F.col("label")).limit(1).count() == 0:
            return new.select("uid", F.col("label"))
        label = new.select("uid", "id", "app", F.col("next").alias("label"))


def ingest_spark(paths: Sequence[str | Path], chains: Sequence[Chain] = (), master: str = "local[*]",
                 step: Step | None = None, profile: Profile | None = None,
                 previous: pd.DataFrame | None = None, partitions: int | None = None, spark=None,
                 driver_memory: str = "4g") -> Ingested:
    """:func:`ingest.pipeline.ingest_files` on Spark ``master``: the same arguments, the same result.
    ``spark``: a running SparkSession to use (and leave running) instead of starting one on ``master``."""
    given = [str(p) for p in paths]
    paths = [Path(p).absolute() for p in paths]  # the executors' working folder is not the analyst's (a link keeps its name)
    own = spark is None
    try:
        spark = session(master, partitions, driver_memory) if own else spark
        return _run(spark, paths, given, chains, step, profile, previous, partitions)
    except Exception as e:
        if not _from_spark(e):
            raise
        first = next((line.strip() for line in str(e).splitlines() if line.strip()), type(e).__name__)
        raise IngestError(f"the Spark job on {master} failed: {first[:300]} — Spark's log above has the cause; "
                          f"when it says OutOfMemoryError, give the driver more memory (PATNAV_SPARK_DRIVER_MEMORY, "
                          f"now {driver_memory}) or the executors "
                          f"(spark.executor.memory in the cluster's configuration)") from None
    finally:
        if own and spark is not None:
            _stop(spark)


def _stop(spark) -> None:
    """Stop the session and its JVM: a stopped SparkContext leaves the JVM running (with its heap and
    cached blocks) until Python exits, and the graph load that follows needs those cores and that memory."""
    from pyspark import SparkContext
    spark.stop()
    gateway = SparkContext._gateway
    if gateway is None:
        return
    proc = getattr(gateway, "proc", None)
    gateway.shutdown()
    SparkContext._gateway, SparkContext._jvm = None, None
    if proc is not None:  # the JVM exits when its stdin closes (PySpark's gateway watches it)
        proc.stdin.close()
        try:
            proc.wait(timeout=30)
        except Exception:
            proc.kill()


def _from_spark(error: BaseException) -> bool:
    """Whether ``error`` is Spark's or its JVM bridge's (a failed job, a lost JVM), not PatNav's own."""
    kinds = type(error).__mro__
    return any(k.__module__.split(".")[0] in ("py4j", "pyspark") for k in kinds) or isinstance(error, ConnectionError)


def _run(spark, paths: list[Path], given: list[str], chains: Sequence[Chain], step: Step | None,
         profile: Profile | None, previous: pd.DataFrame | None, partitions: int | None) -> Ingested:
    from pyspark.sql import functions as F
    from pyspark import StorageLevel
    listing = spark.createDataFrame([(i + 1, str(p)) for i, p in enumerate(paths)], "n long, path string")
    read = listing.repartition(max(len(paths), 1), "n").mapInArrow(_read(profile), ENVELOPE_DDL)
    read = read.persist(StorageLevel.DISK_ONLY)  # read once; on disk: in local mode the heap is the driver's
    small = sorted(read.where(F.col("kind") != "rows").collect(), key=lambda r: (r["n"], r["kind"]))
    for r in small:
        if r["kind"] == "error":
            raise pickle.loads(r["payload"])
    files = _payloads(r for r in small if r["kind"] == "file")
    for f, name in zip(files, given):
        f["file"] = name  # as the analyst gave it, like the single-machine report
    rejects = _payloads(r for r in small if r["kind"] == "rejects")
    if step:
        for f in files:
            step(f"read {f['name']}")
    earlier = earlier_rows(previous, [f["name"] for f in files])
    rows = read.where(F.col("kind") == "rows").select("n", "chunk", "payload")
    if earlier is not None:  # earlier runs' rows first, as on one machine
        rows = spark.createDataFrame(
            [(0, c, pickle.dumps(earlier.iloc[s:s + CHUNK_ROWS].reset_index(drop=True)))
             for c, s in enumerate(range(0, len(earlier), CHUNK_ROWS))], "n long, chunk long, payload binary"
        ).union(rows)
    gathered = sorted(((r["n"], r["chunk"], pickle.loads(r["payload"])) for r in rows.toLocalIterator()),
                      key=lambda t: t[:2])  # partition by partition: the driver's heap holds one at a time
    allrec = pd.concat([f for *_, f in gathered], ignore_index=True) if gathered else pd.DataFrame()
    del gathered
    usable = sum(f["rows_in"] - f["rejected"] for f in files) + (len(earlier) if earlier is not None else 0)
    _check(len(allrec), usable, "usable rows")
    parts_n = partitions or max(spark.sparkContext.defaultParallelism, -(-len(allrec) // 50_000))
    if not len(allrec):
        dedup = deduplicate(allrec)  # nothing to spread: the same empty result
        in_node, noise = tag(dedup.records, chains)
        return assemble(files, rejects, allrec, dedup, in_node, noise, chains, step)
    labels = _groups(spark, rows.mapInArrow(_keys, "uid long, id string, app string"))
    bits = (1 << POSITION_BITS) - 1
    placed = (labels.select(F.shiftright("uid", POSITION_BITS).alias("key"),
                            F.col("uid").bitwiseAND(bits).alias("pos"),
                            F.pmod(F.xxhash64("label"), F.lit(parts_n)).alias("bucket"))
              .groupBy("key").agg(F.sort_array(F.collect_list(F.struct("pos", "bucket"))).alias("at")))
    chunks = rows.withColumn("key", F.shiftleft("n", 40 - POSITION_BITS).bitwiseOR(F.col("chunk")))
    split = (chunks.join(placed, "key").select("n", "payload", F.col("at.pos").alias("pos"),
                                               F.col("at.bucket").alias("bucket"))
             .mapInArrow(_split, ENVELOPE_DDL))
    done = (split.repartitionByRange(parts_n, "chunk")  # bucket b → partition b (hashing again would pile some)
            .mapInArrow(_dedup_tag(allrec.dtypes, list(allrec.columns), tuple(chains)), ENVELOPE_DDL))
    out = {kind: [] for kind in ("records", "merged", "in_node", "noise")}
    for r in done.toLocalIterator():
        out[r["kind"]].append((r["n"], pickle.loads(r["payload"])))
    if step:
        step("deduplicated")
    _check(sum(len(f) for kind in ("records", "merged") for _, f in out[kind]), len(allrec), "rows kept or merged")
    records = _in_row_order(_concat([f for _, f in out["records"]]), allrec)
    merged = _concat([f for _, f in out["merged"]])
    merged = merged.sort_values(["file", "row"], kind="stable").reset_index(drop=True)
    in_node = None
    if chains:
        in_node = _concat([f for _, f in out["in_node"]])
        scheme_of = {c.id: i for i, ch in enumerate(chains) for c in ch.concepts}
        in_node = (in_node.assign(_chain=in_node["to"].map(scheme_of))
                   .sort_values(["_chain", "from", "to"], kind="stable").drop(columns="_chain").reset_index(drop=True))
    position = pd.Series(range(len(records)), index=records["id"].to_numpy())
    noise = []
    for i in range(len(chains)):
        frame = _concat([f for n, f in out["noise"] if n == i])
        noise.append(frame.iloc[position.loc[frame["id"]].argsort(kind="stable")].reset_index(drop=True))
    if step:
        step("classified")
    return assemble(files, rejects, allrec, Deduplicated(records, merged), in_node, noise, chains, step)


def _concat(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """The partitions' frames as one; a partition with no row (no merge, no tag) brings columns without
    types, which would turn the others' integer and float columns into objects: left out."""
    full = [f for f in frames if len(f)]
    return pd.concat(full, ignore_index=True) if full else frames[0].iloc[:0].reset_index(drop=True)


def _check(got: int, expected: int, what: str) -> None:
    """A Spark job that lost results (a JVM thread that died serving them) must not pass for a smaller
    data set: the counts are checked against what the files gave."""
    if got != expected:
        raise IngestError(f"the Spark job returned {got:,} {what} where the exports gave {expected:,}: results were "
                          f"lost (Spark's log above says why, often an OutOfMemoryError: raise "
                          f"PATNAV_SPARK_DRIVER_MEMORY); nothing was loaded")


def _in_row_order(records: pd.DataFrame, allrec: pd.DataFrame) -> pd.DataFrame:
    """Records in the order of the rows they were kept from (file by file, as read): a stable order
    whatever partition each came from."""
    at = pd.Series(range(len(allrec)), index=pd.MultiIndex.from_frame(allrec[["source", "row"]]))
    where = at.reindex(pd.MultiIndex.from_frame(records[["source", "row"]])).to_numpy()
    return records.iloc[where.argsort(kind="stable")].reset_index(drop=True)
