"""What a run is asked to do and what it tells back: options, summary, dead letters, progress."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from indexer.ingest.prepare import MAX_DOCUMENT_CHARS


@dataclass(frozen=True)
class RunOptions:
    collection: str
    replace: bool = False
    keep_old: bool = False
    encode_batch: int = 128  # passages per model call
    bulk_chunk: int = 500  # actions per bulk request
    bulk_bytes: int = 20 * 1024 * 1024
    queue_batches: int = 4  # batches waiting between stages
    replicas: int | None = None
    dead_letter: Path | None = None
    max_chars: int = MAX_DOCUMENT_CHARS
    # Merge the index's segments after the run: None merges when the run wrote a lot
    # (``optimize.MERGE_AFTER_PASSAGES``), True always, False never.
    optimize: bool | None = None


@dataclass
class RunSummary:
    collection: str
    index: str = ""
    documents: int = 0
    unchanged: int = 0
    passages: int = 0
    quotes: int = 0
    skipped: int = 0
    failed: int = 0
    elapsed_s: float = 0.0
    dead_letter: str | None = None
    aborted: str | None = None
    swapped_from: str | None = None
    merge: dict[str, Any] | None = None  # optimize.MergeResult.as_dict() when a merge ran
    skipped_inputs: list[dict[str, str]] = field(default_factory=list)

    @property
    def docs_per_s(self) -> float:
        return self.documents / self.elapsed_s if self.elapsed_s else 0.0

    @property
    def passages_per_s(self) -> float:
        return self.passages / self.elapsed_s if self.elapsed_s else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "collection": self.collection, "index": self.index, "documents": self.documents,
            "unchanged": self.unchanged, "passages": self.passages, "quotes": self.quotes,
            "skipped": self.skipped, "failed": self.failed, "elapsed_s": round(self.elapsed_s, 3),
            "documents_per_s": round(self.docs_per_s, 2),
            "passages_per_s": round(self.passages_per_s, 2),
            "dead_letter": self.dead_letter, "aborted": self.aborted,
            "swapped_from": self.swapped_from, "merge": self.merge,
            "skipped_inputs": self.skipped_inputs,
        }


class IndexingAborted(RuntimeError):
    """Elasticsearch went away mid-run; what was acknowledged is safe, re-running finishes the rest.

    ``summary`` is the run so far when the bulk stage lost Elasticsearch (the CLI prints and
    reports it); None when the run stopped before or after the bulk requests."""

    def __init__(self, message: str, summary: RunSummary | None = None) -> None:
        super().__init__(message)
        self.summary = summary


class RunStopped(RuntimeError):
    """An unexpected error stopped the run; what was acknowledged is indexed, ``summary`` says
    how far it got (the CLI prints and reports it, exit code 1)."""

    def __init__(self, message: str, summary: RunSummary) -> None:
        super().__init__(message)
        self.summary = summary


class DeadLetter:
    """Append-only JSONL of every record that was not indexed, opened on first use."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._handle: IO[str] | None = None
        self._lock = threading.Lock()
        self.count = 0

    def write(self, origin: str, reason: str, stage: str, doc_id: str | None = None) -> None:
        with self._lock:
            self.count += 1
            if self.path is None:
                return
            if self._handle is None:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                # backslashreplace: an origin or reason that is not valid UTF-8 is still written
                self._handle = self.path.open("w", encoding="utf-8", errors="backslashreplace")
            entry = {"origin": origin, "doc_id": doc_id, "stage": stage, "reason": reason,
                     "time": datetime.now(UTC).isoformat(timespec="seconds")}
            self._handle.write(json.dumps(entry, ensure_ascii=False) + "\n")
            self._handle.flush()

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()


class Progress:
    """What the progress bar needs; the CLI supplies a tqdm-backed one, tests a silent one."""

    def documents_done(self, n: int, summary: RunSummary) -> None:  # pragma: no cover - UI
        pass

    def merging(self, written: int, total: int) -> None:  # pragma: no cover - UI
        """The segment merge after the load: ``written`` of about ``total`` bytes."""
