"""Record layouts of JSON, JSON Lines and CSV files: each recognised by its own fields."""

from __future__ import annotations

import io

import pytest

from indexer.documents import Document, RecordError
from indexer.sources.records import read_csv_stream, read_json_stream, read_jsonl_stream

pytestmark = pytest.mark.unit


def one(line: str, doc_type: str | None = None) -> Document | RecordError:
    (item,) = read_jsonl_stream(io.StringIO(line), "in.jsonl", doc_type)
    assert isinstance(item, Document | RecordError)
    return item


def type_of(line: str, doc_type: str | None = None) -> str:
    doc = one(line, doc_type)
    assert isinstance(doc, Document)
    return doc.doc_type


def test_our_own_layout_fills_the_document_and_keeps_other_fields_as_metadata() -> None:
    doc = one('{"id": "a1", "title": "Convoy", "body": "The convoy left.", "date": "2020-02-27",'
              ' "source": "UPI", "url": "https://x", "author": "L. Haddad", "desk": "Middle East"}')
    assert isinstance(doc, Document)
    assert (doc.doc_id, doc.doc_type, doc.title, doc.date, doc.source, doc.author) == (
        "a1", "article", "Convoy", "2020-02-27", "UPI", "L. Haddad")
    assert doc.metadata == {"desk": "Middle East"} and doc.origin == "in.jsonl:1"


def test_the_type_comes_from_the_record_then_the_option_then_the_speaker() -> None:
    assert type_of('{"text": "x", "type": "Transcript"}') == "transcript"
    assert type_of('{"text": "x"}', doc_type="speech") == "speech"
    assert type_of('{"text": "x", "speaker": "Haddad"}') == "speech"
    assert type_of('{"text": "x"}') == "article"
    error = one('{"text": "x", "type": "memo"}')
    assert isinstance(error, RecordError) and "memo" in error.reason


def test_a_date_that_is_not_a_clear_day_is_kept_not_guessed() -> None:
    doc = one('{"text": "x", "date": "03/04/2020"}')
    assert isinstance(doc, Document)
    assert doc.date is None and doc.metadata["date_original"] == "03/04/2020"


def test_a_record_without_text_or_not_an_object_is_an_error() -> None:
    error = one('{"id": 1, "title": "no text"}')
    assert isinstance(error, RecordError) and "no text" in error.reason
    error = one('["a", "list"]')
    assert isinstance(error, RecordError) and "JSON object" in error.reason


def test_a_un_speech_record_gives_speaker_symbol_and_where_the_statement_starts() -> None:
    text = "Ms. Mueller: I thank you, Mr. President."
    doc = one('{"id": "s2", "meeting_id": 8734, "speech_no": 2, "symbol": "S/PV.8734",'
              f' "speaker": "Ms. Mueller", "date": "2020-02-27", "text": "{text}"}}')
    assert isinstance(doc, Document) and doc.doc_type == "speech"
    assert doc.speaker is not None and doc.speaker.display == "Ms. Mueller"
    assert doc.title == "S/PV.8734 — Ms. Mueller"
    assert doc.metadata["statement_offset"] == text.index("I thank")


def test_a_json_file_holds_a_list_of_records_or_one() -> None:
    items = list(read_json_stream(io.StringIO('[{"text": "a"}, {"text": "b"}]'), "f.json"))
    assert [i.origin for i in items] == ["f.json[1]", "f.json[2]"]
    assert [i.doc_id for i in items if isinstance(i, Document)] == ["f-1", "f-2"]
    (item,) = read_json_stream(io.StringIO('{"text": "a"}'), "f.json")
    assert isinstance(item, Document)
    (error,) = read_json_stream(io.StringIO('{"text": '), "f.json")
    assert isinstance(error, RecordError) and "broken JSON" in error.reason


def test_a_fakes_csv_row_reads_as_an_article() -> None:
    data = ('unit_id,article_title,article_content,source,date\n'
            '7,Strike on Atareb,"The market was hit, they said.",Reuters,2016-05-02\n')
    (doc,) = read_csv_stream(io.StringIO(data, newline=""), "fakes.csv")
    assert isinstance(doc, Document)
    assert (doc.doc_id, doc.title, doc.text, doc.source, doc.date) == (
        "fakes-2", "Strike on Atareb", "The market was hit, they said.", "Reuters", "2016-05-02")
