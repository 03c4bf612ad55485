"""The words the readers know by heart: titles, name particles, abbreviations, months.

Each kind of word is listed once, here, spelled as it is printed. Each reader takes the kinds
it needs and says why: the sentence splitter (``passages``) which full stops do not end a
sentence, the name finder (``names``) which capitalised words are a title rather than a
name, the transcript reader (``sources.transcripts``) which words open a speaker's turn, and
the article reader (``sources.articles``) which month a date or dateline names.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# Forms of address before one person's name, as UN records and wire copy print them.
HONORIFICS = ("Mr.", "Mrs.", "Ms.", "Miss", "Dr.", "Prof.", "Sir", "Dame", "Lord", "Lady",
              "Baroness", "Sheikh", "Prince", "Princess", "Archbishop", "Cardinal")
# The same before several names: "Messrs. Smith and Jones".
PLURAL_HONORIFICS = ("Messrs.", "Mmes.")
# Ranks and offices abbreviated before a name: "Gen. Smith", "Sen. Graham", "Amb. Nebenzia".
TITLE_ABBREVIATIONS = ("Gen.", "Lt.", "Col.", "Maj.", "Capt.", "Sgt.", "Cpl.", "Adm.", "Gov.",
                       "Sen.", "Rep.", "Amb.", "Rev.", "Hon.", "Fr.")
# Ranks spelled out: "Brigadier General Smith".
RANKS = ("General", "Lieutenant", "Colonel", "Major", "Captain", "Sergeant", "Brigadier",
         "Admiral", "Marshal")
# The words of an office's name before its holder's name: "Foreign Minister Lavrov",
# "U.N. Special Envoy Geir Pedersen", "Syrian Observatory head Rami Abdulrahman".
OFFICE_WORDS = (
    "President", "Vice", "Prime", "Minister", "Foreign", "Defense", "Defence", "Interior",
    "Secretary", "Secretary-General", "Under-Secretary-General", "Assistant", "Deputy",
    "General", "Ambassador", "Envoy", "Special", "Representative", "Permanent", "Director",
    "Director-General", "Executive", "Chief", "Head", "Spokesman", "Spokeswoman", "Spokesperson",
    "Commander", "Coordinator", "High", "Commissioner", "Chairman", "Chairwoman", "Chair", "King",
    "Queen", "Prince", "Emir", "Sheikh", "Pope", "Senator", "Governor", "Mayor", "Judge",
    "Officer", "Official", "Adviser", "Advisor", "Senior",
)
# Offices a speaker is addressed by ("Mr. President", "Madam Chair"): after a title, never
# a name.
ADDRESSED_OFFICES = ("President", "Chair", "Chairman", "Secretary-General", "Speaker")
# After a name: "Martin Luther King Jr."
NAME_SUFFIXES = ("Jr.", "Sr.")
# Part of a place's name: "St. Petersburg".
PLACE_ABBREVIATIONS = ("St.",)
# Always followed by more of their sentence: "e.g. the", "vs. Russia".
INNER_ABBREVIATIONS = ("e.g.", "i.e.", "cf.", "vs.", "viz.", "approx.")
# As often inside a sentence as at its end: "No. 5", "Acme Inc. said", "towns, camps etc."
AMBIGUOUS_ABBREVIATIONS = ("No.", "Nos.", "Inc.", "Corp.", "Co.", "Ltd.", "etc.", "al.", "vol.",
                           "art.", "para.", "paras.", "fig.", "p.", "pp.", "op.", "cit.")

# Lower-case words inside a name: "Pecsteen de Buytswerve", "Bashar al Assad", "Ibn Saud".
NAME_PARTICLES = frozenset({
    "de", "da", "das", "del", "della", "der", "den", "di", "do", "dos", "du", "la", "le", "van",
    "von", "zu", "ter", "ten", "y", "e", "al", "el", "bin", "ben", "ibn", "abu",
})
# Particles that are everyday English words too: in English prose "do" and "ten" are those.
ENGLISH_PARTICLES = frozenset({"do", "ten"})

MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August",
               "September", "October", "November", "December")
# AP style spells out March to July and abbreviates the rest; wire desks are not always
# consistent, so the variants (Sep., Sept.) are known too. Printed with or without the stop.
MONTH_ABBREVIATIONS = {"Jan": 1, "Feb": 2, "Mar": 3, "Apr": 4, "Jun": 6, "Jul": 7, "Aug": 8,
                       "Sep": 9, "Sept": 9, "Oct": 10, "Nov": 11, "Dec": 12}
# The month a name or abbreviation (lower-case, no stop) stands for.
MONTHS: dict[str, int] = {
    **{name.lower(): number for number, name in enumerate(MONTH_NAMES, start=1)},
    **{short.lower(): number for short, number in MONTH_ABBREVIATIONS.items()},
}
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def words(spaced: str) -> frozenset[str]:
    """The words of a long list written as running lines, which read better than quoted items."""
    return frozenset(spaced.split())


def lowered(*kinds: Iterable[str]) -> frozenset[str]:
    """The words of the given kinds, lower-cased: readers compare words in lower case."""
    return frozenset(word.lower() for kind in kinds for word in kind)


# Every abbreviation that is written with a full stop, lower-cased with its stop: the stop
# belongs to the word ("Mr.", "U.N."-like initialisms are matched by pattern where needed).
ABBREVIATIONS = frozenset(
    word for word in lowered(HONORIFICS, PLURAL_HONORIFICS, TITLE_ABBREVIATIONS, NAME_SUFFIXES,
                             PLACE_ABBREVIATIONS, INNER_ABBREVIATIONS, AMBIGUOUS_ABBREVIATIONS)
    if word.endswith(".")
) | {f"{short.lower()}." for short in MONTH_ABBREVIATIONS}


def alternation(words: Iterable[str]) -> str:
    """A regular-expression alternation of ``words`` taken literally, longest first, so that
    where one word begins another ("Sept", "Sep") the longer is tried first."""
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
