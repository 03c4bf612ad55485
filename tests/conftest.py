"""Fixtures shared by every tier: where the shared data is, settings built from a dict, and
(for integration tests) one real Elasticsearch client and one real model per session."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import time
import uuid
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from indexer.settings import Settings, load_settings

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "data"


def wait_for_passages(client, alias: str, run: subprocess.Popen[str],  # type: ignore[no-untyped-def]
                      timeout: float = 300) -> None:
    """Until the indexer running in ``run`` has some passages safely in ``alias``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(Exception):  # the index may not exist yet
            if client.count(index=alias)["count"] > 0:
                return
        if run.poll() is not None:
            break
        time.sleep(0.5)
    pytest.fail(f"no passage reached {alias} (indexer exit code {run.poll()})")


def require(condition: bool, reason: str) -> None:
    """Skip with ``reason`` when ``condition`` fails, or fail when CI demands everything."""
    if condition:
        return
    if os.environ.get("VERBATIM_REQUIRE_DATA") == "1":
        pytest.fail(f"{reason} (VERBATIM_REQUIRE_DATA=1 forbids skipping)")
    pytest.skip(reason)


def shared_data() -> Path:
    """``../shared/data`` beside the checkout; skipped when absent unless CI requires it."""
    require(DATA.is_dir(), f"shared data not found at {DATA}; clone it beside the repository")
    return DATA


@pytest.fixture(scope="session")
def data_dir() -> Path:
    require(DATA.is_dir(), f"shared data not found at {DATA}; clone beside ../shared to run this")
    return DATA


@pytest.fixture(scope="session")
def base_settings() -> Settings:
    return load_settings()


@pytest.fixture
def settings(base_settings: Settings) -> Settings:
    """Settings with an index prefix of this test's own, so tests never see each other's data."""
    env = dict(os.environ)
    env["VERBATIM_INDEX_PREFIX"] = f"vt-{uuid.uuid4().hex[:10]}"
    return load_settings(env)


@pytest.fixture(scope="session")
def es(base_settings: Settings):  # type: ignore[no-untyped-def]
    from indexer.client import build_client, check_reachable
    from indexer.errors import ElasticsearchUnavailable

    client = build_client(base_settings)
    try:
        check_reachable(client, base_settings)
    except ElasticsearchUnavailable as exc:
        require(False, f"{exc}")
    yield client
    client.close()


@pytest.fixture(scope="session")
def embedder(base_settings: Settings):  # type: ignore[no-untyped-def]
    from indexer.model.embedder import Embedder

    model = Embedder.from_settings(base_settings)
    _ = model.dimension  # load once, here, so the first test does not pay for it
    return model


def delete_prefix(es: Any, prefix: str) -> None:
    """Every index of ``prefix``, deleted by name: wildcard deletes are refused by default
    (action.destructive_requires_name)."""
    names = list(es.indices.get(index=f"{prefix}*", expand_wildcards="all").body)
    if names:
        es.indices.delete(index=",".join(names))


@contextlib.contextmanager
def indexed_prefix(es: Any, tag: str, *runs: Sequence[str]) -> Iterator[Settings]:
    """Settings of an index prefix of their own (``vt-TAG-…``), each run's ``verbatim index``
    arguments indexed into it; the prefix's indices are deleted afterwards, also when
    indexing failed. Module fixtures index their folders once with it and yield inside it."""
    from click.testing import CliRunner

    from indexer.cli import cli

    settings = load_settings(dict(os.environ,
                                  VERBATIM_INDEX_PREFIX=f"vt-{tag}-{uuid.uuid4().hex[:8]}"))
    try:
        runner = CliRunner()
        for args in runs:
            result = runner.invoke(cli, ["index", *args, "--no-progress"], obj=settings,
                                   catch_exceptions=False)
            assert result.exit_code == 0, result.output
        yield settings
    finally:
        delete_prefix(es, settings.index_prefix)


@contextlib.contextmanager
def indexed_articles(es: Any, folder: Path, tag: str, documents: Sequence[dict[str, Any]],
                     collection: str) -> Iterator[Settings]:
    """``documents`` written to a JSON-lines file in ``folder`` and indexed as articles of
    ``collection``, under a prefix of their own (:func:`indexed_prefix`)."""
    path = folder / f"{tag}.jsonl"
    path.write_text("".join(json.dumps(d) + "\n" for d in documents))
    with indexed_prefix(es, tag, [str(path), "--collection", collection,
                                  "--type", "article"]) as settings:
        yield settings


@pytest.fixture
def clean_prefix(es, settings: Settings) -> Iterator[Settings]:  # type: ignore[no-untyped-def]
    """The test's settings; its indices are deleted afterwards."""
    yield settings
    delete_prefix(es, settings.index_prefix)


def api_client(settings: Settings, embedder: Any) -> Any:
    """A test client of the app on ``settings``, with the session's model."""
    from webapp.app import create_app

    return create_app(settings, embedder=embedder, test_config={"TESTING": True}).test_client()


def api_json(client: Any, path: str, **params: object) -> dict[str, Any]:
    """``GET path?params``'s JSON, which must be a 200."""
    response = client.get(path, query_string=params)
    assert response.status_code == 200, response.get_data(as_text=True)
    body: dict[str, Any] = response.get_json()
    return body
