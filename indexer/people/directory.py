"""Every speaker the records and the news name, resolved to one person each.

The records write one person many ways ("Mrs. Craft", "Kelly Craft"; "Mr. Dang", "Dang Dinh
Quy"), so each observation is matched against the people already known: by its name's words
(see ``names.relation``) within its country, never joining a person any of whose known forms
conflicts with it (another given name, another country). Among several compatible people the
one with the fullest agreement wins; a bare surname with several namesakes in one country goes
to the one whose dates are nearest; with no country to narrow it, the directory does not guess.

This module is pure: the caller loads people (``Person.from_source``), resolves, and saves
what ``changed()`` lists.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass, field
from datetime import date as Date
from typing import Any

from indexer.documents import Speaker
from indexer.people.countries import Country, normalise_country, slug, state
from indexer.people.names import PersonName, fold, is_nobody, name_tokens, parse_name, relation
from indexer.people.offices import OFFICES, office_holder, office_name

COUNCIL_PRESIDENT = "President of the Council"
MEMBER_STATE = "member state"
UN_OFFICIAL = "UN official"
BRIEFER = "briefer"
# A Speaker's role that is not a post held by its speaker: the chair of a meeting.
_CHAIRS = frozenset({"The President", "Chair", "The Chair"})
_RANK = {"same": 4.0, "given": 3.0, "suffix": 2.0, "prefix": 1.0}

Tokens = tuple[str, ...]


@dataclass
class Person:
    """One person, however the sources write their name."""

    id: str  # stable, readable: "craft-usa", "mueller-un", "peter-allen-gbr"
    name: str  # the fullest form seen, without title: "Kelly Craft"
    title: str | None = None
    given: str | None = None
    surname: str = ""
    country: str | None = None  # the UN's name: "United States of America"
    country_code: str | None = None  # "USA", "UN", or a body's slug
    roles: list[str] = field(default_factory=list)
    aliases: list[str] = field(default_factory=list)  # every raw form seen: "Mrs. Craft"
    first_date: str | None = None
    last_date: str | None = None

    @property
    def role(self) -> str | None:
        """The role that says most about who the person is: an office, then a post (from the
        General Debate), then their affiliation; chairing the Council only when nothing else."""
        def rank(role: str) -> int:
            if role in OFFICES:
                return 0
            order = (UN_OFFICIAL, MEMBER_STATE, BRIEFER, COUNCIL_PRESIDENT)
            return 2 + order.index(role) if role in order else 1
        return min(self.roles, key=rank) if self.roles else None

    def to_source(self) -> dict[str, Any]:
        """The person as a JSON-able document (with ``role``, for facets)."""
        return {**asdict(self), "role": self.role}

    @classmethod
    def from_source(cls, source: Mapping[str, Any]) -> Person:
        """A person from ``to_source``'s output (extra keys such as ``role`` ignored)."""
        def text(key: str) -> str | None:
            value = source.get(key)
            return str(value) if value not in (None, "") else None
        return cls(
            id=str(source["id"]), name=str(source["name"]), title=text("title"),
            given=text("given"), surname=str(source.get("surname") or ""),
            country=text("country"), country_code=text("country_code"),
            roles=[str(r) for r in source.get("roles") or ()],
            aliases=[str(a) for a in source.get("aliases") or ()],
            first_date=text("first_date"), last_date=text("last_date"),
        )


@dataclass(frozen=True)
class _Seen:
    """One observation of a person: the raw form, its parse, and what comes with it."""

    raw: str
    name: PersonName
    country: Country | None = None
    roles: tuple[str, ...] = ()
    date: str | None = None  # a record's date; news dates say nothing about who spoke when


def _day(value: str | None) -> int | None:
    """A date's first possible day as an ordinal ("2019" -> 1 Jan 2019), None if unreadable."""
    if not value:
        return None
    parts = [*value[:10].split("-"), "1", "1"][:3]
    try:
        return Date(int(parts[0]), int(parts[1]), int(parts[2])).toordinal()
    except ValueError:
        return None


def _speaker_roles(speaker: Speaker, country: Country | None, office: str | None) -> list[str]:
    roles: list[str] = []
    if office:
        roles.append(office)
    post = speaker.role if speaker.role and not office and speaker.role not in _CHAIRS else None
    if post:
        roles.append(post)  # a General Debate speaker's post: "President", "Prime Minister"
    elif not office and (country is not None or speaker.role != "The President"):
        kind = country.kind if country else None
        roles.append({"state": MEMBER_STATE, "un": UN_OFFICIAL}.get(kind or "", BRIEFER))
    if speaker.role == "The President":
        roles.append(COUNCIL_PRESIDENT)
    return roles


class Directory:
    """The people known so far, and the resolution of new observations to them."""

    def __init__(self, people: Iterable[Person] = ()) -> None:
        self._people: dict[str, Person] = {}
        self._forms: dict[str, set[Tokens]] = {}
        self._by_token: dict[str, set[str]] = {}
        self._changed: set[str] = set()
        for person in people:
            self._people[person.id] = person
            for raw in (person.name, *person.aliases):
                self._add_form(person.id, raw)

    def __iter__(self) -> Iterator[Person]:
        return iter(list(self._people.values()))

    def __len__(self) -> int:
        return len(self._people)

    def get(self, person_id: str) -> Person | None:
        return self._people.get(person_id)

    def changed(self) -> list[Person]:
        """People created or updated since the last ``mark_saved()``."""
        return [p for pid, p in self._people.items() if pid in self._changed]

    def mark_saved(self) -> None:
        self._changed.clear()

    # -- resolution -------------------------------------------------------------------------

    def resolve_speaker(self, speaker: Speaker | None, date: str | None, *,
                        iso3: str | None = None) -> Person | None:
        """The person a record's speaker is, created or updated; None for no one (a
        placeholder, "The President" with nobody named, an office with no holder on file).
        ``iso3``, where the record has one (the General Debate's), outranks the country's
        name, which is sometimes misspelt there ("Republic of Co")."""
        if speaker is None or is_nobody(speaker.name):
            return None
        office = office_name(speaker.role) or office_name(speaker.name)
        parsed = parse_name(speaker.display)
        country = (state(iso3) if iso3 else None) or normalise_country(speaker.country)
        if parsed is None:
            holder = office_holder(office, date) if office else None
            if holder is None:
                return None
            parsed, country = holder.name, holder.country
        elif speaker.country and fold(speaker.name) == fold(speaker.country):
            return None  # a reader's stand-in: the country named where the speaker is missing
        if speaker.role == "The President" and country is not None and country.kind != "state":
            # The Council's presidency is a member state's: "UN" there is a coding slip
            # (S/PV.8735 codes Belgium's Mr. Pecsteen de Buytswerve as "UN").
            country = None
        roles = tuple(_speaker_roles(speaker, country, office))
        raw = speaker.display
        if "/" in raw and parse_name(raw) is not None:  # "Mr. Nebenzia/Mr. Polyanskiy"
            raw = " ".join(p for p in (parsed.title, parsed.full) if p)
        return self._resolve(_Seen(raw, parsed, country, roles, date), create=True)

    def resolve_attribution(self, name: str, date: str | None, *,
                            create: bool = True) -> Person | None:
        """The person a news attribution names ("Ursula Mueller", "Mueller"): the one known
        person it can be, or a new person for a full name when ``create``; None otherwise.
        Without ``create`` it is a pure lookup (the quote check's: a user's words never
        change the directory, which many threads read at once)."""
        parsed = parse_name(name)
        if parsed is None:
            return None
        seen = _Seen(raw=" ".join(name.split()), name=parsed)
        return self._resolve(seen, create=create and parsed.person_like, record=create)

    def _resolve(self, seen: _Seen, *, create: bool, record: bool = True) -> Person | None:
        tokens = seen.name.tokens
        if not tokens:
            return None
        scored: list[tuple[float, Person]] = []
        for pid in self._by_token.get(tokens[0], set()) | self._by_token.get(tokens[-1], set()):
            score = self._score(self._people[pid], tokens, seen.country)
            if score is not None:
                scored.append((score, self._people[pid]))
        if scored:
            best = max(s for s, _ in scored)
            order = list(self._people)
            tied = sorted((p for s, p in scored if s == best), key=lambda p: order.index(p.id))
            if len(tied) > 1 and seen.country is None:
                return None  # several people it could be, and nothing to tell them apart
            person = min(tied, key=lambda p: self._distance(p, seen.date))
            if record:
                self._update(person, seen)
            return person
        return self._create(seen) if create else None

    def _score(self, person: Person, tokens: Tokens, country: Country | None) -> float | None:
        """How well ``tokens`` fit ``person``; None when any known form of theirs conflicts."""
        if country and person.country_code and country.code != person.country_code:
            return None
        ranks = [relation(tokens, form) for form in self._forms.get(person.id, ())]
        if not ranks or None in ranks:
            return None
        # Ranked against the fullest form: a bare "Mr. Allen" seen before is no better
        # evidence for "Mr. Allen" than another Allen's full name.
        # A bare surname is as good a fit for "Mueller" as for "Ursula Mueller".
        canonical = parse_name(person.name)
        rank = relation(tokens, canonical.tokens) if canonical else None
        if rank == "same" and len(tokens) == 1:
            rank = "suffix"
        bonus = 0.5 if country and person.country_code == country.code else 0.0
        return (_RANK[rank] if rank else max(_RANK[r] for r in ranks if r)) + bonus

    @staticmethod
    def _distance(person: Person, when: str | None) -> int:
        day, first, last = _day(when), _day(person.first_date), _day(person.last_date)
        if day is None or first is None or last is None:
            return 10**9
        return 0 if first <= day <= last else min(abs(day - first), abs(day - last))

    # -- bookkeeping ------------------------------------------------------------------------

    def _create(self, seen: _Seen) -> Person:
        code = seen.country.code if seen.country else None
        tail = f"-{slug(code)}" if code else ""
        base = slug(seen.name.surname) or "person"
        candidates = [base + tail]
        if seen.name.given:
            candidates.append(f"{slug(seen.name.given.split()[0])}-{base}{tail}")
        pid = next((c for c in candidates if c not in self._people), None)
        number = 2
        while pid is None or pid in self._people:
            pid, number = f"{candidates[-1]}-{number}", number + 1
        person = Person(id=pid, name=seen.name.full, title=seen.name.title,
                        given=seen.name.given, surname=seen.name.surname)
        self._people[pid] = person
        self._update(person, seen)
        self._changed.add(pid)
        return person

    def _update(self, person: Person, seen: _Seen) -> None:
        before = person.to_source()
        if seen.raw and seen.raw not in person.aliases:
            person.aliases.append(seen.raw)
        self._add_form(person.id, seen.raw)
        self._add_form(person.id, seen.name.full)
        full = seen.name.full
        if (len(seen.name.tokens), len(full)) > (len(name_tokens(person.name)), len(person.name)):
            person.name = full
        person.title = person.title or seen.name.title
        if seen.country and not person.country_code:
            person.country, person.country_code = seen.country.name, seen.country.code
        for role in seen.roles:
            # With no country given, "briefer" is a guess that a known affiliation overrules.
            if role == BRIEFER and seen.country is None and person.country_code:
                continue
            if role not in person.roles:
                person.roles.append(role)
        if seen.date:
            person.first_date = min(filter(None, (person.first_date, seen.date)), key=_order)
            person.last_date = max(filter(None, (person.last_date, seen.date)), key=_order)
        self._split_name(person)
        if person.to_source() != before:
            self._changed.add(person.id)

    def _add_form(self, pid: str, raw: str) -> None:
        parsed = parse_name(raw)
        tokens = parsed.tokens if parsed else ()
        if tokens:
            self._forms.setdefault(pid, set()).add(tokens)
            for token in tokens:
                self._by_token.setdefault(token, set()).add(pid)

    def _split_name(self, person: Person) -> None:
        """Given names and surname of the canonical name, on the evidence of the shorter forms:
        a titled form that closes the full name is its surname ("Mr. Singer Weisinger" of
        "Jose Singer Weisinger"), one that opens it a family name written first ("Mr. Dang")."""
        parsed = parse_name(person.name)
        if parsed is None:
            return
        words = " ".join(p for p in (parsed.given, parsed.surname) if p).split()
        tokens = parsed.tokens
        given, surname = parsed.given, parsed.surname
        if len(words) == len(tokens):
            shorter = [f for f in self._forms.get(person.id, ()) if len(f) < len(tokens)]
            ends = [f for f in shorter if relation(f, tokens) == "suffix"]
            opens = [f for f in shorter if relation(f, tokens) == "prefix"]
            if ends:
                k = max(len(f) for f in ends)
                given, surname = " ".join(words[:-k]) or None, " ".join(words[-k:])
            elif opens:
                k = max(len(f) for f in opens)
                surname, given = " ".join(words[:k]), " ".join(words[k:]) or None
        person.given, person.surname = given, surname

    # -- lookup -----------------------------------------------------------------------------

    def match(self, query: str, *, exact: bool = False) -> list[Person]:
        """People the query names, ignoring case, accents and titles: an id, a name or alias
        first; then (unless ``exact``) people with the query's words in one of their names."""
        key = fold(" ".join(query.split()))
        if not key:
            return []
        parsed = parse_name(query)
        tokens = parsed.tokens if parsed else name_tokens(query)
        full: list[Person] = []
        partial: list[Person] = []
        for person in self._people.values():
            forms = self._forms.get(person.id, set())
            names = {fold(person.id), fold(person.name), *(fold(a) for a in person.aliases)}
            if key in names or tokens in forms:
                full.append(person)
            elif not exact and tokens and any(_contains(f, tokens) for f in forms):
                partial.append(person)
        return sorted(full, key=lambda p: fold(p.name)) + sorted(partial,
                                                                 key=lambda p: fold(p.name))


def _order(value: str) -> int:
    return _day(value) or 0


def _contains(form: Tokens, tokens: Tokens) -> bool:
    """``tokens`` appear in ``form`` as a run of words, or as the start of one word."""
    n = len(tokens)
    if any(form[i:i + n] == tokens for i in range(len(form) - n + 1)):
        return True
    return n == 1 and len(tokens[0]) >= 3 and any(w.startswith(tokens[0]) for w in form)
