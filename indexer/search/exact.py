"""Exact text wins: a pasted quotation ranks the passage that holds its words first.

The semantic leg cannot tell an exact quotation from its neighbours in meaning, and in the
linear fusion it holds half the vote. When the query reads as a quotation (in quotation
marks, or at least ``QUOTATION_MIN_WORDS`` words: see BENCHMARKS.md, "Pasted quotations"),
the keyword leg's best passages are aligned word by word with the query, as the quote check
does (``indexer.provenance.align``), and the documents whose passage holds the query's
wording (verbatim, trimmed or altered, in ``grade``'s sense) go first, closest wording first;
the fusion orders the rest.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from indexer.provenance.align import align
from indexer.provenance.grade import wording_verdict
from indexer.search.results import passage_key
from indexer.text.stemming import phrase_tokens

QUOTATION_MIN_WORDS = 8
# An unquoted query must find this share of its words, in order, in the passage: a question
# or a claim shares words with its answer without being a quotation of it (on SciFact a
# lower bar cost 0.0025 nDCG@10), while a quotation with words cut out keeps all of its own.
UNQUOTED_MIN_MATCHED = 0.85
EXACT_CANDIDATES = 20  # the keyword leg's best passages are the only ones worth aligning
_OPERATORS = re.compile(r'(?:^|\s)[-+|](?=\S)|[*~()|]')
_MARKS = "\"“”«»"


def quotation(q: str) -> str | None:
    """The words of a query that reads as a quotation, or None. A query with search syntax
    (exclusions, ``OR``, wildcards, several phrases) is a search, not a quotation."""
    text = q.strip()
    whole = len(text) > 1 and text[0] in _MARKS and text[-1] in _MARKS
    inner = text[1:-1] if whole else text
    if any(mark in inner for mark in _MARKS) or _OPERATORS.search(inner) or " OR " in inner:
        return None
    words = inner.split()
    if (whole and len(words) >= 2) or len(words) >= QUOTATION_MIN_WORDS:
        return " ".join(words)
    return None


def exact_passages(q: str, keyword_hits: Sequence[dict[str, Any]]) -> dict[str, float]:
    """Passage key (``results.passage_key``) -> how closely it holds the quotation's wording,
    for the keyword leg's best passages that hold it at all; empty when the query is no
    quotation."""
    words = quotation(q)
    if words is None:
        return {}
    quoted = q.strip()[:1] in _MARKS
    found: dict[str, float] = {}
    for hit in keyword_hits[:EXACT_CANDIDATES]:
        alignment = align(words, hit["_source"].get("text") or "")
        if alignment is None or wording_verdict(alignment) is None:
            continue
        own = max(alignment.quote_words - alignment.bracketed, 1)
        if quoted or alignment.matched / own >= UNQUOTED_MIN_MATCHED:
            found[passage_key(hit)] = alignment.similarity
    return found


def phrase_passages(q: str, relaxed: Sequence[dict[str, str]],
                    keyword_hits: Sequence[dict[str, Any]]) -> dict[str, float]:
    """For a query that is one quoted phrase not aligned as a quotation (too short, or held
    with its stop words left out): the keyword leg's best passages that hold it, first. The
    quotation marks ask for those words; a passage the semantic leg brought without them must
    not come first (a phrase found in one speech alone tied, once min-max scaled, with the
    semantic leg's best document, and lost).

    Found as typed: the passages whose text, title, source or speaker hold its words in that
    order (``holds``: the stemmed field it matched leaves out stop words, and in a collection
    older than schema 3 "not" and "no" too, so the keyword leg alone is not proof), all
    level, so that the fusion orders them. Found only with its words near each other
    (``phrases``, level ``near``): every passage the keyword leg brought, closest first (the
    sloppy phrase scores nearer words higher)."""
    whole = q.strip()
    if whole.count('"') != 2 or not (whole[0] == whole[-1] == '"'):
        return {}
    phrase = whole[1:-1].strip()
    best = keyword_hits[:EXACT_CANDIDATES]
    if not relaxed:
        return {passage_key(hit): 1.0 for hit in best
                if any(holds(phrase, hit["_source"].get(field) or "")
                       for field in ("text", "title", "source", "speaker"))}
    if len(relaxed) != 1 or relaxed[0]["level"] != "near" or phrase != relaxed[0]["phrase"]:
        return {}
    top = max((float(hit["_score"]) for hit in best), default=0.0) or 1.0
    return {passage_key(hit): float(hit["_score"]) / top for hit in best}


def holds(phrase: str, text: str) -> bool:
    """Whether ``text`` holds ``phrase``'s words in this order, compared as the stemmed fields
    compare them (stems, hyphens split, so "Secretary General" is in "the Secretary-General's"),
    where either may have a stop word the other lacks (``"so duty Secretary-General"`` in "so
    is the duty of the Secretary-General"), but never a negation ("did support" is not "did
    not support", which the stems of a collection older than schema 3 cannot tell apart)."""
    every = phrase_tokens(phrase)
    wanted = [stem for stem, skipped in every if not skipped] or [stem for stem, _ in every]
    have = phrase_tokens(text)
    if not wanted:
        return False
    for start, (stem, _) in enumerate(have):
        if stem != wanted[0]:
            continue
        i, k = start + 1, 1
        while k < len(wanted) and i < len(have):
            if have[i][0] == wanted[k]:
                k += 1
            elif not have[i][1]:
                break
            i += 1
        if k == len(wanted):
            return True
    return False
