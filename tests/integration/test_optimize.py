"""`verbatim optimize`: a collection's segments merged into one while it is being searched."""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from indexer import optimize
from indexer.cli import cli
from indexer.search.request import Filters, SearchRequest
from indexer.search.searcher import Searcher
from indexer.settings import Settings
from tests.conftest import require

REPO = Path(__file__).resolve().parents[2]
VERBATIM = str(Path(sys.executable).with_name("verbatim"))
RUNS = 3


@pytest.fixture
def loaded(es, embedder, settings: Settings, data_dir: Path,  # type: ignore[no-untyped-def]
           tmp_path: Path) -> Iterator[tuple[Settings, str]]:
    """One collection written by ``RUNS`` runs of a few General Debate speeches each: every
    run ends with a refresh, so the index holds at least one segment per run."""
    source = data_dir / "ungdc_2019_2020" / "speeches.jsonl"
    require(source.is_file(), f"{source} missing")
    with source.open(encoding="utf-8") as handle:
        lines = list(itertools.islice(handle, RUNS * 2))
    for run in range(RUNS):
        part = tmp_path / f"part-{run}.jsonl"
        part.write_text("".join(lines[run * 2:run * 2 + 2]), encoding="utf-8")
        result = CliRunner().invoke(cli, ["index", str(part), "--collection", "merged",
                                          "--no-progress", "--no-link", "--no-optimize"],
                                    obj=settings, catch_exceptions=False)
        assert result.exit_code == 0, result.output
    yield settings, "merged"
    names = list(es.indices.get(index=f"{settings.index_prefix}*").body)
    if names:
        es.indices.delete(index=",".join(names))


def test_optimize_merges_to_one_segment_while_searches_go_on(  # type: ignore[no-untyped-def]
        es, embedder, loaded: tuple[Settings, str]) -> None:
    settings, collection = loaded
    index = es.indices.get_alias(name=settings.alias(collection)).body.popitem()[0]
    before, _ = optimize.segments_and_bytes(es, index)
    assert before >= RUNS  # else there is nothing to show

    searcher = Searcher(es, embedder, settings)
    request = SearchRequest(q="development", mode="keyword",
                            filters=Filters(collections=(collection,)))
    expected = searcher.search(request, mark_semantic=False)
    assert expected["total"] > 0
    stop = threading.Event()
    answers: list[object] = []

    def search_until_stopped() -> None:
        while not stop.is_set():
            try:
                answers.append(searcher.search(request, mark_semantic=False)["total"])
            except Exception as exc:  # asserted on below
                answers.append(exc)

    searching = threading.Thread(target=search_until_stopped)
    searching.start()
    env = dict(os.environ, VERBATIM_INDEX_PREFIX=settings.index_prefix)
    try:
        done = subprocess.run([VERBATIM, "optimize", collection, "--progress"], env=env,
                              capture_output=True, text=True, timeout=600)
    finally:
        stop.set()
        searching.join(timeout=60)
    assert done.returncode == 0, done.stderr
    assert f"{before} segments merged into 1" in done.stdout
    assert "merging" in done.stderr  # the progress bar
    assert optimize.segments_and_bytes(es, index)[0] == 1
    assert answers and all(a == expected["total"] for a in answers), answers[:5]
    after = searcher.search(request, mark_semantic=False)
    assert [r["doc_id"] for r in after["results"]] == [r["doc_id"] for r in expected["results"]]

    again = subprocess.run([VERBATIM, "optimize", collection], env=env, capture_output=True,
                           text=True, timeout=120)
    assert again.returncode == 0 and "nothing to merge" in again.stdout


def test_index_merges_when_asked_and_reports_it(es, loaded: tuple[Settings, str],  # type: ignore[no-untyped-def]
                                                 data_dir: Path, tmp_path: Path) -> None:
    settings, collection = loaded
    source = data_dir / "ungdc_2019_2020" / "speeches.jsonl"
    with source.open(encoding="utf-8") as handle:
        extra = list(itertools.islice(handle, RUNS * 2, RUNS * 2 + 1))
    part = tmp_path / "extra.jsonl"
    part.write_text("".join(extra), encoding="utf-8")
    report = tmp_path / "report.json"
    result = CliRunner().invoke(cli, ["index", str(part), "--collection", collection,
                                      "--no-progress", "--no-link", "--optimize",
                                      "--report", str(report)], obj=settings,
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    merge = json.loads(report.read_text())["merge"]
    assert merge["segments_after"] == 1 and merge["segments_before"] > 1
    assert "merged" in result.output
    index = merge["index"]
    assert optimize.segments_and_bytes(es, index)[0] == 1


def test_unknown_collection_is_a_clear_error(settings: Settings) -> None:
    result = CliRunner().invoke(cli, ["optimize", "no-such-collection"], obj=settings)
    assert result.exit_code == 1
    assert "No collection named 'no-such-collection'" in result.output
