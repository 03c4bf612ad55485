"""The wording verdict: verbatim, trimmed, altered, or None when the wording is not close."""

from __future__ import annotations

import pytest

from indexer.provenance.align import Alignment, DiffOp, align
from indexer.provenance.grade import wording_verdict
from tests.conftest import shared_data

PASSAGE = (
    "Hospitals, schools, camps and other sites where displaced families have sought shelter are "
    "not being spared. In the last 10 days, a camp hosting more than 800 people was hit by "
    "shelling in Dana. Idlib Central Hospital was among several facilities struck this week, "
    "causing multiple casualties. The centre will humanise the programme in north- western "
    "Syria. The Syrian authorities must allow access to all areas without delay."
)


@pytest.fixture(scope="module")
def mueller() -> str:
    """Ms. Mueller's briefing in S/PV.8734 (shared data)."""
    path = shared_data() / "unsc_2020_syria" / "transcripts" / "S_PV.8734.txt"
    turns = path.read_text(encoding="utf-8").splitlines()
    return next(turn for turn in turns if turn.startswith("Ms. Mueller: I will begin"))


def verdict(quote: str, source: str = PASSAGE) -> str | None:
    found = align(quote, source)
    return None if found is None else wording_verdict(found)


def test_seed_quote_is_altered_with_for_causing(mueller: str) -> None:
    quote = ("Idlib Central Hospital was among several facilities struck this week, "
             "with multiple casualties")
    found = align(quote, mueller)
    assert found is not None
    assert wording_verdict(found) == "altered"
    assert DiffOp("replace", "with", "causing") in found.ops
    assert mueller[found.start:found.end] == (
        "Idlib Central Hospital was among several facilities struck this week, "
        "causing multiple casualties")


def test_seed_sentence_as_spoken_is_verbatim(mueller: str) -> None:
    assert verdict("“Idlib Central Hospital was among several facilities struck this week, "
                   "causing multiple casualties.”", mueller) == "verbatim"


@pytest.mark.parametrize("quote", [
    "Idlib Central Hospital was among several facilities struck this week",
    "idlib central hospital WAS among several facilities struck this week!",
    "the center will humanize the program in northwestern Syria",
    "The centre will humanise the programme in north-western Syria",
    "‘Hospitals, schools, camps and other sites where displaced families have sought shelter’",
    "a camp hosting more than 800 people was hit by shelling",
])
def test_verbatim(quote: str) -> None:
    assert verdict(quote) == "verbatim"


@pytest.mark.parametrize("quote", [
    "Hospitals, schools, camps and other sites ... are not being spared",
    "Hospitals, schools, camps and other sites … are not being spared",
    "Hospitals, schools, camps and other sites are not being spared",
    "Idlib Central Hospital was among facilities struck this week",
    "[The government] must allow access to all areas without delay",
    "The Syrian authorities must allow access [for aid] to all areas",
    "In the last 10 days, a camp [in Idlib] was hit by shelling in Dana",
    # a clause left out silently between two runs of the speaker's words
    "Hospitals, schools, camps are not being spared",
    "In the last 10 days, a camp hosting more than 800 people was hit. Idlib Central Hospital "
    "was among several facilities struck this week",
])
def test_trimmed(quote: str) -> None:
    assert verdict(quote) == "trimmed"


@pytest.mark.parametrize("quote", [
    # substituted
    "Idlib Central Hospital was among several facilities struck this week, with multiple "
    "casualties",
    "In the last ten days, a camp hosting more than 800 people was hit by shelling in Dana",
    # added
    "Idlib Central Hospital was among several facilities struck only this week",
    "Idlib Central Hospital was among several facilities struck this week, deliberately",
    # added without brackets, standing for source words
    "The government must allow access to all areas without delay",
    # a trim that drops a negation reverses the meaning
    "Hospitals, schools, camps and other sites ... are being spared",
])
def test_altered(quote: str) -> None:
    assert verdict(quote) == "altered"


@pytest.mark.parametrize("quote", [
    "Mueller said hospitals were being hit",
    "Aid workers described the situation as beyond imagination and called for a ceasefire",
    "The hospital in the city of Idlib was hit by a missile on Tuesday, killing doctors",
])
def test_no_close_wording_is_none(quote: str) -> None:
    assert verdict(quote) is None


def test_quote_mostly_beyond_the_passage_is_not_close() -> None:
    passage = "A massive humanitarian operation is under way in north-western Syria."
    quote = ("under way in north-western Syria. In January, food assistance for some 1.4 million "
             "people was delivered via the cross-border mechanism")
    assert verdict(quote, passage) is None


def test_quote_a_little_beyond_the_passage_is_altered() -> None:
    passage = "A massive humanitarian operation is under way in north-western Syria."
    assert verdict("A massive humanitarian operation is under way in north-western Syria. "
                   "In January", passage) == "altered"


@pytest.mark.parametrize(("source", "quote"), [
    # a contrast cut out: the two sides of a "however" joined
    ("We support the resolution's aim. However, we cannot support the text as drafted, and "
     "we abstained.", "We support the text as drafted."),
    # two sentences' halves made one
    ("We believe Russia is responsible for these strikes. We reject that claim entirely. "
     "Others said the opposition was responsible for the attack on the hospital in Idlib.",
     "Russia is responsible for the attack on the hospital."),
    # a "but there is no evidence" cut out of one sentence
    ("The regime has used every means at its disposal, but there is no evidence so far that "
     "it has used chemical weapons against its own people.",
     "The regime has used chemical weapons against its own people."),
])
def test_a_silent_cut_that_turns_or_splices_what_was_said_is_altered(source: str,
                                                                     quote: str) -> None:
    assert verdict(quote, source) == "altered"


def test_a_negation_whose_clause_closes_inside_the_cut_leaves_a_trim() -> None:
    source = ("The harbour plan, which the envoys could not agree on until the spring, was "
              "adopted by the council in June.")
    assert verdict("The harbour plan was adopted by the council in June.", source) == "trimmed"
    # ... but one that reaches into the words kept turns them.
    source = ("The council adopted the harbour plan, but there is no sign yet that it has "
              "reopened the ferry routes to the islands.")
    assert verdict("The council adopted the harbour plan that has reopened the ferry routes "
                   "to the islands.", source) == "altered"


def test_whole_sentences_or_a_sentences_end_left_out_are_trims() -> None:
    source = ("The harbour reopened on Monday after the storm. Crews worked through the night "
              "to clear the wreckage, and the navy lent two cranes that were not needed in the "
              "end. Ferries will resume their winter timetable next week.")
    assert verdict("The harbour reopened on Monday after the storm. Ferries will resume "
                   "their winter timetable next week.", source) == "trimmed"
    assert verdict("Crews worked through the night to clear the wreckage. Ferries will resume "
                   "their winter timetable next week.", source) == "trimmed"
    # ... but not a sentence's start joined to another's end
    assert verdict("Crews worked through the night to resume their winter timetable next "
                   "week.", source) == "altered"


def test_a_long_silent_cut_beside_a_changed_word_is_not_a_trim() -> None:
    # Cuts between runs are a trim only when nothing else changed: with a word replaced as
    # well, the silent 10-word cut makes the wording too far from the span to grade.
    assert verdict("Hospitals, schools, camps are not being hit") is None


def test_scattered_common_words_are_not_close_wording() -> None:
    found = Alignment(
        start=0, end=10, quote_words=6, source_words=8, matched=4, similarity=0.5,
        ellipsis=False, bracketed=0,
        ops=(DiffOp("equal", "the", "the"), DiffOp("replace", "x", "y"),
             DiffOp("equal", "of", "of"), DiffOp("replace", "z", "w"),
             DiffOp("equal", "in a", "in a")),
    )
    assert wording_verdict(found) is None


def test_bracketed_words_only_never_grade() -> None:
    found = Alignment(start=0, end=3, quote_words=1, source_words=1, matched=1, similarity=1.0,
                      ellipsis=False, bracketed=1, ops=(DiffOp("equal", "[the]", "the"),))
    assert wording_verdict(found) is None


def test_a_clause_left_out_that_holds_a_negation_is_a_trim() -> None:
    from indexer.provenance.align import align
    from indexer.provenance.grade import wording_verdict

    source = ("Floods do not respect administrative lines, and neither should relief. We "
              "support a coordinated plan for the port, the clinics and the schools.")
    trimmed = align("Floods do not respect administrative lines. We support a coordinated "
                    "plan for the port and the schools", source)
    assert trimmed is not None and wording_verdict(trimmed) == "trimmed"
    negated = align("Floods do respect administrative lines", source)
    assert negated is not None and wording_verdict(negated) == "altered"


@pytest.mark.parametrize(("quote", "flipped"), [
    ("Hospitals and schools are being spared", True),  # "not" taken out between its words
    ("the camps are safe now", True),  # "aren't" read as "are"
    ("Hospitals, schools, camps and other sites", False),  # no negation in play
    ("Mueller said hospitals were being hit", False),  # no run of her words around one
    # Other words for the same thing, not its opposite
    ("the council failed to act on the resolution", False),
    ("It is impossible to wait any longer", False),
])
def test_a_negation_taken_out_or_put_in_between_the_words_kept(quote: str, flipped: bool) -> None:
    from indexer.provenance.grade import flips_negation

    source = (PASSAGE + " The camps aren't safe now. The council did not act on the resolution."
              " It is not possible to wait any longer.")
    found = align(quote, source)
    assert (found is not None and flips_negation(found)) is flipped
