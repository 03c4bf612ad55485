"""Dates as precise as their sources, in the date facet and the timeline.

A document's date is stored as its source gave it, with its precision beside it
(``documents.date_precision``): a General Debate speech of 2019 is "2019", a year, which
Elasticsearch indexes as 1 January 2019. A histogram by month (or week, or day) would file
it in January; so each period counts only the documents whose dates it can hold, and the
coarser ones are counted apart, by their own year (or month), never in a period their
source did not name. Passages without a precision (indexed before it was stored,
``indices.DATE_PRECISION_SCHEMA``) are taken as precise to the day, as every date was.

The aggregation bodies and their shaping are pure; ``candidate_facets`` answers the facet's
in the same shape.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from indexer.documents import DATE_PRECISIONS

MONTHS_UP_TO_YEARS = 3  # the date facet counts by month when matches span this many years
MAX_DATE_BUCKETS = 100  # the date facet's most bars: longer spans count by decade, century...
# Widths in years of one bar, tried in turn, when the years matched span more than the cap.
WIDER_INTERVALS = ((10, "decade"), (100, "century"), (1000, "millennium"))
PRECISION_FIELD = "date_precision"
# The precisions whose dates a period of each calendar interval cannot hold.
COARSER: dict[str, tuple[str, ...]] = {"year": (), "month": ("year",),
                                       "week": ("year", "month"), "day": ("year", "month")}
# A coarser document's date as its source gave it: its year, or its year and month.
AS_GIVEN = {"year": "yyyy", "month": "yyyy-MM"}


def date_range(date_from: str | None, date_to: str | None) -> dict[str, Any]:
    """The documents whose dates fall between the two days (inclusive), a coarser date
    counting when its year (or month) overlaps them: a General Debate speech of "2019" is
    within 1 June to 31 December 2019, as it is within 1 January to 31 March. A coarser date
    is stored as its period's first day, so only the lower bound needs its own clause."""
    upper = {"lte": date_to} if date_to else {}
    if not date_from:
        return {"range": {"date": upper}}
    starts = {"year": f"{date_from[:4]}-01-01", "month": f"{date_from[:7]}-01"}
    return {"bool": {"should": [
        {"bool": {"must_not": [{"terms": {PRECISION_FIELD: list(starts)}}],
                  "filter": [{"range": {"date": {"gte": date_from, **upper}}}]}},
        *({"bool": {"filter": [{"term": {PRECISION_FIELD: precision}},
                               {"range": {"date": {"gte": start, **upper}}}]}}
          for precision, start in starts.items()),
    ], "minimum_should_match": 1}}


def placed(interval: str) -> dict[str, Any]:
    """The passages whose dates a period of ``interval`` can hold (with a date or not)."""
    coarser = COARSER[interval]
    if not coarser:
        return {"match_all": {}}
    return {"bool": {"must_not": [{"terms": {PRECISION_FIELD: list(coarser)}}]}}


def histogram(interval: str, per_doc: Mapping[str, Any], *,
              fmt: str = "yyyy-MM-dd") -> dict[str, Any]:
    """Documents per period that holds any (``min_doc_count`` 1: placeholder dates thousands
    of years apart cost two buckets, not millions)."""
    return {"date_histogram": {"field": "date", "calendar_interval": interval, "format": fmt,
                               "min_doc_count": 1}, "aggs": dict(per_doc)}


def period_aggs(interval: str, per_doc: Mapping[str, Any]) -> dict[str, Any]:
    """The documents per period of ``interval`` whose dates it holds (``periods``), and for
    each coarser precision those dated only so far, by their own year or month
    (``year_only``, ``month_only``): each a filter whose ``dates`` are the histogram."""
    out = {"periods": {"filter": placed(interval),
                       "aggs": {"dates": histogram(interval, per_doc)}}}
    for precision in COARSER[interval]:
        out[f"{precision}_only"] = {
            "filter": {"term": {PRECISION_FIELD: precision}},
            "aggs": {"dates": histogram(precision, per_doc, fmt=AS_GIVEN[precision])}}
    return out


def facet_aggs(per_doc: Mapping[str, Any]) -> dict[str, Any]:
    """The date facet's histograms, both granularities in one request (the minimal
    distribution has no ``auto_date_histogram``): every dated document by year
    (``date_year``), by month those a month holds (``date_month``), and apart those dated
    only by their year (``date_year_only``)."""
    months = period_aggs("month", per_doc)
    return {"date_year": histogram("year", per_doc), "date_month": months["periods"],
            "date_year_only": months["year_only"]}


def coarser_counts(found: Mapping[str, Any], interval: str) -> list[dict[str, Any]]:
    """The documents a period of ``interval`` cannot hold, by their date as given (``2019``,
    ``2019-10``), coarsest first: ``[{"date", "precision", "count"}]``."""
    return [{"date": str(b["key_as_string"]), "precision": precision,
             "count": _count(b)}
            for precision in COARSER[interval]
            for b in found.get(f"{precision}_only", {}).get("dates", {}).get("buckets", [])
            if _count(b)]


def facet(aggs: Mapping[str, Any]) -> dict[str, Any]:
    """The date facet: its bars and their interval (:func:`date_facet`) and, when the bars
    are months, the documents dated only by their year, which no month holds
    (``date_year_only``: ``[{"date": "2019", "count"}]``); wider bars count them."""
    years = _dated(aggs.get("date_year", {}).get("buckets", []))
    months = _dated(aggs.get("date_month", {}).get("dates", {}).get("buckets", []))
    bars, interval = date_facet(years, months)
    year_only = [] if interval != "month" else [
        {"date": b["date"], "count": b["count"]}
        for b in coarser_counts({"year_only": aggs.get("date_year_only", {})}, "month")]
    return {"date": bars, "date_interval": interval, "date_year_only": year_only}


def _count(bucket: Mapping[str, Any]) -> int:
    return int(bucket["docs"]["value"]) if "docs" in bucket else int(bucket.get("doc_count", 0))


def _dated(buckets: Sequence[Mapping[str, Any]]) -> list[tuple[int, int, int]]:
    """(year, month, documents) of each histogram bucket that holds matches."""
    out = []
    for b in buckets:
        year, _, month = str(b.get("key_as_string", "")).lstrip("+").partition("-")
        count = _count(b)
        if count and year.lstrip("-").isdigit() and month[:2].isdigit():
            out.append((int(year), int(month[:2]), count))
    return out


def date_facet(years: Sequence[tuple[int, int, int]], months: Sequence[tuple[int, int, int]]
               ) -> tuple[list[dict[str, Any]], str]:
    """The date facet's bars and their interval, from the months and years that hold matches
    (the histograms leave out empty ones, so that far-apart dates cost no buckets): every
    bar between the first and the last, empty ones included, never more than
    ``MAX_DATE_BUCKETS``. Documents have one date, so a wider bar sums its years' counts.
    Months are shown when the years span at most ``MONTHS_UP_TO_YEARS`` and some month holds
    a document (none does when every match is dated only by its year)."""
    if not years:
        return [], "month"
    first, last = years[0][0], years[-1][0]
    if months and last - first + 1 <= MONTHS_UP_TO_YEARS:
        counts = {(y, m): c for y, m, c in months}
        start, end = months[0][0] * 12 + months[0][1] - 1, months[-1][0] * 12 + months[-1][1] - 1
        return [{"date": _day(i // 12, i % 12 + 1), "count": counts.get((i // 12, i % 12 + 1), 0)}
                for i in range(start, end + 1)], "month"
    width, interval = 1, "year"
    for wider, name in WIDER_INTERVALS:
        if last // width - first // width + 1 <= MAX_DATE_BUCKETS:
            break
        width, interval = wider, name
    bars: dict[int, int] = {}
    for year, _, count in years:
        bar = year // width * width
        bars[bar] = bars.get(bar, 0) + count
    low, high = min(bars), max(bars)
    if (high - low) // width + 1 > MAX_DATE_BUCKETS:  # wider than millennia: matched bars only
        return [{"date": _day(y, 1), "count": c} for y, c in sorted(bars.items())], interval
    return [{"date": _day(y, 1), "count": bars.get(y, 0)}
            for y in range(low, high + 1, width)], interval


def _day(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}-01" if year >= 0 else f"-{-year:04d}-{month:02d}-01"


def precisions_agg() -> dict[str, Any]:
    """Which precisions the matches' dates have (a passage without one is precise to the day),
    so that ``auto`` never picks periods finer than every date."""
    return {"filter": {"exists": {"field": "date"}},
            "aggs": {"found": {"terms": {"field": PRECISION_FIELD, "missing": "day",
                                         "size": len(DATE_PRECISIONS)}}}}


def finest(found: Mapping[str, Any]) -> str | None:
    """The finest precision :func:`precisions_agg` found, None when no match has a date."""
    held = {b.get("key") for b in found.get("found", {}).get("buckets", []) if b.get("doc_count")}
    return next((p for p in reversed(DATE_PRECISIONS) if p in held), None)
