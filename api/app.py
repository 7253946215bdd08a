"""The HTTP API: indicators as JSON (or CSV / XLSX downloads), chain maps as HTML, Cypher for token
holders, the atlas as static files (FastAPI).

``create_app(settings, db=… | neo4j=True, atlas=…)`` builds the app; the store is opened read-only in
the lifespan and reached through a dependency, so tests override nothing global. PatNav errors map
to HTTP in one handler: unknown names → 404, rejected queries → 400, engine failures → 503; bad
parameters → 422 naming the parameter. Tables are computed once per graph state and their encoded
replies kept, so repeated requests cost a dictionary look-up; the graph is asked whether it changed at
most every ``PATNAV_API_RECHECK`` seconds (an ingest or classify by another process is then served).
"""

from __future__ import annotations

import io
import json
import math
import threading
import time
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated, Any, Callable, Literal

import pandas as pd
from fastapi import Depends, FastAPI, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, Field

from analytics.cypher import Memo
from analytics.options import Options, parse_market_weights, parse_weights
from analytics.pathways import PATHS
from analytics.pathways.graph import graph_html, pathway_graph
from analytics.zone import load_zone
from analytics.registry import INDICATORS, indicator
from analytics.run import map_data
from api.maps import chain_map_html
from api.workflow import incomplete
from api.settings import Settings
from api.tokens import RateLimit, Tokens
from graph.guard import analyst_query
from graph.store import GraphStore, Limits, file_signature
from ontology.errors import PatNavError, QueryRejected, StoreError


#: what tells the API the graph changed since it computed a table (an ingest or `patnav classify`)
FINGERPRINT = ("MATCH (p:Patent) WITH count(p) AS patents, max(p.pub_date) AS latest "
               "RETURN patents, latest, COUNT { MATCH (:Patent)-[:IN_NODE]->(:ChainNode) } AS tags, "
               "COUNT { MATCH (:Patent)-[:APPLIED_BY]->(:Applicant) } AS applied")


class _Guarded:
    """One store shared by request threads; LadybugDB connections are not for concurrent use.

    Indicator tables are kept between requests (a :class:`Memo`), and encoded replies beside them (at most
    ``MAX_REPLIES``, the oldest dropped first), until the graph changes: on the embedded engine whenever its
    files change (any write, even one that keeps every count); on Neo4j when the fingerprint — patents, latest
    publication, tags, applicant links — or the ingest ledger's files change, read at most every
    ``recheck_s`` seconds."""

    MAX_REPLIES = 512

    def __init__(self, store: GraphStore, recheck_s: float = 2.0, state_dir: Path | None = None) -> None:
        self.store, self.lock, self.recheck_s = store, threading.Lock(), recheck_s
        self.memo, self.seen, self.checked = Memo(store), None, -math.inf
        self.replies: dict = {}
        self.generation = 0
        self.version = getattr(store, "version", None)  # the embedded store's files: a change is seen at once
        self.version_seen = None
        self.ledger = [Path(state_dir) / n for n in ("ingest.json", "rows.parquet")] if state_dir else []

    def run(self, fn, *args, **kwargs):
        with self.lock:
            return fn(self.store, *args, **kwargs)

    def _current(self) -> bool:
        """Whether the kept tables still describe the graph, without asking the engine: the embedded
        database's files are as they were, or (Neo4j) the last check is recent enough."""
        if self.seen is None:
            return False
        if self.version is not None:
            return self.version() == self.version_seen
        return time.monotonic() - self.checked < self.recheck_s

    def _fresh(self) -> None:
        if self._current():
            return
        before = self.version() if self.version is not None else None
        state = tuple(str(v) for v in self.store.run(FINGERPRINT).iloc[0]) + file_signature(self.ledger)
        after = self.version() if self.version is not None else None  # the query may reopen (and checkpoint)
        moved = self.version_seen is not None and after != self.version_seen  # a write that kept every count
        if state != self.seen or moved:
            # the new state first, then the marks that make the lock-free fast path trust it
            self.memo, self.seen, self.replies = Memo(self.store), state, {}
            self.generation += 1
        # files that changed while the fingerprint was read are not trusted yet: the next request looks again
        self.checked, self.version_seen = time.monotonic(), after if before == after else None

    def cached(self, fn, *args, **kwargs):
        """``fn`` on the remembered results of this graph state (recomputed after the graph changed)."""
        with self.lock:
            self._fresh()
            return fn(self.memo, *args, **kwargs)

    def reply(self, key, build: Callable[[], Any]):
        """The reply kept under ``key`` for this graph state, built (outside the lock) when missing."""
        with self.lock:
            self._fresh()
            if key in self.replies:
                return self.replies[key]
            generation = self.generation
        value = build()
        with self.lock:
            if generation == self.generation:
                self.replies[key] = value
                while len(self.replies) > self.MAX_REPLIES:  # any parameter makes a key: bounded
                    self.replies.pop(next(iter(self.replies)))
        return value

    def hit(self, key):
        """The kept reply for ``key`` if the graph is known unchanged, else None (no lock, no query: the
        fast path of :class:`KeptReplies`)."""
        return self.replies.get(key) if self._current() else None

    @property
    def cutoff(self) -> str:
        """The latest publication date in the graph (the data cut-off)."""
        return str(self.seen[1]) if self.seen else ""


class KeptReplies:
    """ASGI middleware: a GET whose reply is kept for the current graph is answered here, before routing,
    validation and the thread pool (the reply was made by the route itself, with the same key)."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http" and scope["method"] == "GET":
            store = getattr(scope["app"].state, "store", None)
            if store is not None:
                from urllib.parse import parse_qsl
                query = parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
                kept = store.hit((scope["path"], tuple(sorted(query))))
                if kept is not None:
                    accept = dict(scope["headers"]).get(b"accept-encoding", b"").decode("latin-1")
                    await _send(kept, accept)(scope, receive, send)
                    return
        await self.app(scope, receive, send)


def _send(kept: tuple, accept: str) -> Response:
    """A kept reply (body, media type, headers, gzipped body or None), gzipped when the client takes it."""
    body, media, headers, packed = kept
    if packed is not None and "gzip" in accept:
        return Response(packed, media_type=media, headers={**headers, "Content-Encoding": "gzip",
                                                           "Vary": "Accept-Encoding"})
    return Response(body, media_type=media, headers={**headers, "Vary": "Accept-Encoding"} if packed else headers)


def _packed(body: bytes) -> bytes | None:
    """The body gzipped once when kept (tables of hundreds of kB shrink ~10×), None when small."""
    import gzip
    return gzip.compress(body, compresslevel=6, mtime=0) if len(body) > 2048 else None


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as JSON-safe dicts: NaN/NA → null, numpy scalars → Python, dates → ISO strings."""
    out = []
    for row in frame.astype(object).to_dict("records"):
        clean = {}
        for k, v in row.items():
            if hasattr(v, "item") and not isinstance(v, (list, dict)):
                v = v.item()  # numpy scalars → Python
            if v is None or (isinstance(v, float) and not math.isfinite(v)) or v is pd.NA or v is pd.NaT:
                clean[k] = None  # JSON has no NaN or infinity
            elif hasattr(v, "isoformat"):
                clean[k] = v.isoformat()
            else:
                clean[k] = v
        out.append(clean)
    return out


async def get_store(request: Request) -> _Guarded:  # async: no thread-pool hop
    """The read-only store opened in the lifespan."""
    return request.app.state.store


Store = Annotated[_Guarded, Depends(get_store)]


def require_token(request: Request) -> str:
    """The name of the token the request carries; 401 without a known one, 403 when it was revoked,
    429 past the rate limit. The token itself is never logged nor echoed."""
    tokens, rate = request.app.state.tokens, request.app.state.rate
    kind, _, token = request.headers.get("authorization", "").partition(" ")
    if kind.lower() != "bearer" or not token.strip():
        raise HTTPException(401, "send `Authorization: Bearer <token>`; an administrator makes one with "
                                 "`patnav token create NAME`", headers={"WWW-Authenticate": "Bearer"})
    try:
        status, name = tokens.check(token.strip())
    except PatNavError:  # the details (the file's path) are for the administrator's console, not the caller
        raise HTTPException(503, "the server's token store cannot be read; tell its administrator") from None
    if status == "unknown":
        raise HTTPException(401, "this token is not known to this server", headers={"WWW-Authenticate": "Bearer"})
    if status == "revoked":
        raise HTTPException(403, f"the token {name!r} was revoked; ask for a new one")
    wait = rate.wait(name)
    if wait:
        raise HTTPException(429, f"token {name!r} sent more than {rate.per_minute} requests in a minute; "
                                 f"retry in {math.ceil(wait)} s", headers={"Retry-After": str(math.ceil(wait))})
    return name


TokenName = Annotated[str, Depends(require_token)]


class CypherRequest(BaseModel):
    """One read-only Cypher statement and its parameters."""

    query: str = Field(min_length=1, max_length=20_000, description="One read-only Cypher statement.",
                       examples=["MATCH (p:Patent)-[:APPLIED_BY]->(a:Applicant) RETURN a.name_zh AS applicant, "
                                 "count(p) AS patents ORDER BY patents DESC LIMIT 10"])
    params: dict[str, Any] = Field(default_factory=dict, description="Query parameters ($name in the query).")


Format = Annotated[Literal["json", "csv", "xlsx"], Query(
    description="json (default), csv (UTF-8 with BOM; cells never become formulas) or xlsx (a download).")]
Reference = Annotated[Literal["world", "nation"], Query(description="What the zone's growth is compared with.")]
Scheme = Annotated[str, Query(description="Chain scheme id (404 when the graph holds no such scheme).",
                              max_length=100)]


def _invalid(param: str, message: str) -> HTTPException:
    """A 422 shaped like FastAPI's own validation errors, naming the API parameter."""
    return HTTPException(422, [{"loc": ["query", param], "msg": message, "type": "value_error"}])


def _encode(meta: dict, frame: pd.DataFrame, fmt: str, cutoff: str) -> tuple[bytes, str, dict]:
    """(body, media type, headers) of a table reply."""
    name = meta.get("name", "table")
    if fmt == "csv":
        from ontology.spreadsheet import escape_formulas
        body = escape_formulas(frame).to_csv(index=False).encode("utf-8-sig")
        return body, "text/csv; charset=utf-8", {"Content-Disposition": f'attachment; filename="{name}.csv"'}
    if fmt == "xlsx":
        from api.report import write_workbook
        buffer = io.BytesIO()
        write_workbook(buffer, {name: frame}, cutoff)
        return (buffer.getvalue(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                {"Content-Disposition": f'attachment; filename="{name}.xlsx"'})
    body = json.dumps({**meta, "columns": [str(c) for c in frame.columns], "rows": _records(frame)},
                      ensure_ascii=False, default=str, allow_nan=False).encode("utf-8")
    return body, "application/json", {}


def create_app(settings: Settings, *, db: Path | None = None, neo4j: bool = False,
               atlas: Path | None = None) -> FastAPI:
    """The PatNav API over the graph in ``db`` (embedded) or on the Neo4j server."""
    limits = Limits(timeout_s=settings.query_timeout_s, max_rows=None)
    state_dir = settings.state_dir(db=db, neo4j=neo4j)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        store = settings.open_store(db=db, neo4j=neo4j, read_only=True, limits=limits)
        app.state.store = _Guarded(store, settings.api_recheck_s, state_dir if neo4j else None)
        try:
            yield
        finally:
            store.close()

    app = FastAPI(title="PatNav API (专利导航)", version="0.1.0", lifespan=lifespan,
                  description="Patent navigation indicators over a knowledge graph. Every indicator is a "
                              "named Cypher query plus documented post-processing. Tables answer JSON, or CSV / "
                              "XLSX with `format=`. `POST /api/cypher` needs a token (`patnav token create NAME`).")
    app.state.tokens, app.state.rate = Tokens(settings.home), RateLimit(settings.api_rate)
    app.add_middleware(KeptReplies)

    @app.exception_handler(PatNavError)
    async def patnav_error(request: Request, exc: PatNavError):
        status = 400 if isinstance(exc, QueryRejected) else 503 if isinstance(exc, StoreError) else 400
        return JSONResponse({"error": type(exc).__name__, "detail": str(exc)}, status_code=status)

    def reply_table(request: Request, store: _Guarded, fmt: str, build: Callable[[], tuple[dict, pd.DataFrame]]):
        """A table reply, kept for this graph state under the request's path and parameters."""
        key = (request.url.path, tuple(sorted(request.query_params.multi_items())))

        def make():
            meta, frame = build()
            body, media, headers = _encode(meta, frame, fmt, store.cutoff)
            return body, media, headers, _packed(body) if fmt != "xlsx" else None
        return _send(store.reply(key, make), request.headers.get("accept-encoding", ""))

    def known_scheme(store: _Guarded, scheme: str) -> None:
        schemes = store.cached(lambda memo: set(memo.run("MATCH (n:ChainNode) RETURN DISTINCT n.scheme AS s")["s"]))
        if scheme not in schemes:
            raise HTTPException(404, f"the graph holds no chain scheme {scheme!r}; known: "
                                     f"{', '.join(sorted(map(str, schemes))) or 'none (ingest with --chain)'}")

    @app.get("/health", tags=["meta"])
    async def health(store: Store) -> dict:  # async: answered on the event loop (both calls take a moment)
        """Liveness plus what the graph holds."""
        count = store.cached(lambda memo: memo.run("MATCH (p:Patent) RETURN count(*) AS n"))
        warning = incomplete(state_dir)
        return {"status": "ok", "engine": store.store.engine, "patents": int(count["n"].iloc[0]),
                "complete": warning is None, **({"warning": warning} if warning else {})}

    @app.get("/api/indicators", tags=["indicators"])
    def list_indicators() -> list[dict]:
        """Every indicator: name, bilingual title, module, the queries behind it and its definition."""
        return [{"name": i.name, "title_zh": i.title_zh, "title_en": i.title_en, "module": i.module,
                 "queries": list(i.queries), "doc": i.doc, "url": f"/api/indicators/{i.name}"}
                for i in INDICATORS.values()]

    @app.get("/api/indicators/{name}", tags=["indicators"])
    def get_indicator(name: str, store: Store, request: Request, scheme: Scheme = "icv",
                      theta: Annotated[float, Query(description="Product control: share an actor needs in a node.",
                                                    gt=0, le=1, allow_inf_nan=False)] = 0.05,
                      control_weights: Annotated[str, Query(description="Technology, product, market weights.",
                                                            max_length=100)] = "0.4,0.3,0.3",
                      market_weights: Annotated[str, Query(description="Weight per filing office, e.g. US=2,CN=1.5.",
                                                           max_length=1000)] = "",
                      window: Annotated[int, Query(description="Years per period window and CAGR span.", ge=2, le=50)]
                      = 5, format: Format = "json"):
        """One indicator computed on the graph (kept until the graph changes), as rows of JSON objects (or a
        CSV / XLSX download). The parameters are those of `patnav analyze`; indicators that do not use them
        ignore them."""
        try:
            ind = indicator(name)
        except KeyError as exc:
            raise HTTPException(404, str(exc.args[0])) from None
        try:
            weights = parse_weights(control_weights, "control_weights")
        except PatNavError as exc:
            raise _invalid("control_weights", str(exc)) from None
        try:
            markets = parse_market_weights(market_weights, "market_weights")
        except PatNavError as exc:
            raise _invalid("market_weights", str(exc)) from None
        known_scheme(store, scheme)
        options = Options(theta=theta, control_weights=weights, market_weights=markets, window=window)
        return reply_table(request, store, format, lambda: (
            {"name": name, "scheme": scheme, "title_zh": ind.title_zh, "title_en": ind.title_en},
            store.cached(ind.run, scheme, options)))

    @app.get("/api/zones/{zone}/positioning/{table}", tags=["positioning"])
    def get_positioning(zone: str, table: str, store: Store, request: Request, scheme: Scheme = "icv",
                        reference: Reference = "world",
                        window: Annotated[int, Query(description="CAGR span in years.", ge=2, le=50)] = 5,
                        format: Format = "json"):
        """One table of the zone's positioning (module 2): ``zone`` is an admin area's code or name
        (440300, 深圳市, 广东省); ``table`` is nodes, coverage, enterprises, roster, technology, talent,
        inventors, agents, cooperation or diagnosis (with or without the ``positioning_`` prefix)."""
        name = table if table.startswith("positioning_") else f"positioning_{table}"
        if name not in INDICATORS or INDICATORS[name].module != "positioning":
            known = ", ".join(n.removeprefix("positioning_") for n, i in INDICATORS.items() if i.module == "positioning")
            raise HTTPException(404, f"no positioning table {table!r}; known: {known}")
        where = _zone(zone)
        known_scheme(store, scheme)
        ind = INDICATORS[name]
        return reply_table(request, store, format, lambda: (
            {"name": name, "zone": where.record(), "scheme": scheme, "title_zh": ind.title_zh,
             "title_en": ind.title_en},
            store.cached(ind.run, scheme, Options(zone=where, reference=reference, window=window))))

    def _zone(zone: str):
        try:
            where = load_zone(zone) if not zone.lower().endswith(".toml") else None
        except PatNavError as exc:
            raise HTTPException(404, str(exc)) from None
        if where is None:
            raise HTTPException(404, "zone files are not read over the API; name an admin area by code or name")
        return where

    def _pathway(zone: str, path: str, store, scheme: str, reference: str):
        if path not in PATHS:
            raise HTTPException(404, f"no pathway {path!r}; known: {', '.join(PATHS)}")
        where = _zone(zone)
        known_scheme(store, scheme)
        return where, INDICATORS[f"pathway_{path}"], Options(zone=where, reference=reference)

    @app.get("/api/zones/{zone}/pathways/{path}", tags=["pathways"])
    def get_pathway(zone: str, path: str, store: Store, request: Request, scheme: Scheme = "icv",
                    reference: Reference = "world", format: Format = "json"):
        """One development path of the zone (module 3) as rows: ``path`` is structure, enterprises,
        technology, talent, patent_use or reserve; each row a candidate with node, score, priority (S / A /
        B), reasons in Chinese and English, and evidence."""
        where, ind, options = _pathway(zone, path, store, scheme, reference)
        return reply_table(request, store, format, lambda: (
            {"name": ind.name, "zone": where.record(), "scheme": scheme, "title_zh": ind.title_zh,
             "title_en": ind.title_en}, store.cached(ind.run, scheme, options)))

    @app.get("/api/zones/{zone}/plan", tags=["plan"])
    def get_plan(zone: str, store: Store, request: Request, scheme: Scheme = "icv",
                 table_name: Annotated[Literal["plan", "offices"], Query(alias="table", description=(
                     "plan: targets per node and year; offices: the applicant × office matrix."))] = "plan",
                 format: Format = "json"):
        """The zone's patent layout plan (phase 2): per chain node and planned year the target units with
        their range, structure targets, timing, offices and the derivation of every number; or, with
        ``table=offices``, the matrix of the node leaders' and the zone's filings per office (重点 / 有 / 无)."""
        where = _zone(zone)
        known_scheme(store, scheme)
        ind = INDICATORS["plan" if table_name == "plan" else "plan_offices"]
        return reply_table(request, store, format, lambda: (
            {"name": ind.name, "zone": where.record(), "scheme": scheme, "title_zh": ind.title_zh,
             "title_en": ind.title_en}, store.cached(ind.run, scheme, Options(zone=where))))

    @app.get("/api/zones/{zone}/pathways/{path}/graph", tags=["pathways"])
    def get_pathway_graph(zone: str, path: str, store: Store, scheme: Scheme = "icv", reference: Reference = "world",
                          format: Annotated[Literal["json", "html"], Query(
                              description="json: nodes and edges; html: the interactive map.")] = "json"):
        """The pathway graph zone → chain node → candidate, every edge with its reason and numbers: JSON
        (``nodes``, ``edges``) or, with ``format=html``, a self-contained interactive map."""
        where, ind, options = _pathway(zone, path, store, scheme, reference)
        frame = store.cached(ind.run, scheme, options)
        positions = store.cached(INDICATORS["positioning_nodes"].run, scheme, options)
        structure = store.cached(INDICATORS["pathway_structure"].run, scheme, options)
        names = store.cached(map_data, scheme)[0].set_index("node")["name_zh"]
        graph = pathway_graph(path, frame, positions, names, where, structure)
        return HTMLResponse(graph_html(graph)) if format == "html" else graph

    @app.get("/api/chain/{scheme}/map", response_class=HTMLResponse, tags=["maps"])
    def chain_map(scheme: str, store: Store,
                  colour: Annotated[Literal["stage", "growth"], Query(
                      description="Colour nodes by chain stage or by the growth (CAGR) of their filings.")] = "stage"
                  ) -> HTMLResponse:
        """The interactive chain map (self-contained HTML: no CDN), coloured by stage or by growth."""
        known_scheme(store, scheme)
        nodes, links = store.cached(map_data, scheme)
        return HTMLResponse(chain_map_html(nodes, links, f"{scheme} chain map", colour_by=colour))

    @app.get("/api/chain/{scheme}/control-history", tags=["maps"])
    def control_history_chart(scheme: str, store: Store,
                              window: Annotated[int, Query(description="Years per period window.", ge=2, le=50)] = 5,
                              top: Annotated[int, Query(description="Leading applicants drawn.", ge=1, le=20)] = 6,
                              format: Annotated[Literal["json", "html"], Query(
                                  description="The plotly figure as JSON, or a self-contained HTML page.")] = "json"):
        """专利控制力历史演进: the control index of the last window's leading applicants (whole chain) in
        every period window, as in the atlas — a plotly figure (JSON) or an offline HTML page (plotly.js
        inlined, no CDN). The numbers are ``/api/indicators/control_history``'s."""
        from api.charts import history_figure
        known_scheme(store, scheme)
        history = store.cached(INDICATORS["control_history"].run, scheme, Options(window=window))
        fig = history_figure(history, top=top)
        if format == "html":
            return HTMLResponse(fig.to_html(full_html=True, include_plotlyjs=True))
        return Response(fig.to_json(), media_type="application/json")

    @app.post("/api/cypher", tags=["cypher"])
    def cypher(body: CypherRequest, store: Store, token: TokenName,
               format: Annotated[Literal["json", "csv"], Query(description="json rows or a CSV download.")] = "json"):
        """Run one read-only Cypher statement (token required: `Authorization: Bearer <token>`): the same
        guard as `patnav query` refuses writes, files, settings and administration (400); at most
        PATNAV_QUERY_MAX_ROWS rows and PATNAV_QUERY_TIMEOUT seconds. Answers ``{"columns": [...], "rows":
        [...]}`` or CSV."""
        def work(s):
            return s.run(analyst_query(body.query, s.engine), body.params, max_rows=settings.query_max_rows)
        # the Neo4j driver serves threads at once: an analyst's long query does not hold the other routes
        frame = work(store.store) if store.store.engine == "neo4j" else store.run(work)
        meta = {"name": "cypher", "engine": store.store.engine, "row_count": len(frame)}
        content, media, headers = _encode(meta, frame, format, "")
        return Response(content, media_type=media, headers=headers)

    if atlas is not None:
        if not (Path(atlas) / "index.html").is_file():
            raise PatNavError(f"{atlas} holds no atlas (index.html); write one with `patnav analyze --out {atlas}`")
        app.mount("/atlas", StaticFiles(directory=atlas, html=True), name="atlas")

    @app.get("/", include_in_schema=False)
    def root() -> RedirectResponse:
        return RedirectResponse("/atlas/" if atlas is not None else "/docs")

    return app
