"""Quoted phrases that forgive: a phrase with no exact match falls back to its words near each
other, then to the words themselves, and the response says so.

A user types quotation marks to be precise, often around words remembered, not copied
("population density on the Turkish border is rising" for "The density of the population at
the Turkish border increases every day"). An exact phrase that matches nothing would make the
keyword side of the search return nothing; instead the phrase is relaxed in two steps:

- ``near``: every content word of the phrase within ``NEAR_SLOP`` words of each other, in
  any order, the stop words let go (a sloppy phrase: the nearer, the higher it ranks);
- ``words``: the words themselves, ranked by BM25 like any unquoted query.

Phrases that match exactly are left as they are. Everything here is pure: the searcher asks
Elasticsearch whether each form matches (``exists_body``) and picks the first that does.
"""

from __future__ import annotations

import re
from typing import Any

from indexer.search.queries import keyword_query
from indexer.search.request import Filters
from indexer.search.syntax import MAX_SLOP, PHRASE
from indexer.text.stemming import NEGATIONS, STOP_WORDS, stem_words

_WORD = re.compile(r"\w[\w'’-]*")  # never a leading minus: that would exclude the word
LEVELS = ("near", "words")
# How far apart, in word positions, the near form's words may be: about a sentence (9 in 10
# sentences of the Security Council records in ../shared/data have 39 words or fewer).
NEAR_SLOP = 40
MAX_PHRASES = 8  # phrases checked and relaxed per query: two searches each; the rest stay
MAX_NEAR_WORDS = 16  # words of a near form: a sloppy phrase's work grows with its terms


def _asked(q: str, match: re.Match[str]) -> str | None:
    """The phrase of a ``syntax.PHRASE`` match, unless it is not asked for: one after a minus
    sign or inside a word is not a phrase the user wants. One with a slop of its own
    (``"a b"~5``) is asked for: it forgives a few words between, but no word missing."""
    before = q[match.start() - 1] if match.start() else " "
    if before == "-" or before.isalnum():
        return None
    return match.group(1).strip() or None


def quoted(q: str) -> dict[str, int]:
    """The phrases the query asks for, in order (balanced quotes only), at most
    ``MAX_PHRASES``, each with the slop it was typed with (0: none)."""
    if q.count('"') % 2:
        return {}  # an unbalanced quote is a typo: the query parser reads plain words
    found: dict[str, int] = {}
    for match in PHRASE.finditer(q):
        phrase = _asked(q, match)
        if phrase and len(found) < MAX_PHRASES:
            found.setdefault(phrase, int(match.group(2) or 0))
    return found


def exact_form(phrase: str, slop: int = 0) -> str:
    """The phrase as typed: what it matches before anything is relaxed."""
    return f'"{phrase}"~{min(slop, MAX_SLOP)}' if slop else f'"{phrase}"'


def near_form(phrase: str, slop: int = 0) -> str:
    """The phrase's content words, every one required, near each other in any order:
    ``"density turkish border"~40`` (or the phrase's own slop, when larger). Each word once
    (by its stem: a repeat adds nothing to "near the others" and makes the sloppy phrase
    costly), at most ``MAX_NEAR_WORDS``."""
    # A negation is no stop word here: "did not support" near each other is not "did support".
    words = [w for w in _WORD.findall(phrase)
             if w.lower() not in STOP_WORDS or w.lower() in NEGATIONS]
    first: dict[str, str] = {}
    for word in words or _WORD.findall(phrase):
        first.setdefault(" ".join(stem_words(word)) or word.lower(), word)
    words = list(first.values())[:MAX_NEAR_WORDS]
    near = max(NEAR_SLOP, min(slop, MAX_SLOP))
    return f'"{" ".join(words)}"~{near}' if len(words) > 1 else " ".join(words)


def relax(q: str, phrases: list[str], level: str) -> str:
    """``q`` with each of ``phrases`` (as quoted in it, with its slop if any) in its ``near``
    or ``words`` form."""
    if level not in LEVELS:
        raise ValueError(f"unknown level {level!r}: use one of {', '.join(LEVELS)}")
    wanted = set(phrases)

    def replace(match: re.Match[str]) -> str:
        phrase = _asked(q, match)
        if phrase is None or phrase not in wanted:
            return match.group(0)
        form = near_form(phrase, int(match.group(2) or 0)) if level == "near" \
            else " ".join(_WORD.findall(phrase))
        return f" {form} "  # apart from what follows: "-x" right after stays an exclusion

    return " ".join(PHRASE.sub(replace, q).split())


def exists_body(q: str, filters: Filters) -> dict[str, Any]:
    """Whether anything within the filters matches ``q`` (a phrase or its near form): one hit
    is enough to know."""
    return {"query": keyword_query(q, filters), "size": 0, "terminate_after": 1,
            "track_total_hits": 1}
