"""The one list of indicators: the API, the CLI and the atlas all read it from here.

An :class:`Indicator` names its function, the queries behind it and its bilingual title; every
function takes ``(store, scheme)``, those with parameters also ``options`` (``analytics.options``), and
returns a DataFrame.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from typing import Callable

import pandas as pd

from analytics import control, direction, forecast, history, plan, summary, transfer
from analytics.pathways import enterprises as path_enterprises, partners, patents as path_patents, \
    structure as path_structure, value
from analytics.positioning import agents, diagnosis, enterprises, structure, talent, technology
from analytics.options import Options
from graph.store import GraphStore


@dataclass(frozen=True)
class Indicator:
    name: str
    title_zh: str
    title_en: str
    module: str
    queries: tuple[str, ...]
    compute: Callable[..., pd.DataFrame]

    @property
    def doc(self) -> str:
        return inspect.cleandoc(self.compute.__doc__ or "")

    def run(self, store: GraphStore, scheme: str, options: Options | None = None) -> pd.DataFrame:
        """The indicator's table; ``options`` reach the functions that take them. On a
        :class:`analytics.cypher.Memo` store each table is computed once per run (the summary reuses them)."""
        options = options or Options()
        takes = "options" in inspect.signature(self.compute).parameters
        key = (self.name, scheme, repr(options.record()) if takes else "")
        cache = getattr(store, "results", None)
        if cache is not None and key in cache:
            return cache[key].copy()
        frame = self.compute(store, scheme, options) if takes else self.compute(store, scheme)
        if cache is not None:
            cache[key] = frame.copy()
        return frame


#: the tuples every positioning table starts from (analytics.positioning.structure.zone_actors)
ZONE_QUERIES = ("node_patents", "patent_applicants", "applicant_regions", "applicant_groups", "data_summary")

#: what every pathway table reads (analytics.pathways.inputs)
PATH_QUERIES = ZONE_QUERIES + ("chain_nodes", "chain_links", "family_offices", "patent_legal")

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
              ("trend", "filings_by_node_year", "data_summary"), direction.trend),
    Indicator("lifecycle", "节点技术生命周期阶段", "Lifecycle stage per chain node (logistic / Gompertz)", "direction",
              ("filings_by_node_year", "data_summary"), direction.lifecycle),
    Indicator("correlation", "产业链与专利关联度（技术、供需）", "Chain–patent correlation (technology, supply/demand)",
              "direction", ("node_patents", "chain_nodes", "data_summary"), transfer.correlation),
    Indicator("transfer", "产业转移：节点申请人国别份额及变化", "Industry transfer: applicant-country shares per window",
              "direction", ("node_patents", "patent_applicants", "data_summary"), transfer.transfer),
    Indicator("flows", "技术流向：申请人国别→受理局", "Flows from applicant country to filing office", "direction",
              ("node_patents", "patent_applicants"), transfer.flows),
    Indicator("control_power", "专利控制力（技术、产品、市场、综合指数）",
              "Patent control power (technology, product, market, index)", "direction",
              ("node_patents", "patent_applicants", "family_offices", "chain_nodes"), control.control_power),
    Indicator("control_history", "专利控制力历史演进（分时段）", "Patent control power per period window",
              "direction", ("node_patents", "patent_applicants", "family_offices", "chain_nodes", "data_summary"),
              history.control_history),
    Indicator("landscape_history", "产业竞争格局演进与控制力集中度", "Competitive landscape and control concentration "
              "per period window", "direction",
              ("node_patents", "patent_applicants", "family_offices", "chain_nodes", "data_summary"),
              history.landscape_history),
    Indicator("control_market", "专利控制力与市场地位（秩相关）", "Control power vs market position (rank correlation)",
              "direction", ("node_patents", "patent_applicants", "family_offices", "chain_nodes", "data_summary",
                            "applicant_groups"), history.control_market),
    Indicator("market_matching", "市场数据企业与申请人的匹配", "Market data: enterprises matched to applicants",
              "direction", ("patent_applicants", "applicant_groups"), history.market_matching),
    Indicator("hotspots", "发展方向预测：技术与市场热点", "Direction forecast: growth, new IPC groups, rising offices",
              "direction", ("node_patents", "patent_ipcs", "data_summary"), forecast.hotspots),
    Indicator("direction_summary", "产业发展方向结论", "Direction summary in plain language", "direction",
              ("node_patents", "patent_applicants", "patent_ipcs", "chain_nodes"), summary.direction_summary),
    Indicator("positioning_nodes", "区域产业结构定位", "Zone structure positioning per chain node (RTA, growth, quadrant)",
              "positioning", ZONE_QUERIES + ("chain_nodes",), structure.positioning_nodes),
    Indicator("positioning_coverage", "申请人地区覆盖率", "How many of the nation's applicants and units could be placed",
              "positioning", ZONE_QUERIES, structure.positioning_coverage),
    Indicator("positioning_regions", "全国省市分布", "The nation's units per province and city (the map of China)",
              "positioning", ZONE_QUERIES, structure.positioning_regions),
    Indicator("positioning_peers", "对标区域比较", "The zone against its peer zones per chain node", "positioning",
              ZONE_QUERIES + ("chain_nodes",), structure.positioning_peers),
    Indicator("positioning_enterprises", "区域企业定位", "Zone enterprises ranked against the nation and the world",
              "positioning", ZONE_QUERIES + ("chain_nodes",), enterprises.positioning_enterprises),
    Indicator("positioning_roster", "名录企业专利情况", "Roster enterprises and their patents in the chain", "positioning",
              ZONE_QUERIES, enterprises.positioning_roster),
    Indicator("positioning_technology", "区域技术定位", "Zone technology positioning (quality against nation, world)",
              "positioning", ZONE_QUERIES + ("patent_status", "family_offices"), technology.positioning_technology),
    Indicator("positioning_talent", "区域人才定位", "Zone inventors per chain node against its share of units",
              "positioning", ZONE_QUERIES + ("patent_inventors",), talent.positioning_talent),
    Indicator("positioning_inventors", "区域核心发明人", "Zone inventors: output, citations, 主导率, layers, teams, flow",
              "positioning", ZONE_QUERIES + ("patent_inventors",), talent.positioning_inventors),
    Indicator("positioning_agents", "区域创新主体结构", "Zone innovation agents by type against the nation", "positioning",
              ZONE_QUERIES, agents.positioning_agents),
    Indicator("positioning_cooperation", "区域协同创新", "Zone co-applications: industry–academia, partners outside",
              "positioning", ZONE_QUERIES, agents.positioning_cooperation),
    Indicator("positioning_diagnosis", "区域问题诊断", "Zone diagnosis: structure, enterprises, technology, talent",
              "positioning", ZONE_QUERIES + ("chain_nodes", "patent_status", "patent_inventors"),
              diagnosis.positioning_diagnosis),
    Indicator("patent_value", "专利价值与法律状态", "Patent legal state, estimated expiry and value score", "pathways",
              ("patent_legal", "family_offices"), value.patent_value),
    Indicator("pathway_structure", "产业结构优化路径（强链、补链、延链）", "Structure path: strengthen, fill, extend",
              "pathways", ZONE_QUERIES + ("chain_nodes", "chain_links"), path_structure.pathway_structure),
    Indicator("pathway_enterprises", "企业整合、引进与培育路径", "Enterprise path: attract, cultivate, integrate",
              "pathways", PATH_QUERIES, path_enterprises.pathway_enterprises),
    Indicator("pathway_technology", "技术引进与协同创新路径", "Technology path: university and institute partners",
              "pathways", PATH_QUERIES, partners.pathway_technology),
    Indicator("pathway_talent", "人才引进与培养路径", "Talent path: recruit, retain, at risk", "pathways",
              PATH_QUERIES + ("patent_inventors",), partners.pathway_talent),
    Indicator("pathway_patent_use", "专利协同运用路径", "Patent use path: free to use, expiring, licensable, pools",
              "pathways", PATH_QUERIES, path_patents.pathway_patent_use),
    Indicator("pathway_reserve", "专利储备运营路径", "Reserve path: risk patents, acquisitions, reserve pools",
              "pathways", PATH_QUERIES, path_patents.pathway_reserve),
    Indicator("plan", "产业专利布局规划（数量、结构、时机、地域）",
              "Patent layout plan: quantity, structure, timing, geography", "plan",
              PATH_QUERIES + ("patent_status", "filings_by_node_year", "data_summary"), plan.layout_plan),
    Indicator("plan_offices", "重点申请人地域布局矩阵（重点／有／无）", "Applicant × office matrix of the node leaders and the zone",
              "plan", PATH_QUERIES, plan.plan_offices),
)}
MODULES = {"direction": ("产业发展方向导航", "Industry development direction"),
           "positioning": ("区域产业发展定位", "Regional positioning"),
           "pathways": ("产业发展路径导航", "Development pathways"),
           "plan": ("产业专利布局规划", "Patent layout plan")}


def indicator(name: str) -> Indicator:
    try:
        return INDICATORS[name]
    except KeyError:
        raise KeyError(f"no indicator {name!r}; known: {', '.join(INDICATORS)}") from None
