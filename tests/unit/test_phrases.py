"""Quoted phrases that forgive: which phrases a query asks for, and their relaxed forms."""

from __future__ import annotations

import pytest

from indexer.search.phrases import MAX_PHRASES, NEAR_SLOP, exact_form, near_form, quoted, relax
from indexer.search.syntax import MAX_SLOP


def test_only_the_phrases_asked_for_count() -> None:
    assert quoted('"turkish border" idlib -"safe zone"') == {"turkish border": 0}
    assert quoted('no phrase here') == {}
    assert quoted('"unbalanced quote') == {}
    assert quoted('"  " "a b"') == {"a b": 0}
    # A slop of its own forgives words between, not a word missing: asked for, with it.
    assert quoted('"a b"~5 "c d"') == {"a b": 5, "c d": 0}
    # Quotes pair left to right, whatever ends a phrase; a glued minus excludes it.
    assert quoted('"peace talks."~5 zzz "safe zone"') == {"peace talks.": 5, "safe zone": 0}
    assert quoted('-"no fly." aleppo "safe zone"') == {"safe zone": 0}
    assert quoted('- "a b"') == {"a b": 0}
    assert list(quoted(" ".join(f'"w{i} x"' for i in range(MAX_PHRASES + 3)))) == [
        f"w{i} x" for i in range(MAX_PHRASES)]  # two searches a phrase: the rest stay exact


def test_a_phrase_with_a_slop_is_checked_and_relaxed_with_it() -> None:
    assert exact_form("a b", 5) == '"a b"~5' and exact_form("a b") == '"a b"'
    assert exact_form("a b", 10**6) == f'"a b"~{MAX_SLOP}'
    assert near_form("density turkish", 3) == f'"density turkish"~{NEAR_SLOP}'
    assert near_form("density turkish", 90) == '"density turkish"~90'
    assert relax('"density turkish border"~3 idlib', ["density turkish border"], "near") == \
        f'"density turkish border"~{NEAR_SLOP} idlib'
    assert relax('"density turkish border"~3 idlib', ["density turkish border"], "words") == \
        "density turkish border idlib"


def test_the_near_form_requires_every_content_word_near_the_others() -> None:
    assert near_form("population density on the Turkish border is rising") == \
        f'"population density Turkish border rising"~{NEAR_SLOP}'
    assert near_form("the") == "the"  # nothing but stop words: the words as they are
    assert near_form("of the of the") == f'"of the"~{NEAR_SLOP}'  # each word once
    assert near_form("Border border BORDER") == "Border"
    assert near_form("negotiation negotiations resumed") == f'"negotiation resumed"~{NEAR_SLOP}'
    assert near_form("Idlib") == "Idlib"
    # A negation stays: near each other, "did not support" is still not "did support".
    assert near_form("did not support") == f'"did not support"~{NEAR_SLOP}'


def test_relax_changes_only_the_phrases_named() -> None:
    q = '"turkish border" "safe zone" aleppo -"no fly"'
    assert relax(q, ["safe zone"], "near") == \
        f'"turkish border" "safe zone"~{NEAR_SLOP} aleppo -"no fly"'
    assert relax(q, ["turkish border", "safe zone"], "words") == \
        'turkish border safe zone aleppo -"no fly"'
    # A minus right after a relaxed phrase still excludes; it does not join the phrase.
    assert relax('"density turkish"-aleppo', ["density turkish"], "near") == \
        f'"density turkish"~{NEAR_SLOP} -aleppo'
    assert relax('"density turkish"-aleppo', ["density turkish"], "words") == \
        "density turkish -aleppo"
    with pytest.raises(ValueError):
        relax(q, ["safe zone"], "loose")
