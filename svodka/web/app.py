"""The application factory: ``create_app(db_path)`` gives a FastAPI app that
serves the JSON API (/api/..., schema at /openapi.json) and the pages over
one svodka database, read-only."""
from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from .. import __version__
from . import api, pages
from .queries import KnowledgeBase, QueryTimeout

HERE = Path(__file__).resolve().parent

# Pages carry data only as JSON; scripts come from this server alone.
# Plotly sets inline styles on its SVG, hence 'unsafe-inline' for styles.
CONTENT_SECURITY_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
                           "img-src 'self' data:; object-src 'none'; base-uri 'none'; "
                           "frame-ancestors 'none'; form-action 'self'")


def plotly_bundle() -> Path | None:
    """plotly.js as the installed plotly package ships it (no CDN)."""
    try:
        import plotly
    except ImportError:
        return None
    path = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    return path if path.exists() else None


def create_app(db_path: str) -> FastAPI:
    kb = KnowledgeBase(db_path)
    app = FastAPI(
        # the interactive docs pages load their scripts from a CDN: off, the
        # schema itself is at /openapi.json
        docs_url=None, redoc_url=None,
        title="svodka",
        version=__version__,
        description="The analyst's workbench over a svodka knowledge base: documents, "
                    "PLOVER events, entities, country pairs, quotes. Read-only.")
    app.state.kb = kb
    app.state.templates = pages.make_templates()
    app.include_router(api.router)
    app.include_router(pages.router)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")

    bundle = plotly_bundle()

    @app.get("/vendor/plotly.min.js", include_in_schema=False)
    def plotly_js():
        if bundle is None:
            return Response("/* plotly is not installed: charts are off */",
                            media_type="text/javascript")
        return FileResponse(bundle, media_type="text/javascript",
                            headers={"Cache-Control": "public, max-age=86400"})

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon():
        return FileResponse(HERE / "static" / "favicon.svg", media_type="image/svg+xml")

    @app.middleware("http")
    async def security_headers(request: Request, call_next):
        response = await call_next(request)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        return response

    def wants_json(request: Request) -> bool:
        return request.url.path.startswith("/api/") or request.url.path == "/openapi.json"

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException):
        message = error.detail if isinstance(error.detail, str) else "error"
        if error.status_code == 404 and message == "Not Found":
            message = f"nothing at {request.url.path}"
        if wants_json(request):
            return JSONResponse({"detail": message}, status_code=error.status_code,
                                headers=getattr(error, "headers", None))
        return pages.error_page(request, error.status_code, message)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, error: RequestValidationError):
        message = validation_message(error)
        if wants_json(request):
            return JSONResponse({"detail": message, "errors": _jsonable(error.errors())},
                                status_code=422)
        return pages.error_page(request, 422, message)

    @app.exception_handler(QueryTimeout)
    async def timeout_error(request: Request, error: QueryTimeout):
        message = f"the query took too long ({error}); narrow it with filters"
        if wants_json(request):
            return JSONResponse({"detail": message}, status_code=503)
        return pages.error_page(request, 503, message)

    return app


def validation_message(error: RequestValidationError) -> str:
    parts = []
    for item in error.errors():
        where = ".".join(str(x) for x in item.get("loc", ())[1:]) or "request"
        text = item.get("msg", "invalid")
        if "pattern" in str(item.get("ctx", {})) and "date" in where:
            text = "expected YYYY, YYYY-MM or YYYY-MM-DD"
        elif "pattern" in str(item.get("ctx", {})) and where in ("country", "a", "b"):
            text = "expected an ISO3 country code like KAZ"
        value = item.get("input")
        parts.append(f"{where}: {text}" + (f" (got {value!r})" if isinstance(value, (str, int)) else ""))
    return "; ".join(parts) or "malformed request"


def _jsonable(errors: list) -> list:
    def plain(value):
        if isinstance(value, (tuple, list)):
            return [plain(v) for v in value]
        return value if isinstance(value, (str, int, float, type(None))) else str(value)
    return [{k: plain(v) for k, v in e.items() if k != "ctx"} for e in errors]
