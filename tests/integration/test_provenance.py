"""Quote provenance against the real node and model: the seed's quotes traced to S/PV.8734,
the speaker check, a fabricated quote, people under one identity, the samples' four quotes."""

from __future__ import annotations

import itertools
import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from flask.testing import FlaskClient

from indexer.cli import cli
from indexer.model.embedder import Embedder
from indexer.settings import Settings
from tests.conftest import indexed_prefix
from webapp.app import create_app

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]
SEED = "upi_2020-02-27_saraqib"
VERBATIM_QUOTE = "Hospitals, schools, camps"  # the seed's first Mueller quote starts so
ALTERED_QUOTE = ("Idlib Central Hospital was among several facilities struck this week, "
                 "with multiple casualties")
PEOPLE = ("Craft", "Allen", "Dang")  # every Council speech of these, from speeches.jsonl


@pytest.fixture(scope="module")
def prov_settings(es, embedder, data_dir: Path, tmp_path_factory) -> Iterator[Settings]:  # type: ignore[no-untyped-def]
    src = data_dir / "unsc_2020_syria"
    folder = tmp_path_factory.mktemp("prov")
    (folder / "records" / "transcripts").mkdir(parents=True)
    shutil.copy(src / "transcripts" / "S_PV.8734.txt", folder / "records" / "transcripts")
    shutil.copy(src / "meetings.csv", folder / "records")
    # The meeting's speeches as speeches.jsonl records, and every speech of three people
    # whom the records name in several ways ("Mrs. Craft", "Kelly Craft").
    kept = []
    for line in (src / "speeches.jsonl").read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        named = str(record.get("speaker"))
        if record["symbol"] == "S/PV.8734" or any(p in named for p in PEOPLE):
            kept.append(line)
    (folder / "speeches.jsonl").write_text("\n".join(kept) + "\n", encoding="utf-8")
    with indexed_prefix(es, "prov",
                        [str(folder / "records"), "--collection", "records"],
                        [str(folder / "speeches.jsonl"), "--collection", "speeches"],
                        [str(data_dir / "seed"), "--collection", "news"],
                        [str(REPO / "samples"), "--collection", "samples"]) as settings:
        yield settings


@pytest.fixture(scope="module")
def client(prov_settings: Settings, embedder: Embedder) -> FlaskClient:
    app = create_app(prov_settings, embedder=embedder, test_config={"TESTING": True})
    return app.test_client()


def verify(client: FlaskClient, **claim: Any) -> dict[str, Any]:
    response = client.post("/api/verify", json=claim)
    assert response.status_code == 200, response.get_data(as_text=True)
    found: dict[str, Any] = response.get_json()
    return found


def test_the_seed_quotes_link_to_mueller_in_s_pv_8734(client: FlaskClient) -> None:
    doc = client.get(f"/api/documents/{SEED}", query_string={"collection": "news"}).get_json()
    checked = {q["text"][:25]: q["provenance"] for q in doc["quotes"] if q["provenance"]}
    first = checked[VERBATIM_QUOTE]
    second = checked[ALTERED_QUOTE[:25]]
    assert first["verdict"] == "verbatim" and second["verdict"] == "altered"
    for found in (first, second):
        assert found["speaker_match"] == "same"
        assert found["collection"] in ("records", "speeches")
    answer = verify(client, text=ALTERED_QUOTE, speaker="Ursula Mueller", date="2020-02-27")
    top = answer["sources"][0]
    assert answer["verdict"] == "altered" and top["symbol"] == "S/PV.8734"
    assert "Mueller" in top["speaker"] and top["speaker_match"] == "same"
    assert {"op": "replace", "quote": "with", "source": "causing"} in top["diff"]
    # The diff covers the quote whole: its quote sides give back the quote's words.
    assert " ".join(d["quote"] for d in top["diff"] if d["quote"]).split() == \
        ALTERED_QUOTE.replace(",", "").split()
    assert any(a["doc_id"] == SEED for a in answer["also_quoted_in"])


def test_the_speech_records_are_sources_too(client: FlaskClient) -> None:
    answer = verify(client, text=ALTERED_QUOTE, speaker="Ursula Mueller", date="2020-02-27",
                    collection=["speeches"])
    top = answer["sources"][0]
    assert top["collection"] == "speeches" and top["type"] == "speech"
    assert top["symbol"] == "S/PV.8734" and top["verdict"] == "altered"


def test_her_words_credited_to_another_speaker_of_the_meeting(client: FlaskClient) -> None:
    answer = verify(client, text=ALTERED_QUOTE.replace("with", "causing"),
                    speaker="Kelly Craft", date="2020-02-27")
    assert answer["verdict"] == "verbatim"
    assert answer["sources"][0]["speaker_match"] == "different"
    assert answer["claim"]["speaker_id"] is not None  # Craft is a person on record


def test_her_words_with_their_not_taken_out_are_altered(client: FlaskClient) -> None:
    # Condensed as a headline would, and reversed: too few of its words stand together for
    # a wording verdict, and the model finds it close in meaning to what she said. It is
    # her sentence with its "not" gone, so it is altered, never a paraphrase.
    answer = verify(client, text="Hospitals and schools are being spared",
                    speaker="Ursula Mueller", date="2020-02-27")
    top = answer["sources"][0]
    assert answer["verdict"] == "altered" and top["symbol"] == "S/PV.8734"
    assert {"op": "delete", "quote": "", "source": "not"} in top["diff"]
    # Her meaning in other words stays a paraphrase.
    kept = verify(client, text="Mueller said hospitals and schools were not being spared",
                  speaker="Ursula Mueller", date="2020-02-27")
    assert kept["verdict"] == "paraphrase" and kept["sources"][0]["symbol"] == "S/PV.8734"


def test_an_invented_sentence_is_confidently_not_found(client: FlaskClient) -> None:
    answer = verify(client, text="The Council has agreed to deploy ten thousand peacekeepers "
                                 "to the Arctic coast of Greenland before next winter",
                    speaker="Ursula Mueller", date="2020-03-01")
    assert answer["verdict"] == "not_found" and answer["sources"] == []


def test_no_record_later_than_the_article_is_its_source(client: FlaskClient) -> None:
    words = ALTERED_QUOTE.replace("with", "causing")
    answer = verify(client, text=words, date="2020-02-20")
    # Her briefing of 27 February cannot be the source of a report of the 20th; an earlier
    # record may at most say something like it.
    assert answer["verdict"] in ("paraphrase", "not_found")
    assert all(s["date"] <= "2020-02-20" for s in answer["sources"])
    assert verify(client, text=words, date="2020-02-27")["verdict"] == "verbatim"


def test_one_person_under_every_name_the_records_use(client: FlaskClient) -> None:
    speeches = client.get("/api/search", query_string={
        "speaker": "Kelly Craft", "collection": "speeches", "mode": "keyword", "size": 50,
    }).get_json()
    assert speeches["total"] == 10  # "Mrs. Craft" (7) and "Kelly Craft" (3)
    facet = [b["value"] for b in speeches["facets"]["speaker"]]
    assert "Kelly Craft" in facet and "Mrs. Craft" not in facet and "Craft" not in facet
    for name, full in (("Craft", "Kelly Craft"), ("Allen", "Jonathan Allen"),
                       ("Dang", "Dang Dinh Quy")):
        people = client.get("/api/speakers", query_string={"q": name}).get_json()["speakers"]
        assert [p["name"] for p in people] == [full], people
        person = people[0]
        assert person["documents"] >= 3 and set(person) >= {
            "id", "name", "aliases", "country", "role", "documents", "quotes"}
    mueller = client.get("/api/speakers", query_string={"q": "Mueller"}).get_json()["speakers"]
    assert [p["name"] for p in mueller] == ["Ursula Mueller"]  # the news names her in full
    assert mueller[0]["quotes"] >= 2
    page = client.get(f"/speakers/{mueller[0]['id']}")
    assert page.status_code == 200 and b"altered" in page.data


def test_quotes_filter_by_verdict_and_speaker(client: FlaskClient) -> None:
    altered = client.get("/api/quotes", query_string={"verdict": "altered",
                                                      "collection": "news"}).get_json()
    assert altered["total"] >= 1
    assert all(r["provenance"]["verdict"] == "altered" for r in altered["results"])
    assert altered["checked"] >= altered["total"] and "notice" not in altered
    # A collection none of whose quotes was checked says so: its 0 is not "none altered".
    unchecked = client.get("/api/quotes", query_string={"verdict": "altered",
                                                        "collection": "records"}).get_json()
    assert unchecked["total"] == unchecked["checked"] == 0
    assert "verbatim link" in unchecked["notice"]
    hers = client.get("/api/quotes", query_string={"verdict": ["verbatim", "altered"],
                                                   "speaker": "Ursula Mueller"}).get_json()
    assert {r["provenance"]["verdict"] for r in hers["results"]} == {"verbatim", "altered"}


def test_the_samples_quote_their_record_four_ways(client: FlaskClient) -> None:
    doc = client.get("/api/documents/wire_2024-03-13_council-pledges",
                     query_string={"collection": "samples"}).get_json()
    got = [(q["text"].split()[0], q["provenance"]["verdict"], q["provenance"]["speaker_match"])
           for q in doc["quotes"]]
    assert got == [("We", "verbatim", "same"), ("Floods", "trimmed", "same"),
                   ("Rebuilding", "altered", "same"), ("We", "verbatim", "different")]
    page = client.get("/check")
    assert page.status_code == 200 and b"Okafor-Brandt" in page.data  # the examples


def test_a_silent_cut_across_two_passages_is_a_trim(client: FlaskClient) -> None:
    # A sentence near the end of one passage of Ms. Mueller's turn and the first sentence of
    # the next, the sentence between (the first passage's last) left out silently, across the
    # passage edge: a trim of whole sentences.
    from indexer.text.passages import split_sentences

    doc = client.get("/api/documents/S/PV.8734", query_string={"collection": "records"}).get_json()
    passages = [p for p in doc["passages"] if "Mueller" in (p.get("speaker") or "")]

    def sentences(text: str) -> list[str]:
        return [text[a:b] for a, b in split_sentences(text)]

    for first, second in itertools.pairwise(passages):
        ours, theirs = sentences(first["text"]), sentences(second["text"])
        if len(ours) >= 2 and len(ours[-1].split()) <= 30 and theirs \
                and theirs[0] not in first["text"] and 4 <= len(ours[-2].split()) <= 40:
            head, cut, tail = ours[-2], ours[-1], theirs[0]
            break
    else:
        raise AssertionError("no two passages of her turn to cut across")
    answer = verify(client, text=f"{head} {tail}")
    assert answer["verdict"] == "trimmed", answer["sources"][:1]
    top = answer["sources"][0]
    assert "8734" in top["doc_id"]  # the record, or the same turn as a speech record
    cuts = [step["source"] for step in top["diff"] if step["op"] == "delete"]
    assert cuts == [cut.rstrip(".")]


def test_bad_claims_are_clear_400s(client: FlaskClient) -> None:
    for body in ({}, {"text": "   "}, {"text": "x" * 2001}, {"text": "the"}, {"text": "Idlib."},
                 {"text": "two words", "date": "2020-13-01"},
                 {"text": "two words", "collection": ["Not A Name"]},
                 {"text": "two words", "speaker": 3}):
        response = client.post("/api/verify", json=body)
        assert response.status_code == 400, body
        assert response.get_json()["error"]["parameter"] in ("text", "date", "collection",
                                                             "speaker")
    assert client.post("/api/verify", data="text=x").status_code == 400
    assert client.get("/api/verify", query_string={"text": "x" * 1001}).status_code == 400
    long_quote = " ".join([ALTERED_QUOTE] * 3)  # over the 200 characters of a label
    assert client.get("/api/verify", query_string={"text": long_quote}).status_code == 200
    assert client.get("/api/speakers/nobody-here").status_code == 404


def test_verify_on_the_command_line(prov_settings: Settings) -> None:
    from webapp.cli import cli as verbatim  # the assembled command line

    result = CliRunner().invoke(verbatim, ["verify", ALTERED_QUOTE, "--speaker", "Ursula Mueller",
                                      "--date", "2020-02-27"], obj=prov_settings)
    assert result.exit_code == 0, result.output
    assert result.output.startswith("ALTERED")
    assert "replace  quote: 'with'  record: 'causing'" in result.output


def test_deleting_a_collection_forgets_its_checks(es, prov_settings: Settings) -> None:  # type: ignore[no-untyped-def]
    index = prov_settings.provenance_index

    def checks() -> int:
        es.indices.refresh(index=index)
        found: int = es.count(index=index, query={"bool": {"should": [
            {"term": {"collection": "samples"}}, {"term": {"source_collection": "samples"}}],
            "minimum_should_match": 1}})["count"]
        return found

    assert checks() >= 4  # the sample article's quotes of the sample record
    result = CliRunner().invoke(cli, ["delete", "samples", "--yes"], obj=prov_settings)
    assert result.exit_code == 0, result.output
    assert "Forgot" in result.output and checks() == 0
