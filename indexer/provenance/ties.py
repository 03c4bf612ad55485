"""Ties between equally long alignments, resolved towards how people quote.

A longest common subsequence of the quote's and the source's words has many equals: a word
or a run said twice can be matched at either place, and a silent cut can sit a word earlier
or later. ``align`` takes rapidfuzz's one and tidies it here, moving matches (never changing
how many) so that they stand together, where the quote goes on, and so that a cut leaves out
whole sentences where the words allow.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from indexer.provenance.normalize import Word
from indexer.text.passages import is_sentence_end


@dataclass(frozen=True)
class Block:
    src: int
    quote: int
    size: int


def block_runs(pairs: list[tuple[int, int]]) -> list[Block]:
    """Runs of matches that are consecutive in both texts."""
    blocks: list[Block] = []
    for qi, si in pairs:
        last = blocks[-1] if blocks else None
        if last is not None and last.quote + last.size == qi and last.src + last.size == si:
            blocks[-1] = Block(last.src, last.quote, last.size + 1)
        else:
            blocks.append(Block(si, qi, 1))
    return blocks


_SENTENCE_END = re.compile(r"[.!?]")
CLAUSE_END = re.compile(r"[,;:.!?()\u2013\u2014]")


def ends_sentence(text: str, ws: tuple[Word, ...], j: int,
                  mark: re.Pattern[str] = _SENTENCE_END) -> bool:
    """Whether a sentence (or with ``CLAUSE_END``, a clause) ends between word ``j - 1`` and
    the next word (or the text's end). A full stop ends one as the passage splitter says: not
    after "Mr." or an initial."""
    if j <= 0:
        return False
    gap_end = ws[j].start if j < len(ws) else len(text)
    found = mark.search(text, ws[j - 1].end, gap_end)
    if found is None:
        return False
    return mark is not _SENTENCE_END or is_sentence_end(text, found.start(), found.end(),
                                                        len(text))


def packed(pairs: list[tuple[int, int]], s: str, gaps: list[bool]) -> list[tuple[int, int]]:
    """The same matches with ties resolved towards their neighbours.

    A longest common subsequence may take a word from an earlier or later repeat (``Idlib
    governorate. Idlib Central``, the ``We`` after an ellipsis): such a match moves to the
    repeat that joins it to the next quote word's match (or, failing that, to the previous
    one's), and a first or last match moves as close to the others as it can. ``gaps`` marks
    quote words after an ellipsis: those belong with what follows."""
    out = runs_joined(pairs, s)
    n = len(out)
    for i in range(n - 2, -1, -1):  # towards the next match
        (qi, si), (qn, sn) = out[i], out[i + 1]
        if i > 0 and not gaps[qi] and out[i - 1] == (qi - 1, si - 1):
            continue
        if qn == qi + 1 and sn - 1 > si and s[sn - 1] == s[si]:
            out[i] = (qi, sn - 1)
        elif i == 0 and (later := s.rfind(s[si], si + 1, sn)) >= 0:
            out[i] = (qi, later)
    for i in range(1, n):  # towards the previous match
        (qp, sp), (qi, si) = out[i - 1], out[i]
        if gaps[qi] or (i < n - 1 and out[i + 1] == (qi + 1, si + 1)):
            continue
        if qp == qi - 1 and sp + 1 < si and s[sp + 1] == s[si]:
            out[i] = (qi, sp + 1)
        elif i == n - 1 and (earlier := s.find(s[si], sp + 1, si)) >= 0:
            out[i] = (qi, earlier)
    return out


def runs_joined(pairs: list[tuple[int, int]], s: str) -> list[tuple[int, int]]:
    """The matches with each run of them moved onto the latest repeat of its words before the
    next run, where there is one: of "We do not want to leave. We want to stay", the quote
    "We want to stay" takes the second "We want to", not the first and a cut "do not ...";
    of a phrase said twice, the quote's continuation picks the nearer. The span only
    shrinks. Word by word, :func:`packed` would not break a run to move it."""
    blocks = block_runs(pairs)
    for i in range(len(blocks) - 2, -1, -1):
        block, after = blocks[i], blocks[i + 1]
        if after.quote != block.quote + block.size:
            continue  # quote words between them: the run has no place to join
        words = s[block.src: block.src + block.size]
        at = s.rfind(words, block.src + 1, after.src)
        if at < 0:
            continue
        if at + block.size == after.src:
            blocks[i: i + 2] = [Block(at, block.quote, block.size + after.size)]
        else:
            blocks[i] = Block(at, block.quote, block.size)
    return [(b.quote + k, b.src + k) for b in blocks for k in range(b.size)]


def sentence_cuts(pairs: list[tuple[int, int]], s: str,
                  ends: Callable[[int], bool]) -> list[tuple[int, int]]:
    """The matches with each silent cut that crosses a sentence's end slid, where the words
    allow, to leave whole sentences out: "... downstream. We [call for ... Agreement. We] are
    concerned" is "... downstream. [We call for ... Agreement.] We are concerned". A run's
    last words move onto the same words at the cut's end; ``ends(j)``: a sentence ends after
    source word ``j`` (asked only at cuts: most alignments have none)."""
    out = list(pairs)
    for i in range(len(out) - 1):
        (qi, si), (qn, sn) = out[i], out[i + 1]
        if qn != qi + 1 or sn == si + 1 or (ends(si) and ends(sn - 1)):
            continue  # no cut, or one of whole sentences already
        for k in range(1, i + 2):
            q0, s0 = out[i - k + 1]
            if (q0, s0) != (qi - k + 1, si - k + 1) or s[s0] != s[sn - k]:
                break  # the run ends, or its words are not the cut's last words
            if s0 > 0 and ends(s0 - 1) and ends(sn - k - 1):
                for t in range(k):
                    out[i - t] = (qi - t, sn - 1 - t)
                break
    return out
