"""Which people a speaker filter's name reaches when it is no recorded name exactly."""

from __future__ import annotations

from indexer.people.names import parse_name
from indexer.people.store import _a_form_of


def forms(*names: str) -> list[tuple[str, ...]]:
    return [parsed.tokens for name in names if (parsed := parse_name(name)) is not None]


def words(name: str) -> tuple[str, ...]:
    parsed = parse_name(name)
    assert parsed is not None
    return parsed.tokens


def test_a_surname_or_a_fuller_name_is_a_form_of_every_recorded_name() -> None:
    mueller = forms("Ms. Mueller", "Ursula Mueller")
    assert _a_form_of(words("Mueller"), mueller)
    assert _a_form_of(words("Ursula Mueller"), mueller)
    assert not _a_form_of(words("Kelly Mueller"), mueller)


def test_a_given_name_alone_reaches_no_one() -> None:
    assert not _a_form_of(words("John"), forms("Mr. Kerry", "John Kerry"))
    assert not _a_form_of(words("Ali"), forms("Ali Bongo Ondimba"))


def test_a_family_name_written_first_is_reached_when_recorded_alone() -> None:
    assert _a_form_of(words("Zhang"), forms("Mr. Zhang", "Zhang Jun"))
