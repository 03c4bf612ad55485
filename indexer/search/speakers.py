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
from indexer.search import dates
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
        people, total = find_people(client, settings, q, size=size)
    else:
        body: dict[str, Any] = {"size": 0, "aggs": {
            "top": {"terms": {"field": "speaker_id", "size": size, "order": {"docs": "desc"}},
                    "aggs": {"docs": {"cardinality": {"field": "doc_key"}}}},
            # Every person who speaks in the archive, not the page's: exact below 40,000.
            "speakers": {"cardinality": {"field": "speaker_id", "precision_threshold": 40000}}}}
        aggs = client.search(**search_header(settings.all_alias), **body,
                             timeout=SEARCH_TIMEOUT).body.get("aggregations", {})
        ids = [b["key"] for b in aggs.get("top", {}).get("buckets", [])]
        found = get_people(client, settings, ids)
        people = [found[i] for i in ids if i in found]
        total = int(aggs.get("speakers", {}).get("value", len(people)))
    numbers = counts(client, settings, (p.id for p in people))
    return {"total": total, "speakers": [
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
    if filters.date_from or filters.date_to:
        clauses.append(dates.date_range(filters.date_from, filters.date_to))
    body: dict[str, Any] = {"query": {"bool": {"filter": clauses}}, "from": (page - 1) * size, "size": size,
            "sort": [{"date": {"order": "desc", "missing": "_last"}}, {"quote_start": "asc"}],
            "_source": {"excludes": ["check"]}, "track_total_hits": True,
            # Every check of the collections asked for, whatever else is filtered: none at all
            # means the quotes were never checked, not that none was, say, altered.
            "aggs": {"checked": {"global": {}, "aggs": {"in": {"filter": {"terms": {
                "collection": list(filters.collections)}} if filters.collections
                else {"match_all": {}}}}}}}
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
    checked = int(response.get("aggregations", {}).get("checked", {}).get("in", {})
                  .get("doc_count", 0))
    found: dict[str, Any] = {"total": int(response["hits"]["total"]["value"]), "page": page,
                             "size": size, "checked": checked, "results": out}
    if not checked:
        found["notice"] = ("no quote of these collections has been checked yet: run "
                           "`verbatim link` to check them against the record")
    return found


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
            "over_time": over_time(client, settings, person_id),
            "terms": significant_terms(client, settings, person_id),
            "quoted": quoted["results"], "quoted_total": quoted["total"]}


MONTHS_UP_TO = 36  # a person's documents are counted by month over spans up to this many
TERMS_SIZE = 20
TERMS_SAMPLE = 2000  # the most passages of theirs the significant terms read
# Words with no content that still rank when a person speaks far more than the archive's
# average passage (the text field keeps stop words for phrase search).
STOP_WORDS = frozenset((  # noqa: SIM905 - a readable block of words
    "a about above after again against all also am an and any are as at be because been "
    "before being below between both but by can could did do does doing down during each few "
    "for from further had has have having he her here hers herself him himself his how i if in "
    "into is it its itself just let me more most my myself no nor not now of off on once only "
    "or other our ours ourselves out over own same she should so some such than that the "
    "their theirs them themselves then there these they this those through to too under until "
    "up very was we were what when where which while who whom why will with would you your "
    "yours yourself yourselves mr ms mrs"
).split())


def over_time(client: Elasticsearch, settings: Settings, person_id: str) -> dict[str, Any]:
    """The documents a person speaks in, counted by month (by year over longer spans, or when
    any of them is dated only by its year, as a General Debate speech is: no month holds it),
    each period also by type (their turns in meetings, their speeches): ``{"interval",
    "buckets": [{"date", "count", "types": {type: count}}]}``. Counts are documents, as on
    the search page, so the buckets add up to the person's ``documents``."""
    def histogram(interval: str, fmt: str) -> dict[str, Any]:
        return {"date_histogram": {"field": "date", "calendar_interval": interval,
                                   "format": fmt},
                "aggs": {"docs": {"cardinality": {"field": "doc_key"}},
                         "types": {"terms": {"field": "type", "size": 10},
                                   "aggs": {"docs": {"cardinality": {"field": "doc_key"}}}}}}
    body: dict[str, Any] = {"size": 0, "query": {"term": {"speaker_id": person_id}}, "aggs": {
        "month": histogram("month", "yyyy-MM"), "year": histogram("year", "yyyy"),
        "year_only": {"filter": {"term": {dates.PRECISION_FIELD: "year"}}}}}
    aggs = client.search(**search_header(settings.all_alias), **body,
                         timeout=SEARCH_TIMEOUT).body.get("aggregations", {})
    months = aggs.get("month", {}).get("buckets", [])
    by_year = len(months) > MONTHS_UP_TO or aggs.get("year_only", {}).get("doc_count", 0) > 0
    interval = "year" if by_year else "month"
    return {"interval": interval, "buckets": [{
        "date": b["key_as_string"], "count": int(b["docs"]["value"]),
        "types": {t["key"]: int(t["docs"]["value"]) for t in b["types"]["buckets"]}}
        for b in aggs.get(interval, {}).get("buckets", [])]}


def significant_terms(client: Elasticsearch, settings: Settings, person_id: str,
                      size: int = TERMS_SIZE) -> list[dict[str, Any]]:
    """What a person said most, against the rest of the archive: Elasticsearch's
    ``significant_text`` over the words of their passages (a sample of them, read again
    from the stored text, so no extra field is indexed), repeated boilerplate ("I thank the
    President...") counted once, and a word only when at least two of their passages use it.
    Stop words and numbers are left out. ``count``: their passages with the word;
    ``background``: passages in the archive with it."""
    body: dict[str, Any] = {"size": 0, "query": {"term": {"speaker_id": person_id}}, "aggs": {
        "sample": {"sampler": {"shard_size": TERMS_SAMPLE}, "aggs": {"terms": {
            "significant_text": {"field": "text", "filter_duplicate_text": True,
                                 "min_doc_count": 2, "size": size * 2}}}}}}
    aggs = client.search(**search_header(settings.all_alias), **body,
                         timeout=SEARCH_TIMEOUT).body.get("aggregations", {})
    buckets = aggs.get("sample", {}).get("terms", {}).get("buckets", [])
    terms = [{"term": b["key"], "count": int(b["doc_count"]), "background": int(b["bg_count"]),
              "score": round(float(b["score"]), 4)}
             for b in buckets if _content_word(str(b["key"]))]
    return terms[:size]


def _content_word(term: str) -> bool:
    return len(term) > 2 and term not in STOP_WORDS and not any(c.isdigit() for c in term)


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
