"""Reading collections: files, folders, globs and stdin, in every layout Verbatim knows.

Readers are generators of ``Document`` or ``RecordError``: a broken record is
yielded as an error (with its file and line) and reading goes on, so the caller
can report it and index everything else.
"""

from __future__ import annotations

import csv
import glob
import json
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from indexer import articles, transcripts
from indexer.documents import DOC_TYPES, Document, RecordError, Segment, Speaker

FORMATS = ("auto", "text", "transcript", "speech", "jsonl", "json", "csv", "html")
# One speech of a meeting per file, as the UN Security Council Debates corpus ships them.
SPEECH_FILE = re.compile(r"^UNSC_\d{4}_SPV\.(?P<meeting>\d{3,5})_spch(?P<speech>\d+)\.txt$",
                         re.IGNORECASE)
TEXT_SUFFIXES = {".txt", ".text"}
JSONL_SUFFIXES = {".jsonl", ".ndjson"}
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
KNOWN_SUFFIXES = TEXT_SUFFIXES | JSONL_SUFFIXES | HTML_SUFFIXES | {".json", ".csv"}
# Files that describe a collection rather than belong to it.
SIDECAR_NAMES = {"meetings.csv", "readme.md", "provenance.md", "license", "license.md"}
TEXT_FIELDS = ("body", "text", "content")
MAX_CSV_FIELD = 64 * 1024 * 1024


@dataclass(frozen=True)
class Skipped:
    """An input we deliberately do not index (not an error), reported in the summary."""

    origin: str
    reason: str


Item = Document | RecordError | Skipped


@dataclass(frozen=True)
class ReadOptions:
    format: str = "auto"
    doc_type: str | None = None  # --type: for records that do not say what they are
    year: int | None = None


def expand_paths(specs: Iterable[str]) -> Iterator[Path | str]:
    """Files from paths, folders (recursive, sorted) and globs; ``-`` stands for stdin."""
    for spec in specs:
        if spec == "-":
            yield "-"
            continue
        path = Path(spec)
        if path.is_dir():
            for child in sorted(p for p in path.rglob("*") if p.is_file()):
                if not any(part.startswith(".") for part in child.relative_to(path).parts):
                    yield child
        elif path.exists():
            yield path
        elif glob.has_magic(spec):
            matches = sorted(Path(p) for p in glob.glob(spec, recursive=True))
            files = [m for m in matches if m.is_file()]
            if not files:
                yield _missing(spec, "the pattern matches no file")
            yield from files
        else:
            yield _missing(spec, "no such file or folder")


class _Missing(str):
    reason: str


def _missing(spec: str, reason: str) -> _Missing:
    missing = _Missing(spec)
    missing.reason = reason
    return missing


def read_inputs(specs: Iterable[str], options: ReadOptions, *,
                stdin: IO[str] | None = None) -> Iterator[Item]:
    """Every document in the inputs, in order, with errors and skips in their place."""
    meetings_cache: dict[Path, dict[str, dict[str, str]]] = {}
    for target in expand_paths(specs):
        if isinstance(target, _Missing):
            yield RecordError(str(target), target.reason)
        elif target == "-":
            yield from read_jsonl_stream(stdin or sys.stdin, "<stdin>", options)
        else:
            assert isinstance(target, Path)
            yield from read_file(target, options, meetings_cache)


def detect_format(path: Path, options: ReadOptions) -> str | None:
    if options.format != "auto":
        return options.format
    suffix = path.suffix.lower()
    if suffix in JSONL_SUFFIXES:
        return "jsonl"
    if suffix == ".json":
        return "json"
    if suffix == ".csv":
        return "csv"
    if suffix in HTML_SUFFIXES:
        return "html"
    if suffix in TEXT_SUFFIXES:
        if SPEECH_FILE.match(path.name):
            return "speech"
        return "transcript" if transcripts.symbol_from_filename(path.name) else "text"
    return None


def read_file(path: Path, options: ReadOptions,
              meetings_cache: dict[Path, dict[str, dict[str, str]]] | None = None) -> Iterator[Item]:
    origin = str(path)
    if path.name.lower() in SIDECAR_NAMES and options.format == "auto":
        yield Skipped(origin, "collection metadata, read alongside the records it describes")
        return
    fmt = detect_format(path, options)
    if fmt is None:
        yield Skipped(origin, f"unknown file type {path.suffix or '(none)'}; use --format to read it")
        return
    if fmt in ("jsonl", "json", "csv"):
        try:
            handle = path.open(encoding="utf-8", newline="" if fmt == "csv" else None)
        except OSError as exc:
            yield RecordError(origin, f"cannot open: {exc.strerror}")
            return
        with handle:
            if fmt == "jsonl":
                yield from read_jsonl_stream(handle, origin, options)
            elif fmt == "json":
                yield from _read_json(handle, origin, options)
            else:
                yield from read_csv_stream(handle, origin, options)
        return
    text = _read_text(path)
    if isinstance(text, RecordError):
        yield text
        return
    try:
        if fmt == "html":
            yield articles.parse_html_article(text, doc_id=path.stem, origin=origin)
        elif fmt == "speech":
            yield _read_speech_file(path, text, meetings_cache)
        elif fmt == "transcript" or (fmt == "text" and options.doc_type == "transcript"):
            yield _read_transcript(path, text, options, meetings_cache)
        else:
            yield _read_wire(path, text, options)
    except RecordError as exc:
        yield exc


def _read_text(path: Path) -> str | RecordError:
    origin = str(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return RecordError(origin, f"cannot read: {exc.strerror}")
    if not raw.strip():
        return RecordError(origin, "the file is empty")
    if b"\x00" in raw[:8192]:
        return RecordError(origin, "binary file (contains NUL bytes), not text")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return RecordError(
            f"{origin}:{line}",
            f"not valid UTF-8 (byte 0x{raw[exc.start]:02x} at offset {exc.start}); "
            "convert the file to UTF-8 (e.g. iconv -f cp1252 -t utf-8)",
        )


def _read_wire(path: Path, text: str, options: ReadOptions) -> Document:
    doc = articles.parse_wire_article(
        text, doc_id=path.stem, year=options.year,
        date_hint=articles.date_from_filename(path.name), origin=str(path),
    )
    if options.doc_type and options.doc_type != doc.doc_type:
        doc.doc_type = options.doc_type
    _require_text(doc)
    return doc


def _read_transcript(path: Path, text: str, options: ReadOptions,
                     meetings_cache: dict[Path, dict[str, dict[str, str]]] | None) -> Document:
    symbol = transcripts.symbol_from_filename(path.name)
    meeting = _meeting_row(path, symbol, meetings_cache)
    doc = transcripts.parse_transcript(
        text, doc_id=symbol or path.stem, symbol=symbol,
        date=meeting.get("date") or None, topic=meeting.get("topic") or None, origin=str(path),
    )
    if meeting:
        doc.metadata.setdefault("meeting_format", meeting.get("meeting_format"))
    return doc


def _read_speech_file(path: Path, text: str,
                      meetings_cache: dict[Path, dict[str, dict[str, str]]] | None) -> Document:
    """One turn of a meeting in a file of its own (``UNSC_2020_SPV.8734_spch002.txt``)."""
    match = SPEECH_FILE.match(path.name)
    assert match is not None
    symbol = f"S/PV.{match.group('meeting')}"
    meeting = _meeting_row(path, symbol, meetings_cache)
    speaker, start = transcripts.strip_speaker_prefix(text)
    doc = Document(
        doc_id=path.stem, doc_type="speech", text=text, symbol=symbol,
        title=" — ".join(b for b in (symbol, speaker.display if speaker else None) if b),
        date=meeting.get("date") or None, topic=meeting.get("topic") or None,
        source=transcripts.SOURCE, speaker=speaker, origin=str(path),
        metadata={"speech_no": int(match.group("speech"))},
    )
    if speaker is not None:
        doc.segments = [Segment(start, len(text.rstrip()), speaker)]
    _require_text(doc)
    return doc


def _meeting_row(path: Path, symbol: str | None,
                 cache: dict[Path, dict[str, dict[str, str]]] | None) -> dict[str, str]:
    """The row for ``symbol`` in a meetings.csv beside the file or in its parent folder."""
    if symbol is None:
        return {}
    cache = {} if cache is None else cache
    for folder in (path.parent, path.parent.parent):
        csv_path = folder / "meetings.csv"
        if csv_path not in cache:
            cache[csv_path] = transcripts.read_meetings_csv(csv_path) if csv_path.is_file() else {}
        if symbol in cache[csv_path]:
            return cache[csv_path][symbol]
    return {}


def read_jsonl_stream(handle: IO[str], origin: str, options: ReadOptions) -> Iterator[Item]:
    line_no = 0
    while True:
        try:
            line = handle.readline()
        except UnicodeDecodeError as exc:
            yield RecordError(f"{origin}:{line_no + 1}", f"not valid UTF-8 ({exc.reason}); the rest "
                              "of the file cannot be read: convert it to UTF-8")
            return
        if not line:
            return
        line_no += 1
        if not line.strip():
            continue
        where = f"{origin}:{line_no}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            yield RecordError(where, f"broken JSON ({exc.msg} at column {exc.colno})")
            continue
        yield _from_record(record, where, options, fallback_id=f"{Path(origin).stem}-{line_no}")


def _read_json(handle: IO[str], origin: str, options: ReadOptions) -> Iterator[Item]:
    try:
        data = json.load(handle)
    except json.JSONDecodeError as exc:
        yield RecordError(f"{origin}:{exc.lineno}", f"broken JSON ({exc.msg})")
        return
    except UnicodeDecodeError as exc:
        yield RecordError(origin, f"not valid UTF-8 ({exc.reason}); convert the file to UTF-8")
        return
    records = data if isinstance(data, list) else [data]
    for number, record in enumerate(records, start=1):
        yield _from_record(record, f"{origin}[{number}]", options,
                           fallback_id=f"{Path(origin).stem}-{number}")


def read_csv_stream(handle: IO[str], origin: str, options: ReadOptions) -> Iterator[Item]:
    csv.field_size_limit(MAX_CSV_FIELD)
    try:
        reader = csv.DictReader(handle)
        for row in reader:
            where = f"{origin}:{reader.line_num}"
            yield _from_record(dict(row), where, options,
                               fallback_id=f"{Path(origin).stem}-{reader.line_num}")
    except (csv.Error, UnicodeDecodeError) as exc:
        yield RecordError(origin, f"unreadable CSV: {exc}")


def _text_of(record: dict[str, Any]) -> str | None:
    for key in (*TEXT_FIELDS, "article_content"):
        value = record.get(key)
        if isinstance(value, str) and value.strip():
            return value
    return None


def _from_record(record: Any, where: str, options: ReadOptions, *, fallback_id: str) -> Item:
    """One JSON/CSV record as a Document, whatever its layout (generic, BEIR, UN speeches)."""
    if not isinstance(record, dict):
        return RecordError(where, f"expected a JSON object, got {type(record).__name__}")
    text = _text_of(record)
    if text is None:
        return RecordError(where, "the record has no text (none of body, text, content)")
    raw_id = record.get("id", record.get("_id"))
    doc_id = str(raw_id).strip() if raw_id not in (None, "") else fallback_id
    if "meeting_id" in record or "speech_no" in record:
        return _un_speech(record, doc_id, text, where)
    if "iso3" in record or ("session" in record and "country" in record):
        return _debate_speech(record, doc_id, text, where)
    return _generic(record, doc_id, text, where, options)


_GENERIC_KEYS = {"id", "_id", "title", "body", "text", "content", "date", "source", "url",
                 "author", "speaker", "type", "country"}


def _generic(record: dict[str, Any], doc_id: str, text: str, where: str,
             options: ReadOptions) -> Item:
    doc_type = str(record.get("type") or options.doc_type or "").strip().lower()
    if not doc_type:
        doc_type = "speech" if record.get("speaker") else "article"
    if doc_type not in DOC_TYPES:
        return RecordError(where, f"type {doc_type!r} is not one of {', '.join(DOC_TYPES)}")
    raw_date = record.get("date")
    date = articles.normalise_date(raw_date)
    metadata = {k: v for k, v in record.items() if k not in _GENERIC_KEYS and v not in (None, "")}
    if raw_date not in (None, "") and date is None:
        metadata["date_original"] = raw_date  # kept, never guessed (see normalise_date)
    speaker = None
    if record.get("speaker"):
        speaker = Speaker(name=str(record["speaker"]), country=_str(record.get("country")))
    source = _str(record.get("source_name")) or _str(record.get("source"))
    title = _str(record.get("title")) or _str(record.get("article_title"))
    return Document(
        doc_id=doc_id, doc_type=doc_type, text=text, title=title, date=date, source=source,
        url=_str(record.get("url")), author=_str(record.get("author")), speaker=speaker,
        metadata=metadata, origin=where,
    )


def _un_speech(record: dict[str, Any], doc_id: str, text: str, where: str) -> Document:
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
        date=articles.normalise_date(record.get("date")), source="United Nations Security Council",
        speaker=speaker, symbol=symbol, topic=topic, metadata=metadata, origin=where,
    )


def _debate_speech(record: dict[str, Any], doc_id: str, text: str, where: str) -> Document:
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
        # The debate's year is all we know; the index's date format accepts a bare year.
        date=str(year) if year else None,
        source="United Nations General Assembly", speaker=speaker, metadata=metadata,
        topic="General Debate", origin=where,
    )


def _str(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _require_text(doc: Document) -> None:
    if not doc.text.strip():
        raise RecordError(doc.origin, "the document has no text")
