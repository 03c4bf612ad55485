"""What an export holds in each mode, over two collections that together hold more passages
than the semantic leg's ``k``: what the page ranks and counts, not ``k`` of each index."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from indexer.model.embedder import Embedder
from indexer.search.queries import SEMANTIC_K
from tests.conftest import indexed_prefix
from webapp.app import create_app

pytestmark = pytest.mark.integration

PLACES = ["harbour", "bridge", "clinic", "market", "school", "depot", "station", "farm"]
EVENTS = ["reopened", "was flooded", "was repaired", "closed for a week", "was inspected"]
PER_COLLECTION = SEMANTIC_K * 3 // 4  # two collections: more than k passages, each fewer


def _articles(seed: int) -> list[dict[str, str]]:
    rng = random.Random(seed)
    return [{"id": f"a{seed}-{n}", "title": f"Notice {n}",
             "text": f"The {rng.choice(PLACES)} near the {rng.choice(PLACES)} "
                     f"{rng.choice(EVENTS)} on day {n}."} for n in range(PER_COLLECTION)]


@pytest.fixture(scope="module")
def client(es, embedder: Embedder, tmp_path_factory) -> Iterator[FlaskClient]:  # type: ignore[no-untyped-def]
    folder: Path = tmp_path_factory.mktemp("export")
    runs = []
    for seed, collection in ((1, "east"), (2, "west")):
        path = folder / f"{collection}.jsonl"
        path.write_text("".join(json.dumps(a) + "\n" for a in _articles(seed)))
        runs.append([str(path), "--collection", collection, "--type", "article"])
    with indexed_prefix(es, "export", *runs) as settings:
        yield create_app(settings, embedder=embedder, test_config={"TESTING": True}).test_client()


def _exported(client: FlaskClient, **params: str) -> list[dict]:  # type: ignore[type-arg]
    response = client.get("/api/export", query_string={**params, "format": "jsonl"})
    assert response.status_code == 200, response.get_data(as_text=True)
    return [json.loads(line) for line in response.get_data(as_text=True).splitlines()]


def _key(row: dict) -> tuple[str, str]:  # type: ignore[type-arg]
    return row["collection"], row["doc_id"]


def test_a_semantic_export_is_the_k_nearest_the_page_counts(client: FlaskClient) -> None:
    rows = _exported(client, q="a flooded clinic", mode="semantic")
    page = client.get("/api/search", query_string={"q": "a flooded clinic",
                                                    "mode": "semantic"}).get_json()
    assert len(rows) == SEMANTIC_K  # of 2 * PER_COLLECTION: k in all, not k of each index
    assert len({_key(r) for r in rows}) == page["total"]
    assert {r["collection"] for r in rows} == {"east", "west"}


def test_a_hybrid_export_is_the_keyword_matches_and_the_k_nearest(client: FlaskClient) -> None:
    hybrid = _exported(client, q="flooded clinic", mode="hybrid")
    keyword = _exported(client, q="flooded clinic", mode="keyword")
    semantic = _exported(client, q="flooded clinic", mode="semantic")
    assert {_key(r) for r in hybrid} == {_key(r) for r in keyword} | {_key(r) for r in semantic}
    assert len(hybrid) == len({_key(r) for r in hybrid})  # each passage once
    # The keyword matches first, best first; then the nearest that match no word.
    assert [_key(r) for r in hybrid[:len(keyword)]] == [_key(r) for r in keyword]
