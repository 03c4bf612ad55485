"""/api/timeline against the real node and model: each series counts what the search page's
facet counts for the same query and mode, and bad choices are 400s naming the parameter."""

from __future__ import annotations

import csv
import shutil
from collections import Counter
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient

from indexer.model.embedder import Embedder
from indexer.search import candidate_facets, plan, queries, results
from indexer.search.request import SearchRequest
from indexer.search.searcher import Searcher
from indexer.settings import Settings
from tests.conftest import api_client, api_json, indexed_prefix

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]
SYMBOLS = ("8700", "8735")  # two small meetings a month apart
QUERIES = [("Idlib", "keyword"), ("", "keyword"), ("ceasefire in Syria", "semantic"),
           ("humanitarian access Idlib", "hybrid"), ("security council", "hybrid")]


@pytest.fixture(scope="module")
def timeline_settings(es, embedder, data_dir: Path,  # type: ignore[no-untyped-def]
                      tmp_path_factory) -> Iterator[Settings]:
    folder = tmp_path_factory.mktemp("timeline")
    (folder / "un" / "transcripts").mkdir(parents=True)
    src = data_dir / "unsc_2020_syria"
    for symbol in SYMBOLS:
        shutil.copy(src / "transcripts" / f"S_PV.{symbol}.txt", folder / "un" / "transcripts")
    shutil.copy(src / "meetings.csv", folder / "un")
    with indexed_prefix(es, "tl", [str(folder / "un"), "--collection", "un"],
                        [str(data_dir / "seed"), str(REPO / "samples" / "articles"),
                         "--collection", "news"]) as settings:
        yield settings


@pytest.fixture(scope="module")
def client(timeline_settings: Settings, embedder: Embedder) -> FlaskClient:
    return api_client(timeline_settings, embedder)  # type: ignore[no-any-return]


get = api_json


def facet_counts(facets: list[dict[str, Any]], by: str) -> dict[str, int]:
    """The facet's counts by the key a timeline series carries (a person's id for speakers)."""
    if by == "speaker":
        return {b["id"] or b["value"]: b["count"] for b in facets}
    return {b["value"]: b["count"] for b in facets}


@pytest.mark.parametrize("q", ["humanitarian access Idlib", "security council",
                               "what was said about the ceasefire"])
def test_hybrid_facets_counted_in_hand_are_elasticsearchs(es, embedder,  # type: ignore[no-untyped-def]
                                                          timeline_settings: Settings,
                                                          q: str) -> None:
    """The hybrid page counts its facets over the passages in hand (``candidate_facets``):
    every facet, dates and unresolved speakers included, equals Elasticsearch's own
    aggregations over exactly those passages."""
    searcher = Searcher(es, embedder, timeline_settings)
    prepared = searcher.prepare(SearchRequest(q=q, mode="hybrid"))
    responses = searcher.msearch(searcher.page_searches(prepared.req, prepared.vectors))
    legs = [results.hits_of(r) for r in responses]
    assert len(legs) == 3 and legs[0] and legs[1] and legs[2]  # and the documents scored whole
    passages = plan.leg_passages(legs)
    aggs = queries.facet_aggs()
    for terms in (aggs["collection"], aggs["type"], aggs["speaker"],
                  aggs["speaker_unresolved"]["aggs"]["names"]):
        terms["terms"]["shard_size"] = len(passages)  # every key of every index ranked
    counted = es.search(index=searcher.index, query=queries.passages_query(passages),
                        size=0, aggs=aggs).body
    in_hand = candidate_facets.aggregations(legs)
    assert results.facets({"aggregations": in_hand}) == results.facets(counted)
    for name in ("collection", "type", "speaker"):  # passages per key too
        assert [(b["key"], b["doc_count"]) for b in in_hand[name]["buckets"]] == \
            [(b["key"], b["doc_count"]) for b in counted["aggregations"][name]["buckets"]]


@pytest.mark.parametrize("by", ["speaker", "collection", "type"])
@pytest.mark.parametrize(("q", "mode"), QUERIES)
def test_series_sum_to_the_facet_counts(client: FlaskClient, q: str, mode: str, by: str) -> None:
    page = get(client, "/api/search", q=q, mode=mode)
    body = get(client, "/api/timeline", q=q, mode=mode, by=by, top=5)
    assert body["by"] == by and body["interval"] in ("year", "month", "week", "day")
    assert body["total"] == page["total"]
    facets = facet_counts(page["facets"][by], by)
    named = [s for s in body["series"] if not s["other"]]
    assert named, body
    for series in named:
        dated = sum(b["count"] for b in series["buckets"])
        coarser = sum(c["count"] for c in series["coarser"])  # dated by a year or month only
        assert dated + coarser + series["undated"] == series["total"] == facets[series["key"]], \
            series
        assert all(b["count"] > 0 for b in series["buckets"])
    # The series are the facet's first keys, most documents first.
    assert [s["total"] for s in named] == sorted(facets.values(), reverse=True)[:len(named)]
    if len(facets) > len(named):
        assert body["series"][-1]["other"] and body["series"][-1]["total"] > 0
    else:
        assert not any(s["other"] for s in body["series"])


def test_a_speaker_series_is_the_person_with_their_name(client: FlaskClient) -> None:
    body = get(client, "/api/timeline", q="Idlib", mode="keyword", by="speaker")
    people = [s for s in body["series"] if s["person"]]
    assert people
    page = get(client, "/api/search", q="Idlib", mode="keyword")
    names = {b["id"]: b["value"] for b in page["facets"]["speaker"] if b["id"]}
    for series in people:
        assert series["label"] == names[series["key"]] != series["key"]


def test_other_counts_the_documents_of_the_remaining_keys(client: FlaskClient) -> None:
    page = get(client, "/api/search", q="", mode="keyword")
    body = get(client, "/api/timeline", q="", mode="keyword", by="type", top=1)
    first, other = body["series"]
    assert other["key"] == "other" and other["other"]
    # A document has one type: the rest of the total is the other types'.
    assert first["total"] + other["total"] == page["total"]
    assert other["total"] == sum(page["facets"]["type"][i]["count"]
                                 for i in range(1, len(page["facets"]["type"])))


def test_meetings_counted_by_month_match_the_meeting_list(client: FlaskClient,
                                                          data_dir: Path) -> None:
    with (data_dir / "unsc_2020_syria" / "meetings.csv").open() as f:
        dates = [row["date"] for row in csv.DictReader(f)
                 if row["symbol"] in {f"S/PV.{s}" for s in SYMBOLS}]
    expected = Counter(d[:7] + "-01" for d in dates)
    body = get(client, "/api/timeline", collection="un", mode="keyword", by="collection",
               interval="month")
    (series,) = body["series"]
    assert series["key"] == "un" and series["total"] == len(dates)
    assert {b["date"]: b["count"] for b in series["buckets"]} == expected
    assert body["first"] == min(dates) and body["last"] == max(dates)


def test_auto_picks_the_interval_from_the_span(client: FlaskClient, data_dir: Path) -> None:
    with (data_dir / "unsc_2020_syria" / "meetings.csv").open() as f:
        dates = sorted(date.fromisoformat(row["date"]) for row in csv.DictReader(f)
                       if row["symbol"] in {f"S/PV.{s}" for s in SYMBOLS})
    days = (dates[-1] - dates[0]).days + 1  # the finest interval with at most 60 periods
    one = get(client, "/api/timeline", collection="un", mode="keyword", by="type")
    assert one["interval"] == ("day" if days <= 60 else "week" if days <= 7 * 59 else "month")
    wide = get(client, "/api/timeline", mode="keyword", by="type")  # 2020 to 2025: 61 months
    assert wide["interval"] == "year"


def test_periods_and_filters_narrow_the_search_the_same_way(client: FlaskClient) -> None:
    body = get(client, "/api/timeline", q="Syria", mode="keyword", by="collection",
               interval="year")
    for series in body["series"]:
        for bucket in series["buckets"]:
            year = bucket["date"][:4]
            page = get(client, "/api/search", q="Syria", mode="keyword",
                       collection=series["key"], date_from=f"{year}-01-01",
                       date_to=f"{year}-12-31")
            assert page["total"] == bucket["count"], (series["key"], bucket)


@pytest.mark.parametrize(("params", "parameter"), [
    ({"by": "weather"}, "by"), ({"interval": "hour"}, "interval"), ({"top": "0"}, "top"),
    ({"top": "21"}, "top"), ({"top": "many"}, "top"), ({"mode": "psychic"}, "mode"),
    ({"mode": "semantic"}, "q"), ({"date_from": "2020-13-01"}, "date_from"),
])
def test_bad_choices_are_400s_naming_the_parameter(client: FlaskClient, params: dict[str, str],
                                                   parameter: str) -> None:
    response = client.get("/api/timeline", query_string=params)
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["status"] == 400 and error["parameter"] == parameter and error["message"]


def test_the_page_draws_linked_buckets(client: FlaskClient) -> None:
    response = client.get("/timeline", query_string={"q": "Idlib", "mode": "keyword",
                                                     "by": "type"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    body = get(client, "/api/timeline", q="Idlib", mode="keyword", by="type")
    bars = sum(len(s["buckets"]) for s in body["series"])
    chart = html[html.index('<figure class="timeline">'):html.index("</figure>")]
    assert bars and chart.count('class="bucket"') == bars
    assert 'style="' not in chart and "<script" not in chart  # the CSP would block both
