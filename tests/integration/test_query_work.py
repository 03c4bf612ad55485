"""The work one query may cost (issue 11, item 8) and the request line a query may take
(item 11), against the real node, the real model and, for the latter, the real gunicorn."""

from __future__ import annotations

import json
import re
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

from indexer.search import queries, syntax
from indexer.search.request import (
    MAX_PARAM_CHARS,
    MAX_PARAM_VALUES,
    MAX_QUERY_CHARS,
    MAX_REQUEST_LINE_BYTES,
    SEARCH_TIMEOUT,
    SearchRequest,
)
from indexer.search.searcher import Searcher
from indexer.settings import Settings
from tests.integration import serving
from webapp.app import create_app
from webapp.extensions import KEY

pytestmark = pytest.mark.integration

HOSTILE_Q = "a* " * 333
MANY_PREFIXES = " ".join(f"clim{chr(97 + i)}{chr(97 + j)}*" for i in range(5) for j in range(5))
DOCS = [
    {"id": "c1", "title": "Climate policy",
     "text": "The climate policy of the council was debated. Climatic change worries ministers."},
    {"id": "c2", "title": "Hospitals",
     "text": "Hospitals in Aleppo were shelled; the climate of fear grew among doctors."},
    {"id": "c3", "title": "Harbour", "text": "The harbour reopened after repairs to the cranes."},
    {"id": "c4", "title": "Arabic", "text": "قال المندوب إن المستشفيات في حلب تعرضت للقصف."},
]
ORDINARY = ["climate policy", '"climate policy"', "hospitals Aleppo", "harbour OR cranes",
            "climate -hospitals", "حلب المستشفيات"]


@pytest.fixture(scope="module")
def indexed(es, embedder, tmp_path_factory) -> Iterator[Settings]:  # type: ignore[no-untyped-def]
    with serving.indexed(es, tmp_path_factory.mktemp("work"), "work", DOCS) as settings:
        yield settings


def _sqs_strings(node: Any) -> list[str]:
    """Every simple_query_string query text in a query body."""
    found: list[str] = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "simple_query_string":
                found.append(value["query"])
            else:
                found.extend(_sqs_strings(value))
    elif isinstance(node, list):
        for value in node:
            found.extend(_sqs_strings(value))
    return found


def _prefix_terms(text: str) -> set[str]:
    return set(re.findall(r"(\S+?)\*+(?=\s|$|[|)])", text))


Sent = tuple[int, dict[str, Any], list[dict[str, Any]]]


def _sent_bodies(indexed: Settings, embedder, q: str, mode: str) -> Sent:  # type: ignore[no-untyped-def]
    """The API's answer to ``q`` and every search body the searcher sent Elasticsearch for it
    (the real node answers them: the client's msearch is only watched on its way)."""
    app = create_app(indexed, embedder=embedder, warm=False)
    searcher: Searcher = app.extensions[KEY].searcher
    sent: list[dict[str, Any]] = []
    real_msearch = searcher.client.msearch

    def watched(*, searches: list[dict[str, Any]], **kwargs: Any) -> Any:
        sent.extend(searches[1::2])
        return real_msearch(searches=searches, **kwargs)

    searcher.client.msearch = watched  # type: ignore[method-assign]
    response = app.test_client().get("/api/search", query_string={"q": q, "mode": mode})
    return response.status_code, response.get_json(), sent


@pytest.mark.parametrize("mode", ["keyword", "hybrid"])
def test_a_hostile_query_sends_bounded_work(indexed: Settings, embedder, mode: str) -> None:  # type: ignore[no-untyped-def]
    for q in (HOSTILE_Q, MANY_PREFIXES):
        status, body, sent = _sent_bodies(indexed, embedder, q, mode)
        assert status == 200, body
        assert "partial" not in body  # the search was answered whole
        assert sent
        for search in sent:
            assert search["timeout"] == SEARCH_TIMEOUT
            for text in _sqs_strings(search.get("query", {})):  # each leg: its own analysis
                prefixes = _prefix_terms(text)
                assert len(prefixes) <= syntax.MAX_EXPANSIONS, prefixes
                assert all(len(p) >= syntax.MIN_EXPANSION_CHARS for p in prefixes), prefixes
            highlight = search.get("highlight")
            if highlight is not None:
                assert "highlight_query" in highlight
                assert not any("*" in t for t in _sqs_strings(highlight["highlight_query"]))
        if q == HOSTILE_Q:  # "a" is too short a prefix: no prefix query at all
            assert not any(_prefix_terms(t) for s in sent for t in _sqs_strings(s.get("query", {})))


@pytest.mark.parametrize("mode", ["semantic", "hybrid"])
def test_the_query_vector_leaves_the_exclusions_out(indexed: Settings, embedder,  # type: ignore[no-untyped-def]
                                                     mode: str) -> None:
    # Item 10: "-hospitals" filters both legs; encoded with the rest, it would also pull the
    # vector towards hospitals.
    status, body, sent = _sent_bodies(indexed, embedder, "climate policy -hospitals", mode)
    assert status == 200, body
    knn = [clause for search in sent for clause in _knn_clauses(search)]
    assert knn
    wanted = embedder.encode_query("climate policy")
    assert all(c["query_vector"] == pytest.approx(wanted) for c in knn)
    assert all(r["doc_id"] != "c2" for r in body["results"])


def _knn_clauses(node: Any) -> list[dict[str, Any]]:
    """Every kNN clause in a search body (top-level or inside a query)."""
    found: list[dict[str, Any]] = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "knn":
                found.extend(value if isinstance(value, list) else [value])
            else:
                found.extend(_knn_clauses(value))
    elif isinstance(node, list):
        for value in node:
            found.extend(_knn_clauses(value))
    return found


def test_searches_are_not_retried_on_a_timeout(es, embedder, indexed: Settings) -> None:  # type: ignore[no-untyped-def]
    assert es._retry_on_timeout is True  # indexing keeps its retries
    assert Searcher(es, embedder, indexed).client._retry_on_timeout is False


def _highlights(es, index: str, q: str, highlight: dict[str, Any]) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    body = queries.keyword_search_body(SearchRequest(q=q, mode="keyword"), size=10,
                                       collapsed=False)
    body["highlight"] = highlight
    hits = es.search(index=index, **body)["hits"]["hits"]
    return {hit["_id"]: hit.get("highlight", {}).get("text", []) for hit in hits}


@pytest.mark.parametrize("q", ORDINARY)
def test_ordinary_queries_highlight_as_before(es, indexed: Settings, q: str) -> None:  # type: ignore[no-untyped-def]
    before = _highlights(es, indexed.all_alias, q, queries.HIGHLIGHT)
    after = _highlights(es, indexed.all_alias, q, queries.highlight_body(q))
    assert after == before
    assert any(after.values()), after  # the query does highlight something


def test_a_prefix_is_highlighted_as_its_plain_word(es, indexed: Settings) -> None:  # type: ignore[no-untyped-def]
    marked = _highlights(es, indexed.all_alias, "harbour* cranes", queries.highlight_body(
        "harbour* cranes"))
    assert any("<mark>harbour</mark>" in t.lower() and "<mark>cranes</mark>" in t.lower()
               for texts in marked.values() for t in texts), marked


# ------------------------------------------------------------------ item 11: request lines


@pytest.fixture(scope="module")
def gunicorn(indexed: Settings, tmp_path_factory) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """The real app under gunicorn with the project's own settings module."""
    port = serving.free_port()
    command = serving.gunicorn_command(port, "--workers", "1", "--threads", "2")
    log = tmp_path_factory.mktemp("gunicorn") / "gunicorn.log"
    with serving.server(command, indexed, port, log):
        yield f"http://127.0.0.1:{port}"


def _get(url: str) -> tuple[int, str, str]:
    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            return response.status, response.headers.get("Content-Type", ""), response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers.get("Content-Type", ""), exc.read().decode()


@pytest.mark.parametrize(("char", "count"), [("ح", 700), ("ح", MAX_QUERY_CHARS), ("字", MAX_QUERY_CHARS),
                                             ("😀", MAX_QUERY_CHARS)])
def test_a_query_within_the_limit_fits_the_request_line(gunicorn: str, char: str,
                                                        count: int) -> None:
    q = " ".join([char * 9] * (count // 10)).ljust(count, char)
    assert len(q) == count
    url = f"{gunicorn}/api/search?" + urllib.parse.urlencode(
        {"q": q, "mode": "keyword", "collection": ["work"] * 3}, doseq=True)
    status, content_type, text = _get(url)
    assert status == 200, text[:300]
    assert content_type.startswith("application/json")
    assert "total" in json.loads(text)


def test_a_query_over_the_limit_is_the_apps_json_refusal(gunicorn: str) -> None:
    q = "字" * (MAX_QUERY_CHARS + 1)
    status, content_type, text = _get(f"{gunicorn}/api/search?" + urllib.parse.urlencode({"q": q}))
    assert status == 400 and content_type.startswith("application/json"), text[:300]
    assert json.loads(text)["error"]["parameter"] == "q"


def _too_long_query() -> str:
    """A query string longer than any request within the limits takes."""
    return urllib.parse.urlencode({"collection": ["字" * MAX_PARAM_CHARS] * (
        MAX_REQUEST_LINE_BYTES // (MAX_PARAM_CHARS * 9) + 2)}, doseq=True)


def test_gunicorn_takes_every_request_within_the_limits_and_no_longer(gunicorn: str) -> None:
    # Over gunicorn's own ceiling of 8190 bytes: 50 collections of 200 three-byte characters.
    url = f"{gunicorn}/api/search?" + urllib.parse.urlencode(
        {"q": "ح" * 700, "mode": "keyword",
         "collection": ["字" * MAX_PARAM_CHARS] * MAX_PARAM_VALUES}, doseq=True)
    status, content_type, text = _get(url)
    # The app read the whole request: its answer names the collection that does not exist.
    assert status == 400 and content_type.startswith("application/json"), text[:300]
    assert json.loads(text)["error"]["parameter"] == "collection"
    # Longer than any request within the limits: gunicorn reads no further (its own 414).
    status, _, _ = _get(f"{gunicorn}/api/search?{_too_long_query()}")
    assert status == 414


def test_the_app_refuses_a_longer_request_line_in_json(indexed: Settings, embedder) -> None:  # type: ignore[no-untyped-def]
    app = create_app(indexed, embedder=embedder, warm=False)
    response = app.test_client().get(f"/api/search?{_too_long_query()}")
    assert response.status_code == 414 and response.is_json
    assert response.get_json()["error"]["status"] == 414


@pytest.fixture(scope="module")
def dev_server(indexed: Settings, embedder) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """The app under Werkzeug's server with ``verbatim serve``'s request handler."""
    from werkzeug.serving import make_server

    from webapp.devserver import LimitsHandler

    app = create_app(indexed, embedder=embedder, warm=False)
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=LimitsHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


def test_the_dev_server_takes_every_request_within_the_limits(dev_server: str) -> None:
    # Over http.server's own 64 KiB request line: 50 collections of 200 three-byte characters.
    url = f"{dev_server}/api/search?" + urllib.parse.urlencode(
        {"q": "ح" * 700, "mode": "keyword",
         "collection": ["字" * MAX_PARAM_CHARS] * MAX_PARAM_VALUES}, doseq=True)
    assert len(url) > 65536
    status, content_type, text = _get(url)
    # The app read the whole request: its answer names the collection that does not exist.
    assert status == 400 and content_type.startswith("application/json"), text[:300]
    assert json.loads(text)["error"]["parameter"] == "collection"


def test_the_dev_server_refuses_a_longer_line_in_json(dev_server: str) -> None:
    status, content_type, text = _get(f"{dev_server}/api/search?{_too_long_query()}")
    assert status == 414 and content_type.startswith("application/json"), text[:300]
    assert set(json.loads(text)) == {"error"}
