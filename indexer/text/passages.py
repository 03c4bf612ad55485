"""Sentences and passages: a document cut into pieces the model reads whole.

A passage is a run of whole sentences from one segment (one speaker turn, or the body), as
long as the token budget allows. Nothing is ever truncated: a sentence longer than the budget
is cut at word boundaries (inside a word only when one word alone is over it).

Token counting is the expensive part, so each sentence is counted once and a passage's size is
estimated as the sum of its sentences' counts. The tokenizers we use split on whitespace
before anything else (WordPiece does), so the sum is normally exact; each packed passage is
still counted once for real, and when the real count is over the budget the passage gives
back its last sentence until it fits. That is about one call per sentence plus one per
passage, instead of one per sentence per growing passage.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from indexer.documents import Document, Passage, Quote, Segment
from indexer.text import lexicon
from indexer.text.spans import line_end, trim_span, trimmed

# Never the end of a sentence: titles before a name ("Mr. Pedersen", "Gen. Smith"), after it
# ("King Jr. said"), "St. Petersburg", "e.g. the".
_TITLES = lexicon.lowered(lexicon.HONORIFICS, lexicon.PLURAL_HONORIFICS,
                          lexicon.TITLE_ABBREVIATIONS, lexicon.NAME_SUFFIXES,
                          lexicon.PLACE_ABBREVIATIONS, lexicon.INNER_ABBREVIATIONS)
# The end of a sentence only when the next word plainly starts one ("…in the U.S. The …"):
# "Feb. 27", "No. 5", "U.N. Security Council", "Acme Inc. said".
_AMBIGUOUS = lexicon.lowered(lexicon.AMBIGUOUS_ABBREVIATIONS) | {
    f"{short.lower()}." for short in lexicon.MONTH_ABBREVIATIONS}
_STARTERS = frozenset({
    "The", "A", "An", "It", "He", "She", "They", "We", "I", "This", "That", "These", "Those",
    "There", "In", "On", "At", "But", "And", "Its", "His", "Her", "Their", "Our", "However",
    "Meanwhile", "After", "Before", "When", "While", "If", "As", "For", "Some", "Many", "Most",
})
_INITIAL = re.compile(r"[A-Z]\.")
_DOTTED = re.compile(r"(?:[A-Za-z]\.){2,}")  # U.N., U.S., U.K.
# Full stops, question and exclamation marks, with any closing quotes or brackets after them
# ('." He'), followed by a space; or a full stop that lost its space in extraction
# ("north-west.Secondly").
_END = re.compile(r"[.!?\u2026]+[\"'\u201d\u2019)\]]*(?=\s)|(?<=[a-z]{3}\.)(?=[A-Z][a-z])")


def split_sentences(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """The sentences of ``text[start:end]`` as ``(start, end)`` offsets into ``text``,
    whitespace trimmed. A line break always ends a sentence."""
    end = len(text) if end is None else end
    spans: list[tuple[int, int]] = []
    pos = start
    while pos < end:
        stop = line_end(text, pos, end)
        begin = pos
        for m in _END.finditer(text, pos, stop):
            if is_sentence_end(text, m.start(), m.end(), stop):
                _add(text, begin, m.end(), spans)
                begin = m.end()
        _add(text, begin, stop, spans)
        pos = stop + 1
    return spans


def is_sentence_end(text: str, mark: int, after: int, stop: int) -> bool:
    """Whether the punctuation at ``text[mark:after]`` ends a sentence (on a line that ends at
    ``stop``)."""
    rest = text[after:min(stop, after + 40)].lstrip()
    if not rest:
        return True
    if rest[0].islower():
        return False  # '"Why?" she asked', 'e.g. the'
    if text[mark] != "." or text[mark + 1:after].startswith("."):
        return True  # "?", "!" or an ellipsis
    word_start = max(text.rfind(" ", 0, mark), text.rfind("\n", 0, mark)) + 1
    word = text[word_start:mark + 1].lstrip("([\"'\u201c\u2018")
    lower = word.lower()
    if lower in _TITLES or _INITIAL.fullmatch(word):
        return False
    if lower in _AMBIGUOUS or _DOTTED.fullmatch(word):
        next_word = re.match(r"[\"'\u201c\u2018(]?([A-Za-z]+)", rest)
        return next_word is not None and next_word.group(1) in _STARTERS
    return True


def _add(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> None:
    span = trimmed(text, start, end)
    if span:
        spans.append(span)


def quotes_in_range(quotes: Sequence[Quote], start: int, end: int) -> tuple[Quote, ...]:
    """The quotes that share at least one character with ``[start, end)``, in their order:
    the quotes a passage carries."""
    return tuple(q for q in quotes if q.start < end and q.end > start)


@dataclass(frozen=True)
class _Unit:
    """A sentence, or a piece of one too long for a passage, with its token count."""

    start: int
    end: int
    tokens: int  # count_tokens of its text, less the counter's fixed overhead


def split_passages(doc: Document, *, count_tokens: Callable[[str], int], max_tokens: int,
                   target_tokens: int | None = None,
                   overlap_sentences: int = 0) -> list[Passage]:
    """The document's passages, in order: whole sentences of one segment each, packed up to
    ``target_tokens`` (default ``max_tokens``) and never over ``max_tokens`` by
    ``count_tokens``; with ``overlap_sentences``, each passage of a segment after the first
    repeats the previous one's last sentences (as many as fit)."""
    if max_tokens < 1:
        raise ValueError(f"max_tokens must be at least 1, not {max_tokens}")
    target = max_tokens if target_tokens is None else target_tokens
    if not 1 <= target <= max_tokens:
        raise ValueError(f"target_tokens must be between 1 and max_tokens, not {target}")
    if overlap_sentences < 0:
        raise ValueError(f"overlap_sentences must be 0 or more, not {overlap_sentences}")
    text = doc.text
    # A counter that adds special tokens counts them once per call: subtract them from each
    # sentence so that they are not summed once per sentence.
    overhead = count_tokens("")
    segments = doc.segments or [Segment(0, len(text))]
    passages: list[Passage] = []
    for segment in segments:
        units: list[_Unit] = []
        for start, end in split_sentences(text, segment.start, segment.end):
            units.extend(_fit(text, start, end, count_tokens, max_tokens, overhead))
        for first, last in _pack(text, units, count_tokens, overhead, target, max_tokens,
                                 overlap_sentences):
            start, end = units[first].start, units[last - 1].end
            passages.append(Passage(doc_id=doc.doc_id, number=len(passages),
                                    text=text[start:end], start=start, end=end,
                                    speaker=segment.speaker,
                                    quotes=quotes_in_range(doc.quotes, start, end)))
    return passages


def _fit(text: str, start: int, end: int, count_tokens: Callable[[str], int], max_tokens: int,
         overhead: int) -> list[_Unit]:
    """The sentence ``text[start:end]`` as one unit, or cut into pieces within ``max_tokens``:
    at word boundaries, and inside a word only where a word alone is too long."""
    units: list[_Unit] = []
    tokens = count_tokens(text[start:end])
    while tokens > max_tokens:
        # Aim for an even share of the remaining tokens, then halve until the head fits.
        guess = max(start + 1, min(end - 1, start + (end - start) * max_tokens // tokens))
        while True:
            cut = _word_boundary(text, start, guess, end)
            head_end = trim_span(text, start, cut)[1]
            head_tokens = count_tokens(text[start:head_end])
            if head_tokens <= max_tokens:
                break
            if cut - start <= 1:
                raise ValueError(f"one character is over max_tokens={max_tokens}: "
                                 f"{text[start:cut]!r}")
            guess = start + (cut - start) // 2
        units.append(_Unit(start, head_end, head_tokens - overhead))
        start = trim_span(text, cut, end)[0]
        # Counting the whole rest after every cut would be quadratic in a very long sentence:
        # estimate it by subtraction, and count it once the estimate comes near the budget.
        tokens = tokens - (head_tokens - overhead)
        if tokens <= 2 * max_tokens or start >= end:
            tokens = count_tokens(text[start:end])
    if start >= end:
        return units
    units.append(_Unit(start, end, tokens - overhead))
    return units


def _word_boundary(text: str, start: int, guess: int, end: int) -> int:
    """The last whitespace after ``start`` and at or before ``guess``; ``guess`` itself when
    the text from ``start`` to it is one word."""
    for at in range(min(guess, end - 1), start, -1):
        if text[at].isspace():
            return at
    return guess


def _pack(text: str, units: list[_Unit], count_tokens: Callable[[str], int], overhead: int,
          target: int, max_tokens: int, overlap: int) -> list[tuple[int, int]]:
    """Greedy packing of units into passages, as ``[first, last)`` unit ranges."""
    ranges: list[tuple[int, int]] = []
    fresh = 0  # the first unit no passage has yet
    first = 0
    while fresh < len(units):
        # Start with the overlap, as much of it as leaves room for the first fresh unit.
        size = overhead + sum(u.tokens for u in units[first:fresh + 1])
        while first < fresh and size > target:
            size -= units[first].tokens
            first += 1
        last = fresh + 1
        while last < len(units) and size + units[last].tokens <= target:
            size += units[last].tokens
            last += 1
        while last - first > 1:
            size = count_tokens(text[units[first].start:units[last - 1].end])
            if size <= max_tokens:
                break
            if last - 1 > fresh:
                last -= 1  # the estimate was short: give back the last sentence
            else:
                first += 1  # only overlap and one fresh unit: drop the overlap
        ranges.append((first, last))
        fresh = last
        first = max(first + 1, last - overlap)
    return ranges
