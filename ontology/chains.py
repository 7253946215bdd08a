"""Industry chains (产业链) as SKOS concept schemes, read from Turtle into plain, validated objects.

A chain file (``ontology/chains/<id>.ttl``) declares one ``skos:ConceptScheme`` and its concepts with
codes, stages, zh/en labels, ``skos:broader`` hierarchy, ``pn:supplies`` links and classification
rules (IPC/CPC include/exclude patterns, keywords, exclusion keywords); the header of ``icv.ttl``
explains each term. This module only reads and checks; applying the rules is ``ingest.classify``.
Errors name the concept, the field and what to change.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pandas as pd
from rdflib import RDF, Graph, Literal
from rdflib.namespace import OWL, RDFS, SKOS

from ontology.errors import OntologyError
from ontology.vocab import PN

CHAINS_DIR = Path(__file__).with_name("chains")
STAGES = ("upstream", "midstream", "downstream")
STAGE_LABELS = {"upstream": ("上游", "Upstream"), "midstream": ("中游", "Midstream"),
                "downstream": ("下游", "Downstream")}

#: class `G16*`; subclass `B60W` / `B60W*`; main group `G01S17*` / `G06F11`; exact group `G08G1/16`;
#: subgroup prefix `G01S7/48*`.
IPC_PATTERN = re.compile(r"^[A-HY]\d\d\*$|^[A-HY]\d\d[A-Z]\*?$|^[A-HY]\d\d[A-Z]\d{1,4}\*?$"
                         r"|^[A-HY]\d\d[A-Z]\d{1,4}/\d{2,7}\*?$")


@dataclass(frozen=True)
class Rule:
    """IPC/CPC includes with the excludes that apply to them: a code counts when it matches an include and
    no exclude of the same rule. ``number`` 0 is a concept's own pn:ipcInclude / pn:ipcExclude."""

    number: int
    include: tuple[str, ...]
    exclude: tuple[str, ...] = ()
    note: str = ""


@dataclass(frozen=True)
class Concept:
    """One chain node with its rules; ``id`` is ``<scheme>:<code>``."""

    id: str
    code: str
    name_zh: str
    name_en: str
    stage: str
    level: int
    parent: str | None
    weight: float = 1.0
    keywords: tuple[str, ...] = ()
    exclude_keywords: tuple[str, ...] = ()
    rules: tuple[Rule, ...] = ()


@dataclass(frozen=True)
class Chain:
    """A chain scheme: concepts in file order of codes, supply links, corpus-level denoise rules."""

    scheme: str
    name_zh: str
    name_en: str
    version: str
    concepts: tuple[Concept, ...]
    supplies: tuple[tuple[str, str], ...]
    exclude_ipc: tuple[str, ...] = ()
    exclude_keywords: tuple[str, ...] = ()
    kind: str = "chain"
    source: str = ""
    sha256: str = ""
    _by_id: dict = field(default_factory=dict, compare=False, repr=False)

    def concept(self, concept_id: str) -> Concept:
        return self._by_id[concept_id]

    def ancestors(self, concept_id: str) -> list[str]:
        """Parent, grandparent, … of a concept (nearest first)."""
        out, parent = [], self._by_id[concept_id].parent
        while parent:
            out.append(parent)
            parent = self._by_id[parent].parent
        return out

    def frames(self) -> dict[str, pd.DataFrame]:
        """``ChainNode``, ``PART_OF`` and ``SUPPLIES`` frames for ``GraphStore`` loads."""
        nodes = pd.DataFrame([{"id": c.id, "name_zh": c.name_zh, "name_en": c.name_en, "scheme": self.scheme,
                               "code": c.code, "stage": c.stage, "level": c.level, "weight": c.weight}
                              for c in self.concepts])
        part_of = pd.DataFrame([{"from": c.id, "to": c.parent} for c in self.concepts if c.parent],
                               columns=["from", "to"])
        supplies = pd.DataFrame(list(self.supplies), columns=["from", "to"])
        part_of.attrs["endpoints"] = ("ChainNode", "ChainNode")  # PART_OF also links IPC → IPC
        return {"ChainNode": nodes, "PART_OF": part_of, "SUPPLIES": supplies}


def _text(g: Graph, s, p, lang: str | None = None) -> str:
    for o in g.objects(s, p):
        if isinstance(o, Literal) and (lang is None or o.language == lang):
            return str(o).strip()
    return ""


def _all(g: Graph, s, p) -> tuple[str, ...]:
    return tuple(sorted({str(o).strip() for o in g.objects(s, p) if isinstance(o, Literal) and str(o).strip()}))


def _check_patterns(where: str, prop: str, patterns: tuple[str, ...]) -> tuple[str, ...]:
    out = []
    for pat in patterns:
        norm = re.sub(r"\s+", "", pat).upper()
        if not IPC_PATTERN.match(norm):
            raise OntologyError(f"{where}: {prop} {pat!r} is not an IPC/CPC pattern; write e.g. 'G01S17*' "
                                f"(main group), 'B60W' (subclass), 'G08G1/16' (one group) or 'G01S7/48*'")
        out.append(norm)
    return tuple(out)


def parse_chain(g: Graph, source: str = "") -> Chain:
    """The one concept scheme in ``g`` as a validated :class:`Chain`."""
    schemes = list(g.subjects(RDF.type, SKOS.ConceptScheme))
    if len(schemes) != 1:
        raise OntologyError(f"{source}: a chain file declares exactly one skos:ConceptScheme, found {len(schemes)}")
    scheme_uri = schemes[0]
    scheme = _text(g, scheme_uri, PN.schemeId)
    if not re.fullmatch(r"[a-z][a-z0-9-]*", scheme):
        raise OntologyError(f"{source}: the scheme needs pn:schemeId, a short lower-case id like 'icv'; "
                            f"found {scheme!r}")
    kind = _text(g, scheme_uri, PN.kind) or "chain"
    if kind not in ("chain", "classification"):
        raise OntologyError(f"{source}: pn:kind {kind!r} must be 'chain' (staged) or 'classification'")
    raw = {}
    for uri in g.subjects(SKOS.inScheme, scheme_uri):
        code = _text(g, uri, PN.code)
        where = f"{source}: concept {uri}"
        if not code:
            raise OntologyError(f"{where}: pn:code is missing; give every concept a code like 'U1.1'")
        names = {lang: _text(g, uri, SKOS.prefLabel, lang) for lang in ("zh", "en")}
        for lang, name in names.items():
            if not name:
                raise OntologyError(f"{source}: concept {code}: skos:prefLabel @{lang} is missing; add a "
                                    f"{'Chinese' if lang == 'zh' else 'English'} label")
        stage = _text(g, uri, PN.stage)
        if stage not in STAGES and not (kind == "classification" and not stage):
            raise OntologyError(f"{source}: concept {code}: pn:stage {stage!r} must be one of {', '.join(STAGES)}")
        weight = g.value(uri, PN.weight)
        where = f"{source}: concept {code}"
        include = _check_patterns(where, "pn:ipcInclude", _all(g, uri, PN.ipcInclude))
        exclude = _check_patterns(where, "pn:ipcExclude", _all(g, uri, PN.ipcExclude))
        rules = [Rule(0, include, exclude)] if include else []
        for node in g.objects(uri, PN.rule):
            number = g.value(node, PN.ruleNo)
            rule_where = f"{where} rule {number if number is not None else '?'}"
            rule_include = _check_patterns(rule_where, "pn:ipcInclude", _all(g, node, PN.ipcInclude))
            if not rule_include:
                raise OntologyError(f"{rule_where}: a pn:rule needs at least one pn:ipcInclude pattern")
            rules.append(Rule(int(number.toPython()) if number is not None else len(rules) + 1, rule_include,
                              _check_patterns(rule_where, "pn:ipcExclude", _all(g, node, PN.ipcExclude)),
                              _text(g, node, RDFS.comment)))
        raw[uri] = dict(code=code, name_zh=names["zh"], name_en=names["en"], stage=stage,
                        parent=g.value(uri, SKOS.broader),
                        weight=float(weight.toPython()) if weight is not None else 1.0,
                        rules=tuple(sorted(rules, key=lambda r: r.number)),
                        keywords=_all(g, uri, PN.keyword), exclude_keywords=_all(g, uri, PN.excludeKeyword))
    if not raw:
        raise OntologyError(f"{source}: scheme {scheme!r} has no concepts (skos:inScheme)")
    codes = [r["code"] for r in raw.values()]
    if len(set(codes)) != len(codes):
        raise OntologyError(f"{source}: concept codes must be unique; repeated: "
                            f"{sorted({c for c in codes if codes.count(c) > 1})}")
    ids = {uri: f"{scheme}:{r['code']}" for uri, r in raw.items()}
    concepts = []
    for uri, r in raw.items():
        parent = r.pop("parent")
        if parent is not None and parent not in ids:
            raise OntologyError(f"{source}: concept {r['code']}: skos:broader {parent} is not a concept of "
                                f"scheme {scheme!r}")
        level, up, seen = 1, parent, {uri}
        while up is not None:
            if up in seen:
                raise OntologyError(f"{source}: concept {r['code']}: the skos:broader chain has a cycle")
            seen.add(up)
            level, up = level + 1, g.value(up, SKOS.broader)
        concepts.append(Concept(id=ids[uri], level=level, parent=ids.get(parent), **r))
    supplies = []
    for a, b in g.subject_objects(PN.supplies):
        if a not in ids or b not in ids:
            raise OntologyError(f"{source}: pn:supplies {a} → {b} must link two concepts of scheme {scheme!r}")
        supplies.append((ids[a], ids[b]))
    concepts.sort(key=lambda c: (STAGES.index(c.stage) if c.stage else 0, code_key(c.code)))
    version = _text(g, scheme_uri, OWL.versionInfo)
    return Chain(scheme=scheme, name_zh=_text(g, scheme_uri, SKOS.prefLabel, "zh"),
                 name_en=_text(g, scheme_uri, SKOS.prefLabel, "en"), version=version,
                 concepts=tuple(concepts), supplies=tuple(sorted(supplies)),
                 exclude_ipc=_check_patterns(f"{source}: scheme", "pn:ipcExclude", _all(g, scheme_uri, PN.ipcExclude)),
                 exclude_keywords=_all(g, scheme_uri, PN.excludeKeyword), kind=kind, source=source,
                 _by_id={c.id: c for c in concepts})


def code_key(code: str):
    """Codes compare numerically: U1.2 < U1.10."""
    return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", code)]


def available_chains() -> list[str]:
    """Ids of the chains shipped in ``ontology/chains``."""
    return sorted(p.stem for p in CHAINS_DIR.glob("*.ttl"))


@lru_cache(maxsize=16)
def chain_path(name_or_path: str | Path) -> Path:
    """The Turtle file of a shipped chain id (``icv``) or of a path; an error naming the shipped chains."""
    path = Path(name_or_path)
    if not path.suffix and not path.exists():
        path = CHAINS_DIR / f"{name_or_path}.ttl"
        if not path.exists():
            raise OntologyError(f"no chain {str(name_or_path)!r}; shipped chains: {', '.join(available_chains())}, "
                                f"or pass the path of a chain .ttl file")
    if not path.exists():
        raise OntologyError(f"chain file {path} does not exist")
    return path


def load_chain(name_or_path: str) -> Chain:
    """A shipped chain by id (``icv``) or a chain Turtle file by path."""
    path = chain_path(name_or_path)
    data = path.read_bytes()
    g = Graph()
    try:
        g.parse(data=data, format="turtle")
    except Exception as exc:  # rdflib raises several parser-specific types
        raise OntologyError(f"{path}: cannot parse Turtle: {exc}") from exc
    chain = parse_chain(g, source=path.name)
    return Chain(**{**chain.__dict__, "sha256": hashlib.sha256(data).hexdigest()})
