"""News articles: wire layout and datelines, HTML pages through trafilatura, dates."""

from __future__ import annotations

from pathlib import Path

import pytest

from indexer.documents import RecordError
from indexer.sources.articles import (
    date_from_filename,
    normalise_date,
    parse_html_article,
    parse_wire_article,
)
from tests.conftest import shared_data

pytestmark = pytest.mark.unit

SAMPLES = Path(__file__).resolve().parents[2] / "samples"



WIRE = (
    "The river port of Asren reopens after the floods.\n"
    "\n"
    "ASREN, Sept. 9 (VNS) -- The port reopened on Monday, officials said.\n"
    "\n"
    '"The berths are repaired," said Ilse Marvik.\n'
)


@pytest.mark.data
def test_the_seed_article_dateline_gives_upi_and_the_year_from_the_file_name() -> None:
    path = shared_data() / "seed" / "upi_2020-02-27_saraqib.txt"
    text = path.read_text(encoding="utf-8")
    doc = parse_wire_article(text, doc_id=path.stem, date_hint=date_from_filename(path.name),
                             origin=str(path))
    assert doc.doc_type == "article"
    assert doc.source == "UPI"
    assert doc.date == "2020-02-27"
    assert doc.metadata["dateline"] == "Feb. 27 (UPI) --"
    assert doc.text == text  # the dateline stays in, so offsets index the file
    assert doc.title is not None and doc.title.startswith("Turkish-backed Syrian rebels")
    assert "Hospitals, schools, camps and other sites" in doc.text


def test_a_wire_dateline_with_a_place_and_an_explicit_year() -> None:
    doc = parse_wire_article(WIRE, doc_id="port", year=2024, date_hint="2019-01-01")
    assert doc.date == "2024-09-09"  # the year argument wins over the hint
    assert doc.source == "VNS"
    assert doc.title == "The river port of Asren reopens after the floods."
    assert doc.metadata["dateline"] == "ASREN, Sept. 9 (VNS) --"
    assert doc.metadata["dateline_place"] == "ASREN"
    assert doc.text == WIRE


def test_without_any_year_the_month_and_day_are_kept_and_the_date_is_unknown() -> None:
    doc = parse_wire_article(WIRE, doc_id="port")
    assert doc.date is None
    assert (doc.metadata["dateline_month"], doc.metadata["dateline_day"]) == (9, 9)


def test_the_hint_year_that_puts_the_dateline_nearest_the_hint_is_chosen() -> None:
    text = "Dec. 31 (VNS) - The last ferry of the year left the port of Asren.\n"
    doc = parse_wire_article(text, doc_id="ferry", date_hint="2025-01-01")
    assert doc.date == "2024-12-31"
    assert doc.title is None  # no standfirst before the dateline


@pytest.mark.parametrize(
    ("dateline", "source", "date"),
    [
        ("Feb. 27 (VNS) -- ", "VNS", "2024-02-27"),
        ("March 3 (Reuters) - ", "Reuters", "2024-03-03"),
        ("June 30 (AP) \u2014 ", "AP", "2024-06-30"),
        ("WASHINGTON, Aug. 1 (VNS) -- ", "VNS", "2024-08-01"),
        ("UNITED NATIONS, Nov. 12 (VNS) -- ", "VNS", "2024-11-12"),
    ],
)
def test_dateline_forms(dateline: str, source: str, date: str) -> None:
    doc = parse_wire_article(f"{dateline}The port reopened.\n", doc_id="x", year=2024)
    assert (doc.source, doc.date) == (source, date)


def test_a_text_without_a_dateline_takes_its_date_from_the_hint() -> None:
    doc = parse_wire_article("Port reopens\n\nThe port reopened on Monday.\n", doc_id="x",
                             date_hint="2024-09-09")
    assert (doc.date, doc.source, doc.title) == ("2024-09-09", None, "Port reopens")
    assert "dateline" not in doc.metadata


def test_an_empty_article_is_refused() -> None:
    with pytest.raises(RecordError, match="empty"):
        parse_wire_article(" \n\n", doc_id="x", origin="empty.txt")


@pytest.mark.parametrize(
    ("name", "date"),
    [
        ("upi_2020-02-27_saraqib.txt", "2020-02-27"),
        ("20200227.txt", "2020-02-27"),
        ("wire_20240312_port.txt", "2024-03-12"),
        ("wire_2024_03_12.txt", "2024-03-12"),
        ("wire_2024-02-30_port.txt", None),
        ("S_PV.8734.txt", None),
        ("notes.txt", None),
    ],
)
def test_date_from_filename(name: str, date: str | None) -> None:
    assert date_from_filename(name) == date


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2020-02-27", "2020-02-27"),
        ("2020-02-27T15:30:00+02:00", "2020-02-27"),  # the date as written, zone not applied
        ("2020-02-27 15:30", "2020-02-27"),
        ("27 February 2020", "2020-02-27"),
        ("Thursday, 27 February 2020, 3 p.m.", "2020-02-27"),
        ("Thu, 27 Feb 2020 15:30:00 +0000", "2020-02-27"),
        ("Feb 27, 2020", "2020-02-27"),
        ("Feb. 27, 2020", "2020-02-27"),
        ("February 27th, 2020", "2020-02-27"),
        ("Sept. 9, 2024", "2024-09-09"),
        ("20200227", "2020-02-27"),
        (20200227, "2020-02-27"),
        ("2020", None),  # which day of 2020? never guessed
        (2020, None),
        ("2020-02", None),
        ("03/04/2020", None),  # 3 April or 4 March? never guessed
        ("2020-02-30", None),
        ("yesterday", None),
        ("", None),
        (None, None),
    ],
)
def test_normalise_date(value: str | int | None, expected: str | None) -> None:
    assert normalise_date(value) == expected


def test_every_sample_article_has_its_agency_and_the_date_of_its_file_name() -> None:
    paths = sorted((SAMPLES / "articles").glob("wire_*.txt"))
    assert len(paths) == 4
    for path in paths:
        doc = parse_wire_article(path.read_text(encoding="utf-8"), doc_id=path.stem,
                                 date_hint=date_from_filename(path.name))
        assert doc.source == "VNS", path.name
        assert doc.date == date_from_filename(path.name), path.name
        assert doc.title, path.name


PAGE = """<!DOCTYPE html>
<html><head>
<title>Asren port reopens | Example Gazette</title>
<meta name="author" content="Ilse Marvik">
<meta property="og:site_name" content="Example Gazette">
<meta property="article:published_time" content="2024-03-12T09:00:00Z">
<script>var tracker = "HEADSCRIPTLEAK";</script>
<style>.x { color: red }</style>
</head><body>
<nav><a href="/">Home</a></nav>
<article>
<h1>Asren port reopens</h1>
<p>The river port of Asren reopened on Tuesday after three weeks under water.</p>
<script>document.write("BODYSCRIPTLEAK");</script>
<p>Two berths are working again and relief cargo is moving up the river to the basin.</p>
<p>"The quays are clear," the port director said, adding that more berths would follow.</p>
</article>
</body></html>
"""


def test_html_main_text_and_metadata_come_from_trafilatura_without_scripts() -> None:
    doc = parse_html_article(PAGE, doc_id="port", url="https://example.org/port",
                             origin="port.html")
    assert doc.doc_type == "article"
    assert "reopened on Tuesday after three weeks under water" in doc.text
    assert "relief cargo is moving up the river" in doc.text
    for leak in ("SCRIPTLEAK", "document.write", "tracker", "color: red"):
        assert leak not in doc.text
    assert doc.title == "Asren port reopens"
    assert doc.source == "Example Gazette"
    assert doc.author == "Ilse Marvik"
    assert doc.date == "2024-03-12"
    assert doc.url == "https://example.org/port"


def test_an_html_page_that_is_all_scripts_is_refused_with_a_reason() -> None:
    page = ("<html><head><script>var a = 1;</script></head>"
            "<body><script>document.write('hello');</script><noscript></noscript></body></html>")
    with pytest.raises(RecordError) as caught:
        parse_html_article(page, doc_id="scripts", origin="scripts.html")
    assert caught.value.origin == "scripts.html"
    assert "no article text" in caught.value.reason
