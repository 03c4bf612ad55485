"""News articles: plain-text wire copy and HTML pages, read into ``Document``s.

Wire copy is parsed by layout (standfirst, dateline, paragraphs) and keeps its text exactly
as given, so every offset stays valid. HTML is handed to trafilatura, which knows far more
about boilerplate and scripts than any regex could.
"""

from __future__ import annotations

import re
from datetime import date as Date
from typing import Any

from indexer.documents import Document, RecordError
from indexer.text import lexicon

# A month as a date prints it: "February", "Feb.", "Feb", "Sept.".
_MONTH = (rf"(?:{lexicon.alternation(lexicon.MONTH_NAMES)}"
          rf"|(?:{lexicon.alternation(lexicon.MONTH_ABBREVIATIONS)})\.?)")
_WEEKDAY = rf"(?:{lexicon.alternation(day[:3] for day in lexicon.WEEKDAYS)})[a-z]*\.?,?\s+"

# "WASHINGTON, Feb. 27 (UPI) -- ", "March 3 (Reuters) - ": at the start of a paragraph.
DATELINE = re.compile(
    r"(?P<place>[A-Z][A-Za-z.'\- ]{1,40}?,\s+)?"
    rf"(?P<month>{_MONTH})\s+(?P<day>\d{{1,2}})\s*"
    r"\((?P<agency>[A-Za-z][A-Za-z0-9 .&'\-]{0,30})\)\s*(?:--|\u2014|\u2013|-)\s*"
)
_ISO = re.compile(
    r"(?P<y>\d{4})[-/](?P<m>\d{1,2})[-/](?P<d>\d{1,2})(?:(?:[T ]|,\s*)\d{1,2}[:.]\d{2}.*)?"
)
_COMPACT = re.compile(r"(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})")
_DAY_MONTH_YEAR = re.compile(
    rf"(?:{_WEEKDAY})?(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s+(?P<month>[A-Za-z]+)\.?,?\s+(?P<y>\d{{4}})"
    r"(?:[,\s].*)?"
)
_MONTH_DAY_YEAR = re.compile(
    rf"(?:{_WEEKDAY})?(?P<month>[A-Za-z]+)\.?\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y>\d{{4}})"
    r"(?:[,\s].*)?"
)
_YEAR_MONTH = re.compile(r"(?P<y>\d{4})[-/](?P<m>\d{1,2})")
_MONTH_YEAR = re.compile(r"(?P<month>[A-Za-z]+)\.?,?\s+(?P<y>\d{4})")
_FILENAME_DATE = re.compile(
    r"(?<!\d)(?P<y>(?:19|20)\d{2})(?P<sep>[-_]?)(?P<m>\d{2})(?P=sep)(?P<d>\d{2})(?!\d)"
)
_PARAGRAPH = re.compile(r"\S(?:[^\n]|\n(?![ \t]*$))*", re.MULTILINE)
_MAX_STANDFIRST = 300


def normalise_date(value: str | int | None) -> str | None:
    """An ISO ``yyyy-mm-dd`` for a date that says its day, month and year unambiguously, else None.

    Accepted: ISO dates and datetimes (the date as written, never shifted to another time
    zone), ``yyyymmdd``, "27 February 2020", "Thursday, 27 Feb. 2020, 3 p.m.", "Feb 27, 2020",
    "February 27th, 2020". Refused (None), so that callers keep the original in metadata
    instead of indexing a guess: a bare year ("2020" or 2020: which day would it be?),
    year-month, and numeric day/month forms such as 03/04/2020, whose order we never guess.
    A field that may name only a year or a month is read by :func:`normalise_partial_date`.
    """
    if value is None or isinstance(value, bool):
        return None
    text = str(value).strip()
    for pattern in (_ISO, _COMPACT):
        match = pattern.fullmatch(text)
        if match:
            return _iso(int(match["y"]), int(match["m"]), int(match["d"]))
    for pattern in (_DAY_MONTH_YEAR, _MONTH_DAY_YEAR):
        match = pattern.fullmatch(text)
        if match:
            month = lexicon.MONTHS.get(match["month"].lower())
            if month is not None:
                return _iso(int(match["y"]), month, int(match["d"]))
    return None


def normalise_partial_date(value: str | int | None) -> str | None:
    """A date as precise as its source states it: ``yyyy-mm-dd`` for a day (as
    :func:`normalise_date`), ``yyyy-mm`` for a month ("2019-10", "October 2019"), ``yyyy`` for
    a year ("2019" or 2019); else None. For records whose date field may be coarser than a
    day: the index keeps the precision beside the date (``documents.date_precision``), so a
    year is no longer a guessed 1 January."""
    day = normalise_date(value)
    if day is not None or value is None or isinstance(value, bool):
        return day
    text = str(value).strip()
    if text.isdigit() and len(text) == 4:
        return text
    match = _YEAR_MONTH.fullmatch(text)
    month = int(match["m"]) if match else None
    if match is None and (match := _MONTH_YEAR.fullmatch(text)):
        month = lexicon.MONTHS.get(match["month"].lower())
    if match is None or month is None or not 1 <= month <= 12:
        return None
    return f"{match['y']}-{month:02d}"


def date_from_filename(name: str) -> str | None:
    """The date in a file name such as ``upi_2020-02-27_saraqib.txt`` or ``20200227.txt``."""
    for match in _FILENAME_DATE.finditer(name):
        iso = _iso(int(match["y"]), int(match["m"]), int(match["d"]))
        if iso:
            return iso
    return None


def parse_wire_article(text: str, *, doc_id: str, year: int | None = None,
                       date_hint: str | None = None, origin: str = "") -> Document:
    """A wire story: optional standfirst, a dateline paragraph, then paragraphs.

    ``Document.text`` is ``text`` unchanged (dateline included), so offsets found later index
    it directly. The date comes from the dateline's month and day with the year from ``year``,
    else from ``date_hint`` (the year that puts the date nearest the hint, so a story filed on
    1 January about 31 December lands in the right year); without a year the month and day
    are kept in metadata. Without a dateline the hint itself is the date.
    """
    if not text.strip():
        raise RecordError(origin, "the article is empty")
    paragraphs = [(m.start(), m.end()) for m in _PARAGRAPH.finditer(text)]
    metadata: dict[str, Any] = {}
    found = _find_dateline(text, paragraphs)
    title: str | None = None
    source: str | None = None
    iso: str | None = None
    hint = normalise_date(date_hint) if date_hint else None
    if found is not None:
        index, match = found
        metadata["dateline"] = match.group(0).strip()
        if match["place"]:
            metadata["dateline_place"] = match["place"].strip().rstrip(",")
        source = match["agency"].strip()
        month = lexicon.MONTHS[match["month"].rstrip(".").lower()]
        day = int(match["day"])
        iso = _dateline_date(month, day, year, hint)
        if iso is None:
            metadata["dateline_month"] = month
            metadata["dateline_day"] = day
        if index == 1:
            title = _standfirst(text, paragraphs[0])
    else:
        iso = hint
        if len(paragraphs) > 1:
            title = _standfirst(text, paragraphs[0])
    if title is not None:
        metadata["standfirst"] = title
    return Document(doc_id=doc_id, doc_type="article", text=text, title=title, date=iso,
                    source=source, metadata=metadata, origin=origin)


def parse_html_article(html: str, *, doc_id: str, url: str | None = None,
                       origin: str = "") -> Document:
    """The main text and metadata of a web page, as trafilatura extracts them.

    Scripts, styles and navigation never reach the text (trafilatura drops them). The text
    is trafilatura's, with its paragraphs separated by blank lines like wire copy. A page
    with no main text raises ``RecordError``.
    """
    import trafilatura  # imported here: it is slow to load and only HTML needs it

    if not html.strip():
        raise RecordError(origin, "the HTML page is empty")
    result = trafilatura.bare_extraction(html, url=url, with_metadata=True,
                                         include_comments=False, include_images=False)
    body = getattr(result, "text", None) if result is not None else None
    lines = [line.strip() for line in (body or "").splitlines() if line.strip()]
    if not lines:
        raise RecordError(origin, "no article text could be extracted from the HTML page "
                                  "(only scripts, navigation or markup?)")
    metadata: dict[str, Any] = {}
    raw_date = getattr(result, "date", None)
    iso = normalise_date(raw_date)
    if raw_date and iso is None:
        metadata["date_original"] = raw_date
    for key in ("description", "hostname", "language"):
        value = getattr(result, key, None)
        if value:
            metadata[key] = value
    return Document(
        doc_id=doc_id, doc_type="article", text="\n\n".join(lines),
        title=getattr(result, "title", None) or None, date=iso,
        source=getattr(result, "sitename", None) or None,
        url=url or getattr(result, "url", None) or None,
        author=getattr(result, "author", None) or None, metadata=metadata, origin=origin,
    )


def _iso(year: int, month: int, day: int) -> str | None:
    try:
        return Date(year, month, day).isoformat()
    except ValueError:
        return None


def _find_dateline(text: str,
                   paragraphs: list[tuple[int, int]]) -> tuple[int, re.Match[str]] | None:
    # Only the first two paragraphs: a dateline further down is a quoted story, not ours.
    for index, (start, end) in enumerate(paragraphs[:2]):
        match = DATELINE.match(text, start, end)
        if match:
            return index, match
    return None


def _dateline_date(month: int, day: int, year: int | None, hint: str | None) -> str | None:
    if year is not None:
        return _iso(year, month, day)
    if hint is None:
        return None
    hinted = Date.fromisoformat(hint)
    candidates = [c for y in (hinted.year - 1, hinted.year, hinted.year + 1)
                  if (c := _iso(y, month, day)) is not None]
    if not candidates:
        return None
    return min(candidates, key=lambda c: abs((Date.fromisoformat(c) - hinted).days))


def _standfirst(text: str, paragraph: tuple[int, int]) -> str | None:
    """The first paragraph as a title, when it is one short line (a headline or standfirst)."""
    candidate = text[paragraph[0]:paragraph[1]].strip()
    if "\n" in candidate or len(candidate) > _MAX_STANDFIRST:
        return None
    return candidate
