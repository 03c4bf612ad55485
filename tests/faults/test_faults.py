"""Faults survived: Elasticsearch killed mid-bulk, Elasticsearch stopped while the app serves.

These start a node of their own on another port (the one the other tests use is left
alone), kill it and start it again. `make test-faults` runs them; `make test` too.
"""

from __future__ import annotations

import itertools
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

import localnode as node
from indexer.client import build_client
from indexer.settings import Settings, load_settings
from tests.conftest import DATA, require, wait_for_passages

pytestmark = pytest.mark.faults

PORT = int(os.environ.get("VERBATIM_FAULTS_PORT", "9251"))
VERBATIM = str(Path(sys.executable).parent / "verbatim")


@pytest.fixture(scope="module")
def fault_settings(base_settings: Settings) -> Iterator[Settings]:
    env = dict(os.environ, VERBATIM_ES_PORT=str(PORT), VERBATIM_CACHE=str(base_settings.cache_dir),
               VERBATIM_INDEX_PREFIX="vt-faults")
    env.pop("ELASTICSEARCH_URL", None)
    settings = load_settings(env)
    node.start(settings, say=lambda _: None)
    yield settings
    node.start(settings, say=lambda _: None)  # a test may have left it down
    client = build_client(settings)
    names = list(client.indices.get(index=f"{settings.index_prefix}*").body)
    if names:
        client.indices.delete(index=",".join(names))
    node.stop(settings, say=lambda _: None)


def _env(settings: Settings) -> dict[str, str]:
    env = dict(os.environ, VERBATIM_ES_PORT=str(settings.es_port),
               VERBATIM_INDEX_PREFIX=settings.index_prefix)
    env.pop("ELASTICSEARCH_URL", None)
    return env


def _kill_node(settings: Settings) -> None:
    pid = node.read_pid(node.node_paths(settings))
    assert pid is not None
    os.kill(pid, signal.SIGKILL)
    while node.pid_alive(pid):
        time.sleep(0.1)


def test_killed_mid_bulk_then_rerun_loses_and_duplicates_nothing(fault_settings, tmp_path):  # type: ignore[no-untyped-def]
    require(DATA.is_dir(), "shared data missing")
    source = tmp_path / "speeches.jsonl"
    with (DATA / "ungdc_2019_2020" / "speeches.jsonl").open() as handle:
        source.write_text("".join(itertools.islice(handle, 40)))
    client = build_client(fault_settings)
    collection = f"killed-{uuid.uuid4().hex[:8]}"  # the node keeps its data between runs
    alias = fault_settings.alias(collection)
    command = [VERBATIM, "index", str(source), "--collection", collection, "--no-progress",
               "--batch-size", "16", "--bulk-size", "50", "--report", str(tmp_path / "r.json")]
    run = subprocess.Popen(command, env=_env(fault_settings), stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True)
    wait_for_passages(client, alias, run)
    _kill_node(fault_settings)
    output, _ = run.communicate(timeout=300)
    assert run.returncode == 2, output
    assert "run the same command again" in output

    node.start(fault_settings, say=lambda _: None)
    again = subprocess.run(command, env=_env(fault_settings), capture_output=True, text=True,
                           timeout=900)
    assert again.returncode == 0, again.stdout + again.stderr
    client.indices.refresh(index=alias)
    docs = client.search(index=alias, size=0, aggs={"d": {"cardinality": {"field": "doc_id"}}})
    assert docs["aggregations"]["d"]["value"] == 40  # none lost
    # None duplicated: the passages present are exactly those the documents say they have.
    firsts = client.search(index=alias, query={"term": {"passage_no": 0}}, size=100,
                           _source=["passages_in_doc"])["hits"]["hits"]
    expected = sum(h["_source"]["passages_in_doc"] for h in firsts)
    assert client.count(index=alias)["count"] == expected
    report = json.loads((tmp_path / "r.json").read_text())
    assert report["failed"] == 0 and report["documents"] == 40


def test_searches_answer_503_while_the_node_is_down_and_recover(fault_settings, embedder):  # type: ignore[no-untyped-def]
    from click.testing import CliRunner

    from indexer.cli import cli
    from webapp.app import create_app

    samples = Path(__file__).resolve().parents[2] / "samples" / "articles"
    collection = f"down-{uuid.uuid4().hex[:8]}"
    result = CliRunner().invoke(cli, ["index", str(samples), "--collection", collection,
                                      "--no-progress"], obj=fault_settings,
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    app = create_app(fault_settings, embedder=embedder)
    client = app.test_client()
    assert client.get("/api/search?q=ferry").status_code == 200

    node.stop(fault_settings, say=lambda _: None)
    for mode in ("keyword", "semantic", "hybrid"):
        response = client.get(f"/api/search?q=ferry&mode={mode}")
        assert response.status_code == 503, (mode, response.get_data(as_text=True))
        error = response.get_json()["error"]
        assert error["status"] == 503 and "Elasticsearch" in error["message"]
    for path in ("/api/quotes?q=ferry", "/api/documents/x", "/api/collections"):
        assert client.get(path).status_code == 503, path
    assert client.get("/api/health").status_code == 503
    page = client.get("/?q=ferry")
    assert page.status_code == 503 and "try again" in page.get_data(as_text=True)

    node.start(fault_settings, say=lambda _: None)
    assert client.get("/api/search?q=ferry").status_code == 200  # same app, no restart
