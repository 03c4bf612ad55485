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


def test_a_quoted_phrase_found_puts_the_keyword_legs_passages_first() -> None:
    hits = [_hit("a#0", "a", 8.0, "x"), _hit("b#0", "b", 4.0, "y")]
    near = [{"phrase": "border population density", "level": "near"}]
    firsts = exact.phrase_passages('"border population density"', near, hits)
    assert firsts == {results.passage_key(hits[0]): 1.0, results.passage_key(hits[1]): 0.5}
    # Only a query that is that one phrase, found as typed or relaxed to its near form; not
    # its words alone, which a passage without the phrase holds too.
    assert exact.phrase_passages('"border population density" idlib', near, hits) == {}
    assert exact.phrase_passages('"border population density"',
                               [{"phrase": "border population density", "level": "words"}],
                               hits) == {}
    assert exact.phrase_passages('"border population" "density"', near, hits) == {}
    assert exact.phrase_passages(' " border population density " ', near, hits) == firsts


def test_a_short_quoted_phrase_in_one_document_only_ranks_it_first() -> None:
    # "so duty Secretary-General" (stop words forgotten) matches one speech on the stems; it
    # is too loosely held to align as a quotation, and the semantic leg did not bring it.
    q = '"so duty Secretary-General"'
    keyword = [_hit("speech#4", "speech", 9.1, "...and so is the duty of the Secretary-General.")]
    semantic = [_hit("other#0", "other", 0.8, "His Excellency the Secretary-General,"),
                _hit("third#0", "third", 0.7, "I thank the Secretary-General.")]
    req = SearchRequest(q=q, mode="hybrid")
    assert exact.exact_passages(q, keyword) == {}
    without, _ = results.hybrid_results(req, keyword, semantic)
    assert without[0]["doc_id"] == "other"  # min-max ties the two legs' only best: 0.5 each
    firsts = exact.phrase_passages(q, [], keyword)
    shown, _ = results.hybrid_results(req, keyword, semantic, firsts)
    assert [r["doc_id"] for r in shown] == ["speech", "other", "third"]


def test_a_quoted_phrase_found_as_typed_puts_the_passages_holding_it_first() -> None:
    hits = [_hit("a#0", "a", 8.0, "The border population density rose."),
            _hit("b#0", "b", 6.0, "Density of the border population."),  # another order
            _hit("c#0", "c", 4.0, "x"), _hit("d#0", "d", 2.0, "the border, its population "
                                                           "and the density")]
    hits[2]["_source"]["title"] = "On border population density"
    firsts = exact.phrase_passages('"border population density"', [], hits)
    # All level: the fusion orders them; a passage without them in order is not among them.
    assert firsts == {results.passage_key(hits[0]): 1.0, results.passage_key(hits[2]): 1.0}
    assert exact.phrase_passages("border population density", [], hits) == {}
    assert exact.phrase_passages('"border population" "density"', [], hits) == {}


@pytest.mark.parametrize(("phrase", "text", "held"), [
    ("so duty Secretary-General", "and so is the duty of the Secretary-General.", True),
    ("the duty of the Secretary-General", "so duty Secretary-General", True),
    ("duty Secretary-General", "the duty of our Secretary-General", False),  # a word between
    ("Secretary-General duty", "the duty of the Secretary-General", False),  # order
    ("did not support", "they did support the text", False),  # a negation is never left out
    ("did support", "they did not support the text", False),
    ("didn't support", "they didn’t support it", True),
    ("to be or", "to be, or not to be", True),  # all stop words: each one counts
    ("to be or", "or to be", False),
    ("Secretary General", "the Secretary-General's report", True),  # as the stems cut words
    ("Council decision", "the Council's decisions", True),
    ("nothing changed", "nothing changes", True),
])
def test_a_phrase_is_held_with_its_words_in_order(phrase: str, text: str, held: bool) -> None:
    assert exact.holds(phrase, text) is held
