"""The closed vocabulary: core.ttl declares the graph model, and code uses nothing else."""

import ast
import re
from pathlib import Path

import pytest
from rdflib import Graph

from ontology.errors import OntologyError
from ontology.vocab import CORE_TTL, parse_vocabulary, vocabulary

ROOT = Path(__file__).resolve().parents[1]
# DESIGN.md §3
DESIGN_LABELS = {"Patent", "Family", "Applicant", "Inventor", "IPC", "ChainNode", "Region"}
DESIGN_RELS = {"APPLIED_BY", "INVENTED_BY", "CLASSIFIED_AS", "IN_NODE", "CITES", "IN_FAMILY", "PART_OF",
               "SUPPLIES", "LOCATED_IN", "WITHIN", "PART_OF_GROUP"}


def test_core_declares_the_design_model():
    v = vocabulary()
    assert set(v.nodes) == DESIGN_LABELS
    assert set(v.relationships) == DESIGN_RELS
    for node in v.nodes.values():
        assert node.properties[0].name == "id" and node.key == "id"
        assert node.label_en and node.label_zh, node.label
    assert v.rel("LOCATED_IN").endpoints == (("Applicant", "Region"), ("Inventor", "Region"))
    assert v.node("Patent").prop("family_offices").many
    assert v.node("Patent").prop("app_year").dtype == "int"


def test_unknown_names_fail_with_a_suggestion():
    with pytest.raises(OntologyError, match="Did you mean 'Patent'"):
        vocabulary().node("Patnet")
    with pytest.raises(OntologyError, match="relationship type"):
        vocabulary().rel("APPLIED")
    with pytest.raises(OntologyError, match="name the endpoints"):
        vocabulary().endpoint("LOCATED_IN")
    assert vocabulary().endpoint("LOCATED_IN", src="Inventor") == ("Inventor", "Region")
    with pytest.raises(OntologyError, match="not a declared property of Patent.*'claims'"):
        vocabulary().node("Patent").prop("claim")
    with pytest.raises(OntologyError, match="not a declared property of IN_NODE"):
        vocabulary().rel("IN_NODE").prop("weight")


def test_broken_vocabulary_is_refused():
    text = CORE_TTL.read_text().replace("pn:endpoints [ pn:from pn:Patent ; pn:to pn:Family ]",
                                        "pn:endpoints [ pn:from pn:Patent ; pn:to pn:Famly ]")
    with pytest.raises(OntologyError, match="'Famly' is not a declared node label"):
        parse_vocabulary(Graph().parse(data=text, format="turtle"))
    text = CORE_TTL.read_text().replace("[ sh:path pn:app_year ; sh:datatype xsd:integer ]",
                                        "[ sh:path pn:app_year ; sh:datatype xsd:gYear ]")
    with pytest.raises(OntologyError, match="Patent: a property shape needs"):
        parse_vocabulary(Graph().parse(data=text, format="turtle"))


NODE_USE = re.compile(r"\(\s*[a-z_]\w*\s*:\s*([A-Z][A-Za-z]*)\b|\(\s*:\s*([A-Z][A-Za-z]*)\b")
REL_USE = re.compile(r"\[\s*[a-z_]?\w*\s*:\s*([A-Z][A-Z_]+)\b")


def used_names(text: str) -> tuple[set[str], set[str]]:
    """Labels and relationship types that Cypher fragments in ``text`` use."""
    nodes = {a or b for a, b in NODE_USE.findall(text)}
    return nodes, set(REL_USE.findall(text))


def test_the_checker_sees_undeclared_names():
    nodes, rels = used_names('q = "MATCH (p:Patnt)-[r:APPLIED_BYY]->(:Applicant) RETURN p"')
    assert nodes == {"Patnt", "Applicant"} and rels == {"APPLIED_BYY"}


CYPHER_WORD = re.compile(r"\b(MATCH|MERGE|CREATE|RETURN|COPY|LOAD FROM)\b")


def cypher_text(path: Path) -> str:
    """A .cypher file whole; of a .py file, its string literals that read like Cypher."""
    if path.suffix == ".cypher":
        return path.read_text()
    tree = ast.parse(path.read_text())
    return "\x00".join(n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)
                     and CYPHER_WORD.search(n.value))


def test_code_uses_only_declared_labels_and_types():
    v = vocabulary()
    files = [p for d in ("graph", "ingest", "analytics", "api", "bench", "tests") for p in (ROOT / d).rglob("*")
             if p.suffix in (".py", ".cypher") and p.name != "test_vocabulary.py"]
    assert len(files) >= 10
    bad = []
    for path in files:
        nodes, rels = used_names(cypher_text(path))
        bad += [f"{path.relative_to(ROOT)}: label {n}" for n in nodes - set(v.nodes)]
        bad += [f"{path.relative_to(ROOT)}: type {r}" for r in rels - set(v.relationships)]
    assert not bad, "undeclared in ontology/core.ttl:\n" + "\n".join(bad)
