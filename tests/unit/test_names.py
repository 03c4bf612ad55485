"""The name finder: people and bodies in news text, and the speaker an attribution names."""

from __future__ import annotations

import pytest

from indexer.text.names import find_mentions, named_before_verb, named_first, referent

pytestmark = pytest.mark.unit


def names(text: str) -> list[tuple[str, bool, bool]]:
    return [(m.full, m.person, m.body) for m in find_mentions(text)]


def test_titles_and_offices_before_a_name_are_left_out() -> None:
    text = ("The U.N. Assistant Secretary-General for Humanitarian Affairs Ursula Mueller "
            "told the Council")
    assert ("Ursula Mueller", True, False) in names(text)


def test_a_name_ending_in_an_institution_word_is_a_body() -> None:
    assert names("doctors at Idlib Central Hospital said") == [
        ("Idlib Central Hospital", False, True)]
    assert names("the Syrian Observatory for Human Rights said") == [
        ("Syrian Observatory for Human Rights", False, True)]


def test_a_surname_stands_for_the_full_name_before_it() -> None:
    found = find_mentions("Ursula Mueller spoke first. Later Mueller added more.")
    assert [(m.name, m.full, m.person) for m in found] == [
        ("Ursula Mueller", "Ursula Mueller", True), ("Mueller", "Ursula Mueller", True)]


def test_one_name_after_an_honorific_is_a_person() -> None:
    assert names("then Ms. Mueller said") == [("Mueller", True, False)]
    assert names("then Archbishop Jacques Hindo said") == [("Jacques Hindo", True, False)]


def test_particles_stay_inside_a_name_but_english_words_do_not() -> None:
    assert names("said Pecsteen de Buytswerve today") == [
        ("Pecsteen de Buytswerve", True, False)]
    assert names("Why do Russians care") == [("Why", False, False), ("Russians", False, False)]


def test_a_full_stop_after_a_name_ends_it_but_an_abbreviation_keeps_its_stop() -> None:
    assert names("met Lina Haddad. Tomas Brekke left") == [
        ("Lina Haddad", True, False), ("Tomas Brekke", True, False)]
    assert names("the U.N. Envoy Lina Haddad said") == [("Lina Haddad", True, False)]


def test_a_subject_after_the_quote_names_its_speaker() -> None:
    text = 'Ursula Mueller spoke. "..." she said, and "..." said Omar Nasser.'
    mentions = find_mentions(text)
    quote_at = text.index('"')
    assert named_first(text.index("she"), "she", quote_at, mentions) == "Ursula Mueller"
    at = text.index("Omar")
    assert named_first(at, "Omar Nasser.", quote_at, mentions) == "Omar Nasser"
    # A clause of its own names no one: '"…," and X replied'.
    assert named_first(0, "and Ursula Mueller", quote_at, mentions) is None


def test_a_lone_name_before_the_verb_must_end_the_subject() -> None:
    text = 'the WHO said and the WHO network said'
    mentions = find_mentions(text)
    assert named_first(0, "the WHO", 99, mentions, before_verb=True) == "WHO"
    at = text.index("the WHO network")
    assert named_first(at, "the WHO network", 99, mentions, before_verb=True) is None


def test_the_name_right_before_the_verb_is_the_speaker() -> None:
    text = "Omar Nasser met Lina Haddad, who has also "
    mentions = find_mentions(text)
    assert named_before_verb(0, "Omar Nasser met Lina Haddad ", 99, mentions) == "Lina Haddad"
    assert named_before_verb(0, text, 99, mentions) == "Omar Nasser"


def test_a_pronoun_stands_for_the_person_last_named_before_the_quote() -> None:
    text = "Lina Haddad met Omar Nasser in Aleppo. Tomas Brekke"
    mentions = find_mentions(text)
    assert referent(text.index("Tomas"), mentions) == "Omar Nasser"  # Aleppo is no person
    assert referent(0, mentions) is None
