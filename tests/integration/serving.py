"""What the integration tests that serve the app share: a collection of their own records,
indexed under a prefix of their own and deleted afterwards, and the app under a real server
(bench/server.py starts it, as it does for the benchmarks).

Not a test module (pytest collects ``test_*.py`` only); imported as ``tests.integration.serving``.
"""

from __future__ import annotations

import contextlib
import json
import os
import uuid
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from bench.server import ServerFailed, free_port, gunicorn_command, running
from indexer.cli import cli
from indexer.settings import Settings, load_settings

__all__ = ["free_port", "gunicorn_command", "indexed", "server"]

HEALTH_TIMEOUT_S = 240  # a cold start loads the model in every worker


@contextlib.contextmanager
def indexed(es: Any, folder: Path, name: str, records: Sequence[dict[str, Any]],
            *paths: Path) -> Iterator[Settings]:
    """Settings whose index prefix holds ``records`` (and any files under ``paths``) as the
    collection ``name``, indexed by ``verbatim index``; the prefix's indices are deleted
    afterwards."""
    settings = load_settings(dict(os.environ, VERBATIM_INDEX_PREFIX=f"vt-{name}-"
                                  f"{uuid.uuid4().hex[:8]}"))
    source = folder / f"{name}.jsonl"
    source.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records),
                      encoding="utf-8")
    result = CliRunner().invoke(cli, ["index", str(source), *map(str, paths), "--collection",
                                      name, "--no-progress"], obj=settings,
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    try:
        yield settings
    finally:
        names = list(es.indices.get(index=f"{settings.index_prefix}*",
                                    expand_wildcards="all").body)
        if names:
            es.indices.delete(index=",".join(names))


@contextlib.contextmanager
def server(command: list[str], settings: Settings, port: int, log: Path,
           **env: str) -> Iterator[None]:
    """``command`` serving ``settings``' collections on ``port`` (its output in ``log``),
    once it answers /api/health; the test fails with the log's tail if it never does."""
    environment = dict(os.environ, VERBATIM_INDEX_PREFIX=settings.index_prefix, **env)
    try:
        with running(command, environment, port, log, timeout_s=HEALTH_TIMEOUT_S):
            yield
    except ServerFailed as exc:
        pytest.fail(str(exc))
