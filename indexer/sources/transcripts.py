"""UN Security Council verbatim records (S/PV.NNNN): speaker turns, header and speech records.

A record is a run of turns, each opened by a speaker prefix such as ``Ms. Mueller:`` or
``Mr. Nebenzia (Russian Federation) (spoke in Russian):``. The official layout adds a title
page (symbol, meeting, date, place, president, agenda) before the first turn. Offsets
always index the text exactly as given.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from indexer.documents import Document, RecordError, Segment, Speaker
from indexer.sources.articles import normalise_date
from indexer.text import lexicon
from indexer.text.spans import trimmed

SOURCE = "United Nations Security Council"

# Office holders named by office; the value is Speaker.role.
ROLES = {
    "The President": "The President",
    "The Secretary-General": "Secretary-General",
    "The Deputy Secretary-General": "Deputy Secretary-General",
    "The Chair": "Chair",
}
# Titles that open a speaker prefix: the forms of address, and "President" for heads of state
# ("President Kagame (Rwanda):"); the spelling here is the one users see.
TITLES = (*lexicon.HONORIFICS, "President")

# Where one title begins another ("Mrs." and "Mr.") the longer is tried first.
_TITLE = "|".join(
    re.escape(t[:-1]) + r"\.?" if t.endswith(".") else re.escape(t) + r"\b"
    for t in sorted(TITLES, key=len, reverse=True)
)
_WEEKDAY = "|".join(lexicon.WEEKDAYS)
_ROLE = "|".join(re.escape(r) for r in sorted(ROLES, key=len, reverse=True))
_TOKEN = r"[^\W\d_][\w'\u2019.\-]*"
_NAME = rf"{_TOKEN}(?:[ \t]+{_TOKEN}){{0,6}}"
# Title or office, name, "(country)", "(spoke in X)", colon. The splice group is the
# column break seen in real records: "(spoke I thank Ms. Mueller for her briefing. in
# French):"; the spliced words are text of the statement, not of the prefix.
PREFIX = re.compile(
    rf"[ \t]*(?:(?P<role>{_ROLE})|(?P<title>{_TITLE})[ \t]+(?P<name>{_NAME}))"
    r"(?:[ \t]*\((?!spoke\b)(?P<country>[^()\n:]{2,80})\))?"
    r"(?:[ \t]*\(spoke[ \t]+(?:(?P<splice>[^()\n]{1,300}?)[ \t]+)?"
    r"in[ \t]+(?P<language>[A-Z][a-z]+)\))?"
    r"[ \t]*:[ \t]*"
)

_HEADER_SYMBOL = re.compile(
    r"S/PV\.(?P<meeting>\d{3,5})(?:[ \t]*\((?P<part>Resumption[ \t]*\d*)\))?"
)
_MEETING = re.compile(r"\b(?P<meeting>\d{3,5})(?:st|nd|rd|th)[ \t]+meeting\b")
_DATE_LINE = re.compile(
    rf"\b(?:{_WEEKDAY}),[ \t]*"
    r"(?P<date>\d{1,2}[ \t]+[A-Z][a-z]+[ \t]+\d{4})"
    r"(?:,[ \t]*(?P<time>\d{1,2}(?:[.:]\d{2})?[ \t]*[ap]\.[ \t]?m\.))?[ \t]*(?P<rest>[^\n]*)"
)
_PRESIDENT = re.compile(
    rf"^[ \t]*President:[ \t]*(?P<title>{_TITLE})?[ \t]*(?P<name>[^.()\n]+?)[ \t.\u2026]*"
    r"\((?P<country>[^()\n]+)\)",
    re.MULTILINE,
)
_AGENDA = re.compile(r"^[ \t]*Agenda[ \t]*\r?$", re.MULTILINE)
# Lines of the title page and the opening formalities; any of them marks a header.
_HEADER_LINE = re.compile(
    r"^[ \t]*(?:United Nations(?:[ \t]+S/PV\.|[ \t]*\r?$)|S/PV\.\d|Security Council[ \t]*\r?$"
    r"|[A-Z][a-z]+(?:-(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth)|ieth) year\b"
    rf"|\d{{3,5}}(?:st|nd|rd|th) meeting\b|(?:{_WEEKDAY}),[ \t]*\d"
    r"|(?:Provisional|Agenda)[ \t]*\r?$|President:|Members:"
    r"|This record contains\b|Corrections should\b|Adoption of the agenda\b"
    r"|The agenda was adopted\b|The meeting (?:was called to order|rose|was suspended|resumed)\b)"
)
_PLACE = re.compile(r"[A-Z][A-Za-z'\- ]{1,40}")
_FILENAME = re.compile(r"S[_\-]PV\.(?P<meeting>\d{3,5})(?:[_\-]?Resumption[_\-]?(?P<part>\d+))?"
                       r"(?:\.[A-Za-z]+)?", re.IGNORECASE)


@dataclass(frozen=True)
class SpeakerPrefix:
    """A speaker prefix found at ``pos``: who speaks, and where their statement begins.

    ``statement_start`` is where the words of the statement begin. Normally that is just
    after the colon (``prefix_end``); when a column break spliced statement words into the
    prefix, it is the start of that ``splice``, so no spoken words are dropped from the turn
    (the turn then also contains the tail of the prefix, e.g. " in French): ").
    """

    speaker: Speaker
    start: int
    prefix_end: int
    splice: tuple[int, int] | None = None

    @property
    def statement_start(self) -> int:
        return self.splice[0] if self.splice else self.prefix_end


def match_speaker_prefix(text: str, pos: int = 0,
                         endpos: int | None = None) -> SpeakerPrefix | None:
    """The speaker prefix that opens ``text`` at ``pos``, or None for ordinary text."""
    match = PREFIX.match(text, pos, len(text) if endpos is None else endpos)
    if match is None:
        return None
    language = match["language"]
    country = match["country"].strip() if match["country"] else None
    if match["role"]:
        speaker = Speaker(name=match["role"], country=country, language=language,
                          role=ROLES[match["role"]])
    else:
        name = match["name"]
        if not _looks_like_name(name):
            return None
        speaker = Speaker(name=name, title=_canonical_title(match["title"]), country=country,
                          language=language)
    splice = (match.start("splice"), match.end("splice")) if match["splice"] else None
    return SpeakerPrefix(speaker=speaker, start=match.start(), prefix_end=match.end(),
                         splice=splice)


def parse_speaker_prefix(line: str) -> tuple[Speaker, int] | None:
    """The speaker who opens ``line`` and the offset where their statement begins, or None.

    For a spliced prefix the offset is the start of the spliced words (see ``SpeakerPrefix``).
    """
    found = match_speaker_prefix(line)
    return (found.speaker, found.statement_start) if found else None


def strip_speaker_prefix(text: str) -> tuple[Speaker | None, int]:
    """The speaker prefix of a single speech and where its statement begins; (None, 0) if none."""
    found = match_speaker_prefix(text)
    return (found.speaker, found.statement_start) if found else (None, 0)


def parse_transcript(text: str, *, doc_id: str, symbol: str | None = None,
                     date: str | None = None, topic: str | None = None,
                     origin: str = "") -> Document:
    """A verbatim record as a ``Document`` with one ``Segment`` per speaker turn.

    A turn starts at any line that opens with a speaker prefix and runs to the next one, so
    both the one-line-per-speech layout and wrapped paragraphs work. Text before the first
    turn is a header if it has title-page lines (symbol, "8734th meeting", "Agenda", ...):
    the header is left out of the segments and its fields fill what the arguments did not
    give (arguments win: they come from curated metadata). Any other text before the first
    turn, or after the header, becomes a segment with no speaker.
    """
    prefixes = list(_find_turns(text))
    if not prefixes:
        raise RecordError(origin, "no speaker turns found: expected turns opening with a speaker "
                                  "prefix such as 'The President:' or 'Ms. Mueller:'; is this a "
                                  "Security Council verbatim record?")
    first = prefixes[0].start
    header_end, header = _parse_header(text[:first])
    metadata: dict[str, Any] = {}
    for key in ("meeting", "place", "president", "time", "agenda"):
        if key in header:
            metadata[key] = header[key]
    given = {"symbol": symbol, "date": date, "topic": topic}
    conflicts = {k: header[k] for k, v in given.items() if v and header.get(k, v) != v}
    if conflicts:
        metadata["header_conflicts"] = conflicts  # what the title page says, kept for review
    symbol = symbol or header.get("symbol")
    if "meeting" not in metadata and symbol:
        in_symbol = _HEADER_SYMBOL.search(symbol)
        if in_symbol:
            metadata["meeting"] = int(in_symbol["meeting"])
    date = date or header.get("date")
    topic = topic or header.get("topic")
    president = header.get("president")

    segments: list[Segment] = []
    lead = trimmed(text, header_end, first)
    if lead:
        segments.append(Segment(lead[0], lead[1], None))
    splices: list[dict[str, Any]] = []
    for number, found in enumerate(prefixes):
        stop = prefixes[number + 1].start if number + 1 < len(prefixes) else len(text)
        speaker = found.speaker
        if speaker.role == "The President" and president and speaker.country is None:
            speaker = Speaker(name=speaker.name, country=president.get("country"),
                              language=speaker.language, role=speaker.role)
        span = trimmed(text, found.statement_start, stop)
        start, end = span if span else (found.prefix_end, found.prefix_end)
        segments.append(Segment(start, end, speaker))
        if found.splice:
            splices.append({"turn": number, "start": found.splice[0], "end": found.splice[1],
                            "prefix_end": found.prefix_end})
    if splices:
        metadata["prefix_splices"] = splices
    title = f"{symbol}: {topic}" if symbol and topic else symbol or topic
    return Document(doc_id=doc_id, doc_type="transcript", text=text, title=title, date=date,
                    source=SOURCE, symbol=symbol, topic=topic, segments=segments,
                    metadata=metadata, origin=origin)


def symbol_from_filename(name: str) -> str | None:
    """``S_PV.8734.txt`` -> ``S/PV.8734``; ``S_PV.8734_Resumption1.txt`` -> ``S/PV.8734
    (Resumption 1)``; None for any other name."""
    match = _FILENAME.fullmatch(Path(name).name)
    if match is None:
        return None
    symbol = f"S/PV.{match['meeting']}"
    return f"{symbol} (Resumption {match['part']})" if match["part"] else symbol


def read_meetings_csv(path: Path) -> dict[str, dict[str, str]]:
    """The rows of a ``meetings.csv`` keyed by their ``symbol`` column."""
    with path.open(encoding="utf-8-sig", newline="") as handle:  # a BOM is not a column name
        return {row["symbol"].strip(): {k: (v or "") for k, v in row.items() if k is not None}
                for row in csv.DictReader(handle) if (row.get("symbol") or "").strip()}


def speech_record_speaker(record: dict[str, Any]) -> Speaker | None:
    """The speaker of one ``speeches.jsonl`` record; None when the record names nobody.

    Name, title and country come from the record's fields; the language from the speech's
    own "(spoke in X)" prefix. The Council president gets role "The President" (the record
    names the person, "Mr. Dang", not the office). Whether a speech is the President's is
    read from the speech's own prefix when it has one, and from ``participant_type`` only
    when it has none: the prefix is the record itself, while the coding is upstream's and is
    sometimes wrong (S/PV.8715 speeches 11 and 21 have it swapped).
    """
    raw = str(record.get("speaker") or "").strip()
    country = str(record.get("country") or "").strip() or None
    text = record.get("text")
    prefixed, _ = strip_speaker_prefix(text) if isinstance(text, str) else (None, 0)
    if not raw:
        return prefixed
    role = ROLES.get(raw)
    name, title = (raw, None) if role else _split_title(raw)
    if prefixed is not None:
        if prefixed.role == "The President":
            role = "The President"
        elif role == "The President":
            role = None
    elif record.get("participant_type") == "The President":
        role = "The President"
    language = prefixed.language if prefixed else None
    return Speaker(name=name, title=title, country=country, language=language, role=role)


def _find_turns(text: str) -> list[SpeakerPrefix]:
    turns: list[SpeakerPrefix] = []
    pos = 0
    for line in text.splitlines(keepends=True):
        found = match_speaker_prefix(text, pos, pos + len(line))
        if found is not None:
            turns.append(found)
        pos += len(line)
    return turns


def _parse_header(lead: str) -> tuple[int, dict[str, Any]]:
    """Where the title page in ``lead`` ends (0 if there is none) and the fields it gives."""
    lines = lead.splitlines(keepends=True)
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line))
    marks = [i for i, line in enumerate(lines) if _HEADER_LINE.match(line)]
    if not marks:
        return 0, {}
    last = marks[-1]
    # A block opened by a header line (the agenda items, the record's notice) runs to the
    # next blank line.
    while last + 1 < len(lines) and lines[last + 1].strip():
        last += 1
    header_text = lead[: offsets[last + 1]]
    return offsets[last + 1], _header_fields(header_text)


def _header_fields(header: str) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    symbol = _HEADER_SYMBOL.search(header)
    if symbol:
        part = symbol["part"]
        fields["symbol"] = f"S/PV.{symbol['meeting']}" + (f" ({part})" if part else "")
        fields["meeting"] = int(symbol["meeting"])
    meeting = _MEETING.search(header)
    if meeting:
        fields["meeting"] = int(meeting["meeting"])
    when = _DATE_LINE.search(header)
    if when:
        iso = normalise_date(when["date"])
        if iso:
            fields["date"] = iso
        if when["time"]:
            fields["time"] = when["time"]
        place = _place_after(when["rest"], header[when.end():])
        if place:
            fields["place"] = place
    president = _PRESIDENT.search(header)
    if president:
        fields["president"] = {"name": president["name"].strip(),
                               "title": _canonical_title(president["title"]),
                               "country": president["country"].strip()}
    agenda = _AGENDA.search(header)
    if agenda:
        items: list[str] = []
        for line in header[agenda.end():].splitlines():
            if not line.strip():
                if items:
                    break
                continue
            items.append(line.strip())
        if items:
            fields["topic"] = items[0]
            fields["agenda"] = items
    return fields


def _place_after(rest: str, following: str) -> str | None:
    """The meeting place: the rest of the date line, else the next line ("New York")."""
    candidates = [rest.strip()] + [line.strip() for line in following.splitlines()[:3]]
    for candidate in candidates:
        if not candidate or candidate == "Provisional":
            continue
        if _HEADER_LINE.match(candidate) or not _PLACE.fullmatch(candidate):
            return None
        return candidate
    return None


def _looks_like_name(name: str) -> bool:
    tokens = name.split()
    if name in lexicon.ADDRESSED_OFFICES or tokens[-1] in lexicon.NAME_PARTICLES:
        return False
    return all(t in lexicon.NAME_PARTICLES or t[0].isupper() for t in tokens)


def _split_title(raw: str) -> tuple[str, str | None]:
    match = re.match(rf"(?P<title>{_TITLE})[ \t]+(?P<name>\S.*)", raw)
    if match is None:
        return raw, None
    return match["name"].strip(), _canonical_title(match["title"])


def _canonical_title(title: str | None) -> str | None:
    """"Mr" and "Mr." are one title; the dotted form is the one users see."""
    if title is None:
        return None
    for known in TITLES:
        if known.rstrip(".") == title.rstrip("."):
            return known
    return title
