"""The pieces every part of the OpenAPI description is built from: a query parameter from the
``Param`` the handlers validate with, error and success responses, shared schemas.

A module of its own because ``openapi`` imports the ``openapi_*`` modules to merge their
paths in: they could not import these from it.
"""

from __future__ import annotations

from typing import Any

from indexer.search.request import MAX_PARAM_CHARS, MAX_PARAM_VALUES, MAX_QUERY_CHARS
from webapp.params import Param

ERROR = {"$ref": "#/components/schemas/Error"}
NULLABLE_STR = {"type": ["string", "null"]}
NULLABLE_INT = {"type": ["integer", "null"]}
ERROR_TEXTS = {400: "A parameter is wrong; `parameter` names it.", 404: "Not found.",
               413: "The body is too large.", 503: "Elasticsearch is not answering; retry later."}


def query(name: str, description: str, schema: dict[str, Any], *,
          required: bool = False) -> dict[str, Any]:
    """One query parameter with its schema as given."""
    return {"name": name, "in": "query", "required": required, "description": description,
            "schema": schema}


def param(p: Param) -> dict[str, Any]:
    """One query parameter as the handlers validate it (``webapp.params``): its limits are the
    handlers' own, so the description cannot drift from them."""
    schema: dict[str, Any] = {"type": p.kind}
    for key, value in (("enum", list(p.enum) if p.enum else None), ("default", p.default),
                       ("minimum", p.minimum), ("maximum", p.maximum), ("format", p.format)):
        if value is not None:
            schema[key] = value
    if p.kind == "string" and not p.enum and not p.format:
        schema["maxLength"] = MAX_QUERY_CHARS if p.name == "q" else MAX_PARAM_CHARS
    if not p.repeatable:
        return query(p.name, p.description, schema)
    return {**query(p.name, p.description, {"type": "array", "items": schema,
                                            "maxItems": MAX_PARAM_VALUES}),
            "style": "form", "explode": True}


def error(description: str) -> dict[str, Any]:
    """An error response: every error has the one shape (``Error``)."""
    return {"description": description, "content": {"application/json": {"schema": ERROR}}}


def errors(*codes: int) -> dict[str, Any]:
    """The error responses of these status codes, in their usual words."""
    return {str(c): error(ERROR_TEXTS[c]) for c in codes}


def ok(ref: str, description: str) -> dict[str, Any]:
    """A JSON success response of the schema ``ref``."""
    return {"description": description,
            "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{ref}"}}}}
