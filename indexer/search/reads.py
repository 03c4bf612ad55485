"""The bodies of the archive's other read paths: quotations, exports and one document.

Searches (the keyword and semantic legs, facets, highlights) are built in ``queries``; these
read what a search found in other shapes, and share its filters.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from indexer.search.plan import leg_passages
from indexer.search.queries import SOURCE_EXCLUDES, filter_clauses, passages_query
from indexer.search.request import Filters
from indexer.search.syntax import parse_keyword_query

EXPORT_BATCH = 1000  # passages per page of an export
PIT_KEEP_ALIVE = "2m"  # an export's point in time lives this long between two of its pages
DOCUMENT_MAX_PASSAGES = 10000  # a document view reads every passage of the document at once
MAX_QUOTES_PER_PASSAGE = 100  # Elasticsearch's index.max_inner_result_window


def quotes_body(q: str, filters: Filters, *, speaker: str | None, size: int,
                offset: int, speaker_ids: Sequence[str] = ()) -> dict[str, Any]:
    """Search the quotations themselves: each hit is a passage, its inner hits the quotes.

    ``size`` and ``offset`` count quotes, not passages: every passage hit holds at least one
    matching quote, so the first ``offset + size`` passages hold the page; the ``quotes``
    aggregation counts the matching quotes themselves (the total)."""
    nested_must: list[dict[str, Any]] = []
    positive, _ = parse_keyword_query(q)
    if positive:
        nested_must.append({"simple_query_string": {
            "query": positive, "fields": ["quotes.text"], "default_operator": "or",
            "lenient": True}})
    if speaker:
        # The name as the article wrote it, or the person it resolves to under any name.
        nested_must.append({"bool": {"should": [
            {"match": {"quotes.speaker": {"query": speaker, "operator": "and"}}},
            {"terms": {"quotes.speaker_id": [speaker, *speaker_ids]}},
        ], "minimum_should_match": 1}})
    if not nested_must:
        nested_must.append({"match_all": {}})
    nested_query = {"bool": {"must": nested_must}}
    wanted = offset + size
    return {
        "query": {"bool": {
            "must": [{"nested": {
                "path": "quotes", "query": nested_query, "score_mode": "max",
                "inner_hits": {"size": min(wanted, MAX_QUOTES_PER_PASSAGE), "highlight": {
                    "encoder": "html", "pre_tags": ["<mark>"], "post_tags": ["</mark>"],
                    "fields": {"quotes.text": {"number_of_fragments": 0}}}},
            }}],
            "filter": filter_clauses(filters),
        }},
        "from": 0,
        "size": wanted,
        "_source": {"excludes": [*SOURCE_EXCLUDES, "text"]},
        "track_total_hits": True,
        "aggs": {"quotes": {"nested": {"path": "quotes"},
                            "aggs": {"matching": {"filter": nested_query}}}},
    }


def nearest_body(knn: dict[str, Any] | list[dict[str, Any]], pit: str) -> dict[str, Any]:
    """The ``k`` nearest passages of a semantic or hybrid export, over the export's point in
    time: the top-level ``knn`` a semantic page ranks (a ``knn`` query would take ``k`` of
    each index and shard)."""
    clauses = knn if isinstance(knn, list) else [knn]
    return {"knn": knn, "size": sum(int(c["k"]) for c in clauses),
            "pit": {"id": pit, "keep_alive": PIT_KEEP_ALIVE},
            "_source": {"excludes": SOURCE_EXCLUDES}}


def with_passages(query: dict[str, Any], hits: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """``query``'s matches and these passages, which score nothing of their own: a hybrid
    export's keyword matches, then its nearest passages that match no word."""
    if not hits:
        return query
    nearest = passages_query(leg_passages([hits]))
    return {"bool": {"should": [query, {"constant_score": {"filter": nearest, "boost": 0}}],
                     "minimum_should_match": 1}}


def export_body(query: dict[str, Any], pit: str, after: list[Any] | None) -> dict[str, Any]:
    """One page of an export: the point in time and ``search_after`` page past the
    10,000-hit window, in Elasticsearch's order (score, then a stable tie-break)."""
    body: dict[str, Any] = {
        "query": query, "size": EXPORT_BATCH, "pit": {"id": pit, "keep_alive": PIT_KEEP_ALIVE},
        "sort": [{"_score": "desc"}, {"_shard_doc": "asc"}],
        "_source": {"excludes": SOURCE_EXCLUDES},
    }
    if after is not None:
        body["search_after"] = after
    return body


def document_body(doc_id: str, collection: str | None) -> dict[str, Any]:
    """Every passage of one document, in order (of each collection holding that id)."""
    filters = [{"term": {"doc_id": doc_id}}]
    if collection:
        filters.append({"term": {"collection": collection}})
    return {"query": {"bool": {"filter": filters}}, "size": DOCUMENT_MAX_PASSAGES,
            "sort": [{"collection": "asc"}, {"passage_no": "asc"}],
            "_source": {"excludes": ["embedding", "doc_stems"]}}
