"""The people directory in Elasticsearch: loaded whole before an indexing run, saved as it grows.

One small index per prefix (``Settings.people_index``) holds every person the collections'
speakers resolved to. It is shared by all collections, so that "Mrs. Craft" in one collection
and "Kelly Craft" in another are one person; passages store only the person's ``id``, and the
name users see is read from here at search time, so a fuller name learned later shows
everywhere at once.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from elasticsearch import Elasticsearch, NotFoundError
from elasticsearch.helpers import bulk, scan

from indexer.indices import ensure_prefix_index
from indexer.people.directory import Directory, Person
from indexer.people.names import fold, parse_name, relation
from indexer.settings import Settings

# People sharing a word with the names a filter could not find exactly, weighed one by one.
MAX_LOOSE_PEOPLE = 200


def ensure_index(client: Elasticsearch, settings: Settings) -> None:
    """Create the people index unless it exists."""
    ensure_prefix_index(client, settings.people_index, "people")


def load_directory(client: Elasticsearch, settings: Settings) -> Directory:
    """Every stored person, as a directory that new speakers resolve against."""
    try:
        people = [Person.from_source(hit["_source"]["person"])
                  for hit in scan(client, index=settings.people_index,
                                  query={"query": {"match_all": {}}}, size=1000)]
    except NotFoundError:
        people = []
    directory = Directory(people)
    directory.mark_saved()
    return directory


def save_directory(client: Elasticsearch, settings: Settings, directory: Directory) -> int:
    """Write the people created or changed since the last save; how many were written."""
    changed = directory.changed()
    if not changed:
        return 0
    ensure_index(client, settings)
    bulk(client, ({"_op_type": "index", "_index": settings.people_index, "_id": person.id,
                   "_source": person_source(person)} for person in changed),
         refresh="wait_for")
    directory.mark_saved()
    return len(changed)


def person_source(person: Person) -> dict[str, Any]:
    """The stored document: the person whole, and the fields people are searched by."""
    names = sorted({fold(n) for n in (person.name, *person.aliases) if n})
    return {"id": person.id, "name": person.name, "names": names, "country": person.country,
            "country_code": person.country_code, "roles": list(person.roles),
            "person": person.to_source()}


def get_people(client: Elasticsearch, settings: Settings,
               ids: Iterable[str]) -> dict[str, Person]:
    """The people with these ids (those that exist), by id."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    try:
        docs = client.mget(index=settings.people_index, ids=wanted).body["docs"]
    except NotFoundError:
        return {}
    return {d["_id"]: Person.from_source(d["_source"]["person"]) for d in docs if d.get("found")}


def find_people(client: Elasticsearch, settings: Settings, query: str, *,
                size: int = 50) -> tuple[list[Person], int]:
    """People whose name or a name they were recorded under matches ``query`` (every word),
    the exact names first, and how many match in all; an empty query lists people by name."""
    if query.strip():
        folded = fold(query.strip())
        body: dict[str, Any] = {"query": {"bool": {
            "should": [{"term": {"names.keyword": {"value": folded, "boost": 10}}},
                       {"term": {"id": {"value": query.strip(), "boost": 10}}},
                       {"match": {"names": {"query": folded, "operator": "and"}}}],
            "minimum_should_match": 1}}}
    else:
        body = {"query": {"match_all": {}}, "sort": [{"name.keyword": "asc"}]}
    try:
        found = client.search(index=settings.people_index, size=size, track_total_hits=True,
                              **body).body["hits"]
    except NotFoundError:
        return [], 0
    people = [Person.from_source(hit["_source"]["person"]) for hit in found["hits"]]
    return people, int(found["total"]["value"])


def resolve_names(client: Elasticsearch, settings: Settings,
                  names: Sequence[str]) -> dict[str, list[str]]:
    """For each name a user filters by, the ids of the people it names: exactly (a person's
    id, canonical name or a recorded alias) when any, or else every person all of whose
    recorded names it can be a form of ("Mueller" and "Ursula Mueller" for the speaker the
    records call "Ms. Mueller"; not "Kelly Mueller"), as the quote check resolves a news
    attribution. Names that match nobody map to []."""
    found = _exactly(client, settings, names)
    loose = [name for name, ids in found.items() if not ids]
    if loose:
        found.update(_as_forms(client, settings, loose))
    return found


def _exactly(client: Elasticsearch, settings: Settings,
             names: Sequence[str]) -> dict[str, list[str]]:
    wanted = {name: fold(name.strip()) for name in names}
    if not wanted:
        return {}
    body: dict[str, Any] = {"query": {"bool": {"should": [
        {"terms": {"names.keyword": sorted(set(wanted.values()))}},
        {"terms": {"id": sorted({n.strip() for n in names})}}], "minimum_should_match": 1}},
        "_source": ["id", "names"]}
    hits = _people_hits(client, settings, body, min(10 * len(wanted), 1000))
    return {name: [h["_id"] for h in hits if h["_id"] == name.strip()
                   or folded in h["_source"].get("names", [])]
            for name, folded in wanted.items()}


def _as_forms(client: Elasticsearch, settings: Settings,
              names: Sequence[str]) -> dict[str, list[str]]:
    """Each name's people by :func:`relation` with every name recorded for them, among those
    sharing a word of it (one search for all the names)."""
    tokens = {name: parsed.tokens for name in names
              if (parsed := parse_name(name)) is not None and parsed.tokens}
    out: dict[str, list[str]] = {name: [] for name in names}
    if not tokens:
        return out
    # A form shares the name's last word (or, a family name written first, its first).
    body: dict[str, Any] = {"query": {"bool": {"should": [
        {"match": {"names": " ".join({words[0], words[-1]})}} for words in tokens.values()]}},
        "_source": ["id", "names"]}
    for hit in _people_hits(client, settings, body, MAX_LOOSE_PEOPLE):
        forms = [parsed.tokens for form in hit["_source"].get("names", [])
                 if (parsed := parse_name(form)) is not None]
        for name, words in tokens.items():
            if forms and _a_form_of(words, forms):
                out[name].append(hit["_id"])
    return out


def _a_form_of(words: tuple[str, ...], forms: Sequence[tuple[str, ...]]) -> bool:
    """Whether ``words`` can be a form of every name recorded for a person. A name's opening
    words count (``prefix``: "Zhang" of "Zhang Jun") only for a person recorded under those
    words alone, whose family name comes first: "John" is no form of John Kerry."""
    relations = [relation(words, form) for form in forms]
    return all(relations) and ("prefix" not in relations or "same" in relations)


def _people_hits(client: Elasticsearch, settings: Settings, body: dict[str, Any],
                 size: int) -> list[dict[str, Any]]:
    try:
        return list(client.search(index=settings.people_index, size=size,
                                  **body).body["hits"]["hits"])
    except NotFoundError:
        return []
