"""The timeline: how many matching documents each speaker, country, collection, type or role
has per year, month, week or day.

It counts what the search page counts, in the same mode: the documents of the passages a
keyword search matched, of the ``k`` nearest passages (semantic), or of the passages the
two hybrid legs brought (``candidate_facets``). So a series' buckets, plus its
documents dated too coarsely for its periods and its undated ones, sum to that key's facet
count for the same query. A period counts only the dates it holds (``dates``): by month, a
speech dated only by its year is counted apart by that year (``coarser``), not in January.

Two searches over that match set: the first finds the top keys and the date span (the
minimal distribution has no ``auto_date_histogram``, so ``auto`` picks the interval from
the span here); the second counts each top key, and the rest ("other"), per period. The
bodies and the shaping are pure functions; :func:`run` sends them through a ``Searcher``.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from indexer.errors import BadRequest, elasticsearch_errors
from indexer.search import dates, plan, queries, results, speakers
from indexer.search.queries import QueryVector
from indexer.search.request import SearchRequest

if TYPE_CHECKING:
    from indexer.search.searcher import Searcher

# What a series is keyed by, and the passage field holding that key.
BY_FIELDS = {"speaker": "speaker_id", "country": "speaker_country.keyword",
             "collection": "collection", "type": "type", "role": "speaker_role"}
BY = tuple(BY_FIELDS)
INTERVALS = ("auto", "year", "month", "week", "day")
DEFAULT_BY = "speaker"
DEFAULT_INTERVAL = "auto"
DEFAULT_TOP = 8
MAX_TOP = queries.FACET_SIZE  # the facets list this many keys: each series has its facet row
# ``auto`` picks the finest interval that gives at most this many periods over the span.
AUTO_MAX_PERIODS = 60
# A finer interval than a year over more periods than this is refused (400): each key's
# histogram would hold up to that many buckets, against Elasticsearch's search.max_buckets.
MAX_PERIODS = 3660
OTHER = "other"  # the key of the series counting every key beyond the top ones
UNNAMED_FIELD = "speaker.keyword"  # speakers no person was resolved for, counted by name
DAY_MS = 86_400_000
_DOCS = {"docs": {"cardinality": {"field": "doc_key"}}}


@dataclass(frozen=True)
class Key:
    """One series' key: a value of the ``by`` field, or (``by=speaker``) the name of a speaker
    no person was resolved for (``unnamed``), as the speaker facet lists them."""

    value: str
    unnamed: bool = False

    def clause(self, by: str) -> dict[str, Any]:
        """The passages of this key."""
        if self.unnamed:
            return {"bool": {"filter": [{"term": {UNNAMED_FIELD: self.value}}],
                             "must_not": [{"exists": {"field": BY_FIELDS[by]}}]}}
        return {"term": {BY_FIELDS[by]: self.value}}


# ------------------------------------------------------------------ bodies (pure)


def match_part(req: SearchRequest, vectors: Sequence[QueryVector] | None,
               passages: Sequence[tuple[str, str]] | None = None) -> dict[str, Any]:
    """What the page of ``req`` counts, as the part of a body the aggregations go under: the
    hybrid page's passages (``passages``, as (collection, passage id)), the semantic page's
    ``k`` nearest, or the keyword matches (what ``candidate_facets`` and
    ``queries.facets_body`` count)."""
    if passages is not None:
        return {"query": queries.passages_query(passages)}
    if req.mode == "semantic" and vectors:
        return {"knn": queries.top_knn(vectors, req)}
    return {"query": queries.match_query(req, vectors)}


def keys_body(match: dict[str, Any], by: str, top: int, *,
              passages: int | None = None) -> dict[str, Any]:
    """The first search: the top keys by documents, and the span of the matches' dates.

    ``passages``: a hybrid page's candidates, which its facets count exactly
    (``candidate_facets``). Each index then ranks all of its keys among them, not the
    ``size * 1.5 + 10`` Elasticsearch keeps per index by default, so that the timeline's top
    keys are the facet's."""
    terms: dict[str, Any] = {"size": top, "order": {"docs": "desc"}}
    if passages:
        terms["shard_size"] = max(passages, top)
    aggs: dict[str, Any] = {
        "keys": {"terms": {"field": BY_FIELDS[by], **terms}, "aggs": _DOCS},
        "first": {"min": {"field": "date"}},
        "last": {"max": {"field": "date"}},
        "total_docs": {"cardinality": {"field": "doc_key", "precision_threshold": 40000}},
        "precisions": dates.precisions_agg(),
    }
    if by == "speaker":  # as the facet does: names beside the people
        aggs["unnamed"] = {
            "filter": {"bool": {"must_not": {"exists": {"field": BY_FIELDS[by]}}}},
            "aggs": {"names": {"terms": {"field": UNNAMED_FIELD, **terms}, "aggs": _DOCS}}}
    return {**match, "size": 0, "track_total_hits": False, "aggs": aggs}


def top_keys(response: dict[str, Any], by: str, top: int) -> list[tuple[Key, int]]:
    """The ``top`` keys with the most documents (and their counts), most first."""
    aggs = response.get("aggregations") or {}
    found = [(Key(str(b["key"])), int(b["docs"]["value"]))
             for b in aggs.get("keys", {}).get("buckets", [])]
    if by == "speaker":
        found += [(Key(str(b["key"]), unnamed=True), int(b["docs"]["value"]))
                  for b in aggs.get("unnamed", {}).get("names", {}).get("buckets", [])]
    return sorted(found, key=lambda kc: -kc[1])[:top]


def date_span(response: dict[str, Any]) -> tuple[date, date] | None:
    """The first and last dates matched, None when no match has a date."""
    aggs = response.get("aggregations") or {}
    first, last = aggs.get("first", {}).get("value"), aggs.get("last", {}).get("value")
    if first is None or last is None:
        return None
    try:
        return _from_ms(first), _from_ms(last)
    except (OverflowError, ValueError):  # a placeholder date beyond Python's years 1-9999
        return None


def _from_ms(ms: float) -> date:
    return date(1970, 1, 1) + timedelta(days=int(ms // DAY_MS))


def finest_precision(response: dict[str, Any]) -> str:
    """The finest precision of the matches' dates (``dates.finest``), ``day`` when unknown."""
    return dates.finest((response.get("aggregations") or {}).get("precisions") or {}) or "day"


def pick_interval(interval: str, span: tuple[date, date] | None, finest: str = "day") -> str:
    """``auto``: the finest interval giving at most ``AUTO_MAX_PERIODS`` periods over the span,
    and no finer than the finest date matched (``finest``: dates that are only years, as the
    General Debate's, are counted by year; only months, by month at the finest)."""
    if interval != "auto":
        return interval
    if span is None or finest == "year":
        return "year"
    first, last = span
    for name in ("month",) if finest == "month" else ("day", "week", "month"):
        if len(periods(first, last, name)) <= AUTO_MAX_PERIODS:
            return name
    return "year"


def check_periods(interval: str, span: tuple[date, date] | None) -> None:
    """Refuse days, weeks or months over a span too long for them (years are never refused:
    far-apart placeholder dates cost one bucket a year that holds matches)."""
    if interval == "year" or span is None:
        return
    if len(periods(span[0], span[1], interval, limit=MAX_PERIODS)) > MAX_PERIODS:
        raise BadRequest(f"{span[0]} to {span[1]} is more than {MAX_PERIODS} periods of a "
                         f"{interval}; choose a longer interval or narrow the dates",
                         parameter="interval")


def other_clause(by: str, keys: Sequence[Key]) -> dict[str, Any]:
    """The passages of any key beyond the top ones (passages without a key are no series)."""
    field = BY_FIELDS[by]
    has_key: list[dict[str, Any]] = [{"exists": {"field": field}}]
    if by == "speaker":
        has_key.append({"exists": {"field": UNNAMED_FIELD}})
    return {"bool": {"should": has_key, "minimum_should_match": 1,
                     "must_not": [k.clause(by) for k in keys]}}


def series_body(match: dict[str, Any], by: str, keys: Sequence[Key], interval: str
                ) -> dict[str, Any]:
    """The second search: each key's documents, and the rest's, per period, dated too
    coarsely for a period (``dates.period_aggs``) and undated. Only periods holding matches
    come back."""
    per_period = {
        "docs": _DOCS["docs"],
        **dates.period_aggs(interval, _DOCS),
        "undated": {"filter": {"bool": {"must_not": {"exists": {"field": "date"}}}},
                    "aggs": _DOCS},
    }
    filters = {f"k{i}": key.clause(by) for i, key in enumerate(keys)}
    filters[OTHER] = other_clause(by, keys)
    return {**match, "size": 0, "track_total_hits": False,
            "aggs": {"series": {"filters": {"filters": filters}, "aggs": per_period}}}


# ------------------------------------------------------------------ shaping (pure)


def shape(response: dict[str, Any], keys: Sequence[tuple[Key, int]], *, by: str,
          interval: str, names: dict[str, dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    """The series: one per top key (most documents first), then "other" if it has any.

    ``names`` gives a person's display name and country by id (``by=speaker``)."""
    buckets = ((response.get("aggregations") or {}).get("series") or {}).get("buckets", {})
    out = []
    for i, (key, _) in enumerate(keys):
        found = buckets.get(f"k{i}", {})
        person = (names or {}).get(key.value) if by == "speaker" and not key.unnamed else None
        label = person["value"] if person else key.value
        out.append(_series(key.value, label, found, interval, person=person,
                           unnamed=key.unnamed))
    rest = _series(OTHER, "Other", buckets.get(OTHER, {}), interval, other=True)
    if rest["total"]:
        out.append(rest)
    return out


def _series(key: str, label: str, found: dict[str, Any], interval: str, *,
            person: dict[str, Any] | None = None, unnamed: bool = False,
            other: bool = False) -> dict[str, Any]:
    dated = [{"date": str(b["key_as_string"]), "count": int(b["docs"]["value"])}
             for b in found.get("periods", {}).get("dates", {}).get("buckets", [])
             if int(b["docs"]["value"])]
    return {"key": key, "label": label, "total": int(found.get("docs", {}).get("value", 0)),
            "undated": int(found.get("undated", {}).get("docs", {}).get("value", 0)),
            "coarser": dates.coarser_counts(found, interval),
            "buckets": dated, "person": bool(person), "unnamed": unnamed, "other": other,
            "country": person.get("country") if person else None}


def period_end(start: str, interval: str) -> str:
    """The last day of the period starting on ``start`` (yyyy-mm-dd), for a search link."""
    day = date.fromisoformat(start)
    if interval == "year":
        return day.replace(month=12, day=31).isoformat()
    if interval == "month":
        return day.replace(day=calendar.monthrange(day.year, day.month)[1]).isoformat()
    if interval == "week":
        return (day + timedelta(days=6)).isoformat()
    return start


def period_start(day: date, interval: str) -> date:
    """The first day of the period holding ``day`` (weeks start on Monday, as Elasticsearch's)."""
    if interval == "year":
        return day.replace(month=1, day=1)
    if interval == "month":
        return day.replace(day=1)
    if interval == "week":
        return day - timedelta(days=day.weekday())
    return day


def next_period(day: date, interval: str) -> date:
    if interval == "year":
        return day.replace(year=day.year + 1)
    if interval == "month":
        return date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return day + timedelta(days=7 if interval == "week" else 1)


def periods(first: date, last: date, interval: str, limit: int = 10_000) -> list[str]:
    """The starts of every period from the one holding ``first`` to the one holding ``last``;
    stops after ``limit`` (more is no chart)."""
    out: list[str] = []
    day, end = period_start(first, interval), period_start(last, interval)
    while day <= end and len(out) <= limit:
        out.append(day.isoformat())
        if day.year >= 9999 and interval == "year":
            break
        day = next_period(day, interval)
    return out


def timeline(req: SearchRequest, *, by: str, interval: str, top: int,
             series: list[dict[str, Any]], total: int, span: tuple[date, date] | None
             ) -> dict[str, Any]:
    """The API's answer."""
    return {"by": by, "interval": interval, "top": top, "mode": req.mode, "q": req.q,
            "total": total,
            "first": span[0].isoformat() if span else None,
            "last": span[1].isoformat() if span else None,
            "series": series}


# ------------------------------------------------------------------ running it


def run(searcher: Searcher, req: SearchRequest, *, by: str = DEFAULT_BY,
        interval: str = DEFAULT_INTERVAL, top: int = DEFAULT_TOP) -> dict[str, Any]:
    """The timeline of ``req`` through ``searcher``: the same relaxed phrases, speaker names
    widened to people and query vectors (``Searcher.prepare``) and hybrid legs as its search
    page."""
    prepared = searcher.prepare(req)
    req, vectors = prepared.req, prepared.vectors
    with elasticsearch_errors():
        match, passages = _match_of(searcher, req, vectors)
        if match is None:  # a hybrid page the legs brought nothing to
            return timeline(req, by=by, interval=pick_interval(interval, None), top=top,
                            series=[], total=0, span=None)
        header = plan.search_header(searcher.index)
        first = searcher.msearch([(header, keys_body(match, by, top, passages=passages))])[0]
        keys = top_keys(first, by, top)
        span = date_span(first)
        chosen = pick_interval(interval, span, finest_precision(first))
        check_periods(chosen, span)
        second = searcher.msearch([(header, series_body(match, by, [k for k, _ in keys],
                                                          chosen))])[0]
        names = None
        if by == "speaker":
            named = speakers.name_facet(searcher.client, searcher.settings, [
                {"id": k.value, "value": k.value, "count": c} for k, c in keys if not k.unnamed])
            names = {b["id"]: b for b in named}
    total = int((first.get("aggregations") or {}).get("total_docs", {}).get("value", 0))
    return timeline(req, by=by, interval=chosen, top=top, total=total, span=span,
                    series=shape(second, keys, by=by, interval=chosen, names=names))


def _match_of(searcher: Searcher, req: SearchRequest, vectors: list[QueryVector] | None
              ) -> tuple[dict[str, Any] | None, int | None]:
    """The match part of ``req``'s page; for hybrid, the legs are sent first (as the page
    sends them) and their passages are what is counted (and how many: None otherwise)."""
    if plan.page_kind(req, vectors) != "hybrid":
        return match_part(req, vectors), None
    legs = [(header, {**body, "_source": ["doc_key", "collection"]})
            for header, body in searcher.page_searches(req, vectors)]
    responses = searcher.msearch(legs)
    passages = plan.leg_passages([results.hits_of(r) for r in responses])
    return (match_part(req, vectors, passages), len(passages)) if passages else (None, None)
