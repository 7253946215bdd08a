"""What an analyst's query must not rely on: functions that both engines have but define differently, so
the same text would silently give different answers on LadybugDB and Neo4j (DESIGN's portable-Cypher
rules). The read path refuses them with a message saying what to write instead.
"""

from __future__ import annotations

import re

from ontology.errors import QueryRejected

#: function → why it differs and what to use instead
DIFFERENT = {
    "substring": "substring() counts from 1 on LadybugDB and from 0 on Neo4j, so this query would answer differently "
                 "on the two engines; use left(s, n), right(s, n), STARTS WITH, ENDS WITH or CONTAINS",
    "index": "a list index counts from 1 on LadybugDB and from 0 on Neo4j (list[0] differs), so this query would "
             "answer differently on the two engines; use head(list), last(list), size(list) or UNWIND",
}
_STRINGS = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"|//[^\n]*|/\*.*?\*/", re.S)
_CALLS = re.compile(r"\b(substring)\s*\(", re.I)
#: a subscript: ``[`` right after a name, a closing bracket or parenthesis (not a pattern's ``-[r]-`` nor a
#: list literal after a keyword or comma)
_INDEX = re.compile(r"[\w)\]]\[")


def check_portable(query: str) -> None:
    """Raise :class:`QueryRejected` where ``query`` calls a function the engines define differently
    or indexes a list (names inside strings and comments do not count).

    >>> check_portable("MATCH (p:Patent) WHERE p.id STARTS WITH 'CN' RETURN left(p.id, 2) AS office")
    >>> check_portable("RETURN 'substring(x)' AS text // substring(y)")
    >>> check_portable("MATCH (a)-[r:APPLIED_BY]->(b) WITH [1, 2] AS xs RETURN xs, head(xs)")
    >>> check_portable("RETURN `substring`('abc', 0, 1)")
    Traceback (most recent call last):
    ...
    ontology.errors.QueryRejected: substring() counts from 1 on LadybugDB and from 0 on Neo4j, so this query would answer differently on the two engines; use left(s, n), right(s, n), STARTS WITH, ENDS WITH or CONTAINS
    >>> check_portable("MATCH (p:Patent) RETURN collect(p.id)[0]")
    Traceback (most recent call last):
    ...
    ontology.errors.QueryRejected: a list index counts from 1 on LadybugDB and from 0 on Neo4j (list[0] differs), so this query would answer differently on the two engines; use head(list), last(list), size(list) or UNWIND
    >>> check_portable("RETURN SubString(p.id, 0, 2)")
    Traceback (most recent call last):
    ...
    ontology.errors.QueryRejected: substring() counts from 1 on LadybugDB and from 0 on Neo4j, so this query would answer differently on the two engines; use left(s, n), right(s, n), STARTS WITH, ENDS WITH or CONTAINS
    """
    text = _STRINGS.sub(" ", query).replace("`", "")  # `substring`(…) is substring(…)
    found = _CALLS.search(text)
    if found:
        raise QueryRejected(DIFFERENT[found.group(1).lower()])
    if _INDEX.search(text):
        raise QueryRejected(DIFFERENT["index"])
