"""Hostile and careless input through the real `verbatim index` (issue 11, items 1-6 and the
date range of 7): one bad record costs one record, in the dead-letter file with its file, line
and reason; the good records of the same file are indexed; the exit code says what happened."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from indexer.cli import cli
from indexer.ingest import actions, pipeline
from indexer.ingest.tracker import Tracker
from indexer.settings import Settings
from indexer.sources import checks

pytestmark = pytest.mark.integration

GOOD = "Rescue teams reached the flooded valley on Tuesday."


def run_index(settings: Settings, tmp_path: Path, *paths: Path | str, collection: str = "h",
              report: str = "run.json") -> tuple[Result, dict[str, Any], list[dict[str, Any]]]:
    out = tmp_path / "reports" / report
    result = CliRunner().invoke(cli, ["index", *map(str, paths), "--collection", collection,
                                      "--report", str(out), "--no-progress"], obj=settings)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    summary = json.loads(out.read_text())
    dead_path = summary["dead_letter"] or out.with_name(out.stem + ".dead-letter.jsonl")
    dead = ([json.loads(line) for line in Path(dead_path).read_text().splitlines()]
            if Path(dead_path).exists() else [])
    return result, summary, dead


def reasons(dead: list[dict[str, Any]]) -> dict[str, str]:
    return {Path(d["origin"]).name: d["reason"] for d in dead}


def indexed(es, settings: Settings, collection: str = "h") -> dict[str, dict[str, Any]]:  # type: ignore[no-untyped-def]
    alias = settings.alias(collection)
    es.indices.refresh(index=alias)
    hits = es.search(index=alias, size=500, query={"term": {"passage_no": 0}})["hits"]["hits"]
    return {h["_source"]["doc_id"]: h["_source"] for h in hits}


def line(record: dict[str, Any]) -> str:
    return json.dumps(record) + "\n"


def test_bad_records_cost_one_record_each(es, clean_prefix, tmp_path):  # type: ignore[no-untyped-def]
    src = tmp_path / "in"
    src.mkdir()
    (src / "scraped.jsonl").write_text(
        line({"id": "g1", "text": GOOD})
        + '{"id":"s","text":"Lone \\ud800 surrogate."}\n'
        + '{"id":"\\udcff","text":"An id that was not UTF-8."}\n'
        + '{"id":"deep","text":"x","m":' + "[" * 100_000 + "]" * 100_000 + "}\n"
        + line({"id": "g2", "text": GOOD}))
    (src / os.fsdecode(b"r\xe9sum\xe9.jsonl")).write_text(line({"text": GOOD}))
    (src / "values.jsonl").write_text(
        '{"id": NaN, "text": "x"}\n{"id": "p", "text": "' + GOOD + '", "speaker": NaN}\n'
        + line({"id": "names", "text": GOOD, "speaker": "nan", "author": "None",
                "source": "null"})
        + line({"id": ["a", "b"], "text": GOOD}) + line({"id": True, "text": GOOD}))
    result, summary, dead = run_index(clean_prefix, tmp_path, src)

    assert result.exit_code == 1, result.output
    why = reasons(dead)
    assert "lone surrogate (U+D800)" in why["scraped.jsonl:2"]
    assert "lone surrogate (U+DCFF)" in why["scraped.jsonl:3"]
    assert "nested too deeply" in why["scraped.jsonl:4"]
    assert "not list" in why["values.jsonl:4"] and "not bool" in why["values.jsonl:5"]
    assert summary["failed"] == 5 == len(dead)
    docs = indexed(es, clean_prefix)
    # NaN is pandas' missing value: an id of NaN is no id (the file and line name the
    # record), a speaker of NaN no speaker.
    assert set(docs) == {"g1", "g2", "r\\xe9sum\\xe9-1", "names", "values-1", "p"}
    assert summary["documents"] == 6
    for doc_id in ("names", "p"):
        assert docs[doc_id]["type"] == "article"
        assert not {"speaker", "author", "source"} & set(docs[doc_id])


@pytest.mark.parametrize("name", ["bom.csv", "bom.jsonl", "bom.json"])
def test_a_byte_order_mark_loses_nothing(es, clean_prefix, tmp_path, name):  # type: ignore[no-untyped-def]
    body = {"bom.csv": f'text,id\n"{GOOD}",c1\n"{GOOD} Again.",c2\n',
            "bom.jsonl": line({"id": "c1", "text": GOOD}) + line({"id": "c2", "text": GOOD}),
            "bom.json": json.dumps([{"id": "c1", "text": GOOD}, {"id": "c2", "text": GOOD}])}
    (tmp_path / name).write_text(body[name], encoding="utf-8-sig")
    result, summary, dead = run_index(clean_prefix, tmp_path, tmp_path / name)
    assert result.exit_code == 0, result.output
    assert (summary["documents"], summary["failed"], dead) == (2, 0, [])
    assert set(indexed(es, clean_prefix)) == {"c1", "c2"}


def test_nothing_is_skipped_silently(es, clean_prefix, tmp_path):  # type: ignore[no-untyped-def]
    src = tmp_path / "in"
    (src / "sub").mkdir(parents=True)
    (src / "good.jsonl").write_text(line({"id": "g", "text": GOOD}))
    (src / "empty.jsonl").write_text("")
    (src / "sub" / "up").symlink_to("..")
    (src / "ring-a").symlink_to("ring-b")
    (src / "ring-b").symlink_to("ring-a")
    (tmp_path / "self").symlink_to("self")
    result, summary, dead = run_index(clean_prefix, tmp_path, src, tmp_path / "self")
    assert result.exit_code == 1, result.output
    why = reasons(dead)
    assert "holds no records" in why["empty.jsonl"]
    assert "symbolic link loop" in why["up"]
    assert "symbolic link loop" in why["ring-a"] and "symbolic link loop" in why["ring-b"]
    assert "symbolic link loop" in why["self"]
    assert summary["failed"] == 5 and summary["documents"] == 1
    assert "holds no records" in result.output or "5 failed" in result.output
    assert set(indexed(es, clean_prefix)) == {"g"}


def test_an_empty_file_alone_is_a_failure_not_a_success(es, clean_prefix, tmp_path):  # type: ignore[no-untyped-def]
    (tmp_path / "empty.jsonl").write_text("")
    result, summary, dead = run_index(clean_prefix, tmp_path, tmp_path / "empty.jsonl")
    assert result.exit_code == 1, result.output
    assert summary["failed"] == 1 and "holds no records" in dead[0]["reason"]


def test_a_long_id_is_a_dead_letter_in_every_run(es, clean_prefix, tmp_path):  # type: ignore[no-untyped-def]
    long_id = "k" * 40_000
    (tmp_path / "ids.jsonl").write_text(line({"id": "short", "text": GOOD})
                                        + line({"id": long_id, "text": GOOD}))
    for attempt in ("first.json", "second.json"):  # the second run resumes the collection
        result, summary, dead = run_index(clean_prefix, tmp_path, tmp_path / "ids.jsonl",
                                          report=attempt)
        assert result.exit_code == 1, result.output
        assert summary["failed"] == 1
        assert f"over the limit of {checks.MAX_ID_BYTES}" in reasons(dead)["ids.jsonl:2"]
    assert summary["unchanged"] == 1
    assert set(indexed(es, clean_prefix)) == {"short"}


def test_implausible_dates_are_indexed_without_a_date(es, clean_prefix, tmp_path):  # type: ignore[no-untyped-def]
    (tmp_path / "dates.jsonl").write_text(
        line({"id": "first", "text": GOOD, "date": "0001-01-01"})
        + line({"id": "last", "text": GOOD, "date": "9999-12-31"})
        + line({"id": "real", "text": GOOD, "date": "2020-02-27"}))
    result, summary, dead = run_index(clean_prefix, tmp_path, tmp_path / "dates.jsonl")
    assert result.exit_code == 0, result.output  # notices, not failures
    assert summary["failed"] == 0 and summary["documents"] == 3
    why = reasons(dead)
    assert "outside 1800..2100" in why["dates.jsonl:1"] and "outside" in why["dates.jsonl:2"]
    docs = indexed(es, clean_prefix)
    assert "date" not in docs["first"] and "date" not in docs["last"]
    assert docs["first"]["metadata"]["date_original"] == "0001-01-01"
    assert docs["real"]["date"] == "2020-02-27"


def test_an_error_in_a_stage_costs_its_record(es, clean_prefix, tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    real_prepare, real_actions = pipeline.prepare, actions.index_actions

    def prepare(doc, *args, **kwargs):  # type: ignore[no-untyped-def]
        if doc.doc_id == "split-bug":
            raise TypeError("a bug in splitting")
        return real_prepare(doc, *args, **kwargs)

    def index_actions(index, doc, *args, **kwargs):  # type: ignore[no-untyped-def]
        if doc.doc_id == "encode-bug":
            raise UnicodeEncodeError("utf-8", "x", 0, 1, "a bug in building actions")
        return real_actions(index, doc, *args, **kwargs)

    monkeypatch.setattr(pipeline, "prepare", prepare)
    monkeypatch.setattr(actions, "index_actions", index_actions)
    (tmp_path / "x.jsonl").write_text("".join(line({"id": i, "text": GOOD}) for i in (
        "a", "split-bug", "b", "encode-bug", "c")))
    result, summary, dead = run_index(clean_prefix, tmp_path, tmp_path / "x.jsonl")
    assert result.exit_code == 1, result.output
    why = reasons(dead)
    assert "TypeError: a bug in splitting" in why["x.jsonl:2"]
    assert "UnicodeEncodeError" in why["x.jsonl:4"]
    assert summary["failed"] == 2 and summary["documents"] == 3
    assert set(indexed(es, clean_prefix)) == {"a", "b", "c"}


def test_an_unexpected_stage_failure_stops_the_run_cleanly(es, clean_prefix, tmp_path,  # type: ignore[no-untyped-def]
                                                           monkeypatch):
    real = Tracker.acknowledge
    seen: list[int] = []

    def acknowledge(self, ok, item):  # type: ignore[no-untyped-def]
        seen.append(1)
        if len(seen) > 1:
            raise RuntimeError("the tracker broke")
        real(self, ok, item)

    monkeypatch.setattr(Tracker, "acknowledge", acknowledge)
    (tmp_path / "x.jsonl").write_text("".join(line({"id": f"d{i}", "text": GOOD})
                                              for i in range(3)))
    result, summary, _ = run_index(clean_prefix, tmp_path, tmp_path / "x.jsonl")
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert "the tracker broke" in summary["aborted"]
    assert summary["documents"] == 1
    assert "Everything acknowledged so far is indexed" in result.output


def test_delete_validates_the_name_before_asking(es, clean_prefix, tmp_path):  # type: ignore[no-untyped-def]
    (tmp_path / "k.jsonl").write_text(line({"id": "k", "text": GOOD}))
    run_index(clean_prefix, tmp_path, tmp_path / "k.jsonl", collection="keep")
    result = CliRunner().invoke(cli, ["delete", "*"], obj=clean_prefix, input="y\n")
    assert result.exit_code == 2, result.output  # a usage error, as for `index --collection '*'`
    assert "not valid" in result.output and "Delete the collection" not in result.output
    assert isinstance(result.exception, SystemExit)
    assert set(indexed(es, clean_prefix, "keep")) == {"k"}
