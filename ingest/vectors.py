"""Vectorised helpers for the group-bys that per-group Python lambdas made slow at a million rows.

Each computes once per distinct value or per distinct set, never once per row or group in Python.
"""

from __future__ import annotations

from typing import Callable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc


def per_unique(fn: Callable[[pd.Series], pd.Series], series: pd.Series) -> pd.Series:
    """``fn(series)`` computed on the distinct values only and spread back: names, codes and places
    repeat (a leading applicant holds thousands of patents), so string work is paid once per spelling.
    ``fn`` must map each value on its own (no dependence on the other values).

    >>> per_unique(lambda s: s.str.upper(), pd.Series(["a", "b", "a", None], index=[5, 6, 7, 8])).tolist()
    ['A', 'B', 'A', nan]
    """
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    if len(uniques) == len(series):
        return fn(series)
    done = fn(pd.Series(uniques, dtype=series.dtype))
    table = np.empty(len(done) + 1, dtype=object)
    table[:-1], table[-1] = done.to_numpy(dtype=object), None
    out = pd.Series(table[codes], index=series.index, dtype=object)
    if (codes < 0).any():  # missing values: whatever fn makes of them
        out = out.where(codes >= 0, fn(series[codes < 0]).reindex(series.index).astype(object))
    return out if done.dtype == object else out.astype(done.dtype)


def sets_per_group(rows: pd.DataFrame, by: list[str], column: str) -> pd.Series:
    """The sorted distinct values of ``column`` per group of ``by``, as tuples, for a column of few
    distinct values (offices, types): each value is one bit, a group's set is the sum of its distinct
    bits (in 63-bit words), and a tuple is built once per distinct set, not once per group.

    >>> sets_per_group(pd.DataFrame({"u": [1, 1, 2, 1], "o": ["US", "CN", "EP", "US"]}), ["u"], "o").tolist()
    [('CN', 'US'), ('EP',)]
    """
    rows = rows.dropna(subset=[column]).drop_duplicates(by + [column])
    if rows.empty:
        return pd.Series(dtype=object, index=pd.MultiIndex.from_tuples([], names=by) if len(by) > 1 else None)
    codes, values = pd.factorize(rows[column], sort=True)
    bits = pd.DataFrame({f"w{w}": np.where(codes // 63 == w, np.left_shift(1, codes % 63, dtype=np.int64), 0)
                         for w in range(int(codes.max()) // 63 + 1)}, index=rows.index)
    words = bits.groupby([rows[c] for c in by]).sum()
    sets, distinct = pd.factorize(pd.MultiIndex.from_frame(words) if words.shape[1] > 1 else words.iloc[:, 0])
    tuples = [tuple(values[w * 63 + b] for w, word in enumerate(np.atleast_1d(key)) for b in range(63)
                    if int(word) >> b & 1) for key in distinct]
    table = np.empty(len(tuples), dtype=object)
    table[:] = tuples
    return pd.Series(table[sets], index=words.index, name=column)


def lists_per_group(keys: pd.Series, values: pd.Series, sort: bool = True) -> pd.Series:
    """The sorted distinct ``values`` per key (in their given order when not ``sort``), as lists, indexed
    by key (sorted) — for columns of many distinct values (names): one sort and one split, no Python
    call per group.

    >>> lists_per_group(pd.Series(["k", "j", "k", "k"]), pd.Series(["b", "x", "a", "b"])).to_dict()
    {'j': ['x'], 'k': ['a', 'b']}
    >>> lists_per_group(pd.Series(["k", "j", "k", "k"]), pd.Series(["b", "x", "a", "b"]), sort=False).to_dict()
    {'j': ['x'], 'k': ['b', 'a']}
    """
    pairs = pd.DataFrame({"k": keys.to_numpy(), "v": values.to_numpy()}).dropna().drop_duplicates()
    pairs = pairs.sort_values(["k", "v"] if sort else ["k"], kind="stable")
    k = pairs["k"].to_numpy(dtype=object)
    starts = np.flatnonzero(np.r_[True, k[1:] != k[:-1]]) if len(k) else np.array([], dtype=int)
    parts = np.split(pairs["v"].to_numpy(dtype=object), starts[1:])
    lists = np.empty(len(starts), dtype=object)
    lists[:] = [p.tolist() for p in parts] if len(k) else []
    return pd.Series(lists, index=pd.Index(k[starts], dtype=object), dtype=object)


def _arrow_text(values) -> pa.Array:
    values = pd.Series(values) if not isinstance(values, pd.Series) else values
    return pa.array(values.astype(object).to_numpy(), type=pa.string(), from_pandas=True)


def isin_text(values: pd.Series, wanted) -> np.ndarray:
    """``values.isin(wanted)`` for text, in Arrow: pandas' own ``isin`` on Arrow-backed strings builds a
    Python scalar per wanted value (seconds for a million).

    >>> isin_text(pd.Series(["a", "b", None]), ["b", "c"]).tolist()
    [False, True, False]
    """
    return present(_arrow_text(values), _arrow_text(wanted))


def present(keys: pa.Array, among: pa.Array) -> np.ndarray:
    """Whether each of ``keys`` is one of ``among`` (Arrow hash set), as a numpy mask."""
    return pc.is_in(keys, value_set=among).to_numpy(zero_copy_only=False).astype(bool)


def pair_keys(frame: pd.DataFrame, a: str = "from", b: str = "to") -> pa.Array:
    """One text key per (a, b) row, for set operations on relationship rows."""
    return pc.binary_join_element_wise(_arrow_text(frame[a].astype(str)), _arrow_text(frame[b].astype(str)), "\x1f")
