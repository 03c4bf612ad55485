"""A claim as the API, the pages and the CLI receive it: checked once, here, for all three."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date as Date
from typing import Any

from indexer.errors import BadRequest, CollectionError
from indexer.indices import validate_collection
from indexer.provenance.check import MAX_CLAIM_CHARS, Claim

MAX_SPEAKER_CHARS = 200
MAX_COLLECTIONS = 50


class ClaimError(BadRequest):
    """The claim cannot be checked as given; ``parameter`` names the field to change."""


# A quotation of fewer words is in too many places for a source to mean anything: "the" or
# "Idlib" would come back verbatim from whichever record the search ranked first.
MIN_CLAIM_WORDS = 2
_WORD = re.compile(r"\w+")


def parse_claim(raw: Mapping[str, Any]) -> Claim:
    """``text`` (required), ``speaker``, ``date`` (yyyy-mm-dd) and ``collection`` (a name or
    a list of names), each refused with a message that says what to change."""
    text = raw.get("text")
    if not isinstance(text, str) or not text.strip():
        raise ClaimError("text is required: the words of the quotation to check",
                         parameter="text")
    if len(_WORD.findall(text)) < MIN_CLAIM_WORDS:
        raise ClaimError(f"text {text.strip()!r} is one word, said in too many places to trace "
                         "to one: give the quotation's words", parameter="text")
    if len(text) > MAX_CLAIM_CHARS:
        raise ClaimError(f"text has {len(text):,} characters; a quotation to check is at most "
                         f"{MAX_CLAIM_CHARS:,}", parameter="text")
    speaker = _optional_str(raw, "speaker", MAX_SPEAKER_CHARS)
    day = _optional_str(raw, "date", 10)
    if day is not None:
        try:
            day = Date.fromisoformat(day).isoformat()
        except ValueError:
            raise ClaimError(f"date must be an ISO date (yyyy-mm-dd), not {day!r}",
                             parameter="date") from None
    names = raw.get("collection")
    if names is None or names == "":
        collections: tuple[str, ...] | None = None
    else:
        listed = [names] if isinstance(names, str) else names
        if not isinstance(listed, list) or not all(isinstance(n, str) for n in listed):
            raise ClaimError("collection must be a name or a list of names",
                             parameter="collection")
        if len(listed) > MAX_COLLECTIONS:
            raise ClaimError(f"at most {MAX_COLLECTIONS} collections", parameter="collection")
        try:
            collections = tuple(validate_collection(n) for n in listed) or None
        except CollectionError as exc:
            raise ClaimError(exc.message, parameter="collection") from None
    return Claim(text=text.strip(), speaker=speaker, date=day, collections=collections)


def _optional_str(raw: Mapping[str, Any], name: str, limit: int) -> str | None:
    value = raw.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise ClaimError(f"{name} must be a string", parameter=name)
    value = value.strip()
    if len(value) > limit:
        raise ClaimError(f"{name} is longer than {limit} characters", parameter=name)
    return value or None
