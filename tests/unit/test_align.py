"""Word-level alignment of a quote against a source text: the span, the diff, the counts."""

from __future__ import annotations

import pytest

from indexer.provenance.align import Alignment, align
from indexer.provenance.normalize import normalize_word, words
from tests.conftest import shared_data

SOURCE = (
    "In the last 10 days, a camp hosting more than 800 people was hit by shelling in Dana, "
    "which is now the most crowded of the sub-districts of Idlib governorate. Idlib Central "
    "Hospital was among several facilities struck this week, causing multiple casualties. "
    "Operations at the facility had to be suspended, except for emergency medical treatment. "
    "A massive humanitarian operation is under way in north- western Syria."
)


@pytest.fixture(scope="module")
def mueller() -> str:
    """Ms. Mueller's briefing in S/PV.8734 (shared data), one turn of about 1,800 words."""
    path = shared_data() / "unsc_2020_syria" / "transcripts" / "S_PV.8734.txt"
    turns = path.read_text(encoding="utf-8").splitlines()
    return next(turn for turn in turns if turn.startswith("Ms. Mueller: I will begin"))


def aligned(quote: str, source: str = SOURCE) -> Alignment:
    found = align(quote, source)
    assert found is not None
    return found


def quoted_words(alignment: Alignment) -> list[str]:
    return [w.norm for op in alignment.ops for w in words(op.quote)]


def source_words(alignment: Alignment, source: str) -> list[str]:
    return [w.norm for op in alignment.ops for w in words(op.source)]


@pytest.mark.parametrize(("written", "norm"), [
    ("North-Western", "northwestern"),
    ("north- western", "northwestern"),
    ("Secretary-\nGeneral", "secretarygeneral"),
    ("humanise", "humanize"),
    ("centre", "center"),
    ("defence", "defense"),
    ("labour", "labor"),
    ("travelled", "traveled"),
    ("programme", "program"),
    ("militarisation", "militarization"),
    ("labour-intensive", "laborintensive"),
    ("Council’s", "councils"),
    ("Council's", "councils"),
    ("950,000", "950000"),
    ("1.4", "1.4"),
    ("Qāmishlī", "qamishli"),
    ("[I]n", "in"),
])
def test_normalize_word_drops_what_is_not_a_change(written: str, norm: str) -> None:
    assert normalize_word(written) == norm


def test_words_keep_offsets_and_mark_brackets_and_ellipses() -> None:
    text = "[The Government] must act … now"
    found = words(text)
    assert [text[w.start:w.end] for w in found] == [w.text for w in found]
    assert [w.norm for w in found] == ["the", "government", "must", "act", "now"]
    assert [w.bracketed for w in found] == [True, True, False, False, False]
    assert [w.gap_before for w in found] == [False, False, False, False, True]


def test_four_is_never_for_and_ten_stays_ten() -> None:
    assert normalize_word("four") != normalize_word("for")
    assert normalize_word("10") != normalize_word("ten")


def test_verbatim_quote_aligns_to_its_exact_span() -> None:
    quote = "Idlib Central Hospital was among several facilities struck this week"
    found = aligned(quote)
    assert SOURCE[found.start:found.end] == quote
    assert [op.op for op in found.ops] == ["equal"]
    assert found.matched == found.quote_words == found.source_words == 10
    assert found.similarity == 1.0


def test_seed_substitution_is_one_replace() -> None:
    quote = ("Idlib Central Hospital was among several facilities struck this week, "
             "with multiple casualties")
    found = aligned(quote)
    assert SOURCE[found.start:found.end].startswith("Idlib Central Hospital")
    assert SOURCE[found.start:found.end].endswith("multiple casualties")
    changes = [op for op in found.ops if op.op != "equal"]
    assert [(op.op, op.quote, op.source) for op in changes] == [("replace", "with", "causing")]
    assert found.matched == 12
    assert 0.8 < found.similarity < 1.0


def test_repeated_word_before_the_span_does_not_stretch_it() -> None:
    # "Idlib governorate. Idlib Central": the first "Idlib" is not the quoted one.
    found = aligned("Idlib Central Hospital was among several facilities")
    assert SOURCE[found.start:found.end] == "Idlib Central Hospital was among several facilities"


def test_trim_without_ellipsis_aligns_to_a_longer_span() -> None:
    found = aligned("Idlib Central Hospital was among facilities struck this week")
    assert found.source_words == found.quote_words + 1
    assert [(op.op, op.source) for op in found.ops if op.op != "equal"] == [("delete", "several")]
    assert not found.ellipsis


def test_trim_with_ellipsis_across_a_clause() -> None:
    source = ("Hospitals, schools, camps and other sites where displaced families have sought "
              "shelter are not being spared.")
    found = aligned("Hospitals, schools, camps and other sites . . . are not being spared", source)
    assert found.ellipsis
    assert [(op.op, op.source) for op in found.ops if op.op != "equal"] == [
        ("delete", "where displaced families have sought shelter")]


def test_ellipsis_joins_sentences_far_apart(mueller: str) -> None:
    found = aligned("We are Syrian women, mothers and humanitarian workers … "
                    "We want the right to live.", mueller)
    assert found.matched == found.quote_words == 14
    assert mueller[found.start:found.end].startswith("We are Syrian women")
    assert mueller[found.start:found.end].endswith("We want the right to live")
    assert [op.op for op in found.ops] == ["equal", "delete", "equal"]


def test_bracketed_insertion_standing_for_source_words() -> None:
    source = "The Syrian authorities must allow access to all areas without delay."
    found = aligned("[The government] must allow access to all areas", source)
    assert found.bracketed == 2
    replace = [op for op in found.ops if op.op != "equal"]
    assert [(op.op, op.quote, op.source, op.editorial) for op in replace] == [
        ("replace", "government]", "Syrian authorities", True)]


def test_added_bracketed_words_are_editorial_inserts() -> None:
    source = "Those principles must not be neglected; they must be put into practice."
    found = aligned("Those principles must not be neglected; they [the parties] must be put into "
                    "practice.", source)
    inserts = [op for op in found.ops if op.op == "insert"]
    assert [(op.quote, op.editorial) for op in inserts] == [("[the parties]", True)]


def test_added_word_is_an_insert_and_dropped_word_a_delete() -> None:
    added = aligned("Idlib Central Hospital was among several facilities struck only this week")
    assert [(op.op, op.quote) for op in added.ops if op.op != "equal"] == [("insert", "only")]
    dropped = aligned("Operations at the facility had to be suspended except for medical treatment")
    assert [(op.op, op.source) for op in dropped.ops if op.op != "equal"] == [
        ("delete", "emergency")]


def test_hyphen_line_break_and_british_spelling_are_not_changes() -> None:
    source = "The centre will humanise the programme in north- western Syria."
    found = aligned("the center will humanize the program in northwestern Syria", source)
    assert [op.op for op in found.ops] == ["equal"]


def test_curly_and_straight_quotes_and_case_are_not_changes() -> None:
    source = "They said: \"It is not humanly tolerable.\" The Council's attention is needed."
    found = aligned("“it is not humanly tolerable.” The Council’s attention", source)
    assert [op.op for op in found.ops] == ["equal"]
    assert found.matched == 8


def test_words_spaced_differently_are_equal() -> None:
    source = "mainly health and medical items that couldnot otherwise be delivered to people inneed."
    found = aligned("medical items that could not otherwise be delivered to people in need", source)
    assert {op.op for op in found.ops} == {"equal"}
    assert found.end == source.index("inneed") + len("inneed")


def test_quote_only_partly_in_the_passage_ends_in_an_insert() -> None:
    passage = "A massive humanitarian operation is under way in north-western Syria."
    found = aligned("under way in north-western Syria. In January, food assistance for some "
                    "1.4 million people was delivered", passage)
    assert passage[found.start:found.end] == "under way in north-western Syria"
    assert found.ops[-1].op == "insert"
    assert found.ops[-1].quote.startswith("In January")
    assert found.matched == 5


def test_unrelated_text_gives_none() -> None:
    assert align("The quick brown fox jumps over the lazy dog near the river bank", SOURCE) is None
    assert align("Mueller said hospitals were being hit", SOURCE) is None
    assert align("", SOURCE) is None
    assert align("Idlib", "") is None


@pytest.mark.parametrize("quote", [
    "Idlib Central Hospital was among several facilities struck this week, with multiple casualties",
    "In the last ten days a camp … was hit by shelling in Dana",
    "[The hospital] was among several facilities struck, causing casualties and deaths",
    "the the the camp hosting more than 800 people",
])
def test_diff_covers_the_whole_quote_and_the_span(quote: str) -> None:
    found = aligned(quote)
    assert quoted_words(found) == [w.norm for w in words(quote)]
    assert source_words(found, SOURCE) == [w.norm for w in words(SOURCE[found.start:found.end])]
    assert found.quote_words == len(words(quote))


def test_omissions_marked_by_an_ellipsis_do_not_lower_similarity() -> None:
    source = ("Hospitals, schools, camps and other sites where displaced families have sought "
              "shelter are not being spared.")
    marked = aligned("Hospitals, schools, camps and other sites … are not being spared", source)
    silent = aligned("Hospitals, schools, camps and other sites are not being spared", source)
    assert marked.similarity == 1.0
    assert silent.similarity < 1.0


def test_two_ellipses_between_two_words_mark_one_gap_and_end() -> None:
    # Taking the second mark off used to wait on the first having set the gap: the loop never
    # ended, and a search whose candidate passage held such a run hung its worker.
    found = words("so it began ... … and then . . . ... it ended")
    assert [w.text for w in found] == ["so", "it", "began", "and", "then", "it", "ended"]
    assert [w.gap_before for w in found] == [False, False, False, True, False, True, False]
    assert align("it began and then it ended", "so it began ... … and then . . . ... it ended")


CONDENSED = ("The ferry crews said: We do not want to leave for the mainland. We want to stay on "
             "the island and rebuild the harbour. All they ask is for the storms to pass, for the supply "
             "boats to return and for the school to open again. They want the right to work.")


def test_a_run_repeated_earlier_is_taken_where_it_joins_the_rest() -> None:
    # "We" and "want to" come first around "do not"; the quote's are the second.
    found = aligned("We want to stay on the island and rebuild the harbour. They want the "
                    "right to work.", CONDENSED)
    assert found.start == CONDENSED.index("We want to stay")


def test_a_sentence_left_out_silently_between_two_is_one_cut() -> None:
    found = aligned("We want to stay on the island and rebuild the harbour. "
                    "They want the right to work.", CONDENSED)
    assert [(op.op, op.source.split()[:4]) for op in found.ops if op.op != "equal"] == [
        ("delete", ["All", "they", "ask", "is"])]


def test_a_clause_left_out_silently_between_short_runs_is_one_cut() -> None:
    source = ("Clinics, bakeries, markets and the other places where the villagers had gathered "
              "for the winter were not being protected.")
    found = aligned("Clinics, bakeries, markets were not being protected", source)
    assert [(op.op, op.source) for op in found.ops if op.op != "equal"] == [
        ("delete", "and the other places where the villagers had gathered for the winter")]


def test_a_silent_cut_slides_to_leave_a_whole_sentence_out() -> None:
    # Both sentences open with "We": the cut is the middle one whole, not "call for ... We".
    source = ("Floods may lead to huge loss of lives and properties downstream. We call for "
              "full and effective implementation of the agreement, robust action and finance. "
              "We are concerned about the deteriorating health of the ocean.")
    found = aligned("Floods may lead to huge loss of lives and properties downstream. We are "
                    "concerned about the deteriorating health of the ocean.", source)
    [cut] = [op.source for op in found.ops if op.op != "equal"]
    assert cut.startswith("We call for") and cut.endswith("action and finance")


def test_words_said_twice_are_taken_where_the_quote_goes_on() -> None:
    source = ("Do we want to approve the plan drafted by the envoy of Norway? To approve the "
              "plan drafted by Norway, there must be nine votes in favour of it.")
    found = aligned("To approve the plan drafted by there must be nine votes in favour of it",
                    source)
    assert [op.source for op in found.ops if op.op != "equal"] == ["Norway"]


def test_a_negative_contraction_written_out_is_no_change() -> None:
    source = "Clinics and camps are not being spared, and aid cannot reach them."
    found = aligned("Clinics and camps aren't being spared, and aid can't reach them", source)
    assert [op.op for op in found.ops] == ["equal"] * len(found.ops)
