"""The one list of indicators: the API, the CLI and the atlas all read it from here.

An :class:`Indicator` names its function, the queries behind it and its bilingual title; every
function takes ``(store, scheme)`` and returns a DataFrame.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import pandas as pd

from analytics import direction
from graph.store import GraphStore


@dataclass(frozen=True)
class Indicator:
    name: str
    title_zh: str
    title_en: str
    module: str
    queries: tuple[str, ...]
    compute: Callable[[GraphStore, str], pd.DataFrame]

    @property
    def doc(self) -> str:
        return (self.compute.__doc__ or "").strip()


INDICATORS: dict[str, Indicator] = {i.name: i for i in (
    Indicator("filings_by_node_year", "产业链节点专利申请趋势", "Filings per chain node and year", "direction",
              ("filings_by_node_year", "data_summary"), direction.filings_by_node_year),
    Indicator("top_applicants", "节点主要申请人及份额", "Top applicants per chain node with share", "direction",
              ("node_applicant_shares",), direction.top_applicants),
    Indicator("concentration", "节点专利集中度（CR4、HHI）", "Concentration per chain node (CR4, HHI)", "direction",
              ("node_applicant_shares",), direction.concentration),
    Indicator("applicant_countries", "节点申请人国别分布", "Applicant countries per chain node", "direction",
              ("applicant_countries",), direction.applicant_countries),
    Indicator("trend", "节点专利与申请人逐年趋势", "Patents and applicants per chain node and year", "direction",
              ("trend", "data_summary"), direction.trend),
    Indicator("lifecycle", "节点技术生命周期阶段", "Lifecycle stage per chain node (logistic / Gompertz)", "direction",
              ("filings_by_node_year", "data_summary"), direction.lifecycle),
)}


def indicator(name: str) -> Indicator:
    try:
        return INDICATORS[name]
    except KeyError:
        raise KeyError(f"no indicator {name!r}; known: {', '.join(INDICATORS)}") from None
