"""What every record must be before it is indexed, whatever reader produced it.

The rules, stated once (README, Operations):

* every string of a record is valid Unicode: a lone surrogate (``"\\ud800"`` in scraped JSON, or
  an id that was not UTF-8) makes the record a dead letter, never a crash;
* a record nests at most ``MAX_DEPTH`` levels (JSON deeper than that is a dead letter);
* a document id is at most ``MAX_ID_BYTES`` bytes of UTF-8, and is a string or an integer;
* a document id is not a dot segment (``.``, ``..``, or one once percent-decoded: ``%2e``,
  ``.%2E``...): a browser resolves it in any link to the document, which then leaves
  /documents/;
* ``NaN``, ``Infinity`` and ``-Infinity`` are not JSON, but pandas writes ``NaN`` for a
  missing value (the UN speeches' unknown speakers): each is read as null, no value, as are
  the placeholder strings "nan", "none", "null" (any case) in a name field or an id (whose
  record the file and line then name);
* a date outside ``EARLIEST_YEAR``..``LATEST_YEAR`` is a placeholder, not a date: the
  document is indexed without one, the original kept as ``metadata.date_original``, and the
  dead-letter file notes it (a notice, not a failure);
* a file name that is not valid UTF-8 is read, and shown (in origins and ids derived from it)
  with its undecodable bytes as ``\\xNN``.
"""

from __future__ import annotations

import math
import os
from typing import Any
from urllib.parse import unquote

from indexer.documents import Document, RecordError

MAX_ID_BYTES = 512  # Elasticsearch's own limit for an _id; ids are also sent in resume queries
MAX_DEPTH = 32  # levels of nested lists/objects in one record
EARLIEST_YEAR = 1800
LATEST_YEAR = 2100
DOT_SEGMENTS = frozenset({".", ".."})  # what a URL parser removes from a path, however encoded
PLACEHOLDERS = frozenset({"nan", "none", "null", "n/a", "-nan", "inf", "infinity", "-infinity"})


def printable(text: str) -> str:
    """``text`` as valid UTF-8: bytes a file name could not decode (surrogate escapes) become
    ``\\xNN``, and any other lone surrogate ``\\udNNN``."""
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        pass
    try:
        return os.fsencode(text).decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:
        return text.encode("utf-8", "backslashreplace").decode("utf-8")


def no_value(name: str) -> None:
    """``json.loads(parse_constant=...)``: ``NaN`` and ``Infinity`` are null (see above)."""
    return None


def finite_or_none(text: str) -> float | None:
    """``json.loads(parse_float=...)``: a number too large for a float (``1e999``) is no
    value, as ``Infinity`` is, instead of an infinity that no field can hold."""
    value = float(text)
    return value if math.isfinite(value) else None


def is_placeholder(value: Any) -> bool:
    """True for a value that stands for "no value": None, blank, NaN, "nan", "None", "null"."""
    if value is None:
        return True
    if isinstance(value, float) and value != value:
        return True
    return isinstance(value, str) and (not value.strip() or value.strip().lower() in PLACEHOLDERS)


def record_problem(record: Any) -> str | None:
    """Why a decoded record cannot be indexed (too deep, not valid Unicode), or None."""
    stack: list[tuple[Any, int]] = [(record, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, str):
            reason = _string_problem(value)
            if reason:
                return reason
        elif isinstance(value, dict | list):
            if depth > MAX_DEPTH:
                return f"the record nests deeper than {MAX_DEPTH} levels"
            children = list(value.items()) if isinstance(value, dict) else value
            for child in children:
                if isinstance(child, tuple):
                    stack.append((child[0], depth))
                    stack.append((child[1], depth + 1))
                else:
                    stack.append((child, depth + 1))
    return None


def _string_problem(value: str) -> str | None:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        char = value[exc.start]
        return (f"not valid Unicode: a lone surrogate (U+{ord(char):04X}) at character "
                f"{exc.start}; fix the source (it may come from text cut in the middle of an "
                "emoji, or from bytes that were not UTF-8)")
    return None


def id_problem(raw: Any) -> str | None:
    """Why a record's id field cannot be a document id, or None (a string or an integer)."""
    if isinstance(raw, bool) or not isinstance(raw, str | int):
        return (f"the id must be a string or an integer, not {type(raw).__name__} "
                f"({_short(raw)})")
    return None


def check_document(doc: Document) -> Document | RecordError:
    """The document, with an implausible date dropped (and noted); or why it cannot be indexed."""
    size = len(doc.doc_id.encode("utf-8", "surrogatepass"))
    if size > MAX_ID_BYTES:
        return RecordError(doc.origin, f"the document id has {size:,} bytes, over the limit of "
                           f"{MAX_ID_BYTES}: {_short(doc.doc_id)}")
    if is_dot_segment(doc.doc_id):
        return RecordError(doc.origin, f"the document id {_short(doc.doc_id)} is a URL dot "
                           "segment (a browser resolves it in the document's link); "
                           "give the record another id")
    problem = record_problem([doc.doc_id, doc.text, doc.title, doc.source, doc.url, doc.author,
                              doc.symbol, doc.topic, doc.date, *_speaker_strings(doc)])
    problem = problem or record_problem(doc.metadata)
    if problem:
        return RecordError(doc.origin, problem)
    if doc.date and not plausible_date(doc.date):
        doc.metadata["date_original"] = doc.date
        doc.notices.append(f"date {doc.date!r} is outside {EARLIEST_YEAR}..{LATEST_YEAR}: "
                           "indexed without a date (kept as metadata.date_original)")
        doc.date = None
    return doc


def is_dot_segment(doc_id: str) -> bool:
    """True for ``.`` and ``..``, also percent-encoded (browsers read ``%2e`` as a dot)."""
    return unquote(doc_id, errors="surrogateescape") in DOT_SEGMENTS


def plausible_date(date: str) -> bool:
    """True for an ISO date (or bare year) between ``EARLIEST_YEAR`` and ``LATEST_YEAR``."""
    head = date.strip()[:4]
    if not head.isdigit() or date.strip()[4:5] not in ("", "-"):
        return False
    return EARLIEST_YEAR <= int(head) <= LATEST_YEAR


def _speaker_strings(doc: Document) -> list[str | None]:
    sp = doc.speaker
    return [] if sp is None else [sp.name, sp.title, sp.country, sp.language, sp.role]


def _short(value: Any) -> str:
    text = printable(repr(value))
    return text if len(text) <= 80 else text[:77] + "..."
