"""The indexer end to end: real files, the real model, the real node."""

from __future__ import annotations

import json
import shutil
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner

from indexer import indices
from indexer.cli import cli
from indexer.settings import Settings

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]


def index(settings: Settings, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["index", *args, "--no-progress"], obj=settings,
                                catch_exceptions=False)
    return result.exit_code, result.output


def count(es, settings: Settings, collection: str, **query: object) -> int:  # type: ignore[no-untyped-def]
    es.indices.refresh(index=settings.alias(collection))
    body = {"query": query} if query else {}
    return int(es.count(index=settings.alias(collection), **body)["count"])


@pytest.fixture
def un_subset(tmp_path: Path, data_dir: Path) -> Path:
    """The Idlib meeting of 27 February 2020 with its meetings.csv, and the seed article."""
    folder = tmp_path / "subset"
    (folder / "transcripts").mkdir(parents=True)
    src = data_dir / "unsc_2020_syria"
    shutil.copy(src / "transcripts" / "S_PV.8734.txt", folder / "transcripts")
    shutil.copy(src / "meetings.csv", folder / "meetings.csv")
    shutil.copy(data_dir / "seed" / "upi_2020-02-27_saraqib.txt", folder)
    return folder


def test_seed_and_record_are_indexed_with_speakers_and_quotes(es, clean_prefix, un_subset,
                                                              tmp_path):  # type: ignore[no-untyped-def]
    report = tmp_path / "report.json"
    code, output = index(clean_prefix, str(un_subset), "--collection", "idlib",
                         "--report", str(report))
    assert code == 0, output
    summary = json.loads(report.read_text())
    assert summary["documents"] == 2 and summary["failed"] == 0
    assert summary["skipped"] == 1  # meetings.csv is read as metadata, not indexed
    assert set(summary) >= {"collection", "documents", "passages", "quotes", "skipped", "failed",
                            "elapsed_s", "dead_letter"}
    alias = clean_prefix.alias("idlib")
    es.indices.refresh(index=alias)

    mueller = es.search(index=alias, query={"bool": {"filter": [
        {"term": {"doc_id": "S/PV.8734"}}, {"term": {"speaker.keyword": "Ms. Mueller"}}]}},
        size=50)["hits"]["hits"]
    assert mueller, "Ms. Mueller's turn was not indexed with her name"
    assert any("Hospitals, schools, camps" in h["_source"]["text"] for h in mueller)
    first = mueller[0]["_source"]
    assert first["date"] == "2020-02-27"
    assert first["symbol"] == "S/PV.8734"
    assert first["topic"] == "The situation in the Middle East"

    quotes = es.search(index=alias, query={"nested": {"path": "quotes", "query": {
        "term": {"quotes.speaker.keyword": "Ursula Mueller"}}, "inner_hits": {"size": 10}}},
        size=10)["hits"]["hits"]
    texts = [q["_source"]["text"] for h in quotes for q in h["inner_hits"]["quotes"]["hits"]["hits"]]
    assert any(t.startswith("Hospitals, schools, camps") for t in texts), texts
    assert any(t.strip(' .,"') == "routine" for t in texts), texts


def test_indexing_twice_changes_no_counts(es, clean_prefix, un_subset):  # type: ignore[no-untyped-def]
    assert index(clean_prefix, str(un_subset), "--collection", "twice")[0] == 0
    before = count(es, clean_prefix, "twice")
    code, output = index(clean_prefix, str(un_subset), "--collection", "twice")
    assert code == 0, output
    assert "(2 unchanged)" in output
    assert count(es, clean_prefix, "twice") == before
    infos = indices.list_collections(es, clean_prefix)
    assert [(c.name, c.documents, c.passages) for c in infos] == [("twice", 2, before)]


def test_replace_never_shows_an_empty_collection(es, clean_prefix, data_dir):  # type: ignore[no-untyped-def]
    seed = str(data_dir / "seed" / "upi_2020-02-27_saraqib.txt")
    assert index(clean_prefix, seed, "--collection", "swap")[0] == 0
    old = indices.current_index(es, clean_prefix, "swap")
    seen: list[int] = []
    stop = threading.Event()

    def search_forever() -> None:
        while not stop.is_set():
            seen.append(es.count(index=clean_prefix.alias("swap"))["count"])

    searcher = threading.Thread(target=search_forever)
    searcher.start()
    try:
        code, output = index(clean_prefix, seed, str(REPO / "samples" / "articles"),
                             "--collection", "swap", "--replace")
    finally:
        stop.set()
        searcher.join()
    assert code == 0, output
    assert seen and min(seen) > 0
    new = indices.current_index(es, clean_prefix, "swap")
    assert new != old
    assert not es.indices.exists(index=old)  # deleted after the swap (no --keep-old)
    assert count(es, clean_prefix, "swap") > seen[0]


def test_broken_files_are_listed_and_good_ones_indexed(es, clean_prefix, tmp_path):  # type: ignore[no-untyped-def]
    folder = tmp_path / "mixed"
    shutil.copytree(REPO / "samples" / "articles", folder / "good")
    bad = folder / "bad"
    bad.mkdir()
    (bad / "empty.txt").write_text("")
    (bad / "binary.txt").write_bytes(b"\x00\x01\x02 not text")
    (bad / "latin1.txt").write_bytes("Caf\xe9 au lait -- a wire story.".encode("latin-1"))
    (bad / "records.jsonl").write_text(
        '{"id": "ok-1", "title": "Fine", "text": "A complete record about the harbour."}\n'
        '{"id": "broken", "title": "Cut off", "text": "This line never\n'
        '{"id": "no-text", "title": "Nothing here"}\n')
    report = tmp_path / "mixed.json"
    code, output = index(clean_prefix, str(folder), "--collection", "mixed", "--report", str(report))
    assert code == 1, output  # something failed: non-zero
    summary = json.loads(report.read_text())
    good_files = len(list((folder / "good").glob("*.txt")))
    assert summary["documents"] == good_files + 1
    dead = [json.loads(line) for line in Path(summary["dead_letter"]).read_text().splitlines()]
    origins = {Path(d["origin"].split(":")[0]).name for d in dead}
    assert {"empty.txt", "binary.txt", "latin1.txt", "records.jsonl"} <= origins
    assert summary["failed"] == len(dead) == 5
    reasons = " ".join(d["reason"] for d in dead)
    assert "empty" in reasons and "binary" in reasons and "UTF-8" in reasons
    assert "broken JSON" in reasons and "no text" in reasons


def test_a_collection_from_another_model_is_refused(es, clean_prefix, embedder):  # type: ignore[no-untyped-def]
    body = indices.index_definition(dims=embedder.dimension + 1, model="other-model",
                                    collection="mismatch", backend=embedder.backend)
    name = indices.new_index_name(clean_prefix, "mismatch")
    indices.create_index(es, name, body)
    indices.attach_aliases(es, clean_prefix, "mismatch", name)
    code, output = index(clean_prefix, str(REPO / "samples" / "articles"), "--collection",
                         "mismatch")
    assert code == 1
    assert "--replace" in output and "385" in output


def test_unreachable_elasticsearch_exits_2_before_any_work(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from indexer.settings import load_settings

    settings = load_settings({"ELASTICSEARCH_URL": "http://127.0.0.1:1", "HOME": str(tmp_path)})
    result = CliRunner().invoke(cli, ["index", str(REPO / "samples"), "--collection", "x"],
                                obj=settings)
    assert result.exit_code == 2
    assert "not reachable at http://127.0.0.1:1" in result.output


def test_stdin_collections_and_delete(es, clean_prefix) -> None:  # type: ignore[no-untyped-def]
    lines = "".join(json.dumps({"id": f"r{i}", "title": f"Record {i}",
                                "text": f"Harbour bulletin number {i}. Ships waited."}) + "\n"
                    for i in range(3))
    runner = CliRunner()
    result = runner.invoke(cli, ["index", "-", "--collection", "piped", "--no-progress"],
                           input=lines, obj=clean_prefix, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    listed = runner.invoke(cli, ["collections", "--json"], obj=clean_prefix)
    (info,) = json.loads(listed.output)
    assert info["name"] == "piped" and info["documents"] == 3 and info["passages"] == 3
    assert set(info) >= {"name", "documents", "passages", "quotes", "model", "index", "created"}
    deleted = runner.invoke(cli, ["delete", "piped", "--yes"], obj=clean_prefix)
    assert deleted.exit_code == 0 and info["index"] in deleted.output
    assert not es.indices.exists(index=info["index"])


def test_a_shortened_document_leaves_no_stale_passages(es, clean_prefix, tmp_path):  # type: ignore[no-untyped-def]
    source = tmp_path / "doc.jsonl"
    long_text = " ".join(f"Sentence number {i} about the harbour and its cranes." for i in range(400))
    source.write_text(json.dumps({"id": "d", "text": long_text}) + "\n")
    assert index(clean_prefix, str(source), "--collection", "shrink")[0] == 0
    assert count(es, clean_prefix, "shrink") > 2
    source.write_text(json.dumps({"id": "d", "text": "Now one short sentence."}) + "\n")
    assert index(clean_prefix, str(source), "--collection", "shrink")[0] == 0
    assert count(es, clean_prefix, "shrink") == 1


def test_an_index_from_an_older_mapping_gains_the_new_fields(es, clean_prefix, embedder):  # type: ignore[no-untyped-def]
    body = indices.index_definition(dims=embedder.dimension, model=embedder.model_name,
                                    collection="older", backend=embedder.backend)
    del body["mappings"]["properties"]["stems"]  # as Verbatim's first schema had it
    name = indices.new_index_name(clean_prefix, "older")
    indices.create_index(es, name, body)
    indices.attach_aliases(es, clean_prefix, "older", name)
    code, output = index(clean_prefix, str(REPO / "samples" / "articles"), "--collection", "older")
    assert code == 0, output
    assert "stems" in es.indices.get_mapping(index=name)[name]["mappings"]["properties"]
    assert count(es, clean_prefix, "older", exists={"field": "stems"}) == count(es, clean_prefix,
                                                                                  "older")
