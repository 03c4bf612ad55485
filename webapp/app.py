"""The Flask application factory."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, abort, current_app, request
from flask.json.provider import DefaultJSONProvider

from indexer.client import build_client
from indexer.model.embedder import Embedder
from indexer.provenance.check import Checker
from indexer.search.request import MAX_REQUEST_LINE_BYTES
from indexer.search.searcher import Searcher
from indexer.settings import Settings, SettingsError, load_settings
from webapp import errors
from webapp.extensions import Services

log = logging.getLogger("verbatim.webapp")

MAX_BODY_BYTES = 64 * 1024
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")


def create_app(settings: Settings | None = None, *, test_config: dict[str, Any] | None = None,
               embedder: Embedder | None = None, warm: bool = True) -> Flask:
    """Build the app; the model is loaded here (once per process), before the first request."""
    app = Flask(__name__)
    app.config.update(MAX_CONTENT_LENGTH=MAX_BODY_BYTES)
    # No redirect that merges slashes: Werkzeug would build its Location from the Host header
    # (``GET //evil.example/`` answered with a redirect to another site).
    app.url_map.merge_slashes = False
    if isinstance(app.json, DefaultJSONProvider):
        app.json.sort_keys = False  # keep the documented key order
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
        except Exception as exc:  # any model failure: the app serves keyword search, logged
            log.error("The model could not be loaded (%s: %s); hybrid search will be degraded",
                      type(exc).__name__, exc, exc_info=True)
    checker = Checker(client, embedder, settings, vectors=searcher.vectors)
    Services(settings, client, embedder, searcher, checker).install(app)

    from webapp import api, concordance_views, pages, people_pages, timeline_views

    app.register_blueprint(api.bp)
    app.register_blueprint(pages.bp)
    app.register_blueprint(people_pages.bp)
    app.register_blueprint(timeline_views.bp)
    app.register_blueprint(concordance_views.bp)
    errors.register(app)
    app.before_request(_refuse_large_bodies)
    app.before_request(_refuse_long_request_lines)
    app.after_request(_security_headers)
    log.info("Verbatim web app ready: index prefix %s, model %s (%s)", settings.index_prefix,
             embedder.model_name, embedder.backend_if_known)
    return app


def _refuse_large_bodies() -> None:
    """Nothing Verbatim serves takes a body: one over the limit is refused before routing,
    whatever the method, rather than only when a view happens to read it."""
    if (request.content_length or 0) > current_app.config["MAX_CONTENT_LENGTH"]:
        abort(413)


def _refuse_long_request_lines() -> None:
    """A request line longer than any request within the limits takes: refused in the app's
    error shape (gunicorn passes such lines on; its own limit is lower than the worst case)."""
    if len(request.path.encode()) + len(request.query_string) > MAX_REQUEST_LINE_BYTES:
        abort(414, f"The request line is longer than {MAX_REQUEST_LINE_BYTES} bytes")


def _security_headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "no-referrer")
    response.headers.setdefault("X-Frame-Options", "DENY")
    return response
