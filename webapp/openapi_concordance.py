"""The concordance in the OpenAPI description (``openapi.build_spec`` merges these in)."""

from __future__ import annotations

from typing import Any

from indexer.search.concordance import (
    DEFAULT_SIZE,
    MAX_DOCUMENTS,
    MAX_PHRASE_CHARS,
    MAX_SIZE,
    ORDERS,
)
from indexer.search.request import MAX_DEPTH, MAX_PARAM_CHARS, MAX_PARAM_VALUES
from webapp.params import FILTER_PARAMS

NULLABLE_STR = {"type": ["string", "null"]}
ERROR = {"$ref": "#/components/schemas/Error"}


def _query(name: str, description: str, schema: dict[str, Any], *,
           required: bool = False) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": required, "description": description,
            "schema": schema}


def _filter(name: str, description: str, kind: str, enum: Any, repeatable: bool,
            fmt: str | None) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": kind}
    if enum:
        schema["enum"] = list(enum)
    elif fmt:
        schema["format"] = fmt
    else:
        schema["maxLength"] = MAX_PARAM_CHARS
    if not repeatable:
        return _query(name, description, schema)
    return {**_query(name, description, {"type": "array", "items": schema,
                                         "maxItems": MAX_PARAM_VALUES}),
            "style": "form", "explode": True}


PARAMETERS = [
    _query("phrase", "The words to find (case-insensitive; anything that is not a letter or a "
                     "digit between two words matches any other: cross-border = cross border).",
           {"type": "string", "minLength": 1, "maxLength": MAX_PHRASE_CHARS}, required=True),
    *[_filter(p.name, p.description, p.kind, p.enum, p.repeatable, p.format)
      for p in FILTER_PARAMS],
    _query("order", "oldest (default) or newest first.",
           {"type": "string", "enum": list(ORDERS), "default": "oldest"}),
    _query("page", f"Page of lines, 1-based; page × size at most {MAX_DEPTH}.",
           {"type": "integer", "minimum": 1, "maximum": MAX_DEPTH, "default": 1}),
    _query("size", "Lines per page.", {"type": "integer", "minimum": 1, "maximum": MAX_SIZE,
                                        "default": DEFAULT_SIZE}),
    _query("format", "json (default: one page), or every line as csv or jsonl (a download, "
                     "the same writer as /api/export).",
           {"type": "string", "enum": ["json", "csv", "jsonl"], "default": "json"}),
]

LINE = {
    "type": "object",
    "required": ["doc_id", "collection", "date", "speaker", "speaker_id", "left", "match",
                 "right", "offset"],
    "properties": {
        "doc_id": {"type": "string"}, "collection": {"type": "string"}, "date": NULLABLE_STR,
        "speaker": NULLABLE_STR, "speaker_id": NULLABLE_STR,
        "left": {"type": "string"}, "match": {"type": "string"}, "right": {"type": "string"},
        "offset": {"type": "integer", "description": "Where the match starts in the "
                                                     "document's text (characters)."},
        "length": {"type": "integer", "description": "How many characters of the "
                                                     "document's text the match covers."},
        "passage": {"type": ["integer", "null"]}, "type": NULLABLE_STR, "title": NULLABLE_STR,
    },
}

PATHS: dict[str, Any] = {
    "/api/concordance": {"get": {
        "operationId": "concordance",
        "summary": "Every occurrence of a phrase, in context, oldest first",
        "description": f"Reads at most {MAX_DOCUMENTS} matching documents (the oldest, or the "
                       "newest with order=newest); `truncated` says when there were more.",
        "parameters": PARAMETERS,
        "responses": {
            "200": {"description": "A page of lines (format=json), or every line streamed. A "
                                   "CSV cell that begins with =, +, -, @, tab or CR gets a "
                                   "leading single quote.",
                    "content": {
                        "application/json": {"schema": {
                            "$ref": "#/components/schemas/Concordance"}},
                        "text/csv": {"schema": {"type": "string"}},
                        "application/x-ndjson": {"schema": {"type": "string"}}}},
            **{str(c): {"description": d, "content": {"application/json": {"schema": ERROR}}}
               for c, d in ((400, "A parameter is wrong; `parameter` names it."),
                            (503, "Elasticsearch is not answering; retry later."))},
        }}},
}

SCHEMAS: dict[str, Any] = {
    "ConcordanceLine": LINE,
    "Concordance": {
        "type": "object",
        "required": ["phrase", "order", "total", "documents", "truncated", "page", "size",
                     "first", "lines"],
        "properties": {
            "phrase": {"type": "string"}, "words": {"type": "array", "items": {"type": "string"}},
            "order": {"type": "string", "enum": list(ORDERS)},
            "total": {"type": "integer", "description": "Occurrences."},
            "documents": {"type": "integer", "description": "Documents they are in."},
            "truncated": {"type": "boolean"}, "max_documents": {"type": "integer"},
            "page": {"type": "integer"}, "size": {"type": "integer"},
            "first": {"oneOf": [{"$ref": "#/components/schemas/ConcordanceLine"},
                                {"type": "null"}], "description": "The earliest occurrence."},
            "lines": {"type": "array", "items": {"$ref": "#/components/schemas/ConcordanceLine"}},
            "took_ms": {"type": "number"},
        },
    },
}
