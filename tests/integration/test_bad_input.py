"""A corpus of bad files: each gets a clear error or a documented normalisation, and every
other record of the same run is indexed."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from indexer.cli import cli

pytestmark = pytest.mark.integration

BAD = Path(__file__).resolve().parents[1] / "data" / "bad"


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "bad"
    shutil.copytree(BAD, folder)
    # Generated, not stored: a 20 MB document and a JSONL record on a single 1 MB line.
    (folder / "huge.txt").write_text("Floods reached the port again. " * 680_000)
    (folder / "wide.jsonl").write_text(json.dumps({
        "id": "wide", "text": "A short text with a very wide record around it.",
        "notes": "x" * 1_048_576}) + "\n")
    return folder


def test_every_bad_file_is_reported_and_the_rest_indexed(es, clean_prefix, corpus, tmp_path):  # type: ignore[no-untyped-def]
    report = tmp_path / "bad.json"
    result = CliRunner().invoke(cli, ["index", str(corpus), "--collection", "bad",
                                      "--report", str(report), "--no-progress"],
                                obj=clean_prefix, catch_exceptions=False)
    assert result.exit_code == 1, result.output  # something failed, and we say so
    summary = json.loads(report.read_text())
    dead = [json.loads(line) for line in Path(summary["dead_letter"]).read_text().splitlines()]
    reasons = {Path(d["origin"]).name: d["reason"] for d in dead}

    assert "empty" in reasons["empty.txt"]
    assert "binary" in reasons["binary.dat.txt"]
    assert "UTF-8" in reasons["latin1.txt:1"]
    assert "broken JSON" in reasons["truncated.jsonl:2"]
    assert "no text" in reasons["no-text.jsonl:1"]
    assert "speaker" in reasons["S_PV.9999.txt"].lower()
    assert "text" in reasons["scripts.html"]
    assert "--max-chars" in reasons["huge.txt"]
    assert "duplicate document id 'dup'" in reasons["duplicates.jsonl:2"]
    assert summary["failed"] == 8  # the duplicate is a notice, not a failure

    alias = clean_prefix.alias("bad")
    es.indices.refresh(index=alias)
    ids = {h["_source"]["doc_id"] for h in es.search(index=alias, size=100,
                                                        _source=["doc_id"])["hits"]["hits"]}
    assert ids == {"t-1", "t-3", "n-2", "d-iso", "d-long", "d-ambiguous", "d-wrong", "d-words",
                   "dup", "wide"}
    assert summary["documents"] == len(ids)

    def source(doc_id: str) -> dict:  # type: ignore[type-arg]
        return es.search(index=alias, query={"term": {"doc_id": doc_id}})["hits"]["hits"][0][
            "_source"]

    assert source("dup")["text"].startswith("The second version")
    assert source("d-long")["date"] == "2020-02-27"
    # Never guessed: no date, and the original kept for the reader.
    assert "date" not in source("d-ambiguous")
    assert source("d-ambiguous")["metadata"]["date_original"] == "03/04/2020"
    assert "date" not in source("d-wrong") and "date" not in source("d-words")
