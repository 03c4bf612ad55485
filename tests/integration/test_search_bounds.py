"""Search stays up and honest on collections real archives hold (issue 11, items 7, 9, 10):
placeholder dates 10,000 years apart, a small collection beside a large one, exclusions in
the semantic leg. Against the real node and model."""

from __future__ import annotations

import json
import logging
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from flask.testing import FlaskClient

from indexer.cli import cli
from indexer.errors import BadRequest
from indexer.model.embedder import Embedder
from indexer.search import dates, plan
from indexer.search.searcher import Searcher
from indexer.settings import Settings, load_settings
from webapp.app import create_app

pytestmark = pytest.mark.integration

PHYSICS = 210  # passages: more than the semantic leg's k (200) in one collection
PHYSICS_QUERY = "quantum gluon plasma"
NEWS = [  # a small collection beside it, on something else entirely
    {"id": "n1", "text": "Shelling hit a bakery in Aleppo, Syria, on Monday, residents said."},
    {"id": "n2", "text": "Aid convoys reached eastern Aleppo after talks in Damascus, Syria."},
    {"id": "n3", "text": "The old souk of Aleppo reopened, the ministry in Syria said."},
    {"id": "n4", "text": "Aleppo's citadel drew its first tourists in a decade this spring."},
    {"id": "n5", "text": "Soap makers in Aleppo restarted the laurel kilns after the war."},
    {"id": "n6", "text": "Aleppo football club won the cup final before a full stadium."},
]
PLACEHOLDERS = {"first": "0001-01-01", "last": "9999-12-31"}  # database exports' filler dates


def _write(path: Path, records: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def _settings(name: str) -> Settings:
    env = dict(os.environ)
    env["VERBATIM_INDEX_PREFIX"] = f"vt-{name}-{uuid.uuid4().hex[:8]}"
    return load_settings(env)


def _index(settings: Settings, folder: Path, collections: dict[str, list[dict[str, Any]]]) -> None:
    runner = CliRunner()
    for name, records in collections.items():
        path = _write(folder / f"{name}.jsonl", records)
        result = runner.invoke(cli, ["index", str(path), "--collection", name, "--no-progress"],
                               obj=settings, catch_exceptions=False)
        assert result.exit_code == 0, result.output


def _drop(es, settings: Settings) -> None:  # type: ignore[no-untyped-def]
    names = list(es.indices.get(index=f"{settings.index_prefix}*", expand_wildcards="all").body)
    if names:
        es.indices.delete(index=",".join(names))


@pytest.fixture(scope="module")
def ledger_settings(es, embedder: Embedder, tmp_path_factory) -> Iterator[Settings]:  # type: ignore[no-untyped-def]
    """Two documents with placeholder dates beside a few ordinary ones."""
    settings = _settings("dates")
    placeholder = [{"id": doc_id, "date": "2020-06-01",
                    "text": "Placeholder ledger entry imported from the old database."}
                   for doc_id in PLACEHOLDERS]
    try:
        _index(settings, tmp_path_factory.mktemp("ledger"),
               {"ledger": placeholder, "news": NEWS})
        # Written straight into the index: the indexer may refuse such dates, an index
        # written before it did holds them still (the minimal distribution has no
        # update_by_query).
        hits = es.search(index=settings.all_alias, query={"term": {"collection": "ledger"}},
                         size=10, source=["doc_id"])["hits"]["hits"]
        assert len(hits) == len(PLACEHOLDERS)
        for hit in hits:
            es.update(index=hit["_index"], id=hit["_id"], refresh=True,
                      doc={"date": PLACEHOLDERS[hit["_source"]["doc_id"]]})
        yield settings
    finally:
        _drop(es, settings)


@pytest.fixture(scope="module")
def archive_settings(es, embedder: Embedder, tmp_path_factory) -> Iterator[Settings]:  # type: ignore[no-untyped-def]
    """A large collection (more passages than the semantic leg's k) and a small one."""
    settings = _settings("sizes")
    physics = [{"id": f"p{i}", "date": f"{2000 + i % 20}-0{1 + i % 9}-15",
                "title": f"Collider note {i}",
                "text": f"Run {i}: the quantum gluon plasma measured at the collider, "
                        f"sample {i * 7919 % 1000}."} for i in range(PHYSICS)]
    try:
        _index(settings, tmp_path_factory.mktemp("archive"), {"physics": physics, "news": NEWS})
        yield settings
    finally:
        _drop(es, settings)


@pytest.fixture(scope="module")
def dated(ledger_settings: Settings, embedder: Embedder) -> FlaskClient:
    app = create_app(ledger_settings, embedder=embedder, test_config={"TESTING": True})
    return app.test_client()


@pytest.fixture(scope="module")
def client(archive_settings: Settings, embedder: Embedder) -> FlaskClient:
    app = create_app(archive_settings, embedder=embedder, test_config={"TESTING": True})
    return app.test_client()


def search(client: FlaskClient, **params: object) -> dict[str, Any]:
    response = client.get("/api/search", query_string=params)
    assert response.status_code == 200, response.get_data(as_text=True)
    body: dict[str, Any] = response.get_json()
    return body


def every_page(client: FlaskClient, **params: object) -> tuple[dict[str, Any], list[Any]]:
    """The first page, and every result of every page until one comes back empty."""
    first = search(client, page=1, size=100, **params)
    found = list(first["results"])
    for page in range(2, 12):
        more = search(client, page=page, size=100, **params)["results"]
        if not more:
            break
        found.extend(more)
    return first, found


# ------------------------------------------------------------------ item 7


@pytest.mark.parametrize("mode", ["hybrid", "semantic", "keyword"])
def test_placeholder_dates_ten_thousand_years_apart_do_not_break_search(
        dated: FlaskClient, mode: str) -> None:
    body = search(dated, q="placeholder ledger entry", mode=mode)
    assert {r["doc_id"] for r in body["results"]} >= set(PLACEHOLDERS)
    bars = body["facets"]["date"]
    assert 0 < len(bars) <= dates.MAX_DATE_BUCKETS
    assert body["facets"]["date_interval"] in ("year", "decade", "century", "millennium")
    assert bars[0]["date"] <= "0001-01-01" and bars[0]["count"] >= 1
    assert bars[-1]["date"].startswith("99") and bars[-1]["count"] >= 1


def test_the_whole_archive_still_answers_with_placeholder_dates(dated: FlaskClient) -> None:
    body = search(dated, q="", mode="keyword")
    assert body["total"] == len(NEWS) + len(PLACEHOLDERS)
    # Every dated document counted once (the news carries no date).
    assert sum(d["count"] for d in body["facets"]["date"]) == body["total"] - len(NEWS)


def test_an_elasticsearch_refusal_is_reported_as_such_with_its_reason(
        es, embedder: Embedder, ledger_settings: Settings, caplog: pytest.LogCaptureFixture,
) -> None:  # type: ignore[no-untyped-def]
    """A 400 inside the msearch (here the empty monthly buckets between the placeholder dates,
    over search.max_buckets) is a refused query, not an unavailable Elasticsearch, and the
    log says why."""
    searcher = Searcher(es, embedder, ledger_settings)
    body = {"size": 0, "aggs": {"months": {"date_histogram": {
        "field": "date", "calendar_interval": "month", "min_doc_count": 0}}}}
    with caplog.at_level(logging.WARNING), pytest.raises(BadRequest) as refused:
        searcher.msearch([(plan.search_header(ledger_settings.all_alias), body)])
    assert refused.value.status == 400
    assert "too_many_buckets_exception" in caplog.text
    assert "search.max_buckets" in caplog.text


# ------------------------------------------------------------------ item 9


@pytest.mark.parametrize("mode", ["semantic", "hybrid"])
def test_totals_and_facets_count_exactly_what_the_pages_return(client: FlaskClient,
                                                               mode: str) -> None:
    first, found = every_page(client, q=PHYSICS_QUERY, mode=mode)
    keys = [(r["collection"], r["doc_id"]) for r in found]
    assert len(keys) == len(set(keys))  # pages do not overlap
    assert first["total"] == first["pageable"] == len(keys)
    by_collection = {f["value"]: f["count"] for f in first["facets"]["collection"]}
    shown: dict[str, int] = {}
    for collection, _ in keys:
        shown[collection] = shown.get(collection, 0) + 1
    assert by_collection == shown
    assert sum(d["count"] for d in first["facets"]["date"]) == len(keys)
    assert "news" not in by_collection  # no news result exists for this query


# ------------------------------------------------------------------ item 10


@pytest.mark.parametrize("mode", ["semantic", "hybrid"])
def test_exclusions_apply_to_the_semantic_leg_too(client: FlaskClient, mode: str) -> None:
    body = search(client, q="aleppo -syria", mode=mode, size=50)
    texts = [r["passage"]["text"] for r in body["results"]]
    assert any("Aleppo" in t for t in texts)
    assert not [t for t in texts if "syria" in t.lower()]
    assert {f["value"]: f["count"] for f in body["facets"]["collection"]}.get("news") == 3
    plain = search(client, q="aleppo", mode=mode, size=50)  # without it they are found
    assert sum("Syria" in r["passage"]["text"] for r in plain["results"]) == 3
