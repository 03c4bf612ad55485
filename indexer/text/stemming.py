"""English stems computed in Python, for the stemmed BM25 fields.

Elastic's minimal distribution has no stemmer or English analyzer (they live in the
analysis-common module), and our mappings must work on it and on the full distribution
alike. So the indexer writes a stemmed copy of the text (Snowball English, Lucene's
English stop words removed but "no" and "not") into fields analysed by the plain standard
analyzer, and the query builder stems the user's words the same way (a query's loose words
without "no" and "not", its quoted phrases with them). Both sides share these functions.
"""

from __future__ import annotations

import re
import threading
from functools import lru_cache
from typing import Protocol

import snowballstemmer

# Lucene's EnglishAnalyzer stop set, so scores compare with the usual English BM25.
STOP_WORDS = frozenset((  # noqa: SIM905 - one readable line per Lucene source
    "a an and are as at be but by for if in into is it no not of on or such that the their "
    "then there these they this to was will with"
).split())
# Words that turn a statement into its opposite. "no" and "not" are Lucene stop words, which
# the stemmed fields keep all the same (``stem_text``) and a quoted phrase must not lose.
NEGATIONS = frozenset({
    "not", "no", "never", "nor", "neither", "none", "nothing", "nobody", "nowhere", "cannot",
    "without", "dont", "doesnt", "didnt", "isnt", "arent", "wasnt", "werent", "wont", "cant",
    "couldnt", "shouldnt", "wouldnt", "hasnt", "havent", "hadnt", "mustnt", "neednt",
})
_WORD = re.compile(r"\w+", re.UNICODE)
_POSSESSIVE = re.compile(r"['’]s\b", re.IGNORECASE)
_local = threading.local()


class _Stemmer(Protocol):
    """The part of snowballstemmer (untyped) that we use."""

    def stemWord(self, word: str) -> str: ...


def _stemmer() -> _Stemmer:
    # Snowball stemmers keep state between calls: one per thread.
    stemmer: _Stemmer | None = getattr(_local, "stemmer", None)
    if stemmer is None:
        stemmer = _local.stemmer = snowballstemmer.stemmer("english")
    return stemmer


@lru_cache(maxsize=200_000)
def stem_word(word: str) -> str:
    """One word's stem, remembered: words follow Zipf's law, so most are seen again soon, and
    the pure-Python Snowball stemmer was most of the indexer's own CPU time."""
    return _stemmer().stemWord(word)


def stem_words(text: str, *, negations: bool = False) -> list[str]:
    """The stems of ``text``'s words, stop words left out; ``negations``: but "no" and "not"
    kept, as the stemmed fields hold them (``stem_text``)."""
    return [stem_word(w) for w in _words(text)
            if w not in STOP_WORDS or (negations and w in NEGATIONS)]


def phrase_tokens(text: str) -> list[tuple[str, bool]]:
    """Each word of ``text`` as the stemmed fields cut it (hyphens and apostrophes split,
    possessives off): its stem, and whether those fields leave it out (a stop word that is no
    negation). For comparing a phrase with a passage as Elasticsearch matched them (the stems
    of an index older than schema 3 lack the negations too: this keeps them)."""
    return [(stem_word(w), w in STOP_WORDS and w not in NEGATIONS) for w in _words(text)]


def _words(text: str) -> list[str]:
    """The words the stemmed fields are made of: lower case, possessives off, split at every
    character that is no letter or digit (hyphens and apostrophes too)."""
    return _WORD.findall(_POSSESSIVE.sub("", text.lower()))


def stem_text(text: str | None) -> str:
    """What the stemmed fields hold: ``"Hospitals were not shelled"`` → ``"hospit were not
    shell"``. Stop words out, but never "no" or "not" (indices of schema 3 on), so that a
    phrase on these fields cannot match its opposite: "did support" is not in "did not
    support". A query's loose words leave them out (``stem_query``): they are no statement,
    and a common word would only add noise to BM25."""
    return " ".join(stem_words(text or "", negations=True))


_QUERY_WORD = re.compile(r"[^\W_][\w'’]*", re.UNICODE)


def stem_query(query: str) -> str:
    """Stem the words of a simple_query_string query, keeping its syntax (quotes, ``|``,
    parentheses, ``*``); stop words are dropped as they are from the stemmed fields.

    Except "no" and "not" inside a quoted phrase, kept: the stemmed fields hold them (schema
    3), so "did not support" is not "did support" there, as in the exact words. (In an index
    of an older schema, whose stems lack them, such a phrase matches the exact words only.)
    Loose words lose them: they are no statement. A phrase the stems cannot hold (one that
    stop words reduce to one word, or whose verb is a stop word) is left to the exact words
    (:func:`_stopped_down`)."""

    def replace(match: re.Match[str]) -> str:
        return " ".join(stem_words(match.group(0)))

    def replace_quoted(match: re.Match[str]) -> str:
        return " ".join(stem_words(match.group(0), negations=True))

    pieces: list[str] = []
    parts = query.split('"')
    slop_dropped = False
    for i, part in enumerate(parts):
        if slop_dropped:
            part, slop_dropped = re.sub(r"^~\d+", "", part), False
        if i % 2 == 0:
            pieces.append(_QUERY_WORD.sub(replace, part))
        elif i == len(parts) - 1:  # an unbalanced quote: kept as typed
            pieces.append('"' + _QUERY_WORD.sub(replace_quoted, part))
        elif _stopped_down(part):
            pieces.append(" ")
            slop_dropped = True
        else:
            pieces.append('"' + _QUERY_WORD.sub(replace_quoted, part) + '"')
    return " ".join("".join(pieces).split())


def _stopped_down(phrase: str) -> bool:
    """A phrase the stems cannot hold: the exact words alone match it, every word in its
    place. One that stop words reduce to one stem or none ("will be tolerated") would match
    that word anywhere; one whose verb is a stop word ("are being spared", "is acceptable"),
    said without a negation, would match the same words around a "not" that sits where the
    dropped verb was ("are not being spared"): the stems keep the "not", not the "are"."""
    words = [w.lower() for w in _QUERY_WORD.findall(phrase)]
    if len(words) < 2:
        return False
    if len(stem_words(phrase, negations=True)) <= 1:
        return True
    return bool(_STOP_VERBS.intersection(words)) and not NEGATIONS.intersection(words)


_STOP_VERBS = frozenset({"are", "be", "is", "was", "will"}) & STOP_WORDS
