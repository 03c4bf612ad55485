"""One indexing run: read, split, encode and bulk-index, in three overlapping stages.

    reader thread ──(docs + passages)──▶ main thread: encode ──(actions)──▶ bulk thread

Bounded queues between the stages keep memory flat and let the model (the slow
part) work while Elasticsearch digests the previous batch. Every record that
fails, at any stage, is counted and written to the dead-letter file.

The pieces live beside this module: ``prepare`` (quotes, passages, content hash),
``resume`` (what the index already holds), ``target`` (which index, and the --replace
swap), ``actions`` (the bulk actions), ``tracker`` (acknowledgements) and ``report``.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np
from elastic_transport import ConnectionError as TransportConnectionError
from elastic_transport import ConnectionTimeout
from elasticsearch import Elasticsearch
from elasticsearch.helpers import streaming_bulk

from indexer import indices
from indexer.documents import Item, RecordError, Skipped
from indexer.ingest import actions, resume
from indexer.ingest.actions import NO_IDS, SpeakerIds
from indexer.ingest.prepare import Prepared, content_hash, encoding_texts, prepare
from indexer.ingest.report import DeadLetter, IndexingAborted, Progress, RunOptions, RunStopped, RunSummary
from indexer.ingest.speakers import resolve_document
from indexer.ingest.target import Target, finish, open_target
from indexer.ingest.tracker import Tracker
from indexer.model.embedder import Embedder, ModelError
from indexer.people.directory import Directory
from indexer.people.store import load_directory, save_directory
from indexer.settings import Settings

Actions = list[dict[str, Any]]  # one document's bulk actions, sent together
# Seconds between the tries of a people save that lost its connection (15 s in all).
SAVE_RETRY_WAITS = (1.0, 2.0, 4.0, 8.0)


def run(client: Elasticsearch, embedder: Embedder, settings: Settings, items: Iterable[Item],
        options: RunOptions, *, progress: Progress | None = None) -> RunSummary:
    """Index ``items`` into the collection; return what happened. Raises IndexingAborted if
    Elasticsearch goes away (the summary so far is attached as ``exc.summary``)."""
    started = time.monotonic()
    summary = RunSummary(collection=options.collection)
    dead = DeadLetter(options.dead_letter)
    indices.validate_collection(options.collection)
    target = open_target(client, settings, embedder, options)
    summary.index = target.index
    tracker = Tracker(summary, dead, progress or Progress())
    people = People(client, settings, load_directory(client, settings))
    stages = _Stages(client, embedder, options, target, tracker, people)
    try:
        stages.run(items)
    finally:
        dead.close()

    summary.elapsed_s = time.monotonic() - started
    summary.failed = tracker.failed
    summary.dead_letter = str(options.dead_letter) if dead.count and options.dead_letter else None
    if stages.errors:
        error = stages.errors[0]
        if isinstance(error, IndexingAborted):
            summary.aborted = str(error)
            error.summary = summary
            raise error
        if isinstance(error, ModelError | KeyboardInterrupt | SystemExit):
            raise error
        summary.aborted = (f"the run stopped on an unexpected error ({type(error).__name__}: "
                           f"{str(error)[:300]})")
        raise RunStopped(summary.aborted, summary) from error
    finish(client, settings, options, target, summary, tracker.progress)
    return summary


@dataclass
class _Batch:
    """Prepared documents handed to the encoder together: about one model call's passages."""

    docs: list[Prepared] = field(default_factory=list)

    @property
    def passage_count(self) -> int:
        return sum(len(p.passages) for p in self.docs)


class _Stages:
    """The three stages of one run and what they share: two bounded queues (None marks the
    end of each), a stop signal, and the errors the threads met for the main thread to raise."""

    def __init__(self, client: Elasticsearch, embedder: Embedder, options: RunOptions,
                 target: Target, tracker: Tracker, people: People) -> None:
        self.client = client
        self.people = people
        self.embedder = embedder
        self.options = options
        self.target = target
        self.tracker = tracker
        self.count_tokens = embedder.token_counter()
        self.max_tokens = embedder.max_seq_length - embedder.special_tokens
        self.stop = threading.Event()
        self.prepared: queue.Queue[_Batch | None] = queue.Queue(maxsize=options.queue_batches)
        self.outgoing: queue.Queue[Actions | None] = queue.Queue(maxsize=options.queue_batches)
        self.errors: list[BaseException] = []

    def run(self, items: Iterable[Item]) -> None:
        """Read and bulk on their own threads, encode on this one; return once all have ended."""
        reader = threading.Thread(target=self.read, args=(items,), name="verbatim-read",
                                  daemon=True)
        bulker = threading.Thread(target=self.bulk, name="verbatim-bulk", daemon=True)
        reader.start()
        bulker.start()
        try:
            self.encode()
        finally:
            self._shut_down(reader, bulker)

    # ------------------------------------------------------------ read (reader thread)

    def read(self, items: Iterable[Item]) -> None:
        """Documents in, batches of prepared documents out."""
        try:
            batch = _Batch()
            for item in items:
                if self.stop.is_set():
                    return
                prepared = self._prepare(item)
                if prepared is None:
                    continue
                batch.docs.append(prepared)
                if batch.passage_count >= self.options.encode_batch:
                    self.prepared.put(batch)
                    batch = _Batch()
            if batch.docs:
                self.prepared.put(batch)
        except BaseException as exc:  # handed to the main thread, which re-raises it
            self.errors.append(exc)
        finally:
            self.prepared.put(None)

    def _prepare(self, item: Item) -> Prepared | None:
        """The document split into passages, or None when it is skipped or fails."""
        summary, dead = self.tracker.summary, self.tracker.dead
        if isinstance(item, Skipped):
            summary.skipped += 1
            summary.skipped_inputs.append({"origin": item.origin, "reason": item.reason})
            return None
        if isinstance(item, RecordError):
            dead.write(item.origin, item.reason, "read")
            self.tracker.failed_document()
            return None
        for notice in item.notices:  # noted, not failed: the document is indexed
            dead.write(item.origin, notice, "read", item.doc_id)
        try:
            passages = prepare(item, self.count_tokens, self.max_tokens,
                               max_chars=self.options.max_chars)
            return Prepared(item, passages, content_hash(item))
        except RecordError as exc:
            dead.write(exc.origin, exc.reason, "split", item.doc_id)
        except Exception as exc:  # one bad record costs one record
            dead.write(item.origin, _unexpected(exc), "split", item.doc_id)
        self.tracker.failed_document()
        return None

    # ------------------------------------------------------------ encode (main thread)

    def encode(self) -> None:
        """Batches in, each document's bulk actions out, until the reader is done."""
        indexed_at = datetime.now(UTC).isoformat(timespec="seconds")
        try:
            while not self.stop.is_set():
                batch = self.prepared.get()
                if batch is None:
                    break
                self._encode_guarded(batch.docs, indexed_at)
        except BaseException as exc:  # the run stops cleanly: run() reports it
            self.errors.append(exc)
            self.stop.set()

    def _encode_guarded(self, docs: list[Prepared], indexed_at: str) -> None:
        """Encode a batch; should it fail, each document alone, so that a document that
        cannot be encoded or turned into actions is one dead letter."""
        try:
            self._encode_batch(docs, indexed_at)
            return
        except (TransportConnectionError, ConnectionTimeout) as exc:
            raise IndexingAborted("Elasticsearch stopped answering while checking what is "
                                  "already indexed or saving the people the documents name "
                                  f"({type(exc).__name__})") from exc
        except ModelError:
            raise
        except Exception as exc:
            if len(docs) == 1:
                self.tracker.dead.write(docs[0].doc.origin, _unexpected(exc), "encode",
                                        docs[0].doc.doc_id)
                self.tracker.failed_document()
                return
        for prepared in docs:
            self._encode_guarded([prepared], indexed_at)

    def _encode_batch(self, docs: list[Prepared], indexed_at: str) -> None:
        stored = {} if self.target.fresh else resume.existing(
            self.client, self.target.index, [p.doc for p in docs], self.options.collection)
        todo = resume.drop_unchanged(docs, stored)
        if not todo:
            self.tracker.unchanged(len(docs))
            return
        vectors = self.embedder.encode_passages(
            [text for p in todo for text in encoding_texts(p.doc, p.passages)])
        cursor = 0
        ready: list[tuple[Prepared, Actions]] = []
        for prepared in todo:  # every document's actions built before any is sent
            doc_vectors = vectors[cursor:cursor + len(prepared.passages)]
            cursor += len(prepared.passages)
            old = resume.old_count(stored.get(prepared.doc.doc_id))
            ids = resolve_document(self.people.directory, prepared.doc)
            ready.append((prepared, document_actions(self.target.index, prepared, doc_vectors,
                                                     old, collection=self.options.collection,
                                                     indexed_at=indexed_at, ids=ids)))
        if len(todo) < len(docs):
            self.tracker.unchanged(len(docs) - len(todo))
        self.people.save()  # before the passages that name them are sent
        for prepared, doc_actions in ready:
            self.tracker.expect(prepared.doc, prepared.passages)
            self._send(doc_actions)

    def _send(self, doc_actions: Actions) -> None:
        """Wait for room in the bulk queue, but give up as soon as the run is stopping."""
        while not self.stop.is_set():
            try:
                self.outgoing.put(doc_actions, timeout=0.5)
                return
            except queue.Full:
                continue

    # ------------------------------------------------------------ bulk (bulk thread)

    def bulk(self) -> None:
        """Actions in, acknowledgements to the tracker; a lost Elasticsearch stops the run."""
        try:
            for ok, item in streaming_bulk(
                self.client, self._drain(), chunk_size=self.options.bulk_chunk,
                max_chunk_bytes=self.options.bulk_bytes, max_retries=5, initial_backoff=2,
                max_backoff=60, raise_on_error=False, raise_on_exception=True, yield_ok=True,
            ):
                self.tracker.acknowledge(ok, item)
        except (TransportConnectionError, ConnectionTimeout) as exc:
            self.errors.append(IndexingAborted(
                f"Elasticsearch stopped answering during the bulk requests ({type(exc).__name__})"))
            self.stop.set()
        except BaseException as exc:
            self.errors.append(exc)
            self.stop.set()

    def _drain(self) -> Iterator[dict[str, Any]]:
        while (doc_actions := self.outgoing.get()) is not None:
            yield from doc_actions

    # ------------------------------------------------------------ the end

    def _shut_down(self, reader: threading.Thread, bulker: threading.Thread) -> None:
        """Let the bulk thread send what is queued, then release a reader blocked on a full
        queue (the run may have stopped early)."""
        _put_while_alive(self.outgoing, None, bulker)
        bulker.join()
        self.stop.set()
        _empty(self.prepared)
        reader.join(timeout=5)


def _unexpected(exc: BaseException) -> str:
    return f"unexpected error ({type(exc).__name__}: {str(exc)[:300]})"


@dataclass
class People:
    """The run's people directory and where it is saved."""

    client: Elasticsearch
    settings: Settings
    directory: Directory

    def save(self) -> None:
        """Save the people changed since the last save. A node lost mid-run costs a few
        seconds here, as in the bulk stage: the client moves on to the nodes left while they
        settle who leads (saving is idempotent: each person is written by id)."""
        for wait in (*SAVE_RETRY_WAITS, None):
            try:
                save_directory(self.client, self.settings, self.directory)
                return
            except (TransportConnectionError, ConnectionTimeout):
                if wait is None:
                    raise
                time.sleep(wait)


def document_actions(index: str, prepared: Prepared, vectors: np.ndarray, old_count: int, *,
                     collection: str, indexed_at: str, ids: SpeakerIds = NO_IDS) -> Actions:
    """A document's passages with their vectors and content hash, then deletes for passages a
    previous, longer version left behind."""
    doc, passages = prepared.doc, prepared.passages
    doc_actions = list(actions.index_actions(index, doc, passages, vectors,
                                             collection=collection, indexed_at=indexed_at,
                                             ids=ids))
    doc_actions[0]["_source"]["content_hash"] = prepared.digest
    doc_actions.extend(actions.stale_delete_actions(index, doc.doc_id, len(passages), old_count))
    return doc_actions


def _put_while_alive(target: queue.Queue[Actions | None], value: Actions | None,
                     consumer: threading.Thread) -> None:
    while consumer.is_alive():
        try:
            target.put(value, timeout=0.5)
            return
        except queue.Full:
            continue


def _empty(source: queue.Queue[_Batch | None]) -> None:
    try:
        while True:
            source.get_nowait()
    except queue.Empty:
        pass
