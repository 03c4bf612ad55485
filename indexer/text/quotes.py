"""Quotations and who said them: quoted spans in news text, and speaker turns in transcripts.

News text is read with the conventions of wire copy. Only double quote marks delimit quotes
(straight ``"``, curly ``“ ”``, guillemets ``« »``): single marks are left alone, because in
English text they are overwhelmingly apostrophes (``Assad's``, ``don't``, ``rebels’``). A quote
that is still open at the end of a paragraph continues when the next paragraph opens with a
quote mark, and otherwise ends with its paragraph. The speaker comes from the attribution in
the same paragraph: first the words after the quote (``," she said``, ``," said X``,
``," X said``, ``," according to X``), then the clause before it (``X said "…"``, ``X told
the Council that "…"``, ``X added that … "routine."``, ``according to X, "…"``). Pronouns
resolve to the person last named before the quote, and a surname to the full name seen
earlier. A quote without an attribution borrows the speaker of the quote before it in its
paragraph (``"…," she said. "…"``) and otherwise keeps ``None``: quotes are never dropped.

Names are found by ``names``, and sentences by the one splitter, ``passages.split_sentences``.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass

from indexer.documents import Document, Quote
from indexer.text.names import (
    AUXILIARIES,
    Mention,
    find_mentions,
    named_before_verb,
    named_first,
)
from indexer.text.passages import split_sentences
from indexer.text.spans import line_end, trim_span, trimmed

_OPENERS = "\"“«"
_CURLY_CLOSERS = "”»"
_BLANK = " \t\r\f\v\n\u00a0,"  # a quote of nothing but these is no quote: '" ,"'
_HEAD_CHARS = 600  # an attribution before a quote is in its sentence: never look further back
_NOT_NEWLINE = re.compile(r"[^\n]")
_MARK = re.compile(r"[\"“”«»]")
_VERBS = (
    "said|says|say|added|adds|told|tells|stated|states|noted|notes|warned|warns|stressed"
    "|stresses|urged|urges|insisted|insists|explained|explains|declared|declares|wrote|writes"
    "|asked|asks|replied|replies|continued|continues"
)
_VERB = re.compile(rf"\b(?:{_VERBS})\b")
_AUX = rf"(?:(?:{'|'.join(sorted(AUXILIARIES))})\s+)*"
_TAIL_SAID_X = re.compile(rf"[\s,—–-]*(?:{_VERBS})\s+(?P<subj>[^;!?\n]{{1,160}})")
_TAIL_X_SAID = re.compile(rf"[\s,—–-]*(?P<subj>\S(?:[^;!?\n]{{0,140}}?\S)?)\s+{_AUX}(?:{_VERBS})\b")
_ACCORDING = re.compile(r"\baccording to\s+(?P<subj>[^;!?\n]{1,160})", re.IGNORECASE)


@dataclass(frozen=True)
class _Span:
    pieces: tuple[tuple[int, int], ...]  # the quoted words, one piece per paragraph
    mark_start: int  # the opening mark
    mark_end: int  # just past the closing mark (the paragraph's end when it never closes)
    closed: bool


def extract_quotes(text: str) -> list[Quote]:
    """Every double-quoted span in ``text``, in order, with its speaker or ``None``.

    ``Quote.text`` is the quoted words without the quote marks, trailing punctuation kept as
    written except a trailing comma (``"…casualties," she said`` gives ``…casualties``);
    ``start``/``end`` span those words in ``text``. For a quote over several paragraphs the
    span runs from the first word to the last, and ``text`` keeps the paragraph breaks but
    not the quote marks that re-open each paragraph.
    """
    spans = _quote_spans(text)
    if not spans:
        return []
    masked = _mask(text, spans)
    reading = _Reading(text, masked, spans, find_mentions(masked))
    quotes: list[Quote] = []
    previous: tuple[int, str | None] = (-1, None)  # paragraph start, speaker of the last quote
    for span in spans:
        para_start = text.rfind("\n", 0, span.mark_start) + 1
        para_end = line_end(text, span.mark_end)
        speaker = _attribution(reading, span, para_start, para_end)
        if speaker is None and previous[0] == para_start:
            speaker = previous[1]  # '"…," she said. "…"': the second quote is hers too
        previous = (para_start, speaker)
        quotes.append(_quote(text, span, speaker))
    return quotes


def turn_statement_quotes(doc: Document) -> list[Quote]:
    """One quote per speaker turn of a transcript: a turn is its speaker's own statement.

    The quote is the whole turn, however long (``actions.clipped_quotes`` cuts it to each
    passage when indexing), attributed to the speaker's display name ("Ms. Mueller"). Segments
    without a speaker (a title page) or without text give no quote.
    """
    out: list[Quote] = []
    for segment in doc.segments:
        if segment.speaker is None:
            continue
        span = trimmed(doc.text, segment.start, segment.end)
        if span:
            start, end = span
            out.append(Quote(doc.text[start:end], segment.speaker.display, start, end))
    return out


def _quote_spans(text: str) -> list[_Span]:
    """Pair the quote marks paragraph by paragraph (see the module docstring)."""
    spans: list[_Span] = []
    pieces: list[tuple[int, int]] = []  # the quote in progress, carried across paragraphs
    mark_start = 0
    open_at: int | None = None  # where the open quote's words start in this paragraph
    pos = 0
    for line in text.split("\n"):
        line_start, line_stop = pos, pos + len(line)
        pos = line_stop + 1
        if not line.strip():
            continue
        marks = [m.start() for m in _MARK.finditer(text, line_start, line_stop)]
        if pieces:
            first = line_start + len(line) - len(line.lstrip())
            if marks and marks[0] == first and text[first] in _OPENERS:
                open_at, marks = first + 1, marks[1:]  # re-opened: the same quote goes on
            else:
                spans.append(_Span(tuple(pieces), mark_start, pieces[-1][1], closed=False))
                pieces = []
        for at in marks:
            mark = text[at]
            if open_at is None:
                if mark in "“«" or (mark == '"' and at + 1 < line_stop and not text[at + 1].isspace()):
                    open_at, mark_start = at + 1, at
                continue  # a closing mark with nothing open is stray
            if mark in "“«":  # a new opening while open: the earlier quote was never closed
                pieces.append((open_at, at))
                spans.append(_Span(tuple(pieces), mark_start, at, closed=False))
                pieces, open_at, mark_start = [], at + 1, at
            elif mark == '"' or mark in _CURLY_CLOSERS:
                pieces.append((open_at, at))
                spans.append(_Span(tuple(pieces), mark_start, at + 1, closed=True))
                pieces, open_at = [], None
        if open_at is not None:
            pieces.append((open_at, line_stop))
            open_at = None
    if pieces:
        spans.append(_Span(tuple(pieces), mark_start, pieces[-1][1], closed=False))
    return [s for s in spans if any(text[a:b].strip(_BLANK) for a, b in s.pieces)]


def _quote(text: str, span: _Span, speaker: str | None) -> Quote:
    pieces = [trim_span(text, a, b) for a, b in span.pieces]
    a, b = pieces[-1]
    if b > a and text[b - 1] == ",":
        pieces[-1] = trim_span(text, a, b - 1)
    pieces = [(a, b) for a, b in pieces if a < b]
    start, end = pieces[0][0], pieces[-1][1]
    words = text[start:end]
    if len(span.pieces) > 1:  # drop the marks that re-open each later paragraph
        reopen = {a - 1 - start for a, _ in span.pieces[1:]}
        words = "".join(c for i, c in enumerate(words) if i not in reopen)
    return Quote(text=words, speaker=speaker, start=start, end=end)


def _mask(text: str, spans: Sequence[_Span]) -> str:
    """``text`` with every quote blanked out, so that names and verbs inside quotes are never
    taken for attributions, while offsets stay the same."""
    parts: list[str] = []
    done = 0
    for span in spans:
        parts.append(text[done:span.mark_start])
        parts.append(_NOT_NEWLINE.sub(" ", text[span.mark_start:span.mark_end]))
        done = span.mark_end
    parts.append(text[done:])
    return "".join(parts)


@dataclass(frozen=True)
class _Reading:
    """A text as attribution reads it: its quotes, the names in it, and ``masked``, the text
    with its quotes blanked out (see ``_mask``)."""

    text: str
    masked: str
    spans: Sequence[_Span]
    mentions: Sequence[Mention]

    def sentences(self, start: int, end: int) -> list[tuple[int, int]]:
        """The sentences of ``text[start:end]``, each quotation read as one word: a sentence
        that starts inside a quote ('"We must stop. Now," he said') is joined to the one
        before it. The text is split, not the masked text, so that a full stop before a
        quote ('Abu Omar. "The regime…" against') ends its sentence however long the quote."""
        joined: list[tuple[int, int]] = []
        for begin, stop in split_sentences(self.text, start, end):
            if joined and self._inside_quote(begin):
                joined[-1] = (joined[-1][0], stop)
            else:
                joined.append((begin, stop))
        return joined

    def clause(self, offset: int, subj: str) -> str:
        """The subject ``subj`` (at ``offset``) up to the end of its sentence."""
        sentences = self.sentences(offset, offset + len(subj))
        return subj[: sentences[0][1] - offset] if sentences else subj

    def _inside_quote(self, at: int) -> bool:
        """Whether ``at`` is inside a quote, after its opening mark."""
        index = bisect_right(self.spans, at, key=lambda span: span.mark_start) - 1
        return index >= 0 and self.spans[index].mark_start < at < self.spans[index].mark_end


def _attribution(reading: _Reading, span: _Span, para_start: int, para_end: int) -> str | None:
    """The speaker named around the quote: after it first, then before it."""
    return _named_after(reading, span, para_end) or _named_before(reading, span, para_start)


def _named_after(reading: _Reading, span: _Span, para_end: int) -> str | None:
    """The speaker the words after the quote name: '," she said', '," said X', '," X said',
    '," according to X'."""
    text, mentions, quote_at = reading.text, reading.mentions, span.mark_start
    tail = reading.masked[span.mark_end:para_end] if span.closed else ""
    # '"…stop." Pedersen said' starts a new sentence; '"…stop?" Pedersen asked' does not.
    last = trim_span(text, *span.pieces[-1])[1]
    new_sentence = last > 0 and text[last - 1] == "."
    if not tail.strip() or (new_sentence and tail.lstrip()[:1].isupper()):
        return None
    for pattern in (_TAIL_X_SAID, _TAIL_SAID_X):
        m = pattern.match(tail)
        if m is None:
            continue
        offset = span.mark_end + m.start("subj")
        if pattern is _TAIL_X_SAID:
            subj = m["subj"]
            if len(reading.sentences(offset, offset + len(subj))) > 1:
                continue  # the subject is in another sentence: '," he said. X said'
        else:
            subj = reading.clause(offset, m["subj"])
        speaker = named_first(offset, subj, quote_at, mentions,
                              before_verb=pattern is _TAIL_X_SAID)
        if speaker:
            return speaker
    stripped = tail.lstrip(" ,—–-")
    m = _ACCORDING.match(stripped)
    if m:
        offset = span.mark_end + len(tail) - len(stripped) + m.start("subj")
        return named_first(offset, reading.clause(offset, m["subj"]), quote_at, mentions)
    return None


def _named_before(reading: _Reading, span: _Span, para_start: int) -> str | None:
    """The speaker the clause before the quote names: 'X said "…"', 'X told the Council that
    "…"', 'according to X, "…"'."""
    quote_at, mentions = span.mark_start, reading.mentions
    head_at = max(para_start, quote_at - _HEAD_CHARS)
    # The clause is the sentence the quote is in, or the one it follows ('X said. "…"').
    sentences = reading.sentences(head_at, quote_at)
    clause_at = sentences[-1][0] if sentences else head_at
    clause = reading.masked[clause_at:quote_at]
    m = _ACCORDING.search(clause)
    if m:
        offset = clause_at + m.start("subj")
        speaker = named_first(offset, reading.clause(offset, m["subj"]), quote_at, mentions)
        if speaker:
            return speaker
    verbs = list(_VERB.finditer(clause))
    if verbs:
        return named_before_verb(clause_at, clause[: verbs[-1].start()], quote_at, mentions)
    return None
