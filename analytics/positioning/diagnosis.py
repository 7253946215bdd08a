"""Problem diagnosis (问题诊断): rule-based findings on the zone's structure, enterprise cultivation,
technology and talent — each a Chinese and an English sentence that quotes its numbers and names the
table they come from. A function of the positioning tables only (nothing here queries the graph).

The rules (thresholds are ``RULES``' defaults, changed through ``Options.diagnosis``):

| id | dimension | finding when | numbers quoted |
|---|---|---|---|
| D0 | data | more than ``unknown`` of the units whose applicants could be the nation's have an applicant of no known country: every figure of the zone is a lower bound | their units, the nation's units |
| S0 | structure | the zone has no unit in the chain | its units (0), the nation's units |
| S1 | structure | the zone is specialised and growing (advantage) in leaf nodes where it holds ≥ ``min_units`` units | the zone's units, RTA against the reference |
| S2 | structure | hot nodes where the zone is weak or absent | world share of the node, zone RTA |
| S3 | structure | one node holds more than ``narrow`` of the zone's units | its share, the zone's units |
| E1 | enterprise | the zone's strongest applicant in the chain, its nation rank and gap to the leader | rank, units, gap |
| E2 | enterprise | one applicant holds more than ``dependence`` of the zone's units | its units, their share |
| E3 | enterprise | chain-leader (链主) candidates, or none | how many, their units |
| T1 | technology | invention share below / above the nation's by more than ``gap`` | zone and nation shares |
| T2 | technology | core-patent share below / above the world's by more than ``gap`` | zone and world shares |
| T3 | technology | overseas-filing share below / above the nation's by more than ``gap`` | zone and nation shares |
| L1 | talent | inventor share below ``thin`` × unit share (output rests on few people), where at least ``coverage`` of the zone's units name inventors | both shares |
| L2 | talent | core-layer inventors and net flow of inventors | counts |

Every finding rests on at least two numbers; ``checks`` lists, as JSON, each number as ``[table, {column:
value …} naming its row, column, value]`` — or ``[table, {column: value}, "count", n]`` for a number of
rows — so that tests (and readers) can find it.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from analytics.frames import CHAIN

RULES = {"narrow": 0.5, "dependence": 0.5, "gap": 0.05, "thin": 0.8, "coverage": 0.5, "min_units": 3.0,
         "unknown": 0.2}
COLUMNS = ["dimension", "rule", "kind", "text_zh", "text_en", "evidence", "checks"]


def _pct(v: float) -> str:
    """A share as written in a sentence, from the same rounded value its check records.

    >>> _pct(0.0485), _pct(0.12345), _pct(0.00049)
    ('4.9%', '12.3%', '0.0%')
    """
    return f"{round(float(v), 3) * 100:.1f}%"


def _num(v: float) -> str:
    return f"{v:,.1f}"


class _Findings:
    def __init__(self) -> None:
        self.rows: list[dict] = []

    def add(self, dimension: str, rule: str, kind: str, zh: str, en: str, evidence: str, checks: list) -> None:
        assert len(checks) >= 2, rule  # a finding rests on at least two numbers
        self.rows.append({"dimension": dimension, "rule": rule, "kind": kind, "text_zh": zh, "text_en": en,
                          "evidence": evidence, "checks": json.dumps(checks, ensure_ascii=False)})


def diagnose(nodes: pd.DataFrame, enterprises: pd.DataFrame, technology: pd.DataFrame, talent: pd.DataFrame,
             inventors: pd.DataFrame, names: dict[str, tuple[str, str]], zone_name: tuple[str, str],
             parents: set[str] = frozenset(), rules: dict | None = None,
             coverage: pd.DataFrame | None = None) -> pd.DataFrame:
    """Findings from the positioning tables; ``names`` maps node id → (Chinese, English) name, ``parents``
    are the nodes that hold other nodes (stages, branches with children); ``coverage`` is
    ``positioning_coverage`` (for D0)."""
    r = {**RULES, **(rules or {})}
    f = _Findings()
    zh_zone, en_zone = zone_name
    nm = lambda n, i: names.get(n, (n, n))[i]  # noqa: E731
    per = nodes[nodes["node"] != CHAIN]
    whole = nodes[nodes["node"] == CHAIN].iloc[0] if (nodes["node"] == CHAIN).any() else None
    if whole is None:
        return pd.DataFrame(columns=COLUMNS)
    stateless = coverage[coverage["placed_at"] == "country unknown"] if coverage is not None else coverage
    if stateless is not None and len(stateless):
        lost, nation = round(float(stateless["units"].iloc[0]), 1), round(float(whole["nation_units"]), 1)
        if lost > r["unknown"] * (lost + nation):
            f.add("data", "D0", "note",
                  f"数据提示：本产业链有{_num(lost)}件族的申请人国别不明（全国已知{_num(nation)}件族），其中可能有{zh_zone}的企业；"
                  "以下区域数字均为下限，结论须结合名录核实（见 positioning_coverage.csv）。",
                  f"Data caveat: {_num(lost)} units of the chain have applicants of no known country (the nation's known "
                  f"units: {_num(nation)}); some may be {en_zone}'s, so every figure below is a lower bound — check "
                  "against a roster (positioning_coverage.csv).",
                  "positioning_coverage.csv",
                  [["positioning_coverage", {"placed_at": "country unknown"}, "units", lost],
                   ["positioning_nodes", {"node": CHAIN}, "nation_units", nation]])
    if not whole["zone_units"] > 0:
        f.add("structure", "S0", "problem",
              f"{zh_zone}在本产业链没有专利（0件族；全国{_num(whole['nation_units'])}件族）：要么确无布局，要么其申请人未能定位"
              "（见 positioning_coverage.csv）。",
              f"{en_zone} has no patents in the chain (0 units; the nation {_num(whole['nation_units'])}): either it has "
              "none, or its applicants could not be placed (see positioning_coverage.csv).",
              "positioning_nodes.csv: node *, zone_units, nation_units",
              [["positioning_nodes", {"node": CHAIN}, "zone_units", 0.0],
               ["positioning_nodes", {"node": CHAIN}, "nation_units", round(float(whole["nation_units"]), 1)]])
        return pd.DataFrame(f.rows, columns=COLUMNS)
    ref = str(nodes["reference"].iloc[0]) if "reference" in nodes else "world"
    rta = f"rta_{ref}"
    ref_zh, ref_en = ("全球", "the world") if ref == "world" else ("全国", "the nation")
    leaves = per[~per["node"].isin(parents)]
    advantage = leaves[(leaves["quadrant"] == "advantage") & (leaves["zone_units"] >= r["min_units"])]
    adv = advantage.sort_values([rta, "node"], ascending=[False, True]).head(3)
    if len(adv):
        f.add("structure", "S1", "strength",
              f"{zh_zone}（全链{_num(whole['zone_units'])}件族）在{len(advantage)}个节点具备优势（专业化且增长不慢于{ref_zh}，"
              f"且≥{r['min_units']:g}件族）：" + "、".join(
                  f"{nm(x.node, 0)}（{_num(getattr(x, 'zone_units'))}件族，RTA {getattr(x, rta):.3f}）" for x in adv.itertuples())
              + "。",
              f"{en_zone} ({_num(whole['zone_units'])} units in the chain) holds an advantage (specialised and growing "
              f"at least as fast as {ref_en}, with ≥ {r['min_units']:g} units) in {len(advantage)} "
              f"node{'s' * (len(advantage) != 1)}: " + ", ".join(
                  f"{nm(x.node, 1)} ({_num(getattr(x, 'zone_units'))} units, RTA {getattr(x, rta):.3f})"
                  for x in adv.itertuples()) + ".",
              f"positioning_nodes.csv: quadrant, zone_units, {rta}",
              [c for x in adv.itertuples() for c in (
                  ["positioning_nodes", {"node": x.node}, "zone_units", round(float(x.zone_units), 1)],
                  ["positioning_nodes", {"node": x.node}, rta, round(float(getattr(x, rta)), 3)])]
              + [["positioning_nodes", {"node": CHAIN}, "zone_units", round(float(whole["zone_units"]), 1)]])
    weak_hot = leaves[(leaves["status"] == "hot") & leaves["quadrant"].isin(["weak", "gap"])]
    weak_hot = weak_hot.sort_values(["world_share", "node"], ascending=[False, True]).head(3)
    if len(weak_hot):
        f.add("structure", "S2", "problem",
              f"热点节点中{zh_zone}薄弱或空白：" + "、".join(
                  f"{nm(x.node, 0)}（占全球{_pct(x.world_share)}，区域RTA {getattr(x, rta):.3f}）" for x in weak_hot.itertuples())
              + "——补链候选。",
              f"Hot nodes where {en_zone} is weak or absent: " + ", ".join(
                  f"{nm(x.node, 1)} ({_pct(x.world_share)} of the world's units, zone RTA {getattr(x, rta):.3f})"
                  for x in weak_hot.itertuples()) + " — candidates to fill (补链).",
              f"positioning_nodes.csv: status, quadrant, world_share, {rta}",
              [c for x in weak_hot.itertuples() for c in
               (["positioning_nodes", {"node": x.node}, "world_share", round(float(x.world_share), 3)],
                ["positioning_nodes", {"node": x.node}, rta, round(float(getattr(x, rta)), 3)])])
    level = per[per["node_share"] > r["narrow"]].sort_values(["node_share", "node"], ascending=[False, True])
    leaves = level[~level["node"].isin(parents)]
    if len(leaves):
        x = leaves.iloc[0]
        f.add("structure", "S3", "problem",
              f"{zh_zone}的专利集中于{nm(x['node'], 0)}（占区域{_pct(x['node_share'])}，共{_num(whole['zone_units'])}件族），结构偏窄。",
              f"{en_zone}'s patents concentrate in {nm(x['node'], 1)} ({_pct(x['node_share'])} of the zone's "
              f"{_num(whole['zone_units'])} units): a narrow structure.",
              "positioning_nodes.csv: node_share, zone_units",
              [["positioning_nodes", {"node": x["node"]}, "node_share", round(float(x["node_share"]), 3)],
               ["positioning_nodes", {"node": CHAIN}, "zone_units", round(float(whole["zone_units"]), 1)]])

    chain_firms = enterprises[enterprises["node"] == CHAIN]
    if len(chain_firms):
        top = chain_firms.iloc[0]
        # a roster firm of another country has no nation rank: its world rank is quoted instead
        rank_col = "rank_nation" if not pd.isna(top["rank_nation"]) else "rank_world"
        rank = int(top[rank_col])
        where_zh, where_en = ((f"全国第{rank}位", f"number {rank} in the nation") if rank_col == "rank_nation"
                              else (f"全球第{rank}位", f"number {rank} in the world"))
        rank_check = ["positioning_enterprises", {"node": CHAIN, "applicant": top["applicant"]}, rank_col, rank]
        f.add("enterprise", "E1", "note",
              f"{zh_zone}在本产业链最强的申请人是{top['name']}：{_num(top['units'])}件族，{where_zh}，"
              + (f"落后全球第一（{top['leader']}）{_num(top['gap_to_leader'])}件族。" if top["gap_to_leader"] > 0
                 else f"与全球第一并列或领先（差距{_num(top['gap_to_leader'])}件族）。"),
              f"{en_zone}'s strongest applicant in the chain is {top['name']}: {_num(top['units'])} units, {where_en}, "
              + (f"{_num(top['gap_to_leader'])} units behind the world leader ({top['leader']})." if top["gap_to_leader"] > 0
                 else f"level with the world's first ({_num(top['gap_to_leader'])} units behind)."),
              "positioning_enterprises.csv: node *, units, rank_nation, gap_to_leader",
              [["positioning_enterprises", {"node": CHAIN, "applicant": top["applicant"]}, "units", round(float(top["units"]), 1)],
               [*rank_check],
               ["positioning_enterprises", {"node": CHAIN, "applicant": top["applicant"]}, "gap_to_leader",
                round(float(top["gap_to_leader"]), 1)]])
        share = float(top["units"]) / float(whole["zone_units"])
        if share > r["dependence"]:
            f.add("enterprise", "E2", "problem",
                  f"{zh_zone}依赖单一企业：{top['name']}占区域{_pct(share)}（{_num(top['units'])}/{_num(whole['zone_units'])}件族），企业梯队待培育。",
                  f"{en_zone} depends on one firm: {top['name']} holds {_pct(share)} of the zone's units "
                  f"({_num(top['units'])} of {_num(whole['zone_units'])}); the next tiers need cultivating.",
                  "positioning_enterprises.csv, positioning_nodes.csv: units",
                  [["positioning_enterprises", {"node": CHAIN, "applicant": top["applicant"]}, "units", round(float(top["units"]), 1)],
                   ["positioning_nodes", {"node": CHAIN}, "zone_units", round(float(whole["zone_units"]), 1)]])
        leaders = chain_firms[chain_firms["chain_leader_candidate"]]
        f.add("enterprise", "E3", "strength" if len(leaders) else "problem",
              (f"{zh_zone}有{len(leaders)}家链主候选企业（全国前十且覆盖≥3个分支）：" + "、".join(
                  f"{x.name}（{_num(x.units)}件族，全国第{int(x.rank_nation)}位）" for x in leaders.itertuples()) + "。"
               if len(leaders) else f"{zh_zone}尚无链主候选企业：最强者{where_zh}，{_num(top['units'])}件族。"),
              (f"{en_zone} has {len(leaders)} chain-leader (链主) candidate{'s' * (len(leaders) != 1)} (national top 10 "
               "across ≥ 3 branches): " + ", ".join(f"{x.name} ({_num(x.units)} units, number {int(x.rank_nation)} in "
                                                   "the nation)" for x in leaders.itertuples()) + "."
               if len(leaders) else
               f"{en_zone} has no chain-leader (链主) candidate: its strongest applicant is {where_en} with "
               f"{_num(top['units'])} units."),
              "positioning_enterprises.csv: chain_leader_candidate, units, rank_nation",
              [c for x in leaders.itertuples() for c in (
                  ["positioning_enterprises", {"node": CHAIN, "applicant": x.applicant}, "units", round(float(x.units), 1)],
                  ["positioning_enterprises", {"node": CHAIN, "applicant": x.applicant}, "rank_nation",
                   int(x.rank_nation)])]
              if len(leaders) else
              [rank_check,
               ["positioning_enterprises", {"node": CHAIN, "applicant": top["applicant"]}, "units", round(float(top["units"]), 1)]])

    tech = technology[technology["node"] == CHAIN].set_index("scope")
    for rule, col, ref, zh_label, en_label in (("T1", "invention_share", "nation", "发明专利占比", "invention share"),
                                               ("T2", "core_share", "world", "核心专利占比", "core-patent share"),
                                               ("T3", "overseas_share", "nation", "海外布局占比", "overseas-filing share")):
        if not {"zone", ref} <= set(tech.index):
            continue
        z, o = float(tech.loc["zone", col]), float(tech.loc[ref, col])
        if np.isnan(z) or np.isnan(o) or abs(z - o) <= r["gap"]:
            continue
        lower = z < o
        ref_zh = "全国" if ref == "nation" else "全球"
        f.add("technology", rule, "problem" if lower else "strength",
              f"{zh_zone}{zh_label}{_pct(z)}，{'低于' if lower else '高于'}{ref_zh}的{_pct(o)}。",
              f"{en_zone}'s {en_label} is {_pct(z)}, {'below' if lower else 'above'} the {ref}'s {_pct(o)}.",
              f"positioning_technology.csv: node *, {col}",
              [["positioning_technology", {"node": CHAIN, "scope": "zone"}, col, round(z, 3)],
               ["positioning_technology", {"node": CHAIN, "scope": ref}, col, round(o, 3)]])

    chain_talent = talent[talent["node"] == CHAIN]
    if len(chain_talent):
        t = chain_talent.iloc[0]
        if t["unit_share"] > 0 and t["inventor_share"] < r["thin"] * t["unit_share"] and \
                t["inventor_coverage"] >= r["coverage"]:
            f.add("talent", "L1", "problem",
                  f"{zh_zone}发明人占比{_pct(t['inventor_share'])}，低于其专利份额{_pct(t['unit_share'])}：产出依赖少数发明人。",
                  f"{en_zone} has {_pct(t['inventor_share'])} of the chain's inventors but {_pct(t['unit_share'])} of its "
                  "units: output rests on few inventors.",
                  "positioning_talent.csv: node *, inventor_share, unit_share",
                  [["positioning_talent", {"node": CHAIN}, "inventor_share", round(float(t["inventor_share"]), 3)],
                   ["positioning_talent", {"node": CHAIN}, "unit_share", round(float(t["unit_share"]), 3)]])
    if len(inventors):
        core = int((inventors["layer"] == "core").sum())
        outs, ins = int((inventors["flow"] == "out").sum()), int((inventors["flow"] == "in").sum())
        f.add("talent", "L2", "note" if ins >= outs else "problem",
              f"{zh_zone}核心层发明人{core}人（≥13件族）；流入{ins}人、流出{outs}人（发明人按姓名识别，同名者合并）。",
              f"{en_zone} has {core} core inventor{'s' * (core != 1)} (≥ 13 units); {ins} inventor{'s' * (ins != 1)} "
              f"came, {outs} left (inventors matched by name: namesakes are one).",
              "positioning_inventors.csv: layer, flow",
              [["positioning_inventors", {"layer": "core"}, "count", core], ["positioning_inventors", {"flow": "in"}, "count", ins],
               ["positioning_inventors", {"flow": "out"}, "count", outs]])
    return pd.DataFrame(f.rows, columns=COLUMNS)


def positioning_diagnosis(store, scheme: str, options=None) -> pd.DataFrame:
    """Problem diagnosis of the zone (问题诊断): rule-based findings on structure, enterprise cultivation,
    technology and talent (the rules are in this module's docstring), each a Chinese and an English
    sentence quoting its numbers, with the table they come from (``evidence``) and, as JSON, each
    number's table, row and column (``checks``).

    Returns columns: dimension, rule, kind (strength / problem / note), text_zh, text_en, evidence, checks.
    """
    from analytics.cypher import run_query
    from analytics.options import Options
    from analytics.positioning import cached
    from analytics.positioning.enterprises import positioning_enterprises
    from analytics.positioning.structure import positioning_nodes
    from analytics.positioning.talent import positioning_inventors, positioning_talent
    from analytics.positioning.technology import positioning_technology
    options = options or Options()
    if options.zone is None:
        return pd.DataFrame(columns=COLUMNS)
    chain = run_query(store, "chain_nodes", scheme=scheme)
    names = {n: (zh or n, en or n) for n, zh, en in zip(chain["node"], chain["name_zh"], chain["name_en"])}
    tables = [cached(store, fn, scheme, options) for fn in (positioning_nodes, positioning_enterprises,
                                                          positioning_technology, positioning_talent,
                                                          positioning_inventors)]
    zone = options.zone
    from analytics.positioning.structure import positioning_coverage
    return diagnose(*tables, names, (zone.name_zh, zone.name_en), set(chain["parent"].dropna()),
                    options.diagnosis, cached(store, positioning_coverage, scheme, options))
