"""A quoted phrase that is not word for word in the record still finds it: its words near
each other, then the words themselves, and the response says so."""

from __future__ import annotations

import json
import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from flask.testing import FlaskClient

from indexer.cli import cli
from indexer.model.embedder import Embedder
from indexer.settings import Settings, load_settings
from webapp.app import create_app

pytestmark = pytest.mark.integration

# Heusgen in S/PV.8715: "The density of the population at the Turkish border increases every
# day because people move north to escape the fighting."
REMEMBERED = "population density on the Turkish border is rising"


@pytest.fixture(scope="module")
def client(es, embedder: Embedder, data_dir: Path, tmp_path_factory) -> Iterator[FlaskClient]:  # type: ignore[no-untyped-def]
    env = dict(os.environ, VERBATIM_INDEX_PREFIX=f"vt-phr-{uuid.uuid4().hex[:8]}")
    settings: Settings = load_settings(env)
    folder = tmp_path_factory.mktemp("phrases") / "transcripts"
    folder.mkdir()
    shutil.copy(data_dir / "unsc_2020_syria" / "transcripts" / "S_PV.8715.txt", folder)
    result = CliRunner().invoke(cli, ["index", str(folder), "--collection", "un",
                                      "--no-progress", "--no-link"], obj=settings,
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    yield create_app(settings, embedder=embedder, test_config={"TESTING": True}).test_client()
    names = list(es.indices.get(index=f"{settings.index_prefix}*").body)
    if names:
        es.indices.delete(index=",".join(names))


def search(client: FlaskClient, q: str, mode: str = "keyword") -> dict[str, Any]:
    response = client.get("/api/search", query_string={"q": q, "mode": mode})
    assert response.status_code == 200, response.get_data(as_text=True)
    body: dict[str, Any] = response.get_json()
    return body


def heusgen_first(body: dict[str, Any]) -> bool:
    top = body["results"][0]
    return "Heusgen" in (top["speaker"] or "") and "Turkish border" in top["passage"]["text"]


@pytest.mark.parametrize("mode", ["keyword", "hybrid"])
def test_a_remembered_phrase_falls_back_to_its_words(client: FlaskClient, mode: str) -> None:
    body = search(client, f'"{REMEMBERED}"', mode)
    assert body["phrase_fallback"] is True
    [relaxed] = body["unmatched_phrases"]
    assert relaxed["phrase"] == REMEMBERED and relaxed["level"] in ("near", "words")
    assert heusgen_first(body)


def test_the_same_words_near_each_other_come_before_the_words_alone(client: FlaskClient) -> None:
    body = search(client, '"Turkish border population density"')
    assert body["unmatched_phrases"] == [{"phrase": "Turkish border population density",
                                          "level": "near"}]
    assert heusgen_first(body)
    for result in body["results"]:  # every word of the phrase is in each result's passage
        text = result["passage"]["text"].lower()
        assert all(w in text for w in ("turkish", "border", "population", "density"))


def test_a_phrase_with_a_slop_of_its_own_forgives_too(client: FlaskClient) -> None:
    # Its words within three of each other match nothing; near each other, they do.
    body = search(client, '"Turkish border population density"~3')
    assert body["unmatched_phrases"] == [{"phrase": "Turkish border population density",
                                          "level": "near"}]
    assert heusgen_first(body)
    exact = search(client, '"density population"~3')  # "The density of the population"
    assert exact["phrase_fallback"] is False and heusgen_first(exact)


def test_words_of_the_record_far_apart_are_not_near(client: FlaskClient) -> None:
    # "density" and "agenda" are both in S/PV.8715, never within a sentence of each other.
    body = search(client, '"density agenda"')
    assert body["unmatched_phrases"] == [{"phrase": "density agenda", "level": "words"}]
    assert body["results"]  # the words themselves still find the record


def test_the_export_finds_what_the_page_found(client: FlaskClient) -> None:
    page = search(client, f'"{REMEMBERED}"')
    response = client.get("/api/export", query_string={"q": f'"{REMEMBERED}"', "mode": "keyword",
                                                       "format": "jsonl"})
    assert response.status_code == 200, response.get_data(as_text=True)
    rows = [json.loads(line) for line in response.get_data(as_text=True).splitlines()]
    assert rows and {r["doc_id"] for r in rows} == {r["doc_id"] for r in page["results"]}


def test_a_phrase_that_matches_exactly_is_kept(client: FlaskClient) -> None:
    body = search(client, '"density of the population at the Turkish border"')
    assert body["phrase_fallback"] is False and "unmatched_phrases" not in body
    assert heusgen_first(body)


def test_the_page_says_there_was_no_exact_match(client: FlaskClient) -> None:
    page = client.get("/", query_string={"q": f'"{REMEMBERED}"'})
    assert page.status_code == 200
    assert "No exact match for “population density".encode() in page.data
