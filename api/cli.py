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
from rich.markup import escape
from rich.progress import (BarColumn, DownloadColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn,
                           TimeElapsedColumn, TransferSpeedColumn)
from rich.table import Table

from api.settings import Settings
from graph import neo4j_server
from ontology.errors import PatNavError, StoreError

class Reference(str, Enum):
    world = "world"
    nation = "nation"


app = typer.Typer(help="PatNav (专利导航): patent navigation analysis on a knowledge graph.",
                  no_args_is_help=True, pretty_exceptions_enable=False)
neo4j_app = typer.Typer(help="Run a local Neo4j 5.26 server provisioned from Maven Central.",
                        no_args_is_help=True)
app.add_typer(neo4j_app, name="neo4j")
ontology_app = typer.Typer(help="Check, edit (via Excel) and compare chain and classification schemes.",
                           no_args_is_help=True)
app.add_typer(ontology_app, name="ontology")
token_app = typer.Typer(help="API tokens for `POST /api/cypher` (stored hashed under PATNAV_HOME).",
                        no_args_is_help=True)
app.add_typer(token_app, name="token")
err = Console(stderr=True)
out = Console()

DbOption = Annotated[Optional[Path], typer.Option("--db", help="Embedded LadybugDB database directory.")]
Neo4jOption = Annotated[bool, typer.Option("--neo4j", help="Use the Neo4j server (PATNAV_NEO4J_* or "
                                                           "the one `patnav neo4j start` runs).")]


def available_chains() -> list[str]:
    """The shipped chain ids (the files of ontology/chains), without loading the ontology libraries."""
    return sorted(p.stem for p in (Path(__file__).resolve().parent.parent / "ontology" / "chains").glob("*.ttl"))


def Limits(*args, **kwargs):  # noqa: N802 — graph.store.Limits, imported when a command runs
    from graph.store import Limits as limits
    return limits(*args, **kwargs)


def _workflow():
    """The library calls, imported when a command runs (pandas, scipy and the engines load in ~1.5 s:
    `patnav --help` and argument errors should not wait for them)."""
    from api import workflow
    return workflow


def friendly(fn):
    """Report PatNav errors as one line and exit 1 instead of a traceback."""
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except PatNavError as exc:
            err.print(f"[bold red]error:[/] {escape(str(exc))}", highlight=False, soft_wrap=True)
            raise typer.Exit(1) from None
    return wrapper


def _warn_incomplete(state_dir: Path) -> None:
    warning = _workflow().incomplete(state_dir)
    if warning:
        err.print(f"[bold yellow]warning:[/] {escape(warning)}", highlight=False, soft_wrap=True)


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
    """Run one read-only Cypher statement: writes, files, transactions, settings and administration are
    refused before the query reaches the engine, whose read mode refuses writes as well.

    Example: patnav query --db patnav-db "MATCH (p:Patent) RETURN p.app_year AS year, count(*) AS n ORDER BY year"
    """
    params = {}
    for item in param or []:
        name, _, value = item.partition("=")
        try:
            params[name] = json.loads(value)
        except json.JSONDecodeError:
            params[name] = value
    from graph.guard import analyst_query
    settings = Settings.from_env()
    analyst_query(cypher, "neo4j" if neo4j else "ladybug")  # refused before any database is opened
    with closing(settings.open_store(db=db, neo4j=neo4j)) as store:
        frame = store.run(analyst_query(cypher, store.engine), params)
    _warn_incomplete(settings.state_dir(db=db, neo4j=neo4j))
    if fmt is Format.json:
        sys.stdout.write(frame.to_json(orient="records", force_ascii=False, date_format="iso") + "\n")
    elif fmt is Format.csv:
        from ontology.spreadsheet import escape_formulas
        sys.stdout.write(escape_formulas(frame).to_csv(index=False))
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
    from graph.schema import ladybug_ddl, neo4j_constraints
    statements = {"ladybug": ladybug_ddl, "neo4j": neo4j_constraints}.get(engine)
    if statements is None:
        raise typer.BadParameter("engine must be ladybug or neo4j")
    for stmt in statements():
        sys.stdout.write(stmt + ";\n")


ChainOption = Annotated[Optional[list[str]], typer.Option("--chain", help="Chain scheme(s) to classify into "
                                                                         f"(shipped: {', '.join(available_chains())}) "
                                                                         "or a chain .ttl file.")]


def _steps(total: int | None, label: str):
    """A rich progress bar on stderr and the step callback that advances it."""
    bar = Progress(SpinnerColumn(), TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                   TextColumn("{task.fields[last]}"), TimeElapsedColumn(), console=err, transient=False)
    task = bar.add_task(label, total=total, last="")
    return bar, lambda message: bar.update(task, advance=1, last=message)


def _run_ingest(paths: list[Path], db: Optional[Path], neo4j: bool, chains: list[str], report: Optional[Path],
                profile: Optional[Path] = None, spark: Optional[str] = None) -> dict:
    settings = Settings.from_env()
    bar, step = _steps(len(paths) + 3 + 11, "ingest 入库")
    # PatNav's own reads of a whole graph (its tags, its ids) are not an analyst's query: no row limit
    limits = Limits(settings.query_timeout_s * 10, None)
    with bar, closing(settings.open_store(db=db, neo4j=neo4j, read_only=False, limits=limits)) as store:
        result = _workflow().ingest(store, settings.state_dir(db=db, neo4j=neo4j), paths, chains, report, step=step,
                                    profile=profile, spark=spark, spark_memory=settings.spark_driver_memory)
        bar.update(bar.task_ids[0], total=bar.tasks[0].completed)
    t = result["total"]
    out.print(f"{t['rows_in']:,} rows in = {t['loaded']:,} loaded + {t['merged']:,} merged + "
              f"{t['rejected']:,} rejected; {result['patents']:,} patents, {result['classified']:,} classified "
              f"into chain nodes; rejects: {result['rejects_path']}")
    for warning in result.get("warnings", []):
        err.print(f"[bold yellow]warning:[/] {escape(warning)}", highlight=False, soft_wrap=True)
    countries = result.get("countries") or {}
    if countries.get("unknown_patents") is not None:
        decided = ", ".join(f"{k} {v:,}" for k, v in countries["applicants"].items() if k != "unknown")
        out.print(f"  applicant countries: {decided}; unknown for {countries['unknown_applicants']:.1%} of applicants "
                  f"({countries['unknown_patents']:.1%} of patents)")
    for c in result.get("chains", []):
        cov = c.get("coverage") or {}
        if cov:
            empty = cov["empty_nodes"]
            share = "" if cov["unclassified_share"] is None else f" ({1 - cov['unclassified_share']:.1%})"
            out.print(f"  {c['scheme']}: {cov['classified']:,} patents classified{share}, "
                      f"{cov['denoised']:,} denoised, {len(cov['nodes']) - len(empty)}/{len(cov['nodes'])} nodes reached"
                      + (f"; no patents in {', '.join(empty[:8])}{' …' if len(empty) > 8 else ''}" if empty else ""))
    for f in result.get("files", []):
        if "sei_agreement" in f:
            a = f["sei_agreement"]
            out.print(f"  {f['name']}: " + (f"sei-2021 = incoPat's labels for {a['exact']:.1%} of "
                                            f"{a['labelled']:,} labelled patents" if "exact" in a else a["note"]))
    return result


@app.command()
@friendly
def ingest(paths: Annotated[list[Path], typer.Argument(help="Export files (incoPat .xlsx, Patentics .csv …).")],
           db: DbOption = None, neo4j: Neo4jOption = False, chain: ChainOption = None,
           report: Annotated[Optional[Path], typer.Option("--report", help="Write this run's counts as JSON.")]
           = None,
           profile: Annotated[Optional[Path], typer.Option("--profile", help="A TOML column mapping for a layout "
                                                           "no shipped profile knows (see ingest/profiles/).")]
           = None,
           spark: Annotated[Optional[str], typer.Option("--spark", metavar="MASTER",
                                                        help="Read, normalise, deduplicate and classify on Apache "
                                                             "Spark (local[*], spark://host:7077, yarn …; needs "
                                                             "pip install 'patnav[spark]'); the same result.")]
           = None) -> None:
    """Load patent exports into the graph: detect format, normalise, deduplicate, classify, account.

    Every row ends loaded, merged into a duplicate, or rejected with a reason (rejects.csv beside the
    database). Re-running is idempotent.

    Example: patnav ingest exports/*.xlsx exports/*.csv --db patnav-db --chain icv --report ingest.json
    """
    _run_ingest(paths, db, neo4j, chain or ["icv"], report, profile, spark)


@app.command()
@friendly
def classify(db: DbOption = None, neo4j: Neo4jOption = False,
             chain: Annotated[str, typer.Option("--chain", help=f"Shipped chain id ({', '.join(available_chains())}) "
                                                               "or a chain .ttl file.")]
             = "icv") -> None:
    """Reclassify every patent in the graph under a chain, e.g. after experts edited it.

    The scheme's nodes and links become exactly the file's (nodes it no longer has are deleted with
    their tags) and its tags exactly what the rules give now. Preview with `patnav ontology diff`.

    Example: patnav classify --db patnav-out/db --chain icv-edited.ttl
    """
    settings = Settings.from_env()
    with err.status("classify 分类 …"), closing(settings.open_store(
            db=db, neo4j=neo4j, read_only=False, limits=Limits(settings.query_timeout_s * 10, None))) as store:
        r = _workflow().classify(store, chain)
    out.print(f"{r['scheme']} {r['version']}: {r['patents']:,} patents, {r['patents_tagged']:,} tagged "
              f"({r['tags']:,} tags: {r['added']:,} added, {r['removed']:,} removed, {r['unchanged']:,} kept); "
              f"{r['nodes_removed']} node(s) and {r['links_removed']} link(s) no longer in the scheme removed")


def _run_analyze(db: Optional[Path], neo4j: bool, out_dir: Path, scheme: str, options=None,
                 report: bool = True) -> dict:
    settings = Settings.from_env()
    limits = Limits(timeout_s=settings.query_timeout_s * 10, max_rows=None)
    from analytics.registry import INDICATORS
    bar, step = _steps(len(INDICATORS), "analyze 分析")
    with bar, closing(settings.open_store(db=db, neo4j=neo4j, limits=limits)) as store:
        run = _workflow().analyze(store, settings.state_dir(db=db, neo4j=neo4j), out_dir, scheme, step=step,
                                  options=options, report=report)
    for warning in run.get("warnings", []):
        if "incomplete" not in warning:  # the incomplete-graph warning is printed below, once
            err.print(f"[bold yellow]warning:[/] {escape(warning)}", highlight=False, soft_wrap=True)
    _warn_incomplete(settings.state_dir(db=db, neo4j=neo4j))
    out.print(f"atlas: {(out_dir / 'index.html').resolve()}  (open it from disk; tables in {out_dir / 'tables'})"
              + ("; report.docx and tables.xlsx beside it" if "report" in run.get("deliverables", {}) else ""))
    return run


@app.command()
@friendly
def analyze(db: DbOption = None, neo4j: Neo4jOption = False,
            out_dir: Annotated[Path, typer.Option("--out", help="Atlas folder to write.")] = Path("patnav-out"),
            scheme: Annotated[str, typer.Option("--chain", help=f"Chain scheme to analyse: a shipped id "
                                                                f"({', '.join(available_chains())}) or a chain .ttl file.")]
            = "icv",
            economic: Annotated[Optional[Path], typer.Option(
                help="CSV of economic data per chain node: a 'node' column (id or code) and numeric columns "
                     "(output value, market size …) for the supply/demand rank correlation.")] = None,
            market: Annotated[Optional[Path], typer.Option(
                help="CSV of enterprise market data: enterprise, year, market_share and/or revenue, optionally "
                     "node — for the rank correlation of control power with market position.")] = None,
            theta: Annotated[float, typer.Option(help="Product control: share an actor needs in a node.")] = 0.05,
            control_weights: Annotated[str, typer.Option(
                help="Weights of technology, product and market control in the index.")] = "0.4,0.3,0.3",
            market_weights: Annotated[str, typer.Option(
                help="Market weight per filing office, e.g. US=2,CN=1.5,EP=1.5 (others weigh 1).")] = "",
            window: Annotated[int, typer.Option(help="Years per period window and CAGR span.")] = 5,
            zone: Annotated[Optional[str], typer.Option(
                help="The zone to position (区域): an admin area by name or code (青岛市, 山东省, 370200) or a zone "
                     "file (.toml with areas, an optional enterprise roster and peers).")] = None,
            reference: Annotated[Reference, typer.Option(
                help="What the zone's growth is compared with: the world (whole graph) or the nation.")]
            = Reference.world,
            report: Annotated[bool, typer.Option(
                "--report/--no-report", help="Also write report.docx and tables.xlsx (a few seconds).")] = True) -> None:
    """Compute the indicators and write the offline atlas (index.html, tables/*.csv, run.json).

    Example: patnav analyze --db patnav-db --out patnav-out --zone 青岛市 --economic output-value.csv --market-weights US=2
    """
    from analytics.options import Options, parse_market_weights, parse_weights, read_economic, read_market
    from analytics.zone import load_zone
    options = Options(theta=theta, control_weights=parse_weights(control_weights),
                      market_weights=parse_market_weights(market_weights), window=window,
                      economic=read_economic(economic) if economic else None,
                      economic_source=str(economic) if economic else None,
                      market=read_market(market) if market else None, market_source=str(market) if market else None,
                      zone=load_zone(zone) if zone else None, reference=reference.value)
    if options.zone is None:
        out.print("no --zone given: the positioning tables (module 2) stay empty; name a city, province or zone file")
    _run_analyze(db, neo4j, out_dir, scheme, options, report=report)


@app.command()
@friendly
def serve(db: DbOption = None, neo4j: Neo4jOption = False,
          atlas: Annotated[Optional[Path], typer.Option("--atlas", help="Atlas folder to serve under /atlas.")] = None,
          host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
          port: Annotated[int, typer.Option(help="Port.")] = 8000) -> None:
    """Serve the API (OpenAPI docs at /docs), the chain maps and the atlas.

    Example: patnav serve --db patnav-out/db --atlas patnav-out
    """
    import uvicorn

    from api.app import create_app

    settings = Settings.from_env()
    if neo4j == (db is not None):
        raise StoreError("choose one engine: --db DIR (embedded LadybugDB) or --neo4j")
    app_ = create_app(settings, db=db, neo4j=neo4j, atlas=atlas)
    _warn_incomplete(settings.state_dir(db=db, neo4j=neo4j))
    out.print(f"PatNav API on http://{host}:{port}/docs" + (f" · atlas at http://{host}:{port}/atlas/" if atlas else ""))
    uvicorn.run(app_, host=host, port=port, log_level="warning")


@app.command()
@friendly
def demo(out_dir: Annotated[Path, typer.Option("--out", help="Where to write the atlas and the database.")]
         = Path("patnav-out")) -> None:
    """Run the full navigation analysis on the bundled sample (embedded engine).

    Ingests the committed real incoPat and Patentics autonomous-driving rows into OUT/db, classifies
    them into the icv chain, computes the indicators and writes the atlas to OUT/index.html.
    """
    db = out_dir / "db"
    files = _workflow().demo_files("icv")
    out.print(f"[bold]PatNav demo[/] · {len(files)} sample exports → {db}")
    _run_ingest(files, db, False, ["icv"], out_dir / "ingest-report.json")
    with closing(Settings.from_env().open_store(db=db)) as store:
        zone, why = _workflow().demo_zone(store, "icv")
    out.print(why)
    from analytics.options import Options
    _run_analyze(db, False, out_dir, "icv", Options(zone=zone))
    exe = sys.argv[0] if Path(sys.argv[0]).name == "patnav" else "patnav"
    out.print(f"serve it: {exe} serve --db {db} --atlas {out_dir}   (then http://127.0.0.1:8000/atlas/)")


@neo4j_app.command("start")
@friendly
def neo4j_start(port: Annotated[Optional[int], typer.Option(help="Bolt port (default PATNAV_NEO4J_PORT or 7687; 0 picks a free one).")]
                = None,
                heap: Annotated[str, typer.Option(help="JVM heap.")] = "2g",
                pagecache: Annotated[str, typer.Option(help="Page cache.")] = "2g",
                browser: Annotated[bool, typer.Option("--browser", help="Also serve Neo4j Browser (with the PatNav "
                                                      "Cypher cookbook) over HTTP on 127.0.0.1.")] = False,
                http_port: Annotated[int, typer.Option(help="HTTP port of the Browser (0 picks a free one).")]
                = 7474) -> None:
    """Download (once) and start Neo4j Community 5.26 on 127.0.0.1; print its URI (and the Browser's)."""
    settings = Settings.from_env()
    with Progress(TextColumn("Neo4j jars"), BarColumn(), DownloadColumn(), TransferSpeedColumn(),
                  console=err, transient=True) as bar:
        task = bar.add_task("jars", total=None)
        info = neo4j_server.start(settings.neo4j_home, port=settings.neo4j_port if port is None else port, heap=heap,
                                  pagecache=pagecache, browser=browser, http_port=http_port,
                                  progress=lambda done, total: bar.update(task, completed=done, total=total))
    out.print(f"Neo4j {info.version} running (pid {info.pid}) at {info.uri}; user {info.user}, "
              f"password in {info.home / 'auth.json'}")
    if info.browser:
        out.print(f"Neo4j Browser: {info.browser} (connect to {info.uri}; the Cypher cookbook opens after login)")


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


def _tokens():
    from api.tokens import Tokens
    return Tokens(Settings.from_env().home)


@token_app.command("create")
@friendly
def token_create(name: Annotated[str, typer.Argument(help="Who or what the token is for, e.g. analyst-li.")]) -> None:
    """Make a token and print it once (only its SHA-256 is kept); send it as `Authorization: Bearer <token>`."""
    token = _tokens().create(name)
    err.print(f"token {name!r} created; it is shown once — keep it like a password:", highlight=False)
    sys.stdout.write(token + "\n")


@token_app.command("revoke")
@friendly
def token_revoke(name: Annotated[str, typer.Argument(help="The token's name.")]) -> None:
    """Revoke a token: a running server answers 403 to it from the next request on."""
    if not _tokens().revoke(name):
        raise PatNavError(f"no active token named {name!r}; `patnav token list` shows them")
    out.print(f"token {name!r} revoked")


@token_app.command("list")
@friendly
def token_list() -> None:
    """The tokens' names, when they were made and revoked (never the tokens)."""
    table = Table("name", "created", "revoked")
    for entry in _tokens().names():
        table.add_row(entry["name"], entry["created"] or "", entry["revoked"] or "")
    out.print(table)


@ontology_app.command("validate")
def ontology_validate(path: Annotated[Path, typer.Argument(help="Scheme file (Turtle).")]) -> None:
    """Check a scheme: exit 0 when it conforms, 1 with every violation (concept, field, fix), 2 when the
    file cannot be read.

    Example: patnav ontology validate ontology/chains/icv.ttl
    """
    from ontology.validate import CannotLoad, validate_file
    try:
        violations = validate_file(path)
    except CannotLoad as exc:
        err.print(f"[bold red]error:[/] {escape(str(exc))}", highlight=False, soft_wrap=True)
        raise typer.Exit(2) from None
    if not violations:
        from ontology.chains import load_chain
        chain = load_chain(str(path))
        out.print(f"{path}: conforms — scheme {chain.scheme!r}, {len(chain.concepts)} concepts, "
                  f"{sum(len(c.rules) for c in chain.concepts)} rules, {len(chain.supplies)} supply links")
        return
    for v in violations:
        out.print(escape(f"{path}: {v}"), highlight=False, soft_wrap=True)
    err.print(f"{len(violations)} violation(s)", style="bold red")
    raise typer.Exit(1)


@ontology_app.command("export")
@friendly
def ontology_export(path: Annotated[Path, typer.Argument(help="Scheme file (Turtle) or a shipped chain id.")],
                    xlsx: Annotated[Path, typer.Option("--xlsx", help="Workbook to write.")]) -> None:
    """Write a scheme as an Excel workbook experts can edit (sheets scheme, concepts, rules, supplies, other).

    Example: patnav ontology export ontology/chains/icv.ttl --xlsx icv.xlsx
    """
    from ontology.validate import load_turtle
    from ontology.workbook import export_workbook
    from ontology.chains import chain_path
    export_workbook(load_turtle(chain_path(path)), xlsx)
    out.print(f"wrote {xlsx}")


@ontology_app.command("import")
@friendly
def ontology_import(xlsx: Annotated[Path, typer.Argument(help="Workbook made by `patnav ontology export`.")],
                    ttl: Annotated[Path, typer.Option("--ttl", help="Scheme file (Turtle) to write.")]) -> None:
    """Turn an edited workbook back into a scheme file, then validate it (exit 1 if it does not conform).

    Example: patnav ontology import icv.xlsx --ttl icv-edited.ttl
    """
    from ontology.validate import validate_graph
    from ontology.workbook import import_workbook
    g = import_workbook(xlsx)
    ttl.write_text(g.serialize(format="turtle"), encoding="utf-8")
    violations = validate_graph(g, source=ttl.name)
    out.print(f"wrote {ttl}")
    for v in violations:
        out.print(escape(f"{ttl}: {v}"), highlight=False, soft_wrap=True)
    if violations:
        raise typer.Exit(1)


@ontology_app.command("diff")
@friendly
def ontology_diff(old: Annotated[Path, typer.Argument(help="Old scheme file.")],
                  new: Annotated[Path, typer.Argument(help="New scheme file.")],
                  db: DbOption = None, neo4j: Neo4jOption = False) -> None:
    """List concept, rule and link changes; with a database, how many of its patents would change node.

    Example: patnav ontology diff icv.ttl icv-edited.ttl --db patnav-out/db
    """
    settings = Settings.from_env()
    if db is None and not neo4j:
        result = _workflow().ontology_diff(old, new)
    else:
        with closing(settings.open_store(db=db, neo4j=neo4j, limits=Limits(settings.query_timeout_s * 10, None))) \
                as store:
            result = _workflow().ontology_diff(old, new, store)
    table = Table("concept", "change", "field", "old", "new")
    for c in result["changes"]:
        table.add_row(c.code, c.what, c.field, c.old, c.new)
    out.print(table)
    out.print(f"{len(result['changes'])} change(s)")
    if "moves" in result:
        m = result["moves"]
        out.print(f"patents: {result['patents']:,}; would change node: {m['patents_changed']:,} "
                  f"(newly classified {m['newly_classified']:,}, no longer classified {m['no_longer_classified']:,})"
                  + (f"; e.g. {', '.join(m['examples'][:5])}" if m["examples"] else ""))


@ontology_app.command("ipc")
@friendly
def ontology_ipc(titles: Annotated[Path, typer.Option("--titles", help="IPC title list: symbol TAB title "
                                                                       "(../shared/data/reference/ipc/all_ipc.tsv).")],
                 db: DbOption = None, neo4j: Neo4jOption = False) -> None:
    """Load the IPC hierarchy with titles for the IPC codes in the graph (IPC.title, IPC.level, PART_OF up to
    the section), so analysts can query by class and read what a code means.

    Example: patnav ontology ipc --titles ../shared/data/reference/ipc/all_ipc.tsv --db patnav-out/db
    """
    settings = Settings.from_env()
    with closing(settings.open_store(db=db, neo4j=neo4j, read_only=False,
                                     limits=Limits(settings.query_timeout_s * 10, None))) as store:
        r = _workflow().load_ipc_titles(store, titles)
    out.print(f"{r['codes']:,} IPC codes in the graph → {r['nodes']:,} IPC nodes with ancestors, "
              f"{r['with_title']:,} with a title, {r['links']:,} PART_OF links"
              + (f"; no title for e.g. {', '.join(r['untitled'][:5])}" if r["untitled"] else ""))

