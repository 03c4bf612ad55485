"""The local node the project manages (started by `make es-up` before the tests)."""

from __future__ import annotations

import os
import socket
import time

import pytest

import localnode as node
from indexer.settings import Settings, load_settings

pytestmark = pytest.mark.integration


def test_the_node_answers_with_the_pinned_version(es) -> None:  # type: ignore[no-untyped-def]
    info = es.info()
    assert info["version"]["number"] == node.ES_VERSION
    assert info["tagline"] == "You Know, for Search"


def test_starting_again_reuses_the_running_node(es, base_settings: Settings) -> None:  # type: ignore[no-untyped-def]
    before = node.status(node.node_paths(base_settings))
    if not before.ours:
        pytest.skip("the node on this port was not started by `verbatim es up`")
    again = node.start(base_settings, say=lambda _: None)
    assert again.pid == before.pid
    assert again.version == node.ES_VERSION


def test_a_port_taken_by_something_else_fails_fast(tmp_path) -> None:  # type: ignore[no-untyped-def]
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        port = squatter.getsockname()[1]
        env = dict(os.environ, VERBATIM_ES_PORT=str(port), VERBATIM_CACHE=str(tmp_path))
        started = time.monotonic()
        with pytest.raises(node.NodeError, match=f"Port {port} .* already in use"):
            node.start(load_settings(env), say=lambda _: None)
        assert time.monotonic() - started < 10
