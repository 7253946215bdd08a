"""What the ingest runs into one graph have accepted so far, kept beside its ledger.

A graph is often built by several ``patnav ingest`` runs. For the graph to be the same as one run over
all the files, a run must merge its rows with what earlier runs brought, by the same rules. So the
state folder (the ``--db`` folder, or ``PATNAV_HOME/neo4j-ingest``) keeps:

- ``rows.parquet``: every usable normalised row of every file ingested so far (the latest run of a file
  name replaces its rows), before deduplication — the input a single run over all files would have;
- ``frames/<name>.parquet``: the graph frames the last completed run loaded, so the next run loads only
  rows that changed and deletes what it no longer produces (and nothing it never made);
- ``pending/``: the frames of a run that is loading; it disappears when the run completes. Left behind
  (the run was killed), it marks the graph as incomplete until a rerun finishes.

Plain files, no store access; ``ingest.load`` applies the difference to a store.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

ROWS = "rows.parquet"
FRAMES = "frames"
PENDING = "pending"
#: frames another mechanism keeps exact (the chain's own nodes and links, and its tags): not diffed here
NOT_DIFFED = ("ChainNode", "PART_OF", "SUPPLIES", "IN_NODE")


def _arrow_type(values: pd.Series) -> pa.DataType:
    sample = values.dropna()
    if pd.api.types.is_integer_dtype(values.dtype) and not pd.api.types.is_bool_dtype(values.dtype):
        return pa.int64()
    if pd.api.types.is_float_dtype(values.dtype):
        return pa.float64()
    if pd.api.types.is_bool_dtype(values.dtype):
        return pa.bool_()
    first = next(iter(sample), None)
    if isinstance(first, (list, tuple, np.ndarray)):
        return pa.list_(pa.string())
    if isinstance(first, (bool, np.bool_)):
        return pa.bool_()
    if isinstance(first, (dt.date, pd.Timestamp)) and not isinstance(first, dt.datetime):
        return pa.date32()
    if isinstance(first, (int, np.integer)):
        return pa.int64()
    if isinstance(first, (float, np.floating)):
        return pa.float64()
    return pa.string()


def _to_arrow(frame: pd.DataFrame) -> pa.Table:
    arrays, fields = [], []
    for col in frame.columns:
        values = frame[col]
        kind = _arrow_type(values)
        if kind in (pa.string(), pa.list_(pa.string())):
            try:  # text and lists of text as they are, in C++ (None and NaN are missing)
                arrays.append(pa.array(values.astype(object).to_numpy(), type=kind, from_pandas=True))
                fields.append(pa.field(col, kind))
                continue
            except (pa.ArrowInvalid, pa.ArrowTypeError):
                pass  # a number among the text: each cell as text, below
        cells = values.astype(object).where(values.notna() if kind != pa.list_(pa.string()) else
                                            values.map(lambda v: v is not None and not (isinstance(v, float)
                                                                                        and np.isnan(v))), None)
        if kind == pa.list_(pa.string()):
            cells = [None if v is None else [str(x) for x in v] for v in cells]
        elif kind == pa.string():
            cells = [None if v is None else str(v) for v in cells]
        arrays.append(pa.array(list(cells), type=kind))
        fields.append(pa.field(col, kind))
    return pa.Table.from_arrays(arrays, schema=pa.schema(fields))


def _from_arrow(table: pa.Table) -> pd.DataFrame:
    out = {}
    for name, column in zip(table.column_names, table.columns):
        kind = column.type
        if pa.types.is_list(kind) or pa.types.is_date(kind) or pa.types.is_boolean(kind) or pa.types.is_string(kind):
            out[name] = pd.Series(column.to_pylist(), dtype=object)
        elif pa.types.is_integer(kind):
            out[name] = pd.Series(pd.array(column.to_pylist(), dtype="Int64"))
        else:
            out[name] = pd.Series(column.to_pylist(), dtype="float64")
    return pd.DataFrame(out)


def write_frame(frame: pd.DataFrame, path: Path) -> None:
    """``frame`` as Parquet with lists, dates, nullable integers and booleans kept as they are."""
    path.parent.mkdir(parents=True, exist_ok=True)
    table = _to_arrow(frame.reset_index(drop=True))
    meta = {"attrs": json.dumps(frame.attrs, default=list)} if frame.attrs else {}
    pq.write_table(table.replace_schema_metadata({k: v.encode() for k, v in meta.items()}), path)


def read_frame(path: Path) -> pd.DataFrame:
    """A frame written by :func:`write_frame`: lists as lists, dates as ``datetime.date``, integers as
    ``Int64``, missing values as None."""
    table = pq.read_table(path)
    frame = _from_arrow(table)
    meta = table.schema.metadata or {}
    if b"attrs" in meta:
        frame.attrs = {k: tuple(v) if isinstance(v, list) else v for k, v in json.loads(meta[b"attrs"]).items()}
    return frame


class Change(NamedTuple):
    upsert: pd.DataFrame   # rows that are new or differ from the last load
    gone: pd.DataFrame     # keys (``id``, or ``from``/``to``) the last load had and this one does not


def _row_keys(frame: pd.DataFrame) -> list[str]:
    return ["id"] if "id" in frame.columns else ["from", "to"]


def _fingerprint(frame: pd.DataFrame) -> pd.Series:
    """One hash per row over every column (lists joined), equal for equal rows."""
    flat = pd.DataFrame(index=frame.index)
    for col in sorted(frame.columns):
        values = frame[col].astype(object)
        flat[col] = values.map(lambda v: "\x1e".join(map(str, v)) if isinstance(v, (list, tuple, np.ndarray))
                               else (None if v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v))
                                     else str(v)))
    return pd.util.hash_pandas_object(flat.fillna("\x00"), index=False)


def change(old: pd.DataFrame | None, new: pd.DataFrame) -> Change:
    """What to load and what to delete to go from the frame ``old`` (last loaded; None: nothing known)
    to ``new``.

    >>> old = pd.DataFrame({"id": ["a", "b", "c"], "n": [1, 2, 3]})
    >>> c = change(old, pd.DataFrame({"id": ["a", "b", "d"], "n": [1, 5, 4]}))
    >>> c.upsert["id"].tolist(), c.gone["id"].tolist()
    (['b', 'd'], ['c'])
    """
    keys = _row_keys(new)
    if old is None or old.empty:
        return Change(new, new.iloc[:0][keys])
    new_fp = _fingerprint(new)
    old_fp = _fingerprint(old.reindex(columns=new.columns)) if set(new.columns) <= set(old.columns) else None
    if old_fp is None:
        upsert = new
    else:
        upsert = new[~new_fp.isin(set(old_fp))]
    key = lambda f: f[keys].astype(str).agg("\x1f".join, axis=1) if len(f) else pd.Series([], dtype=object)  # noqa: E731
    gone = old[~key(old).isin(set(key(new)))][keys]
    return Change(upsert, gone.reset_index(drop=True))


class IngestState:
    """The state folder of one graph (see the module docstring)."""

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)

    def rows(self) -> pd.DataFrame | None:
        path = self.folder / ROWS
        return read_frame(path) if path.exists() else None

    def save_rows(self, rows: pd.DataFrame) -> None:
        tmp = self.folder / (ROWS + ".tmp")
        write_frame(rows, tmp)
        tmp.replace(self.folder / ROWS)

    def _frames(self, sub: str) -> dict[str, pd.DataFrame]:
        folder = self.folder / sub
        return {p.stem: read_frame(p) for p in sorted(folder.glob("*.parquet"))} if folder.is_dir() else {}

    def loaded_frames(self) -> dict[str, pd.DataFrame]:
        """The frames known to be in the graph: the last completed load, plus — after a killed run —
        everything that run may have written (so its leftovers are deleted too)."""
        done = self._frames(FRAMES)
        for name, frame in self._frames(PENDING).items():
            done[name] = pd.concat([done[name], frame], ignore_index=True) if name in done else frame
        return done

    def incomplete(self) -> dict | None:
        """What the run that did not finish said about itself, or None when the graph is complete."""
        marker = self.folder / PENDING / "run.json"
        if not (self.folder / PENDING).is_dir():
            return None
        return json.loads(marker.read_text(encoding="utf-8")) if marker.exists() else {"files": []}

    def begin(self, frames: dict[str, pd.DataFrame], files: list[str]) -> None:
        """Record the frames a load is about to write; the graph counts as incomplete until :meth:`done`."""
        pending = self.folder / PENDING
        pending.mkdir(parents=True, exist_ok=True)
        for name, frame in frames.items():
            if name not in NOT_DIFFED:
                write_frame(frame, pending / f"{name}.parquet")
        (pending / "run.json").write_text(json.dumps({"files": files, "started": dt.datetime.now().isoformat(
            timespec="seconds")}, ensure_ascii=False), encoding="utf-8")

    def done(self, frames: dict[str, pd.DataFrame]) -> None:
        """The load completed: ``frames`` are what the graph now holds."""
        target = self.folder / FRAMES
        fresh = self.folder / (FRAMES + ".new")
        shutil.rmtree(fresh, ignore_errors=True)
        for name, frame in frames.items():
            if name not in NOT_DIFFED:
                write_frame(frame, fresh / f"{name}.parquet")
        fresh.mkdir(parents=True, exist_ok=True)
        shutil.rmtree(target, ignore_errors=True)
        fresh.replace(target)
        shutil.rmtree(self.folder / PENDING, ignore_errors=True)
