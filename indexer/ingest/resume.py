"""What the index already holds of each document, so that a re-run resumes instead of redoing.

A document whose every passage is there with the same content hash is skipped; one a killed
run left half-written is indexed again, and passages a shorter new version no longer has are
deleted (``old_count``).
"""

from __future__ import annotations

from dataclasses import dataclass

from elasticsearch import Elasticsearch

from indexer.documents import Document
from indexer.ingest import actions
from indexer.ingest.prepare import Prepared


@dataclass(frozen=True)
class Stored:
    """What the index already holds of one document."""

    content_hash: str
    passages_in_doc: int  # what its first passage says it has
    present: int  # how many passages are really there
    highest: int  # 1 + the highest passage number present

    def complete(self, digest: str, passages: int) -> bool:
        return (self.content_hash == digest
                and self.passages_in_doc == self.present == self.highest == passages)


def existing(client: Elasticsearch, index: str, docs: list[Document],
             collection: str) -> dict[str, Stored]:
    """For each document already in the index: its hash and which passages are there. A run
    killed mid-document leaves the first passage but not all the others: counting them is
    what makes a re-run finish that document instead of skipping it."""
    ids = [actions.passage_id(doc.doc_id, 0) for doc in docs]
    found = client.mget(index=index, ids=ids, source_includes=["content_hash", "passages_in_doc"])
    firsts = {doc.doc_id: entry.get("_source", {})
              for doc, entry in zip(docs, found["docs"], strict=True) if entry.get("found")}
    keys = {actions.doc_key(collection, doc.doc_id): doc.doc_id for doc in docs}
    response = client.search(
        index=index, size=0, query={"terms": {"doc_key": list(keys)}},
        aggs={"docs": {"terms": {"field": "doc_key", "size": len(keys)},
                       "aggs": {"last": {"max": {"field": "passage_no"}}}}})
    stored: dict[str, Stored] = {}
    for bucket in response["aggregations"]["docs"]["buckets"]:
        doc_id = keys[bucket["key"]]
        first = firsts.get(doc_id, {})
        stored[doc_id] = Stored(str(first.get("content_hash", "")),
                                int(first.get("passages_in_doc", 0)), int(bucket["doc_count"]),
                                int(bucket["last"]["value"] or 0) + 1)
    return stored


def old_count(stored: Stored | None) -> int:
    """How many passage ids the document may still occupy in the index."""
    return max(stored.passages_in_doc, stored.highest) if stored else 0


def drop_unchanged(docs: list[Prepared], stored: dict[str, Stored]) -> list[Prepared]:
    """The documents still to index: skip those already indexed, whole, with the same content."""
    return [p for p in docs
            if p.doc.doc_id not in stored
            or not stored[p.doc.doc_id].complete(p.digest, len(p.passages))]
