"""A claim to check, as the API, the pages and the CLI receive it; and the search page's
quoted query that offers the check."""

from __future__ import annotations

import pytest

from indexer.provenance.check import MAX_CLAIM_CHARS
from indexer.provenance.claims import ClaimError, parse_claim
from webapp.pages import quoted_phrase


def test_a_claim_keeps_what_it_is_given_trimmed() -> None:
    claim = parse_claim({"text": "  Hospitals are not spared  ", "speaker": " Ursula Mueller ",
                         "date": "2020-02-27", "collection": ["unsc", "news"]})
    assert (claim.text, claim.speaker, claim.date) == ("Hospitals are not spared",
                                                       "Ursula Mueller", "2020-02-27")
    assert claim.collections == ("unsc", "news")
    bare = parse_claim({"text": "two words", "speaker": "", "collection": "unsc"})
    assert bare.speaker is None and bare.date is None and bare.collections == ("unsc",)


@pytest.mark.parametrize(("raw", "field"), [
    ({}, "text"),
    ({"text": " \n "}, "text"),
    ({"text": 42}, "text"),
    ({"text": "x" * (MAX_CLAIM_CHARS + 1)}, "text"),
    ({"text": "Idlib."}, "text"),  # one word is in too many places to trace
    ({"text": "two words", "date": "27/02/2020"}, "date"),
    ({"text": "two words", "date": "2020-02-30"}, "date"),
    ({"text": "two words", "speaker": ["a"]}, "speaker"),
    ({"text": "two words", "speaker": "s" * 201}, "speaker"),
    ({"text": "two words", "collection": ["Bad Name"]}, "collection"),
    ({"text": "two words", "collection": {"a": 1}}, "collection"),
])
def test_a_bad_claim_names_the_field_to_change(raw: dict[str, object], field: str) -> None:
    with pytest.raises(ClaimError) as caught:
        parse_claim(raw)
    assert caught.value.parameter == field and caught.value.status == 400


@pytest.mark.parametrize(("q", "words"), [
    ('"population density on the Turkish border"', "population density on the Turkish border"),
    ("“hospitals are not being spared”", "hospitals are not being spared"),
    ('"too short"', None),
    ("hospitals are not being spared", None),
    ('"one" and "two three four"', None),
])
def test_only_a_whole_quoted_query_offers_the_check(q: str, words: str | None) -> None:
    assert quoted_phrase(q) == words
