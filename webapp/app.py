"""The Flask application factory."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, request
from werkzeug.exceptions import HTTPException

from indexer.client import build_client
from indexer.embedder import Embedder
from indexer.searcher import NotFound, Searcher, SearchUnavailable
from indexer.settings import Settings, SettingsError, load_settings
from webapp.errors import json_error
from webapp.params import BadParameter

log = logging.getLogger("verbatim.webapp")

MAX_BODY_BYTES = 64 * 1024
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")


def create_app(settings: Settings | None = None, *, test_config: dict[str, Any] | None = None,
               embedder: Embedder | None = None, warm: bool = True) -> Flask:
    """Build the app; the model is loaded here (once per process), before the first request."""
    app = Flask(__name__)
    app.config.update(MAX_CONTENT_LENGTH=MAX_BODY_BYTES)
    app.json.sort_keys = False  # type: ignore[attr-defined]  # keep the documented key order
    if test_config:
        app.config.update(test_config)
    if settings is None:
        try:
            settings = load_settings()
        except SettingsError as exc:
            raise SystemExit(f"verbatim: {exc}") from None
    client = build_client(settings)
    if embedder is None:
        embedder = Embedder.from_settings(settings)
    searcher = Searcher(client, embedder, settings)
    if warm:
        try:
            searcher.warm()
        except Exception as exc:
            log.error("The model could not be loaded (%s); hybrid search will be degraded", exc)
    app.extensions["verbatim"] = {
        "settings": settings,
        "client": client,
        "embedder": embedder,
        "searcher": searcher,
    }

    from webapp import api, pages

    app.register_blueprint(api.bp)
    app.register_blueprint(pages.bp)
    _register_errors(app)
    app.after_request(_security_headers)
    return app


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def _register_errors(app: Flask) -> None:
    from webapp.pages import render_error

    @app.errorhandler(BadParameter)
    def bad_parameter(exc: BadParameter) -> Any:
        if _wants_json():
            return json_error(400, exc.message, exc.param)
        return render_error(400, exc.message)

    @app.errorhandler(NotFound)
    def not_found(exc: NotFound) -> Any:
        message = f"No document with id {exc.args[0]!r}"
        return json_error(404, message) if _wants_json() else render_error(404, message)

    @app.errorhandler(SearchUnavailable)
    def unavailable(exc: SearchUnavailable) -> Any:
        message = str(exc)
        if _wants_json():
            response = json_error(503, message)
        else:
            response = render_error(503, "The archive is not answering right now. "
                                    "Please try again in a moment.")
        response.headers["Retry-After"] = "5"
        return response

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> Any:
        status = exc.code or 500
        message = exc.description or exc.name
        if status == 413:
            message = f"The request body is larger than {MAX_BODY_BYTES} bytes"
        return json_error(status, message) if _wants_json() else render_error(status, message)

    @app.errorhandler(Exception)
    def internal(exc: Exception) -> Any:
        from elastic_transport import TransportError
        from elasticsearch import ApiError

        if isinstance(exc, TransportError | ApiError):
            # Never echo the exception: it may carry URLs with credentials.
            log.error("Elasticsearch error on %s: %s", request.path, type(exc).__name__)
            status = getattr(getattr(exc, "meta", None), "status", 503)
            if status == 400:
                return json_error(400, "Elasticsearch could not run this query", "q") \
                    if _wants_json() else render_error(400, "That query could not be run.")
            return unavailable(SearchUnavailable("Elasticsearch is not answering; try again"))
        log.exception("Unhandled error on %s", request.path)
        message = "Internal error; it has been logged"
        return json_error(500, message) if _wants_json() else render_error(500, message)


def _security_headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "no-referrer")
    response.headers.setdefault("X-Frame-Options", "DENY")
    return response
