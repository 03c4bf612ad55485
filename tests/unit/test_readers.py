from __future__ import annotations

import io
import itertools
from pathlib import Path
from typing import Any

import pytest

from indexer.documents import Document, RecordError, Skipped
from indexer.sources.files import ReadOptions, read_inputs
from indexer.sources.records import read_jsonl_stream
from tests.conftest import DATA, require

REPO = Path(__file__).resolve().parents[2]


def docs(*specs: str, **options: Any) -> list[Document | RecordError | Skipped]:
    return list(read_inputs(list(specs), ReadOptions(**options)))


def test_samples_folder_reads_articles_and_a_transcript() -> None:
    items = docs(str(REPO / "samples"))
    found = {d.doc_id: d.doc_type for d in items if isinstance(d, Document)}
    assert found["S/PV.9901"] == "transcript"
    assert sum(t == "article" for t in found.values()) == 4
    assert [s.origin.endswith("README.md") for s in items if isinstance(s, Skipped)] == [True]


def test_beir_corpus_reads_as_is() -> None:
    require(DATA.is_dir(), "shared data missing")
    first = next(iter(docs(str(DATA / "ir_scifact_beir" / "corpus.jsonl"), doc_type="article")))
    assert isinstance(first, Document)
    assert first.doc_id == "4983" and first.title and first.doc_type == "article"


def test_un_speeches_jsonl_gives_speaker_and_meeting() -> None:
    require(DATA.is_dir(), "shared data missing")
    items = itertools.islice(docs(str(DATA / "unsc_2020_syria" / "speeches.jsonl")), 5)
    speech = [d for d in items if isinstance(d, Document)][1]
    assert speech.doc_type == "speech" and speech.symbol == "S/PV.8700"
    assert speech.speaker is not None and speech.speaker.name == "Nebenzia"
    assert speech.speaker.country == "Russian Federation" and speech.date == "2020-01-10"


def test_general_debate_csv_layout(tmp_path: Path) -> None:
    path = tmp_path / "debate.csv"
    path.write_text("country,year,session,text\nNorvania,2019,74,\"We call for peace.\"\n"
                    "Estovaria,2020,75,\n")
    items = docs(str(path))
    speech, error = items
    assert isinstance(speech, Document) and speech.doc_type == "speech"
    assert speech.speaker is not None and speech.speaker.country == "Norvania"
    assert speech.date == "2019" and "General Debate" in (speech.title or "")
    assert isinstance(error, RecordError) and "no text" in error.reason and ":3" in error.origin


def test_broken_lines_are_errors_with_their_line_and_reading_goes_on() -> None:
    stream = io.StringIO('{"id": 1, "text": "one"}\n{"id": 2, "te\n\n[1, 2]\n{"id": 3, "body": "three"}\n')
    items = list(read_jsonl_stream(stream, "in.jsonl"))
    assert [type(i).__name__ for i in items] == ["Document", "RecordError", "RecordError", "Document"]
    assert items[1].origin == "in.jsonl:2" and "broken JSON" in items[1].reason
    assert items[2].origin == "in.jsonl:4"
    assert items[3].doc_id == "3" and items[3].text == "three"


@pytest.mark.parametrize("spec", ["no/such/file.txt", "no/such/*.jsonl"])
def test_missing_inputs_are_reported(spec: str) -> None:
    (item,) = docs(spec)
    assert isinstance(item, RecordError) and spec in item.origin


def test_unknown_extensions_are_skipped_with_a_reason(tmp_path: Path) -> None:
    (tmp_path / "scan.pdf").write_bytes(b"%PDF-1.4")
    (item,) = docs(str(tmp_path))
    assert isinstance(item, Skipped) and "--format" in item.reason
