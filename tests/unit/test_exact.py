"""Exact text wins: which queries read as quotations, and the documents that hold their
wording ranked first in the hybrid fusion."""

from __future__ import annotations

from typing import Any

import pytest

from indexer.search import exact, results
from indexer.search.request import SearchRequest

SPEECH = ("The density of the population at the Turkish border increases every day because "
          "people move north to escape the fighting.")


@pytest.mark.parametrize(("q", "words"), [
    ("humanitarian access idlib", None),
    ('"Turkish border"', "Turkish border"),
    ("the density of the population at the Turkish border increases",
     "the density of the population at the Turkish border increases"),
    ("density of the population at the Turkish border -syria", None),  # search syntax
    ("density OR population at the Turkish border increases every day", None),
    ('"one phrase" and "another phrase" with enough words here', None),
])
def test_a_quotation_is_quoted_whole_or_long(q: str, words: str | None) -> None:
    assert exact.quotation(q) == words


def _hit(pid: str, doc: str, score: float, text: str) -> dict[str, Any]:
    return {"_id": pid, "_score": score,
            "_source": {"doc_key": doc, "doc_id": doc, "text": text, "passage_no": 0}}


def test_the_document_holding_the_wording_goes_first() -> None:
    q = "the density of the population at the Turkish border increases every day"
    keyword = [_hit("near#0", "near", 12.0, "Population density and the border: a report on "
                    "Turkish camps, where every day more people arrive."),
               _hit("speech#3", "speech", 11.0, SPEECH)]
    semantic = [_hit("near#0", "near", 0.9, "x"), _hit("other#0", "other", 0.8, "y")]
    found = exact.exact_passages(q, keyword)
    assert set(found) == {"speech|speech#3"}  # results.passage_key
    req = SearchRequest(q=q, mode="hybrid")
    without, _ = results.hybrid_results(req, keyword, semantic)
    assert without[0]["doc_id"] == "near"  # the fusion alone prefers the neighbour
    shown, total = results.hybrid_results(req, keyword, semantic, found)
    assert [r["doc_id"] for r in shown][:2] == ["speech", "near"] and total == 3
    assert shown[0]["passage"]["text"] == SPEECH
    assert exact.exact_passages("turkish border density", keyword) == {}  # no quotation


def test_a_phrase_found_only_near_puts_the_keyword_legs_passages_first() -> None:
    hits = [_hit("a#0", "a", 8.0, "x"), _hit("b#0", "b", 4.0, "y")]
    near = [{"phrase": "border population density", "level": "near"}]
    firsts = exact.near_passages('"border population density"', near, hits)
    assert firsts == {results.passage_key(hits[0]): 1.0, results.passage_key(hits[1]): 0.5}
    # Only a query that is that one phrase, relaxed to its near form; not its words alone.
    assert exact.near_passages('"border population density" idlib', near, hits) == {}
    assert exact.near_passages('"border population density"',
                               [{"phrase": "border population density", "level": "words"}],
                               hits) == {}
    assert exact.near_passages('"border population density"', [], hits) == {}
    assert exact.near_passages(' " border population density " ', near, hits) == firsts
