"""The plain data that flows from readers to passages to bulk actions.

Readers produce ``Document``s; passage splitting turns each into ``Passage``s;
quote extraction attaches ``Quote``s. Nothing here does I/O.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

DOC_TYPES = ("article", "transcript", "speech")
# How much of a date its source gave, coarsest first: a General Debate speech is dated by its
# year, a meeting record by its day. Stored beside the date, which Elasticsearch indexes as
# the first instant of its period ("2019" is 1 January 2019), so that no day or month finer
# than this is ever shown or counted for it.
DATE_PRECISIONS = ("year", "month", "day")
_YEAR = re.compile(r"-?\d{4}")
_MONTH = re.compile(r"-?\d{4}-\d{2}")


@dataclass(frozen=True)
class Speaker:
    """Who is speaking, as a UN record or an attribution names them."""

    name: str  # "Mueller", "Ursula Mueller", "The President"
    title: str | None = None  # "Ms.", "Mr.", "Mrs."
    country: str | None = None  # country or organisation: "Russian Federation"
    language: str | None = None  # "Russian" from "(spoke in Russian)"
    role: str | None = None  # "The President", "Secretary-General"

    @property
    def display(self) -> str:
        """The speaker as shown to users: "Ms. Mueller", "The President"."""
        return f"{self.title} {self.name}" if self.title else self.name


@dataclass(frozen=True)
class Segment:
    """A stretch of a document's text that passages must not cross: one speaker turn, or the
    whole body. ``start``/``end`` are character offsets into ``Document.text``."""

    start: int
    end: int
    speaker: Speaker | None = None


@dataclass(frozen=True)
class Quote:
    """A quoted span and who said it; offsets are into ``Document.text``."""

    text: str
    speaker: str | None
    start: int
    end: int


@dataclass
class Document:
    """One article, transcript or speech as read from its source."""

    doc_id: str
    doc_type: str  # one of DOC_TYPES
    text: str
    title: str | None = None
    date: str | None = None  # ISO yyyy-mm-dd, yyyy-mm or yyyy: as precise as its source
    source: str | None = None  # outlet, or the UN body
    url: str | None = None
    author: str | None = None
    speaker: Speaker | None = None  # for a speech: its speaker
    symbol: str | None = None  # "S/PV.8734"
    topic: str | None = None  # agenda item or meeting topic
    segments: list[Segment] = field(default_factory=list)  # empty: the whole text is one segment
    quotes: list[Quote] = field(default_factory=list)
    metadata: dict[str, Any] = field(default_factory=dict)
    origin: str = ""  # "path/to/file.jsonl:12" for error messages and the dead-letter file
    notices: list[str] = field(default_factory=list)  # dead-letter notes, not failures


def date_precision(date: str | None) -> str | None:
    """``year``, ``month`` or ``day`` for a date in the index's formats (``yyyy``, ``yyyy-MM``,
    a date with or without a time), by how much of it is written; None without a date."""
    if not date or not date.strip():
        return None
    text = date.strip()
    if _YEAR.fullmatch(text):
        return "year"
    return "month" if _MONTH.fullmatch(text) else "day"


@dataclass(frozen=True)
class Passage:
    """A piece of a document small enough for the model, with its place in the document."""

    doc_id: str
    number: int  # 0-based position in the document
    text: str
    start: int
    end: int
    speaker: Speaker | None = None
    quotes: tuple[Quote, ...] = ()


class RecordError(ValueError):
    """One input record cannot be indexed; ``origin`` says where it is, the message why."""

    def __init__(self, origin: str, reason: str) -> None:
        super().__init__(f"{origin}: {reason}")
        self.origin = origin
        self.reason = reason


@dataclass(frozen=True)
class Skipped:
    """An input we deliberately do not index (not an error), reported in the summary."""

    origin: str
    reason: str


Item = Document | RecordError | Skipped
