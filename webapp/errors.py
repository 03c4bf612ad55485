"""The one JSON error shape: {"error": {"status", "message", "parameter"?}}."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify


def error_body(status: int, message: str, parameter: str | None = None) -> dict[str, Any]:
    error: dict[str, Any] = {"status": status, "message": message}
    if parameter is not None:
        error["parameter"] = parameter
    return {"error": error}


def json_error(status: int, message: str, parameter: str | None = None) -> Response:
    response = jsonify(error_body(status, message, parameter))
    response.status_code = status
    return response
