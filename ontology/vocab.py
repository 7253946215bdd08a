"""The closed graph vocabulary, read from ``core.ttl``.

Node labels, their typed properties and relationship types exist in PatNav only if ``core.ttl``
declares them: asking for anything else raises :class:`OntologyError` with the closest declared name
(like rdflib's ``DefinedNamespace(_fail=True)``). This module reads RDF; it knows nothing of engines.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from rdflib import RDF, XSD, Graph, Literal, Namespace, URIRef
from rdflib.namespace import OWL, SH

from ontology.errors import OntologyError

PN = Namespace("urn:patnav:core#")
CORE_TTL = Path(__file__).with_name("core.ttl")

#: xsd datatypes the graph model may use, and their short names used across PatNav.
DATATYPES = {XSD.string: "string", XSD.integer: "int", XSD.double: "double",
             XSD.boolean: "bool", XSD.date: "date"}


@dataclass(frozen=True)
class Prop:
    """A typed property: ``dtype`` is one of string/int/double/bool/date; ``many`` makes it a list."""

    name: str
    dtype: str
    many: bool = False


class _Typed:
    """Closed property lookup shared by node labels and relationship types."""

    properties: tuple[Prop, ...]

    def prop(self, name: str) -> Prop:
        owner = getattr(self, "label", None) or getattr(self, "type")
        return _closed(name, {p.name: p for p in self.properties}, f"property of {owner}")


@dataclass(frozen=True)
class NodeType(_Typed):
    label: str
    key: str
    properties: tuple[Prop, ...]
    label_en: str = ""
    label_zh: str = ""


@dataclass(frozen=True)
class RelType(_Typed):
    type: str
    endpoints: tuple[tuple[str, str], ...]
    properties: tuple[Prop, ...]
    label_en: str = ""
    label_zh: str = ""


@dataclass(frozen=True)
class Vocabulary:
    nodes: dict[str, NodeType]
    relationships: dict[str, RelType]
    version: str

    def node(self, label: str) -> NodeType:
        return _closed(label, self.nodes, "node label")

    def rel(self, rel_type: str) -> RelType:
        return _closed(rel_type, self.relationships, "relationship type")

    def endpoint(self, rel_type: str, src: str | None = None, dst: str | None = None) -> tuple[str, str]:
        """The (from, to) pair of ``rel_type``; ``src``/``dst`` pick one when it has several."""
        rel = self.rel(rel_type)
        pairs = [p for p in rel.endpoints if (src is None or p[0] == src) and (dst is None or p[1] == dst)]
        if len(pairs) != 1:
            raise OntologyError(
                f"{rel_type} connects {', '.join(f'{a}->{b}' for a, b in rel.endpoints)}; "
                f"name the endpoints (from={src!r}, to={dst!r}) so exactly one pair matches")
        return pairs[0]


def _closed(name, table, what):
    try:
        return table[name]
    except KeyError:
        near = difflib.get_close_matches(name, list(table), n=1)
        hint = f" Did you mean {near[0]!r}?" if near else ""
        raise OntologyError(f"{name!r} is not a declared {what} in ontology/core.ttl.{hint}") from None


def _label(g: Graph, subject, lang: str) -> str:
    for lit in g.objects(subject, URIRef("http://www.w3.org/2000/01/rdf-schema#label")):
        if isinstance(lit, Literal) and lit.language == lang:
            return str(lit)
    return ""


def _local(uri) -> str:
    return str(uri).rsplit("#", 1)[-1]


def _props(g: Graph, shapes, where: str) -> tuple[Prop, ...]:
    props = []
    for shape in shapes:
        path, dtype = g.value(shape, SH.path), g.value(shape, SH.datatype)
        if path is None or dtype not in DATATYPES:
            raise OntologyError(f"{where}: a property shape needs sh:path and one of the datatypes "
                                f"{', '.join(_local(d) for d in DATATYPES)}; found {dtype}")
        props.append(Prop(_local(path), DATATYPES[dtype], bool(g.value(shape, PN.many, default=False))))
    names = [p.name for p in props]
    if len(set(names)) != len(names):
        raise OntologyError(f"{where}: a property is declared twice: {sorted(names)}")
    return tuple(props)


def parse_vocabulary(g: Graph) -> Vocabulary:
    """Build the vocabulary from an RDF graph shaped like ``core.ttl``."""
    nodes: dict[str, NodeType] = {}
    for cls in sorted(set(g.subjects(RDF.type, OWL.Class)) & set(g.subjects(RDF.type, SH.NodeShape))):
        label = _local(cls)
        props = _props(g, g.objects(cls, SH.property), label)
        keys = [_local(g.value(s, SH.path)) for s in g.objects(cls, SH.property)
                if g.value(s, PN.key, default=Literal(False)).toPython() is True]
        if keys != ["id"]:
            raise OntologyError(f"{label}: exactly one key property named 'id' is required, found {keys}")
        # key first, then the others in name order: a stable column order for DDL and COPY
        props = tuple(sorted(props, key=lambda p: (p.name != "id", p.name)))
        nodes[label] = NodeType(label, "id", props, _label(g, cls, "en"), _label(g, cls, "zh"))
    rels: dict[str, RelType] = {}
    for rel in sorted(g.subjects(RDF.type, OWL.ObjectProperty)):
        name = _local(rel)
        pairs = []
        for ep in g.objects(rel, PN.endpoints):
            src, dst = _local(g.value(ep, PN["from"])), _local(g.value(ep, PN.to))
            for end in (src, dst):
                if end not in nodes:
                    raise OntologyError(f"{name}: endpoint {end!r} is not a declared node label")
            pairs.append((src, dst))
        if not pairs:
            raise OntologyError(f"{name}: declare at least one pn:endpoints [pn:from …; pn:to …]")
        props = tuple(sorted(_props(g, g.objects(rel, PN.edgeProperty), name), key=lambda p: p.name))
        rels[name] = RelType(name, tuple(sorted(pairs)), props, _label(g, rel, "en"), _label(g, rel, "zh"))
    version = str(g.value(URIRef("urn:patnav:core"), OWL.versionInfo, default=""))
    return Vocabulary(nodes, rels, version)


@lru_cache(maxsize=1)
def vocabulary() -> Vocabulary:
    """The shipped core vocabulary (cached)."""
    g = Graph()
    try:
        g.parse(CORE_TTL, format="turtle")
    except Exception as exc:  # rdflib raises several parser-specific types
        raise OntologyError(f"{CORE_TTL}: cannot parse Turtle: {exc}") from exc
    return parse_vocabulary(g)
