"""Check a chain or classification scheme file the way an expert needs: every problem named by concept,
field and what to change.

Two layers, both run: the SHACL shapes in ``ontology/shapes.ttl`` (pyshacl; labels, stages, parents,
patterns, same-scheme links, cycles, unique codes) and the loader PatNav itself uses
(:func:`ontology.chains.parse_chain`), so a file that validates also loads.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from pyshacl import validate as shacl_validate
from rdflib import RDF, Graph, Literal, URIRef
from rdflib.namespace import SH

from ontology.chains import parse_chain
from ontology.errors import OntologyError
from ontology.vocab import PN

SHAPES = Path(__file__).with_name("shapes.ttl")


class CannotLoad(OntologyError):
    """The file is missing or is not Turtle: nothing to validate."""


@dataclass(frozen=True)
class Violation:
    concept: str   # the concept's code (or the scheme / rule it concerns)
    field: str     # the property, e.g. skos:prefLabel
    message: str   # what is wrong and what to write instead

    def __str__(self) -> str:
        return f"{self.concept}: {self.field}: {self.message}"


@lru_cache(maxsize=1)
def _shapes() -> Graph:
    return Graph().parse(SHAPES, format="turtle")


def load_turtle(path: str | Path) -> Graph:
    path = Path(path)
    if not path.is_file():
        raise CannotLoad(f"{path}: no such file")
    try:
        return Graph().parse(path, format="turtle")
    except Exception as exc:  # rdflib raises several parser-specific types
        raise CannotLoad(f"{path}: not readable Turtle: {exc}") from exc


def _name(g: Graph, node) -> str:
    """A concept's code, a rule as "<code> rule <n>", the scheme's id, else the node itself."""
    code = g.value(node, PN.code)
    if code is not None:
        return f"concept {code}"
    owner = g.value(predicate=PN.rule, object=node)
    if owner is not None:
        return f"concept {g.value(owner, PN.code)} rule {g.value(node, PN.ruleNo)}"
    scheme = g.value(node, PN.schemeId)
    return f"scheme {scheme}" if scheme is not None else str(node)


def _field(g: Graph, path) -> str:
    if path is None:
        return "-"
    return g.namespace_manager.normalizeUri(path) if isinstance(path, URIRef) else str(path)


def validate_graph(g: Graph, source: str = "") -> list[Violation]:
    """Every violation of the shapes and of the loader's rules; empty when the scheme is usable."""
    g.bind("pn", PN)
    _, report, _ = shacl_validate(g, shacl_graph=_shapes(), advanced=True, allow_warnings=True)
    out = []
    for result in report.subjects(RDF.type, SH.ValidationResult):
        focus = report.value(result, SH.focusNode)
        message = report.value(result, SH.resultMessage)
        value = report.value(result, SH.value)
        text = str(message) if message is not None else "does not conform"
        if value is not None and isinstance(value, Literal) and "{" not in text:
            text += f" (found {str(value)!r})"
        field = _field(g, report.value(result, SH.resultPath))
        head, sep, rest = text.partition(": ")
        if sep and ":" in head and " " not in head.replace(" / ", "/"):  # messages start with the field they fix
            field, text = head, rest
        out.append(Violation(_name(g, focus), field, text))
    if not out:  # the loader's own checks, e.g. exactly one scheme per file
        try:
            parse_chain(g, source=source)
        except OntologyError as exc:
            out.append(Violation(source or "file", "-", str(exc)))
    return sorted(set(out), key=lambda v: (v.concept, v.field, v.message))


def validate_file(path: str | Path) -> list[Violation]:
    """Violations of a scheme file; raises :class:`CannotLoad` when it cannot be read at all."""
    return validate_graph(load_turtle(path), source=Path(path).name)
