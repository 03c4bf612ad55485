"""Merging a collection's segments into one after a bulk load, with progress.

A bulk load leaves an index in many segments (146 after a million passages), and every
search visits each of them: kNN walks one HNSW graph per segment and the keyword leg scores
each segment's postings in turn. An archive is written in bulk and then read for months, so
after a large load its segments are merged into one (Elasticsearch's force merge). The merge
costs a rewrite of the index once (minutes per million passages on two cores); the index stays
searchable throughout, and later additions land in new small segments that the node's own
merge policy handles.

``verbatim index`` merges when a run has written ``MERGE_AFTER_PASSAGES`` or more (a
``--replace`` run merges the new version before the swap, so the live collection is never
the one being rewritten); ``verbatim optimize COLLECTION`` merges on demand.
"""

from __future__ import annotations

import logging
import re
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from elastic_transport import TransportError
from elasticsearch import ApiError, Elasticsearch, NotFoundError
from elasticsearch.exceptions import GeneralAvailabilityWarning

MERGE_AFTER_PASSAGES = 20_000
TARGET_SEGMENTS = 1
POLL_S = 1.0
# How the tasks API describes a force merge: "Force-merge indices [a, b], maxSegments[1], ...".
_FORCE_MERGE = re.compile(r"Force-merge indices \[([^\]]*)\]")
log = logging.getLogger(__name__)

# (bytes written so far by the merge, the index's size before it): an estimate, since the
# merged segment is about the size of the segments it replaces.
MergeProgress = Callable[[int, int], None]


class MergeError(Exception):
    """The merge could not run or did not finish; the index is unchanged and searchable."""


@dataclass(frozen=True)
class MergeResult:
    index: str
    segments_before: int
    segments_after: int
    bytes_before: int
    bytes_after: int
    elapsed_s: float

    @property
    def merged(self) -> bool:
        return self.segments_after < self.segments_before

    def as_dict(self) -> dict[str, Any]:
        return {"index": self.index, "segments_before": self.segments_before,
                "segments_after": self.segments_after, "bytes_before": self.bytes_before,
                "bytes_after": self.bytes_after, "elapsed_s": round(self.elapsed_s, 1)}


def segments_and_bytes(client: Elasticsearch, index: str) -> tuple[int, int]:
    """The primaries' segment count and store size of ``index`` (a concrete index name)."""
    stats = client.indices.stats(index=index, metric="segments,store")["indices"][index]
    primaries = stats["primaries"]
    return int(primaries["segments"]["count"]), int(primaries["store"]["size_in_bytes"])


def should_merge(written_passages: int, segments: int, *, index_passages: int | None = None,
                 target: int = TARGET_SEGMENTS) -> bool:
    """Merge after a run that wrote a lot into an index of more segments than the target,
    and wrote at least half of it: a merged segment over 5 GB is left out of the node's own
    merges, so a large index that is only appended to is not rewritten whole each time."""
    if written_passages < MERGE_AFTER_PASSAGES or segments <= target:
        return False
    return index_passages is None or written_passages * 2 >= index_passages


def merging_indices(tasks: dict[str, Any]) -> list[str]:
    """The indices being force-merged, from the tasks API's answer (``GET _tasks?actions=
    indices:admin/forcemerge*&detailed``)."""
    found: set[str] = set()
    for node in (tasks.get("nodes") or {}).values():
        for task in (node.get("tasks") or {}).values():
            match = _FORCE_MERGE.search(task.get("description") or "")
            if match:
                found.update(name.strip() for name in match.group(1).split(",") if name.strip())
    return sorted(found)


def merges_running(client: Elasticsearch) -> list[str]:
    """Indices a node is force-merging now. A node merges one index at a time (its force_merge
    pool has one thread), so a new merge waits behind these at 0 %: worth saying. Empty when
    the tasks API cannot tell (the merge itself goes ahead either way)."""
    try:
        answer = _tasks_api(lambda: client.tasks.list(actions="indices:admin/forcemerge*",
                                                      detailed=True))
    except (ApiError, TransportError) as exc:
        log.debug("Could not list running merges: %s", exc)
        return []
    return merging_indices(answer)


def merge(client: Elasticsearch, index: str, *, target: int = TARGET_SEGMENTS,
          on_progress: MergeProgress | None = None, poll_s: float = POLL_S,
          on_wait: Callable[[list[str]], None] | None = None) -> MergeResult:
    """Force-merge ``index`` down to ``target`` segments and wait for it, reporting progress.

    The merge runs as a task on the node (``wait_for_completion=false``), so a long merge is
    not bound by the client's request timeout and its progress can be polled. Any failure,
    Elasticsearch's included, is a ``MergeError``: the index is whole and searchable either way.
    ``on_wait`` hears which other indices are being merged first, if any.
    """
    try:
        return _merge(client, index, target, on_progress, poll_s, on_wait)
    except (ApiError, TransportError) as exc:
        raise MergeError(f"merging {index} failed: {type(exc).__name__}: {exc}") from None


def _merge(client: Elasticsearch, index: str, target: int, on_progress: MergeProgress | None,
           poll_s: float, on_wait: Callable[[list[str]], None] | None) -> MergeResult:
    started = time.monotonic()
    segments_before, bytes_before = segments_and_bytes(client, index)
    if segments_before <= target:
        return MergeResult(index, segments_before, segments_before, bytes_before, bytes_before,
                           time.monotonic() - started)
    busy = [name for name in merges_running(client) if name != index]
    if busy:
        log.warning("Merging %s waits for %s: Elasticsearch merges one index at a time",
                    index, ", ".join(busy))
        if on_wait is not None:
            on_wait(busy)
    task = client.indices.forcemerge(index=index, max_num_segments=target,
                                     wait_for_completion=False)["task"]
    while True:
        status = _task(client, task)
        if status.get("completed"):
            break
        if on_progress is not None:
            try:
                _, size = segments_and_bytes(client, index)
            except NotFoundError:
                raise MergeError(f"{index} was deleted while it was being merged (a --replace "
                                 "run swapped in a new version?)") from None
            on_progress(max(0, size - bytes_before), bytes_before)
        time.sleep(poll_s)
    error = status.get("error")
    if error:
        raise MergeError(f"merging {index} failed: {error.get('type')}: {error.get('reason')}")
    failures = (status.get("response") or {}).get("_shards", {}).get("failures")
    if failures:
        raise MergeError(f"merging {index} failed on a shard: {failures[0]}")
    segments_after, bytes_after = segments_and_bytes(client, index)
    if on_progress is not None:
        on_progress(bytes_before, bytes_before)
    return MergeResult(index, segments_before, segments_after, bytes_before, bytes_after,
                       time.monotonic() - started)


def _task(client: Elasticsearch, task: str) -> dict[str, Any]:
    return _tasks_api(lambda: client.tasks.get(task_id=task, wait_for_completion=False))


def _tasks_api(call: Callable[[], Any]) -> dict[str, Any]:
    """The tasks API has been "technical preview" in the client for years, and warns so on
    every call; it is the only way to follow a force merge that outlives a request."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", GeneralAvailabilityWarning)
        return dict(call())


def describe(result: MergeResult) -> str:
    """One line a person reads after a merge."""
    gib = 2 ** 30
    if not result.merged:
        return f"{result.index}: already {result.segments_after} segment(s), nothing to merge"
    return (f"{result.index}: {result.segments_before} segments merged into "
            f"{result.segments_after}, {result.bytes_before / gib:.2f} GiB -> "
            f"{result.bytes_after / gib:.2f} GiB, in {result.elapsed_s:.1f} s")
