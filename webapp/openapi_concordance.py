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
from indexer.search.request import MAX_DEPTH
from webapp.openapi_params import NULLABLE_STR, errors, param, query
from webapp.params import FILTER_PARAMS

PARAMETERS = [
    query("phrase", "The words to find (case-insensitive; anything that is not a letter or a "
                    "digit between two words matches any other: cross-border = cross border).",
          {"type": "string", "minLength": 1, "maxLength": MAX_PHRASE_CHARS}, required=True),
    *[param(p) for p in FILTER_PARAMS],
    query("order", "oldest (default) or newest first.",
          {"type": "string", "enum": list(ORDERS), "default": "oldest"}),
    query("page", f"Page of lines, 1-based; page × size at most {MAX_DEPTH}.",
          {"type": "integer", "minimum": 1, "maximum": MAX_DEPTH, "default": 1}),
    query("size", "Lines per page.", {"type": "integer", "minimum": 1, "maximum": MAX_SIZE,
                                       "default": DEFAULT_SIZE}),
    query("format", "json (default: one page), or every line as csv or jsonl (a download, "
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
            **errors(400, 503),
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
