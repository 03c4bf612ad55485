"""``pageable`` is how many results paging can reach, in every mode: never past
``MAX_DEPTH`` (page × size), so every page it counts answers and the next one is refused.
Against the real node and model, over more matching documents than paging reaches."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask.testing import FlaskClient

from indexer.model.embedder import Embedder
from indexer.search.request import MAX_DEPTH, reachable
from indexer.settings import Settings
from tests.conftest import indexed_articles
from webapp.app import create_app

pytestmark = pytest.mark.integration

DOCUMENTS = MAX_DEPTH + 50  # every one matches the query: more than paging reaches


@pytest.fixture(scope="module")
def deep_settings(es, embedder: Embedder, tmp_path_factory) -> Iterator[Settings]:  # type: ignore[no-untyped-def]
    documents = [{"id": f"c{i}", "title": f"Convoy report {i}",
                  "text": f"Convoy {i} reached the district with grain and medicine."}
                 for i in range(DOCUMENTS)]
    with indexed_articles(es, tmp_path_factory.mktemp("deep"), "deep", documents,
                          "convoys") as settings:
        yield settings


@pytest.fixture(scope="module")
def client(deep_settings: Settings, embedder: Embedder) -> FlaskClient:
    app = create_app(deep_settings, embedder=embedder, test_config={"TESTING": True})
    return app.test_client()


def search(client: FlaskClient, status: int = 200, **params: object) -> dict[str, Any]:
    response = client.get("/api/search", query_string=params)
    assert response.status_code == status, response.get_data(as_text=True)
    body: dict[str, Any] = response.get_json()
    return body


@pytest.mark.parametrize("size", [10, 7])
def test_keyword_pageable_stops_at_the_deepest_page_allowed(client: FlaskClient,
                                                            size: int) -> None:
    first = search(client, q="convoy", mode="keyword", size=size)
    assert first["total"] == DOCUMENTS
    assert first["pageable"] == reachable(DOCUMENTS, size) == MAX_DEPTH // size * size
    last = first["pageable"] // size
    deepest = search(client, q="convoy", mode="keyword", size=size, page=last)
    assert len(deepest["results"]) == size and deepest["pageable"] == first["pageable"]
    search(client, 400, q="convoy", mode="keyword", size=size, page=last + 1)


@pytest.mark.parametrize("mode", ["semantic", "hybrid"])
def test_every_page_pageable_counts_answers_in_every_mode(client: FlaskClient,
                                                          mode: str) -> None:
    size = 7
    first = search(client, q="convoy reached the district", mode=mode, size=size)
    assert 0 < first["pageable"] <= min(first["total"], MAX_DEPTH)
    last = -(-first["pageable"] // size)
    deepest = search(client, q="convoy reached the district", mode=mode, size=size, page=last)
    assert deepest["results"], deepest
    if last * size < MAX_DEPTH:  # a page past what was ranked answers empty, not an error
        beyond = search(client, q="convoy reached the district", mode=mode, size=size,
                        page=last + 1)
        assert beyond["results"] == []


def test_the_search_page_offers_no_page_the_api_refuses(client: FlaskClient) -> None:
    html = client.get("/", query_string={"q": "convoy", "mode": "keyword", "size": 7})
    assert html.status_code == 200
    text = html.get_data(as_text=True)
    last = MAX_DEPTH // 7
    assert f"Page 1 of {last}" in text
