"""One name per country: the records write "United Kingdom" and "United Kingdom of Great
Britain and Northern Ireland", "Saint Vincent and Grenadines", "Kingdom of Belgium".

pycountry (ISO 3166) does the lookup; the table here adds only what ISO lacks: the UN's own
display names (ISO writes "Iran, Islamic Republic of", the UN "Iran (Islamic Republic of)")
and the short forms the records use that ISO does not list. A speaker's affiliation that is
not a state is the UN itself (kind "un") or another body (kind "organisation": "Physicians
for Human Rights", "League of the Arab States"); "Individual" is no affiliation at all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

import pycountry
from rapidfuzz import fuzz, process

from indexer.people.names import fold, is_nobody

# The UN's names where ISO's differ (UN Terminology / M49), by ISO alpha-3 code.
UN_NAMES = {
    "GBR": "United Kingdom of Great Britain and Northern Ireland",
    "USA": "United States of America",
    "IRN": "Iran (Islamic Republic of)",
    "BOL": "Bolivia (Plurinational State of)",
    "VEN": "Venezuela (Bolivarian Republic of)",
    "FSM": "Micronesia (Federated States of)",
    "KOR": "Republic of Korea",
    "PRK": "Democratic People's Republic of Korea",
    "MDA": "Republic of Moldova",
    "TZA": "United Republic of Tanzania",
    "COD": "Democratic Republic of the Congo",
    "PSE": "State of Palestine",
    "VAT": "Holy See",
    "TWN": "Taiwan",
}
# Spellings in the records that ISO does not list, by code.
_ALIASES = {
    "saint vincent and grenadines": "VCT",
    "st vincent and the grenadines": "VCT",
    "palestine": "PSE",
    "state of palestine": "PSE",
    "russia": "RUS",
    "turkey": "TUR",
    "south korea": "KOR",
    "republic of korea": "KOR",
    "holy see": "VAT",
    "vatican": "VAT",
    "cote d'ivoire": "CIV",
    "ivory coast": "CIV",
    "micronesia": "FSM",
    "czech republic": "CZE",
    "swaziland": "SWZ",
    "cape verde": "CPV",
    "macedonia": "MKD",
    "the former yugoslav republic of macedonia": "MKD",
    "great britain": "GBR",
    "britain": "GBR",
    "uk": "GBR",
    "us": "USA",
    "united states": "USA",
}
_UN = frozenset({"un", "united nations", "united nations secretariat", "secretariat"})
# Affiliations that are none: a person speaking in their own name.
_NO_AFFILIATION = frozenset({"individual", "civil society", "private individual"})
# "Republic of Co", "Taoiseach of Ireland": a state's name after "<form of state> of".
_CLOSE = 92.0  # rapidfuzz ratio for a misspelling: "Naura" for "Nauru" in a long name
_OF = re.compile(r"^.*?\bof\s+(?:the\s+)?", re.IGNORECASE)


@dataclass(frozen=True)
class Country:
    """A speaker's state or body: ``code`` "GBR", "UN" or a slug; ``name`` the UN's name."""

    code: str
    name: str
    kind: str  # "state" | "un" | "organisation"


def slug(text: str) -> str:
    """Lower-case ASCII words joined by hyphens: the readable part of an id."""
    return re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-")


def _key(text: str) -> str:
    return " ".join(fold(text).replace(".", "").split()).removeprefix("the ")


@cache
def _index() -> dict[str, str]:
    """Every ISO name, official name and common name (folded) to its alpha-3 code; ISO's
    inverted names ("Korea, Republic of") also in reading order ("Republic of Korea")."""
    index: dict[str, str] = {}
    for country in pycountry.countries:
        code = country.alpha_3
        names = [country.name, getattr(country, "official_name", None),
                 getattr(country, "common_name", None)]
        for name in (n for n in names if n):
            index.setdefault(_key(name), code)
            head, sep, tail = name.partition(", ")
            if sep:
                index.setdefault(_key(f"{tail} {head}"), code)
        index.setdefault(code.casefold(), code)
    for name in UN_NAMES.values():
        index.setdefault(_key(name), next(c for c, n in UN_NAMES.items() if n == name))
    index.update({_key(alias): code for alias, code in _ALIASES.items()})
    return index


def state(code: str) -> Country | None:
    """The member state with ISO alpha-3 ``code``, by its UN name."""
    found = pycountry.countries.get(alpha_3=code.upper())
    if found is None:
        return None
    return Country(code=found.alpha_3, name=UN_NAMES.get(found.alpha_3, found.name), kind="state")


def _lookup(text: str) -> str | None:
    index = _index()
    key = _key(text)
    if key in index:
        return index[key]
    # "Bolivia (Plurinational State of)": ISO writes "Bolivia, Plurinational State of".
    paren = re.fullmatch(r"(.+?)\s*\((.+)\)", text.strip())
    if paren:
        for variant in (f"{paren[1]}, {paren[2]}", f"{paren[2]} {paren[1]}", paren[1]):
            if _key(variant) in index:
                return index[_key(variant)]
    stripped = _OF.sub("", text.strip(), count=1)
    if stripped != text.strip() and _key(stripped) in index:
        return index[_key(stripped)]
    # A misspelt official name ("Republic of Naura"): close to one name, and long enough that
    # closeness means something (a short body's name is never taken for a state).
    if len(key) >= 12:
        found = process.extractOne(key, index.keys(), scorer=fuzz.ratio, score_cutoff=_CLOSE)
        if found is not None:
            return index[found[0]]
    return None


def normalise_country(raw: str | None) -> Country | None:
    """The state, UN or body ``raw`` names; None for no affiliation (blank, "Individual")."""
    if raw is None or is_nobody(raw):
        return None
    text = " ".join(str(raw).split())
    key = _key(text)
    if key in _NO_AFFILIATION:
        return None
    if key in _UN:
        return Country(code="UN", name="United Nations", kind="un")
    code = _lookup(text)
    if code is not None:
        found = state(code)
        if found is not None:
            return found
    return Country(code=slug(text) or text, name=text, kind="organisation")
