"""The concordance API against the real node, over two Security Council records, its counts
checked against the raw transcripts counted here independently (token windows)."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from indexer.model.embedder import Embedder
from indexer.search.concordance import MAX_PHRASE_CHARS
from indexer.settings import Settings
from tests.conftest import indexed_prefix
from webapp.api import neutralise
from webapp.app import create_app

pytestmark = pytest.mark.integration

SYMBOLS = ("8700", "8734")  # 10 January and 27 February 2020
CROSS_BORDER = "cross-border"
# In S/PV.8734 one of its uses reads across a sentence end that is also a passage boundary.
STRADDLING = "Syria since the"


@pytest.fixture(scope="module")
def records(data_dir: Path) -> dict[str, str]:
    """Each record's raw text by its symbol."""
    folder = data_dir / "unsc_2020_syria" / "transcripts"
    return {f"S/PV.{s}": (folder / f"S_PV.{s}.txt").read_text(encoding="utf-8") for s in SYMBOLS}


@pytest.fixture(scope="module")
def dates(data_dir: Path) -> dict[str, str]:
    with (data_dir / "unsc_2020_syria" / "meetings.csv").open(encoding="utf-8") as f:
        return {row["symbol"]: row["date"] for row in csv.DictReader(f)}


@pytest.fixture(scope="module")
def concordance_settings(es, embedder, data_dir: Path,  # type: ignore[no-untyped-def]
                         tmp_path_factory) -> Iterator[Settings]:
    folder = tmp_path_factory.mktemp("concordance")
    (folder / "transcripts").mkdir()
    src = data_dir / "unsc_2020_syria"
    for symbol in SYMBOLS:
        shutil.copy(src / "transcripts" / f"S_PV.{symbol}.txt", folder / "transcripts")
    shutil.copy(src / "meetings.csv", folder)
    with indexed_prefix(es, "conc", [str(folder), "--collection", "un"]) as settings:
        yield settings


@pytest.fixture(scope="module")
def client(concordance_settings: Settings, embedder: Embedder) -> FlaskClient:
    app = create_app(concordance_settings, embedder=embedder, test_config={"TESTING": True})
    return app.test_client()


def tokens(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+(?:'[a-z0-9]+)*", text.lower().replace("’", "'"))


def count(text: str, phrase: str) -> int:
    """Occurrences of the phrase's words as consecutive words of the text."""
    words, found = tokens(phrase), tokens(text)
    return sum(found[i:i + len(words)] == words for i in range(len(found) - len(words) + 1))


def concordance(client: FlaskClient, **params: object) -> dict:  # type: ignore[type-arg]
    response = client.get("/api/concordance", query_string=params)
    assert response.status_code == 200, response.get_data(as_text=True)
    body: dict = response.get_json()  # type: ignore[type-arg]
    return body


def every_line(client: FlaskClient, **params: object) -> list[dict]:  # type: ignore[type-arg]
    lines, page = [], 1
    while True:
        body = concordance(client, **params, page=page, size=100)
        lines.extend(body["lines"])
        if page * 100 >= body["total"]:
            return lines
        page += 1


@pytest.mark.parametrize("phrase", [CROSS_BORDER, STRADDLING, "humanitarian access",
                                    "Security Council"])
def test_totals_equal_the_occurrences_in_the_records(client: FlaskClient, records: dict[str, str],
                                                     phrase: str) -> None:
    body = concordance(client, phrase=phrase)
    expected = {symbol: count(text, phrase) for symbol, text in records.items()}
    assert sum(expected.values()) > 1, f"pick a phrase the records use: {expected}"
    assert body["total"] == sum(expected.values())
    assert body["documents"] == sum(1 for n in expected.values() if n)
    assert body["truncated"] is False
    lines = every_line(client, phrase=phrase)
    assert len(lines) == body["total"]
    for line in lines:
        text = records[line["doc_id"]]
        assert tokens(text[line["offset"]:line["offset"] + len(line["match"]) + 10])[
            :len(tokens(phrase))] == tokens(phrase)
        assert tokens(line["match"]) == tokens(phrase)
    per_doc = {s: sum(1 for x in lines if x["doc_id"] == s) for s in records}
    assert per_doc == expected


def test_an_occurrence_across_two_passages_is_found_once(client: FlaskClient) -> None:
    lines = every_line(client, phrase=STRADDLING)
    doc = client.get("/api/documents", query_string={"id": "S/PV.8734"}).get_json()
    ends = [p["end"] for p in doc["passages"]]
    across = [x for x in lines if any(x["offset"] < end < x["offset"] + len(x["match"])
                                      for end in ends)]
    assert across, "the phrase no longer straddles a passage boundary: pick another"
    assert len({(x["doc_id"], x["offset"]) for x in lines}) == len(lines)


def test_first_use_is_the_earliest_and_order_newest_reverses(
        client: FlaskClient, records: dict[str, str], dates: dict[str, str]) -> None:
    oldest = every_line(client, phrase=CROSS_BORDER)
    newest = every_line(client, phrase=CROSS_BORDER, order="newest")
    body = concordance(client, phrase=CROSS_BORDER, order="newest")
    earliest_symbol = min((s for s in records if count(records[s], CROSS_BORDER)),
                          key=lambda s: dates[s])
    first_offset = min(m.start() for m in re.finditer(r"cross[\W_]+border",
                                                      records[earliest_symbol], re.I))
    assert (body["first"]["doc_id"], body["first"]["offset"]) == (earliest_symbol, first_offset)
    assert body["first"] == oldest[0]
    assert [x["date"][:10] for x in oldest] == sorted(x["date"][:10] for x in oldest)
    assert [x["date"][:10] for x in newest] == sorted((x["date"][:10] for x in newest),
                                                      reverse=True)
    assert newest[0]["doc_id"] != oldest[0]["doc_id"]
    assert sorted(map(json.dumps, newest)) == sorted(map(json.dumps, oldest))
    for line in oldest:
        assert line["date"][:10] == dates[line["doc_id"]]


def test_lines_name_the_speaker_whose_turn_holds_them(client: FlaskClient,
                                                      records: dict[str, str]) -> None:
    turns = [t for t in records["S/PV.8734"].split("\n\n") if t.startswith("Ms. Mueller:")]
    expected = sum(count(t, CROSS_BORDER) for t in turns)
    body = concordance(client, phrase=CROSS_BORDER, speaker="Ms. Mueller")
    assert expected and body["total"] == expected
    assert {x["speaker"] for x in every_line(client, phrase=CROSS_BORDER,
                                             speaker="Ms. Mueller")} == {"Ms. Mueller"}
    outside = concordance(client, phrase=CROSS_BORDER, date_from="2020-02-01")
    assert outside["total"] == count(records["S/PV.8734"], CROSS_BORDER)


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_export_equals_the_paged_lines(client: FlaskClient, fmt: str) -> None:
    lines = every_line(client, phrase=CROSS_BORDER)
    response = client.get("/api/concordance", query_string={"phrase": CROSS_BORDER,
                                                            "format": fmt})
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    text = response.get_data(as_text=True)
    if fmt == "jsonl":
        rows = [json.loads(row) for row in text.splitlines()]
    else:
        rows = list(csv.DictReader(io.StringIO(text)))
        for row in rows:
            row["offset"] = int(row["offset"])
    keys = ("doc_id", "collection", "offset", "left", "match", "right", "speaker")
    cell = neutralise if fmt == "csv" else (lambda value: value)  # the CSV's formula guard
    assert [tuple(r[k] or None for k in keys) for r in rows] == [
        tuple(cell(x[k]) or None for k in keys) for x in lines]


@pytest.mark.parametrize(("params", "parameter"), [
    ({}, "phrase"), ({"phrase": "   "}, "phrase"), ({"phrase": "-- !!"}, "phrase"),
    ({"phrase": "x" * (MAX_PHRASE_CHARS + 1)}, "phrase"),
    ({"phrase": "aid", "order": "sideways"}, "order"), ({"phrase": "aid", "size": 0}, "size"),
    ({"phrase": "aid", "page": 999, "size": 100}, "page"),
    ({"phrase": "aid", "date_from": "yesterday"}, "date_from"),
    ({"phrase": "aid", "format": "xml"}, "format"),
])
def test_bad_requests_name_their_parameter(client: FlaskClient, params: dict[str, object],
                                           parameter: str) -> None:
    response = client.get("/api/concordance", query_string=params)
    assert response.status_code == 400
    assert response.get_json()["error"]["parameter"] == parameter
    page = client.get("/concordance", query_string=params)
    assert page.status_code in (200, 400)  # the page shows the form for an empty phrase


def test_first_use_is_found_when_only_the_newest_documents_are_read(
        client: FlaskClient, records: dict[str, str], dates: dict[str, str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    from indexer.search import concordance as module

    monkeypatch.setattr(module, "MAX_DOCUMENTS", 1)
    body = concordance(client, phrase=CROSS_BORDER, order="newest")
    assert body["truncated"] is True and body["documents"] == 1
    earliest_symbol = min((s for s in records if count(records[s], CROSS_BORDER)),
                          key=lambda s: dates[s])
    assert body["first"]["doc_id"] == earliest_symbol
    assert body["lines"][0]["doc_id"] != earliest_symbol  # the page is the newest document's
    export = client.get("/api/concordance", query_string={"phrase": CROSS_BORDER,
                                                          "format": "jsonl"})
    assert export.headers["X-Verbatim-Truncated"] == "true"
