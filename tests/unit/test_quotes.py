"""Quotations in news text and who said them; speaker turns as statements."""

from __future__ import annotations

import pytest

from indexer.documents import Document, Segment, Speaker
from indexer.text.quotes import extract_quotes, turn_statement_quotes
from tests.conftest import shared_data

pytestmark = pytest.mark.unit



def spoken(text: str) -> list[tuple[str, str | None]]:
    """(words, speaker) of each quote, after checking that every quote's offsets hold."""
    quotes = extract_quotes(text)
    for q in quotes:
        assert 0 <= q.start < q.end <= len(text)
        if "\n" not in q.text:
            assert text[q.start:q.end] == q.text
    return [(q.text, q.speaker) for q in quotes]


@pytest.mark.data
def test_the_seed_article_gives_exactly_the_two_mueller_quotes() -> None:
    text = (shared_data() / "seed" / "upi_2020-02-27_saraqib.txt").read_text(encoding="utf-8")
    quotes = extract_quotes(text)
    assert len(quotes) == 2
    first, second = quotes
    assert first.text.startswith("Hospitals, schools, camps and other sites")
    assert first.text.endswith("with multiple casualties")  # the trailing comma is dropped
    assert first.speaker == "Ursula Mueller"
    assert second.text.rstrip(".") == "routine"
    assert second.speaker == "Ursula Mueller"
    for q in quotes:
        assert text[q.start:q.end] == q.text


def test_a_pronoun_after_the_quote_is_the_person_named_before_it() -> None:
    text = ("Harbour master Ilse Marvik inspected the quay on Monday.\n\n"
            '"The berths are repaired and the cranes work again," she said.')
    assert spoken(text) == [("The berths are repaired and the cranes work again", "Ilse Marvik")]


def test_a_pronoun_picks_the_person_named_last_of_two() -> None:
    text = ("Ilse Marvik showed the damage to Tomas Brekke.\n\n"
            '"We need another month," he said.')
    assert spoken(text) == [("We need another month", "Tomas Brekke")]
    text = ("Tomas Brekke showed the damage to Ilse Marvik.\n\n"
            '"We need another month," she said.')
    assert spoken(text) == [("We need another month", "Ilse Marvik")]


def test_curly_quotes_are_quotes() -> None:
    text = "\u201cThe ferry runs again on Friday,\u201d Tomas Brekke said."
    assert spoken(text) == [("The ferry runs again on Friday", "Tomas Brekke")]


def test_said_before_the_name_attributes_the_quote() -> None:
    assert spoken('"The berths are repaired," said Ilse Marvik.') == [
        ("The berths are repaired", "Ilse Marvik")]


def test_a_name_told_the_council_that_attributes_the_quote_after_it() -> None:
    text = ('The envoy Lina Haddad told the Council that "the talks have stalled again."')
    assert spoken(text) == [("the talks have stalled again.", "Lina Haddad")]


def test_titles_and_roles_before_a_name_are_not_part_of_it() -> None:
    text = ("The U.N. Deputy Special Envoy for Relief Affairs Lina Haddad spoke on Monday.\n\n"
            '"Supplies are short," she said.')
    assert spoken(text) == [("Supplies are short", "Lina Haddad")]


def test_a_surname_resolves_to_the_full_name_seen_earlier() -> None:
    text = ("Lina Haddad briefed the Council on Monday.\n\n"
            'Haddad added that the convoys had become "irregular."')
    assert spoken(text) == [("irregular.", "Lina Haddad")]


def test_according_to_names_the_speaker() -> None:
    text = '"The river is rising," according to Omar Nasser.'
    assert spoken(text) == [("The river is rising", "Omar Nasser")]


def test_a_quote_over_two_paragraphs_is_one_quote() -> None:
    text = ('"The first part of the statement is here.\n\n'
            '"The second part follows," said Lina Haddad.')
    quotes = extract_quotes(text)
    assert len(quotes) == 1
    quote = quotes[0]
    assert quote.text == ("The first part of the statement is here.\n\n"
                          "The second part follows")
    assert quote.speaker == "Lina Haddad"
    assert text[quote.start:quote.end].startswith("The first part")
    assert text[quote.start:quote.end].endswith("The second part follows")


def test_an_unclosed_quote_ends_with_its_paragraph_when_the_next_does_not_reopen() -> None:
    text = '"The first part is here.\n\nThe reporter went on with her story.'
    assert spoken(text) == [("The first part is here.", None)]


def test_an_unattributed_quote_is_kept_with_no_speaker() -> None:
    text = "The harbour closed at noon.\n\n\u201cNobody expected the storm to turn.\u201d"
    assert spoken(text) == [("Nobody expected the storm to turn.", None)]


def test_a_second_quote_in_the_paragraph_keeps_the_speaker_of_the_first() -> None:
    text = '"The first thing," said Ilse Marvik. "And the second."'
    assert spoken(text) == [("The first thing", "Ilse Marvik"), ("And the second.", "Ilse Marvik")]


def test_apostrophes_are_not_quote_marks() -> None:
    text = ("Marvik's crews don't rest. The workers\u2019 shifts are long, and the port\u2019s "
            "owners say they're 'nearly done'.")
    assert extract_quotes(text) == []


def test_a_one_word_scare_quote_is_a_quote() -> None:
    text = 'Tomas Brekke called the repairs "overdue" in a letter.'
    assert [q.text for q in extract_quotes(text)] == ["overdue"]


def test_names_inside_a_quote_are_not_the_speaker() -> None:
    text = ('Ilse Marvik spoke first.\n\n'
            '"I met Tomas Brekke yesterday," she said.')
    assert spoken(text) == [("I met Tomas Brekke yesterday", "Ilse Marvik")]


def test_a_full_stop_before_a_quote_ends_its_sentence_however_long_the_quote() -> None:
    # The clause before the second quote is "said Nasser.", not a clause that runs from
    # "in Aleppo." over the first quote and makes the place the speaker.
    text = ('Omar Nasser, an activist in the town, spoke to reporters in Aleppo. '
            '"This is a massacre by chemical weapons," said Nasser. '
            '"The visit by the inspectors is a joke and the world does not care."')
    assert [speaker for _, speaker in spoken(text)] == ["Omar Nasser", "Omar Nasser"]


def test_a_full_stop_inside_a_quote_does_not_end_the_clause_around_it() -> None:
    text = ('Lina Haddad, who called the plan "late. Very late" in May, told the Council '
            '"the convoys must run."')
    assert spoken(text)[1] == ("the convoys must run.", "Lina Haddad")


def test_each_speaker_turn_is_a_statement_quote() -> None:
    text = ("Provisional record\n\n"
            "The President: The meeting is called to order.\n\n"
            "Ms. Haddad: The convoys are late. They must run.  \n\n"
            "Mr. Brekke:   \n")
    first = text.index("The meeting")
    second = text.index("The convoys")
    doc = Document(doc_id="t", doc_type="transcript", text=text, segments=[
        Segment(0, 18),
        Segment(first, first + len("The meeting is called to order."),
                Speaker(name="The President", role="The President")),
        Segment(second, text.index("Mr. Brekke"), Speaker(name="Haddad", title="Ms.")),
        Segment(len(text) - 3, len(text), Speaker(name="Brekke", title="Mr.")),
    ])
    quotes = turn_statement_quotes(doc)
    assert [(q.text, q.speaker) for q in quotes] == [
        ("The meeting is called to order.", "The President"),
        ("The convoys are late. They must run.", "Ms. Haddad"),
    ]
    for q in quotes:
        assert text[q.start:q.end] == q.text
