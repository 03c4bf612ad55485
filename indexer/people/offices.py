"""Offices that name a person at a date: "The Secretary-General" of a 2020 record is António
Guterres. The records name the office, not the holder, so the holder comes from this dated
table of UN office holders since 1992 (public record; extend it when an office changes hands).
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass

from indexer.people.countries import Country
from indexer.people.names import PersonName

UN = Country(code="UN", name="United Nations", kind="un")


@dataclass(frozen=True)
class OfficeHolder:
    """Who held ``office`` from ``start`` to ``end`` (ISO days; ``end`` None: still holds it)."""

    office: str
    name: PersonName
    country: Country
    start: str
    end: str | None


def _holder(office: str, given: str, surname: str, start: str, end: str | None, *,
            full: str | None = None) -> OfficeHolder:
    return OfficeHolder(office=office, country=UN, start=start, end=end,
                        name=PersonName(title=None, given=given, surname=surname,
                                        full=full or f"{given} {surname}"))


_SG = "Secretary-General"
_DSG = "Deputy Secretary-General"
HOLDERS = (
    _holder(_SG, "Boutros", "Boutros-Ghali", "1992-01-01", "1996-12-31"),
    _holder(_SG, "Kofi", "Annan", "1997-01-01", "2006-12-31"),
    # Ban Ki-moon writes his family name first.
    _holder(_SG, "Ki-moon", "Ban", "2007-01-01", "2016-12-31", full="Ban Ki-moon"),
    _holder(_SG, "António", "Guterres", "2017-01-01", None),
    _holder(_DSG, "Louise", "Fréchette", "1998-03-02", "2006-03-31"),
    _holder(_DSG, "Mark", "Malloch-Brown", "2006-04-01", "2006-12-31"),
    _holder(_DSG, "Asha-Rose", "Migiro", "2007-02-05", "2012-06-30"),
    _holder(_DSG, "Jan", "Eliasson", "2012-07-01", "2016-12-31"),
    _holder(_DSG, "Amina J.", "Mohammed", "2017-02-28", None),
)
OFFICES = frozenset(h.office for h in HOLDERS)


def office_name(role: str | None) -> str | None:
    """The office a speaker's role names ("The Secretary-General" -> "Secretary-General")."""
    if not role:
        return None
    text = " ".join(role.split())
    text = text[4:] if text.casefold().startswith("the ") else text
    for office in OFFICES:
        if office.casefold() == text.casefold():
            return office
    return None


def _span(date: str) -> tuple[str, str] | None:
    """The first and last day a date may be: "2019" is 2019-01-01 to 2019-12-31."""
    parts = date.strip()[:10].split("-")
    try:
        year = int(parts[0])
        if len(parts) == 1:
            return f"{year:04d}-01-01", f"{year:04d}-12-31"
        month = int(parts[1])
        if len(parts) == 2:
            last = calendar.monthrange(year, month)[1]
            return f"{year:04d}-{month:02d}-01", f"{year:04d}-{month:02d}-{last:02d}"
        day = int(parts[2])
    except (ValueError, calendar.IllegalMonthError):
        return None
    return f"{year:04d}-{month:02d}-{day:02d}", f"{year:04d}-{month:02d}-{day:02d}"


def office_holder(role: str | None, date: str | None) -> OfficeHolder | None:
    """Who held the office ``role`` names on ``date``; None for another role, no date, or a
    date (a bare year) that spans a change of holder."""
    office = office_name(role)
    if office is None or not date:
        return None
    span = _span(date)
    if span is None:
        return None
    first, last = span
    for holder in HOLDERS:
        if holder.office == office and holder.start <= first and (
                holder.end is None or last <= holder.end):
            return holder
    return None
