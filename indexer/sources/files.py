"""Reading collections: files, folders, globs and stdin, each file read by its format.

Readers are generators of ``Document``, ``RecordError`` or ``Skipped``: a broken record is
yielded as an error (with its file and line) and reading goes on, so the caller can report it
and index everything else. This module finds the files and tells their formats; the record
layouts of JSON and CSV files are ``records``', wire copy and HTML ``articles``', and UN
verbatim records ``transcripts``'.
"""

from __future__ import annotations

import errno
import glob
import os
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from indexer.documents import Document, Item, RecordError, Segment, Skipped
from indexer.sources import articles, records, transcripts
from indexer.sources.checks import check_document, printable

FORMATS = ("auto", "text", "transcript", "speech", "jsonl", "json", "csv", "html")
# One speech of a meeting per file, as the UN Security Council Debates corpus ships them.
SPEECH_FILE = re.compile(r"^UNSC_\d{4}_SPV\.(?P<meeting>\d{3,5})_spch(?P<speech>\d+)\.txt$",
                         re.IGNORECASE)
TEXT_SUFFIXES = {".txt", ".text"}
JSONL_SUFFIXES = {".jsonl", ".ndjson"}
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
# Files that describe a collection rather than belong to it.
SIDECAR_NAMES = {"meetings.csv", "readme.md", "provenance.md", "license", "license.md"}
# Formats whose files hold records, each read by its reader in ``records``.
_RECORD_READERS = {"jsonl": records.read_jsonl_stream, "json": records.read_json_stream,
                   "csv": records.read_csv_stream}


@dataclass(frozen=True)
class ReadOptions:
    """How to read the inputs, as ``index`` was told: ``--format``, ``--type``, ``--year``."""

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
        try:
            kind = "dir" if path.is_dir() else "file" if path.exists() else (
                "link" if path.is_symlink() else "")
        except OSError as exc:  # a file under a folder we may not enter
            yield _missing(spec, f"cannot read: {exc.strerror}")
            continue
        if kind == "dir":
            yield from _walk(path)
        elif kind == "file":
            yield path
        elif kind == "link":
            yield _missing(spec, _unresolvable(path))
        elif glob.has_magic(spec):
            matches = sorted(Path(p) for p in glob.glob(spec, recursive=True))
            files = [m for m in matches if m.is_file()]
            if not files:
                yield _missing(spec, "the pattern matches no file")
            yield from files
        else:
            yield _missing(spec, "no such file or folder")


def _walk(root: Path) -> Iterator[Path | str]:
    """The files under ``root`` (sorted, hidden names skipped), following links to folders
    once; a folder that cannot be listed, a link loop or a dangling link is reported."""
    seen: set[str] = set()
    problems: list[_Missing] = []

    def failed(exc: OSError) -> None:
        problems.append(_missing(printable(str(exc.filename)),
                                 f"cannot read the folder: {exc.strerror}"))

    found: list[Path] = []
    for folder, dirs, files in os.walk(root, onerror=failed, followlinks=True):
        real = os.path.realpath(folder)
        if real in seen:  # reached again through a link: read once
            dirs[:] = []
            continue
        seen.add(real)
        kept = []
        for name in sorted(dirs):
            if name.startswith("."):
                continue
            sub = os.path.join(folder, name)
            target = os.path.realpath(sub)
            if os.path.islink(sub) and (real + os.sep).startswith(target + os.sep):
                problems.append(_missing(printable(sub), "symbolic link loop (it points to a "
                                         "folder that contains it); not followed"))
                continue
            kept.append(name)
        dirs[:] = kept
        for name in files:
            if name.startswith("."):
                continue
            child = Path(folder, name)
            if child.is_file():
                found.append(child)
            elif child.is_symlink():
                problems.append(_missing(printable(str(child)), _unresolvable(child)))
            else:
                problems.append(_missing(printable(str(child)), "not a regular file; skipped"))
    yield from problems
    yield from sorted(found)


def _unresolvable(path: Path) -> str:
    try:
        os.stat(path)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "symbolic link loop (the link leads back to itself)"
        return f"broken symbolic link ({exc.strerror})"
    return "symbolic link to something that is not a file"


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
    try:
        for target in expand_paths(specs):
            if isinstance(target, _Missing):
                yield RecordError(printable(str(target)), target.reason)
            elif target == "-":
                yield from _checked(records.read_jsonl_stream(stdin or sys.stdin, "<stdin>",
                                                              options.doc_type), "<stdin>")
            else:
                assert isinstance(target, Path)
                yield from _checked(read_file(target, options, meetings_cache),
                                    printable(str(target)))
    except OSError as exc:
        yield RecordError(printable(str(exc.filename or "")), f"cannot read: {exc.strerror}")


def _checked(items: Iterator[Item], origin: str) -> Iterator[Item]:
    """The items of one input, each document checked (``checks``); an error while reading
    the input ends that input with a dead letter, and the next one is read."""
    try:
        for item in items:
            if isinstance(item, Document):
                if printable(item.origin) != item.origin:  # a file name that is not UTF-8
                    item.origin = printable(item.origin)
                    item.doc_id = printable(item.doc_id)
                yield check_document(item)
            elif isinstance(item, RecordError) and printable(item.origin) != item.origin:
                yield RecordError(printable(item.origin), item.reason)
            elif isinstance(item, Skipped) and printable(item.origin) != item.origin:
                yield Skipped(printable(item.origin), item.reason)
            else:
                yield item
    except OSError as exc:
        yield RecordError(origin, f"cannot read: {exc.strerror or exc}")
    except Exception as exc:  # a reader's bug must cost this input, not the run
        yield RecordError(origin, f"unexpected error while reading ({type(exc).__name__}: "
                          f"{printable(str(exc))[:300]}); the rest of this input was not read")


def detect_format(path: Path, options: ReadOptions) -> str | None:
    """The file's format (one of ``FORMATS``) by its name, unless ``--format`` said; None for
    a file type we do not read."""
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
    """The items of one file, read by its format; ``meetings_cache`` keeps the meetings.csv
    files already read, so that a folder of transcripts reads each once."""
    origin = printable(str(path))
    if path.name.lower() in SIDECAR_NAMES and options.format == "auto":
        yield Skipped(origin, "collection metadata, read alongside the records it describes")
        return
    fmt = detect_format(path, options)
    if fmt is None:
        yield Skipped(origin, f"unknown file type {path.suffix or '(none)'}; use --format to read it")
        return
    if fmt in _RECORD_READERS:
        try:
            # utf-8-sig: a byte-order mark (Excel's "CSV UTF-8") is not part of the first record
            handle = path.open(encoding="utf-8-sig", newline="" if fmt == "csv" else None)
        except OSError as exc:
            yield RecordError(origin, f"cannot open: {exc.strerror}")
            return
        with handle:
            yield from _RECORD_READERS[fmt](handle, origin, options.doc_type)
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


def _require_text(doc: Document) -> None:
    if not doc.text.strip():
        raise RecordError(doc.origin, "the document has no text")
