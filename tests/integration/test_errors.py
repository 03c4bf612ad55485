"""Every error path answers in the one shape: {"error": {"status", "message", "parameter"?}}.

A real node for the 400 and 404 cases, a node that is not there for the 503 ones, and a
bug for the 500: the status, the shape, the Retry-After of a 503 and the page twin of each.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask.testing import FlaskClient

from indexer.model.embedder import Embedder
from indexer.settings import Settings, load_settings
from webapp.app import MAX_BODY_BYTES, create_app
from webapp.extensions import Services

pytestmark = pytest.mark.integration


def error_of(response: Any, status: int) -> dict[str, Any]:
    """The error object, after checking the status and that nothing else is in the body."""
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.get_json()
    assert set(body) == {"error"}, body
    error: dict[str, Any] = body["error"]
    assert error["status"] == status
    assert isinstance(error["message"], str) and error["message"]
    assert set(error) <= {"status", "message", "parameter"}
    return error


@pytest.fixture
def live(clean_prefix: Settings, embedder: Embedder) -> FlaskClient:
    return create_app(clean_prefix, embedder=embedder, test_config={"TESTING": True}).test_client()


@pytest.fixture
def unreachable(tmp_path) -> Iterator[FlaskClient]:  # type: ignore[no-untyped-def]
    settings = load_settings({"ELASTICSEARCH_URL": "http://127.0.0.1:1", "HOME": str(tmp_path),
                              "VERBATIM_ES_TIMEOUT": "2"})
    app = create_app(settings, embedder=Embedder("/nonexistent"), warm=False,
                     test_config={"TESTING": True})
    yield app.test_client()


@pytest.mark.parametrize(("path", "parameter"), [
    ("/api/search?size=500", "size"),
    ("/api/search?q=x&page=0", "page"),
    ("/api/search?q=x&mode=fuzzy", "mode"),
    ("/api/search?mode=semantic", "q"),
    ("/api/search?q=x&date_from=2020-13-01", "date_from"),
    ("/api/quotes?q=x&page=500&size=10", "page"),
    ("/api/export?q=x&format=xml", "format"),
])
def test_bad_parameters_are_400_naming_the_parameter(live: FlaskClient, path: str,
                                                     parameter: str) -> None:
    assert error_of(live.get(path), 400)["parameter"] == parameter
    if not path.startswith(("/api/quotes", "/api/export")):
        page = live.get(path.replace("/api/search", "/"))
        assert page.status_code == 400 and "text/html" in page.content_type


def test_missing_things_are_404(live: FlaskClient) -> None:
    error = error_of(live.get("/api/documents/no-such-document"), 404)
    assert "no-such-document" in error["message"]
    error_of(live.get("/api/no-such-endpoint"), 404)
    page = live.get("/documents/no-such-document")
    assert page.status_code == 404 and "no-such-document" in page.get_data(as_text=True)


def test_a_wrong_method_is_405(live: FlaskClient) -> None:
    error_of(live.post("/api/search"), 405)


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_body_over_the_limit_is_413_whatever_the_method(live: FlaskClient, method: str) -> None:
    response = getattr(live, method)("/api/search", data=b"x" * (MAX_BODY_BYTES + 1),
                                     headers={"Content-Type": "application/octet-stream"})
    assert str(MAX_BODY_BYTES) in error_of(response, 413)["message"]


@pytest.mark.parametrize("path", [
    "/api/search?q=x&mode=keyword", "/api/quotes?q=x", "/api/collections",
    "/api/documents/x", "/api/export?q=x&mode=keyword",
])
def test_elasticsearch_down_is_503_with_retry_after(unreachable: FlaskClient, path: str) -> None:
    response = unreachable.get(path)
    assert "Elasticsearch" in error_of(response, 503)["message"]
    assert response.headers["Retry-After"].isdigit()


def test_pages_say_the_archive_is_not_answering(unreachable: FlaskClient) -> None:
    page = unreachable.get("/?q=x&mode=keyword")
    assert page.status_code == 503 and page.headers["Retry-After"].isdigit()
    assert "not answering" in page.get_data(as_text=True)


def test_health_reports_what_is_missing(unreachable: FlaskClient) -> None:
    response = unreachable.get("/api/health")
    assert response.status_code == 503
    body = response.get_json()
    assert body["status"] == "unavailable" and body["elasticsearch"]["reachable"] is False


def test_a_bug_is_a_logged_500_that_blames_no_one_else(live: FlaskClient, caplog,  # type: ignore[no-untyped-def]
                                                       monkeypatch) -> None:
    services = live.application.extensions["verbatim"]
    assert isinstance(services, Services)

    def broken(*args: object, **kwargs: object) -> None:
        raise KeyError("a bug")

    monkeypatch.setattr(services.searcher, "search", broken)
    error = error_of(live.get("/api/search?q=x"), 500)
    assert "Elasticsearch" not in error["message"]
    assert "KeyError" in caplog.text and "Traceback" in caplog.text
