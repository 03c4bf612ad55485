"""Credentials never leak; limits answer a clear 400/413 in the one error shape."""

from __future__ import annotations

import logging

import pytest
from click.testing import CliRunner

from indexer.cli import cli
from indexer.model.embedder import Embedder
from indexer.settings import load_settings
from webapp.app import create_app

pytestmark = pytest.mark.integration

SECRET = "s3cret-Pa55"


@pytest.mark.parametrize("env", [
    {"ELASTICSEARCH_URL": "http://127.0.0.1:1", "ELASTICSEARCH_USERNAME": "elastic",
     "ELASTICSEARCH_PASSWORD": SECRET},
    {"ELASTICSEARCH_URL": f"http://elastic:{SECRET}@127.0.0.1:1"},
    {"ELASTICSEARCH_URL": "http://127.0.0.1:1", "ELASTICSEARCH_API_KEY": SECRET},
])
def test_credentials_never_appear_in_errors_logs_or_pages(env, caplog, tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings = load_settings({**env, "HOME": str(tmp_path)})
    assert SECRET not in repr(settings)
    result = CliRunner().invoke(cli, ["index", str(tmp_path), "--collection", "x"], obj=settings)
    assert result.exit_code == 2 and SECRET not in result.output
    assert "127.0.0.1:1" in result.output

    caplog.set_level(logging.DEBUG)
    app = create_app(settings, embedder=Embedder("/nonexistent"), warm=False)
    client = app.test_client()
    for path in ("/api/search?q=x&mode=keyword", "/api/health", "/api/collections",
                 "/api/documents/x", "/?q=x&mode=keyword", "/api/export?q=x"):
        response = client.get(path)
        assert response.status_code == 503, path
        assert SECRET not in response.get_data(as_text=True), path
    assert SECRET not in caplog.text


def test_limits_are_clear_errors(tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings = load_settings({"ELASTICSEARCH_URL": "http://127.0.0.1:1", "HOME": str(tmp_path)})
    client = create_app(settings, embedder=Embedder("/nonexistent"), warm=False).test_client()
    too_big = client.post("/api/search", data=b"x" * 100_000,
                          headers={"Content-Type": "application/octet-stream"})
    assert too_big.status_code in (405, 413)
    body = too_big.get_json()
    assert body["error"]["status"] == too_big.status_code
    deep = client.get("/api/search?q=x&page=101&size=10")
    assert deep.status_code == 400 and "/api/export" in deep.get_json()["error"]["message"]
    long_q = client.get("/api/search", query_string={"q": "x" * 5000})
    assert long_q.status_code == 400 and long_q.get_json()["error"]["parameter"] == "q"
