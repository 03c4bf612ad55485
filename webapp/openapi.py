"""The OpenAPI 3 description of the API, generated from the parameter definitions the
handlers validate with, so the two cannot drift apart (a test checks every route is here)."""

from __future__ import annotations

from typing import Any

from indexer import __version__
from indexer.search.request import DEFAULT_SIZE, MAX_DEPTH, MAX_SIZE
from webapp import openapi_concordance as concordance_spec
from webapp import openapi_provenance as provenance_spec
from webapp import openapi_timeline as timeline_spec
from webapp.openapi_params import NULLABLE_INT, NULLABLE_STR, errors, ok, param
from webapp.params import FILTER_PARAMS, SEARCH_PARAMS, Param

QUOTE_PARAMS = (
    Param("q", "string", "Words to find in quotations.", default=""),
    Param("speaker", "string", "Who said it: a name as written, or a person's id "
          "(/api/speakers), found under every name the person had."),
    Param("verdict", "string", "Only quotes checked against the record with this verdict "
          "(repeatable): verbatim, trimmed, altered, paraphrase, not_found.",
          enum=("verbatim", "trimmed", "altered", "paraphrase", "not_found"), repeatable=True),
    *[p for p in FILTER_PARAMS if p.name != "speaker"],
    Param("page", "integer", "Page number.", default=1, minimum=1, maximum=MAX_DEPTH),
    Param("size", "integer", "Quotes per page.", default=DEFAULT_SIZE, minimum=1, maximum=MAX_SIZE),
)
EXPORT_PARAMS = (
    *[p for p in SEARCH_PARAMS if p.name not in ("page", "size")],
    Param("format", "string", "jsonl (default) or csv.", default="jsonl", enum=("jsonl", "csv")),
)

PRECISION = {"$ref": "#/components/schemas/DatePrecision"}
SCHEMAS: dict[str, Any] = {
    "Error": {
        "type": "object", "required": ["error"],
        "properties": {"error": {
            "type": "object", "required": ["status", "message"],
            "properties": {"status": {"type": "integer"}, "message": {"type": "string"},
                           "parameter": {"type": "string"}}}},
    },
    "Bucket": {"type": "object", "required": ["value", "count"],
               "properties": {"value": {"type": "string"}, "count": {"type": "integer"}}},
    "DatePrecision": {"type": ["string", "null"], "enum": ["year", "month", "day", None],
                      "description": "How much of the date its source gave: `date` is written "
                                     "to that precision (2019, 2019-10, 2019-10-03)."},
    "Quote": {"type": "object", "required": ["text", "speaker"],
              "properties": {"text": NULLABLE_STR, "speaker": NULLABLE_STR}},
    "Result": {
        "type": "object",
        "required": ["doc_id", "collection", "type", "title", "date", "source", "speaker", "url",
                     "passage", "more_passages", "quotes", "ranks"],
        "properties": {
            "doc_id": {"type": "string"}, "collection": {"type": "string"},
            "type": {"type": "string"}, "title": NULLABLE_STR, "date": NULLABLE_STR,
            "date_precision": PRECISION,
            "source": NULLABLE_STR, "speaker": NULLABLE_STR, "speaker_country": NULLABLE_STR,
            "symbol": NULLABLE_STR, "url": NULLABLE_STR,
            "passage": {"type": "object", "required": ["text", "highlights", "offset"],
                        "properties": {"id": NULLABLE_STR, "number": NULLABLE_INT,
                                       "text": {"type": "string"},
                                       "highlights": {"type": "array",
                                                      "items": {"type": "string"}},
                                       "offset": NULLABLE_INT, "end": NULLABLE_INT}},
            "more_passages": {"type": "integer"},
            "quotes": {"type": "array", "items": {"$ref": "#/components/schemas/Quote"}},
            "ranks": {"type": "object", "required": ["keyword", "semantic", "fused"],
                      "properties": {"keyword": NULLABLE_INT, "semantic": NULLABLE_INT,
                                     "fused": {"type": ["number", "null"]}}},
        },
    },
    "SearchResponse": {
        "type": "object",
        "required": ["total", "took_ms", "mode", "page", "size", "results", "facets"],
        "properties": {
            "total": {"type": "integer"},
            "pageable": {"type": "integer", "minimum": 0, "maximum": MAX_DEPTH,
                         "description": "How many results paging reaches: never past "
                                        f"page × size = {MAX_DEPTH} (the last whole page "
                                        "within it), and in hybrid mode only the documents "
                                        "its candidates hold. /api/export has everything."},
            "took_ms": {"type": "number"},
            "mode": {"type": "string", "enum": ["hybrid", "keyword", "semantic"]},
            "fusion": NULLABLE_STR, "alpha": {"type": ["number", "null"]},
            "page": {"type": "integer"}, "size": {"type": "integer"},
            "degraded": {"type": "string"},
            "phrase_fallback": {"type": "boolean", "description": "A quoted phrase matched "
                                "nothing exactly: its words near each other, or the words "
                                "themselves, were searched instead (see unmatched_phrases)."},
            "unmatched_phrases": {"type": "array", "items": {
                "type": "object", "required": ["phrase", "level"],
                "properties": {"phrase": {"type": "string"},
                               "level": {"type": "string", "enum": ["near", "words"]}}}},
            "partial": {"type": "boolean"},
            "results": {"type": "array", "items": {"$ref": "#/components/schemas/Result"}},
            "facets": {"type": "object", "required": ["collection", "type", "speaker", "date"],
                       "properties": {
                           "collection": {"type": "array",
                                          "items": {"$ref": "#/components/schemas/Bucket"}},
                           "type": {"type": "array",
                                    "items": {"$ref": "#/components/schemas/Bucket"}},
                           "speaker": {"type": "array",
                                       "items": {"$ref": "#/components/schemas/Bucket"}},
                           "date": {"type": "array", "items": {
                               "type": "object", "required": ["date", "count"],
                               "properties": {"date": {"type": "string"},
                                              "count": {"type": "integer"}}}},
                           "date_interval": NULLABLE_STR,
                           "date_year_only": {
                               "type": "array", "description": "When the bars are months: "
                               "documents dated only by their year (in no month), by year.",
                               "items": {"type": "object", "required": ["date", "count"],
                                         "properties": {"date": {"type": "string"},
                                                        "count": {"type": "integer"}}}}}},
        },
    },
    "QuotesResponse": {
        "type": "object", "required": ["total", "page", "size", "results"],
        "properties": {
            "total": {"type": "integer"}, "page": {"type": "integer"},
            "size": {"type": "integer"}, "took_ms": {"type": "number"},
            "checked": {"type": "integer", "description": "With verdict=: the quotes of the "
                        "collections asked for that have been checked at all."},
            "notice": {"type": "string", "description": "With verdict=: present when none "
                       "has been checked (run verbatim link), so that 0 does not read as "
                       "'none was altered'."},
            "results": {"type": "array", "items": {
                "type": "object", "required": ["text", "speaker", "doc_id", "collection"],
                "properties": {"text": NULLABLE_STR, "highlight": {"type": "string"},
                               "speaker": NULLABLE_STR, "doc_id": {"type": "string"},
                               "collection": {"type": "string"}, "title": NULLABLE_STR,
                               "date": NULLABLE_STR, "date_precision": PRECISION,
                               "source": NULLABLE_STR,
                               "offset": NULLABLE_INT, "score": {"type": ["number", "null"]}}}},
        },
    },
    "Document": {
        "type": "object", "required": ["doc_id", "collection", "type", "text", "passages", "quotes"],
        "properties": {
            "doc_id": {"type": "string"}, "collection": {"type": "string"},
            "type": {"type": "string"}, "title": NULLABLE_STR, "date": NULLABLE_STR,
            "date_precision": PRECISION,
            "source": NULLABLE_STR, "url": NULLABLE_STR, "author": NULLABLE_STR,
            "symbol": NULLABLE_STR, "topic": NULLABLE_STR, "speaker": NULLABLE_STR,
            "text": {"type": "string"}, "metadata": {"type": "object"},
            "passages": {"type": "array", "items": {"type": "object"}},
            "quotes": {"type": "array", "items": {"type": "object"}},
        },
    },
    "Collections": {
        "type": "object", "required": ["collections"],
        "properties": {"collections": {"type": "array", "items": {
            "type": "object",
            "required": ["name", "documents", "passages", "quotes", "model", "index", "created"],
            "properties": {"name": {"type": "string"}, "documents": {"type": "integer"},
                           "passages": {"type": "integer"}, "quotes": {"type": "integer"},
                           "model": NULLABLE_STR, "encoder_backend": NULLABLE_STR,
                           "index": {"type": "string"}, "created": NULLABLE_STR}}}},
    },
    "Health": {
        "type": "object", "required": ["status", "elasticsearch", "model"],
        "properties": {"status": {"type": "string", "enum": ["ok", "degraded", "unavailable"]},
                       "elasticsearch": {"type": "object"}, "model": {"type": "object"},
                       "collections": {"type": "integer"}, "documents": {"type": "integer"},
                       "passages": {"type": "integer"}},
    },
}


def build_spec() -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {"title": "Verbatim API", "version": __version__,
                 "description": "Keyword, semantic and hybrid search over news articles and UN "
                                "meeting records. Errors share one shape: "
                                '{"error": {"status", "message", "parameter"}}.'},
        "paths": {
            "/api/search": {"get": {
                "operationId": "search", "summary": "Search documents (one result per document)",
                "parameters": [param(p) for p in SEARCH_PARAMS],
                "responses": {"200": ok("SearchResponse", "Results, facets and ranks."),
                              **errors(400, 503)}}},
            "/api/quotes": {"get": {
                "operationId": "quotes", "summary": "Search quotations and who said them",
                "parameters": [param(p) for p in QUOTE_PARAMS],
                "responses": {"200": ok("QuotesResponse", "Matching quotations."),
                              **errors(400, 503)}}},
            "/api/export": {"get": {
                "operationId": "export", "summary": "Every matching passage, streamed",
                "description": "keyword: every keyword match, best first. semantic: the k "
                               "nearest passages the page ranks, nearest first. hybrid: every "
                               "keyword match, then the k nearest that match no word.",
                "parameters": [param(p) for p in EXPORT_PARAMS],
                "responses": {"200": {"description": "JSON lines or CSV, one passage a line. A CSV cell that "
                                                  "begins with =, +, -, @, tab or CR gets a "
                                                  "leading single quote (no spreadsheet "
                                                  "formulas).",
                                      "content": {"application/x-ndjson": {"schema": {"type": "string"}},
                                                  "text/csv": {"schema": {"type": "string"}}}},
                              **errors(400, 503)}}},
            "/api/documents/{doc_id}": {"get": {
                "operationId": "document", "summary": "A whole document with passages and quotes",
                "parameters": [
                    {"name": "doc_id", "in": "path", "required": True,
                     "schema": {"type": "string", "minLength": 1}},
                    param(Param("collection", "string", "The collection, when several hold "
                                "a document with this id.")),
                ],
                "responses": {"200": ok("Document", "The document."), **errors(400, 404, 503)}}},
            "/api/documents": {"get": {
                "operationId": "documentById",
                "summary": "A document whose id cannot be a path segment (. or ..)",
                "parameters": [
                    {"name": "id", "in": "query", "required": True,
                     "schema": {"type": "string", "minLength": 1, "maxLength": 512}},
                    param(Param("collection", "string", "The collection, when several hold "
                                "a document with this id.")),
                ],
                "responses": {"200": ok("Document", "The document."), **errors(400, 404, 503)}}},
            "/api/collections": {"get": {
                "operationId": "collections", "summary": "The collections and their counts",
                "responses": {"200": ok("Collections", "Collections."), **errors(503)}}},
            "/api/health": {"get": {
                "operationId": "health", "summary": "Elasticsearch reachable, model loaded",
                "responses": {"200": ok("Health", "Healthy or degraded."),
                              "503": ok("Health", "Elasticsearch unreachable.")}}},
            "/api/openapi.json": {"get": {
                "operationId": "openapi", "summary": "This description",
                "responses": {"200": {"description": "OpenAPI 3.1",
                                      "content": {"application/json": {"schema": {"type": "object"}}}}}}},
            **provenance_spec.PATHS,
            **timeline_spec.PATHS,
            **concordance_spec.PATHS,
        },
        "components": {"schemas": {**SCHEMAS, **provenance_spec.SCHEMAS, **timeline_spec.SCHEMAS,
                                   **concordance_spec.SCHEMAS}},
    }
