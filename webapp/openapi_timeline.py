"""The timeline in the OpenAPI description (``openapi.build_spec`` merges these in)."""

from __future__ import annotations

from typing import Any

from indexer.search import timeline
from webapp.openapi_params import NULLABLE_STR, error, errors, param
from webapp.params import SEARCH_PARAMS, Param

TIMELINE_PARAMS = (
    *[p for p in SEARCH_PARAMS if p.name not in ("page", "size", "fusion", "alpha")],
    Param("by", "string", "What each series counts: a speaker (the person, as the speaker "
          "facet), a speaker's country, a collection, a document type or a speaker's role.",
          default=timeline.DEFAULT_BY, enum=timeline.BY),
    Param("interval", "string", "The period of one bucket; auto picks the finest of day, week "
          f"and month that gives at most {timeline.AUTO_MAX_PERIODS} periods over the matches' "
          "dates and none finer than those dates (year when each is only a year), else year.",
          default=timeline.DEFAULT_INTERVAL, enum=timeline.INTERVALS),
    Param("top", "integer", "How many keys get a series of their own (the most documents "
          'first); the rest are counted in one series keyed "other".',
          default=timeline.DEFAULT_TOP, minimum=1, maximum=timeline.MAX_TOP),
)


PATHS: dict[str, Any] = {
    "/api/timeline": {"get": {
        "operationId": "timeline",
        "summary": "Matching documents per period, one series per speaker, country, "
                   "collection, type or role",
        "description": "Counts documents as the search page does in the same mode (its facets): "
                       "a series' bucket counts, plus its documents dated too coarsely for "
                       "the interval (coarser) and its undated ones, sum to that key's facet "
                       "count for the same query. Only periods holding documents are listed. "
                       "A period counts only dates it holds: by month, week or day a document "
                       "dated only by its year is in coarser, never in January.",
        "parameters": [param(p) for p in TIMELINE_PARAMS],
        "responses": {
            "200": {"description": "The series, most documents first, then \"other\".",
                    "content": {"application/json": {"schema": {
                        "$ref": "#/components/schemas/TimelineResponse"}}}},
            **errors(400),
            "503": error("Elasticsearch or the model is not answering; retry later."),
        }}},
}

SCHEMAS: dict[str, Any] = {
    "TimelineBucket": {"type": "object", "required": ["date", "count"], "properties": {
        "date": {"type": "string", "description": "First day of the period (yyyy-mm-dd)."},
        "count": {"type": "integer", "minimum": 1}}},
    "TimelineSeries": {"type": "object",
                       "required": ["key", "label", "total", "undated", "buckets"],
                       "properties": {
        "key": {"type": "string", "description": "The value counted: a person's id for "
                "by=speaker (a name when no person was resolved), or \"other\"."},
        "label": {"type": "string", "description": "What to show: a person's name."},
        "total": {"type": "integer", "description": "Documents of this key (its facet count)."},
        "undated": {"type": "integer", "description": "Of those, documents without a date "
                    "(in no bucket)."},
        "coarser": {"type": "array", "description": "Of those, documents dated only by a "
                    "year (or a month) when the periods are finer, by that date as given "
                    "(in no bucket).", "items": {
                        "type": "object", "required": ["date", "precision", "count"],
                        "properties": {"date": {"type": "string"},
                                       "precision": {"type": "string",
                                                     "enum": ["year", "month"]},
                                       "count": {"type": "integer", "minimum": 1}}}},
        "buckets": {"type": "array", "items": {"$ref": "#/components/schemas/TimelineBucket"}},
        "person": {"type": "boolean"}, "unnamed": {"type": "boolean"},
        "other": {"type": "boolean"}, "country": NULLABLE_STR}},
    "TimelineResponse": {"type": "object",
                         "required": ["by", "interval", "total", "series"], "properties": {
        "by": {"type": "string", "enum": list(timeline.BY)},
        "interval": {"type": "string", "enum": list(timeline.INTERVALS[1:])},
        "top": {"type": "integer"}, "mode": {"type": "string"}, "q": {"type": "string"},
        "total": {"type": "integer", "description": "Documents matched (the search's total)."},
        "first": NULLABLE_STR, "last": NULLABLE_STR,
        "series": {"type": "array", "items": {"$ref": "#/components/schemas/TimelineSeries"}}}},
}
