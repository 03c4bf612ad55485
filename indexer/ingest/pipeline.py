"""One indexing run: read, split, encode and bulk-index, in three overlapping stages.

    reader thread ──(docs + passages)──▶ main thread: encode ──(actions)──▶ bulk thread

Bounded queues between the stages keep memory flat and let the model (the slow
part) work while Elasticsearch digests the previous batch. Every record that
fails, at any stage, is counted and written to the dead-letter file.
"""

from __future__ import annotations

import hashlib
import json
import queue
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from elastic_transport import ConnectionError as TransportConnectionError
from elastic_transport import ConnectionTimeout
from elasticsearch import Elasticsearch
from elasticsearch.helpers import streaming_bulk

from indexer import actions, indices
from indexer.documents import Document, Passage, RecordError
from indexer.embedder import Embedder
from indexer.passages import split_passages
from indexer.quotes import extract_quotes, turn_statement_quotes
from indexer.readers import Item, Skipped
from indexer.settings import Settings

SPLITTER_VERSION = "2"  # bump when what we index changes, so unchanged documents re-index
_DONE = object()
# 5 million characters is about 5,000 passages, some three minutes of encoding on a laptop
# CPU; larger inputs are usually a concatenation that should be split into documents.
MAX_DOCUMENT_CHARS = 5_000_000


class IndexingAborted(RuntimeError):
    """Elasticsearch went away mid-run; what was acknowledged is safe, re-running finishes the rest."""


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
            "swapped_from": self.swapped_from, "skipped_inputs": self.skipped_inputs,
        }


class DeadLetter:
    """Append-only JSONL of every record that was not indexed, opened on first use."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._handle: Any = None
        self._lock = threading.Lock()
        self.count = 0

    def write(self, origin: str, reason: str, stage: str, doc_id: str | None = None) -> None:
        with self._lock:
            self.count += 1
            if self.path is None:
                return
            if self._handle is None:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self._handle = self.path.open("w", encoding="utf-8")
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


@dataclass
class _Batch:
    docs: list[tuple[Document, list[Passage], str]] = field(default_factory=list)

    @property
    def passage_count(self) -> int:
        return sum(len(p) for _, p, _ in self.docs)


def run(client: Elasticsearch, embedder: Embedder, settings: Settings, items: Iterable[Item],
        options: RunOptions, *, progress: Progress | None = None) -> RunSummary:
    """Index ``items`` into the collection; return what happened. Raises IndexingAborted if
    Elasticsearch goes away (the summary so far is attached as ``exc.summary``)."""
    progress = progress or Progress()
    started = time.monotonic()
    summary = RunSummary(collection=options.collection)
    dead = DeadLetter(options.dead_letter)
    indices.validate_collection(options.collection)
    dims = embedder.dimension
    index, fresh, old_index = _target_index(client, settings, embedder, options, dims)
    summary.index = index

    counter = embedder.token_counter()
    max_tokens = embedder.max_seq_length - embedder.special_tokens
    stop = threading.Event()
    prepared: queue.Queue[Any] = queue.Queue(maxsize=options.queue_batches)
    outgoing: queue.Queue[Any] = queue.Queue(maxsize=options.queue_batches)
    errors: list[BaseException] = []
    tracker = _Tracker(summary, dead, progress)

    def read_stage() -> None:
        try:
            batch = _Batch()
            for item in items:
                if stop.is_set():
                    return
                if isinstance(item, Skipped):
                    summary.skipped += 1
                    summary.skipped_inputs.append({"origin": item.origin, "reason": item.reason})
                    continue
                if isinstance(item, RecordError):
                    dead.write(item.origin, item.reason, "read")
                    tracker.failed_document()
                    continue
                try:
                    passages = prepare(item, counter, max_tokens,
                                       max_chars=options.max_chars)
                except RecordError as exc:
                    dead.write(exc.origin, exc.reason, "split", item.doc_id)
                    tracker.failed_document()
                    continue
                batch.docs.append((item, passages, content_hash(item)))
                if batch.passage_count >= options.encode_batch:
                    prepared.put(batch)
                    batch = _Batch()
            if batch.docs:
                prepared.put(batch)
        except BaseException as exc:  # handed to the main thread, which re-raises it
            errors.append(exc)
        finally:
            prepared.put(_DONE)

    def bulk_stage() -> None:
        try:
            for ok, item in streaming_bulk(
                client, _drain(outgoing), chunk_size=options.bulk_chunk,
                max_chunk_bytes=options.bulk_bytes, max_retries=5, initial_backoff=2,
                max_backoff=60, raise_on_error=False, raise_on_exception=True, yield_ok=True,
            ):
                tracker.acknowledge(ok, item)
        except (TransportConnectionError, ConnectionTimeout) as exc:
            errors.append(IndexingAborted(
                f"Elasticsearch stopped answering during the bulk requests ({type(exc).__name__})"))
            stop.set()
        except BaseException as exc:
            errors.append(exc)
            stop.set()

    reader = threading.Thread(target=read_stage, name="verbatim-read", daemon=True)
    bulker = threading.Thread(target=bulk_stage, name="verbatim-bulk", daemon=True)
    reader.start()
    bulker.start()
    indexed_at = datetime.now(UTC).isoformat(timespec="seconds")
    try:
        while not stop.is_set():
            batch = prepared.get()
            if batch is _DONE:
                break
            existing = {} if fresh else _existing(client, index, [d for d, _, _ in batch.docs],
                                                  options.collection)
            todo = _drop_unchanged(batch.docs, existing, tracker)
            if not todo:
                continue
            texts = [actions.encoding_text(actions.context_line(d, p.speaker or d.speaker), p.text)
                     for d, passages, _ in todo for p in passages]
            vectors = embedder.encode_passages(texts)
            cursor = 0
            for doc, passages, digest in todo:
                doc_vectors = vectors[cursor:cursor + len(passages)]
                cursor += len(passages)
                tracker.expect(doc, passages)
                doc_actions = list(actions.index_actions(index, doc, passages, doc_vectors,
                                                         collection=options.collection,
                                                         indexed_at=indexed_at))
                doc_actions[0]["_source"]["content_hash"] = digest
                doc_actions.extend(actions.stale_delete_actions(
                    index, doc.doc_id, len(passages), _old_count(existing.get(doc.doc_id))))
                while not stop.is_set():
                    try:
                        outgoing.put(doc_actions, timeout=0.5)
                        break
                    except queue.Full:
                        continue
    finally:
        _put_blocking(outgoing, _DONE, bulker)
        bulker.join()
        stop.set()
        _unblock(prepared)
        reader.join(timeout=5)
        dead.close()

    summary.elapsed_s = time.monotonic() - started
    summary.failed = tracker.failed
    summary.dead_letter = str(options.dead_letter) if dead.count and options.dead_letter else None
    if errors:
        error = errors[0]
        if isinstance(error, IndexingAborted):
            summary.aborted = str(error)
            error.summary = summary  # type: ignore[attr-defined]
        raise error

    if not options.replace:
        client.indices.refresh(index=index)
        return summary
    _finish_replace(client, settings, options, index, old_index, summary)
    return summary


class _Tracker:
    """Counts a document as indexed once every one of its passages is acknowledged."""

    def __init__(self, summary: RunSummary, dead: DeadLetter, progress: Progress) -> None:
        self.summary = summary
        self.dead = dead
        self.progress = progress
        self.failed = 0
        self._pending: dict[str, list[Any]] = {}  # doc key -> [remaining, failed?, doc, quotes]
        self._lock = threading.Lock()

    def expect(self, doc: Document, passages: list[Passage]) -> None:
        with self._lock:
            key = actions.document_key(doc.doc_id)
            if key in self._pending:
                # The same id twice in one run: the later record wins (it overwrites the earlier).
                self.dead.write(doc.origin, f"duplicate document id {doc.doc_id!r} in this run; "
                                "this record replaced the earlier one", "read", doc.doc_id)
            quotes = sum(len(p.quotes) for p in passages)
            self._pending[key] = [len(passages), False, doc, quotes]

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
        op, result = next(iter(item.items()))
        if op == "delete":
            return
        key = str(result.get("_id", "")).rsplit("#", 1)[0]
        done = 0
        with self._lock:
            entry = self._pending.get(key)
            if entry is None:
                return
            entry[0] -= 1
            if not ok and not entry[1]:
                entry[1] = True
                doc = entry[2]
                reason = result.get("error") or result.get("status")
                self.dead.write(doc.origin, f"Elasticsearch rejected passage {result.get('_id')}: "
                                f"{json.dumps(reason, default=str)[:500]}", "bulk", doc.doc_id)
            if ok:
                self.summary.passages += 1
            if entry[0] == 0:
                del self._pending[key]
                if entry[1]:
                    self.failed += 1
                else:
                    self.summary.documents += 1
                    self.summary.quotes += entry[3]
                done = 1
        if done:
            self.progress.documents_done(1, self.summary)


def _drain(source: queue.Queue[Any]) -> Iterator[dict[str, Any]]:
    while True:
        batch = source.get()
        if batch is _DONE:
            return
        yield from batch


def _put_blocking(target: queue.Queue[Any], value: Any, consumer: threading.Thread) -> None:
    while consumer.is_alive():
        try:
            target.put(value, timeout=0.5)
            return
        except queue.Full:
            continue


def _unblock(source: queue.Queue[Any]) -> None:
    try:
        while True:
            source.get_nowait()
    except queue.Empty:
        pass


def _target_index(client: Elasticsearch, settings: Settings, embedder: Embedder,
                  options: RunOptions, dims: int) -> tuple[str, bool, str | None]:
    """(index to write, whether it is new, the index it replaces)."""
    current = indices.current_index(client, settings, options.collection)
    body = indices.index_definition(dims=dims, model=embedder.model_name,
                                    collection=options.collection, backend=embedder.backend,
                                    replicas=options.replicas)
    if current is not None and not options.replace:
        indices.check_compatible(client, current, dims=dims, model=embedder.model_name,
                                 collection=options.collection, backend=embedder.backend)
        indices.update_mapping(client, current, body, collection=options.collection)
        return current, False, None
    name = indices.new_index_name(settings, options.collection)
    if options.replace:
        _delete_orphans(client, settings, options.collection, keep=current)
        body["settings"]["index"]["refresh_interval"] = "-1"  # built offline, refreshed once
    indices.create_index(client, name, body)
    if current is None and not options.replace:
        # A collection is behind its alias from its very first run.
        indices.attach_aliases(client, settings, options.collection, name)
    return name, True, current


def _delete_orphans(client: Elasticsearch, settings: Settings, collection: str,
                    keep: str | None) -> None:
    """Versions left by an interrupted --replace: never aliased, never searched."""
    pattern = f"{settings.alias(collection)}-*"
    for name in client.indices.get(index=pattern, expand_wildcards="all").body:
        if name != keep and indices._is_version_of(name, settings.alias(collection)):
            client.indices.delete(index=name)


def _finish_replace(client: Elasticsearch, settings: Settings, options: RunOptions, index: str,
                    old_index: str | None, summary: RunSummary) -> None:
    client.indices.put_settings(index=index, settings={"index": {"refresh_interval": "1s"}})
    client.indices.refresh(index=index)
    count = int(client.count(index=index)["count"])
    if count != summary.passages:
        raise IndexingAborted(
            f"The new index {index} holds {count} passages but {summary.passages} were "
            "acknowledged; the alias was not switched. Run the command again."
        )
    indices.attach_aliases(client, settings, options.collection, index)
    summary.swapped_from = old_index
    if old_index is not None and not options.keep_old:
        client.indices.delete(index=old_index)


@dataclass(frozen=True)
class _Stored:
    """What the index already holds of one document."""

    content_hash: str
    passages_in_doc: int  # what its first passage says it has
    present: int  # how many passages are really there
    highest: int  # 1 + the highest passage number present

    def complete(self, digest: str, passages: int) -> bool:
        return (self.content_hash == digest
                and self.passages_in_doc == self.present == self.highest == passages)


def _existing(client: Elasticsearch, index: str, docs: list[Document],
              collection: str) -> dict[str, _Stored]:
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
    existing: dict[str, _Stored] = {}
    for bucket in response["aggregations"]["docs"]["buckets"]:
        doc_id = keys[bucket["key"]]
        first = firsts.get(doc_id, {})
        existing[doc_id] = _Stored(str(first.get("content_hash", "")),
                                   int(first.get("passages_in_doc", 0)), int(bucket["doc_count"]),
                                   int(bucket["last"]["value"] or 0) + 1)
    return existing


def _old_count(stored: _Stored | None) -> int:
    return max(stored.passages_in_doc, stored.highest) if stored else 0


def _drop_unchanged(docs: list[tuple[Document, list[Passage], str]],
                    existing: dict[str, _Stored],
                    tracker: _Tracker) -> list[tuple[Document, list[Passage], str]]:
    """Skip documents already indexed, whole, with the same content: a re-run resumes."""
    todo = [(doc, passages, digest) for doc, passages, digest in docs
            if doc.doc_id not in existing or not existing[doc.doc_id].complete(digest, len(passages))]
    if len(todo) < len(docs):
        tracker.unchanged(len(docs) - len(todo))
    return todo
