"""The concordance's matching rule, lines and order, on texts written here (pure)."""

from __future__ import annotations

import re

import pytest

from indexer.search.concordance import (
    MAX_PHRASE_WORDS,
    PhraseError,
    candidates_body,
    document_lines,
    earliest,
    kwic,
    occurrences,
    ordered,
    phrase_words,
)
from indexer.search.request import Filters


def spans(text: str, phrase: str) -> list[str]:
    return [text[o.start:o.end] for o in occurrences(text, phrase_words(phrase))]


def test_words_are_case_insensitive_and_punctuation_between_them_is_ignored() -> None:
    text = "The Cross-border mechanism; cross border aid.\nCROSS\n-- BORDER. crossborder"
    assert spans(text, "cross-border") == ["Cross-border", "cross border", "CROSS\n-- BORDER"]


def test_a_phrase_reads_across_a_sentence_end() -> None:
    assert spans("... before the Council. The Council will", "council the council") == [
        "Council. The Council"]


def test_whole_words_only_and_apostrophes_belong_to_the_word() -> None:
    text = "the Council's view; council’s; councils; council. Subcouncil"
    assert spans(text, "council") == ["council"]
    assert spans(text, "Council's") == ["Council's", "council’s"]


def test_counts_agree_with_a_plain_token_count() -> None:
    text = ("Humanitarian access, humanitarian-access and humanitarian\naccess; "
            "not humanitarian aid access.") * 7
    tokens = re.findall(r"[a-z]+", text.lower())
    expected = sum(tokens[i:i + 2] == ["humanitarian", "access"] for i in range(len(tokens)))
    assert len(spans(text, "humanitarian access")) == expected == 21


def test_a_phrase_without_words_or_with_too_many_is_refused() -> None:
    with pytest.raises(PhraseError):
        phrase_words("  -- !! ")
    with pytest.raises(PhraseError):
        phrase_words(" ".join(["word"] * (MAX_PHRASE_WORDS + 1)))


def test_context_is_cut_at_words_and_whitespace_folded() -> None:
    text = "alpha beta gamma\n\ndelta TARGET epsilon   zeta eta theta"
    [found] = occurrences(text, ["target"])
    left, match, right = kwic(text, found, width=12)
    assert match == "TARGET"
    assert text[found.start - 12:found.start].endswith(left.split(" ")[-1] + " ")
    assert left == "delta" and right == "epsilon"
    assert "\n" not in left + right


def passage(no: int, start: int, end: int, speaker: str, **more: object) -> dict[str, object]:
    return {"doc_id": "d", "collection": "c", "date": "2020-01-02", "passage_no": no,
            "offset_start": start, "offset_end": end, "speaker": speaker,
            "speaker_id": speaker.lower(), **more}


def test_an_occurrence_straddling_two_passages_counts_once_for_the_first() -> None:
    text = "We ask for cross. Border crossings stay open. Cross border aid."
    second = text.index("Border")
    passages = [passage(0, 0, second - 1, "A", doc_text=text),
                passage(1, second, len(text), "B")]
    lines = document_lines(passages, phrase_words("cross border"))
    assert [(line["offset"], line["speaker"]) for line in lines] == [
        (text.index("cross."), "A"), (text.index("Cross border"), "B")]
    assert [line["passage"] for line in document_lines(passages, ["cross", "border"], {1})] == [1]


def test_overlapping_passages_do_not_count_twice() -> None:
    text = "One two. Cross border three. Four five."
    passages = [passage(0, 0, 28, "A", doc_text=text), passage(1, 9, len(text), "A")]
    assert len(document_lines(passages, ["cross", "border"])) == 1


def line(date: str | None, doc: str, offset: int) -> dict[str, object]:
    return {"date": date, "collection": "c", "doc_id": doc, "offset": offset}


def test_order_is_by_date_then_reading_order_and_undated_last() -> None:
    lines = [line("2020-03-01", "b", 5), line(None, "z", 0), line("2020-01-01", "a", 9),
             line("2020-03-01", "b", 1), line("2020-01-01", "a", 2)]
    oldest = [(x["doc_id"], x["offset"]) for x in ordered(lines, "oldest")]
    newest = [(x["doc_id"], x["offset"]) for x in ordered(lines, "newest")]
    assert oldest == [("a", 2), ("a", 9), ("b", 1), ("b", 5), ("z", 0)]
    assert newest == [("b", 1), ("b", 5), ("a", 2), ("a", 9), ("z", 0)]
    assert earliest(lines) == line("2020-01-01", "a", 2)


def test_candidates_include_passages_that_begin_with_the_phrase_tail() -> None:
    body = candidates_body(["cross", "border", "aid"], Filters(types=("transcript",)),
                           order="newest", limit=5)
    should = body["query"]["bool"]["should"]
    assert should[0] == {"match_phrase": {"text": {"query": "cross border aid"}}}
    assert should[1] == {"span_first": {"match": {"span_near": {"clauses": [
        {"span_term": {"text": "border"}}, {"span_term": {"text": "aid"}}], "slop": 0,
        "in_order": True}}, "end": 2}}
    assert should[2] == {"span_first": {"match": {"span_term": {"text": "aid"}}, "end": 1}}
    assert body["query"]["bool"]["filter"] == [{"terms": {"type": ["transcript"]}}]
    assert body["collapse"] == {"field": "doc_key"} and body["size"] == 5
    assert body["sort"][0] == {"date": {"order": "desc", "missing": "_last"}}


def test_the_phrase_as_typed_is_a_candidate_too() -> None:
    # The index keeps "U.N." whole; the phrase's words split it into "u" and "n".
    body = candidates_body(phrase_words("U.N. Security Council"), Filters(), order="oldest",
                           limit=5, raw="U.N. Security Council")
    should = body["query"]["bool"]["should"]
    assert {"match_phrase": {"text": {"query": "U.N. Security Council"}}} in should
    plain = candidates_body(["security", "council"], Filters(), order="oldest", limit=5,
                            raw="Security  Council")
    assert all(c.get("match_phrase", {}).get("text", {}).get("query") != "Security  Council"
               for c in plain["query"]["bool"]["should"])


def test_a_word_the_window_did_not_cut_is_kept() -> None:
    text = "aaa bbb TARGET ccc ddd"
    [found] = occurrences(text, ["target"])
    assert kwic(text, found, width=4) == ("bbb", "TARGET", "ccc")
    assert kwic(text, found, width=3) == ("", "TARGET", "")  # "bb" and "cc" were cut
