"""People on the read path: the speaker filter and facet by person, the speakers list and a
person's profile, and the provenance every returned quote carries.

Passages store a speaker's person id beside the name as written (``indexer.people``); the
name users see is read from the people index, so one person shows under one name however
the records named them.
"""

from __future__ import annotations

import dataclasses
import html
from collections.abc import Iterable
from typing import Any

from elasticsearch import Elasticsearch

from indexer.people.directory import Person
from indexer.people.store import find_people, get_people, resolve_names
from indexer.provenance import store as provenance
from indexer.search.plan import search_header
from indexer.search.request import SEARCH_TIMEOUT, Filters
from indexer.settings import Settings

MAX_SPEAKERS = 100


def expand_filters(client: Elasticsearch, settings: Settings, filters: Filters) -> Filters:
    """The speaker filter's names, with the ids of the people they name: ``speaker=Kelly
    Craft`` finds the speeches recorded under "Mrs. Craft" too."""
    if not filters.speakers:
        return filters
    ids = resolve_names(client, settings, filters.speakers)
    values = list(dict.fromkeys([*filters.speakers, *(i for found in ids.values() for i in found)]))
    return dataclasses.replace(filters, speakers=tuple(values))


def name_facet(client: Elasticsearch, settings: Settings, buckets: list[dict[str, Any]]
               ) -> list[dict[str, Any]]:
    """The speaker facet with each person's canonical name as its value (the filter takes it)."""
    people = get_people(client, settings, (b["id"] for b in buckets if b.get("id")))
    out = []
    for bucket in buckets:
        person = people.get(bucket["id"]) if bucket.get("id") else None
        if person is not None:
            out.append({**bucket, "value": person.name, "country": person.country})
        elif bucket.get("id"):
            out.append({**bucket, "value": bucket["id"]})  # a person not saved: shown by id
        else:
            out.append(bucket)
    return out


def person_dict(person: Person, documents: int = 0, quotes: int = 0) -> dict[str, Any]:
    return {"id": person.id, "name": person.name, "aliases": list(person.aliases),
            "title": person.title, "country": person.country,
            "country_code": person.country_code, "role": person.role,
            "roles": list(person.roles), "first_date": person.first_date,
            "last_date": person.last_date, "documents": documents, "quotes": quotes}


def counts(client: Elasticsearch, settings: Settings, ids: Iterable[str]
           ) -> dict[str, tuple[int, int]]:
    """(documents they speak in, news quotes attributed to them) per person id."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    body: dict[str, Any] = {"size": 0, "query": {"match_all": {}}, "aggs": {
        "docs": {"terms": {"field": "speaker_id", "include": wanted, "size": len(wanted)},
                 "aggs": {"docs": {"cardinality": {"field": "doc_key"}}}},
        "news": {"filter": {"term": {"type": "article"}}, "aggs": {"quotes": {
            "nested": {"path": "quotes"}, "aggs": {"by": {"terms": {
                "field": "quotes.speaker_id", "include": wanted, "size": len(wanted)}}}}}},
    }}
    aggs = client.search(**search_header(settings.all_alias), **body,
                         timeout=SEARCH_TIMEOUT).body.get("aggregations", {})
    docs = {b["key"]: int(b["docs"]["value"]) for b in aggs.get("docs", {}).get("buckets", [])}
    quoted = {b["key"]: int(b["doc_count"]) for b in
              aggs.get("news", {}).get("quotes", {}).get("by", {}).get("buckets", [])}
    return {i: (docs.get(i, 0), quoted.get(i, 0)) for i in wanted}


def list_speakers(client: Elasticsearch, settings: Settings, q: str, size: int
                  ) -> dict[str, Any]:
    """People matching ``q`` (every word of a name they had), or those who speak in the most
    documents when ``q`` is empty."""
    if q.strip():
        people = find_people(client, settings, q, size=size)
    else:
        body: dict[str, Any] = {"size": 0, "aggs": {"top": {"terms": {"field": "speaker_id", "size": size,
                                                      "order": {"docs": "desc"}},
                                            "aggs": {"docs": {"cardinality": {"field": "doc_key"}}}}}}
        aggs = client.search(**search_header(settings.all_alias), **body,
                             timeout=SEARCH_TIMEOUT).body.get("aggregations", {})
        ids = [b["key"] for b in aggs.get("top", {}).get("buckets", [])]
        found = get_people(client, settings, ids)
        people = [found[i] for i in ids if i in found]
    numbers = counts(client, settings, (p.id for p in people))
    return {"total": len(people), "speakers": [
        person_dict(p, *numbers.get(p.id, (0, 0))) for p in people]}


def attach_provenance(client: Elasticsearch, settings: Settings,
                      quotes: Iterable[tuple[str, str, dict[str, Any]]]) -> None:
    """Give every quote its ``provenance``: ``None`` until ``verbatim link`` checked it.
    ``quotes`` yields (collection, doc_id, quote) with the quote's ``offset``."""
    listed = [(provenance.quote_key(c, d, q.get("offset") or 0), q) for c, d, q in quotes
              if c and d]
    stored = provenance.get_many(client, settings, (k for k, _ in listed)) if listed else {}
    for key, quote in listed:
        found = stored.get(key)
        quote["provenance"] = provenance.summary(found) if found else None


VERDICTS = ("verbatim", "trimmed", "altered", "paraphrase", "not_found")


def checked_quotes(client: Elasticsearch, settings: Settings, *, verdicts: Iterable[str],
                   speaker_ids: Iterable[str], filters: Filters, page: int, size: int,
                   speaker: str | None = None, q: str = "") -> dict[str, Any]:
    """News quotes by their check: every altered quote of a collection, every quote of a
    person and how faithfully it was quoted. Newest articles first."""
    clauses: list[dict[str, Any]] = []
    if wanted := list(verdicts):
        clauses.append({"terms": {"verdict": wanted}})
    people = list(speaker_ids)
    if people or speaker:  # the person under any name, or the name as the article wrote it
        clauses.append({"bool": {"should": [{"terms": {"speaker_id": people}},
                                            {"terms": {"source_speaker_id": people}},
                                            {"term": {"speaker": speaker or ""}}],
                                 "minimum_should_match": 1}})
    if filters.types:
        clauses.append({"terms": {"doc_type": list(filters.types)}})
    if q.strip():
        clauses.append({"match": {"text": {"query": q, "operator": "and"}}})
    if filters.collections:
        clauses.append({"terms": {"collection": list(filters.collections)}})
    bounds = {k: v for k, v in (("gte", filters.date_from), ("lte", filters.date_to)) if v}
    if bounds:
        clauses.append({"range": {"date": bounds}})
    body: dict[str, Any] = {"query": {"bool": {"filter": clauses}}, "from": (page - 1) * size, "size": size,
            "sort": [{"date": {"order": "desc", "missing": "_last"}}, {"quote_start": "asc"}],
            "_source": {"excludes": ["check"]}, "track_total_hits": True}
    response = client.search(index=settings.provenance_index, ignore_unavailable=True,
                             allow_no_indices=True, **body).body
    out = []
    for hit in response["hits"]["hits"]:
        s = hit["_source"]
        out.append({"text": s.get("text"), "highlight": html.escape(s.get("text") or ""),
                    "speaker": s.get("speaker"),
                    "speaker_id": s.get("speaker_id"), "doc_id": s.get("doc_id"),
                    "collection": s.get("collection"), "title": s.get("title"),
                    "date": s.get("date"), "source": None, "offset": s.get("quote_start"),
                    "score": None, "provenance": provenance.summary(s)})
    return {"total": int(response["hits"]["total"]["value"]), "page": page, "size": size,
            "results": out}


def speaker_profile(client: Elasticsearch, settings: Settings, person_id: str,
                    *, size: int = 50) -> dict[str, Any] | None:
    """A person: who they are, the documents they speak in (newest first), and how the news
    quoted them."""
    found = get_people(client, settings, [person_id]).get(person_id)
    if found is None:
        return None
    numbers = counts(client, settings, [person_id]).get(person_id, (0, 0))
    body: dict[str, Any] = {"query": {"bool": {"filter": [{"term": {"speaker_id": person_id}}]}},
            "collapse": {"field": "doc_key"}, "size": size,
            "sort": [{"date": {"order": "desc", "missing": "_last"}}],
            "_source": ["doc_id", "collection", "type", "title", "date", "symbol", "topic",
                        "speaker", "source"]}
    hits = client.search(**search_header(settings.all_alias), **body,
                         timeout=SEARCH_TIMEOUT).body["hits"]["hits"]
    documents = [{k: h["_source"].get(k) for k in ("doc_id", "collection", "type", "title",
                                                   "date", "symbol", "topic", "speaker")}
                 for h in hits]
    quoted = checked_quotes(client, settings, verdicts=(), speaker_ids=[person_id],
                            filters=Filters(), page=1, size=size)
    return {**person_dict(found, *numbers), "recent_documents": documents,
            "quoted": quoted["results"], "quoted_total": quoted["total"]}


def quoted_from(client: Elasticsearch, settings: Settings, collection: str, doc_id: str,
                *, size: int = 200) -> list[dict[str, Any]]:
    """The news quotes whose source is this record, in the record's order: where each turn
    was quoted, and how faithfully."""
    body: dict[str, Any] = {
        "query": {"bool": {"filter": [{"term": {"source_doc_id": doc_id}},
                                      {"term": {"source_collection": collection}}]}},
        "size": size, "sort": [{"source_start": "asc"}], "_source": {"excludes": ["check"]}}
    response = client.search(index=settings.provenance_index, ignore_unavailable=True,
                             allow_no_indices=True, **body).body
    return [{"doc_id": s.get("doc_id"), "collection": s.get("collection"),
             "title": s.get("title"), "date": s.get("date"), "text": s.get("text"),
             "speaker": s.get("speaker"), "start": s.get("source_start"),
             "end": s.get("source_end"), "verdict": s.get("verdict"),
             "speaker_match": s.get("speaker_match"), "similarity": s.get("similarity")}
            for s in (hit["_source"] for hit in response["hits"]["hits"])]
