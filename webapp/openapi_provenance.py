"""The quote check and the people in the OpenAPI description (``openapi.build_spec`` merges
these paths and schemas in)."""

from __future__ import annotations

from typing import Any

from indexer.provenance.check import MAX_CLAIM_CHARS
from indexer.provenance.claims import MAX_COLLECTIONS, MAX_SPEAKER_CHARS
from indexer.search.request import MAX_QUERY_CHARS
from webapp.openapi_params import NULLABLE_STR, errors, ok, query

VERDICT = {"type": "string", "enum": ["verbatim", "trimmed", "altered", "paraphrase", "not_found"]}
SPEAKER_MATCH = {"type": "string", "enum": ["same", "different", "unknown"]}
MAX_SPEAKERS_PAGE = 100


VERIFY_QUERY = [
    query("text", f"The quoted words (at most {MAX_QUERY_CHARS} characters here; POST takes "
                  f"{MAX_CLAIM_CHARS}).", {"type": "string", "minLength": 1,
                                           "maxLength": MAX_QUERY_CHARS}, required=True),
    query("speaker", "Who the quote is attributed to.",
          {"type": "string", "maxLength": MAX_SPEAKER_CHARS}),
    query("date", "When it was reported (yyyy-mm-dd): no later record is a source.",
          {"type": "string", "format": "date"}),
    {**query("collection", "Only look in these collections.",
             {"type": "array", "items": {"type": "string", "maxLength": 64},
              "maxItems": MAX_COLLECTIONS}), "style": "form", "explode": True},
]

PATHS: dict[str, Any] = {
    "/api/verify": {
        "get": {"operationId": "verifyGet", "summary": "Check a quotation against the record",
                "parameters": VERIFY_QUERY,
                "responses": {"200": ok("Verify", "The verdict and its sources."),
                              **errors(400, 503)}},
        "post": {"operationId": "verify", "summary": "Check a quotation against the record",
                 "requestBody": {"required": True, "content": {"application/json": {
                     "schema": {"$ref": "#/components/schemas/Claim"}}}},
                 "responses": {"200": ok("Verify", "The verdict and its sources."),
                               **errors(400, 413, 503)}},
    },
    "/api/speakers": {"get": {
        "operationId": "speakers", "summary": "People who speak in the record or are quoted",
        "parameters": [
            query("q", "Words of a name (any name they were recorded under).",
                  {"type": "string", "maxLength": 200}),
            query("size", "How many people.", {"type": "integer", "minimum": 1,
                                               "maximum": MAX_SPEAKERS_PAGE, "default": 20}),
        ],
        "responses": {"200": ok("Speakers", "People."), **errors(400, 503)}}},
    "/api/speakers/{person_id}": {"get": {
        "operationId": "speaker", "summary": "A person: what they said, how they were quoted",
        "parameters": [{"name": "person_id", "in": "path", "required": True,
                        "schema": {"type": "string", "minLength": 1, "maxLength": 200}}],
        "responses": {"200": ok("Speaker", "The person."), **errors(400, 404, 503)}}},
}

PERSON_PROPERTIES: dict[str, Any] = {
    "id": {"type": "string"}, "name": {"type": "string"},
    "aliases": {"type": "array", "items": {"type": "string"}},
    "title": NULLABLE_STR, "country": NULLABLE_STR, "country_code": NULLABLE_STR,
    "role": NULLABLE_STR, "roles": {"type": "array", "items": {"type": "string"}},
    "first_date": NULLABLE_STR, "last_date": NULLABLE_STR,
    "documents": {"type": "integer"}, "quotes": {"type": "integer"},
}
OVER_TIME: dict[str, Any] = {
    "type": "object", "required": ["interval", "buckets"],
    "description": "The documents the person speaks in, by month (by year when they span more "
                   "than 36 months); counts are documents, so they add up to `documents`.",
    "properties": {
        "interval": {"type": "string", "enum": ["month", "year"]},
        "buckets": {"type": "array", "items": {
            "type": "object", "required": ["date", "count", "types"],
            "properties": {"date": {"type": "string", "description": "`2020-03` or `2020`"},
                           "count": {"type": "integer"},
                           "types": {"type": "object", "description": "Documents by type "
                                     "(`transcript`: turns in a meeting, `speech`).",
                                     "additionalProperties": {"type": "integer"}}}}}},
}
TERMS: dict[str, Any] = {
    "type": "array",
    "description": "What they said most: Elasticsearch `significant_text` over their passages "
                   "against the whole archive, strongest first, stop words and numbers left out.",
    "items": {"type": "object", "required": ["term", "count", "background", "score"],
              "properties": {"term": {"type": "string"},
                             "count": {"type": "integer",
                                       "description": "Their passages with the word."},
                             "background": {"type": "integer",
                                            "description": "Passages in the archive with it."},
                             "score": {"type": "number"}}},
}
PERSON_REQUIRED = ["id", "name", "aliases", "country", "role", "documents", "quotes"]

SCHEMAS: dict[str, Any] = {
    "Claim": {
        "type": "object", "required": ["text"],
        "properties": {
            "text": {"type": "string", "minLength": 1, "maxLength": MAX_CLAIM_CHARS},
            "speaker": {"type": ["string", "null"], "maxLength": MAX_SPEAKER_CHARS},
            "date": {"type": ["string", "null"], "format": "date"},
            "collection": {"type": "array", "items": {"type": "string", "maxLength": 64},
                           "maxItems": MAX_COLLECTIONS},
        },
    },
    "Verify": {
        "type": "object", "required": ["verdict", "sources", "also_quoted_in"],
        "properties": {
            "verdict": VERDICT, "speaker_match": SPEAKER_MATCH,
            "claim": {"type": "object"}, "took_ms": {"type": "number"},
            "sources": {"type": "array", "items": {
                "type": "object",
                "required": ["doc_id", "collection", "title", "date", "speaker", "speaker_id",
                             "speaker_match", "verdict", "similarity", "passage", "span",
                             "diff"],
                "properties": {
                    "doc_id": {"type": "string"}, "collection": {"type": "string"},
                    "title": NULLABLE_STR, "date": NULLABLE_STR, "speaker": NULLABLE_STR,
                    "speaker_id": NULLABLE_STR, "speaker_match": SPEAKER_MATCH,
                    "verdict": VERDICT, "similarity": {"type": "number"},
                    "passage": {"type": "object", "required": ["text", "offset", "end"]},
                    "span": {"type": "object", "required": ["start", "end"]},
                    "diff": {"type": "array", "items": {
                        "type": "object", "required": ["op", "quote", "source"],
                        "properties": {"op": {"type": "string", "enum": [
                            "equal", "replace", "insert", "delete"]},
                            "quote": {"type": "string"}, "source": {"type": "string"}}}},
                }}},
            "also_quoted_in": {"type": "array", "items": {
                "type": "object", "required": ["doc_id", "collection", "title", "date", "source"]}},
        },
    },
    "Speakers": {
        "type": "object", "required": ["total", "speakers"],
        "properties": {"total": {"type": "integer"}, "speakers": {"type": "array", "items": {
            "type": "object", "required": PERSON_REQUIRED, "properties": PERSON_PROPERTIES}}},
    },
    "Speaker": {
        "type": "object",
        "required": [*PERSON_REQUIRED, "recent_documents", "quoted", "over_time", "terms"],
        "properties": {**PERSON_PROPERTIES,
                       "recent_documents": {"type": "array", "items": {"type": "object"}},
                       "quoted": {"type": "array", "items": {"type": "object"}},
                       "quoted_total": {"type": "integer"},
                       "over_time": OVER_TIME, "terms": TERMS},
    },
}
