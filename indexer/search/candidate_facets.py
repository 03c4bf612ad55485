"""The facets of a hybrid page, counted over the passages its searches brought (its two legs,
and the first passages of the documents it scored whole).

A hybrid page ranks only the candidates its legs return (a few hundred passages), and its
total and facets describe exactly those. They are already in hand with their ``_source``,
so counting them here is exact and costs no second search (an ``ids`` query and its
aggregations, sent beside the highlights before).
Elasticsearch's aggregations still count every other page, where the matches are not in
hand. The counts come back in the shape of :func:`queries.facet_aggs`'s response, so one
function (``results.facets``) shapes both.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar

from indexer.search import dates
from indexer.search.queries import FACET_FIELDS, FACET_SIZE

SPEAKER_KEYWORD_MAX = 256  # mappings/passages.json: speaker.keyword's ignore_above
K = TypeVar("K", str, tuple[int, int])


def aggregations(legs: Sequence[Sequence[dict[str, Any]]]) -> dict[str, Any]:
    """What :func:`queries.facet_aggs` would answer over the searches' passages (each counted
    once, in its own collection): documents per collection, type, speaker and date."""
    passages = {(hit["_source"].get("collection"), hit["_id"]): hit["_source"]
                for hits in legs for hit in hits}
    sources = list(passages.values())
    out: dict[str, Any] = {name: _terms(sources, field) for name, field in FACET_FIELDS.items()}
    unresolved = [s for s in sources if not _values(s, "speaker_id")]
    out["speaker_unresolved"] = {
        "doc_count": len(unresolved),
        "names": _terms(unresolved, "speaker", max_length=SPEAKER_KEYWORD_MAX)}
    # As ``dates.facet_aggs``: every date by year; by month those a month holds, and apart
    # those stored as precise to the year only (a passage without a precision is a day's).
    dated = [(month, source.get("doc_key", ""), source.get(dates.PRECISION_FIELD) == "year")
             for source in sources if (month := _utc_month(source.get("date"))) is not None]
    out["date_year"] = _histogram([((year, 1), key) for (year, _), key, _ in dated])
    placed = [(month, key) for month, key, year_only in dated if not year_only]
    out["date_month"] = {"doc_count": len(placed), "dates": _histogram(placed)}
    years = [((year, 1), key) for (year, _), key, year_only in dated if year_only]
    out["date_year_only"] = {"doc_count": len(years), "dates": _histogram(years, "{:04d}")}
    out["total_docs"] = {"value": len({s.get("doc_key", "") for s in sources})}
    return out


def _values(source: dict[str, Any], field: str) -> list[str]:
    value = source.get(field)
    if value is None:
        return []
    return [str(v) for v in value if v is not None] if isinstance(value, list) else [str(value)]


def _terms(sources: Iterable[dict[str, Any]], field: str, *,
           max_length: int | None = None) -> dict[str, Any]:
    """A terms aggregation ordered by documents (most first, then by key, as Elasticsearch
    breaks ties), ``FACET_SIZE`` buckets."""
    docs, passages = _tally((value, source.get("doc_key", "")) for source in sources
                            for value in _values(source, field)
                            if max_length is None or len(value) <= max_length)
    ranked = sorted(docs, key=lambda key: (-len(docs[key]), key))[:FACET_SIZE]
    return {"buckets": [{"key": key, "doc_count": passages[key], "docs": {"value": len(docs[key])}}
                        for key in ranked]}


def _histogram(keyed: Iterable[tuple[tuple[int, int], str]],
               label: str = "{:04d}-{:02d}-01") -> dict[str, Any]:
    """A date histogram with ``min_doc_count`` 1: the (year, month) buckets that hold
    passages, in order, keyed as its format gives the bucket's first day (``label``: the
    ``yyyy-MM-dd`` format's, or ``yyyy``'s)."""
    docs, passages = _tally(keyed)
    return {"buckets": [{"key_as_string": label.format(year, month),
                         "doc_count": passages[(year, month)],
                         "docs": {"value": len(docs[(year, month)])}}
                        for year, month in sorted(docs)]}


def _tally(keyed: Iterable[tuple[K, str]]) -> tuple[dict[K, set[str]], dict[K, int]]:
    """Per key, its documents and its passages (one (key, doc_key) pair per passage)."""
    docs: dict[K, set[str]] = defaultdict(set)
    passages: dict[K, int] = defaultdict(int)
    for key, doc_key in keyed:
        docs[key].add(doc_key)
        passages[key] += 1
    return docs, passages


def _utc_month(value: Any) -> tuple[int, int] | None:
    """(year, month) of a stored date as Elasticsearch buckets it (in UTC), for the mapping's
    formats: ``strict_date_optional_time||yyyy-MM||yyyy``. None when there is none."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    if len(text) == 4 and text.isdigit():
        return int(text), 1
    if len(text) == 7 and text[:4].isdigit() and text[4] == "-" and text[5:].isdigit():
        return int(text[:4]), int(text[5:])
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return moment.year, moment.month
