"""Module 3 — development pathways (产业发展路径导航): from the zone's position (module 2) to concrete lists
officials act on — chain nodes to strengthen, fill or extend, enterprises to attract, cultivate or
integrate, partners, talent, patents to use and patents to watch or acquire (DESIGN §6 "Pathway module";
REFERENCES §2 for the vendors' and analysts' practice behind each score).

Every path is one table with the same columns (:data:`COLUMNS`): a candidate per row with its chain node,
score (0–100, a documented function whose weights live in ``Options``), priority (S act now / A follow up /
B watch), the reasons as short sentences in Chinese and English quoting their numbers, and the evidence
(JSON: patent ids, units, shares, years). No candidate without patent evidence. The pathway graph
(``graph.py``) draws zone → chain node → candidate with every edge's reason. Every table is empty
without a zone.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from analytics.options import Options

COLUMNS = ["path", "kind", "node", "candidate", "candidate_id", "score", "priority", "reason_zh", "reason_en",
           "evidence"]
PATHS = {"structure": ("产业结构优化（强链、补链、延链）", "Chain structure: strengthen, fill, extend"),
         "enterprises": ("企业整合、引进与培育", "Enterprises: attract, cultivate, integrate"),
         "technology": ("技术引进与协同创新", "Technology introduction and collaborative innovation"),
         "talent": ("人才引进与培养", "Talent: recruit, retain, at risk"),
         "patent_use": ("专利协同运用", "Patent joint use: free to use, expiring, licensable, pools"),
         "reserve": ("专利储备与运营", "Patent reserve and operation: risks, acquisitions, reserve pools")}
#: the least units a portfolio needs before a path lists its holder (the diagnosis's min_units: one or two
#: filings are an event, not a portfolio)
MIN_UNITS = 3.0
#: the kinds of candidate, in the order the tables list them
KINDS = ("strengthen", "fill", "extend", "attract", "cultivate", "integrate", "partner", "recruit", "retain",
         "at_risk", "free", "expiring", "licensable", "pool", "risk", "acquire", "reserve_pool")
PRIORITY = {"S": ("立即接洽", "act now"), "A": ("重点跟进", "follow up"), "B": ("长期观察", "watch")}


def empty() -> pd.DataFrame:
    return pd.DataFrame(columns=COLUMNS)


def priority(score: pd.Series, options: Options) -> pd.Series:
    """S where score ≥ the first band, A ≥ the second, else B (``Options.priority_bands``).

    >>> priority(pd.Series([85.0, 70.0, 50.0, 49.9]), Options()).tolist()
    ['S', 'S', 'A', 'B']
    """
    s, a = options.priority_bands
    return pd.Series(np.select([score >= s, score >= a], ["S", "A"], "B"), index=score.index)


def evidence(**parts) -> str:
    """The evidence cell: JSON with sorted keys, floats rounded to 6 places, numpy scalars as numbers."""
    def plain(v):
        if isinstance(v, (list, tuple)):
            return [plain(x) for x in v]
        if isinstance(v, (np.integer,)):
            return int(v)
        if isinstance(v, (float, np.floating)):
            return None if np.isnan(v) else round(float(v), 6)
        return v
    return json.dumps({k: plain(v) for k, v in parts.items()}, ensure_ascii=False, sort_keys=True)


def pct(v: float) -> str:
    """A share as the reasons quote it (as the diagnosis does); a dash where unknown.

    >>> pct(0.12345), pct(float("nan"))
    ('12.3%', '—')
    """
    from analytics.positioning.diagnosis import _pct
    return "—" if v is None or pd.isna(v) else _pct(v)


def num(v: float) -> str:
    """A count of (fractional) units as the reasons quote it: up to one decimal.

    >>> num(3.0), num(2.456), num(float("nan"))
    ('3', '2.5', '—')
    """
    if v is None or pd.isna(v):
        return "—"
    return f"{float(v):.1f}".rstrip("0").rstrip(".")


def finish(frame: pd.DataFrame, path: str, options: Options) -> pd.DataFrame:
    """Add path and priority, order by kind (:data:`KINDS`) then score (best first, ties by candidate id), keep the
    ``top_candidates`` of each kind."""
    if frame.empty:
        return empty()
    out = frame.assign(path=path)
    out["score"] = out["score"].astype(float).round(6)
    out["priority"] = priority(out["score"], options)
    out["order"] = out["kind"].map({k: i for i, k in enumerate(KINDS)})
    out = out.sort_values(["order", "score", "candidate_id", "node"], ascending=[True, False, True, True],
                          kind="mergesort")
    out = out.groupby("kind", sort=False).head(options.top_candidates)
    return out[COLUMNS].reset_index(drop=True)
