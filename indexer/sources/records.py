"""Collections as records: JSON Lines, JSON and CSV, in every record layout Verbatim knows.

A record is one document whatever its layout: our own (``text``/``body``/``content`` with
``title``, ``date``, ``source``...), BEIR's (``_id``, ``title``, ``text``), the UN Security
Council speeches corpus (``meeting_id``, ``speech_no``, ``speaker``...), the UN General Debate
corpus (``iso3``, ``session``, ``country``...) and FA-KES (``article_content``...). The layout
is recognised from the record's own fields, so one reader serves them all. Like every reader,
these yield a ``RecordError`` for a broken record (with its file and line) and go on.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from indexer.documents import DOC_TYPES, Document, Item, RecordError, Speaker
from indexer.sources import articles, transcripts
from indexer.sources.checks import (
    finite_or_none,
    id_problem,
    is_placeholder,
    no_value,
    record_problem,
)

TEXT_FIELDS = ("body", "text", "content")
MAX_CSV_FIELD = 64 * 1024 * 1024


def read_jsonl_stream(handle: IO[str], origin: str, doc_type: str | None = None) -> Iterator[Item]:
    """One item per line of JSON Lines; ``doc_type`` is the type of records that give none.

    Read line by line, so that a broken line is one error and stdin streams."""
    line_no = 0
    records = 0
    while True:
        try:
            line = handle.readline()
        except UnicodeDecodeError as exc:
            yield RecordError(f"{origin}:{line_no + 1}", f"not valid UTF-8 ({exc.reason}); the rest "
                              "of the file cannot be read: convert it to UTF-8")
            return
        if not line:
            if not records:
                yield RecordError(origin, "the file holds no records")
            return
        line_no += 1
        if line_no == 1:
            line = line.removeprefix("\ufeff")  # a byte-order mark is not part of the record
        if not line.strip():
            continue
        records += 1
        where = f"{origin}:{line_no}"
        record = _decode(line, where)
        if isinstance(record, RecordError):
            yield record
            continue
        yield _from_record(record, where, doc_type, fallback_id=f"{Path(origin).stem}-{line_no}")


def _decode(text: str, where: str) -> Any:
    """One JSON value (NaN and Infinity read as null), or a RecordError: broken, too deep,
    not valid Unicode."""
    try:
        record = json.loads(text, parse_constant=no_value,
                            parse_float=finite_or_none)
    except json.JSONDecodeError as exc:
        return RecordError(f"{where}" if exc.lineno == 1 else f"{where}:{exc.lineno}",
                           f"broken JSON ({exc.msg} at column {exc.colno})")
    except ValueError as exc:  # an integer of more digits than Python reads
        return RecordError(where, f"broken JSON ({exc})")
    except RecursionError:
        return RecordError(where, "broken JSON (nested too deeply to read)")
    problem = record_problem(record)
    return RecordError(where, problem) if problem else record


def read_json_stream(handle: IO[str], origin: str, doc_type: str | None = None) -> Iterator[Item]:
    """The records of a JSON file: a list of records, or one."""
    try:
        data = json.loads(handle.read().removeprefix("\ufeff"), parse_constant=no_value,
                            parse_float=finite_or_none)
    except json.JSONDecodeError as exc:
        yield RecordError(f"{origin}:{exc.lineno}", f"broken JSON ({exc.msg})")
        return
    except UnicodeDecodeError as exc:
        yield RecordError(origin, f"not valid UTF-8 ({exc.reason}); convert the file to UTF-8")
        return
    except ValueError as exc:  # an integer of more digits than Python reads
        yield RecordError(origin, f"broken JSON ({exc})")
        return
    except RecursionError:
        yield RecordError(origin, "broken JSON (nested too deeply to read)")
        return
    records = data if isinstance(data, list) else [data]
    if not records:
        yield RecordError(origin, "the file holds no records")
    for number, record in enumerate(records, start=1):
        where = f"{origin}[{number}]"
        problem = record_problem(record)
        if problem:
            yield RecordError(where, problem)
            continue
        yield _from_record(record, where, doc_type, fallback_id=f"{Path(origin).stem}-{number}")


def read_csv_stream(handle: IO[str], origin: str, doc_type: str | None = None) -> Iterator[Item]:
    """One record per CSV row, keyed by the header; a whole article may sit in one field."""
    csv.field_size_limit(MAX_CSV_FIELD)
    try:
        reader = csv.DictReader(_without_bom(handle))
        rows = 0
        for row in reader:
            rows += 1
            where = f"{origin}:{reader.line_num}"
            yield _from_record(dict(row), where, doc_type,
                               fallback_id=f"{Path(origin).stem}-{reader.line_num}")
        if not rows:
            yield RecordError(origin, "the file holds no records")
    except (csv.Error, UnicodeDecodeError) as exc:
        yield RecordError(origin, f"unreadable CSV: {exc}")


def _without_bom(handle: IO[str]) -> Iterator[str]:
    """The lines of ``handle``, the first without a byte-order mark (Excel's "CSV UTF-8")."""
    first = True
    for line in handle:
        yield line.removeprefix("\ufeff") if first else line
        first = False


def _text_of(record: dict[str, Any]) -> str | None:
    """The record's text: the first non-blank text field, FA-KES's ``article_content`` last."""
    for key in (*TEXT_FIELDS, "article_content"):
        value = record.get(key)
        if isinstance(value, str) and value.strip():
            return value
    return None


def _from_record(record: Any, where: str, doc_type: str | None, *, fallback_id: str) -> Item:
    """One JSON/CSV record as a Document, whatever its layout (generic, BEIR, UN speeches)."""
    if not isinstance(record, dict):
        return RecordError(where, f"expected a JSON object, got {type(record).__name__}")
    text = _text_of(record)
    if text is None:
        return RecordError(where, "the record has no text (none of body, text, content)")
    raw_id = record.get("id", record.get("_id"))
    if is_placeholder(raw_id):
        doc_id = fallback_id  # no id, or "nan"/"None"/"null": the file and line name it
    elif problem := id_problem(raw_id):
        return RecordError(where, problem)
    else:
        doc_id = str(raw_id).strip()
    if "meeting_id" in record or "speech_no" in record:
        return _un_speech(record, doc_id, text, where)
    if "iso3" in record or ("session" in record and "country" in record):
        return _debate_speech(record, doc_id, text, where)
    return _generic(record, doc_id, text, where, doc_type)


_GENERIC_KEYS = {"id", "_id", "title", "body", "text", "content", "date", "source", "url",
                 "author", "speaker", "type", "country"}


def _generic(record: dict[str, Any], doc_id: str, text: str, where: str,
             default_type: str | None) -> Item:
    """A record of our own layout (or BEIR's): the fields named as ``Document``'s are."""
    doc_type = (_str(record.get("type")) or default_type or "").lower()
    if not doc_type:
        doc_type = "speech" if _str(record.get("speaker")) else "article"
    if doc_type not in DOC_TYPES:
        return RecordError(where, f"type {doc_type!r} is not one of {', '.join(DOC_TYPES)}")
    raw_date = record.get("date")
    date = articles.normalise_partial_date(raw_date)
    metadata = {k: v for k, v in record.items() if k not in _GENERIC_KEYS and v not in (None, "")}
    if raw_date not in (None, "") and date is None:
        metadata["date_original"] = raw_date  # kept, never guessed (see normalise_partial_date)
    speaker = None
    if name := _str(record.get("speaker")):
        speaker = Speaker(name=name, country=_str(record.get("country")))
    source = _str(record.get("source_name")) or _str(record.get("source"))
    title = _str(record.get("title")) or _str(record.get("article_title"))
    return Document(
        doc_id=doc_id, doc_type=doc_type, text=text, title=title, date=date, source=source,
        url=_str(record.get("url")), author=_str(record.get("author")), speaker=speaker,
        metadata=metadata, origin=where,
    )


def _un_speech(record: dict[str, Any], doc_id: str, text: str, where: str) -> Document:
    """A record of the UN Security Council speeches corpus (one speech of a meeting)."""
    speaker = transcripts.speech_record_speaker(record)
    symbol = _str(record.get("symbol"))
    topic = _str(record.get("topic"))
    _, statement_start = transcripts.strip_speaker_prefix(text)
    title_bits = [b for b in (symbol, speaker.display if speaker else None) if b]
    metadata = {k: record[k] for k in ("meeting_id", "speech_no", "participant_type",
                                       "meeting_format", "syria", "source_file") if k in record}
    metadata["statement_offset"] = statement_start
    return Document(
        doc_id=doc_id, doc_type="speech", text=text,
        title=" — ".join(title_bits) if title_bits else None,
        date=articles.normalise_partial_date(record.get("date")), source=transcripts.SOURCE,
        speaker=speaker, symbol=symbol, topic=topic, metadata=metadata, origin=where,
    )


def _debate_speech(record: dict[str, Any], doc_id: str, text: str, where: str) -> Document:
    """A record of the UN General Debate corpus (one country's speech of a session)."""
    country = _str(record.get("country")) or _str(record.get("iso3"))
    name = _str(record.get("speaker"))
    speaker = Speaker(name=name or (country or "Unknown"), country=country,
                      role=_str(record.get("post")))
    year = record.get("year")
    session = record.get("session")
    title = f"{country}, General Debate" + (f", session {session}" if session else "")
    if year:
        title += f" ({year})"
    metadata = {k: v for k, v in record.items() if k in ("iso3", "session", "year", "post",
                                                         "source_file") and v not in (None, "")}
    return Document(
        doc_id=doc_id, doc_type="speech", text=text, title=title,
        # The debate's year is all we know: a year-precise date, never 1 January.
        date=articles.normalise_partial_date(year) if year else None,
        source="United Nations General Assembly", speaker=speaker, metadata=metadata,
        topic="General Debate", origin=where,
    )


def _str(value: Any) -> str | None:
    """A field as text, None when it is missing, blank (CSV gives "" for a missing value) or a
    placeholder ("nan", "None", "null": what spreadsheets and dataframes write for nothing)."""
    if is_placeholder(value):
        return None
    text = str(value).strip()
    return text or None
