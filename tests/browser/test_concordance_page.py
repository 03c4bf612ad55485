"""The concordance page in headless Chromium: lines aligned on the phrase, each opening the
document where it occurs, at a phone's width and a laptop's."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]
OUTPUT = REPO / "test-output"
PHRASE = "cross-border"


def boxes(page: Any, selector: str) -> list[dict[str, float]]:
    found = [page.locator(selector).nth(i).bounding_box()
             for i in range(page.locator(selector).count())]
    assert found and all(b is not None for b in found), selector
    return found


def open_concordance(open_page: Any, live_server: str, width: int) -> Any:
    page = open_page(width=width, height=900)
    page.goto(f"{live_server}/concordance?phrase={PHRASE}&size=20")
    page.wait_for_selector("table.kwic tbody tr")
    return page


@pytest.mark.parametrize("width", [1366, 390])
def test_lines_are_aligned_on_the_phrase(open_page: Any, live_server: str, width: int) -> None:
    page = open_concordance(open_page, live_server, width)
    rows = page.locator("table.kwic tbody tr").count()
    assert rows > 3
    matches = page.locator("table.kwic td.match mark").all_inner_texts()
    assert all(re.fullmatch(r"cross\W+border", m, re.I) for m in matches), matches
    cells = boxes(page, "table.kwic td.match")
    marks = boxes(page, "table.kwic td.match mark")
    lefts = boxes(page, "table.kwic td.left")
    assert max(c["x"] for c in cells) - min(c["x"] for c in cells) < 0.5
    centres = [m["x"] + m["width"] / 2 for m in marks]
    assert max(centres) - min(centres) < 1.5  # every phrase centred on one axis
    assert all(abs(left["x"] + left["width"] - cell["x"]) < 0.5
               for left, cell in zip(lefts, cells, strict=True))
    table = page.locator("table.kwic").bounding_box()
    assert table is not None and table["x"] + table["width"] <= width + 0.5  # no sideways scroll
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    OUTPUT.mkdir(exist_ok=True)
    page.screenshot(path=str(OUTPUT / f"concordance-{width}.png"), full_page=width == 390)
    if width == 1366:
        (REPO / "docs").mkdir(exist_ok=True)
        page.set_viewport_size({"width": 1366, "height": 760})
        page.screenshot(path=str(REPO / "docs" / "concordance.png"))


def test_a_line_opens_the_document_at_the_phrase(open_page: Any, live_server: str) -> None:
    page = open_concordance(open_page, live_server, 1366)
    first = page.locator("table.kwic tbody tr").nth(2)
    left = first.locator("td.left").inner_text().strip()
    first.locator("td.match a").click()
    page.wait_for_selector("article.document")
    query = parse_qs(urlsplit(page.url).query)
    offset = int(query["offset"][0])
    assert page.locator(".passage.hit").count() == 1  # the passage, anchored and marked
    # A passage laid out over several paragraphs is marked in each of its pieces.
    hit = " ".join(page.locator(".passage.hit, .passage-rest.hit").all_inner_texts())
    assert re.search(r"cross\W+border", hit, re.I)
    assert left.split(" ")[-1] in hit or left == ""
    assert urlsplit(page.url).fragment == f"p{query['passage'][0]}"
    doc = page.request.get(f"{page.url.split('/documents/')[0]}/api/documents",
                           params={"id": "S/PV.8734"}).json()
    assert re.match(r"cross\W+border", doc["text"][offset:], re.I)
    # The line's own words are marked in the document, and only they.
    marked = page.locator("article.document mark").all_inner_texts()
    assert len(marked) == 1 and re.fullmatch(r"cross\W+border", marked[0], re.I), marked


def test_the_form_and_export_links(open_page: Any, live_server: str) -> None:
    page = open_page(width=1366, height=900)
    page.goto(f"{live_server}/concordance")
    page.fill("#phrase", "Security Council")
    page.select_option("select[name=order]", "newest")
    page.click(".concordance-form button")
    page.wait_for_selector("table.kwic tbody tr")
    assert "order=newest" in page.url
    summary = page.locator(".concordance .summary").inner_text()
    total = int(re.search(r"([\d,]+) occurrence", summary).group(1).replace(",", ""))  # type: ignore[union-attr]
    href = page.locator("a.export", has_text="CSV").get_attribute("href")
    response = page.request.get(live_server + href)
    assert response.ok and response.headers["content-type"].startswith("text/csv")
    assert len(response.text().strip().splitlines()) == total + 1  # the header line
