"""A document made ready to encode: its quotes, its passages, its content hash.

Pure: no Elasticsearch and no model here, only the model's token counter passed in.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass

from indexer.documents import Document, Passage, RecordError
from indexer.ingest import actions
from indexer.text.passages import split_passages
from indexer.text.quotes import extract_quotes, turn_statement_quotes

SPLITTER_VERSION = "4"  # bump when what we index changes, so unchanged documents re-index
# 5 million characters is about 5,000 passages, some three minutes of encoding on a laptop
# CPU; larger inputs are usually a concatenation that should be split into documents.
MAX_DOCUMENT_CHARS = 5_000_000


@dataclass(frozen=True)
class Prepared:
    """A document with its passages and the hash that tells a re-run it is unchanged."""

    doc: Document
    passages: list[Passage]
    digest: str


def content_hash(doc: Document) -> str:
    """Changes whenever anything we index from the document changes."""
    digest = hashlib.sha256()
    for part in (SPLITTER_VERSION, doc.doc_type, doc.text, doc.title, doc.date, doc.source,
                 doc.url, doc.author, doc.symbol, doc.topic, repr(doc.speaker),
                 json.dumps(doc.metadata, sort_keys=True, default=str)):
        digest.update(str(part).encode("utf-8"))
        digest.update(b"\x1f")
    return digest.hexdigest()[:32]


def prepare(doc: Document, count_tokens: Callable[[str], int], max_tokens: int, *,
            max_chars: int = MAX_DOCUMENT_CHARS
            ) -> list[Passage]:
    """Quotes, then passages that fit the model once the document's context is prepended."""
    if len(doc.text) > max_chars:
        raise RecordError(doc.origin, f"the document has {len(doc.text):,} characters, over the "
                          f"limit of {max_chars:,}; split it, or raise the limit with --max-chars")
    doc.quotes = turn_statement_quotes(doc) if doc.segments else extract_quotes(doc.text)
    # Reserve room for the longest context line any passage will carry (each turn has its
    # own speaker), but never let a long title starve the passage.
    speakers = {doc.speaker, *(segment.speaker for segment in doc.segments)}
    context_tokens = max(count_tokens(actions.context_line(doc, sp)) for sp in speakers)
    budget = max(max_tokens - context_tokens - 1, max_tokens // 2)
    passages = split_passages(doc, count_tokens=count_tokens, max_tokens=budget)
    if not passages:
        raise RecordError(doc.origin, "the document has no text to index")
    return passages


def encoding_texts(doc: Document, passages: list[Passage]) -> list[str]:
    """What the model encodes for each passage: its context line, then its words."""
    return [actions.encoding_text(actions.context_line(doc, actions.speaker_of(doc, p)), p.text)
            for p in passages]
