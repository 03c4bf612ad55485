from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pytest

from indexer.search import dates, highlight, results
from indexer.search.request import SearchRequest

SOURCE = {
    "doc_id": "S/PV.8700", "doc_key": "un/S/PV.8700", "collection": "un", "type": "transcript",
    "title": "The situation in the Middle East", "date": "2020-01-10", "source": "UNSC",
    "speaker": "Ms. Mueller", "speaker_country": "OCHA", "symbol": "S/PV.8700", "url": None,
    "passage_no": 4, "text": "Hospitals & schools were shelled.", "offset_start": 120,
    "offset_end": 153,
    "quotes": [{"text": "not spared", "speaker": "Mr. Lowcock", "offset_start": 130,
                "offset_end": 140}],
}


def _hit(pid: str, doc_key: str, score: float, **source: Any) -> dict[str, Any]:
    return {"_id": pid, "_score": score,
            "_source": {**SOURCE, "doc_key": doc_key, "doc_id": doc_key, **source}}


def _bucket(key: str, docs: int, **extra: Any) -> dict[str, Any]:
    return {"key": key, "doc_count": docs * 3, "docs": {"value": docs}, **extra}


def test_a_hit_becomes_a_result_with_its_passage_quotes_and_ranks() -> None:
    hit = {"_id": "p1", "_score": 7.5, "_source": SOURCE,
           "highlight": {"text": ["<mark>Hospitals</mark> &amp; schools were shelled."]}}
    shaped = results.shape_hit(hit, keyword_rank=1, semantic_rank=None, fused=7.1234567,
                               more_passages=2)
    assert shaped == {
        "doc_id": "S/PV.8700", "collection": "un", "type": "transcript",
        "title": "The situation in the Middle East", "date": "2020-01-10",
        "date_precision": "day", "source": "UNSC",
        "speaker": "Ms. Mueller", "speaker_id": None, "speaker_country": "OCHA",
        "symbol": "S/PV.8700", "url": None,
        "passage": {"id": "p1", "number": 4, "text": "Hospitals & schools were shelled.",
                    "highlights": ["<mark>Hospitals</mark> &amp; schools were shelled."],
                    "offset": 120, "end": 153},
        "more_passages": 2,
        "quotes": [{"text": "not spared", "speaker": "Mr. Lowcock", "speaker_id": None,
                    "offset": 130}],
        "ranks": {"keyword": 1, "semantic": None, "fused": 7.123457},
    }


def test_a_bare_hit_shapes_without_highlights_quotes_or_score() -> None:
    shaped = results.shape_hit({"_source": {"doc_id": "x"}}, keyword_rank=None,
                               semantic_rank=3, fused=None, more_passages=-1)
    assert shaped["passage"]["text"] == "" and shaped["passage"]["highlights"] == []
    assert shaped["quotes"] == [] and shaped["more_passages"] == 0
    assert shaped["ranks"] == {"keyword": None, "semantic": 3, "fused": None}


def test_one_leg_ranks_follow_the_page_and_count_the_other_passages() -> None:
    hits = [_hit("a#1", "a", 3.0), _hit("b#0", "b", 2.0)]
    keyword = results.leg_results(hits, {"a": 4}, offset=10, keyword=True)
    assert [r["ranks"] for r in keyword] == [{"keyword": 11, "semantic": None, "fused": 3.0},
                                             {"keyword": 12, "semantic": None, "fused": 2.0}]
    assert [r["more_passages"] for r in keyword] == [3, 0]  # a document not counted: its own
    semantic = results.leg_results(hits, {}, offset=0, keyword=False)
    assert [r["ranks"]["semantic"] for r in semantic] == [1, 2]


def test_hybrid_fuses_per_document_and_shows_its_best_passage() -> None:
    keyword = [_hit("quote#3", "quote", 30.0, text="keyword copy"), _hit("x#0", "x", 6.0)]
    semantic = [_hit("x#0", "x", 0.62), _hit("quote#1", "quote", 0.61),
                _hit("quote#3", "quote", 0.58, text="semantic copy")]
    req = SearchRequest(q="aid", mode="hybrid", size=1, fusion="linear", alpha=0.5)
    window, ranked = results.hybrid_results(req, keyword, semantic)
    assert ranked == 2  # both documents were ranked; the page holds one
    (top,) = window
    assert top["doc_id"] == "quote" and top["ranks"]["keyword"] == 1
    assert top["ranks"]["semantic"] == 2  # the document's best semantic passage was 2nd
    # The passage shown fuses best on both legs, and comes from the keyword copy.
    assert top["passage"]["text"] == "keyword copy" and top["more_passages"] == 1
    second, ranked = results.hybrid_results(
        SearchRequest(q="aid", mode="hybrid", size=1, page=2), keyword, semantic)
    assert [r["doc_id"] for r in second] == ["x"] and ranked == 2


def test_passage_counts_read_the_per_document_aggregation() -> None:
    response = {"aggregations": {"per_doc": {"buckets": [{"key": "un/a", "doc_count": 3}]}}}
    assert results.passage_counts(response) == {"un/a": 3}
    assert results.passage_counts({}) == {}
    shown = {"aggregations": {"shown": {"per_doc": {"buckets": [{"key": "un/b", "doc_count": 2}]}}}}
    assert results.passage_counts(shown) == {"un/b": 2}


def _facets_response(years: int) -> dict[str, Any]:
    return {"aggregations": {
        "collection": {"buckets": [_bucket("un", 5)]},
        "type": {"buckets": [_bucket("transcript", 4), _bucket("article", 1)]},
        "speaker": {"buckets": []},
        "date_year": {"buckets": [_bucket(f"{2020 + i}-01-01", 1, key_as_string=f"{2020 + i}-01-01")
                                  for i in range(years)]},
        "date_month": {"dates": {"buckets": [
            _bucket("2020-01-01", 2, key_as_string="2020-01-01"),
            _bucket("2020-02-01", 3, key_as_string="2020-02-01")]}},
        "total_docs": {"value": 5},
    }}


def test_facets_count_documents_by_month_over_a_few_years() -> None:
    total, facets = results.facets(_facets_response(dates.MONTHS_UP_TO_YEARS))
    assert total == 5
    assert facets == {
        "collection": [{"value": "un", "count": 5}],
        "type": [{"value": "transcript", "count": 4}, {"value": "article", "count": 1}],
        "speaker": [],
        "date": [{"date": "2020-01-01", "count": 2}, {"date": "2020-02-01", "count": 3}],
        "date_interval": "month", "date_year_only": [],
    }


def test_facets_count_by_year_over_many_years_and_survive_no_aggregations() -> None:
    _, facets = results.facets(_facets_response(dates.MONTHS_UP_TO_YEARS + 1))
    assert facets["date_interval"] == "year"
    assert [d["date"] for d in facets["date"]] == ["2020-01-01", "2021-01-01", "2022-01-01",
                                                  "2023-01-01"]
    total, empty = results.facets({"aggregations": {}})
    assert total == 0 and empty["collection"] == [] and empty["date_interval"] == "month"


def test_a_search_page_says_how_it_ranked_and_why_it_degraded() -> None:
    page = results.Page([], {"date": []}, total=42, pageable=40)
    hybrid = results.search_page(SearchRequest(q="aid"), page, took_ms=3.5,
                                 degraded="the model failed")
    assert hybrid == {"total": 42, "pageable": 40, "took_ms": 3.5, "mode": "hybrid",
                      "fusion": "linear", "alpha": 0.5, "page": 1, "size": 10, "results": [],
                      "facets": {"date": []}, "degraded": "keyword results only: the model failed"}
    rrf = results.search_page(SearchRequest(q="aid", fusion="rrf"), page, took_ms=1, degraded=None)
    assert rrf["fusion"] == "rrf" and rrf["alpha"] is None and "degraded" not in rrf
    keyword = results.search_page(SearchRequest(q="aid", mode="keyword"), page, took_ms=1,
                                  degraded="ignored")
    assert keyword["fusion"] is None and keyword["alpha"] is None and "degraded" not in keyword


def test_quotes_list_every_inner_hit_marked_or_escaped() -> None:
    inner = [{"_score": 2.0, "_source": {"text": "not spared", "speaker": "Mr. Lowcock",
                                         "offset_start": 130},
              "highlight": {"quotes.text": ["not <mark>spared</mark>"]}},
             {"_score": 1.0, "_source": {"text": "a & b", "speaker": None, "offset_start": 9}}]
    response = {"hits": {"hits": [{"_source": SOURCE,
                                   "inner_hits": {"quotes": {"hits": {"hits": inner}}}}]}}
    assert results.quotes(response) == [
        {"text": "not spared", "highlight": "not <mark>spared</mark>", "speaker": "Mr. Lowcock",
         "speaker_id": None, "doc_id": "S/PV.8700", "collection": "un",
         "title": "The situation in the Middle East", "date": "2020-01-10",
         "date_precision": "day", "source": "UNSC", "offset": 130, "score": 2.0},
        {"text": "a & b", "highlight": "a &amp; b", "speaker": None, "speaker_id": None,
         "doc_id": "S/PV.8700",
         "collection": "un", "title": "The situation in the Middle East", "date": "2020-01-10",
         "date_precision": "day", "source": "UNSC", "offset": 9, "score": 1.0},
    ]


def test_an_export_row_is_one_passage() -> None:
    row = results.export_row({"_score": 1.5, "_source": SOURCE})
    assert row == {"doc_id": "S/PV.8700", "collection": "un", "type": "transcript",
                   "title": "The situation in the Middle East", "date": "2020-01-10",
                   "date_precision": "day", "source": "UNSC", "speaker": "Ms. Mueller",
                   "url": None, "passage_no": 4,
                   "offset": 120, "score": 1.5, "text": "Hospitals & schools were shelled.",
                   "quotes": [{"text": "not spared", "speaker": "Mr. Lowcock",
                               "speaker_id": None, "offset": 130}]}


def test_a_document_is_its_first_collections_passages_in_order() -> None:
    head = {**SOURCE, "type": "speech", "doc_text": "Full text.", "author": "UN",
            "topic": "Syria", "metadata": None, "passage_no": 0, "quotes": []}
    hits = [{"_source": head}, {"_source": SOURCE},
            {"_source": {**SOURCE, "collection": "wire", "passage_no": 0}}]
    doc = results.document("S/PV.8700", hits)
    assert {k: v for k, v in doc.items() if k not in ("passages", "quotes")} == {
        "doc_id": "S/PV.8700", "collection": "un", "type": "speech",
        "title": "The situation in the Middle East", "date": "2020-01-10",
        "date_precision": "day", "source": "UNSC", "url": None, "author": "UN",
        "symbol": "S/PV.8700", "topic": "Syria",
        "speaker": "Ms. Mueller", "text": "Full text.", "metadata": {}}
    assert [p["number"] for p in doc["passages"]] == [0, 4]  # the wire copy is not mixed in
    assert doc["passages"][1] == {"number": 4, "offset": 120, "end": 153, "speaker": "Ms. Mueller",
                                  "speaker_country": "OCHA",
                                  "text": "Hospitals & schools were shelled."}
    assert doc["quotes"] == [{"text": "not spared", "speaker": "Mr. Lowcock", "speaker_id": None,
                              "offset": 130, "end": 140, "passage": 4}]
    transcript = results.document("S/PV.8700", [{"_source": SOURCE}])
    assert transcript["speaker"] is None and transcript["text"] == ""  # a speaker per passage


# ---------------------------------------------------------------- semantic highlights


def test_mark_spans_escapes_and_skips_overlaps() -> None:
    text = "a < b. c & d. e"
    assert highlight.mark_spans(text, [(7, 13), (0, 6), (2, 9)]) == \
        "<mark>a &lt; b.</mark> <mark>c &amp; d.</mark> e"


def test_the_closest_sentences_and_near_ties_are_marked() -> None:
    spans = [(0, 1), (2, 3), (4, 5)]
    assert highlight.closest([0.5, 0.9, 0.88], spans) == [(2, 3), (4, 5)]


def _encode(sentences: Sequence[str]) -> np.ndarray:
    """A toy encoder: the sentences that mention aid point the query's way."""
    return np.array([[1.0, 0.0] if "aid" in s else [0.0, 1.0] for s in sentences])


def _result(text: str, highlights: list[str] | None = None) -> dict[str, Any]:
    return {"passage": {"text": text, "highlights": highlights or []}}


def test_semantic_marks_go_only_where_keywords_marked_nothing() -> None:
    found = [_result("Shelling went on. The aid convoy waited."),
             _result("Aid arrived.", ["<mark>Aid</mark> arrived."])]
    highlight.mark_semantic(_encode, "aid", found)
    assert found[0]["passage"]["highlights"] == [
        "Shelling went on. <mark>The aid convoy waited.</mark>"]
    assert found[1]["passage"]["highlights"] == ["<mark>Aid</mark> arrived."]


def test_a_model_failure_leaves_the_passages_unmarked_and_is_logged(
        caplog: pytest.LogCaptureFixture) -> None:
    def broken(sentences: Sequence[str]) -> np.ndarray:
        raise RuntimeError("out of memory")

    found = [_result("A & B.")]
    highlight.mark_semantic(broken, "aid", found)
    assert found[0]["passage"]["highlights"] == ["A &amp; B."]
    assert "RuntimeError: out of memory" in caplog.text
    assert caplog.records[0].exc_info is not None


def _dates(*found: tuple[str, int]) -> list[dict[str, Any]]:
    return [_bucket(day, n, key_as_string=day) for day, n in found]


def _date_facet(years: list[dict[str, Any]], months: list[dict[str, Any]]) -> dict[str, Any]:
    return results.facets({"aggregations": {"date_year": {"buckets": years},
                                            "date_month": {"dates": {"buckets": months}}}})[1]


def test_the_date_facet_fills_the_gaps_between_the_dates_that_hold_matches() -> None:
    facets = _date_facet(_dates(("2020-01-01", 3)),
                         _dates(("2020-01-01", 1), ("2020-04-01", 2)))
    assert facets["date_interval"] == "month"
    assert facets["date"] == [{"date": "2020-01-01", "count": 1}, {"date": "2020-02-01", "count": 0},
                              {"date": "2020-03-01", "count": 0}, {"date": "2020-04-01", "count": 2}]
    facets = _date_facet(_dates(("1990-01-01", 1), ("2020-01-01", 2)), [])
    assert facets["date_interval"] == "year" and len(facets["date"]) == 31
    assert facets["date"][0] == {"date": "1990-01-01", "count": 1}
    assert facets["date"][-1] == {"date": "2020-01-01", "count": 2}


def test_placeholder_dates_far_apart_make_wider_bars_never_more_than_the_cap() -> None:
    years = _dates(("0001-01-01", 1), ("2020-01-01", 5), ("2021-01-01", 2), ("9999-01-01", 1))
    facets = _date_facet(years, [])
    assert facets["date_interval"] == "century"
    assert len(facets["date"]) <= dates.MAX_DATE_BUCKETS
    assert sum(d["count"] for d in facets["date"]) == 9
    assert facets["date"][0] == {"date": "0000-01-01", "count": 1}
    assert {"date": "2000-01-01", "count": 7} in facets["date"]
    assert facets["date"][-1] == {"date": "9900-01-01", "count": 1}
    decades = _date_facet(_dates(("1500-01-01", 1), ("2020-01-01", 1)), [])
    assert decades["date_interval"] == "decade" and len(decades["date"]) == 53


def test_a_hybrid_pages_highlights_land_on_the_passages_shown() -> None:
    shown = [results.shape_hit(_hit(pid, "un/a", 1.0), keyword_rank=None, semantic_rank=1,
                               fused=1.0) for pid in ("p1", "p2")]
    results.add_highlights(shown, {"hits": {"hits": [
        {"_id": "p2", "_source": {"collection": "other"},
         "highlight": {"text": ["<mark>elsewhere</mark>"]}},
        {"_id": "p2", "_source": {"collection": "un"},
         "highlight": {"text": ["<mark>aid</mark> convoys"]}},
        {"_id": "p1", "_source": {"collection": "un"}}]}})
    assert shown[0]["passage"]["highlights"] == []
    assert shown[1]["passage"]["highlights"] == ["<mark>aid</mark> convoys"]


def test_documents_scored_whole_are_the_keyword_side_of_the_fusion() -> None:
    # The passage leg's best keyword match is x; scored whole, y (whose words are spread
    # over its passages) is the better document, and only the document search brought it.
    keyword = [_hit("x#2", "x", 9.0), _hit("z#1", "z", 8.0), _hit("w#5", "w", 7.0)]
    semantic = [_hit("z#1", "z", 0.60), _hit("x#2", "x", 0.50)]
    whole = [_hit("y#0", "y", 20.0, text="first passage of y"), _hit("z#0", "z", 15.0),
             _hit("x#0", "x", 5.0)]
    req = SearchRequest(q="aid", mode="hybrid", size=4, fusion="linear", alpha=0.5)
    window, ranked = results.hybrid_results(req, keyword, semantic, whole=whole)
    # w, which only the passage leg found, stays a candidate, below every whole score.
    assert ranked == 4
    assert [r["doc_id"] for r in window] == ["z", "y", "x", "w"]
    assert [r["ranks"]["keyword"] for r in window] == [2, 1, 3, 4]
    # A document the legs brought shows the passage they brought; y shows its first passage
    # until its best is found.
    assert [r["passage"]["id"] for r in window] == ["z#1", "y#0", "x#2", "w#5"]
    found = {**_hit("y#4", "y", 3.0, text="the best of y"),
             "highlight": {"text": ["the best of <mark>y</mark>"]}}
    before = window[1]["ranks"]
    results.add_best_passages(window, [("un", "y#0")], {"hits": {"hits": [found]}})
    assert window[1]["passage"]["id"] == "y#4" and window[1]["ranks"] == before
    assert window[1]["passage"]["highlights"] == ["the best of <mark>y</mark>"]
    assert [r["passage"]["id"] for r in window] == ["z#1", "y#4", "x#2", "w#5"]
    # A document whose every passage with the words is excluded has no best passage: it goes.
    again, _ = results.hybrid_results(req, keyword, semantic, whole=whole)
    results.add_best_passages(again, [("un", "y#0")], {"hits": {"hits": []}})
    assert [r["doc_id"] for r in again] == ["z", "x", "w"]
    # Without the document search, the best passages rank the documents, as before.
    plain, _ = results.hybrid_results(req, keyword, semantic)
    assert [(r["doc_id"], r["ranks"]["keyword"]) for r in plain] == [("z", 2), ("x", 1),
                                                                      ("w", 3)]
