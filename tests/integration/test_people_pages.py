"""People's pages against the real node and model: what a person said most (Elasticsearch's
significant_text on their passages) and their documents over time, over three Security
Council records from two months."""

from __future__ import annotations

import csv
import re
import shutil
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient

from indexer.model.embedder import Embedder
from indexer.settings import Settings
from tests.conftest import indexed_prefix
from webapp.app import create_app

pytestmark = pytest.mark.integration

RECORDS = ("S_PV.8700.txt", "S_PV.8735.txt", "S_PV.8738.txt")  # January and February 2020
WORD = re.compile(r"\w+(?:[':.\u2019\u00b7]\w+)*")  # near the standard tokenizer's words


@pytest.fixture(scope="module")
def people_settings(es, embedder, data_dir: Path, tmp_path_factory) -> Iterator[Settings]:  # type: ignore[no-untyped-def]
    src = data_dir / "unsc_2020_syria"
    folder = tmp_path_factory.mktemp("people")
    (folder / "transcripts").mkdir()
    for name in RECORDS:
        shutil.copy(src / "transcripts" / name, folder / "transcripts")
    shutil.copy(src / "meetings.csv", folder)
    with indexed_prefix(es, "people", [str(folder), "--collection", "records"]) as settings:
        yield settings


@pytest.fixture(scope="module")
def client(people_settings: Settings, embedder: Embedder) -> FlaskClient:
    app = create_app(people_settings, embedder=embedder, test_config={"TESTING": True})
    return app.test_client()


@pytest.fixture(scope="module")
def record_dates(data_dir: Path) -> dict[str, str]:
    """Each indexed record's symbol and date, from meetings.csv."""
    with (data_dir / "unsc_2020_syria" / "meetings.csv").open(encoding="utf-8") as f:
        rows = {r["transcript_file"].rsplit("/", 1)[-1]: r for r in csv.DictReader(f)}
    return {rows[name]["symbol"]: rows[name]["date"] for name in RECORDS}


@pytest.fixture(scope="module")
def turns(es, people_settings: Settings,  # type: ignore[no-untyped-def]
          record_dates: dict[str, str]) -> dict[str, dict[str, list[str]]]:
    """Every person's passages (by person id) in each record, as the index holds them."""
    out: dict[str, dict[str, list[str]]] = {}
    hits = es.search(index=people_settings.all_alias, size=5000,
                     query={"terms": {"doc_id": sorted(record_dates)}},
                     source=["doc_id", "speaker_id", "text"]).body["hits"]["hits"]
    assert hits
    for hit in hits:
        passage = hit["_source"]
        out.setdefault(passage.get("speaker_id") or "", {}).setdefault(
            passage["doc_id"], []).append(passage["text"])
    return out


def people(client: FlaskClient) -> list[dict[str, Any]]:
    found = client.get("/api/speakers").get_json()["speakers"]
    assert found
    return list(found)


def profile(client: FlaskClient, person_id: str) -> dict[str, Any]:
    response = client.get(f"/api/speakers/{person_id}")
    assert response.status_code == 200, response.get_data(as_text=True)
    found: dict[str, Any] = response.get_json()
    return found


def their_passages(person: dict[str, Any], turns: dict[str, dict[str, list[str]]]
                   ) -> dict[str, list[str]]:
    """A person's passages by record, under whatever name each record gave them."""
    return dict(turns.get(person["id"], {}))


def test_over_time_counts_the_records_they_speak_in(client: FlaskClient, turns: dict[str, Any],
                                                    record_dates: dict[str, str]) -> None:
    checked = 0
    for person in people(client)[:8]:
        found = profile(client, person["id"])
        records = their_passages(found, turns)
        assert records, found["name"]  # a speaker of the list speaks in some record
        expected = Counter(record_dates[symbol][:7] for symbol in records)
        got = {b["date"]: b["count"] for b in found["over_time"]["buckets"] if b["count"]}
        assert found["over_time"]["interval"] == "month"
        assert got == dict(expected), found["name"]
        assert sum(got.values()) == found["documents"] == len(records)
        for bucket in found["over_time"]["buckets"]:
            assert sum(bucket["types"].values()) == bucket["count"]
        checked += 1
    assert checked >= 3


def test_the_list_counts_everyone_not_the_page(client: FlaskClient,
                                               turns: dict[str, Any]) -> None:
    speaking = len([person for person in turns if person])  # every resolved speaker
    for size in (1, 3):
        body = client.get("/api/speakers", query_string={"size": size}).get_json()
        assert len(body["speakers"]) == size and body["total"] == speaking
    named = client.get("/api/speakers", query_string={"q": "Mr", "size": 1}).get_json()
    assert len(named["speakers"]) <= 1 and named["total"] >= len(named["speakers"])


def test_what_they_said_most_are_their_own_words(client: FlaskClient,
                                                 turns: dict[str, Any]) -> None:
    speakers = sorted(people(client), key=lambda p: -p["documents"])
    with_terms = 0
    all_passages = [t for records in turns.values() for texts in records.values() for t in texts]
    for person in speakers[:5]:
        found = profile(client, person["id"])
        mine = [t for texts in their_passages(found, turns).values() for t in texts]
        words = [set(WORD.findall(t.lower())) for t in mine]
        for term in found["terms"]:
            uses = sum(term["term"] in w for w in words)
            # A word of theirs, in at least two of their passages (repeated boilerplate may
            # be counted once), and relatively commoner in what they said than overall.
            assert 2 <= term["count"] <= uses, (found["name"], term, uses)
            overall = sum(term["term"] in set(WORD.findall(t.lower())) for t in all_passages)
            assert term["background"] == overall, (found["name"], term)
            assert uses / len(mine) > overall / len(all_passages), (found["name"], term)
            assert not any(c.isdigit() for c in term["term"]) and term["term"] != "the"
        with_terms += bool(found["terms"])
    assert with_terms >= 3


def test_the_page_draws_the_chart_and_links_the_terms(client: FlaskClient) -> None:
    top = max(people(client), key=lambda p: p["documents"])
    found = profile(client, top["id"])
    page = client.get(f"/speakers/{top['id']}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    bars = re.findall(r'<rect class="bar" [^>]*height="([\d.]+)"', html)
    assert len(bars) == len(found["over_time"]["buckets"])
    assert sum(float(h) > 0 for h in bars) == sum(b["count"] > 0
                                                 for b in found["over_time"]["buckets"])
    assert f'/timeline?speaker={top["id"]}&amp;by=type' in html
    for term in found["terms"][:3]:
        assert f"/?q={term['term']}&amp;mode=keyword&amp;speaker=" in html
    assert ' style="' not in html  # the CSP blocks inline styles
    spec = client.get("/api/openapi.json").get_json()
    speaker = spec["components"]["schemas"]["Speaker"]
    assert {"terms", "over_time"} <= set(speaker["required"])
