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
from dataclasses import dataclass
from typing import Literal

from rapidfuzz import fuzz
from rapidfuzz.distance import Indel

from indexer.provenance.normalize import Word, _tokens, has_ellipsis, uncontracted
from indexer.provenance.ties import (
    CLAUSE_END,
    Block,
    block_runs,
    ends_sentence,
    packed,
    sentence_cuts,
)

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


def _encode(quote: tuple[Word, ...], source: tuple[Word, ...]) -> tuple[str, str]:
    codes: dict[str, str] = {}
    for word in (*quote, *source):
        if word.norm not in codes:
            codes[word.norm] = chr(_CODE_BASE + len(codes))
    return "".join(codes[w.norm] for w in quote), "".join(codes[w.norm] for w in source)


def _skip(a: list[Block], b: list[Block]) -> int:
    """Source words between two clusters beyond the quote words between them."""
    last, first = a[-1], b[0]
    return (first.src - last.src - last.size) - (first.quote - last.quote - last.size)


def _linked(a: list[Block], b: list[Block], quote: tuple[Word, ...]) -> bool:
    smaller = min(sum(x.size for x in a), sum(x.size for x in b))
    skip = _skip(a, b)
    if skip <= SKIP_PER_MATCHED_WORD * smaller:
        return True
    if smaller >= SILENT_CUT_BLOCK_WORDS and skip <= MAX_SILENT_CUT_WORDS:
        return True
    elided = any(w.gap_before for w in quote[a[-1].quote + a[-1].size: b[0].quote + 1])
    return elided and smaller >= ELLIPSIS_BLOCK_WORDS


def _best_cluster(blocks: list[Block], quote: tuple[Word, ...]) -> list[Block] | None:
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

    def strength(cluster: list[Block]) -> tuple[int, int]:
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
        pairs = packed(_pairs(q, s, lo, hi), s, gaps)
        cluster = _best_cluster(block_runs(pairs), quote)
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
    """What a run of unmatched words is; words that differ only by spacing, or by a negative
    contraction written out, are equal."""
    if "".join(uncontracted(w.norm) for w in qw[q0:q1]) == \
            "".join(uncontracted(w.norm) for w in sw[s0:s1]):
        return "equal"  # ``could not``/``couldnot``/``couldn't``, ``north western``
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
                          ends_sentence(quote, qw, q1), ends_sentence(source, sw, s1),
                          ends_sentence(source, sw, s1, CLAUSE_END)))
        k += 1
    return tuple(ops), matched


def _pairs(q: str, s: str, lo: int, hi: int) -> list[tuple[int, int]]:
    """Matched (quote word, source word) pairs of rapidfuzz's Indel alignment on ``lo:hi``."""
    return [(op.dest_start + k, op.src_start + lo + k) for op in Indel.opcodes(s[lo:hi], q)
            if op.tag == "equal" for k in range(op.src_end - op.src_start)]


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
    pairs = packed(_pairs(q, s, lo, hi), s, [w.gap_before for w in qw])
    pairs = sentence_cuts(pairs, s, lambda j: ends_sentence(source, sw, j + 1))
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
