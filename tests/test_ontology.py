"""The expert workflow on schemes: validate (exit 0 / 1 with concept, field and fix / 2), the Excel
round-trip (lossless: rdflib graph isomorphism), and diff with the patents a change would move."""

import json
import re
from pathlib import Path

import openpyxl
import pytest
from rdflib import Graph
from rdflib.compare import isomorphic
from typer.testing import CliRunner

from api.cli import app
from api.workflow import demo_files
from ontology.chains import CHAINS_DIR
from ontology.workbook import export_workbook, import_workbook

runner = CliRunner()
ICV = CHAINS_DIR / "icv.ttl"

BASE = """
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix pn: <urn:patnav:core#> .
@prefix t: <urn:test#> .
t: a skos:ConceptScheme ; pn:schemeId "tiny" ; skos:prefLabel "小链"@zh , "Tiny"@en .
t:U a skos:Concept ; skos:inScheme t: ; skos:topConceptOf t: ; pn:code "U" ; pn:stage "upstream" ;
   skos:prefLabel "上游"@zh , "Upstream"@en .
t:U1 a skos:Concept ; skos:inScheme t: ; skos:broader t:U ; pn:code "U1" ; pn:stage "upstream" ;
   skos:prefLabel "激光雷达"@zh , "LiDAR"@en ; pn:ipcInclude "G01S17*" ; pn:keyword "lidar"@en ;
   pn:rule [ a pn:Rule ; pn:ruleNo 1 ; pn:ipcInclude "G01S7/48*" ; pn:ipcExclude "G01S7/486" ] .
t:M1 a skos:Concept ; skos:inScheme t: ; skos:topConceptOf t: ; pn:code "M1" ; pn:stage "midstream" ;
   skos:prefLabel "规划"@zh , "Planning"@en ; pn:ipcInclude "B60W" .
t:U1 pn:supplies t:M1 .
"""
BROKEN = {
    "no English name": (', "LiDAR"@en', "", r"concept U1: skos:prefLabel: give exactly one English name"),
    "stage misspelt": ('pn:code "U1" ; pn:stage "upstream"', 'pn:code "U1" ; pn:stage "upstrem"',
                       r"concept U1: pn:stage: write upstream, midstream or downstream \(found 'upstrem'\)"),
    "bad pattern": ('"G01S17*"', '"G01S 17*x"', r"concept U1: pn:ipcInclude: not an IPC/CPC pattern"),
    "bad rule pattern": ('"G01S7/486"', '"7/486"', r"concept U1 rule 1: pn:ipcExclude: not an IPC/CPC pattern"),
    "rule without include": ('pn:ruleNo 1 ; pn:ipcInclude "G01S7/48*" ;', "pn:ruleNo 1 ;",
                             r"concept U1 rule 1: pn:ipcInclude: a rule needs at least one include pattern"),
    "no parent": ("skos:broader t:U ; ", "", r"concept U1: skos:broader: a concept that is not a top concept"),
    "cycle": ('t:U a skos:Concept ; skos:inScheme t: ; skos:topConceptOf t: ;',
              't:U a skos:Concept ; skos:inScheme t: ; skos:broader t:U1 ;', r"loops back to this concept"),
    "duplicate code": ('pn:code "M1"', 'pn:code "U1"', r"pn:code: U1 is used by another concept"),
    "missing stage": ('pn:code "M1" ; pn:stage "midstream" ;', 'pn:code "M1" ;',
                      r"concept M1: pn:stage: every concept of a chain needs a stage"),
    "no scheme id": ('pn:schemeId "tiny" ; ', "", r"scheme.*pn:schemeId|pn:schemeId"),
}


def _write(tmp_path: Path, text: str, name: str = "scheme.ttl") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("path", sorted(CHAINS_DIR.glob("*.ttl")), ids=lambda p: p.stem)
def test_shipped_schemes_conform(path):
    result = runner.invoke(app, ["ontology", "validate", str(path)])
    assert result.exit_code == 0 and "conforms" in result.output, result.output


def test_the_base_fixture_conforms(tmp_path):
    assert runner.invoke(app, ["ontology", "validate", str(_write(tmp_path, BASE))]).exit_code == 0


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_broken_schemes_exit_1_naming_concept_field_and_fix(tmp_path, case):
    old, new, message = BROKEN[case]
    assert old in BASE
    result = runner.invoke(app, ["ontology", "validate", str(_write(tmp_path, BASE.replace(old, new)))])
    assert result.exit_code == 1, result.output
    assert re.search(message, " ".join(result.output.split())), result.output


def test_unreadable_files_exit_2(tmp_path):
    assert runner.invoke(app, ["ontology", "validate", str(tmp_path / "none.ttl")]).exit_code == 2
    bad = _write(tmp_path, "this is not turtle {{{")
    result = runner.invoke(app, ["ontology", "validate", str(bad)])
    assert result.exit_code == 2 and "not readable Turtle" in result.output


ODD = BASE + """
t:U1 skos:altLabel "LIDAR 传感器"@zh ; skos:prefLabel "Light detection"@en-GB ; pn:keyword "lidar; radar"@en ;
   rdfs:seeAlso <http://example.org/lidar> ; pn:weight 1.50 .
t:M1 pn:rule t:namedRule .
t:namedRule a pn:Rule ; pn:ruleNo 2 ; pn:ipcInclude "G08G1/16" .
t:U pn:note [ rdfs:label "a blank node the sheets have no column for" ] .
"""


CURATED = [p for p in sorted(CHAINS_DIR.glob("*.ttl")) if p.stem != "sei-2021"]  # sei-2021: 303 blank nodes,
# rdflib's isomorphism check alone takes ~40 s there; the same code paths run on the curated chains


@pytest.mark.parametrize("text", [p.read_text(encoding="utf-8") for p in CURATED] + [BASE, ODD],
                         ids=[p.stem for p in CURATED] + ["base", "odd"])
def test_excel_round_trip_is_lossless(tmp_path, text):
    """Every triple comes back — the structured sheets hold what they can, `other` the rest (a keyword
    with a semicolon, a named rule, a British label, a foreign blank node)."""
    g = Graph().parse(data=text, format="turtle")
    back = import_workbook(export_workbook(g, tmp_path / "s.xlsx"))
    assert len(back) == len(g) and isomorphic(g, back)


@pytest.fixture(scope="module")
def sample_db(tmp_path_factory) -> Path:
    db = tmp_path_factory.mktemp("ontodb") / "db"
    files = [str(p) for p in demo_files("icv")]
    assert runner.invoke(app, ["ingest", *files, "--db", str(db)]).exit_code == 0
    return db


def test_an_edited_workbook_comes_back_validated_and_diff_counts_the_patents_it_moves(tmp_path, sample_db):
    """The expert drops G01S17* from LiDAR and adds a concept: import validates, diff lists both changes,
    and the patents it says would move all carry a G01S17 code in the graph."""
    xlsx = tmp_path / "icv.xlsx"
    assert runner.invoke(app, ["ontology", "export", str(ICV), "--xlsx", str(xlsx)]).exit_code == 0
    wb = openpyxl.load_workbook(xlsx)
    ws = wb["concepts"]
    header = [c.value for c in ws[1]]
    for row in ws.iter_rows(min_row=2):
        if row[header.index("code")].value == "U1.1":
            cell = row[header.index("ipc_include")]
            cell.value = " ".join(p for p in cell.value.split() if p != "G01S17*")
    ws.append(["", "U1.9", "4D成像雷达", "4D imaging radar", "upstream", "U1", "", "", "G01S13/89*"] + [""] * 6)
    wb.save(xlsx)
    edited = tmp_path / "icv-edited.ttl"
    result = runner.invoke(app, ["ontology", "import", str(xlsx), "--ttl", str(edited)])
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["ontology", "diff", str(ICV), str(edited), "--db", str(sample_db)])
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert re.search(r"U1\.1 │ changed │ rule │ #0: \+G01S17\* G01S7/48\*", text), text
    assert re.search(r"U1\.9 │ added │", text) and "3 change(s)" in text
    moved = int(re.search(r"would change node: ([\d,]+)", text).group(1).replace(",", ""))
    query = ("MATCH (p:Patent)-[:CLASSIFIED_AS]->(c:IPC) WHERE c.id STARTS WITH 'G01S17' OR "
             "c.id STARTS WITH 'G01S13/89' RETURN DISTINCT p.id AS id")
    touched = {r["id"] for r in json.loads(runner.invoke(app, ["query", "--db", str(sample_db), "--format", "json",
                                                                query]).stdout)}
    assert 0 < moved <= len(touched)
    examples = re.search(r"e\.g\. (.*)$", text).group(1).split(", ")
    assert set(e.strip() for e in examples) <= touched


def test_ipc_hierarchy_with_titles_is_loaded_for_the_codes_in_the_graph(sample_db):
    """Each IPC code gets its ancestors up to the section, PART_OF links and the titles the list has;
    running it twice changes nothing."""
    titles = Path(__file__).parent / "data" / "ipc" / "titles-excerpt.tsv"  # a few lines of WIPO's IPC titles
    first = runner.invoke(app, ["ontology", "ipc", "--titles", str(titles), "--db", str(sample_db)])
    assert first.exit_code == 0, first.output

    def ask(cypher):
        return json.loads(runner.invoke(app, ["query", "--db", str(sample_db), "--format", "json", cypher]).stdout)
    path = ask("MATCH (c:IPC {id: 'G01S17/931'})-[:PART_OF*1..4]->(u:IPC) RETURN u.id AS id, u.level AS level, "
               "u.title AS title ORDER BY id")
    assert [(r["id"], r["level"]) for r in path] == [("G", "section"), ("G01", "class"), ("G01S", "subclass"),
                                                      ("G01S17/00", "group")]
    assert path[-1]["title"].startswith("Systems using the reflection or reradiation of electromagnetic waves")
    count = ask("MATCH (c:IPC) RETURN count(*) AS n")[0]["n"]
    again = runner.invoke(app, ["ontology", "ipc", "--titles", str(titles), "--db", str(sample_db)])
    assert again.exit_code == 0 and ask("MATCH (c:IPC) RETURN count(*) AS n")[0]["n"] == count
    assert ask("MATCH (c:IPC {id: 'G01S17/931'}) RETURN c.title AS t")[0]["t"] is None  # newer than the list
    assert "no title for e.g." in " ".join(first.output.split())


def test_a_workbook_import_reports_every_problem_and_normalises_ipc_as_typed(tmp_path):
    """An expert types `b60w 30/09` (lowercase, a space inside the symbol): it is read as B60W30/09. A
    workbook with several mistakes names them all in one message, not the first only."""
    from ontology.workbook import import_workbook
    xlsx = tmp_path / "icv.xlsx"
    assert runner.invoke(app, ["ontology", "export", str(ICV), "--xlsx", str(xlsx)]).exit_code == 0
    wb = openpyxl.load_workbook(xlsx)
    ws = wb["concepts"]
    header = [c.value for c in ws[1]]
    for row in ws.iter_rows(min_row=2):
        if row[header.index("code")].value == "U1.1":
            row[header.index("ipc_include")].value = "b60w 30/09  G01S17*"
    wb.save(xlsx)
    g = import_workbook(xlsx)
    assert {str(o) for o in g.objects(None, None) if str(o) in ("B60W30/09", "b60w", "30/09")} == {"B60W30/09"}
    for row in ws.iter_rows(min_row=2):
        code = row[header.index("code")].value
        if code == "U1.2":
            row[header.index("parent")].value = "NOPE"
        if code == "U1.3":
            row[header.index("ipc_include")].value = "X9 G01S13*"
    wb["supplies"].append(["ZZZ", "U1"])
    wb.save(xlsx)
    result = runner.invoke(app, ["ontology", "import", str(xlsx), "--ttl", str(tmp_path / "bad.ttl")])
    text = " ".join(result.output.split())
    assert result.exit_code == 1 and "3 problem(s)" in text, text
    assert "'NOPE'" in text and "'X9' is not an IPC pattern" in text and "'ZZZ'" in text and "Traceback" not in text
