"""Who a document's speakers are: each speaker and quoted name resolved to a person.

Runs on the encode stage's thread (the directory is not shared between threads), against the
directory loaded from Elasticsearch at the start of the run (``people.store``).
"""

from __future__ import annotations

from indexer.documents import Document, Speaker
from indexer.ingest.actions import SpeakerIds
from indexer.people.directory import Directory


def resolve_document(directory: Directory, doc: Document) -> SpeakerIds:
    """The person of every speaker of ``doc`` (the speech's, each turn's) and of every name a
    news quote is attributed to. A record's turn quotes carry the turn's speaker display, so
    they resolve with the turn; an article's attributions resolve on their own."""
    speakers: dict[Speaker, str] = {}
    displays: dict[str, str] = {}
    # The General Debate's own country code: its country names are sometimes cut short.
    code = doc.metadata.get("iso3") if isinstance(doc.metadata, dict) else None
    iso3 = code if isinstance(code, str) else None
    for speaker in (doc.speaker, *(segment.speaker for segment in doc.segments)):
        if speaker is None or speaker in speakers:
            continue
        person = directory.resolve_speaker(speaker, doc.date, iso3=iso3)
        if person is not None:
            speakers[speaker] = person.id
            displays.setdefault(speaker.display, person.id)
    quoted: dict[str, str] = {}
    for quote in doc.quotes:
        name = quote.speaker
        if not name or name in quoted:
            continue
        if name in displays:
            quoted[name] = displays[name]
            continue
        if doc.doc_type == "article":
            person = directory.resolve_attribution(name, doc.date, create=True)
            if person is not None:
                quoted[name] = person.id
    return SpeakerIds(speakers, quoted)
