"""Speaker identity: every observation of a person resolves to one ``Person``."""

from __future__ import annotations

import collections
import json

from indexer.documents import Speaker
from indexer.people.directory import Directory, Person
from indexer.sources.transcripts import speech_record_speaker
from tests.conftest import require, shared_data

US, UK = "United States of America", "United Kingdom"
UK_LONG = "United Kingdom of Great Britain and Northern Ireland"


def said(directory: Directory, raw: str, country: str | None, date: str = "2020-02-27",
         role: str | None = None) -> Person | None:
    title, _, rest = raw.partition(" ")
    speaker = (Speaker(name=rest, title=title, country=country, role=role)
               if title in ("Mr.", "Mrs.", "Ms.") else
               Speaker(name=raw, country=country, role=role))
    return directory.resolve_speaker(speaker, date)


def test_a_titled_surname_and_a_full_name_are_one_person() -> None:
    d = Directory()
    short = said(d, "Mrs. Craft", "USA")
    full = said(d, "Kelly Craft", US)
    assert short is full and full is not None
    assert full.id == "craft-usa" and full.name == "Kelly Craft"
    assert (full.given, full.surname, full.title) == ("Kelly", "Craft", "Mrs.")
    assert full.country == US and full.country_code == "USA"
    assert full.aliases == ["Mrs. Craft", "Kelly Craft"]
    assert full.roles == ["member state"] and full.role == "member state"


def test_allen_is_not_chastanet() -> None:
    d = Directory()
    allen = said(d, "Mr. Allen", UK)
    jonathan = said(d, "Jonathan Allen", UK_LONG)
    chastanet = said(d, "Mr. Allen Michael Chastanet", "Saint Lucia")
    assert allen is jonathan and allen is not None and allen.name == "Jonathan Allen"
    assert chastanet is not None and chastanet is not allen
    assert chastanet.surname == "Chastanet" and chastanet.id == "chastanet-lca"


def test_a_family_name_written_first_matches_the_first_word() -> None:
    d = Directory()
    bare = said(d, "Mr. Dang", "Viet Nam", "2020-01-10")
    titled = said(d, "Mr. Dang Dinh Quy", "Viet Nam")
    full = said(d, "Dang Dinh Quy", "Viet Nam")
    assert bare is titled is full and bare is not None
    assert bare.name == "Dang Dinh Quy" and bare.surname == "Dang" and bare.given == "Dinh Quy"
    assert bare.id == "dang-vnm"
    zhang = said(d, "Mr. Zhang Jun", "China")
    assert said(d, "Mr. Zhang", "China") is zhang


def test_a_last_word_match_is_preferred_to_a_first_word_match() -> None:
    d = Directory()
    first = said(d, "Mr. Dang Van Hung", "Viet Nam")
    last = said(d, "Mr. Nguyen Dang", "Viet Nam")
    assert first is not last
    assert said(d, "Mr. Dang", "Viet Nam") is last


def test_conflicting_given_names_are_two_people() -> None:
    d = Directory()
    jonathan = said(d, "Jonathan Allen", UK_LONG, "2020-01-10")
    peter = said(d, "Peter Allen", UK, "2020-09-01")
    assert jonathan is not None and peter is not None and jonathan is not peter
    assert (jonathan.id, peter.id) == ("allen-gbr", "peter-allen-gbr")
    # A bare surname goes to the namesake whose dates are nearest.
    assert said(d, "Mr. Allen", UK, "2020-01-15") is jonathan
    assert said(d, "Mr. Allen", UK, "2020-08-20") is peter


def test_conflicting_countries_are_two_people() -> None:
    d = Directory()
    uk = said(d, "Mr. Allen", UK)
    us = said(d, "Mr. Allen", US)
    assert uk is not us and us is not None and us.id == "allen-usa"


def test_middle_names_and_initials_do_not_conflict() -> None:
    d = Directory()
    a = said(d, "Feridun H. Sinirlioglu", "Turkey")
    b = said(d, "Feridun Hadi Sinirlioglu", "Turkey")
    c = said(d, "Mr. Sinirlioglu", "Turkey")
    assert a is b is c and a is not None and a.name == "Feridun Hadi Sinirlioglu"


def test_multi_word_surnames_are_learned_from_the_titled_form() -> None:
    d = Directory()
    person = said(d, "Jose Singer Weisinger", "Dominican Republic")
    assert said(d, "Mr. Singer Weisinger", "Dominican Republic") is person
    assert person is not None
    assert (person.given, person.surname) == ("Jose", "Singer Weisinger")


def test_the_secretary_general_is_the_holder_at_the_date() -> None:
    d = Directory()
    sg = d.resolve_speaker(Speaker(name="The Secretary-General", country="UN",
                                   role="Secretary-General"), "2020-02-27")
    assert sg is not None and sg.name == "António Guterres" and sg.id == "guterres-un"
    assert sg.roles == ["Secretary-General"] and sg.country == "United Nations"
    assert "The Secretary-General" in sg.aliases
    assert d.resolve_attribution("Antonio Guterres", "2020-03-01") is sg


def test_the_president_names_a_person_only_with_a_name() -> None:
    d = Directory()
    assert d.resolve_speaker(Speaker(name="The President", role="The President"),
                             "2020-02-27") is None
    dang = d.resolve_speaker(Speaker(name="Dang", title="Mr.", country="Viet Nam",
                                     role="The President"), "2020-01-10")
    assert dang is not None and dang.roles == ["member state", "President of the Council"]
    assert dang.role == "member state"


def test_a_council_president_coded_as_un_keeps_the_member_state() -> None:
    d = Directory()
    belgian = said(d, "Mr. Pecsteen de Buytswerve", "Belgium")
    slip = said(d, "Mr. Pecsteen de Buytswerve", "UN", role="The President")
    assert slip is belgian and belgian is not None and belgian.country_code == "BEL"


def test_placeholders_are_no_speaker() -> None:
    d = Directory()
    for name in ("nan", "NaN", "None", "null", "", "Unknown"):
        assert d.resolve_speaker(Speaker(name=name, country="Germany"), "2020-01-01") is None
        assert d.resolve_speaker(Speaker(name=name, role="The President"), None) is None
    assert d.resolve_speaker(None, None) is None
    # The General Debate reader puts the country where the speaker is missing.
    assert d.resolve_speaker(Speaker(name="Portugal", country="Portugal"), "2019") is None
    assert len(d) == 0


def test_a_country_less_observation_joins_the_one_compatible_person() -> None:
    d = Directory()
    mueller = said(d, "Ms. Mueller", "UN")
    assert said(d, "Ms. Mueller", None) is mueller
    assert d.resolve_attribution("Ursula Mueller", "2020-02-27") is mueller
    assert mueller is not None and mueller.name == "Ursula Mueller" and mueller.id == "mueller-un"
    assert d.resolve_attribution("Mueller", "2020-02-27") is mueller


def test_with_several_candidates_a_country_less_observation_does_not_guess() -> None:
    d = Directory()
    un = said(d, "Ms. Mueller", "UN")
    said(d, "Mr. Mueller", "Germany")
    assert d.resolve_attribution("Mueller", None, create=False) is None
    assert d.resolve_attribution("Ursula Mueller", None, create=False) is None
    assert said(d, "Ursula Mueller", "UN") is un
    # Now one of them has the given name: it is preferred.
    assert d.resolve_attribution("Ursula Mueller", None, create=False) is un
    assert d.resolve_speaker(Speaker(name="Mueller", title="Ms."), None) is None


def test_attributions_create_only_full_names() -> None:
    d = Directory()
    assert d.resolve_attribution("Mueller", None) is None
    assert d.resolve_attribution("Bashar al-Assad", None, create=False) is None
    assad = d.resolve_attribution("Bashar al-Assad", "2018-01-01")
    assert assad is not None and assad.country is None and assad.first_date is None
    assert d.resolve_attribution("al-Assad", None) is assad
    assert len(d) == 1


def test_match_ignores_case_accents_and_titles() -> None:
    d = Directory()
    craft = said(d, "Mrs. Craft", US)
    said(d, "Kelly Craft", US)
    said(d, "Jonathan Allen", UK)
    chastanet = said(d, "Mr. Allen Michael Chastanet", "Saint Lucia")
    for query in ("Kelly Craft", "kelly craft", "Mrs. Craft", "CRAFT", "craft-usa"):
        assert d.match(query) == [craft], query
    assert d.match("Allen", exact=True) == []  # no one was written "Allen" alone
    assert d.match("Allen") == [chastanet, d.get("allen-gbr")]
    said(d, "Mr. Allen", UK)
    assert d.match("Mr. Allen", exact=True) == [d.get("allen-gbr")]
    assert d.match("Cra") == [craft]
    assert d.match("") == [] and d.match("Nobody") == []


def test_people_round_trip_through_their_source() -> None:
    d = Directory()
    said(d, "Mrs. Craft", US, "2020-01-10")
    said(d, "Kelly Craft", US, "2020-10-05")
    source = json.loads(json.dumps(d.get("craft-usa").to_source()))  # type: ignore[union-attr]
    assert source["role"] == "member state"
    assert (source["first_date"], source["last_date"]) == ("2020-01-10", "2020-10-05")
    loaded = Directory([Person.from_source(source)])
    assert loaded.get("craft-usa") == d.get("craft-usa")
    assert said(loaded, "Mrs. Craft", US) is loaded.get("craft-usa")
    assert loaded.changed() == []  # nothing new learned


def test_changed_lists_what_to_save() -> None:
    d = Directory()
    craft = said(d, "Mrs. Craft", US)
    assert d.changed() == [craft]
    d.mark_saved()
    said(d, "Mrs. Craft", US)
    assert d.changed() == []
    said(d, "Kelly Craft", US)
    assert d.changed() == [craft] and list(d) == [craft] and len(d) == 1


def _speeches(name: str) -> list[dict[str, object]]:
    path = shared_data() / name / "speeches.jsonl"
    require(path.is_file(), f"{path} not found")
    with path.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines]


def test_the_security_council_speeches_resolve_to_one_person_each() -> None:
    d = Directory()
    speeches: collections.Counter[str | None] = collections.Counter()
    for record in _speeches("unsc_2020_syria"):
        person = d.resolve_speaker(speech_record_speaker(record), str(record["date"]))
        speeches[person.id if person else None] += 1
        raw = record["speaker"]
        if raw is None or (isinstance(raw, float) and raw != raw):
            assert person is None, record["id"]
    craft = d.match("Kelly Craft", exact=True)
    assert [p.id for p in craft] == ["craft-usa"] and speeches["craft-usa"] == 10
    allen = d.match("Jonathan Allen", exact=True)
    assert len(allen) == 1 and allen[0].name == "Jonathan Allen"
    assert speeches[allen[0].id] == 14
    assert "Mr. Allen" in allen[0].aliases
    assert not any("Chastanet" in a for a in allen[0].aliases)
    dang = d.match("Dang", exact=True)
    assert len(dang) == 1 and {"Mr. Dang", "Mr. Dang Dinh Quy", "Dang Dinh Quy"} <= set(
        dang[0].aliases)
    assert speeches[None] == 22  # 16 with no speaker, 6 with NaN
    names = collections.Counter(p.name.casefold() for p in d)
    assert [n for n, count in names.items() if count > 1] == []
    assert all(p.name.casefold() not in {"nan", "none", "null"} for p in d)


def test_a_family_name_with_or_without_its_article_is_one_person() -> None:
    # The record's "President Bashar Al-Assad"; the wires' "Bashar Assad", "Bashar al-Assad".
    d = Directory()
    record = d.resolve_attribution("Bashar Al-Assad", "2020-02-27")
    assert record is not None
    for written in ("Bashar Assad", "Bashar al-Assad", "Bashar Al Assad", "Assad"):
        assert d.resolve_attribution(written, "2020-02-28", create=False) is record, written
    # The record's "Mr. Al Habib" (a title, then the article) is the news' "Ahmed Al Habib".
    habib = said(d, "Mr. Al Habib", "Kuwait")
    assert habib is not None
    assert d.resolve_attribution("Ahmed Al Habib", "2020-02-28", create=False) is habib
