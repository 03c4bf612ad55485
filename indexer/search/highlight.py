"""Highlights for passages found by meaning: the sentence(s) closest to the query, marked.

Elasticsearch marks the query's words; a passage the semantic leg found may hold none of
them, and would show as plain text. Such passages get their closest sentences marked
instead. Only the page shown is encoded, with the model's cheap token-embedding average.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from indexer.text.passages import split_sentences

MAX_SENTENCES_PER_PASSAGE = 12
# Sentences this close to the best one are marked with it (a point made over two sentences).
TIE_MARGIN = 0.03

Span = tuple[int, int]
Encode = Callable[[Sequence[str]], Any]  # texts -> one row per text (an array)

log = logging.getLogger(__name__)


def mark_spans(text: str, spans: Sequence[Span]) -> str:
    """``text`` HTML-escaped, with the given character spans wrapped in <mark>."""
    out: list[str] = []
    cursor = 0
    for start, end in sorted(spans):
        if start < cursor:
            continue
        out.append(html.escape(text[cursor:start]))
        out.append("<mark>" + html.escape(text[start:end]) + "</mark>")
        cursor = end
    out.append(html.escape(text[cursor:]))
    return "".join(out)


def sentence_spans(text: str) -> list[Span]:
    """The sentences of a passage that are scored (the first few; the whole text if none)."""
    return split_sentences(text)[:MAX_SENTENCES_PER_PASSAGE] or [(0, len(text))]


def closest(scores: Sequence[float], spans: Sequence[Span]) -> list[Span]:
    """The spans whose score is within ``TIE_MARGIN`` of the best, in text order."""
    best = max(scores)
    return [span for span, score in zip(spans, scores, strict=True) if score >= best - TIE_MARGIN]


def mark_semantic(encode: Encode, q: str, results: list[dict[str, Any]]) -> None:
    """Mark, in place, the sentence(s) closest to ``q`` in results that have no keyword marks.

    ``encode`` is the model's cheap encoder. Highlighting is a courtesy: if the model fails,
    the passages are shown unmarked (and the failure is logged), never an error.
    """
    todo = [(result, sentence_spans(result["passage"]["text"]))
            for result in results if not result["passage"]["highlights"]]
    sentences = [result["passage"]["text"][a:b] for result, spans in todo for a, b in spans]
    if not sentences:
        return
    try:
        matrix = np.asarray(encode(sentences))
        probe = np.asarray(encode([q]))[0]
    except Exception as exc:  # any model failure: the passages are shown unmarked, logged
        log.warning("Semantic highlights skipped: the model could not encode the page's "
                    "sentences (%s: %s)", type(exc).__name__, exc, exc_info=True)
        for result, _ in todo:
            result["passage"]["highlights"] = [html.escape(result["passage"]["text"])]
        return
    # Compared in the token-embedding space both sides were averaged in.
    scores = [float(s) for s in matrix @ probe]
    cursor = 0
    for result, spans in todo:
        local = scores[cursor:cursor + len(spans)]
        cursor += len(spans)
        result["passage"]["highlights"] = [mark_spans(result["passage"]["text"],
                                                      closest(local, spans))]
