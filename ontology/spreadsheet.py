"""Cells PatNav writes for spreadsheets: text that Excel or LibreOffice would run as a formula is written
as text (formula injection, OWASP "CSV injection"). No PatNav module depends on anything here but pandas.

CSV: a cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return — and not a plain
number such as -5 or +1.5 — gets a leading apostrophe, which spreadsheets show as text.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

_STARTS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?%?")


def formula_like(text: str) -> bool:
    """True for text a spreadsheet would run as a formula.

    >>> [formula_like(t) for t in ("=SUM(A1)", "@cmd", "+1", "-5", "-", "a=b", "-1.5e3", "+ x")]
    [True, True, False, False, True, False, False, True]
    """
    return bool(text) and text.startswith(_STARTS) and not _NUMBER.fullmatch(text.strip())


def escape_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose formula-like text cells start with an apostrophe.

    >>> escape_formulas(pd.DataFrame({"v": ["=cmd|' /C calc'!A0", "ok", "@x", "-5"], "n": [1, 2, 3, 4]}))["v"].tolist()
    ["'=cmd|' /C calc'!A0", 'ok', "'@x", '-5']
    """
    out = frame.copy()
    for col in out.columns:
        values = out[col]
        if values.dtype == object or pd.api.types.is_string_dtype(values):
            text = values.where(values.map(type, na_action="ignore").eq(str) if values.dtype == object else
                                values.notna())  # only text cells (a list stays as it is)
            maybe = text.astype("string").str.startswith(_STARTS).fillna(False).astype(bool)
            if maybe.any():  # few cells start like a formula: only those are read one by one
                escaped = values.astype(object).where(~maybe, values[maybe].map(
                    lambda v: "'" + v if formula_like(v) else v))
                out[col] = escaped if values.dtype == object else escaped.astype(values.dtype)
    return out


def write_csv(frame: pd.DataFrame, path: str | Path, **kwargs) -> None:
    """``frame`` as UTF-8 CSV with a BOM (so Excel shows Chinese), formula-like cells escaped."""
    escape_formulas(frame).to_csv(path, index=False, encoding="utf-8-sig", **kwargs)
