"""Whether a quote's claimed speaker is the source's: a name we cannot resolve is compared
with the source's own names, and only a person's name that fits none of them is someone
else's words."""

from __future__ import annotations

import pytest

from indexer.people.directory import Person
from indexer.provenance.sources import Candidate, speaker_match

MUELLER = Person(id="mueller-un", name="Ursula Mueller", given="Ursula", surname="Mueller",
                 aliases=["Ms. Mueller", "Ursula Mueller"])
SOURCE = Candidate(index="i", doc_id="S/PV.8734", collection="un", doc_type="transcript",
                   title=None, date="2020-02-27", symbol="S/PV.8734", speaker="Ms. Mueller",
                   speaker_id="mueller-un", passage_no=0, offset_start=0, offset_end=10,
                   text="Hospitals are not being spared.")


@pytest.mark.parametrize("claimed", ["Ursula Müller", "Ursula Mueller", "Mueller", "U. Mueller",
                                     "Ms. Muller"])
def test_forms_and_spellings_of_the_sources_name_are_the_same_speaker(claimed: str) -> None:
    assert speaker_match(claimed, None, SOURCE, MUELLER) == "same"


@pytest.mark.parametrize("claimed", ["John Nobody", "Kelly Craft", "Smith"])
def test_another_persons_name_is_a_different_speaker(claimed: str) -> None:
    assert speaker_match(claimed, None, SOURCE, MUELLER) == "different"


def test_a_name_that_fits_one_recorded_form_is_the_same_speaker() -> None:
    # The directory may hold a fuller name a story gave the person wrongly: one form that
    # fits is enough, and a surname on record cannot tell two given names apart.
    wrongly_named = Person(id="matar-un", name="Shadi Matar",
                           aliases=["Ms. Matar", "Shadi Matar"])
    source = Candidate(**{**SOURCE.__dict__, "speaker": "Ms. Matar", "speaker_id": "matar-un"})
    assert speaker_match("Khawla Matar", None, source, wrongly_named) == "same"
    assert speaker_match("Robert Mueller", None, SOURCE, MUELLER) == "same"


def test_a_title_alone_is_compared_by_its_last_word() -> None:
    king = Person(id="king-vct", name="King", aliases=["Ms. King"])
    source = Candidate(**{**SOURCE.__dict__, "speaker": "Ms. King", "speaker_id": "king-vct"})
    assert speaker_match("King", None, source, king) == "same"
    assert speaker_match("the envoy", None, SOURCE, MUELLER) == "unknown"


@pytest.mark.parametrize("claimed", ["the UN humanitarian chief", "Russia", "United Nations",
                                     "The Assistant Secretary-General", "", "  "])
def test_a_description_or_a_country_is_not_called_someone_else(claimed: str) -> None:
    assert speaker_match(claimed, None, SOURCE, MUELLER) == "unknown"


def test_a_resolved_person_goes_by_id_and_an_unsaved_speaker_by_the_name_written() -> None:
    craft = Person(id="craft-usa", name="Kelly Craft", surname="Craft")
    assert speaker_match("Kelly Craft", craft, SOURCE, MUELLER) == "different"
    assert speaker_match("Ursula Mueller", MUELLER, SOURCE, MUELLER) == "same"
    assert speaker_match("Ursula Müller", None, SOURCE) == "same"  # "Ms. Mueller" as written
    assert speaker_match("Kelly Craft", None, SOURCE) == "different"
