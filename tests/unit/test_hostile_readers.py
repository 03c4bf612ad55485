"""Readers against hostile input (issue 11, items 1-5 and the date range of 7): every bad
record is one RecordError with its file and line, and the good records around it are read."""

from __future__ import annotations

import io
import json
import os
import tempfile
from pathlib import Path
from typing import Any

import pytest

from indexer.documents import Document, RecordError, Skipped
from indexer.sources import checks
from indexer.sources.files import ReadOptions, read_inputs
from indexer.sources.records import read_jsonl_stream


def items(*specs: str | Path) -> list[Document | RecordError | Skipped]:
    return list(read_inputs([str(s) for s in specs], ReadOptions()))


def by_origin(found: list[Any]) -> dict[str, Any]:
    return {Path(i.origin).name: i for i in found}


def test_a_lone_surrogate_or_deep_nesting_costs_one_record(tmp_path: Path) -> None:
    (tmp_path / "s.jsonl").write_text(
        '{"id":"a","text":"Good."}\n{"id":"s","text":"Lone \\ud800 surrogate."}\n'
        '{"id":"\\udcff","text":"Bad id."}\n'
        + '{"id":"d","text":"x","m":' + "[" * 100_000 + "]" * 100_000 + "}\n"
        + '{"id":"m","text":"x","m":' + "[" * 40 + "]" * 40 + "}\n"
        '{"id":"b","text":"Good too."}\n')
    found = by_origin(items(tmp_path))
    assert found["s.jsonl:1"].doc_id == "a" and found["s.jsonl:6"].doc_id == "b"
    assert "lone surrogate (U+D800)" in found["s.jsonl:2"].reason
    assert "lone surrogate (U+DCFF)" in found["s.jsonl:3"].reason
    assert "nested too deeply" in found["s.jsonl:4"].reason
    assert f"deeper than {checks.MAX_DEPTH}" in found["s.jsonl:5"].reason


def test_a_file_name_that_is_not_utf8_is_read_and_shown_escaped(tmp_path: Path) -> None:
    name = os.fsdecode(b"caf\xe9.jsonl")
    (tmp_path / name).write_text('{"text":"Named in Latin-1."}\n')
    (doc,) = items(tmp_path)
    assert isinstance(doc, Document)
    assert doc.origin.endswith("caf\\xe9.jsonl:1") and doc.doc_id == "caf\\xe9-1"
    doc.origin.encode("utf-8")  # valid UTF-8 from here on


@pytest.mark.parametrize("name", ["b.csv", "b.jsonl", "b.json"])
def test_a_byte_order_mark_is_not_data(tmp_path: Path, name: str) -> None:
    body = {"b.csv": "id,text\nc1,First row.\nc2,Second row.\n",
            "b.jsonl": '{"id":"c1","text":"First row."}\n{"id":"c2","text":"Second row."}\n',
            "b.json": '[{"id":"c1","text":"First row."},{"id":"c2","text":"Second row."}]'}[name]
    (tmp_path / name).write_text(body, encoding="utf-8-sig")
    found = items(tmp_path / name)
    assert [d.doc_id for d in found if isinstance(d, Document)] == ["c1", "c2"], found


def test_a_byte_order_mark_on_stdin_is_not_data() -> None:
    found = list(read_jsonl_stream(io.StringIO('\ufeff{"id":"c1","text":"Piped."}\n'), "<stdin>"))
    assert [d.doc_id for d in found if isinstance(d, Document)] == ["c1"]


def test_values_that_are_not_values(tmp_path: Path) -> None:
    lines = [{"id": "p", "text": "Placeholders.", "speaker": "nan", "author": "None",
              "source": "null", "title": "NULL"}]
    raw = [json.dumps(r) for r in lines] + [
        '{"id": NaN, "text": "x"}', '{"id": "q", "text": "x", "speaker": Infinity}',
        '{"id": ["a", "b"], "text": "x"}', '{"id": true, "text": "x"}', '{"id": 7, "text": "x"}',
        '{"id": "nan", "text": "No id."}', '{"id": 1e999, "text": "x", "speaker": -1e999}']
    (tmp_path / "v.jsonl").write_text("\n".join(raw) + "\n")
    found = by_origin(items(tmp_path))
    placeholder = found["v.jsonl:1"]
    assert placeholder.doc_type == "article" and placeholder.speaker is None
    assert placeholder.author is None and placeholder.source is None and placeholder.title is None
    # NaN and Infinity (pandas' missing values) are no value: no id, no speaker.
    assert found["v.jsonl:2"].doc_id == "v-2"
    assert found["v.jsonl:3"].doc_id == "q" and found["v.jsonl:3"].speaker is None
    assert found["v.jsonl:3"].doc_type == "article"
    assert "string or an integer, not list" in found["v.jsonl:4"].reason
    assert "string or an integer, not bool" in found["v.jsonl:5"].reason
    assert found["v.jsonl:6"].doc_id == "7"
    assert found["v.jsonl:7"].doc_id == "v-7"  # "nan" is no id: the file and line name it
    # A number past a float's range is no value, as Infinity is.
    assert found["v.jsonl:8"].doc_id == "v-8" and found["v.jsonl:8"].speaker is None


def test_an_id_is_bounded_at_reading(tmp_path: Path) -> None:
    ok, long = "x" * checks.MAX_ID_BYTES, "é" * (checks.MAX_ID_BYTES // 2 + 1)
    (tmp_path / "i.jsonl").write_text(
        json.dumps({"id": ok, "text": "x"}) + "\n" + json.dumps({"id": long, "text": "x"}) + "\n"
        + json.dumps({"id": "y" * 40_000, "text": "x"}) + "\n")
    found = by_origin(items(tmp_path))
    assert found["i.jsonl:1"].doc_id == ok
    assert f"over the limit of {checks.MAX_ID_BYTES}" in found["i.jsonl:2"].reason
    assert "40,000 bytes" in found["i.jsonl:3"].reason


def test_an_id_that_is_a_dot_segment_is_a_dead_letter(tmp_path: Path) -> None:
    dots = [".", "..", "%2e", "%2E%2e", ".%2e", "%2e."]
    kept = ["...", ".x", "a/..", "%252e", "2.5"]
    (tmp_path / "d.jsonl").write_text("".join(
        json.dumps({"id": i, "text": "Some text."}) + "\n" for i in dots + kept))
    found = by_origin(items(tmp_path))
    for line, doc_id in enumerate(dots, 1):
        error = found[f"d.jsonl:{line}"]
        assert isinstance(error, RecordError), doc_id
        assert "is a URL dot segment" in error.reason and repr(doc_id) in error.reason
    assert [found[f"d.jsonl:{n}"].doc_id for n in range(len(dots) + 1, len(dots) + 6)] == kept
    # A CSV's id column is read the same way.
    (tmp_path / "d.jsonl").unlink()
    (tmp_path / "c.csv").write_text("id,text\n..,Some text.\nok,Other text.\n")
    found = by_origin(items(tmp_path))
    assert "dot segment" in found["c.csv:2"].reason and found["c.csv:3"].doc_id == "ok"


def test_implausible_dates_are_dropped_and_noted(tmp_path: Path) -> None:
    (tmp_path / "d.jsonl").write_text(
        '{"id":"a","text":"x","date":"0001-01-01"}\n{"id":"b","text":"x","date":"9999-12-31"}\n'
        '{"id":"c","text":"x","date":"2020-02-27"}\n{"id":"e","text":"x","date":"1800-01-01"}\n')
    found = {d.doc_id: d for d in items(tmp_path) if isinstance(d, Document)}
    for doc_id, original in (("a", "0001-01-01"), ("b", "9999-12-31")):
        assert found[doc_id].date is None
        assert found[doc_id].metadata["date_original"] == original
        assert "outside 1800..2100" in found[doc_id].notices[0]
    assert found["c"].date == "2020-02-27" and not found["c"].notices
    assert found["e"].date == "1800-01-01"
    assert checks.plausible_date("2100-12-31") and not checks.plausible_date("2101-01-01")


def test_empty_files_links_and_loops_are_reported(tmp_path: Path) -> None:
    (tmp_path / "empty.jsonl").write_text("")
    (tmp_path / "blank.csv").write_text("id,text\n")
    (tmp_path / "none.json").write_text("[]")
    (tmp_path / "self").symlink_to("self")
    (tmp_path / "dangling.jsonl").symlink_to("nowhere.jsonl")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "up").symlink_to("..")
    found = by_origin(items(tmp_path, tmp_path / "self"))
    assert all(isinstance(i, RecordError) for i in found.values()), found
    for name in ("empty.jsonl", "blank.csv", "none.json"):
        assert "holds no records" in found[name].reason
    assert "symbolic link loop" in found["self"].reason
    assert "broken symbolic link" in found["dangling.jsonl"].reason
    assert "symbolic link loop" in found["up"].reason


def _read_as_nobody(specs: list[str]) -> list[list[str]]:
    """``read_inputs`` in a forked child that dropped root's rights, so that a folder with
    mode 000 is unreadable even when the tests run as root (root reads it regardless)."""
    reader, writer = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        try:
            os.close(reader)
            if os.geteuid() == 0:
                os.setegid(65534)
                os.seteuid(65534)
            found = [[type(i).__name__, i.origin, getattr(i, "reason", "")]
                     for i in read_inputs(specs, ReadOptions())]
            os.write(writer, json.dumps(found).encode())
        finally:
            os._exit(0)
    os.close(writer)
    with os.fdopen(reader, "rb") as pipe:
        data = pipe.read()
    os.waitpid(pid, 0)
    return list(json.loads(data))


def test_an_unreadable_folder_or_file_is_reported() -> None:
    # Under /tmp, world-traversable, so that the unprivileged child reaches the folder.
    root = Path(tempfile.mkdtemp(prefix="verbatim-unreadable-"))
    try:
        root.chmod(0o755)
        (root / "ok.jsonl").write_text('{"id":"ok","text":"Readable."}\n')
        (root / "locked").mkdir()
        (root / "locked" / "inner.jsonl").write_text('{"id":"in","text":"Hidden."}\n')
        (root / "secret.jsonl").write_text('{"id":"sec","text":"Secret."}\n')
        (root / "secret.jsonl").chmod(0)
        (root / "locked").chmod(0)
        found = {Path(o).name: (kind, reason) for kind, o, reason in _read_as_nobody(
            [str(root), str(root / "locked" / "inner.jsonl"), str(root / "ok.jsonl")])}
        if os.access(root / "locked", os.R_OK) and os.geteuid() != 0:
            pytest.skip("this user reads a folder of mode 000")
        assert found["ok.jsonl:1"][0] == "Document"
        assert found["inner.jsonl"] == ("RecordError", "cannot read: Permission denied")
        assert found["locked"] == ("RecordError", "cannot read the folder: Permission denied")
        assert found["secret.jsonl"][0] == "RecordError"
        assert "Permission denied" in found["secret.jsonl"][1]
    finally:
        (root / "locked").chmod(0o755)
        for path in sorted(root.rglob("*"), reverse=True):
            path.unlink() if not path.is_dir() else path.rmdir()
        root.rmdir()


def test_a_number_too_long_to_read_is_a_dead_letter_not_a_crash(tmp_path: Path) -> None:
    (tmp_path / "n.jsonl").write_text('{"id": ' + "9" * 5000 + ', "text": "x"}\n'
                                      + json.dumps({"id": "ok", "text": "x"}) + "\n")
    (tmp_path / "n.json").write_text('[{"id": ' + "9" * 5000 + ', "text": "x"}]')
    found = by_origin(items(tmp_path))
    assert "broken JSON" in found["n.jsonl:1"].reason and found["n.jsonl:2"].doc_id == "ok"
    assert "broken JSON" in found["n.json"].reason
