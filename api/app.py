"""The HTTP API: indicators as JSON, chain maps as HTML, the atlas as static files (FastAPI).

``create_app(settings, db=… | neo4j=True, atlas=…)`` builds the app; the store is opened read-only in
the lifespan and reached through a dependency, so tests override nothing global. PatNav errors map
to HTTP in one handler: unknown names → 404, rejected queries → 400, engine failures → 503.
"""

from __future__ import annotations

import math
import threading
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated, Any, Literal

import pandas as pd
from fastapi import Depends, FastAPI, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles

from analytics.cypher import Memo, run_query
from analytics.options import Options, parse_market_weights, parse_weights
from analytics.pathways import PATHS
from analytics.pathways.graph import graph_html, pathway_graph
from analytics.zone import load_zone
from analytics.registry import INDICATORS, indicator
from analytics.run import map_data
from api.maps import chain_map_html
from api.workflow import incomplete
from api.settings import Settings
from graph.store import GraphStore, Limits
from ontology.errors import PatNavError, QueryRejected, StoreError


#: what tells the API the graph changed since it computed a table (an ingest or `patnav classify`)
FINGERPRINT = ("MATCH (p:Patent) WITH count(p) AS patents, max(p.pub_date) AS latest "
               "RETURN patents, latest, COUNT { MATCH (:Patent)-[:IN_NODE]->(:ChainNode) } AS tags, "
               "COUNT { MATCH (:Patent)-[:APPLIED_BY]->(:Applicant) } AS applied")


class _Guarded:
    """One store shared by request threads; LadybugDB connections are not for concurrent use.

    Indicator tables are kept between requests (a :class:`Memo`) until the graph's fingerprint —
    patents, latest publication, tags, applicant links — changes."""

    def __init__(self, store: GraphStore) -> None:
        self.store, self.lock = store, threading.Lock()
        self.memo, self.seen = Memo(store), None

    def run(self, fn, *args, **kwargs):
        with self.lock:
            return fn(self.store, *args, **kwargs)

    def cached(self, fn, *args, **kwargs):
        """``fn`` on the remembered results of this graph state (recomputed after the graph changed)."""
        with self.lock:
            now = tuple(str(v) for v in self.store.run(FINGERPRINT).iloc[0])
            if now != self.seen:
                self.memo, self.seen = Memo(self.store), now
            return fn(self.memo, *args, **kwargs)


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as JSON-safe dicts: NaN/NA → null, numpy scalars → Python, dates → ISO strings."""
    out = []
    for row in frame.astype(object).to_dict("records"):
        clean = {}
        for k, v in row.items():
            if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA or v is pd.NaT:
                clean[k] = None
            elif hasattr(v, "isoformat"):
                clean[k] = v.isoformat()
            elif hasattr(v, "item"):
                clean[k] = v.item()
            else:
                clean[k] = v
        out.append(clean)
    return out


def get_store(request: Request) -> _Guarded:
    """The read-only store opened in the lifespan."""
    return request.app.state.store


Store = Annotated[_Guarded, Depends(get_store)]


def create_app(settings: Settings, *, db: Path | None = None, neo4j: bool = False,
               atlas: Path | None = None) -> FastAPI:
    """The PatNav API over the graph in ``db`` (embedded) or on the Neo4j server."""
    limits = Limits(timeout_s=settings.query_timeout_s, max_rows=None)
    state_dir = settings.state_dir(db=db, neo4j=neo4j)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        store = settings.open_store(db=db, neo4j=neo4j, read_only=True, limits=limits)
        app.state.store = _Guarded(store)
        try:
            yield
        finally:
            store.close()

    app = FastAPI(title="PatNav API (专利导航)", version="0.1.0", lifespan=lifespan,
                  description="Patent navigation indicators over a knowledge graph. Every indicator is a "
                              "named Cypher query plus documented post-processing.")

    @app.exception_handler(PatNavError)
    async def patnav_error(request: Request, exc: PatNavError):
        status = 400 if isinstance(exc, QueryRejected) else 503 if isinstance(exc, StoreError) else 400
        return JSONResponse({"error": type(exc).__name__, "detail": str(exc)}, status_code=status)

    @app.get("/health", tags=["meta"])
    def health(store: Store) -> dict:
        """Liveness plus what the graph holds."""
        count = store.run(lambda s: s.run("MATCH (p:Patent) RETURN count(*) AS n"))
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
    def get_indicator(name: str, store: Store,
                      scheme: Annotated[str, Query(description="Chain scheme id.")] = "icv",
                      theta: Annotated[float, Query(description="Product control: share an actor needs in a node.")]
                      = 0.05,
                      control_weights: Annotated[str, Query(description="Technology, product, market weights.")]
                      = "0.4,0.3,0.3",
                      market_weights: Annotated[str, Query(description="Weight per filing office, e.g. US=2,CN=1.5.")]
                      = "",
                      window: Annotated[int, Query(description="Years per period window and CAGR span.")] = 5) -> dict:
        """One indicator computed on the graph (kept until the graph changes), as rows of JSON objects.
        The parameters are those of `patnav analyze`; indicators that do not use them ignore them."""
        try:
            ind = indicator(name)
        except KeyError as exc:
            raise HTTPException(404, str(exc.args[0])) from None
        options = Options(theta=theta, control_weights=parse_weights(control_weights),
                          market_weights=parse_market_weights(market_weights), window=window)
        frame = store.cached(ind.run, scheme, options)
        return {"name": name, "scheme": scheme, "title_zh": ind.title_zh, "title_en": ind.title_en,
                "columns": list(frame.columns), "rows": _records(frame)}

    @app.get("/api/zones/{zone}/positioning/{table}", tags=["positioning"])
    def get_positioning(zone: str, table: str, store: Store,
                        scheme: Annotated[str, Query(description="Chain scheme id.")] = "icv",
                        reference: Annotated[Literal["world", "nation"], Query(
                            description="What the zone's growth is compared with.")] = "world",
                        window: Annotated[int, Query(description="CAGR span in years.")] = 5) -> dict:
        """One table of the zone's positioning (module 2): ``zone`` is an admin area's code or name
        (440300, 深圳市, 广东省); ``table`` is nodes, coverage, enterprises, roster, technology, talent,
        inventors, agents, cooperation or diagnosis (with or without the ``positioning_`` prefix)."""
        name = table if table.startswith("positioning_") else f"positioning_{table}"
        if name not in INDICATORS or INDICATORS[name].module != "positioning":
            known = ", ".join(n.removeprefix("positioning_") for n, i in INDICATORS.items() if i.module == "positioning")
            raise HTTPException(404, f"no positioning table {table!r}; known: {known}")
        where = _zone(zone)
        ind = INDICATORS[name]
        frame = store.cached(ind.run, scheme, Options(zone=where, reference=reference, window=window))
        return {"name": name, "zone": where.record(), "scheme": scheme, "title_zh": ind.title_zh,
                "title_en": ind.title_en, "columns": list(frame.columns), "rows": _records(frame)}

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
        options = Options(zone=where, reference=reference)
        ind = INDICATORS[f"pathway_{path}"]
        return where, ind, options, store.cached(ind.run, scheme, options)

    @app.get("/api/zones/{zone}/pathways/{path}", tags=["pathways"])
    def get_pathway(zone: str, path: str, store: Store,
                    scheme: Annotated[str, Query(description="Chain scheme id.")] = "icv",
                    reference: Annotated[Literal["world", "nation"], Query(
                        description="What the zone's growth is compared with.")] = "world") -> dict:
        """One development path of the zone (module 3) as rows: ``path`` is structure, enterprises,
        technology, talent, patent_use or reserve; each row a candidate with node, score, priority (S / A /
        B), reasons in Chinese and English, and evidence."""
        where, ind, _, frame = _pathway(zone, path, store, scheme, reference)
        return {"name": ind.name, "zone": where.record(), "scheme": scheme, "title_zh": ind.title_zh,
                "title_en": ind.title_en, "columns": list(frame.columns), "rows": _records(frame)}

    @app.get("/api/zones/{zone}/plan", tags=["plan"])
    def get_plan(zone: str, store: Store, scheme: Annotated[str, Query(description="Chain scheme id.")] = "icv",
                 table: Annotated[Literal["plan", "offices"], Query(
                     description="plan: targets per node and year; offices: the applicant × office matrix.")] = "plan"
                 ) -> dict:
        """The zone's patent layout plan (phase 2): per chain node and planned year the target units with
        their range, structure targets, timing, offices and the derivation of every number; or, with
        ``table=offices``, the matrix of the node leaders' and the zone's filings per office (重点 / 有 / 无)."""
        where = _zone(zone)
        ind = INDICATORS["plan" if table == "plan" else "plan_offices"]
        frame = store.cached(ind.run, scheme, Options(zone=where))
        return {"name": ind.name, "zone": where.record(), "scheme": scheme, "title_zh": ind.title_zh,
                "title_en": ind.title_en, "columns": list(frame.columns), "rows": _records(frame)}

    @app.get("/api/zones/{zone}/pathways/{path}/graph", tags=["pathways"])
    def get_pathway_graph(zone: str, path: str, store: Store,
                          scheme: Annotated[str, Query(description="Chain scheme id.")] = "icv",
                          reference: Annotated[Literal["world", "nation"], Query(
                              description="What the zone's growth is compared with.")] = "world",
                          format: Annotated[Literal["json", "html"], Query(
                              description="json: nodes and edges; html: the interactive map.")] = "json"):
        """The pathway graph zone → chain node → candidate, every edge with its reason and numbers: JSON
        (``nodes``, ``edges``) or, with ``format=html``, a self-contained interactive map."""
        where, _, options, frame = _pathway(zone, path, store, scheme, reference)
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
        if store.run(run_query, "chain_nodes", scheme=scheme).empty:
            raise HTTPException(404, f"no chain nodes of scheme {scheme!r} in the graph")
        nodes, links = store.cached(map_data, scheme)
        return HTMLResponse(chain_map_html(nodes, links, f"{scheme} chain map", colour_by=colour))

    if atlas is not None:
        if not (Path(atlas) / "index.html").is_file():
            raise PatNavError(f"{atlas} holds no atlas (index.html); write one with `patnav analyze --out {atlas}`")
        app.mount("/atlas", StaticFiles(directory=atlas, html=True), name="atlas")

    @app.get("/", include_in_schema=False)
    def root() -> RedirectResponse:
        return RedirectResponse("/atlas/" if atlas is not None else "/docs")

    return app
