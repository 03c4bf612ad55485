"""The one lexicon: its lists are consistent, and every reader that uses them agrees."""

from __future__ import annotations

import re

import pytest

from indexer.sources.articles import normalise_date
from indexer.sources.transcripts import match_speaker_prefix
from indexer.text import lexicon
from indexer.text.names import find_mentions
from indexer.text.passages import split_sentences

pytestmark = pytest.mark.unit

TITLES_BEFORE_NAMES = (*lexicon.HONORIFICS, *lexicon.TITLE_ABBREVIATIONS)


def test_each_month_abbreviation_begins_the_name_of_its_month() -> None:
    for short, number in lexicon.MONTH_ABBREVIATIONS.items():
        assert lexicon.MONTH_NAMES[number - 1].startswith(short)
    assert set(lexicon.MONTHS.values()) == set(range(1, 13))


def test_abbreviations_are_lower_case_with_their_full_stop() -> None:
    assert all(a.endswith(".") and a == a.lower() for a in lexicon.ABBREVIATIONS)
    assert {"mr.", "gen.", "jr.", "st.", "e.g.", "no.", "sept."} <= lexicon.ABBREVIATIONS
    assert "sir" not in lexicon.ABBREVIATIONS and "may." not in lexicon.ABBREVIATIONS


def test_english_particles_are_particles() -> None:
    assert lexicon.ENGLISH_PARTICLES <= lexicon.NAME_PARTICLES


def test_alternation_tries_the_longer_of_two_words_first_and_escapes_them() -> None:
    pattern = lexicon.alternation(["Sep", "Sept", "Mr."])
    assert pattern.split("|")[0] == "Sept"
    assert re.fullmatch(pattern, "Mr.") and not re.fullmatch(pattern, "Mrx")


@pytest.mark.parametrize("title", [t for t in TITLES_BEFORE_NAMES if t.endswith(".")])
def test_a_title_before_a_name_does_not_end_the_sentence(title: str) -> None:
    text = f"The talks were led by {title} Marvik. They ended on Friday."
    assert len(split_sentences(text)) == 2


@pytest.mark.parametrize("title", TITLES_BEFORE_NAMES)
def test_a_title_before_a_name_is_not_part_of_the_name(title: str) -> None:
    (mention,) = find_mentions(f"on Monday {title} Ilse Marvik said")[-1:]
    assert mention.name == "Ilse Marvik" and mention.person


@pytest.mark.parametrize("title", lexicon.HONORIFICS)
def test_every_honorific_opens_a_speaker_turn(title: str) -> None:
    found = match_speaker_prefix(f"{title} Marvik (Norway): I thank the briefers.")
    assert found is not None
    assert found.speaker.title == title and found.speaker.name == "Marvik"


@pytest.mark.parametrize("month", [*lexicon.MONTH_NAMES, *lexicon.MONTH_ABBREVIATIONS])
def test_every_month_reads_in_a_date(month: str) -> None:
    number = lexicon.MONTHS[month.lower()]
    assert normalise_date(f"5 {month} 2020") == f"2020-{number:02d}-05"
    assert normalise_date(f"{month}. 5, 2020") == f"2020-{number:02d}-05"
