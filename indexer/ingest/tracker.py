"""Counting a run's documents as Elasticsearch acknowledges their passages.

A document is indexed only once every one of its passages is acknowledged: the bulk
responses arrive passage by passage, on the bulk thread, while the encode stage announces
new documents and the read stage reports failures. All three meet here, under one lock.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from typing import Any

from indexer.documents import Document, Passage
from indexer.ingest import actions
from indexer.ingest.report import DeadLetter, Progress, RunSummary


@dataclass
class _Pending:
    """A document sent to Elasticsearch whose passages are not all acknowledged yet."""

    doc: Document
    remaining: int  # passages not yet acknowledged
    quotes: int  # counted in the summary once the document is complete
    failed: bool = False  # a passage was rejected (written to the dead letters once)


class Tracker:
    """Counts a document as indexed once every one of its passages is acknowledged."""

    def __init__(self, summary: RunSummary, dead: DeadLetter, progress: Progress) -> None:
        self.summary = summary
        self.dead = dead
        self.progress = progress
        self.failed = 0
        self._pending: dict[str, _Pending] = {}  # by document key, as in the passage ids
        self._lock = threading.Lock()

    def expect(self, doc: Document, passages: list[Passage]) -> None:
        with self._lock:
            key = actions.document_key(doc.doc_id)
            if key in self._pending:
                # The same id twice in one run: the later record wins (it overwrites the earlier).
                self.dead.write(doc.origin, f"duplicate document id {doc.doc_id!r} in this run; "
                                "this record replaced the earlier one", "read", doc.doc_id)
            quotes = sum(len(p.quotes) for p in passages)
            self._pending[key] = _Pending(doc, remaining=len(passages), quotes=quotes)

    def failed_document(self) -> None:
        with self._lock:
            self.failed += 1
        self.progress.documents_done(1, self.summary)

    def unchanged(self, n: int) -> None:
        with self._lock:
            self.summary.unchanged += n
            self.summary.documents += n
        self.progress.documents_done(n, self.summary)

    def acknowledge(self, ok: bool, item: dict[str, Any]) -> None:
        """One bulk response item (``{op: result}``); deletes of stale passages do not count."""
        op, result = next(iter(item.items()))
        if op == "delete":
            return
        key = str(result.get("_id", "")).rsplit("#", 1)[0]
        with self._lock:
            entry = self._pending.get(key)
            if entry is None:
                return
            entry.remaining -= 1
            if not ok and not entry.failed:
                entry.failed = True
                reason = result.get("error") or result.get("status")
                self.dead.write(entry.doc.origin,
                                f"Elasticsearch rejected passage {result.get('_id')}: "
                                f"{json.dumps(reason, default=str)[:500]}", "bulk",
                                entry.doc.doc_id)
            if ok:
                self.summary.passages += 1
            done = entry.remaining == 0
            if done:
                del self._pending[key]
                if entry.failed:
                    self.failed += 1
                else:
                    self.summary.documents += 1
                    self.summary.quotes += entry.quotes
        if done:
            self.progress.documents_done(1, self.summary)
