"""The keyword query's syntax, as users type it: phrases (with a slop), ``-exclusions``,
``OR``, prefixes and fuzzy words, each bounded so that no query costs Elasticsearch much more
work than an ordinary one (``parse_keyword_query``)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from indexer.text.stemming import stem_words

# Query work: at most this many distinct prefix (word*) or fuzzy (word~) terms, each of at
# least this many characters; the rest become plain words (``bound_expansions``).
MAX_EXPANSIONS = 8
MIN_EXPANSION_CHARS = 3
MAX_WORD_REPEATS = 8  # a plain word's occurrences kept in a query; later ones add no evidence
# A phrase keeps its slop ("a b"~5) with at most this many words, none repeated, and a slop of
# at most MAX_SLOP: a sloppy phrase's work grows with its terms, and most with repeated ones.
MAX_SLOP_WORDS = 16
MAX_SLOP = 100
# A quoted phrase and its slop, if any: quotes pair left to right.
PHRASE = re.compile(r'"([^"]*)"(?:~(\d+))?')
_SLOPPY = re.compile(r'"([^"]*)"~(\d+)')  # a phrase with a slop, wherever its quotes fall
_SLOP = re.compile(r'(?<=")~\d+')  # the slop after a closing quote


# Typographic double quotation marks, as quotes pasted from an article or typed on a phone
# come: an opening mark and the closing mark that follows it are a phrase of the query
# language. Only pairs: a stray mark (a quote cut off in the paste) left as a quote would
# unbalance the query and cost a correctly typed phrase its quotes (``parse_keyword_query``).
# The pairs as the world's presses write them: „…“ (German), “…” (English), ”…” (Swedish,
# Finnish), «…» and »…« (French, German, Danish), 〝…〞 and 〝…〟 (CJK), ＂…＂ (full width).
_TYPOGRAPHIC_PAIRS = [re.compile(f'{opening}([^"“”„‟«»〝〞〟＂]*){closing}') for opening, closing in
                      (("„", "[“”]"), ("“", "”"), ("”", "”"), ("‟", "”"), ("«", "»"), ("»", "«"),
                       ("〝", "[〞〟]"), ("＂", "＂"))]


def straight_quotes(text: str) -> str:
    """``text`` with each pair of typographic double quotes straight: “a b”, „a b“ and
    « a b » are the phrase "a b"; an unpaired mark is left as it is, punctuation."""
    for pair in _TYPOGRAPHIC_PAIRS:
        text = pair.sub(lambda m: f'"{m.group(1)}"', text)
    return text


def bound_slops(text: str) -> str:
    """``text`` with each phrase's slop kept only within the bounds above."""

    def replace(match: re.Match[str]) -> str:
        words = match.group(1).lower().split()
        stems = stem_words(match.group(1))
        if len(words) > MAX_SLOP_WORDS or len(set(words)) < len(words) \
                or len(set(stems)) < len(stems):
            return f'"{match.group(1)}"'
        return f'"{match.group(1)}"~{min(int(match.group(2)), MAX_SLOP)}'

    return _SLOPPY.sub(replace, text)


def without_slops(text: str) -> str:
    """``text`` with every slop after a quote let go, paired or not (for a model to read)."""
    return _SLOP.sub("", text)


# "-word", '-"a phrase"' (with its slop), also after "|" or "(" ("a|-b", "(-b c)").
NEGATION = re.compile(r'(?:^|(?<=[\s|(]))-("[^"]+"(?:~\d+)?|[^\s"]+)')
_OR = re.compile(r"\s+OR\s+")
# A prefix (``word*``) or fuzzy (``word~``, ``word~2``) operator ending a word; not ``"a b"~5``.
_EXPANSION = re.compile(r'(?<![^\s|()+\-"])(?!(?<=")~\d)([^\s|()"*~\\]*)(\*+|~\d*)(?=$|[\s|()"+])')


def bound_expansions(text: str, seen: set[str], *, key_prefix: str = "") -> str:
    """Keep the work of prefix and fuzzy terms bounded (each expands to every matching word
    of the index): a repeated one is dropped, one whose word is shorter than
    ``MIN_EXPANSION_CHARS`` or beyond the first ``MAX_EXPANSIONS`` distinct ones becomes a
    plain word. ``seen`` holds the terms kept so far, shared by a query's parts."""

    def replace(match: re.Match[str]) -> str:
        word, operator = match.group(1), match.group(2)
        key = key_prefix + word.lower() + operator[0]
        if key in seen:
            return ""
        if len(word.lstrip("+-")) < MIN_EXPANSION_CHARS or len(seen) >= MAX_EXPANSIONS:
            return word
        seen.add(key)
        return word + ("*" if operator.startswith("*") else operator)

    return " ".join(_EXPANSION.sub(replace, text).split())


_BARE_WORD = re.compile(r"\w+")


def _around_phrases(text: str) -> Iterator[tuple[str, str | None]]:
    """Each stretch of ``text`` outside quoted phrases, with the phrase that follows it (whole,
    with its slop; None after the last stretch)."""
    outside = 0
    for match in [*PHRASE.finditer(text), None]:
        yield text[outside:match.start() if match else len(text)], \
            match.group(0) if match else None
        if match:
            outside = match.end()


def cap_repeats(text: str) -> str:
    """Keep at most ``MAX_WORD_REPEATS`` occurrences of each plain word outside quoted
    phrases: every occurrence is one more clause to score, match as a shingle and highlight
    (``"a " × 333`` held Elasticsearch for seconds), and a word said a fourth time adds no
    evidence. Words with operators and phrases are kept whole."""
    counts: dict[str, int] = {}
    out: list[str] = []
    for stretch, phrase in _around_phrases(text):
        for token in stretch.split():
            if _BARE_WORD.fullmatch(token):
                key = token.lower()
                counts[key] = counts.get(key, 0) + 1
                if counts[key] > MAX_WORD_REPEATS:
                    continue
            out.append(token)
        if phrase:
            out.append(phrase)
    return " ".join(" ".join(out).split())


# A word the query's syntax leaves alone: letters or digits first, then no operator character.
_PLAIN_WORD = re.compile(r"[^\W_][^\s\"|()*~\\+]*")


def fold_repeats(text: str) -> tuple[str, dict[int, list[str]]]:
    """``text`` with each plain word outside quoted phrases kept where it first appears, and
    the words it held more than once, by how many times (words of the same stems are the same
    word: "disease, diseases").

    Lucene adds up a word's repeated clauses, so a verbose query that lists "bone, bone
    development, bone cells" weighs "bone" three times, and its documents about bone outrank
    those about the query's rarer subject. Folded, a repeated word can weigh by a factor
    that saturates instead (BM25's query-term factor, ``queries.QUERY_TF_K3``, which
    ``bench.repeats`` sweeps). A query with ``|`` is left as it is: the place of a word
    beside the operator is its meaning."""
    if "|" in PHRASE.sub(" ", text):
        return text, {}
    counts: dict[tuple[str, ...], int] = {}
    first: dict[tuple[str, ...], str] = {}
    out: list[str] = []
    for stretch, phrase in _around_phrases(text):
        for token in stretch.split():
            key = (tuple(stem_words(token)) or (token.lower().strip(".,;:!?'’"),)
                   if _PLAIN_WORD.fullmatch(token) else ())
            if key and key[0]:
                counts[key] = counts.get(key, 0) + 1
                if counts[key] > 1:
                    continue
                first[key] = token
            out.append(token)
        if phrase:
            out.append(phrase)
    repeated: dict[int, list[str]] = {}
    for key, count in counts.items():
        if count > 1:
            repeated.setdefault(count, []).append(first[key])
    return (" ".join(out), repeated) if repeated else (text, {})


def plain_terms(text: str) -> str:
    """The query without its prefix and fuzzy operators: what the highlighter looks for."""
    return " ".join(_EXPANSION.sub(lambda m: m.group(1), text).split())


def parse_keyword_query(q: str) -> tuple[str, list[str]]:
    """Split the user's query into what to match and what to exclude.

    ``-word`` and ``-"a phrase"`` become exclusions of their own, because inside
    simple_query_string with the OR operator ``-x`` means "or not x" and would match
    almost everything. ``OR`` is the default between words; we accept it as a word.
    Prefix and fuzzy terms are bounded (:func:`bound_expansions`), and so are repeated
    words (:func:`cap_repeats`).
    """
    if q.count('"') % 2 == 0:  # each phrase apart from what follows it ('"a b"-c')
        q = PHRASE.sub(lambda m: f"{m.group(0)} ", q)
    excluded = [bound_slops(m.group(1)) for m in NEGATION.finditer(q)]
    positive = bound_slops(NEGATION.sub(" ", q))
    positive = _OR.sub(" | ", positive)
    if positive.count('"') % 2:
        positive = positive.replace('"', " ")  # an unbalanced quote is a typo, not a phrase
    seen: set[str] = set()
    positive = cap_repeats(bound_expansions(positive, seen))
    excluded = [term for term in (bound_expansions(t, seen, key_prefix="-") for t in excluded)
                if term]
    return " ".join(positive.split()), excluded
