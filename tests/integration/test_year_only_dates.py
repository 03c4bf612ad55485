"""Documents dated only by a year (the General Debate's speeches) or a month keep that
precision through the index: shown as their source dated them, counted in their year and
never in January of a month view, in every mode, on the timeline and a speaker's page.
Against the real node and model, with real General Debate speeches from ../shared/data."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from indexer.model.embedder import Embedder
from indexer.settings import Settings
from tests.conftest import api_client, api_json, indexed_prefix

pytestmark = pytest.mark.integration

COUNTRIES = ("SYR", "TUR")  # both in the 74th (2019) and 75th (2020) sessions
NEWS = [  # the same subject, dated to the day, to the month, and by the year only
    {"id": "n-day", "date": "2019-05-03", "title": "Talks on Syria resume",
     "text": "Talks on the war in Syria resumed in Geneva, diplomats said."},
    {"id": "n-month", "date": "2019-10", "title": "Syria talks stall",
     "text": "Talks on the war in Syria stalled that autumn, diplomats said."},
    {"id": "n-year", "date": "2019", "title": "Syria: the year in review",
     "text": "The war in Syria dominated the diplomatic year, diplomats said."},
]
QUERY = "war in Syria"


@pytest.fixture(scope="module")
def dated_settings(es, embedder: Embedder, data_dir: Path,  # type: ignore[no-untyped-def]
                   tmp_path_factory) -> Iterator[Settings]:
    folder = tmp_path_factory.mktemp("dated")
    lines = (data_dir / "ungdc_2019_2020" / "speeches.jsonl").read_text(encoding="utf-8")
    debate = [line for line in lines.splitlines() if json.loads(line)["iso3"] in COUNTRIES]
    assert len(debate) == 2 * len(COUNTRIES)
    (folder / "debate.jsonl").write_text("\n".join(debate) + "\n", encoding="utf-8")
    (folder / "news.jsonl").write_text("".join(json.dumps(d) + "\n" for d in NEWS))
    with indexed_prefix(es, "dated", [str(folder / "debate.jsonl"), "--collection", "debate"],
                        [str(folder / "news.jsonl"), "--collection", "news",
                         "--type", "article"]) as settings:
        yield settings


@pytest.fixture(scope="module")
def client(dated_settings: Settings, embedder: Embedder) -> FlaskClient:
    return api_client(dated_settings, embedder)  # type: ignore[no-any-return]


get = api_json


def test_a_debate_speech_is_stored_and_shown_as_its_year(es, client: FlaskClient,  # type: ignore[no-untyped-def]
                                                         dated_settings: Settings) -> None:
    hit = es.search(index=dated_settings.all_alias, size=1,
                    query={"term": {"doc_id": "SYR_74_2019"}})["hits"]["hits"][0]["_source"]
    assert (hit["date"], hit["date_precision"]) == ("2019", "year")
    doc = get(client, "/api/documents/SYR_74_2019")
    assert (doc["date"], doc["date_precision"]) == ("2019", "year")
    found = get(client, "/api/search", q="Syria", mode="keyword", size=20)
    dates = {r["doc_id"]: (r["date"], r["date_precision"]) for r in found["results"]}
    assert dates["SYR_74_2019"] == ("2019", "year") and dates["TUR_75_2020"] == ("2020", "year")
    assert dates["n-month"] == ("2019-10", "month") and dates["n-day"] == ("2019-05-03", "day")
    assert dates["n-year"] == ("2019", "year")  # a record's "2019" is no longer dropped
    page = client.get("/documents/SYR_74_2019").get_data(as_text=True)
    assert '<time datetime="2019">2019</time>' in page and "2019-01-01" not in page


@pytest.mark.parametrize("mode", ["keyword", "semantic", "hybrid"])
def test_the_month_view_counts_a_year_only_date_in_its_year_not_in_january(
        client: FlaskClient, mode: str) -> None:
    body = get(client, "/api/search", q=QUERY, mode=mode, size=20)
    assert len(body["results"]) == body["total"]  # every match on the page: counted by hand
    years: dict[str, int] = {}
    months: dict[str, int] = {}
    for result in body["results"]:
        if result["date_precision"] == "year":
            years[result["date"]] = years.get(result["date"], 0) + 1
        elif result["date"]:
            month = result["date"][:7] + "-01"
            months[month] = months.get(month, 0) + 1
    assert years.get("2019")  # the debate's speeches and the year's review
    facets = body["facets"]
    assert facets["date_interval"] == "month"
    assert {b["date"]: b["count"] for b in facets["date"] if b["count"]} == months
    assert "2019-01-01" not in months and "2020-01-01" not in months
    assert facets["date_year_only"] == [{"date": y, "count": n} for y, n in sorted(years.items())]
    page = client.get("/", query_string={"q": QUERY, "mode": mode, "size": 20})
    assert "Dated by year only, in no month: 2019 (" in page.get_data(as_text=True)


@pytest.mark.parametrize("mode", ["keyword", "hybrid"])
def test_a_date_filter_keeps_a_coarser_date_whose_period_overlaps_it(client: FlaskClient,
                                                                       mode: str) -> None:
    # The 2019 debate's speeches and review ("2019"), and the October news ("2019-10"), fall
    # in June to December 2019 as far as their sources say; the news of 3 May does not.
    body = get(client, "/api/search", q=QUERY, mode=mode, size=20,
               date_from="2019-06-01", date_to="2019-12-31")
    found = {r["doc_id"] for r in body["results"]}
    assert {"SYR_74_2019", "TUR_74_2019", "n-year", "n-month"} <= found
    assert not found & {"n-day", "SYR_75_2020", "TUR_75_2020"}
    october = get(client, "/api/search", q=QUERY, mode=mode, size=20,
                  date_from="2019-10-15", date_to="2019-10-31")
    assert {"n-month", "n-year", "SYR_74_2019"} <= {r["doc_id"] for r in october["results"]}
    november = get(client, "/api/search", q=QUERY, mode=mode, size=20, date_from="2019-11-01")
    assert "n-month" not in {r["doc_id"] for r in november["results"]}


def test_a_year_view_counts_them_in_their_year(client: FlaskClient) -> None:
    body = get(client, "/api/search", q=QUERY, mode="keyword", collection="debate")
    facets = body["facets"]
    assert facets["date_interval"] == "year"  # every date a year: no month could hold one
    assert facets["date"] == [{"date": "2019-01-01", "count": 2},
                              {"date": "2020-01-01", "count": 2}]
    assert facets["date_year_only"] == []


@pytest.mark.parametrize("mode", ["keyword", "hybrid"])
def test_the_timeline_by_month_puts_coarser_dates_apart_and_still_sums_to_the_facets(
        client: FlaskClient, mode: str) -> None:
    page = get(client, "/api/search", q=QUERY, mode=mode, size=20)
    body = get(client, "/api/timeline", q=QUERY, mode=mode, by="collection", interval="month")
    series = {s["key"]: s for s in body["series"]}
    facet = {b["value"]: b["count"] for b in page["facets"]["collection"]}
    for key, found in series.items():
        counted = sum(b["count"] for b in found["buckets"]) + sum(
            c["count"] for c in found["coarser"])
        assert counted + found["undated"] == found["total"] == facet[key], found
    debate = series["debate"]
    assert debate["buckets"] == []
    assert debate["coarser"] == [{"date": "2019", "precision": "year", "count": 2},
                                 {"date": "2020", "precision": "year", "count": 2}]
    news = series["news"]
    assert {b["date"] for b in news["buckets"]} <= {"2019-05-01", "2019-10-01"}
    assert all(b["date"] != "2019-01-01" for s in series.values() for b in s["buckets"])
    shown = {r["doc_id"] for r in page["results"]}
    by_day = get(client, "/api/timeline", q=QUERY, mode=mode, by="collection", interval="day")
    news_days = {s["key"]: s for s in by_day["series"]}["news"]
    assert news_days["coarser"] == [c for doc_id, c in (
        ("n-year", {"date": "2019", "precision": "year", "count": 1}),
        ("n-month", {"date": "2019-10", "precision": "month", "count": 1})) if doc_id in shown]
    assert news_days["buckets"] == ([{"date": "2019-05-03", "count": 1}]
                                    if "n-day" in shown else [])
    html = client.get("/timeline", query_string={"q": QUERY, "mode": mode, "by": "collection",
                                                 "interval": "month"}).get_data(as_text=True)
    assert "2019 (year only)" in html and "dated only by year" in html


def test_auto_counts_speeches_dated_by_year_by_year(client: FlaskClient) -> None:
    body = get(client, "/api/timeline", q=QUERY, mode="keyword", collection="debate",
               by="collection")
    assert body["interval"] == "year"  # not the weeks their span would allow
    (debate,) = body["series"]
    assert debate["buckets"] == [{"date": "2019-01-01", "count": 2},
                                 {"date": "2020-01-01", "count": 2}]
    assert debate["coarser"] == []


def test_a_debate_speakers_page_counts_their_speeches_by_year(client: FlaskClient) -> None:
    found = get(client, "/api/search", q="Syria", mode="keyword", collection="debate",
                size=10)
    person = next(r["speaker_id"] for r in found["results"] if r["speaker_id"])
    profile = get(client, f"/api/speakers/{person}")
    over = profile["over_time"]
    assert over["interval"] == "year"
    assert all(len(b["date"]) == 4 for b in over["buckets"])
    assert sum(b["count"] for b in over["buckets"]) == profile["documents"]


def test_a_collection_indexed_before_precisions_is_still_searched(  # type: ignore[no-untyped-def]
        es, client: FlaskClient, dated_settings: Settings) -> None:
    """A passage without ``date_precision`` (an older index's) counts as precise to the day,
    as every date did: it is searched, faceted and charted without error."""
    hit = es.search(index=dated_settings.all_alias, size=1,
                    query={"term": {"doc_id": "n-day"}})["hits"]["hits"][0]
    old = {k: v for k, v in hit["_source"].items() if k != "date_precision"}
    es.index(index=hit["_index"], id=hit["_id"], document=old, refresh=True)
    try:
        body = get(client, "/api/search", q=QUERY, mode="keyword", size=20)
        shown = {r["doc_id"]: r["date_precision"] for r in body["results"]}
        assert shown["n-day"] == "day"  # from the date's own form
        assert {"date": "2019-05-01", "count": 1} in body["facets"]["date"]
        tl = get(client, "/api/timeline", q=QUERY, mode="keyword", by="collection")
        assert sum(s["total"] for s in tl["series"]) == body["total"]
    finally:
        es.index(index=hit["_index"], id=hit["_id"], document=hit["_source"], refresh=True)
