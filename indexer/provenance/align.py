"""Word-level alignment of a quotation against a candidate source text, and its diff.

Each distinct normalised word becomes one character, so both texts become short strings and
rapidfuzz's Indel distance (a longest common subsequence) does the matching: it keeps as many
quote words in order as the source allows. A common subsequence over a whole passage can pick
stray common words far from the quoted span (a ``the`` three sentences earlier), so the matched
blocks are grouped into clusters of nearby blocks, the strongest cluster is kept, and the
alignment is redone inside it (twice: once on the cluster with room around it, so that quote
words an earlier stray match took can find their real place, and once on the final span).
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from typing import Literal

from rapidfuzz import fuzz
from rapidfuzz.distance import Indel

from indexer.provenance.normalize import Word, _tokens, has_ellipsis

OpName = Literal["equal", "replace", "insert", "delete"]

# Two neighbouring matched blocks belong to one quoted span when the source words skipped between
# them (beyond the quote's own words there) are at most this many per matched word of the smaller
# block: a stray ``the`` may not pull the span 4 words away, a 6-word run may skip an 18-word
# clause, a typical silent trim.
SKIP_PER_MATCHED_WORD = 3
# Two blocks of at least this many words each may be further apart, up to MAX_SILENT_CUT_WORDS:
# a reporter silently leaves out a clause or a sentence or two between two runs of the
# speaker's words ("Hospitals, schools, camps [and other sites where ...] are not being
# spared"), and runs that long, in order, are not strays.
SILENT_CUT_BLOCK_WORDS = 3
MAX_SILENT_CUT_WORDS = 40
# Across an ellipsis the quote says words were left out, so any distance is allowed, once the
# block beyond it is at least this long (a lone common word is still taken for a stray).
ELLIPSIS_BLOCK_WORDS = 2
# Source words kept around the first cluster, beyond the quote words it left unmatched, when the
# alignment is redone there.
WINDOW_PAD_WORDS = 3
# Source words past the span that the quote's last unmatched words may respell (``inneed``).
SPACING_WORDS = 2
# align() gives up (None) below this many matched words (or the whole quote, if shorter) ...
MIN_ANCHOR_WORDS = 2
# ... or when fewer than this share of the quote's own (unbracketed) words are matched.
MIN_ALIGNED_SHARE = 0.3

_CODE_BASE = 0x100  # word codes start past Latin-1; vocabularies stay far below the surrogates


@dataclass(frozen=True)
class DiffOp:
    """One step of the diff, each side as written in its own text ("" where it has no words)."""

    op: OpName
    quote: str
    source: str
    editorial: bool = False  # insert/replace whose quote words are all bracketed insertions
    # A sentence ends right after this step's last word, in the quote and in the source: a
    # silent cut after a quote's full stop leaves out the rest of a sentence, one without
    # joins two sentences' halves into one (``grade._splices``).
    quote_ends: bool = False
    source_ends: bool = False
    source_pauses: bool = False  # a clause ends there in the source (a comma, a dash ...)


@dataclass(frozen=True)
class Alignment:
    """The best local alignment of a quote with a source text."""

    start: int  # char offsets of the aligned span in the source text
    end: int
    ops: tuple[DiffOp, ...]  # covers the whole quote and the aligned source span, in order
    quote_words: int
    source_words: int  # words of the aligned source span
    matched: int  # quote words equal to a source word
    # rapidfuzz Indel normalized similarity of the quote's and the span's words, 0..1, not
    # counting source words left out at the quote's ellipses
    similarity: float
    ellipsis: bool  # the quote marks an omission (..., …, . . .)
    bracketed: int  # quote words inside [...] (editorial insertions)


@dataclass(frozen=True)
class _Block:
    src: int
    quote: int
    size: int


def _encode(quote: tuple[Word, ...], source: tuple[Word, ...]) -> tuple[str, str]:
    codes: dict[str, str] = {}
    for word in (*quote, *source):
        if word.norm not in codes:
            codes[word.norm] = chr(_CODE_BASE + len(codes))
    return "".join(codes[w.norm] for w in quote), "".join(codes[w.norm] for w in source)


def _blocks(pairs: list[tuple[int, int]]) -> list[_Block]:
    """Runs of matches that are consecutive in both texts."""
    blocks: list[_Block] = []
    for qi, si in pairs:
        last = blocks[-1] if blocks else None
        if last is not None and last.quote + last.size == qi and last.src + last.size == si:
            blocks[-1] = _Block(last.src, last.quote, last.size + 1)
        else:
            blocks.append(_Block(si, qi, 1))
    return blocks


def _skip(a: list[_Block], b: list[_Block]) -> int:
    """Source words between two clusters beyond the quote words between them."""
    last, first = a[-1], b[0]
    return (first.src - last.src - last.size) - (first.quote - last.quote - last.size)


def _linked(a: list[_Block], b: list[_Block], quote: tuple[Word, ...]) -> bool:
    smaller = min(sum(x.size for x in a), sum(x.size for x in b))
    skip = _skip(a, b)
    if skip <= SKIP_PER_MATCHED_WORD * smaller:
        return True
    if smaller >= SILENT_CUT_BLOCK_WORDS and skip <= MAX_SILENT_CUT_WORDS:
        return True
    elided = any(w.gap_before for w in quote[a[-1].quote + a[-1].size: b[0].quote + 1])
    return elided and smaller >= ELLIPSIS_BLOCK_WORDS


def _best_cluster(blocks: list[_Block], quote: tuple[Word, ...]) -> list[_Block] | None:
    """The group of linked neighbouring blocks with most matched words (then the shortest).

    Neighbours merge closest first, so that ``are`` + ``being spared`` first make a group
    strong enough to join a long run a clause away, while a lone stray word never is."""
    clusters = [[block] for block in blocks]
    while True:
        pairs = [(_skip(clusters[i], clusters[i + 1]), i) for i in range(len(clusters) - 1)
                 if _linked(clusters[i], clusters[i + 1], quote)]
        if not pairs:
            break
        _, i = min(pairs)
        clusters[i: i + 2] = [clusters[i] + clusters[i + 1]]

    def strength(cluster: list[_Block]) -> tuple[int, int]:
        extent = cluster[-1].src + cluster[-1].size - cluster[0].src
        return sum(b.size for b in cluster), -extent

    return max(clusters, key=strength) if clusters else None


def _segments(quote: tuple[Word, ...], q: str) -> list[str]:
    """The quote's coded words cut at each ellipsis: the parts that stand together in the source."""
    cuts = [i for i, w in enumerate(quote) if w.gap_before and i > 0]
    bounds = [0, *cuts, len(q)]
    return [q[i:j] for i, j in itertools.pairwise(bounds) if j > i]


def _window(quote: tuple[Word, ...], q: str, s: str) -> tuple[int, int]:
    """Source words worth aligning against: where rapidfuzz's best partial match of each part of
    the quote lies (each part after the one before), with room for words the quote left out.

    A common subsequence over a whole record would pick among many equally long, scattered
    ones; a window around the best-matching stretch keeps it to the quoted place."""
    lo, hi, at = len(s), 0, 0
    for part in _segments(quote, q):
        if len(part) >= len(s) - at:
            found = at, len(s)
        else:
            hit = fuzz.partial_ratio_alignment(part, s[at:])
            if hit is None or hit.score == 0:
                continue
            found = at + hit.dest_start, at + hit.dest_end
        lo, hi, at = min(lo, found[0]), max(hi, found[1]), found[1]
    if hi <= lo:
        return 0, len(s)
    room = len(q) + MAX_SILENT_CUT_WORDS
    return max(0, lo - room), min(len(s), hi + room)


def _span(quote: tuple[Word, ...], q: str, s: str) -> tuple[int, int] | None:
    """Source word range of the quoted span, or None when no cluster exists."""
    gaps = [w.gap_before for w in quote]
    lo, hi = _window(quote, q, s)
    for _ in range(2):
        pairs = _packed(_pairs(q, s, lo, hi), s, gaps)
        cluster = _best_cluster(_blocks(pairs), quote)
        if cluster is None:
            return None
        first, last = cluster[0], cluster[-1]
        span = first.src, last.src + last.size
        lo = max(0, span[0] - first.quote - WINDOW_PAD_WORDS)
        hi = min(len(s), span[1] + len(q) - last.quote - last.size + WINDOW_PAD_WORDS)
    return span


def _text(text: str, ws: tuple[Word, ...], i: int, j: int) -> str:
    return text[ws[i].start: ws[j - 1].end] if j > i else ""


def _kind(qw: tuple[Word, ...], sw: tuple[Word, ...], q0: int, q1: int, s0: int, s1: int
          ) -> OpName:
    """What a run of unmatched words is; words that differ only by spacing are equal."""
    if "".join(w.norm for w in qw[q0:q1]) == "".join(w.norm for w in sw[s0:s1]):
        return "equal"  # ``could not``/``couldnot``, ``north western``/``northwestern``
    if q1 > q0 and s1 > s0:
        return "replace"
    return "insert" if q1 > q0 else "delete"


def _diff(quote: str, source: str, qw: tuple[Word, ...], sw: tuple[Word, ...],
          steps: list[tuple[str, int, int, int, int]]) -> tuple[tuple[DiffOp, ...], int]:
    """DiffOps from Indel steps (tag, source i..j, quote i..j), and the quote words matched.
    Neighbouring deletes and inserts merge into one replace."""
    ops: list[DiffOp] = []
    matched = 0
    k = 0
    while k < len(steps):
        _, s0, s1, q0, q1 = steps[k]
        if steps[k][0] == "equal":
            kind: OpName = "equal"
        else:
            while k + 1 < len(steps) and steps[k + 1][0] != "equal":
                k += 1
                s1, q1 = steps[k][2], steps[k][4]
            kind = _kind(qw, sw, q0, q1, s0, s1)
        if kind == "equal":
            matched += q1 - q0
        editorial = kind in ("insert", "replace") and all(w.bracketed for w in qw[q0:q1])
        ops.append(DiffOp(kind, _text(quote, qw, q0, q1), _text(source, sw, s0, s1), editorial,
                          _ends_sentence(quote, qw, q1), _ends_sentence(source, sw, s1),
                          _ends_sentence(source, sw, s1, _CLAUSE_END)))
        k += 1
    return tuple(ops), matched


_SENTENCE_END = re.compile(r"[.!?]")
_CLAUSE_END = re.compile(r"[,;:.!?()\u2013\u2014]")


def _ends_sentence(text: str, ws: tuple[Word, ...], j: int,
                   mark: re.Pattern[str] = _SENTENCE_END) -> bool:
    """Whether a sentence (or with ``_CLAUSE_END``, a clause) ends between word ``j - 1`` and
    the next word (or the text's end)."""
    if j <= 0:
        return False
    after = text[ws[j - 1].end: ws[j].start if j < len(ws) else len(text)]
    return bool(mark.search(after))


def _pairs(q: str, s: str, lo: int, hi: int) -> list[tuple[int, int]]:
    """Matched (quote word, source word) pairs of rapidfuzz's Indel alignment on ``lo:hi``."""
    return [(op.dest_start + k, op.src_start + lo + k) for op in Indel.opcodes(s[lo:hi], q)
            if op.tag == "equal" for k in range(op.src_end - op.src_start)]


def _packed(pairs: list[tuple[int, int]], s: str, gaps: list[bool]) -> list[tuple[int, int]]:
    """The same matches with ties resolved towards their neighbours.

    A longest common subsequence may take a word from an earlier or later repeat (``Idlib
    governorate. Idlib Central``, the ``We`` after an ellipsis): such a match moves to the
    repeat that joins it to the next quote word's match (or, failing that, to the previous
    one's), and a first or last match moves as close to the others as it can. ``gaps`` marks
    quote words after an ellipsis: those belong with what follows."""
    out = _runs_joined(pairs, s)
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


def _runs_joined(pairs: list[tuple[int, int]], s: str) -> list[tuple[int, int]]:
    """The matches with each run of them moved onto the latest repeat of its words before the
    next run, where there is one: of "We do not want to leave. We want to stay", the quote
    "We want to stay" takes the second "We want to", not the first and a cut "do not ...";
    of a phrase said twice, the quote's continuation picks the nearer. The span only
    shrinks. Word by word, :func:`_packed` would not break a run to move it."""
    blocks = _blocks(pairs)
    for i in range(len(blocks) - 2, -1, -1):
        block, after = blocks[i], blocks[i + 1]
        if after.quote != block.quote + block.size:
            continue  # quote words between them: the run has no place to join
        words = s[block.src: block.src + block.size]
        at = s.rfind(words, block.src + 1, after.src)
        if at < 0:
            continue
        if at + block.size == after.src:
            blocks[i: i + 2] = [_Block(at, block.quote, block.size + after.size)]
        else:
            blocks[i] = _Block(at, block.quote, block.size)
    return [(b.quote + k, b.src + k) for b in blocks for k in range(b.size)]


def _sentence_cuts(pairs: list[tuple[int, int]], s: str,
                   ends: list[bool]) -> list[tuple[int, int]]:
    """The matches with each silent cut that crosses a sentence's end slid, where the words
    allow, to leave whole sentences out: "... downstream. We [call for ... Agreement. We] are
    concerned" is "... downstream. [We call for ... Agreement.] We are concerned". A run's
    last words move onto the same words at the cut's end; ``ends[j]``: a sentence ends after
    source word ``j``."""
    out = list(pairs)
    for i in range(len(out) - 1):
        (qi, si), (qn, sn) = out[i], out[i + 1]
        if qn != qi + 1 or sn == si + 1 or (ends[si] and ends[sn - 1]):
            continue  # no cut, or one of whole sentences already
        for k in range(1, i + 2):
            q0, s0 = out[i - k + 1]
            if (q0, s0) != (qi - k + 1, si - k + 1) or s[s0] != s[sn - k]:
                break  # the run ends, or its words are not the cut's last words
            if s0 > 0 and ends[s0 - 1] and ends[sn - k - 1]:
                for t in range(k):
                    out[i - t] = (qi - t, sn - 1 - t)
                break
    return out


def _steps(pairs: list[tuple[int, int]], quote_len: int) -> list[tuple[str, int, int, int, int]]:
    """(tag, source i..j, quote i..j) runs of the alignment between the first and last match."""
    steps: list[tuple[str, int, int, int, int]] = []
    q_at, s_at = 0, pairs[0][1]
    for qi, si in pairs:
        if qi > q_at:
            steps.append(("insert", s_at, s_at, q_at, qi))
        if si > s_at:
            steps.append(("delete", s_at, si, qi, qi))
        if steps and steps[-1][0] == "equal" and steps[-1][2] == si and steps[-1][4] == qi:
            steps[-1] = ("equal", steps[-1][1], si + 1, steps[-1][3], qi + 1)
        else:
            steps.append(("equal", si, si + 1, qi, qi + 1))
        q_at, s_at = qi + 1, si + 1
    if q_at < quote_len:
        steps.append(("insert", s_at, s_at, q_at, quote_len))
    return steps


def _absorb_tail(steps: list[tuple[str, int, int, int, int]], qw: tuple[Word, ...],
                 sw: tuple[Word, ...], hi: int) -> int:
    """Take in source words just past the span that the quote's unmatched last words spell with
    other spacing (``in need`` for the transcript's ``inneed``); the new span end."""
    if not steps or steps[-1][0] != "insert":
        return hi
    _, _, _, q0, q1 = steps[-1]
    for k in range(1, min(SPACING_WORDS, len(sw) - hi) + 1):
        spelt = "".join(w.norm for w in sw[hi: hi + k])
        for m in range(1, q1 - q0 + 1):
            if spelt == "".join(w.norm for w in qw[q0: q0 + m]):
                steps[-1:] = [("insert", hi, hi, q0, q0 + m), ("delete", hi, hi + k, q0 + m, q0 + m)]
                if q0 + m < q1:
                    steps.append(("insert", hi + k, hi + k, q0 + m, q1))
                return hi + k
    return hi


def _unelided(s: str, steps: list[tuple[str, int, int, int, int]], qw: tuple[Word, ...],
              lo: int, hi: int) -> str:
    """The span's coded words less those left out where the quote shows an ellipsis: a quote
    that marks its omissions is as close to its source as one that left nothing out."""
    keep = [True] * (hi - lo)
    q_done = 0
    for tag, s0, s1, _, q1 in steps:
        if tag == "delete" and any(w.gap_before for w in qw[q_done: q1 + 1]):
            keep[s0 - lo: s1 - lo] = [False] * (s1 - s0)
        if tag == "equal":
            q_done = q1
    return "".join(ch for ch, kept in zip(s[lo:hi], keep, strict=True) if kept)


def align(quote: str, source: str) -> Alignment | None:
    """The best local alignment of ``quote`` in ``source``; None when too little of it is there."""
    qw, sw = _tokens(quote), _tokens(source)
    own = sum(not w.bracketed for w in qw)
    if not own or not sw:
        return None
    q, s = _encode(qw, sw)
    span = _span(qw, q, s)
    if span is None:
        return None
    lo, hi = span
    pairs = _packed(_pairs(q, s, lo, hi), s, [w.gap_before for w in qw])
    pairs = _sentence_cuts(pairs, s, [_ends_sentence(source, sw, j + 1) for j in range(len(sw))])
    if len(pairs) < min(MIN_ANCHOR_WORDS, own) or len(pairs) < MIN_ALIGNED_SHARE * own:
        return None
    lo, hi = pairs[0][1], pairs[-1][1] + 1
    steps = _steps(pairs, len(q))
    hi = _absorb_tail(steps, qw, sw, hi)
    ops, matched = _diff(quote, source, qw, sw, steps)
    return Alignment(
        start=sw[lo].start,
        end=sw[hi - 1].end,
        ops=ops,
        quote_words=len(qw),
        source_words=hi - lo,
        matched=matched,
        similarity=Indel.normalized_similarity(_unelided(s, steps, qw, lo, hi), q),
        ellipsis=has_ellipsis(quote),
        bracketed=len(qw) - own,
    )
