"""A person's name as the records and the news write it: title, given names and surname.

Parsing is nameparser's (``HumanName``); this module only decides what is not a name at all
(placeholders such as ``NaN``, offices such as "The President") and turns a name into the
folded tokens that identity resolution compares ("Piñera" and "Pinera" are one token). The
records disagree about which words are the surname ("Mr. Singer Weisinger" is a surname,
"Mr. Dang Dinh Quy" a family name first), so comparing names is done on token sequences
(``relation``) rather than on nameparser's guess of the surname.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from nameparser import HumanName
from nameparser.config import Constants

from indexer.sources.checks import is_placeholder

# nameparser's constants, plus forms of address it does not know, seen in the General Debate
# records ("Emir Sheikh Tamim bin Hamad Al-Thani", "Serene Highness Prince Albert II"). A
# private copy: nameparser deprecates changing its shared one.
CONSTANTS = Constants()
CONSTANTS.titles.add("emir", "serene")
# After a dotted form of address no title follows in the records: "Mr. Singer Weisinger" is
# a surname, not the title "Mr. Singer" nameparser reads (its titles include occupations).
_UNTITLED = Constants()
_UNTITLED.titles.remove(*list(_UNTITLED.titles))

# Placeholders for "nobody" beyond the empty values ``is_placeholder`` knows.
_NOBODY = frozenset({"unknown", "anonymous", "unnamed", "speaker", "n.a.", "na", "?"})
# "Mr. Nebenzia/Mr. Polyanskiy": two people named for one speech; the first is the speaker.
_SEVERAL = re.compile(r"\s*[/;]\s*")
# "Mr.Vivian Balakrishnan": a title glued to the name.
_GLUED = re.compile(r"^([A-Z][a-z]{1,3}\.)(?=[A-Z])")
_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "`": "'", "\u00b4": "'"})


@dataclass(frozen=True)
class PersonName:
    """One written form of a name, split by nameparser."""

    title: str | None  # "Mr.", "Ms.", "His Majesty King"
    given: str | None  # given names, middle names included: "Feridun Hadi"
    surname: str  # nameparser's last name: "Craft", "de Riviere"
    full: str  # the name without its title: "Kelly Craft", "Tommy Esang Remengesau Jr."

    @property
    def tokens(self) -> tuple[str, ...]:
        """The name's words, folded for comparison (title and suffixes left out)."""
        return name_tokens(" ".join(p for p in (self.given, self.surname) if p))

    @property
    def person_like(self) -> bool:
        """A given name and a surname: enough to stand for a person on its own."""
        return bool(self.given) and len(self.tokens) >= 2


def fold(text: str) -> str:
    """Lower case without accents and with straight quotes: the key names are compared by."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_QUOTES))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def name_tokens(text: str) -> tuple[str, ...]:
    """Folded words of a name; the dots of initials and stray commas dropped ("L." -> "l"),
    and the Arabic article of a family name too ("al-Assad", "Al Assad", "El-Sisi"), wherever
    it stands: news copy writes "Bashar Assad" for the record's "Bashar Al-Assad", and the
    record "Mr. Al Habib" for "Ahmed Al Habib", one person each. (An "Al" that is a given
    name goes too: "Al Gore" compares as "Gore".)"""
    words = [w for w in (w.strip(".,") for w in fold(text).split()) if w]
    out: list[str] = []
    for i, word in enumerate(words):
        if word in _ARTICLES and i < len(words) - 1:
            continue
        out.append(_ARTICLE.sub("", word) or word)
    return tuple(out)


_ARTICLES = {"al", "el"}
_ARTICLE = re.compile(r"^(?:al|el)-(?=\w)")


def is_nobody(raw: object) -> bool:
    """True for the values that stand for no speaker: None, NaN, "nan", "Unknown", blanks."""
    if is_placeholder(raw):
        return True
    return isinstance(raw, str) and raw.strip().strip(".").casefold() in _NOBODY


def parse_name(raw: str | None) -> PersonName | None:
    """``raw`` as a ``PersonName``; None when it names nobody (a placeholder, an office such as
    "The President", no letters). Of several people joined by "/" the first is taken."""
    if raw is None or is_nobody(raw):
        return None
    text = " ".join(str(raw).split())
    text = _SEVERAL.split(text, maxsplit=1)[0].strip(" ,")
    text = _GLUED.sub(r"\1 ", text)
    if not text or not any(c.isalpha() for c in text):
        return None
    if text.split()[0].casefold() == "the":  # "The President", "The Secretary-General"
        return None
    human = HumanName(text, constants=CONSTANTS)
    title = human.title or None
    titles = human.title.split()
    if len(titles) > 1 and titles[0].endswith(".") and text.startswith(titles[0] + " "):
        human = HumanName(text[len(titles[0]):].strip(), constants=_UNTITLED)
        title = titles[0]
    given = " ".join(p for p in (human.first, human.middle) if p) or None
    surname = human.last
    if not surname:  # one word: nameparser calls it a first name ("Mueller", "Mr. X" aside)
        surname, given = given or "", None
    if given and given.casefold() in CONSTANTS.prefixes:  # "Mr. Van Shalkwyk": a particle
        surname, given = f"{given} {surname}", None
    if not surname or is_nobody(surname):
        return None
    suffixes = [s for s in human.suffix_list if s.strip(".,").casefold()
                in CONSTANTS.suffix_not_acronyms]
    full = " ".join(p for p in (given, surname, *suffixes) if p)
    return PersonName(title=title, given=given, surname=surname, full=full)


def _same(a: str, b: str) -> bool:
    """Two folded name words are the same, or one is the other's initial ("h" and "hadi")."""
    if a == b:
        return True
    return (len(a) == 1 or len(b) == 1) and a[0] == b[0]


def _subsequence(short: tuple[str, ...], long: tuple[str, ...]) -> bool:
    it = iter(long)
    return all(any(_same(s, w) for w in it) for s in short)


def relation(a: tuple[str, ...], b: tuple[str, ...]) -> str | None:
    """How two token forms of a name can be one person's, strongest first, or None:

    - "same": identical;
    - "given": same surname (last word), same first given name (or its initial) and middle
      names that do not conflict ("Feridun H. Sinirlioglu", "Feridun Hadi Sinirlioglu");
    - "suffix": one is the other's closing words, a surname as the records write it with a
      title ("Mr. Allen", "Mr. Singer Weisinger", "Mr. Pecsteen de Buytswerve");
    - "prefix": one is the other's opening words, a family name written first ("Mr. Dang" of
      "Dang Dinh Quy", "Mr. Zhang" of "Zhang Jun").
    """
    if not a or not b:
        return None
    if a == b:
        return "same"
    short, long = (a, b) if len(a) <= len(b) else (b, a)
    if (len(short) >= 2 and short[-1] == long[-1] and _same(short[0], long[0])
            and (_subsequence(short[1:-1], long[1:-1]) or _subsequence(long[1:-1], short[1:-1]))):
        return "given"
    if len(short) < len(long):
        if long[-len(short):] == short:
            return "suffix"
        if long[:len(short)] == short:
            return "prefix"
    return None
