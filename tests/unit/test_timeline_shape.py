"""The timeline's bodies, shaping, periods and chart layout, on plain dicts."""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from indexer.errors import BadRequest
from indexer.search import timeline
from indexer.search.request import Filters, SearchRequest
from indexer.search.timeline import Key
from webapp import timeline_chart


def bucket(key: str, docs: int) -> dict[str, Any]:
    return {"key": key, "doc_count": docs * 3, "docs": {"value": docs}}


def test_keys_body_counts_documents_and_names_beside_people() -> None:
    match = {"query": {"match_all": {}}}
    body = timeline.keys_body(match, "speaker", 5)
    assert body["query"] == match["query"] and body["size"] == 0
    keys = body["aggs"]["keys"]["terms"]
    assert keys == {"field": "speaker_id", "size": 5, "order": {"docs": "desc"}}
    assert body["aggs"]["keys"]["aggs"] == {"docs": {"cardinality": {"field": "doc_key"}}}
    assert body["aggs"]["unnamed"]["aggs"]["names"]["terms"]["field"] == "speaker.keyword"
    assert "unnamed" not in timeline.keys_body(match, "type", 5)["aggs"]


def test_a_hybrid_pages_keys_are_ranked_among_all_its_passages_in_every_index() -> None:
    # The page counts its candidates exactly (candidate_facets); each index must rank every
    # key it holds among them, not only the first size * 1.5 + 10.
    body = timeline.keys_body({"query": {"match_all": {}}}, "speaker", 5, passages=321)
    assert body["aggs"]["keys"]["terms"]["shard_size"] == 321
    assert body["aggs"]["unnamed"]["aggs"]["names"]["terms"]["shard_size"] == 321


def test_top_keys_merge_people_and_unnamed_speakers_most_first() -> None:
    response = {"aggregations": {
        "keys": {"buckets": [bucket("p-1", 9), bucket("p-2", 2)]},
        "unnamed": {"names": {"buckets": [bucket("The President", 5), bucket("Mr. X", 1)]}}}}
    found = timeline.top_keys(response, "speaker", 3)
    assert found == [(Key("p-1"), 9), (Key("The President", unnamed=True), 5), (Key("p-2"), 2)]


def test_series_body_has_one_filter_per_key_and_other_without_them() -> None:
    keys = [Key("p-1"), Key("The President", unnamed=True)]
    body = timeline.series_body({"query": {"match_all": {}}}, "speaker", keys, "week")
    filters = body["aggs"]["series"]["filters"]["filters"]
    assert filters["k0"] == {"term": {"speaker_id": "p-1"}}
    assert filters["k1"]["bool"]["filter"] == [{"term": {"speaker.keyword": "The President"}}]
    assert filters["other"]["bool"]["must_not"] == [filters["k0"], filters["k1"]]
    per = body["aggs"]["series"]["aggs"]
    assert per["periods"]["aggs"]["dates"]["date_histogram"]["calendar_interval"] == "week"
    assert per["periods"]["aggs"]["dates"]["date_histogram"]["min_doc_count"] == 1
    assert per["undated"]["filter"] == {"bool": {"must_not": {"exists": {"field": "date"}}}}
    # A week holds no date that is only a year or a month: those are counted by their own.
    assert per["periods"]["filter"] == {
        "bool": {"must_not": [{"terms": {"date_precision": ["year", "month"]}}]}}
    assert per["year_only"]["filter"] == {"term": {"date_precision": "year"}}
    assert per["month_only"]["aggs"]["dates"]["date_histogram"]["format"] == "yyyy-MM"


def test_a_year_holds_every_date_and_a_month_no_date_that_is_only_a_year() -> None:
    match = {"query": {"match_all": {}}}
    years = timeline.series_body(match, "type", [], "year")["aggs"]["series"]["aggs"]
    assert years["periods"]["filter"] == {"match_all": {}} and "year_only" not in years
    months = timeline.series_body(match, "type", [], "month")["aggs"]["series"]["aggs"]
    assert "year_only" in months and "month_only" not in months


def test_match_part_is_what_the_page_counts() -> None:
    req = SearchRequest(q="x", mode="keyword")
    assert "query" in timeline.match_part(req, None)
    assert timeline.match_part(req, None, [("un", "a#0"), ("news", "a#0")]) == {"query": {"bool": {
        "should": [
            {"bool": {"filter": [{"term": {"collection": "un"}}, {"ids": {"values": ["a#0"]}}]}},
            {"bool": {"filter": [{"term": {"collection": "news"}}, {"ids": {"values": ["a#0"]}}]}}],
        "minimum_should_match": 1}}}


def test_shape_counts_documents_per_period_and_undated() -> None:
    def found(periods: list[tuple[str, int]], docs: int, undated: int) -> dict[str, Any]:
        return {"docs": {"value": docs}, "undated": {"docs": {"value": undated}},
                "periods": {"dates": {"buckets": [{"key_as_string": d, "docs": {"value": n}}
                                                  for d, n in periods]}}}

    response = {"aggregations": {"series": {"buckets": {
        "k0": found([("2020-01-01", 3), ("2021-01-01", 1)], 5, 1),
        "other": found([], 0, 0)}}}}
    series = timeline.shape(response, [(Key("p-1"), 5)], by="speaker", interval="year",
                            names={"p-1": {"value": "Ursula Mueller", "country": None}})
    assert len(series) == 1  # an empty "other" is left out
    (one,) = series
    assert one["key"] == "p-1" and one["label"] == "Ursula Mueller" and one["person"]
    assert one["buckets"] == [{"date": "2020-01-01", "count": 3}, {"date": "2021-01-01", "count": 1}]
    assert one["total"] == 5 and one["undated"] == 1 and one["coarser"] == []


def test_shape_counts_dates_too_coarse_for_the_periods_by_their_own_year_or_month() -> None:
    def dated(*found: tuple[str, int]) -> dict[str, Any]:
        return {"dates": {"buckets": [{"key_as_string": d, "docs": {"value": n}}
                                      for d, n in found]}}

    response = {"aggregations": {"series": {"buckets": {"k0": {
        "docs": {"value": 6}, "undated": {"docs": {"value": 1}},
        "periods": dated(("2019-05-01", 1)),
        "year_only": dated(("2019", 2), ("2020", 1)), "month_only": dated(("2019-10", 1))}}}}}
    (one,) = timeline.shape(response, [(Key("speech"), 6)], by="type", interval="day")
    assert one["buckets"] == [{"date": "2019-05-01", "count": 1}]
    assert one["coarser"] == [{"date": "2019", "precision": "year", "count": 2},
                              {"date": "2020", "precision": "year", "count": 1},
                              {"date": "2019-10", "precision": "month", "count": 1}]
    counted = sum(b["count"] for b in one["buckets"]) + sum(c["count"] for c in one["coarser"])
    assert counted + one["undated"] == one["total"]
    # By month, a month-only date is a month's: only the year-only ones are apart.
    (by_month,) = timeline.shape(response, [(Key("speech"), 6)], by="type", interval="month")
    assert [c["precision"] for c in by_month["coarser"]] == ["year", "year"]


def test_auto_never_picks_periods_finer_than_every_date_matched() -> None:
    span = (date(2019, 1, 1), date(2020, 1, 1))
    assert timeline.pick_interval("auto", span) == "week"
    assert timeline.pick_interval("auto", span, "year") == "year"  # the General Debate
    assert timeline.pick_interval("auto", span, "month") == "month"
    assert timeline.pick_interval("month", span, "year") == "month"  # asked for: kept
    found = {"aggregations": {"precisions": {"found": {"buckets": [
        {"key": "year", "doc_count": 4}, {"key": "month", "doc_count": 1}]}}}}
    assert timeline.finest_precision(found) == "month"
    assert timeline.finest_precision({"aggregations": {}}) == "day"


def test_auto_interval_is_the_finest_with_few_periods() -> None:
    assert timeline.pick_interval("auto", (date(2020, 1, 1), date(2020, 2, 1))) == "day"
    assert timeline.pick_interval("auto", (date(2020, 1, 1), date(2020, 6, 1))) == "week"
    assert timeline.pick_interval("auto", (date(2020, 1, 1), date(2023, 1, 1))) == "month"
    assert timeline.pick_interval("auto", (date(1990, 1, 1), date(2023, 1, 1))) == "year"
    assert timeline.pick_interval("auto", None) == "year"
    assert timeline.pick_interval("day", (date(1990, 1, 1), date(2023, 1, 1))) == "day"


def test_periods_and_their_ends() -> None:
    assert timeline.periods(date(2020, 11, 15), date(2021, 2, 1), "month") == [
        "2020-11-01", "2020-12-01", "2021-01-01", "2021-02-01"]
    assert timeline.periods(date(2020, 2, 27), date(2020, 3, 3), "week") == [
        "2020-02-24", "2020-03-02"]  # Mondays, as Elasticsearch's weeks
    assert timeline.period_end("2020-02-01", "month") == "2020-02-29"
    assert timeline.period_end("2020-02-24", "week") == "2020-03-01"
    assert timeline.period_end("2020-01-01", "year") == "2020-12-31"
    assert timeline.period_end("2020-01-05", "day") == "2020-01-05"


def test_chart_slots_fill_gaps_but_not_millennia() -> None:
    series = [{"buckets": [{"date": "2020-01-01", "count": 1}, {"date": "2020-04-01", "count": 2}]}]
    assert timeline_chart.slots(series, "month") == [
        "2020-01-01", "2020-02-01", "2020-03-01", "2020-04-01"]
    far = [{"buckets": [{"date": "0001-01-01", "count": 1}, {"date": "2020-01-01", "count": 1}]}]
    assert timeline_chart.slots(far, "year") == ["0001-01-01", "2020-01-01"]


def test_a_bar_links_to_its_key_and_period_within_the_query() -> None:
    req = SearchRequest(q="Idlib", mode="keyword",
                        filters=Filters(collections=("un",), date_from="2020-01-15"))
    entry = {"key": "transcript", "label": "transcript", "other": False}
    href = timeline_chart.search_href(req, "type", entry, "2020-01-01", "2020-01-31")
    url = urlsplit(href)
    assert url.path == "/"
    assert parse_qs(url.query) == {"q": ["Idlib"], "mode": ["keyword"], "collection": ["un"],
                                   "type": ["transcript"], "date_from": ["2020-01-15"],
                                   "date_to": ["2020-01-31"]}
    other = timeline_chart.search_href(req, "type", {**entry, "other": True}, "2020-01-01",
                                       "2020-01-31")
    assert "type" not in parse_qs(urlsplit(other).query)


def test_a_bar_of_one_of_several_filter_values_keeps_only_its_own() -> None:
    req = SearchRequest(q="aid", mode="keyword", filters=Filters(collections=("un", "news")))
    entry = {"key": "un", "label": "un", "other": False}
    href = timeline_chart.search_href(req, "collection", entry, "2020-01-01", "2020-12-31")
    assert parse_qs(urlsplit(href).query)["collection"] == ["un"]
    other = timeline_chart.search_href(req, "collection", {**entry, "other": True},
                                       "2020-01-01", "2020-12-31")
    assert parse_qs(urlsplit(other).query)["collection"] == ["un", "news"]


def test_layout_positions_every_bar_in_its_row() -> None:
    answer = {"by": "type", "interval": "month", "series": [
        {"key": "transcript", "label": "transcript", "total": 3, "undated": 0, "other": False,
         "buckets": [{"date": "2020-01-01", "count": 1}, {"date": "2020-03-01", "count": 2}]},
        {"key": "other", "label": "Other", "total": 1, "undated": 0, "other": True,
         "buckets": [{"date": "2020-02-01", "count": 1}]}]}
    chart = timeline_chart.layout(answer, SearchRequest(q="x", mode="keyword"))
    assert chart["slots"] == 3 and chart["peak"] == 2
    first, other = chart["rows"]
    slot, bar = 100 / 3, timeline_chart.MAX_BAR_WIDTH  # three wide slots: bars of the cap
    assert [b.x for b in first["bars"]] == [round((slot - bar) / 2, 3), round(2 * slot + (slot - bar) / 2, 3)]
    assert {b.width for row in chart["rows"] for b in row["bars"]} == {bar}
    assert first["bars"][1].height == timeline_chart.ROW_HEIGHT  # the peak fills its row
    assert first["bars"][0].height == timeline_chart.ROW_HEIGHT / 2
    assert other["colour"] == "cother" and first["colour"] == "c0"
    assert all(b.y + b.height == row["base"] for row in chart["rows"] for b in row["bars"])


def test_axis_labels_keep_off_the_edges() -> None:
    buckets = [{"date": f"20{y:02d}-01-01", "count": 1} for y in range(10, 70)]
    answer = {"by": "type", "interval": "year", "series": [
        {"key": "article", "label": "article", "total": 60, "undated": 0, "other": False,
         "buckets": buckets}]}
    ticks = timeline_chart.layout(answer, SearchRequest())["ticks"]
    assert [t["label"] for t in ticks] == ["2020", "2030", "2040", "2050", "2060"]
    assert all(timeline_chart.EDGE <= t["x"] <= 100 - timeline_chart.EDGE for t in ticks)


def test_a_fine_interval_over_a_long_span_is_refused_naming_interval() -> None:
    span = (date(1946, 1, 1), date(2024, 1, 1))
    timeline.check_periods("year", span)
    timeline.check_periods("month", span)  # 937 months
    with pytest.raises(BadRequest) as refused:
        timeline.check_periods("day", span)
    assert refused.value.parameter == "interval" and refused.value.status == 400
