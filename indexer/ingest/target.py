"""Which index a run writes to, and the --replace swap that ends it.

A plain run adds to the collection's live index (created, behind its alias, on the first
run). A --replace run builds a new version offline and, only when Elasticsearch holds every
acknowledged passage, points the alias at it in one atomic step; searches never see a
half-built collection.
"""

from __future__ import annotations

from dataclasses import dataclass

from elastic_transport import TransportError
from elasticsearch import ApiError, Elasticsearch

from indexer import indices, optimize
from indexer.ingest.report import IndexingAborted, Progress, RunOptions, RunSummary
from indexer.model.embedder import Embedder
from indexer.settings import Settings


@dataclass(frozen=True)
class Target:
    index: str  # the index this run writes
    fresh: bool  # created by this run: nothing to resume from
    replaces: str | None  # with --replace: the live version the swap retires


def open_target(client: Elasticsearch, settings: Settings, embedder: Embedder,
                options: RunOptions) -> Target:
    """The index to write, created if the run needs a new one."""
    dims = embedder.dimension
    current = indices.current_index(client, settings, options.collection)
    body = indices.index_definition(dims=dims, model=embedder.model_name,
                                    collection=options.collection, backend=embedder.backend,
                                    replicas=options.replicas)
    if current is not None and not options.replace:
        indices.check_compatible(client, current, dims=dims, model=embedder.model_name,
                                 collection=options.collection, backend=embedder.backend)
        indices.update_mapping(client, current, body, collection=options.collection)
        return Target(current, fresh=False, replaces=None)
    name = indices.new_index_name(settings, options.collection)
    if options.replace:
        # Versions left by an interrupted --replace: never aliased, never searched.
        indices.delete_versions(client, settings, options.collection, keep=current)
        body["settings"]["index"]["refresh_interval"] = "-1"  # built offline, refreshed once
    indices.create_index(client, name, body)
    if current is None and not options.replace:
        # A collection is behind its alias from its very first run.
        indices.attach_aliases(client, settings, options.collection, name)
    return Target(name, fresh=True, replaces=current)


def finish(client: Elasticsearch, settings: Settings, options: RunOptions, target: Target,
           summary: RunSummary, progress: Progress) -> None:
    """Make what was written searchable: a refresh, or with --replace the checked swap; merge
    the segments of a large load first (before the swap: never the live version while it
    is being replaced)."""
    if not options.replace:
        client.indices.refresh(index=target.index)
        _merge(client, options, target, summary, progress)
        return
    client.indices.put_settings(index=target.index,
                                settings={"index": {"refresh_interval": "1s"}})
    client.indices.refresh(index=target.index)
    count = int(client.count(index=target.index)["count"])
    if count != summary.passages:
        raise IndexingAborted(
            f"The new index {target.index} holds {count} passages but {summary.passages} were "
            "acknowledged; the alias was not switched. Run the command again."
        )
    _merge(client, options, target, summary, progress)
    indices.attach_aliases(client, settings, options.collection, target.index)
    summary.swapped_from = target.replaces
    if target.replaces is not None and not options.keep_old:
        client.indices.delete(index=target.replaces)


def _merge(client: Elasticsearch, options: RunOptions, target: Target, summary: RunSummary,
           progress: Progress) -> None:
    if options.optimize is False:
        return
    try:
        if options.optimize is None:
            segments, _ = optimize.segments_and_bytes(client, target.index)
            held = int(client.count(index=target.index)["count"])
            if not optimize.should_merge(summary.passages, segments, index_passages=held):
                return
        summary.merge = optimize.merge(client, target.index,
                                       on_progress=progress.merging).as_dict()
    except (optimize.MergeError, ApiError, TransportError) as exc:
        # The passages are in and searchable (and a --replace swap goes ahead): say so, go on.
        summary.merge = {"index": target.index, "error": str(exc)}
