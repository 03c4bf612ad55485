"""The wording verdict of an alignment: verbatim, trimmed, altered, or no close wording (None).

The thresholds below were chosen by reasoning and the unit cases, not yet on a labelled set;
they are module constants so that the calibration can change them in one place.
"""

from __future__ import annotations

from typing import Literal

from indexer.provenance.align import Alignment, DiffOp
from indexer.provenance.normalize import CONTRACTED as _CONTRACTED
from indexer.provenance.normalize import words
from indexer.provenance.ties import CLAUSE_END
from indexer.text.passages import split_sentences
from indexer.text.stemming import NEGATIONS

Wording = Literal["verbatim", "trimmed", "altered"]

# Below this share of the quote's own (unbracketed) words found in the span, the wording is not
# close: a reporter's altered quote keeps most words (the seed keeps 12 of 13), while reported
# speech shares only its key nouns with the source. The semantic score decides from there.
CLOSE_WORDING_SHARE = 0.6
# At least this many quote words (or all of a shorter quote) must match ...
MIN_MATCHED_WORDS = 3
# ... and this many must stand together: scattered common words ("the", "of", "in") are not a
# source's wording.
MIN_RUN_WORDS = 3
# Without an ellipsis, the quote's matched words must be at least this share of the source span
# (a quote that silently skips more source words than it keeps is not close wording), unless
# its only changes are cuts, each between runs of at least MIN_RUN_WORDS words: a clause or a
# sentence left out between two stretches of the speaker's words, in order, is a trim.
MIN_SPAN_SHARE = 0.5


def _count(text: str) -> int:
    return len(words(text))


def _close(alignment: Alignment) -> bool:
    """Is enough of the quote's wording in the span for a wording verdict?"""
    own = alignment.quote_words - alignment.bracketed
    if own <= 0:
        return False
    matched = alignment.matched
    longest = max((_count(op.quote) for op in alignment.ops if op.op == "equal"), default=0)
    return (
        matched >= CLOSE_WORDING_SHARE * own
        and matched >= min(MIN_MATCHED_WORDS, own)
        and longest >= min(MIN_RUN_WORDS, own)
        and (alignment.ellipsis or matched >= MIN_SPAN_SHARE * alignment.source_words
             or _cut_between_runs(alignment))
    )


def _cut_between_runs(alignment: Alignment) -> bool:
    ops = alignment.ops
    for i, op in enumerate(ops):
        if op.op == "equal":
            continue
        if op.op != "delete" or i == 0 or i == len(ops) - 1:
            return False
        if min(_count(ops[i - 1].quote), _count(ops[i + 1].quote)) < MIN_RUN_WORDS:
            return False
    return True


# Leaving out a negation (NEGATIONS) reverses what was said, so it alters the quote even as a
# trim. But a cut of more words than this is a clause left out ("..., and neither should
# relief."), not a negation taken from the words that remain.
NEGATION_CUT_WORDS = 2


def _drops_negation(op: DiffOp) -> bool:
    if op.op != "delete":
        return False
    cut = words(op.source)
    return len(cut) <= NEGATION_CUT_WORDS and any(w.norm in NEGATIONS for w in cut)


def _affirmed(side: str) -> tuple[list[str], bool]:
    """A side of a diff step without its negations (contractions undone), and whether it had
    one."""
    kept, negated = [], False
    for word in words(side):
        if word.norm in _CONTRACTED:
            kept.append(_CONTRACTED[word.norm])
            negated = True
        elif word.norm in NEGATIONS:
            negated = True
        else:
            kept.append(word.norm)
    return kept, negated


def flips_negation(alignment: Alignment) -> bool:
    """Does the quote take a negation out of words it shares with the span, or put one in
    ("are [not] being spared", "they are / aren't being spared")?

    The paraphrase step compares meanings, and a sentence and its negation are close in
    meaning to the model: a quote that says the record's words with their "not" gone is
    graded there, so it is asked this of its closest sentence's passage. Only a step that is
    the negation and nothing else counts (the words on both sides the same once it is taken
    out), between matched words, with at least ``MIN_RUN_WORDS`` of them around it:
    "failed to" for "did not" says the same thing in other words, and "hospitals were being
    hit" shares no such run with "are not being spared"."""
    ops = alignment.ops
    for before, op, after in zip(ops, ops[1:], ops[2:], strict=False):
        if before.op != "equal" or after.op != "equal" or op.op == "equal":
            continue
        if _count(before.quote) + _count(after.quote) < MIN_RUN_WORDS:
            continue
        (quote, quote_negated), (source, source_negated) = _affirmed(op.quote), _affirmed(op.source)
        if quote == source and quote_negated != source_negated:
            return True
    return False


def wording_verdict(alignment: Alignment) -> Wording | None:
    """verbatim, trimmed or altered; None when the quote's wording is not close to the span."""
    if not _close(alignment):
        return None
    ops = alignment.ops
    if all(op.op == "equal" for op in ops):
        return "verbatim"
    for i, op in enumerate(ops):
        if op.op == "equal":
            continue
        editorial = op.op in ("insert", "replace") and op.editorial
        if not (op.op == "delete" or editorial) or _drops_negation(op):
            return "altered"
        if op.op == "delete" and not alignment.ellipsis and i > 0 and (
                _splices(ops[i - 1], op) or _cuts_a_turn(ops[i - 1], op)):
            return "altered"
    return "trimmed"


# Words that turn what follows against what came before: a silent cut holding one, inside a
# sentence of the quote, joins the two sides of a "but" ("We support the resolution's aim.
# However, we cannot support the text" cut to "We support the text").
CONTRASTS = frozenset({"but", "however", "although", "though", "yet", "except", "unless",
                       "nevertheless", "nonetheless", "whereas", "despite", "instead", "rather"})


def _cuts_a_turn(before: DiffOp, cut: DiffOp) -> bool:
    """A silent cut of a clause or more, inside one of the quote's sentences, whose negation
    or contrast reaches past it into the words kept: what is left may say the opposite of what
    was said ("... aim. However, we cannot support [the text]"). One whose clause closes
    inside the cut does not ("in [which Syrians must no longer live in fear, is essential]
    to"). A cut of a negation alone: ``_drops_negation``; a cut after the quote's full stop
    leaves out the end of a sentence ("lines[, and neither should relief]. We support")."""
    left_out = words(cut.source)
    if before.quote_ends or len(left_out) <= NEGATION_CUT_WORDS:
        return False
    turns = [w for w in left_out
             if w.norm in NEGATIONS or w.norm in CONTRASTS or w.norm in _CONTRACTED]
    return bool(turns) and not (CLAUSE_END.search(cut.source, turns[-1].end)
                                or cut.source_pauses)


def _splices(before: DiffOp, cut: DiffOp) -> bool:
    """A silent cut across a sentence's end that makes one sentence of two halves: the quote
    runs on across it ("Russia is responsible for [these strikes. ... the opposition was
    responsible for] the attack"), or picks up again in the middle of a sentence. Whole
    sentences left out, or a sentence's end left out after the quote's full stop, are trims."""
    if not cut.source_ends and len(split_sentences(cut.source)) < 2:
        return False  # within one sentence: a clause left out ("1.4 million", "Mr. X" too)
    return not cut.source_ends or not (before.quote_ends or before.source_ends)
