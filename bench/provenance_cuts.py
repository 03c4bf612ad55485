"""Quotes with a long silent cut: a clause or a sentence or two left out, without a mark,
between two stretches of a speaker's words ("Hospitals, schools, camps are not being spared"
for "Hospitals, schools, camps and other sites where displaced families have sought shelter
are not being spared"). Every quoted word is the speaker's, in order: ``trimmed``.

And their counterpart, ``spliced``: the opening of one sentence run on into the closing words
of a later one, the words between left out silently ("Russia is responsible for [these
strikes. ...] the attack on the hospital"). Every word is the speaker's, in order, but the
sentence is not: ``altered``.

Drawn after the other kinds of ``provenance_cases``, with generators of their own, so that
adding them changed none of the others.
"""

from __future__ import annotations

import random
from typing import Any

from bench.provenance_cases import (
    _REJECT,
    _SENTENCE,
    Corpus,
    Speech,
    _article_date,
    _speaker_for,
    expectation,
    origin,
)

LONG_CUTS = 20
SPLICES = 20
KEPT_WORDS = (4, 10)  # words kept before and after the cut, each
CUT_WORDS = (11, 30)  # words left out: past the 3-10 of the ``trimmed`` kind
TRIES_PER_SPEECH = 6


def long_cut_cases(speeches: list[Speech], corpus: Corpus, rng: random.Random,
                   wanted: int = LONG_CUTS, kind: str = "trimmed_long") -> list[dict[str, Any]]:
    """Spans of Security Council and General Debate speeches (alternately) with one long
    inner run of words left out; each expects its kind's verdict (``trimmed``, or ``altered``
    for ``spliced``) and its speech."""
    pool = [s for s in speeches if len(s.statement) >= 400]
    rng.shuffle(pool)
    cases: list[dict[str, Any]] = []
    for speech in pool:
        if len(cases) == wanted:
            break
        if (speech.symbol is not None) != (len(cases) % 2 == 0):
            continue
        shape = "spliced" if kind == "spliced" else "whole" if len(cases) % 2 else "clause"
        edited = _cut(speech, corpus, rng, shape)
        if edited is None:
            continue
        speaker = _speaker_for(speech, len(cases))
        cases.append({
            "id": f"{kind}-{len(cases) + 1:03d}", "kind": kind,
            "text": " ".join(edited), "speaker": speaker,
            "date": _article_date(speech, rng, len(cases), before=False),
            "expect": expectation(kind, speech, speaker is not None),
            "origin": origin(speech)})
    return cases


def _cut(speech: Speech, corpus: Corpus, rng: random.Random, shape: str) -> list[str] | None:
    """The speech condensed at one place, 11-30 words left out: ``whole``, a sentence and a
    later one with the sentences between them left out; ``clause``, a sentence's opening
    words up to a clause's end (a comma, or before "and", "which", "where" ...) and its
    closing words; ``spliced``, such an opening and the closing words of a later sentence.
    None when the speech has no such place that is unique to it."""
    sentences = [s.split() for s in _SENTENCE.split(speech.statement)]
    starts = [sum(len(s) for s in sentences[:i]) for i in range(len(sentences))]
    words = [w for s in sentences for w in s]
    order = list(range(len(sentences)))
    rng.shuffle(order)
    for first in order[:TRIES_PER_SPEECH]:
        start = starts[first]
        heads = [len(sentences[first])] if shape == "whole" else _clause_ends(sentences[first])
        heads = [h for h in heads if KEPT_WORDS[0] <= h <= KEPT_WORDS[1] * 2]
        if not heads:
            continue
        head = rng.choice(heads)
        later = {"whole": range(first + 1, len(sentences)), "clause": range(first, first + 1),
                 "spliced": range(first + 1, len(sentences))}[shape]
        tails = []
        for other in later:
            end = starts[other] + len(sentences[other])
            lengths = [len(sentences[other])] if shape == "whole" else range(*KEPT_WORDS)
            for tail in lengths:
                if CUT_WORDS[0] <= end - tail - start - head <= CUT_WORDS[1] \
                        and tail < len(sentences[other]) + (shape == "whole"):
                    tails.append((end, tail))
        if not tails:
            continue
        end, tail = rng.choice(tails)
        span = words[start:end]
        if _REJECT.search(" ".join(span)) or not corpus.unique_span(span):
            continue
        edited = span[:head] + span[len(span) - tail:]
        if shape != "whole":
            edited[head - 1] = edited[head - 1].rstrip(",")  # the clause's comma, not a stop
        if not corpus.count(" ".join(edited)):
            return edited
    return None


def _clause_ends(sentence: list[str]) -> list[int]:
    """Word counts at which a clause of the sentence may end: after a comma, before a
    conjunction or a relative pronoun."""
    return [i + 1 for i, word in enumerate(sentence[:-1])
            if word.endswith(",") or sentence[i + 1].lower() in _CLAUSE_OPENERS]


_CLAUSE_OPENERS = {"and", "but", "which", "where", "who", "that", "while", "because", "as"}
