"""Spans as offsets: trimming and line ends, shared by sentences, passages, quotes and turns."""

from __future__ import annotations

import pytest

from indexer.text.spans import line_end, trim_span, trimmed

pytestmark = pytest.mark.unit


def test_trim_span_drops_whitespace_at_both_ends_only() -> None:
    text = "  two words \n"
    assert trim_span(text, 0, len(text)) == (2, 11)
    assert text[2:11] == "two words"
    assert trim_span(text, 4, 9) == (4, 9)


def test_a_blank_span_trims_to_nothing() -> None:
    assert trim_span(" \t\n ", 0, 4) == (4, 4)
    assert trimmed(" \t\n ", 0, 4) is None
    assert trimmed("a ", 0, 2) == (0, 1)


def test_line_end_is_the_next_newline_or_the_end() -> None:
    text = "one\ntwo\nthree"
    assert line_end(text, 0) == 3
    assert line_end(text, 4) == 7
    assert line_end(text, 8) == len(text)
    assert line_end(text, 0, 2) == 2  # no newline before the given end
