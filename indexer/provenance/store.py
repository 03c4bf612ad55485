"""Checked quotations in Elasticsearch: one document per quote, keyed by where it is.

The provenance of a quote lives in its own index (``Settings.provenance_index``), not on the
passages: checking a quote never rewrites a passage and its vector, a new record collection
re-checks quotes without touching the articles, and every page that shows quotes looks their
provenance up by key in one request.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from elasticsearch import Elasticsearch, NotFoundError
from elasticsearch.helpers import bulk, scan

from indexer.indices import ensure_prefix_index
from indexer.settings import Settings

if TYPE_CHECKING:  # the check imports the read path; the read path imports this module
    from indexer.provenance.check import CheckResult

SUMMARY_KEYS = ("verdict", "doc_id", "collection", "speaker_match", "similarity")


def quote_key(collection: str, doc_id: str, start: int) -> str:
    """A quote is where it starts in its document."""
    return f"{collection}/{doc_id}@{start}"


def text_hash(text: str, speaker: str | None, date: str | None) -> str:
    """Changes when anything the check reads changes: a changed quote is checked again."""
    return hashlib.sha1(json.dumps([text, speaker, date]).encode("utf-8")).hexdigest()[:20]


def ensure_index(client: Elasticsearch, settings: Settings) -> None:
    ensure_prefix_index(client, settings.provenance_index, "provenance")


def record(quote: dict[str, Any], result: CheckResult) -> dict[str, Any]:
    """The stored document of one checked quote: the check whole, and its fields to filter by.

    ``quote`` has the quote's ``collection``, ``doc_id``, ``doc_type``, ``date``, ``title``,
    ``start``, ``end``, ``text``, ``speaker`` and ``speaker_id``."""
    top = result.sources[0] if result.sources else None
    return {
        "collection": quote["collection"], "doc_id": quote["doc_id"],
        "doc_type": quote.get("doc_type"), "date": quote.get("date"),
        "title": quote.get("title"), "quote_start": quote["start"], "quote_end": quote["end"],
        "text": quote["text"], "speaker": quote.get("speaker"),
        "speaker_id": quote.get("speaker_id") or (result.speaker.id if result.speaker else None),
        "text_hash": text_hash(quote["text"], quote.get("speaker"), quote.get("date")),
        "verdict": result.verdict,
        "similarity": top.similarity if top else None,
        "speaker_match": top.speaker_match if top else "unknown",
        "source_doc_id": top.candidate.doc_id if top else None,
        "source_collection": top.candidate.collection if top else None,
        "source_speaker_id": top.candidate.speaker_id if top else None,
        "source_start": top.span[0] if top else None,
        "source_end": top.span[1] if top else None,
        "checked_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "check": result.to_dict(),
    }


def save(client: Elasticsearch, settings: Settings, records: Sequence[dict[str, Any]]) -> None:
    if not records:
        return
    ensure_index(client, settings)
    bulk(client, ({"_op_type": "index", "_index": settings.provenance_index,
                   "_id": quote_key(r["collection"], r["doc_id"], r["quote_start"]),
                   "_source": r} for r in records))


def summary(stored: dict[str, Any]) -> dict[str, Any]:
    """What a quote carries wherever the API returns it: the verdict and the source."""
    return {"verdict": stored.get("verdict"), "doc_id": stored.get("source_doc_id"),
            "collection": stored.get("source_collection"),
            "speaker_match": stored.get("speaker_match"), "similarity": stored.get("similarity")}


def get_many(client: Elasticsearch, settings: Settings,
             keys: Iterable[str]) -> dict[str, dict[str, Any]]:
    """The stored provenance of these quotes (those checked), by key."""
    wanted = sorted(set(keys))
    if not wanted:
        return {}
    try:
        docs = client.mget(index=settings.provenance_index, ids=wanted,
                           source_excludes=["check"]).body["docs"]
    except NotFoundError:
        return {}
    return {d["_id"]: d["_source"] for d in docs if d.get("found")}


def get_one(client: Elasticsearch, settings: Settings, key: str) -> dict[str, Any] | None:
    """One stored check whole (with its sources and diff), or None."""
    try:
        doc = client.get(index=settings.provenance_index, id=key).body
    except NotFoundError:
        return None
    found: dict[str, Any] = doc["_source"]
    return found


def forget_collection(client: Elasticsearch, settings: Settings, collection: str) -> int:
    """Drop the checks of a deleted collection's quotes and those whose source was in it (they
    become unchecked: ``verbatim link`` checks them again). The minimal distribution has no
    delete-by-query, so the ids are read and deleted in bulk."""
    query = {"query": {"bool": {"should": [{"term": {"collection": collection}},
                                           {"term": {"source_collection": collection}}],
                                "minimum_should_match": 1}}}
    try:
        ids = [hit["_id"] for hit in scan(client, index=settings.provenance_index, query=query,
                                          _source=False, size=1000)]
    except NotFoundError:
        return 0
    if ids:
        bulk(client, ({"_op_type": "delete", "_index": settings.provenance_index, "_id": i}
                      for i in ids), raise_on_error=False, refresh="wait_for")
    return len(ids)
