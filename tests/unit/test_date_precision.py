"""Dates as precise as their sources: a year stays a year from the record to the index."""

from __future__ import annotations

import io
import json

import pytest

from indexer.documents import Document, Passage, date_precision
from indexer.ingest.actions import passage_source
from indexer.sources.articles import normalise_partial_date
from indexer.sources.records import read_jsonl_stream

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(("date", "precision"), [
    ("2019", "year"), ("2019-10", "month"), ("2019-10-03", "day"),
    ("2019-10-03T12:00:00Z", "day"), ("", None), (None, None)])
def test_a_dates_precision_is_how_much_of_it_is_written(date: str | None,
                                                        precision: str | None) -> None:
    assert date_precision(date) == precision


@pytest.mark.parametrize(("value", "expected"), [
    ("2019", "2019"), (2019, "2019"), ("2019-10", "2019-10"), ("2019/3", "2019-03"),
    ("October 2019", "2019-10"), ("Oct. 2019", "2019-10"), ("27 February 2020", "2020-02-27"),
    ("2019-13", None), ("Smarch 2019", None), ("03/04/2020", None), ("19", None),
    (True, None), (None, None)])
def test_a_record_date_keeps_the_precision_its_source_gave(value: str | int | None,
                                                           expected: str | None) -> None:
    assert normalise_partial_date(value) == expected


def _read(record: dict[str, object]) -> Document:
    (doc,) = read_jsonl_stream(io.StringIO(json.dumps(record)), "in.jsonl", None)
    assert isinstance(doc, Document)
    return doc


def test_a_record_dated_by_its_year_is_indexed_as_that_year_not_as_1_january() -> None:
    doc = _read({"id": "r1", "text": "The year in review.", "date": "2019"})
    assert doc.date == "2019" and "date_original" not in doc.metadata
    source = passage_source(doc, Passage("r1", 0, doc.text, 0, len(doc.text)), collection="c",
                            passages_in_doc=1, indexed_at="2026-01-01", vector=None)
    assert (source["date"], source["date_precision"]) == ("2019", "year")


def test_a_general_debate_speech_is_dated_by_its_year() -> None:
    # As ../shared/data/ungdc_2019_2020/speeches.jsonl gives them: a session and a year.
    doc = _read({"id": "SYR_74_2019", "iso3": "SYR", "country": "Syria", "session": 74,
                 "year": 2019, "speaker": "Walid Al-Moualem", "text": "Mr. President, ..."})
    assert doc.date == "2019" and date_precision(doc.date) == "year"
    month = _read({"id": "m1", "text": "Autumn.", "date": "2019-10"})
    assert (month.date, date_precision(month.date)) == ("2019-10", "month")


def test_a_quote_check_link_carries_the_articles_date_only_when_it_names_a_day() -> None:
    from webapp.people_pages import check_url

    assert check_url("we are back", "Ana Lind", "2020-02-27") == (
        "/check?text=we+are+back&speaker=Ana+Lind&date=2020-02-27")
    # The check takes a day (yyyy-mm-dd): a year-dated article's quote is checked undated.
    assert check_url("we are back", None, "2019") == "/check?text=we+are+back"
    assert check_url("we are back", None, "2019-10") == "/check?text=we+are+back"
