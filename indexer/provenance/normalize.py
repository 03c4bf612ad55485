"""Words of a quotation or a source text, normalised so that only wording differences remain.

Two words are the same word when their ``norm`` is equal. The norm drops what the issue says is
never a change of wording: case, punctuation, quote marks and apostrophes (straight, curly,
guillemets), whitespace, accents, hyphenation and line-break artefacts (``north- western`` =
``north-western`` = ``northwestern``) and British/American spelling (``humanise`` = ``humanize``).
Numbers keep their decimal point (``1.4`` is not ``14``) and lose thousands separators
(``950,000`` = ``950000``); ``10`` and ``ten`` stay different words.

In a quotation, an ellipsis (``...``, ``…``, ``. . .``) marks omitted words: the word after it
has ``gap_before``. Square brackets are editorial: a word wholly inside ``[...]`` is
``bracketed`` (``[the government]``), while brackets inside a word only change its letters
(``[i]n``), so that word counts as written without them.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from typing import NamedTuple

_LETTER = r"[^\W_]"
# What may join letters into one word: apostrophes, hyphens (with the line-break artefact of a
# hyphen followed by whitespace), brackets inside a word, and a decimal point or thousands
# separator between digits. A dash with a space before it (``lifeline - a``) joins nothing.
_JOIN = r"(?:['’‘ʼ`\[\]]|[-‐‑\xad]\s*|(?<=\d)[.,](?=\d))"
_WORD = re.compile(rf"\[*{_LETTER}+(?:{_JOIN}+{_LETTER}+)*\]*")
_ELLIPSIS = re.compile(r"\.\s*\.\s*\.|…")
_BRACKETS = re.compile(r"\[[^\[\]]*\]")
_STRIP = re.compile(r"['’‘ʼ`\[\]\s\-‐‑\xad]")
_HYPHEN = re.compile(r"[-‐‑\xad]\s*")
_DIGIT_COMMA = re.compile(r"(?<=\d),(?=\d)")

# British endings rewritten to American when the word is not in breame's list. Only endings whose
# rewrite cannot merge two different English words are used: -our is left to the list because
# ``four``/``for`` and ``hour``/``hor`` would merge. Applied to both texts, so a rare non-word
# rewrite (``precise`` -> ``precize``) is harmless.
_SUFFIXES = (
    ("isation", "ization"), ("isations", "izations"), ("ise", "ize"), ("ised", "ized"),
    ("ises", "izes"), ("ising", "izing"), ("yse", "yze"), ("ysed", "yzed"), ("ysing", "yzing"),
)
_SUFFIX_MIN_STEM = 4  # ``rise``, ``wise``, ``raise``, ``noise`` keep their -ise
_SUFFIX_MAP = dict(_SUFFIXES)
_SUFFIX_RE = re.compile(
    rf"(?<=\w{{{_SUFFIX_MIN_STEM}}})(?:{'|'.join(sorted(_SUFFIX_MAP, key=len, reverse=True))})$")


class Word(NamedTuple):
    """One word of a text: as written (``text``, ``start``:``end`` into that text) and its norm.

    Immutable like a frozen dataclass, but a NamedTuple: a passage has hundreds of words, and a
    frozen dataclass takes three times as long to build (the tokenizer's main cost)."""

    text: str
    norm: str
    start: int
    end: int
    bracketed: bool = False  # wholly inside [...]: an editorial insertion (quotes only)
    gap_before: bool = False  # an ellipsis stands between this word and the one before


@functools.cache
def _british_to_american() -> dict[str, str]:
    """breame's British-to-American spelling list (about 1,700 words), loaded on first use.

    breame (Apache-2.0, https://github.com/cdpierse/breame) is a plain word list, which is what
    is needed: both texts are rewritten to the American spelling, so either variant matches.
    """
    from breame.data.spelling_constants import BRITISH_ENGLISH_SPELLINGS

    return dict(BRITISH_ENGLISH_SPELLINGS)


def american_spelling(word: str) -> str:
    """``word`` (lower case, letters only) in American spelling: breame's list, then endings."""
    american = _british_to_american().get(word)
    if american is not None:
        return american
    match = _SUFFIX_RE.search(word)
    if match is None:
        return word
    return word[: match.start()] + _SUFFIX_MAP[match.group()]


@functools.lru_cache(maxsize=65536)
def normalize_word(text: str) -> str:
    """The norm of one word as written: no case, accents, apostrophes, brackets or hyphens."""
    folded = text.casefold()
    if not folded.isascii():
        folded = unicodedata.normalize("NFKD", folded)
        folded = "".join(ch for ch in folded if not unicodedata.combining(ch))
    if "," in folded:
        folded = _DIGIT_COMMA.sub("", folded)
    # Each part of a hyphenated word is spelt on its own (``labour-intensive``), then joined.
    parts = [_STRIP.sub("", part) for part in _HYPHEN.split(folded)]
    return "".join(american_spelling(part) for part in parts if part)


def _bracket_mask(text: str) -> list[bool]:
    """For each character of ``text``: does it lie inside a [...] group?"""
    inside = [False] * len(text)
    for match in _BRACKETS.finditer(text):
        for i in range(match.start(), match.end()):
            inside[i] = True
    return inside


@functools.lru_cache(maxsize=1024)
def _tokens(text: str) -> tuple[Word, ...]:
    # Cached: the same candidate passage is aligned against many quotes.
    inside = _bracket_mask(text) if "[" in text else None
    gaps = [m.start() for m in _ELLIPSIS.finditer(text)]
    found: list[Word] = []
    previous_end = 0
    for match in _WORD.finditer(text):
        written = match.group()
        norm = normalize_word(written)
        if not norm:
            continue
        start, end = match.span()
        gap = False
        while gaps and gaps[0] < start:  # every mark before the word is taken off, once
            if gaps.pop(0) >= previous_end:
                gap = True
        # ``text`` keeps brackets that wrap the word, so a slice of a quote shows its editing.
        bracketed = inside is not None and all(
            inside[i] for i in range(start, end) if text[i].isalnum()
        )
        found.append(Word(written, norm, start, end, bracketed, gap))
        previous_end = end
    return tuple(found)


def words(text: str) -> list[Word]:
    """The words of ``text`` in order, each with its norm and its offsets into ``text``."""
    return list(_tokens(text))


def has_ellipsis(text: str) -> bool:
    """Does ``text`` mark an omission with an ellipsis (anywhere, including its ends)?"""
    return _ELLIPSIS.search(text) is not None


# A negative contraction, as ``words`` normalises it, and the word it negates.
CONTRACTED = {"cannot": "can", "cant": "can", "wont": "will", "dont": "do", "doesnt": "does",
              "didnt": "did", "isnt": "is", "arent": "are", "wasnt": "was", "werent": "were",
              "couldnt": "could", "shouldnt": "should", "wouldnt": "would", "hasnt": "has",
              "havent": "have", "hadnt": "had", "mustnt": "must", "neednt": "need",
              "aint": "are"}


def uncontracted(norm: str) -> str:
    """A normalised word with its negative contraction written out ("arent" -> "arenot"),
    as words that differ only by spacing are compared: "aren't" is "are not"."""
    base = CONTRACTED.get(norm)
    return norm if base is None else base + "not"
