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
from indexer.text.stemming import STOP_WORDS

# A phrase the user wants: not one after a minus sign, which excludes it, nor one with a slop
# of its own (``"a b"~5``), which already asks for the words near each other.
_PHRASE = re.compile(r'(?<![-\w])"([^"]+)"(?!~\d)')
_WORD = re.compile(r"\w[\w'’-]*")  # never a leading minus: that would exclude the word
LEVELS = ("near", "words")
# How far apart, in word positions, the near form's words may be: about a sentence (9 in 10
# sentences of the Security Council records in ../shared/data have 39 words or fewer).
NEAR_SLOP = 40


def quoted(q: str) -> list[str]:
    """The phrases the query asks for, in order (balanced quotes only)."""
    if q.count('"') % 2:
        return []  # an unbalanced quote is a typo: the query parser reads plain words
    return [m.group(1).strip() for m in _PHRASE.finditer(q) if m.group(1).strip()]


def near_form(phrase: str) -> str:
    """The phrase's content words, every one required, near each other in any order:
    ``"density turkish border"~40``."""
    words = [w for w in _WORD.findall(phrase) if w.lower() not in STOP_WORDS]
    # Each word once: a repeat adds nothing to "near the others" and makes the slop costly.
    first: dict[str, str] = {}
    for word in words or _WORD.findall(phrase):
        first.setdefault(word.lower(), word)
    words = list(first.values())
    return f'"{" ".join(words)}"~{NEAR_SLOP}' if len(words) > 1 else " ".join(words)


def relax(q: str, phrases: list[str], level: str) -> str:
    """``q`` with each of ``phrases`` (as quoted in it) in its ``near`` or ``words`` form."""
    if level not in LEVELS:
        raise ValueError(f"unknown level {level!r}: use one of {', '.join(LEVELS)}")
    wanted = set(phrases)

    def replace(match: re.Match[str]) -> str:
        phrase = match.group(1).strip()
        if phrase not in wanted:
            return match.group(0)
        return near_form(phrase) if level == "near" else " ".join(_WORD.findall(phrase))

    return " ".join(_PHRASE.sub(replace, q).split())


def exists_body(q: str, filters: Filters) -> dict[str, Any]:
    """Whether anything within the filters matches ``q`` (a phrase or its near form): one hit
    is enough to know."""
    return {"query": keyword_query(q, filters), "size": 0, "terminate_after": 1,
            "track_total_hits": 1}
