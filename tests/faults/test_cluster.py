"""A replica cluster loses a node in the middle of indexing and searching.

Three local nodes on loopback ports of their own (1 GB heap each), collections with one
replica, Verbatim pointed at all three URLs. The elected master is killed (kill -9) while
`verbatim index` runs and a searcher keeps searching: neither may see an error (the client
retries on the other nodes, the replicas are promoted), and every document arrives once.
"""

from __future__ import annotations

import itertools
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

import localnode as node
from indexer.client import build_client
from indexer.search.request import Filters, SearchRequest
from indexer.search.searcher import Searcher
from indexer.settings import Settings, load_settings
from tests.conftest import DATA, require, wait_for_passages

pytestmark = pytest.mark.faults

PORTS = tuple(int(p) for p in os.environ.get("VERBATIM_CLUSTER_TEST_PORTS",
                                             "9261,9262,9263").split(","))
VERBATIM = str(Path(sys.executable).parent / "verbatim")
DOCUMENTS = 80


@pytest.fixture(scope="module")
def cluster(base_settings: Settings) -> Iterator[Settings]:
    env = dict(os.environ, ELASTICSEARCH_URL=node.cluster_urls(PORTS),
               VERBATIM_CACHE=str(base_settings.cache_dir), VERBATIM_INDEX_PREFIX="vt-cluster")
    settings = load_settings(env)
    node.start_cluster(settings, PORTS, say=lambda _: None)
    yield settings
    node.start_cluster(settings, PORTS, say=lambda _: None)  # bring back the killed node
    client = build_client(settings)
    names = list(client.indices.get(index=f"{settings.index_prefix}*").body)
    if names:
        client.indices.delete(index=",".join(names))
    node.stop_cluster(settings, PORTS, say=lambda _: None)


def _master(settings: Settings) -> node.NodePaths:
    client = build_client(settings)
    name = client.cat.master(format="json")[0]["node"]
    return next(p for p in node.cluster_paths(settings, PORTS) if p.name == name)


def _search_until(stop: threading.Event, searcher: Searcher, collection: str,
                  outcomes: list[object]) -> None:
    for q in itertools.cycle(["climate change", "sovereignty", "development goals"]):
        if stop.is_set():
            return
        req = SearchRequest(q=q, mode="hybrid", filters=Filters(collections=(collection,)))
        try:
            outcomes.append(searcher.search(req, mark_semantic=False)["total"])
        except Exception as exc:  # recorded, asserted on below
            outcomes.append(exc)


def test_a_node_lost_mid_index_and_search_costs_nothing(cluster, embedder, tmp_path):  # type: ignore[no-untyped-def]
    require(DATA.is_dir(), "shared data missing")
    source = tmp_path / "speeches.jsonl"
    with (DATA / "ungdc_2019_2020" / "speeches.jsonl").open() as handle:
        source.write_text("".join(itertools.islice(handle, DOCUMENTS)))
    client = build_client(cluster)
    collection = f"replicated-{uuid.uuid4().hex[:8]}"
    alias = cluster.alias(collection)
    env = dict(os.environ, ELASTICSEARCH_URL=node.cluster_urls(PORTS),
               VERBATIM_INDEX_PREFIX=cluster.index_prefix)
    command = [VERBATIM, "index", str(source), "--collection", collection, "--no-progress",
               "--replicas", "1", "--batch-size", "16", "--bulk-size", "50"]
    run = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           text=True)
    wait_for_passages(client, alias, run)  # then on both copies, the people's too:
    health = client.cluster.health(index=[alias, cluster.people_index],
                                   wait_for_status="green", timeout="60s")
    assert not health["timed_out"], health
    people = client.indices.get_settings(index=cluster.people_index, name="*replicas")
    assert people[cluster.people_index]["settings"]["index"]["number_of_replicas"] == "1"

    stop = threading.Event()
    outcomes: list[object] = []
    searcher = Searcher(build_client(cluster), embedder, cluster)
    searching = threading.Thread(target=_search_until, args=(stop, searcher, collection, outcomes))
    searching.start()
    time.sleep(1.0)
    victim = _master(cluster)
    pid = node.read_pid(victim)
    assert pid is not None
    assert run.poll() is None, "indexing finished before the node could be killed"
    os.kill(pid, signal.SIGKILL)
    while node.pid_alive(pid):
        time.sleep(0.1)
    killed_at = len(outcomes)

    output, _ = run.communicate(timeout=600)
    time.sleep(2.0)  # and search a little longer on the two nodes left
    stop.set()
    searching.join(timeout=60)

    assert run.returncode == 0, output
    print(f"{len(outcomes)} searches, {killed_at} before the kill; indexer said:\n{output}")
    errors = [o for o in outcomes if isinstance(o, Exception)]
    assert not errors, errors[:3]
    assert len(outcomes) > killed_at  # searches did run after the node was lost

    remaining = build_client(cluster)
    remaining.indices.refresh(index=alias)
    docs = remaining.search(index=alias, size=0,
                            aggs={"d": {"cardinality": {"field": "doc_id"}}})
    assert docs["aggregations"]["d"]["value"] == DOCUMENTS  # none lost
    firsts = remaining.search(index=alias, query={"term": {"passage_no": 0}}, size=100,
                              _source=["passages_in_doc"])["hits"]["hits"]
    expected = sum(h["_source"]["passages_in_doc"] for h in firsts)
    assert remaining.count(index=alias)["count"] == expected  # none duplicated
    health = remaining.cluster.health()
    assert health["number_of_nodes"] == len(PORTS) - 1
    people = remaining.cluster.health(index=cluster.people_index, wait_for_status="yellow",
                                      timeout="30s")
    assert not people["timed_out"], people  # the people outlived the node
