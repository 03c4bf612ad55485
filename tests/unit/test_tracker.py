"""Acknowledgement accounting: a document counts once all its passages are acknowledged."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from indexer.documents import Document, Passage, Quote
from indexer.ingest.actions import passage_id
from indexer.ingest.report import DeadLetter, Progress, RunSummary
from indexer.ingest.tracker import Tracker


class Recorder(Progress):
    def __init__(self) -> None:
        self.done: list[int] = []

    def documents_done(self, n: int, summary: RunSummary) -> None:
        self.done.append(n)


def _doc(doc_id: str, passages: int, quotes: int = 0) -> tuple[Document, list[Passage]]:
    doc = Document(doc_id=doc_id, doc_type="article", text="x", origin=f"in.jsonl:{doc_id}")
    quote = Quote("x", None, 0, 1)
    return doc, [Passage(doc_id, n, "x", 0, 1, quotes=(quote,) * quotes if n == 0 else ())
                 for n in range(passages)]


def _item(doc_id: str, number: int, op: str = "index", **result: Any) -> dict[str, Any]:
    return {op: {"_id": passage_id(doc_id, number), **result}}


def _tracker(path: Path | None = None) -> tuple[Tracker, RunSummary, Recorder, DeadLetter]:
    summary, progress = RunSummary(collection="c"), Recorder()
    dead = DeadLetter(path)  # None: counted, not written
    return Tracker(summary, dead, progress), summary, progress, dead


def test_a_document_counts_once_its_last_passage_is_acknowledged() -> None:
    tracker, summary, progress, dead = _tracker()
    tracker.expect(*_doc("a", 2, quotes=3))
    tracker.acknowledge(True, _item("a", 0))
    assert (summary.documents, summary.passages, progress.done) == (0, 1, [])
    tracker.acknowledge(True, _item("a", 5, op="delete"))  # stale deletes do not count
    tracker.acknowledge(True, _item("a", 1))
    assert (summary.documents, summary.passages, summary.quotes) == (1, 2, 3)
    assert progress.done == [1] and tracker.failed == 0 and dead.count == 0
    tracker.acknowledge(True, _item("a", 1))  # no longer pending: ignored
    assert summary.passages == 2


def test_a_rejected_passage_fails_its_document_once(tmp_path: Path) -> None:
    tracker, summary, progress, dead = _tracker(tmp_path / "dead.jsonl")
    tracker.expect(*_doc("b", 3, quotes=1))
    for number in range(3):
        tracker.acknowledge(number == 1, _item("b", number, status=400,
                                               error={"type": "mapper_parsing_exception"}))
    dead.close()
    assert (summary.documents, summary.passages, summary.quotes, tracker.failed) == (0, 1, 0, 1)
    assert progress.done == [1]
    [entry] = [json.loads(line) for line in (tmp_path / "dead.jsonl").read_text().splitlines()]
    assert entry["stage"] == "bulk" and entry["doc_id"] == "b" and entry["origin"] == "in.jsonl:b"
    assert entry["reason"].startswith("Elasticsearch rejected passage b#0: ")
    assert "mapper_parsing_exception" in entry["reason"]


def test_a_duplicate_id_is_dead_lettered_and_the_later_record_counts() -> None:
    tracker, summary, _, dead = _tracker()
    tracker.expect(*_doc("c", 2))
    tracker.expect(*_doc("c", 1))
    tracker.acknowledge(True, _item("c", 0))
    assert summary.documents == 1 and dead.count == 1


def test_unchanged_and_failed_documents_move_the_bar() -> None:
    tracker, summary, progress, _ = _tracker()
    tracker.unchanged(4)
    tracker.failed_document()
    assert (summary.unchanged, summary.documents, tracker.failed) == (4, 4, 1)
    assert progress.done == [4, 1]
