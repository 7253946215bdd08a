"""The guard on the analysts' query path (``patnav query``, ``POST /api/cypher``): one read statement, or a
clear refusal — before the text reaches an engine.

The text is tokenised the way both engines read it (strings, backquoted names, ``//`` and ``/* */``
comments, any Unicode white space), then checked against allow-lists:

- **one statement**: a ``;`` may only end the text;
- **read clauses only**: the statement opens with MATCH, OPTIONAL MATCH, WITH, UNWIND, RETURN or CALL, and no
  word of the engines' write, file, transaction or administration vocabulary appears outside strings,
  comments, property keys and labels (CREATE, MERGE, SET, DELETE, REMOVE, DROP, FOREACH, LOAD, COPY, EXPORT,
  IMPORT, ATTACH, INSTALL, CHECKPOINT, SHOW, TERMINATE, USE, GRANT …) — compared after Unicode NFKC
  folding, so full-width or compatibility letters do not disguise a word;
- **CALL** only for a subquery (``CALL { … }``) or a procedure on :data:`PROCEDURES` (the schema listings);
  LadybugDB's ``CALL name=value`` (which sets options such as the time limit) is not a procedure and is
  refused;
- **no invisible characters** (format or control characters) outside strings, and **no ``\\uXXXX`` escape**
  anywhere: Neo4j decodes them before it splits the text into tokens, so ``/*\\u002a/`` would close a
  comment the guard still saw open (type the character itself instead).

The engines' own read modes stay underneath (LadybugDB opened read-only, Neo4j READ transactions, its
procedures limited in ``neo4j.conf``): the guard is the first wall, not the only one.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from ontology.errors import QueryRejected

#: clauses a statement may open with (after NFKC folding, upper case)
OPENERS = {"MATCH", "OPTIONAL", "WITH", "UNWIND", "RETURN", "CALL"}

#: words that write, read or write files, run transactions or administer, on either engine → why
FORBIDDEN = {
    **dict.fromkeys(("CREATE", "MERGE", "SET", "DELETE", "DETACH", "REMOVE", "DROP", "FOREACH", "ALTER",
                     "RENAME", "INSERT", "UPDATE", "COMMENT", "MACRO", "PROJECT"), "it changes the graph"),
    **dict.fromkeys(("LOAD", "COPY", "EXPORT", "IMPORT", "ATTACH", "INSTALL", "UNINSTALL", "CSV"),
                    "it reads or writes files or loads code"),
    **dict.fromkeys(("BEGIN", "COMMIT", "ROLLBACK", "TRANSACTION", "TRANSACTIONS", "CHECKPOINT"),
                    "it controls transactions or the database files"),
    # (START / STOP / ENABLE … DATABASE are whole statements, refused by the opening-clause rule)
    **dict.fromkeys(("SHOW", "TERMINATE", "USE", "GRANT", "DENY", "REVOKE", "PROFILE", "EXPLAIN", "CYPHER",
                     "PERIODIC", "USING"), "it administers the server or changes how queries run"),
}

#: read procedures an analyst may CALL, per engine (lower case)
PROCEDURES = {
    "neo4j": {"db.labels", "db.relationshiptypes", "db.propertykeys", "db.schema.visualization",
              "db.schema.nodetypeproperties", "db.schema.reltypeproperties"},
    "ladybug": {"show_tables", "table_info", "show_connection"},
}

_TOKEN = re.compile(r"""
    (?P<space>\s+)
  | (?P<comment>//[^\n\r]*|/\*.*?\*/)
  | (?P<string>'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")
  | (?P<quoted>`(?:[^`]|``)*`)
  | (?P<word>\w+)
  | (?P<open>/\*|['"`])
  | (?P<other>.)
""", re.S | re.X)


@dataclass(frozen=True)
class Token:
    kind: str  # word, quoted, string, other
    text: str
    at: int  # character offset in the query

    @property
    def folded(self) -> str:
        """A word as the engines' keyword matching would see it at its most lenient (NFKC, upper case)."""
        return unicodedata.normalize("NFKC", self.text).upper()

    @property
    def name(self) -> str:
        """A name as written: backquotes removed, NFKC, lower case (procedure names)."""
        text = self.text[1:-1].replace("``", "`") if self.kind == "quoted" else self.text
        return unicodedata.normalize("NFKC", text).lower()


_ESCAPE = re.compile(r"\\+[uU][0-9A-Fa-f]{4}")


def tokens(query: str) -> list[Token]:
    """The query's tokens without white space and comments; a :class:`QueryRejected` for a Unicode escape,
    an unterminated string, name or comment and for an invisible character outside strings."""
    for m in _ESCAPE.finditer(query):
        if (len(m.group()) - 5) % 2:  # an odd run of backslashes: the last one escapes the u
            raise QueryRejected(f"the query holds a Unicode escape {m.group()[-6:]!r} at character "
                                f"{m.end() - 5}: Neo4j decodes it before reading the query, so it could hide "
                                f"a clause; type the character itself")
    out = []
    for m in _TOKEN.finditer(query):
        kind, text = m.lastgroup, m.group()
        if kind in ("space", "comment"):
            continue
        if kind == "open":
            what = {"/*": "comment", "`": "backquoted name"}.get(text, "string")
            raise QueryRejected(f"the {what} opened at character {m.start() + 1} is never closed")
        if kind == "other" and unicodedata.category(text)[0] == "C":
            raise QueryRejected(f"the query holds an invisible character U+{ord(text):04X} at character "
                                f"{m.start() + 1}; retype it there")
        out.append(Token(kind, text, m.start()))
    return out


def check_read(query: str, engine: str) -> str:
    """``query`` (less a final ``;``) when it is one read statement the analysts' path may run on
    ``engine`` (``ladybug`` or ``neo4j``); otherwise :class:`QueryRejected` saying what and why.

    >>> check_read("MATCH (p:Patent) WHERE p.title CONTAINS 'DELETE' RETURN count(p) AS n;", "neo4j")
    "MATCH (p:Patent) WHERE p.title CONTAINS 'DELETE' RETURN count(p) AS n"
    >>> check_read("CALL db.labels() YIELD label RETURN label", "neo4j")
    'CALL db.labels() YIELD label RETURN label'
    >>> check_read("MATCH (n) /* x */ DETACH DELETE n", "neo4j")
    Traceback (most recent call last):
    ...
    ontology.errors.QueryRejected: DETACH is not allowed on the read-only query path (it changes the graph); use `patnav ingest` or `patnav classify` to change the graph (as a name, write it in backquotes: `DETACH`)
    """
    toks = tokens(query)
    if not toks:
        raise QueryRejected("the query is empty")
    semis = [i for i, t in enumerate(toks) if t.text == ";"]
    if semis and semis != [len(toks) - 1]:
        raise QueryRejected("send one statement per query (this text holds several, separated by ';')")
    end = toks[-1].at if semis else len(query)
    toks = toks[:-1] if semis else toks
    if not toks:
        raise QueryRejected("the query is empty")
    for i, tok in enumerate(toks):
        if tok.kind != "word":
            continue
        before = toks[i - 1].text if i else ""
        after = toks[i + 1].text if i + 1 < len(toks) else ""
        if before in (".", ":", "$") or after == "." or (after == ":" and (i + 2 >= len(toks) or toks[i + 2].text != ":")):
            continue  # a property key, label, type, parameter, or a variable or map key before . or : — a name
        if i and toks[i - 1].kind == "word" and toks[i - 1].folded == "AS" and tok.folded not in ("CALL",):
            continue  # an alias (… AS load): a name
        word = tok.folded
        if word in FORBIDDEN:
            advice = ("; use `patnav ingest` or `patnav classify` to change the graph"
                      if FORBIDDEN[word] == "it changes the graph" else "")
            raise QueryRejected(f"{word} is not allowed on the read-only query path ({FORBIDDEN[word]}){advice} "
                                f"(as a name, write it in backquotes: `{tok.text}`)")
        if word == "CALL":
            _check_call(toks, i, engine)
    first = toks[0]
    if first.kind != "word" or first.folded not in OPENERS:
        raise QueryRejected(f"a query on the read-only path starts with MATCH, OPTIONAL MATCH, WITH, UNWIND, "
                            f"RETURN or CALL; this one starts with {first.text!r}")
    return query[:end].rstrip()


def _check_call(toks: list[Token], i: int, engine: str) -> None:
    """A CALL opens a subquery (``CALL {`` or ``CALL (vars) {``) or names an allowed procedure."""
    nxt = toks[i + 1] if i + 1 < len(toks) else None
    if nxt is not None and nxt.text == "{":
        return
    if nxt is not None and nxt.text == "(":  # CALL (a, b) { … }: variables, then the subquery's brace
        j = i + 2
        while j < len(toks) and (toks[j].kind in ("word", "quoted") or toks[j].text in (",", "*")):
            j += 1
        if j + 1 < len(toks) and toks[j].text == ")" and toks[j + 1].text == "{":
            return
    parts, shown, j = [], [], i + 1
    while j < len(toks) and toks[j].kind in ("word", "quoted"):
        parts.append(toks[j].name)
        shown.append(toks[j].text)
        if j + 1 < len(toks) and toks[j + 1].text == ".":
            j += 2
            continue
        j += 1
        break
    name = ".".join(parts)
    allowed = PROCEDURES.get(engine, set())
    if name not in allowed or (j < len(toks) and toks[j].text not in ("(", ";") and toks[j].kind != "word"):
        what = ".".join(shown) or (nxt.text if nxt is not None else "with nothing after it")
        raise QueryRejected(f"CALL {what} is not allowed on the read-only query path: CALL may open a "
                            f"subquery (CALL {{ … }}) or run one of {', '.join(sorted(allowed))}")


def analyst_query(query: str, engine: str) -> str:
    """What the analysts' path runs: one read statement (:func:`check_read`) whose answer is the same on
    both engines (:func:`graph.portable.check_portable`)."""
    from graph.portable import check_portable
    statement = check_read(query, engine)
    check_portable(statement)
    return statement
