"""Plain definitions of every table, in Chinese and English, for readers of the atlas, the report and the
workbook (the code's docstrings are for developers). One place: the atlas, ``report.docx`` and the
definitions sheet of ``tables.xlsx`` all read :data:`DEFINITIONS`; a test checks that every indicator has
one and that none carries code markup.

Counting everywhere: a patent family (else a single application) counts once as a "unit"; a unit with
several applicants is split equally among them (fractional counting); years are the earliest priority
year, else the application year, else the publication year (the data section shows the mix).
"""

from __future__ import annotations

COUNTING = ("计数口径：同一专利族（无族信息时为单件申请）计为1个“件/族”，多个申请人平均分摊；年份取最早优先权年，"
            "无则取申请年，再无则取公开年。",
            "Counting: a patent family (else a single application) is one unit, split equally among its applicants; "
            "the year is the earliest priority year, else the application year, else the publication year.")

DEFINITIONS: dict[str, tuple[str, str]] = {
    "filings_by_node_year": (
        "每个产业链节点每年的专利件/族数。最近18个月公开的申请尚未全部公开，这些年份标为不完整，不作为下降解读。",
        "Units filed per chain node and year. Years within 18 months of the latest publication are marked "
        "incomplete (not yet all published) and are not read as a downturn."),
    "top_applicants": (
        "每个节点件/族数最多的申请人及其份额（该申请人的件/族数 ÷ 节点全部件/族数）。",
        "The applicants with the most units in each node and their share (their units ÷ the node's units)."),
    "concentration": (
        "节点专利集中度：CR4为前四名申请人份额之和；HHI为各申请人份额平方和×10000（<1500分散，1500–2500中等集中，>2500高度集中）。",
        "Concentration per node: CR4 = the top four applicants' combined share; HHI = the sum of squared shares "
        "× 10,000 (< 1,500 unconcentrated, 1,500–2,500 moderate, > 2,500 highly concentrated)."),
    "applicant_countries": (
        "每个节点申请人所属国家的件/族份额。国家只按证据确定（国别或地址字段、名称中的地名或法律形式、优先权国等），"
        "无证据时记为“未知”并显示其份额。",
        "Each node's units by the applicants' country. A country is only given on evidence (a country or address "
        "column, a place or legal form in the name, priority countries …); without it the country is unknown, "
        "and its share is shown."),
    "trend": (
        "每个节点每年的件/族数与活跃申请人数，用于判断技术所处阶段（申请人数与专利数同增为成长，专利增而申请人减为成熟，"
        "二者同降为衰退）。",
        "Units and active applicants per node and year: both rising = growth, units rising while applicants fall "
        "= maturity, both falling = decline."),
    "lifecycle": (
        "用逻辑斯蒂和Gompertz曲线拟合累计件/族数，取拟合优度R²较高者；成熟度=当前累计量÷拟合上限。成熟度<10%为萌芽期，"
        "10–50%成长期，50–90%成熟期，≥90%饱和期；年申请量自峰值下降（峰值在3年以前且最近两年均值≤峰值的75%）为衰退期。"
        "不足5年或10件/族为数据不足。",
        "Logistic and Gompertz curves fitted to cumulative units, the better R² kept; maturity = cumulative units "
        "so far ÷ the fitted ceiling. < 10% emerging, 10–50% growth, 50–90% mature, ≥ 90% saturated; declining "
        "where yearly filings fell from a peak at least three years back to an average of at most 75% of it over "
        "the last two years. Fewer than 5 years or 10 units: insufficient data."),
    "correlation": (
        "产业链与专利的关联度：节点专利份额与节点权重（或分析人员提供的产值、市场规模）的Spearman秩相关；"
        "p ≥ 0.05 时不显著，不能据此判断相关。同时给出两个时期之间节点份额的变化。",
        "Chain–patent correlation: the Spearman rank correlation of each node's share of units with its weight "
        "(or with output value or market size, when the analyst supplies them); with p ≥ 0.05 it is not "
        "significant and says nothing. Also each node's share change between two periods."),
    "transfer": (
        "产业转移：各时期（窗口）内每个节点申请人国别的份额及其变化（百分点）。",
        "Industry transfer: per node and period window, each applicant country's share and its change in "
        "percentage points."),
    "flows": (
        "技术流向：各国申请人的件/族在哪些受理局（国家/地区专利局）申请。",
        "Technology flows: at which offices each country's applicants file their units."),
    "control_power": (
        "专利控制力：技术控制力=该主体在节点核心专利（被引次数按同节点同年归一后的前10%）中的份额；产品控制力=该主体份额≥5%"
        "且至少3件/族的节点（按节点权重）占全部节点的比例；市场控制力=该主体在节点市场覆盖（各族布局的受理局数）中的份额；"
        "综合指数=0.4×技术+0.3×产品+0.3×市场。指数是份额的加权平均：0.07约相当于握有节点7%的核心专利、覆盖与市场；"
        "在申请人众多的节点中0.05–0.10已属领先，0.3以上为主导。少于3件/族的主体排在有实质组合的主体之后。",
        "Patent control power: technology = the actor's share of the node's core patents (top 10% by citations "
        "normalised within node and year); product = the weighted share of nodes where the actor holds ≥ 5% and "
        "at least 3 units; market = its share of the node's market coverage (offices each family is filed at); "
        "index = 0.4 × technology + 0.3 × product + 0.3 × market. The index is a weighted mean of shares: 0.07 "
        "is about 7% of the node's core patents, breadth and markets together — in a node of many holders "
        "0.05–0.10 already leads, above 0.3 dominates. Actors with fewer than 3 units rank after real portfolios."),
    "control_history": (
        "专利控制力历史演进：每个时段（按最早申请年）只用该时段的专利/族计算技术、产品、市场控制力和综合指数（定义同专利控制力），"
        "并给出上一时段的排名与指数变化（正为上升），以及各节点前10名的新进入者（entered）、保持者（stayed）和退出者（left）。",
        "Patent control power per period window: technology, product and market control and the index (as in "
        "control power) computed on each window's units alone (by earliest application year), with the previous "
        "window's rank, the change in index (positive = gained), and each node's top-10 entrants, stayers and exits."),
    "landscape_history": (
        "产业竞争格局演进：每个节点各时段的活跃申请人数、申请集中度CR4与HHI、新进入者（此前时段在该节点无专利的申请人）所占份额、"
        "申请量前4名在下一时段仍居前4的比例（延续率）；并列出前4名申请人的控制力指数占比与控制力前4名的延续率，以便对照。",
        "Competitive landscape per node and period window: active applicants, filing CR4 and HHI, the share held "
        "by new entrants (no unit in the node in any earlier window), and the share of the previous window's top 4 "
        "filers still in the top 4 (persistence); beside them the top 4's share of the control index and the "
        "persistence of the control top 4."),
    "control_market": (
        "专利控制力与市场地位：提供企业市场数据（--market：企业、年份、市场份额和/或营业收入，可选节点）时，"
        "按节点和时段计算企业控制力指数与市场地位的Spearman秩相关（同期，以及市场数据滞后一个时段），给出p值与企业数；"
        "p ≥ 0.05 时注明不显著。未提供数据时为空。",
        "Control power vs market position: with enterprise market data (--market: enterprise, year, market share "
        "and/or revenue, optional node), the Spearman rank correlation between the enterprises' control index and "
        "their market position per node and window, in the same window and with the market one window later, "
        "with p-value and number of enterprises; marked not significant when p ≥ 0.05. Empty without data."),
    "market_matching": (
        "市场数据匹配：市场数据中的每家企业按名称键匹配到的申请人（applicant），或按集团匹配到的全部成员（group），"
        "未匹配的企业留空，请补充专利数据中使用的名称。",
        "Market data matching: each enterprise of the market data with the applicant its name key matched "
        "(applicant), or every member of the group it names (group); unmatched names are left blank — add the "
        "name the patent exports use."),
    "hotspots": (
        "发展方向预测：最近5个完整年复合增长率最高的节点和IPC大组、新出现的IPC大组、申请份额上升的受理局（市场热点）。",
        "Direction forecast: the nodes and IPC main groups growing fastest over the last five complete years "
        "(CAGR), IPC main groups new to the chain, and offices gaining share (market hotspots)."),
    "direction_summary": (
        "方向模块的结论句，每句引用其来源表格中的数字。",
        "The direction module's conclusions, each sentence quoting the numbers of the table it names."),
    "positioning_nodes": (
        "区域在每个节点的件/族数、占全球与全国的份额、显示性技术优势RTA（区域该节点份额÷全球该节点份额，≥1为专业化）"
        "和增长；按RTA与增长划分为优势、潜力、追赶、薄弱、空白五类。",
        "The zone's units per node, its shares of the world and the nation, its revealed technological advantage "
        "RTA (the node's share of the zone's units ÷ its share of the world's; ≥ 1 = specialised) and growth; "
        "RTA and growth place each node as advantage, potential, catch-up, weak or gap."),
    "positioning_coverage": (
        "全国申请人中能定位到省、市、区县的比例及其依据（地址、省市字段、名称），以及国别未知的申请人。定位不到的部分不计入任何地区。",
        "How many of the nation's applicants (and their units) could be placed at district, city or province "
        "level, and by what (address, province/city column, name); applicants of unknown country are shown too. "
        "What cannot be placed counts for no region."),
    "positioning_regions": (
        "全国各省、各市的件/族数及其占全国的份额（地图所示）。",
        "The nation's units per province and per city and their share of the nation (what the map shows)."),
    "positioning_peers": (
        "区域与区域文件中列出的对标区域在各节点上的比较（件/族数、份额、RTA、增长、排名）。",
        "The zone against the peer zones its zone file names, per node: units, share, RTA, growth and rank."),
    "positioning_enterprises": (
        "区域内申请人在各节点的排名（全国、全球）及与节点龙头的差距。",
        "The zone's applicants in each node ranked in the nation and the world, with their gap to the node's leader."),
    "positioning_roster": (
        "区域企业名录中每家企业匹配到的申请人及其在产业链中的件/族数（0表示尚无相关专利）。",
        "Each enterprise of the zone's roster, the applicant it matched and its units in the chain (0: no patent "
        "in the chain yet)."),
    "positioning_technology": (
        "区域、全国、全球在各节点的技术质量：发明占比、授权率、有效率、核心专利占比、被引、同族规模、海外（含PCT）申请占比。",
        "Technology quality of the zone, the nation and the world per node: invention share, grant rate, share "
        "in force, core-patent share, citations, family size, share filed abroad or through the PCT."),
    "positioning_talent": (
        "区域发明人数占全球的份额与区域件/族份额之比（>1人才较多，<1产出依赖少数人），并给出发明人字段的覆盖率。",
        "The zone's share of the node's inventors against its share of units (> 1: many contributors; < 1: output "
        "rests on few people), with the share of units that name inventors."),
    "positioning_inventors": (
        "区域核心发明人：件/族数、被引、第一发明人占比（主导率）、活跃年份、层级（核心≥13件/族，骨干7–12，活跃5–6，参与1–4）、"
        "合作团队与流动。",
        "The zone's inventors: units, citations, first-inventor share, active years, layer (core ≥ 13 units, "
        "backbone 7–12, active 5–6, participant 1–4), co-inventor team and movement in or out of the zone."),
    "positioning_agents": (
        "区域与全国创新主体结构：企业、高校、科研院所、个人、政府的件/族数及份额。",
        "Innovation agents of the zone and the nation: units and shares of enterprises, universities, institutes, "
        "individuals and government."),
    "positioning_cooperation": (
        "协同创新：合作申请率、产学研合作率（企业与高校或院所共同申请）、与区域外主体合作的比例。",
        "Cooperation: the share of units with several applicants, with an enterprise and a university or "
        "institute together, and with a partner outside the zone."),
    "positioning_diagnosis": (
        "区域问题诊断：结构、企业培育、技术、人才四方面按规则得出的结论，每条引用其数字所在的表、行、列。",
        "Diagnosis of the zone: rule-based findings on structure, enterprises, technology and talent, each "
        "quoting the table, row and column of its numbers."),
    "patent_value": (
        "每件专利的法律状态（有效、审中、失效、届满、放弃、未知）、按受理局和类型估算的届满日，以及价值分（0–100，"
        "由被引、同族规模、布局局数、权利要求数、法律事件、剩余期限在同年同局专利中的百分位加权）。",
        "Each patent's legal state (in force, pending, lapsed, expired, abandoned, unknown), its estimated expiry "
        "by office and type, and a value score (0–100: the weighted percentiles of citations, family size, "
        "offices, claims, legal events and remaining term among patents of the same year and office)."),
    "pathway_structure": (
        "产业结构优化路径：强链（优势节点）、补链（有吸引力的薄弱或空白节点）、延链（与优势节点有供需关系的节点），每项附理由与得分。",
        "Structure path: strengthen (advantage nodes), fill (attractive weak or gap nodes), extend (nodes "
        "supply-linked to advantage nodes), each with its reasons and score."),
    "pathway_enterprises": (
        "企业路径：引进（区域外在补链、延链节点实力强的企业，按产业链互补40、扩张信号30、本地配套20、政策契合10评分）、"
        "培育（全国前20以外、增长快、质量高的本地企业）、整合（合作或并购对象）。",
        "Enterprise path: attract (outside enterprises strong in the fill and extend nodes; scored chain fit 40, "
        "expansion 30, local supply 20, policy 10), cultivate (fast-growing, high-quality local firms outside the "
        "nation's top 20), integrate (partners or acquisition targets)."),
    "pathway_technology": (
        "技术引进与协同创新路径：在目标节点专利实力强、有可许可有效专利、与区域已有合作的高校和科研院所。",
        "Technology path: universities and institutes strong in the target nodes, with patents in force to "
        "license and existing co-applications with the zone."),
    "pathway_talent": (
        "人才路径：引进（区域外目标节点的高产发明人）、稳定（区域核心与骨干发明人）、流失风险（近期转到区域外申请的发明人）。",
        "Talent path: recruit (productive inventors outside the zone in the target nodes), retain (the zone's "
        "core and backbone inventors), at risk (zone inventors now filing with applicants outside)."),
    "pathway_patent_use": (
        "专利协同运用路径：可免费使用（失效或届满的高价值专利）、即将到期、可许可（高校院所的有效专利）、可组建专利池的节点。",
        "Patent use path: free to use (lapsed or expired high-value patents), expiring soon, licensable "
        "(universities' and institutes' patents in force), and nodes for a patent pool."),
    "pathway_reserve": (
        "专利储备运营路径：风险专利（区域薄弱节点中区域外龙头在中国有效的专利）、可收购的高价值专利、各节点储备池。",
        "Reserve path: risk patents (patents in force in China held by leading outside players in the zone's weak "
        "nodes), high-value patents to acquire, and each node's reserve pool."),
    "plan": (
        "产业专利布局规划（未来3–5年）：数量——本区域最近5个完整年件/族数的直线趋势外推（含95%预测区间），目标在规划期内"
        "线性缩小与参照份额（对标区域，或全国领先城市）的差距（直线外推不超过拟合的年数，其后保持）；结构——发明占比、高价值件/族、海外（含PCT）占比取本区域与全国较高者；"
        "时机——按生命周期（萌芽期提前储备、成长期立即申请、成熟期外围布局、衰退期运营许可）；地域——本区域重点局与至少两家龙头布局的"
        "受理局，空白局为龙头布局而本区域未布局者；储备运营——路径模块的储备池、可收购、可许可等候选数。每行注明推导依据。",
        "The layout plan for the next 3–5 years: quantity — the zone's units over the last five complete years "
        "extended by a straight-line trend (with its 95% prediction interval; extended no further than the years it was fitted on, then held), the target closing the gap to a "
        "reference share (peer zones, else the nation's leading cities) linearly over the plan; structure — "
        "invention share, high-value units and share filed abroad, the better of the zone's and the nation's; "
        "timing — by lifecycle stage (emerging: reserve early; growth: file now; mature: fill around leaders' "
        "patents; declining: operate and license); geography — the zone's key offices and the offices where at "
        "least two leaders file, blank offices being those the zone has not used; reserve and operation — counts "
        "of module 3's pools. Every row states its derivation."),
    "plan_offices": (
        "地域布局矩阵：每个节点区域外前五名龙头与本区域在各受理局的件/族数及占比，≥30%为重点，>0为有，0为无。",
        "Applicant × office matrix: per node, the five leading organisations outside the zone and the zone, "
        "their units at each office and the share: ≥ 30% key (重点), some (有), none (无)."),
}


def definition(name: str) -> tuple[str, str]:
    """The plain (Chinese, English) definition of a table."""
    return DEFINITIONS[name]
