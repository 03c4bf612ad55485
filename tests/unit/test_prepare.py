"""Preparing a document: the content hash, the passage budget, what the model encodes."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from indexer.documents import Document, RecordError, Speaker
from indexer.ingest.actions import context_line
from indexer.ingest.prepare import content_hash, encoding_texts, prepare
from indexer.ingest.report import IndexingAborted, RunSummary

TEXT = ('The port reopened on Monday. "We are back in business," said Ana Lind, the harbour '
        'master. Trade resumed within the hour. ') * 6


def words(text: str) -> int:
    return len(text.split())


def _doc(**changes: Any) -> Document:
    doc = Document(doc_id="wire-1", doc_type="article", text=TEXT, title="Port reopens",
                   date="2024-03-12", source="VNS", speaker=Speaker("Ana Lind"),
                   origin="in.jsonl:1")
    return dataclasses.replace(doc, **changes)


def test_the_content_hash_follows_what_is_indexed_and_nothing_else() -> None:
    digest = content_hash(_doc())
    assert digest == content_hash(_doc()) and len(digest) == 32
    assert content_hash(_doc(origin="other.jsonl:9")) == digest  # where it was read from
    for change in ({"text": TEXT + "More."}, {"title": "Port shut"}, {"date": "2024-03-13"},
                   {"metadata": {"desk": "ports"}}, {"speaker": Speaker("Ana Lind", role="x")}):
        assert content_hash(_doc(**change)) != digest, change


def test_passages_leave_room_for_the_context_line() -> None:
    doc = _doc()
    passages = prepare(doc, words, 40)
    assert len(passages) > 1 and doc.quotes
    for passage, text in zip(passages, encoding_texts(doc, passages), strict=True):
        assert text == f"{context_line(doc, doc.speaker)}\n{passage.text}"
        assert words(text) <= 40


def test_oversized_and_empty_documents_are_record_errors() -> None:
    with pytest.raises(RecordError, match="over the limit of 10"):
        prepare(_doc(), words, 40, max_chars=10)
    with pytest.raises(RecordError, match="no text to index"):
        prepare(_doc(text="   "), words, 40)


def test_an_aborted_run_carries_its_summary() -> None:
    summary = RunSummary(collection="c")
    assert IndexingAborted("gone").summary is None
    assert IndexingAborted("gone", summary).summary is summary
