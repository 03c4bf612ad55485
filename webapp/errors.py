"""Every error handler, and the one JSON error shape: {"error": {"status", "message", "parameter"?}}.

Pages get the same status with an error page instead. The archive's own failures arrive as
``VerbatimError`` (Elasticsearch's already translated by ``indexer.errors``), so the only
other cases are Werkzeug's HTTP errors and bugs, which are logged with their stack trace
and never described as anything but an internal error.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, current_app, jsonify, make_response, render_template, request
from werkzeug.exceptions import HTTPException

from indexer.errors import SearchUnavailable, VerbatimError

log = logging.getLogger("verbatim.webapp")

RETRY_AFTER_S = 5
UNAVAILABLE_PAGE = "The archive is not answering right now. Please try again in a moment."


def error_body(status: int, message: str, parameter: str | None = None) -> dict[str, Any]:
    error: dict[str, Any] = {"status": status, "message": message}
    if parameter is not None:
        error["parameter"] = parameter
    return {"error": error}


def json_error(status: int, message: str, parameter: str | None = None) -> Response:
    response = jsonify(error_body(status, message, parameter))
    response.status_code = status
    return response


def render_error(status: int, message: str) -> Response:
    response = make_response(render_template("error.html", status=status, message=message))
    response.status_code = status
    return response


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def _respond(status: int, message: str, parameter: str | None = None, *,
             page_message: str | None = None) -> Response:
    if _wants_json():
        return json_error(status, message, parameter)
    return render_error(status, page_message or message)


def verbatim_error(exc: VerbatimError) -> Response:
    page_message = UNAVAILABLE_PAGE if isinstance(exc, SearchUnavailable) else None
    response = _respond(exc.status, exc.message, exc.parameter, page_message=page_message)
    if exc.status == 503:
        response.headers["Retry-After"] = str(RETRY_AFTER_S)
    return response


def http_error(exc: HTTPException) -> Response:
    status = exc.code or 500
    message = exc.description or exc.name
    if status == 413:
        message = f"The request body is larger than {current_app.config['MAX_CONTENT_LENGTH']} bytes"
    return _respond(status, message)


def internal_error(exc: Exception) -> Response:
    log.exception("Unhandled error on %s", request.path)
    return _respond(500, "Internal error; it has been logged")


def register(app: Flask) -> None:
    app.register_error_handler(VerbatimError, verbatim_error)
    app.register_error_handler(HTTPException, http_error)
    app.register_error_handler(Exception, internal_error)
