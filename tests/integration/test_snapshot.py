"""The README's backup and restore, run against the real node: snapshot a collection, lose
it, restore it, and find the same passages through both of its aliases."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from click.testing import CliRunner

from indexer.cli import cli
from indexer.search.request import Filters, SearchRequest
from indexer.search.searcher import Searcher

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]


def test_snapshot_delete_restore_brings_the_collection_back(es, clean_prefix, embedder):  # type: ignore[no-untyped-def]
    settings = clean_prefix
    result = CliRunner().invoke(cli, ["index", str(REPO / "samples"), "--collection", "kept",
                                      "--no-progress"], obj=settings, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    alias = settings.alias("kept")
    es.indices.refresh(index=alias)
    before = es.count(index=alias)["count"]
    searcher = Searcher(es, embedder, settings)
    req = SearchRequest(q="ferry", mode="hybrid", filters=Filters(collections=("kept",)))
    found = [r["doc_id"] for r in searcher.search(req, mark_semantic=False)["results"]]
    assert before > 0 and found

    repository = f"vt-backup-{uuid.uuid4().hex[:8]}"
    snapshot = "kept-1"
    es.snapshot.create_repository(name=repository, repository={
        "type": "fs", "settings": {"location": repository}})
    try:
        es.snapshot.create(repository=repository, snapshot=snapshot, wait_for_completion=True,
                           indices=f"{alias}-*", include_global_state=False)
        CliRunner().invoke(cli, ["delete", "kept", "--yes"], obj=settings, catch_exceptions=False)
        assert not es.indices.exists_alias(name=alias)

        restored = es.snapshot.restore(repository=repository, snapshot=snapshot,
                                       wait_for_completion=True, indices=f"{alias}-*",
                                       include_aliases=True)
        assert restored["snapshot"]["shards"]["failed"] == 0
        es.cluster.health(index=alias, wait_for_status="yellow", timeout="30s")
        assert es.count(index=alias)["count"] == before
        assert es.count(index=settings.all_alias)["count"] == before  # the all-collections alias too
        again = [r["doc_id"] for r in searcher.search(req, mark_semantic=False)["results"]]
        assert again == found
    finally:
        es.options(ignore_status=404).snapshot.delete(repository=repository, snapshot=snapshot)
        es.snapshot.delete_repository(name=repository)
