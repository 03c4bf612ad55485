"""Elasticsearch's failures become the archive's errors in one place, with a truthful cause."""

from __future__ import annotations

import pytest
from elastic_transport import ApiResponseMeta, ConnectionError, ConnectionTimeout, HttpHeaders, NodeConfig
from elasticsearch import ApiError

from indexer.errors import (
    BadRequest,
    NotFound,
    SearchUnavailable,
    VerbatimError,
    elasticsearch_errors,
    translate,
)


def api_error(status: int) -> ApiError:
    meta = ApiResponseMeta(status=status, http_version="1.1", headers=HttpHeaders(), duration=0.0,
                           node=NodeConfig("http", "127.0.0.1", 9200))
    return ApiError(message=f"status {status}", meta=meta, body={"error": "secret-in-body"})


@pytest.mark.parametrize(("status", "kind", "http"), [
    (400, BadRequest, 400), (404, NotFound, 404), (401, SearchUnavailable, 503),
    (403, SearchUnavailable, 503), (429, SearchUnavailable, 503), (500, SearchUnavailable, 503),
    (503, SearchUnavailable, 503),
])
def test_api_errors_get_the_status_they_mean(status: int, kind: type[VerbatimError],
                                             http: int) -> None:
    error = translate(api_error(status))
    assert type(error) is kind and error.status == http
    assert "secret-in-body" not in error.message


def test_a_query_elasticsearch_refuses_names_the_query() -> None:
    assert translate(api_error(400)).parameter == "q"


def test_refused_credentials_are_not_called_a_node_that_is_down() -> None:
    message = translate(api_error(403)).message
    assert "credentials" in message and "not answering" not in message


@pytest.mark.parametrize("exc", [ConnectionError("refused"), ConnectionTimeout("slow")])
def test_transport_failures_are_unavailable(exc: Exception) -> None:
    with pytest.raises(SearchUnavailable, match="not answering"), elasticsearch_errors():
        raise exc


def test_other_exceptions_pass_through_untouched() -> None:
    with pytest.raises(KeyError), elasticsearch_errors():
        raise KeyError("a bug stays a bug")
