"""Paraphrase: the record says what the claim says, in other words.

Reported speech ("Mueller said hospitals were being hit") carries a reporting frame that the
record never has; the frame is taken off before the claim is compared. The comparison is the
model's cosine between the claim and each sentence of a candidate passage, and each pair of
adjacent sentences (a report often condenses two), because a passage's own vector averages
some 250 tokens of which the claim matches one sentence.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from indexer.model.embedder import Embedder
from indexer.provenance.sources import Candidate
from indexer.text.passages import split_sentences

_VERBS = (r"said|says|say|told|tells|warned|warns|stressed|stresses|noted|notes|added|adds|"
          r"argued|argues|insisted|insists|urged|urges|recounted|recounts|explained|explains|"
          r"described|describes|reported|reports|complained|complains|claimed|claims|"
          r"acknowledged|acknowledges|pointed out|made clear|announced|announces|recalled|"
          r"called on|called for|asked|asks|accused|accuses|welcomed|welcomes|praised|praises|"
          r"criticized|criticised|criticizes|criticises|condemned|condemns|expressed|expresses")
# "Mueller said (that)", "The ambassador told the Council (that)", "According to X,"
_FRAME = re.compile(
    rf"^(?:according to [^,;:.]{{1,80}},\s*"
    rf"|[^,;:.\"“]{{1,80}}?\b(?:{_VERBS})\b(?:\s+(?:the|a)\s+\w+(?:\s+\w+)?)?\s+(?:that|how)\s+"
    rf"|[^,;:.\"“]{{1,60}}?\b(?:{_VERBS})\b\s+)",
    re.IGNORECASE)
MIN_CONTENT_WORDS = 4
MIN_SENTENCE_CHARS = 15
PAIRED_PASSAGES = 6  # adjacent sentence pairs are compared in the best few passages only
# The model runs on this many windows at most, those closest by averaged token vectors
# (``Embedder.encode_sentences_cheaply``, no transformer): a full encode of every window of
# a dozen passages costs over a second on a laptop CPU.
FULL_ENCODE_MAX = 16


@dataclass(frozen=True)
class Match:
    """The sentence (or two) of a passage closest in meaning to the claim."""

    candidate: Candidate
    cosine: float
    start: int
    end: int


def reported_content(text: str) -> str:
    """The claim without its reporting frame, when enough words are left."""
    stripped = _FRAME.sub("", text.strip(), count=1)
    return stripped if len(stripped.split()) >= MIN_CONTENT_WORDS else text.strip()


def windows(candidate: Candidate, *, pairs: bool) -> list[tuple[int, int]]:
    """Each sentence of the passage, and each two adjacent ones when ``pairs``."""
    spans = [(a, b) for a, b in split_sentences(candidate.text, 0, len(candidate.text))
             if b - a >= MIN_SENTENCE_CHARS]
    if pairs:
        spans += [(spans[i][0], spans[i + 1][1]) for i in range(len(spans) - 1)]
    return spans


def closest(embedder: Embedder, claim: str, pool: Sequence[Candidate]) -> list[Match]:
    """For each candidate, its window closest in meaning to ``claim``, best first."""
    texts: list[tuple[Candidate, int, int]] = []
    for rank, candidate in enumerate(pool):
        for start, end in windows(candidate, pairs=rank < PAIRED_PASSAGES):
            texts.append((candidate, start, end))
    if not texts:
        return []
    if len(texts) > FULL_ENCODE_MAX:
        cheap = embedder.encode_sentences_cheaply([claim] + [c.text[a:b] for c, a, b in texts])
        order = np.argsort(-(cheap[1:] @ cheap[0]))[:FULL_ENCODE_MAX]
        texts = [texts[i] for i in sorted(order.tolist())]
    claim_vector = embedder.encode_queries([claim])[0]
    vectors = embedder.encode_passages([c.text[a:b] for c, a, b in texts])
    cosines = vectors @ claim_vector / (
        np.linalg.norm(vectors, axis=1) * np.linalg.norm(claim_vector) + 1e-9)
    best: dict[str, Match] = {}
    for (candidate, start, end), cosine in zip(texts, cosines.tolist(), strict=True):
        if candidate.key not in best or cosine > best[candidate.key].cosine:
            best[candidate.key] = Match(candidate, float(cosine), start, end)
    return sorted(best.values(), key=lambda m: -m.cosine)
