"""The first load into an empty Neo4j database through ``neo4j-admin database import full``.

The offline import tool (``org.neo4j:neo4j-import-tool``, among the locked server jars) writes the store
files directly — an order of magnitude faster than ``UNWIND`` batches — but only into a database that is
not running. So: the same typed frames the ``UNWIND`` path loads (``graph.schema.conform_*``) are written
as CSV with typed headers (``id:ID(Patent)``, ``app_year:long``, ``family_offices:string[]`` …; one ID
space per label, one relationship file per endpoint pair), the PatNav server is stopped, the tool
replaces the empty database, the server starts again on the same ports, and the constraints are created.
Incremental loads keep the ``UNWIND`` path (``graph.neo4j_store``).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import time
from pathlib import Path
from typing import Callable, Mapping

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from graph import neo4j_server
from graph.schema import conform_nodes, conform_rels
from graph.store import Loaded
from ontology.vocab import Vocabulary, vocabulary

ARRAY = "\u001f"  # the array delimiter: a control character no exported value carries
_TYPES = {pa.string(): "string", pa.int64(): "long", pa.float64(): "double", pa.bool_(): "boolean",
          pa.date32(): "date"}


def _header(table: pa.Table, key: str) -> list[str]:
    out = []
    for field in table.schema:
        typ = field.type
        many = pa.types.is_list(typ)
        base = _TYPES[typ.value_type if many else typ]
        out.append(key.replace("{name}", field.name) if field.name == "id" and key
                   else f"{field.name}:{base}{'[]' if many else ''}")
    return out


def _flat(table: pa.Table) -> tuple[pa.Table, bool]:
    """Lists joined with :data:`ARRAY` (empty lists → null), dates as ISO text; and whether any text holds a
    line break (the tool then needs ``--multiline-fields``)."""
    cols, multiline = [], False
    for field, col in zip(table.schema, table.columns):
        if pa.types.is_list(field.type):
            col = pc.binary_join(col if field.type.value_type == pa.string() else pc.cast(col, pa.list_(pa.string())),
                                 ARRAY)
            col = pc.if_else(pc.equal(col, ""), pa.scalar(None, pa.string()), col)
        elif pa.types.is_date(field.type):
            col = pc.strftime(col, format="%Y-%m-%d")
        if pa.types.is_string(col.type) and len(col):
            multiline = multiline or bool(pc.any(pc.match_substring_regex(col, r"[\r\n]")).as_py())
        cols.append(col)
    return pa.table(cols, names=table.column_names), multiline


def _write(table: pa.Table, header: list[str], path: Path) -> bool:
    flat, multiline = _flat(table)
    flat = flat.rename_columns(header)
    pacsv.write_csv(flat, path, pacsv.WriteOptions(quoting_style="needed"))
    return multiline


def import_full(home: Path, frames: Mapping[str, pd.DataFrame], *, database: str = "neo4j",
                vocab: Vocabulary | None = None, step: Callable[[str], None] | None = None) -> dict[str, Loaded]:
    """Replace the (empty) ``database`` of the PatNav server in ``home`` with ``frames``; the server is
    stopped for the import and running again afterwards. Returns what was created per frame."""
    vocab = vocab or vocabulary()
    home = Path(home).resolve()
    info = neo4j_server.status(home)
    auth = json.loads((home / "auth.json").read_text())
    folder = home / "import" / f"patnav-{time.strftime('%Y%m%d-%H%M%S')}"
    folder.mkdir(parents=True, exist_ok=True)
    args, done, multiline = [], {}, False
    try:
        for name, frame in frames.items():
            if name in vocab.nodes:
                table = conform_nodes(name, frame, vocab)
                path = folder / f"{name}.csv"
                multiline |= _write(table, _header(table, f"id:ID({name})"), path)
                args.append(f"--nodes={name}={path}")
                done[name] = Loaded(table.num_rows, 0)
        for name, frame in frames.items():
            if name in vocab.nodes:
                continue
            src, dst = vocab.endpoint(name, *frame.attrs.get("endpoints", (None, None)))
            table = conform_rels(name, frame, vocab)
            header = [f":START_ID({src})", f":END_ID({dst})", *_header(table.drop(["from", "to"]), "")]
            path = folder / f"{name}-{src}-{dst}.csv"
            multiline |= _write(table, header, path)
            args.append(f"--relationships={name}={path}")
            done[name] = Loaded(table.num_rows, 0)
        if not args:  # nothing to load: an empty database (the tool needs one input; a header alone will do)
            (folder / "empty.csv").write_text("id:ID(Patent)\n")
            args.append(f"--nodes=Patent={folder / 'empty.csv'}")
        if step:
            step("wrote the import files")
        if info is not None:
            neo4j_server.stop(home)
            if step:
                step("stopped the server")
        java = neo4j_server.find_java()
        classpath = f"{home / 'conf'}/*:{home / 'lib'}/*"
        command = [java, "-cp", classpath, "org.neo4j.server.startup.Neo4jAdminCommand", "database", "import",
                   "full", database, "--overwrite-destination=true", f"--array-delimiter={ARRAY}", "--id-type=string",
                   f"--multiline-fields={'true' if multiline else 'false'}",
                   f"--report-file={folder / 'import.report'}", *args]
        ran = subprocess.run(command, env=neo4j_server._env(home), capture_output=True, text=True, timeout=7200)
        if ran.returncode != 0:
            raise neo4j_server.ServerError(f"neo4j-admin database import failed: {(ran.stderr or ran.stdout)[-1500:]}")
        if step:
            step("imported")
    finally:  # the server runs again as it ran before, whatever happened (an import error is not masked)
        if info is not None and neo4j_server.status(home) is None:
            port = int(auth["uri"].rsplit(":", 1)[1])
            http = int(auth["browser"].split(":")[2].split("/")[0]) if auth.get("browser") else None
            try:
                neo4j_server.start(home, port=port, browser=http is not None, http_port=http or 7474,
                                   heap=auth.get("heap", "2g"), pagecache=auth.get("pagecache", "2g"))
            except neo4j_server.ServerError as exc:
                raise neo4j_server.ServerError(f"after the import, Neo4j did not start again: {exc}. Start it with "
                                               f"`patnav neo4j start`.") from exc
            if step:
                step("started the server")
        shutil.rmtree(folder, ignore_errors=True)
    return done
