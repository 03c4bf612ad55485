"""Pure functions from documents and passages to what gets encoded and what gets indexed."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from indexer.documents import Document, Passage, Speaker, date_precision
from indexer.text.stemming import stem_text

MAX_ID_BYTES = 200


@dataclass(frozen=True)
class SpeakerIds:
    """The people a document's speakers and quoted names resolved to (``indexer.people``):
    passages store the person's id beside the name as written, and facets and the speaker
    filter go by the id."""

    speakers: Mapping[Speaker, str] = field(default_factory=dict)
    quoted: Mapping[str, str] = field(default_factory=dict)  # a quote's speaker -> person id


NO_IDS = SpeakerIds()


def document_key(doc_id: str) -> str:
    """A document's id as used inside Elasticsearch ids: itself, or a digest when too long."""
    if len(doc_id.encode("utf-8")) <= MAX_ID_BYTES:
        return doc_id
    return "sha1-" + hashlib.sha1(doc_id.encode("utf-8")).hexdigest()


def doc_key(collection: str, doc_id: str) -> str:
    """Unique across collections (two collections may both have a document "1")."""
    return f"{collection}/{doc_id}"


def passage_id(doc_id: str, number: int) -> str:
    """Deterministic: the same input indexed again overwrites instead of duplicating."""
    return f"{document_key(doc_id)}#{number}"


def speaker_of(doc: Document, passage: Passage) -> Speaker | None:
    return passage.speaker or doc.speaker


def context_line(doc: Document, speaker: Speaker | None) -> str:
    """Who said it, where and when: encoded with every passage so a passage deep inside a
    speech still carries its speaker, who may never name themselves."""
    bits: list[str] = []
    if doc.title:
        bits.append(doc.title)
    if speaker is not None:
        who = _who(speaker)
        if who not in (doc.title or ""):
            bits.append(who)
    where = doc.symbol or doc.source
    if where and where not in (doc.title or ""):
        bits.append(where)
    if doc.topic and doc.topic not in (doc.title or ""):
        bits.append(doc.topic)
    if doc.date:
        bits.append(doc.date)
    return " | ".join(bits)


def _who(speaker: Speaker) -> str:
    who = speaker.display
    if speaker.role and speaker.role not in who:
        who = f"{who}, {speaker.role}"
    if speaker.country:
        who = f"{who} ({speaker.country})"
    return who


def document_context(doc: Document) -> str:
    """The whole document's context: its own line, and each other speaker of its turns once
    (a record's passages carry their own speakers' names and countries, and the document
    scored whole must match a query that names them as its passages do)."""
    others = dict.fromkeys(_who(segment.speaker) for segment in doc.segments
                           if segment.speaker is not None and segment.speaker != doc.speaker)
    return " | ".join([context_line(doc, doc.speaker), *others])


def encoding_text(context: str, passage_text: str) -> str:
    return f"{context}\n{passage_text}" if context else passage_text


def passage_source(doc: Document, passage: Passage, *, collection: str, passages_in_doc: int,
                   indexed_at: str, vector: Sequence[float] | None,
                   ids: SpeakerIds = NO_IDS) -> dict[str, Any]:
    """The Elasticsearch document for one passage."""
    speaker = speaker_of(doc, passage)
    quotes = clipped_quotes(doc.text, passage, ids)
    source: dict[str, Any] = {
        "collection": collection,
        "doc_id": doc.doc_id,
        "doc_key": doc_key(collection, doc.doc_id),
        "type": doc.doc_type,
        "passage_no": passage.number,
        "passages_in_doc": passages_in_doc,
        "offset_start": passage.start,
        "offset_end": passage.end,
        "title": doc.title,
        "date": doc.date,
        "date_precision": date_precision(doc.date),  # what the date's histograms may count it as
        "source": doc.source,
        "url": doc.url,
        "author": doc.author,
        "symbol": doc.symbol,
        "topic": doc.topic,
        "text": passage.text,
        # Who, where and the words, stemmed: the keyword side of what the encoder sees.
        "stems": stem_text(f"{context_line(doc, speaker)} {passage.text}"),
        "quotes": quotes,
        "quote_speakers": sorted({q.speaker for q in passage.quotes if q.speaker}),
        "quote_speaker_ids": sorted({q["speaker_id"] for q in quotes if q.get("speaker_id")}),
        "indexed_at": indexed_at,
    }
    if speaker is not None:
        source.update({
            "speaker": speaker.display,
            "speaker_id": ids.speakers.get(speaker),
            "speaker_title": speaker.title,
            "speaker_role": speaker.role,
            "speaker_language": speaker.language,
            "speaker_country": speaker.country,
        })
    if passage.number == 0:
        # The whole text rides on the first passage only, for the document view; its words
        # (``doc_words``, copied by the mapping) and stems score the document whole in hybrid
        # search (BENCHMARKS.md §1, step 10).
        source["doc_text"] = doc.text
        source["doc_stems"] = stem_text(f"{document_context(doc)} {doc.text}")
        source["metadata"] = doc.metadata or None
    if vector is not None:
        source["embedding"] = [round(float(x), 6) for x in vector]
    return {key: value for key, value in source.items() if value not in (None, [], {})}


def clipped_quotes(text: str, passage: Passage, ids: SpeakerIds = NO_IDS
                   ) -> list[dict[str, Any]]:
    """The passage's quotes, each cut to the part inside the passage: a 10,000-character
    statement is not copied onto each of its passages."""
    out = []
    for q in passage.quotes:
        start, end = max(q.start, passage.start), min(q.end, passage.end)
        if end <= start:
            continue
        clipped = text[start:end].strip()
        if clipped:
            quote = {"text": clipped, "speaker": q.speaker, "offset_start": start,
                     "offset_end": end}
            person = ids.quoted.get(q.speaker) if q.speaker else None
            if person:
                quote["speaker_id"] = person
            out.append(quote)
    return out


def index_actions(index: str, doc: Document, passages: Sequence[Passage],
                  vectors: Iterable[Sequence[float] | None], *, collection: str,
                  indexed_at: str, ids: SpeakerIds = NO_IDS) -> Iterator[dict[str, Any]]:
    """One index action per passage, with its vector (rows of the model's output array)."""
    for passage, vector in zip(passages, vectors, strict=True):
        yield {
            "_op_type": "index",
            "_index": index,
            "_id": passage_id(doc.doc_id, passage.number),
            "_source": passage_source(doc, passage, collection=collection,
                                      passages_in_doc=len(passages), indexed_at=indexed_at,
                                      vector=vector, ids=ids),
        }


def stale_delete_actions(index: str, doc_id: str, new_count: int,
                         old_count: int) -> Iterator[dict[str, Any]]:
    """Deletes for the passages a shorter new version of a document no longer has."""
    for number in range(new_count, old_count):
        yield {"_op_type": "delete", "_index": index, "_id": passage_id(doc_id, number)}
