"""Names, countries and offices: the parts speaker identity is built from."""

from __future__ import annotations

import math

import pytest

from indexer.people.countries import normalise_country
from indexer.people.names import name_tokens, parse_name, relation
from indexer.people.offices import office_holder


def test_a_titled_name_splits_into_title_given_and_surname() -> None:
    name = parse_name("Mrs. Kelly Craft")
    assert name is not None
    assert (name.title, name.given, name.surname, name.full) == ("Mrs.", "Kelly", "Craft",
                                                                 "Kelly Craft")
    assert name.person_like


def test_a_bare_surname_is_a_surname_not_a_given_name() -> None:
    for raw in ("Mueller", "Ms. Mueller"):
        name = parse_name(raw)
        assert name is not None and name.surname == "Mueller" and name.given is None
        assert not name.person_like


def test_particles_stay_with_the_surname() -> None:
    assert parse_name("Mr. Van Shalkwyk").surname == "Van Shalkwyk"  # type: ignore[union-attr]
    assert parse_name("Nicolas de Riviere").surname == "de Riviere"  # type: ignore[union-attr]


@pytest.mark.parametrize("raw", [None, "", "  ", "nan", "NaN", "None", "null", "Unknown",
                                 "The President", "The Secretary-General", "n/a"])
def test_placeholders_and_offices_name_nobody(raw: str | None) -> None:
    assert parse_name(raw) is None


def test_a_float_nan_names_nobody() -> None:
    assert parse_name(math.nan) is None  # type: ignore[arg-type]


def test_of_two_people_named_for_one_speech_the_first_is_the_speaker() -> None:
    name = parse_name("Mr. Nebenzia/Mr. Polyanskiy")
    assert name is not None and name.full == "Nebenzia" and name.title == "Mr."


def test_generational_suffixes_stay_and_degrees_go() -> None:
    assert parse_name("Mr. Tommy Esang Remengesau Jr.").full == (  # type: ignore[union-attr]
        "Tommy Esang Remengesau Jr.")
    assert parse_name("Dr. Lotay Tshering, MBBS, MD").full == "Lotay Tshering"  # type: ignore[union-attr]


def test_tokens_ignore_case_accents_and_initial_dots() -> None:
    assert name_tokens("Sebastián PIÑERA") == name_tokens("sebastian pinera")
    assert name_tokens("Geir O. Pedersen") == ("geir", "o", "pedersen")


@pytest.mark.parametrize(("a", "b", "expected"), [
    ("Kelly Craft", "Kelly Craft", "same"),
    ("Feridun H. Sinirlioglu", "Feridun Hadi Sinirlioglu", "given"),
    ("Geir O. Pedersen", "Geir Pedersen", "given"),
    ("Allen", "Jonathan Allen", "suffix"),
    ("Singer Weisinger", "Jose Singer Weisinger", "suffix"),
    ("Dang", "Dang Dinh Quy", "prefix"),
    ("Jonathan Allen", "Peter Allen", None),
    ("Allen", "Chastanet", None),
    ("Pham", "Phan", None),
])
def test_relation_between_two_forms(a: str, b: str, expected: str | None) -> None:
    assert relation(name_tokens(a), name_tokens(b)) == expected
    assert relation(name_tokens(b), name_tokens(a)) == expected


def test_the_uk_under_either_of_its_names_is_one_country() -> None:
    short, long = normalise_country("United Kingdom"), normalise_country(
        "United Kingdom of Great Britain and Northern Ireland")
    assert short == long
    assert short is not None and short.code == "GBR" and short.kind == "state"
    assert short.name == "United Kingdom of Great Britain and Northern Ireland"


@pytest.mark.parametrize(("raw", "code", "name"), [
    ("Saint Vincent and Grenadines", "VCT", "Saint Vincent and the Grenadines"),
    ("Saint Vincent and the Grenadines", "VCT", "Saint Vincent and the Grenadines"),
    ("Viet Nam", "VNM", "Viet Nam"),
    ("Socialist Republic of Viet Nam", "VNM", "Viet Nam"),
    ("Islamic Republic of Iran", "IRN", "Iran (Islamic Republic of)"),
    ("Bolivia (Plurinational State of)", "BOL", "Bolivia (Plurinational State of)"),
    ("Palestine", "PSE", "State of Palestine"),
    ("State of Palestine", "PSE", "State of Palestine"),
    ("United States of America", "USA", "United States of America"),
    ("USA", "USA", "United States of America"),
    ("Kingdom of Belgium", "BEL", "Belgium"),
    ("Republic of Korea", "KOR", "Republic of Korea"),
    ("Turkey", "TUR", "Türkiye"),
    ("Republic of Naura", "NRU", "Nauru"),  # a misspelling in the General Debate data
])
def test_states_by_the_names_the_records_use(raw: str, code: str, name: str) -> None:
    country = normalise_country(raw)
    assert country is not None and (country.code, country.name, country.kind) == (
        code, name, "state")


def test_the_un_and_other_bodies() -> None:
    un = normalise_country("UN")
    assert un is not None and (un.code, un.name, un.kind) == ("UN", "United Nations", "un")
    for raw in ("Physicians for Human Rights", "League of the Arab States"):
        body = normalise_country(raw)
        assert body is not None and body.kind == "organisation" and body.name == raw
    assert normalise_country("League of the Arab States").code == (  # type: ignore[union-attr]
        "league-of-the-arab-states")


@pytest.mark.parametrize("raw", [None, "", "nan", "None", "Individual"])
def test_no_affiliation(raw: str | None) -> None:
    assert normalise_country(raw) is None


def test_the_secretary_general_at_a_date() -> None:
    holder = office_holder("Secretary-General", "2020-02-27")
    assert holder is not None and holder.name.full == "António Guterres"
    assert holder.country.code == "UN"
    assert office_holder("The Secretary-General", "2010-05-01").name.full == (  # type: ignore[union-attr]
        "Ban Ki-moon")
    assert office_holder("Deputy Secretary-General", "2020-06-01").name.surname == (  # type: ignore[union-attr]
        "Mohammed")


def test_an_office_with_no_single_holder_names_nobody() -> None:
    assert office_holder("Secretary-General", None) is None
    assert office_holder("Secretary-General", "1990-01-01") is None  # before the table
    assert office_holder("Deputy Secretary-General", "2006") is None  # Fréchette, then Malloch-Brown
    assert office_holder("Secretary-General", "2016").name.surname == "Ban"  # type: ignore[union-attr]
    assert office_holder("Secretary-General", "2019").name.surname == "Guterres"  # type: ignore[union-attr]
    assert office_holder("The President", "2020-02-27") is None
