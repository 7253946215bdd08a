"""``patnav``: the command line, a thin layer over the library.

Every command reads settings once (``Settings.from_env``), calls library functions, and turns a
``PatNavError`` into one line on stderr and exit code 1.
"""

from __future__ import annotations

import functools
from contextlib import closing
import json
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TransferSpeedColumn
from rich.table import Table

from api.settings import Settings
from graph import neo4j_server
from graph.schema import ladybug_ddl, neo4j_constraints
from ontology.errors import PatNavError

app = typer.Typer(help="PatNav (专利导航): patent navigation analysis on a knowledge graph.",
                  no_args_is_help=True, pretty_exceptions_enable=False)
neo4j_app = typer.Typer(help="Run a local Neo4j 5.26 server provisioned from Maven Central.",
                        no_args_is_help=True)
app.add_typer(neo4j_app, name="neo4j")
err = Console(stderr=True)
out = Console()

DbOption = Annotated[Optional[Path], typer.Option("--db", help="Embedded LadybugDB database directory.")]
Neo4jOption = Annotated[bool, typer.Option("--neo4j", help="Use the Neo4j server (PATNAV_NEO4J_* or "
                                                           "the one `patnav neo4j start` runs).")]


def friendly(fn):
    """Report PatNav errors as one line and exit 1 instead of a traceback."""
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except PatNavError as exc:
            err.print(f"[bold red]error:[/] {exc}", highlight=False, soft_wrap=True)
            raise typer.Exit(1) from None
    return wrapper


class Format(str, Enum):
    table = "table"
    json = "json"
    csv = "csv"


@app.command()
@friendly
def query(cypher: Annotated[str, typer.Argument(help="A read-only Cypher query.")],
          db: DbOption = None, neo4j: Neo4jOption = False,
          fmt: Annotated[Format, typer.Option("--format", help="table, json (array of row objects) or csv.")]
          = Format.table,
          param: Annotated[Optional[list[str]], typer.Option("--param", "-p", help="NAME=JSON, e.g. -p year=2020")]
          = None) -> None:
    """Run a read-only Cypher query; the engine itself refuses writes.

    Example: patnav query --db patnav-db "MATCH (p:Patent) RETURN p.app_year AS year, count(*) AS n ORDER BY year"
    """
    params = {}
    for item in param or []:
        name, _, value = item.partition("=")
        try:
            params[name] = json.loads(value)
        except json.JSONDecodeError:
            params[name] = value
    with closing(Settings.from_env().open_store(db=db, neo4j=neo4j)) as store:
        frame = store.run(cypher, params)
    if fmt is Format.json:
        sys.stdout.write(frame.to_json(orient="records", force_ascii=False, date_format="iso") + "\n")
    elif fmt is Format.csv:
        sys.stdout.write(frame.to_csv(index=False))
    else:
        table = Table(*frame.columns)
        for row in frame.astype(object).where(frame.notna(), None).itertuples(index=False):
            table.add_row(*("" if v is None else str(v) for v in row))
        out.print(table)
        out.print(f"{len(frame)} rows", style="dim")


@app.command()
@friendly
def schema(engine: Annotated[str, typer.Option(help="ladybug or neo4j")] = "ladybug") -> None:
    """Print the schema generated from ontology/core.ttl for an engine (DDL or constraints)."""
    statements = {"ladybug": ladybug_ddl, "neo4j": neo4j_constraints}.get(engine)
    if statements is None:
        raise typer.BadParameter("engine must be ladybug or neo4j")
    for stmt in statements():
        sys.stdout.write(stmt + ";\n")


@app.command()
@friendly
def demo() -> None:
    """Run the full navigation analysis on the bundled sample (embedded engine)."""
    out.print("PatNav is installed. The end-to-end demo (ingest → indicators → atlas) arrives with the "
              "first-navigation-run issue; today: `patnav neo4j start`, `patnav schema`, `patnav query`.")


@neo4j_app.command("start")
@friendly
def neo4j_start(port: Annotated[Optional[int], typer.Option(help="Bolt port (default PATNAV_NEO4J_PORT or 7687; 0 picks a free one).")]
                = None,
                heap: Annotated[str, typer.Option(help="JVM heap.")] = "2g",
                pagecache: Annotated[str, typer.Option(help="Page cache.")] = "2g") -> None:
    """Download (once) and start Neo4j Community 5.26 on 127.0.0.1; print its URI."""
    settings = Settings.from_env()
    with Progress(TextColumn("Neo4j jars"), BarColumn(), DownloadColumn(), TransferSpeedColumn(),
                  console=err, transient=True) as bar:
        task = bar.add_task("jars", total=None)
        info = neo4j_server.start(settings.neo4j_home, port=settings.neo4j_port if port is None else port, heap=heap,
                                  pagecache=pagecache,
                                  progress=lambda done, total: bar.update(task, completed=done, total=total))
    out.print(f"Neo4j {info.version} running (pid {info.pid}) at {info.uri}; user {info.user}, "
              f"password in {info.home / 'auth.json'}")


@neo4j_app.command("stop")
@friendly
def neo4j_stop() -> None:
    """Stop the local Neo4j server cleanly (SIGTERM, then wait)."""
    stopped = neo4j_server.stop(Settings.from_env().neo4j_home)
    out.print("Neo4j stopped" if stopped else "Neo4j was not running")


@neo4j_app.command("status")
@friendly
def neo4j_status() -> None:
    """Say whether the local Neo4j server runs, and where; exit 1 if it does not."""
    info = neo4j_server.status(Settings.from_env().neo4j_home)
    if info is None:
        out.print("Neo4j is not running")
        raise typer.Exit(1)
    out.print(f"Neo4j {info.version} running (pid {info.pid}) at {info.uri}")

