"""The searches that find where a quotation's words may come from. Pure: bodies only.

Sources are the record: passages of transcripts and speeches, in any collection, never dated
after the article that quotes them (a record dated only by year or month is stored as its
first day, so "2019" may be the source of an article of October 2019; an undated record is
never certainly later, so it stays a candidate). News articles that quote the same words are
looked up separately ("also quoted in").
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

RECORD_TYPES = ("transcript", "speech")
LEXICAL_CANDIDATES = 12  # passages aligned word by word; the source is in the first few
SEMANTIC_CANDIDATES = 8  # nearest passages looked at for a paraphrase
SPEAKER_CANDIDATES = 6  # and the nearest of the claimed speaker's own passages
ALSO_QUOTED_MAX = 10
PHRASE_SLOP = 3  # a few words moved, dropped or added still match as a phrase
SHOULD_MATCH = "40%"  # of the quote's words, for a passage to be a candidate at all
CANDIDATE_FIELDS = ["doc_id", "collection", "type", "title", "date", "symbol", "source",
                    "speaker", "speaker_id", "speaker_country", "passage_no", "offset_start",
                    "offset_end", "text"]


def not_after(date: str | None) -> list[dict[str, Any]]:
    """Records that may precede an article of ``date``: dated on or before it, or undated."""
    if not date:
        return []
    return [{"bool": {"should": [{"range": {"date": {"lte": date}}},
                                 {"bool": {"must_not": {"exists": {"field": "date"}}}}],
                      "minimum_should_match": 1}}]


def record_filter(date: str | None, collections: Sequence[str]) -> list[dict[str, Any]]:
    clauses: list[dict[str, Any]] = [{"terms": {"type": list(RECORD_TYPES)}}, *not_after(date)]
    if collections:
        clauses.append({"terms": {"collection": list(collections)}})
    return clauses


def lexical_body(words: str, date: str | None, collections: Sequence[str]) -> dict[str, Any]:
    """Passages that hold most of the quote's words, those that hold them as a phrase first."""
    return {
        "query": {"bool": {
            "filter": record_filter(date, collections),
            "should": [
                {"match_phrase": {"text": {"query": words, "slop": PHRASE_SLOP, "boost": 3}}},
                {"match": {"text": {"query": words, "minimum_should_match": SHOULD_MATCH}}},
            ],
            "minimum_should_match": 1,
        }},
        "size": LEXICAL_CANDIDATES,
        "_source": CANDIDATE_FIELDS,
        "track_total_hits": False,
    }


def semantic_body(vectors: Sequence[tuple[list[float], tuple[str, ...] | None]],
                  date: str | None, collections: Sequence[str], *,
                  speaker_id: str | None = None, k: int = SEMANTIC_CANDIDATES
                  ) -> dict[str, Any]:
    """The passages nearest in meaning (of one person's when ``speaker_id``): one kNN clause
    per encoder of the collections."""
    clauses = []
    for vector, only in vectors:
        wanted = list(only) if only is not None else list(collections)
        filters = record_filter(date, wanted)
        if speaker_id is not None:
            filters.append({"term": {"speaker_id": speaker_id}})
        clause: dict[str, Any] = {
            "field": "embedding", "query_vector": vector, "k": k,
            "num_candidates": max(k * 10, 100), "filter": filters,
        }
        clauses.append(clause)
    return {"knn": clauses[0] if len(clauses) == 1 else clauses, "size": k,
            "_source": CANDIDATE_FIELDS, "track_total_hits": False}


def also_quoted_body(words: str, date: str | None, collections: Sequence[str],
                     exclude: tuple[str, str] | None) -> dict[str, Any]:
    """News articles whose text holds the same words (one hit per article)."""
    filters: list[dict[str, Any]] = [{"term": {"type": "article"}}]
    if collections:
        filters.append({"terms": {"collection": list(collections)}})
    must_not: list[dict[str, Any]] = []
    if exclude is not None:
        must_not.append({"term": {"doc_key": f"{exclude[0]}/{exclude[1]}"}})
    del date  # an article quoting the words later still quoted them
    return {
        "query": {"bool": {
            "filter": filters, "must_not": must_not,
            "must": [{"match_phrase": {"text": {"query": words, "slop": PHRASE_SLOP}}}],
        }},
        "collapse": {"field": "doc_key"},
        "sort": [{"date": {"order": "asc", "missing": "_last"}}, "_score"],
        "size": ALSO_QUOTED_MAX,
        "_source": ["doc_id", "collection", "title", "date", "source"],
        "track_total_hits": False,
    }
