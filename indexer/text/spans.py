"""Spans of text as ``(start, end)`` offsets: the helpers that sentences, passages, quotes and
transcript turns share, so that all of them agree on where a span's words begin and end.

Every offset indexes the text exactly as it was read; nothing here copies or changes it.
"""

from __future__ import annotations


def trim_span(text: str, start: int, end: int) -> tuple[int, int]:
    """The span without the whitespace at either end (``start == end`` when it is all blank)."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def trimmed(text: str, start: int, end: int) -> tuple[int, int] | None:
    """The span without the whitespace at either end; None when nothing else is left."""
    start, end = trim_span(text, start, end)
    return (start, end) if start < end else None


def line_end(text: str, at: int, end: int | None = None) -> int:
    """Where the line holding ``text[at]`` ends: its newline, or ``end`` (the text's end)."""
    end = len(text) if end is None else end
    newline = text.find("\n", at, end)
    return end if newline < 0 else newline
