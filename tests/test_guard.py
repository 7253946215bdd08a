"""The analysts' query path cannot write, touch files, change settings or administer — on both engines,
whatever the disguise (graph/guard.py, then the engines' read modes underneath)."""

import random
import unicodedata

import pytest
from typer.testing import CliRunner

from api.cli import app
from graph.embedded_store import EmbeddedStore
from graph.guard import analyst_query, check_read, tokens
from ontology.errors import PatNavError, QueryRejected

runner = CliRunner()

#: what the issue found getting through, and its relatives: each must be refused by the guard
HOSTILE = [
    "CHECKPOINT",
    "COPY (RETURN 'x' AS a) TO '{db}/rejects.csv'",
    "LOAD FROM '/etc/passwd' (header=false, delim='|') RETURN *",
    "CALL timeout=0; MATCH (p:Patent) RETURN count(p) AS n",
    "CALL timeout=0",
    "CALL threads=1",
    "SHOW TRANSACTIONS YIELD transactionId AS t TERMINATE TRANSACTIONS t",
    "TERMINATE TRANSACTIONS 'neo4j-transaction-1'",
    "SHOW USERS",
    "SHOW TRANSACTIONS",
    "CALL db.clearQueryCaches()",
    "CALL dbms.listConnections() YIELD connectionId RETURN connectionId",
    "CALL dbms.killConnections(['bolt-1'])",
    "MATCH (p:Patent) WITH p LIMIT 1 CALL db.createLabel('X') RETURN p",
    "LOAD CSV FROM 'file:///etc/passwd' AS line RETURN line",
    "MATCH (p:Patent) RETURN p.id LIMIT 1 UNION CALL db.clearQueryCaches() YIELD value RETURN value AS id",
    "MATCH (n) DETACH DELETE n",
    "MATCH (p:Patent) SET p.title = 'x' RETURN count(p)",
    "MERGE (a:Applicant {id: 'x'}) RETURN a.id",
    "CREATE (a:Applicant {id: 'x'})",
    "MATCH (p:Patent) WITH p LIMIT 1 CALL { WITH p DELETE p } RETURN 1",
    "UNWIND range(1, 3) AS i CALL { CREATE (:Applicant {id: toString(i)}) } IN TRANSACTIONS",
    "MATCH (p:Patent) FOREACH (x IN [1] | SET p.title = 'x')",
    "MATCH (p:Patent) REMOVE p.title",
    "EXPORT DATABASE '/tmp/patnav-export'",
    "IMPORT DATABASE '/tmp/patnav-export'",
    "ATTACH '/tmp/other.lbdb' AS other (dbtype lbug)",
    "INSTALL httpfs",
    "LOAD EXTENSION '/tmp/evil.so'",
    "USE system SHOW USERS",
    "DROP TABLE Patent",
    "ALTER TABLE Patent ADD x STRING",
    "BEGIN TRANSACTION",
    "CREATE MACRO m(x) AS x",
    "COMMENT ON TABLE Patent IS 'x'",
    "RETURN 1; MATCH (n) DETACH DELETE n",
    "MATCH (p:Patent) RETURN p; CHECKPOINT",
    "EXPLAIN MATCH (n) DELETE n",
    "CYPHER runtime=slotted MATCH (n) RETURN n",
    "CALL apoc.cypher.runWrite('CRE' + 'ATE (:X)', {})",
]

#: analyst queries that must pass unchanged: keywords as property keys, labels, strings and backquoted names
FRIENDLY = [
    "MATCH (p:Patent) WHERE p.title CONTAINS 'DELETE' RETURN count(p) AS n",
    "MATCH (p:Patent) RETURN p.id AS `CREATE`, 'LOAD FROM x' AS s LIMIT 1",
    "MATCH (p:Patent) WITH min(p.app_year) AS start, max(p.app_year) AS stop RETURN start, stop",
    "// top applicants\nMATCH (p:Patent)-[:APPLIED_BY]->(a:Applicant) /* any */ RETURN a.id, count(p) AS n "
    "ORDER BY n DESC LIMIT 5;",
    "CALL { MATCH (p:Patent) RETURN p.app_year AS y } RETURN y, count(*) AS n ORDER BY y",
    "MATCH (p:Patent) WHERE EXISTS { MATCH (p)-[:APPLIED_BY]->(:Applicant) } RETURN count(p) AS n",
    "OPTIONAL MATCH (p:Patent {id: $id}) RETURN p.title",
    "UNWIND [1, 2] AS x RETURN x",
]


def _fold_width(word: str) -> str:
    """Full-width forms of ASCII letters (NFKC folds them back)."""
    return "".join(chr(ord(c) + 0xFEE0) if c.isascii() and c.isalpha() else c for c in word)


SPACES = [" ", "\t", "\n", "\u00a0", "\u2003", "\u3000", "  \r\n "]


def disguise(query: str, rng: random.Random) -> str:
    """The same tokens in another dress: letter case, white space of any kind, comments between tokens,
    full-width letters, a harmless statement before it."""
    out = []
    for tok in tokens(query):
        text = tok.text
        if tok.kind == "word":
            text = "".join(c.upper() if rng.random() < 0.5 else c.lower() for c in text)
            if rng.random() < 0.2:
                text = _fold_width(text)
        out.append(text)
        out.append(rng.choice(SPACES + ["/* -- */", "//x\n", " /*;*/ "]))
    text = "".join(out)
    return ("RETURN 1 AS one;" + rng.choice(SPACES) + text) if rng.random() < 0.2 else text


def breaking(query: str, rng: random.Random) -> str:
    """Disguises that cut a word (a comment or an invisible character inside it) or build it in a string:
    the guard may let the text through, but then no engine reads it as the forbidden word."""
    toks = [t.text for t in tokens(query)]
    i = rng.randrange(len(toks))
    word = toks[i]
    if len(word) > 2:
        cut = rng.randrange(1, len(word) - 1)
        toks[i] = word[:cut] + rng.choice(["/**/", "\u200b", "\u00ad", "' + '"]) + word[cut:]
    return " ".join(toks)


@pytest.mark.parametrize("query", HOSTILE)
@pytest.mark.parametrize("engine", ["ladybug", "neo4j"])
def test_hostile_queries_are_refused_with_a_reason(query, engine):
    with pytest.raises(QueryRejected) as refused:
        analyst_query(query.replace("{db}", "/tmp/x"), engine)
    message = str(refused.value)
    assert "Traceback" not in message and ("not allowed" in message or "one statement" in message
                                           or "starts with" in message), message


@pytest.mark.parametrize("engine", ["ladybug", "neo4j"])
def test_friendly_queries_pass_unchanged(engine):
    for query in FRIENDLY:
        assert analyst_query(query, engine) == query.rstrip(";")


def test_token_preserving_disguises_never_pass():
    rng = random.Random(20261130)
    for _ in range(1500):
        query = rng.choice(HOSTILE).replace("{db}", "/tmp/x")
        dressed = disguise(query, rng)
        for engine in ("ladybug", "neo4j"):
            with pytest.raises(QueryRejected):
                check_read(dressed, engine)


def test_the_guard_folds_unicode_like_the_engines():
    assert unicodedata.normalize("NFKC", _fold_width("DELETE")) == "DELETE"
    with pytest.raises(QueryRejected, match="DELETE"):
        check_read(f"MATCH (n){chr(0x3000)}{_fold_width('delete')} n", "neo4j")
    with pytest.raises(QueryRejected, match="U\\+200B"):
        check_read("MATCH (n) RETURN n\u200b", "ladybug")
    with pytest.raises(QueryRejected, match="never closed"):
        check_read("MATCH (n) WHERE n.id = 'x RETURN n", "ladybug")


def _state(store) -> tuple:
    counts = store.run("MATCH (n) RETURN count(n) AS n")["n"].iloc[0], \
        store.run("MATCH ()-[r]->() RETURN count(r) AS n")["n"].iloc[0]
    titles = store.run("MATCH (p:Patent) RETURN p.id AS id, p.title AS t ORDER BY id LIMIT 50")
    return counts, tuple(map(tuple, titles.astype(str).to_numpy()))


def test_fuzzed_queries_leave_both_engines_readable_and_unchanged(loaded_pair, tmp_path):
    """Hostile queries in every disguise, the word-cutting ones included, on both engines: whatever the guard
    lets through, the engine only reads — counts, titles, the ledger file and the file system are as before,
    and a new reader opens the embedded database."""
    rng = random.Random(7)
    ledger = tmp_path / "rejects.csv"
    ledger.write_text("ledger\n")
    before = {engine: _state(store) for engine, store in loaded_pair.items()}
    patents = loaded_pair["ladybug"].run("MATCH (p:Patent) RETURN count(p) AS n")["n"].iloc[0]
    passed = {engine: 0 for engine in loaded_pair}
    for _ in range(40):
        query = rng.choice(HOSTILE).replace("{db}", str(tmp_path))
        for dressed in (disguise(query, rng), breaking(query, rng)):
            for engine, store in loaded_pair.items():
                try:
                    statement = analyst_query(dressed, engine)
                except QueryRejected:
                    continue
                passed[engine] += 1
                with pytest.raises(PatNavError):  # cut words are syntax errors, never the command
                    store.run(statement)
    for engine, store in loaded_pair.items():
        assert _state(store) == before[engine], engine
    assert ledger.read_text() == "ledger\n" and not (tmp_path / "patnav-export").exists()
    with EmbeddedStore(loaded_pair["ladybug"].directory, read_only=True) as reader:
        assert reader.run("MATCH (p:Patent) RETURN count(p) AS n")["n"].iloc[0] == patents > 0
    assert sum(passed.values()) > 0  # some cut words reach the engines, which refuse them


def test_the_issues_ladybug_attacks_through_the_cli(sample_db):
    """CHECKPOINT, COPY over the ledger, LOAD FROM a local file and CALL timeout=0 — refused in one line each;
    afterwards the database still opens for every reader and the ledger is intact."""
    ledger = sample_db / "rejects.csv"
    ledger.write_text("file,row,reason\n")
    count = "MATCH (p:Patent) RETURN count(p) AS n"
    before = runner.invoke(app, ["query", "--db", str(sample_db), "--format", "csv", count]).stdout
    for query in ["CHECKPOINT", f"COPY (RETURN 'x' AS a) TO '{ledger}'", "LOAD FROM '/etc/passwd' RETURN *",
                  f"CALL timeout=0; {count}", "call   TIMEOUT = 0"]:
        result = runner.invoke(app, ["query", "--db", str(sample_db), query])
        assert result.exit_code == 1, (query, result.output)
        assert "error:" in result.output and "Traceback" not in result.output, result.output
    assert ledger.read_text() == "file,row,reason\n"
    after = runner.invoke(app, ["query", "--db", str(sample_db), "--format", "csv", count])
    assert after.exit_code == 0 and after.stdout == before
    with EmbeddedStore(sample_db, read_only=True) as reader:
        assert reader.run(count)["n"].iloc[0] > 0


@pytest.mark.parametrize("value", ["0", "0.0004", "-1", "nan", "inf"])
def test_the_time_limit_cannot_be_switched_off(sample_db, monkeypatch, value):
    monkeypatch.setenv("PATNAV_QUERY_TIMEOUT", value)
    result = runner.invoke(app, ["query", "--db", str(sample_db), "RETURN 1 AS x"])
    assert result.exit_code == 1 and "PATNAV_QUERY_TIMEOUT" in result.output


@pytest.mark.neo4j
def test_the_issues_neo4j_attacks_are_refused_and_the_server_limits_files(loaded_pair):
    store = loaded_pair["neo4j"]
    for query in ["SHOW TRANSACTIONS YIELD transactionId AS t TERMINATE TRANSACTIONS t", "SHOW USERS",
                  "SHOW TRANSACTIONS", "CALL db.clearQueryCaches()"]:
        with pytest.raises(QueryRejected):
            analyst_query(query, "neo4j")
    # underneath the guard: the server refuses to read local files even if LOAD CSV reached it
    with pytest.raises(PatNavError, match="Cannot load from URL"):
        store.run("LOAD CSV FROM 'file:///etc/passwd' AS line RETURN line LIMIT 1")


#: found by review: Neo4j decodes \uXXXX before it tokenises, so an escape could end a comment or a string the
#: guard saw open and bring a command back
ESCAPED = [r"/*\u002a/ TERMINATE TRANSACTIONS 'neo4j-transaction-1' /*/ RETURN 1 /**/",
           r"/*\u002a/ SHOW USERS /*/ RETURN 1 /**/",
           r"/*\u002a/ CALL db.clearQueryCaches() /*/ MATCH (n) RETURN count(n) /**/",
           r"WITH '\u0027 AS y LOAD CSV FROM 'http://169.254.169.254/' AS l RETURN l //' AS x RETURN x",
           r"MATCH (n) WHERE n.id = 'x' //\u000a DETACH DELETE n"]


@pytest.mark.parametrize("query", ESCAPED)
def test_unicode_escapes_cannot_hide_a_command(query):
    for engine in ("ladybug", "neo4j"):
        with pytest.raises(QueryRejected, match="Unicode escape"):
            analyst_query(query, engine)
    assert analyst_query(r"RETURN 'a\\u0027' AS x", "neo4j")  # an escaped backslash is no escape


def test_keywords_as_names_pass():
    for query in ("MATCH (p:Patent) RETURN p.id AS load, count(*) AS set", "MATCH (load:Patent) RETURN load.id",
                  "RETURN {use: 1, comment: 'x'} AS m"):
        assert analyst_query(query, "neo4j") == query
