"""The search and document pages on a phone (390 px) and a laptop (1366 px) in Chromium:
results before facets, the facets' panel and its button, the document's own paragraphs."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.browser

OUTPUT = Path(__file__).resolve().parents[2] / "test-output"
PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1366, "height": 800}
SEARCH = "/?q=Idlib&mode=keyword"
SEED = "/documents/upi_2020-02-27_saraqib?collection=web"


def _no_sideways_scroll(page: Any) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]


def test_on_a_phone_the_results_come_first(live_server: str,
                                           open_page: Callable[..., Any]) -> None:
    page = open_page(**PHONE)
    page.goto(live_server + SEARCH)
    first = page.locator("ol.hits li.hit").first
    toggle = page.locator("button.facets-toggle")
    facet = page.locator("[data-facet=type] a").first
    box = first.bounding_box()
    assert box is not None and box["y"] < PHONE["height"]  # a result on the first screen
    assert toggle.is_visible() and toggle.get_attribute("aria-expanded") == "false"
    assert toggle.get_attribute("aria-controls") == "facets"
    assert not facet.is_visible()
    _no_sideways_scroll(page)
    OUTPUT.mkdir(exist_ok=True)
    page.screenshot(path=str(OUTPUT / "search-390.png"), full_page=True)

    # The button opens the panel under it, by keyboard as by touch; Escape closes it.
    toggle.focus()
    page.keyboard.press("Enter")
    assert toggle.get_attribute("aria-expanded") == "true"
    assert facet.is_visible()
    panel = page.locator("#facets").bounding_box()
    assert panel is not None and panel["y"] < first.bounding_box()["y"]
    chart = page.locator("svg.histogram").bounding_box()
    assert chart is not None and chart["width"] >= 300 and chart["height"] >= 60  # legible
    page.screenshot(path=str(OUTPUT / "search-390-filters.png"), full_page=True)
    facet.focus()
    page.keyboard.press("Escape")
    assert toggle.get_attribute("aria-expanded") == "false" and not facet.is_visible()
    assert page.evaluate("document.activeElement.className") == "facets-toggle"
    toggle.click()
    page.locator("[data-facet=type] a:has-text('transcript')").click()
    page.wait_for_url("**type=transcript**")
    assert "1 on" in page.locator("button.facets-toggle").inner_text()


def test_on_a_phone_without_javascript_the_facets_follow_the_results(
        browser: Any, live_server: str) -> None:
    context = browser.new_context(java_script_enabled=False, viewport=PHONE)
    page = context.new_page()
    page.goto(live_server + SEARCH)
    first = page.locator("ol.hits li.hit").first.bounding_box()
    facets = page.locator("#facets").bounding_box()
    assert first is not None and facets is not None and first["y"] < facets["y"]
    assert not page.locator("button.facets-toggle").is_visible()  # it would do nothing
    page.locator("[data-facet=collection] a").first.click()
    assert "collection=" in page.url
    context.close()


def test_on_a_laptop_the_facets_stay_beside_the_results(live_server: str,
                                                         open_page: Callable[..., Any]) -> None:
    page = open_page(**LAPTOP)
    page.goto(live_server + SEARCH)
    facets = page.locator("#facets").bounding_box()
    results = page.locator("section.results").bounding_box()
    assert facets is not None and results is not None
    assert facets["x"] + facets["width"] <= results["x"]  # a column to the left
    assert abs(facets["y"] - results["y"]) < 5
    assert page.locator("[data-facet=type] a").first.is_visible()
    assert not page.locator("button.facets-toggle").is_visible()
    OUTPUT.mkdir(exist_ok=True)
    page.screenshot(path=str(OUTPUT / "search-1366.png"), full_page=True)


def test_search_links_to_the_timeline_and_the_concordance(live_server: str,
                                                          open_page: Callable[..., Any]) -> None:
    page = open_page(**LAPTOP)
    page.goto(live_server + "/?q=%22not+being+spared%22&mode=keyword&type=transcript")
    timeline = page.locator(".views a[href^='/timeline?']").get_attribute("href")
    assert timeline is not None and "by=speaker" in timeline and "type=transcript" in timeline
    concordance = page.locator(".views a[href^='/concordance?']").get_attribute("href")
    assert concordance == "/concordance?phrase=not+being+spared&type=transcript"


def test_the_document_keeps_its_own_paragraphs(live_server: str, data_dir: Path,
                                               open_page: Callable[..., Any]) -> None:
    text = (data_dir / "seed" / "upi_2020-02-27_saraqib.txt").read_text(encoding="utf-8")
    paragraphs = [" ".join(p.split()) for p in re.split(r"\n\s*\n", text) if p.strip()]
    page = open_page(**PHONE)
    page.goto(live_server + SEED + "&passage=0")
    shown = [" ".join(t.split()) for t in page.locator("article.document p.para").all_inner_texts()]
    assert shown == paragraphs
    assert shown[1].startswith("Feb. 27 (UPI)")  # no longer run into the standfirst
    boxes = [page.locator("article.document p.para").nth(i).bounding_box() for i in (0, 1)]
    assert boxes[0] is not None and boxes[1] is not None
    assert boxes[0]["y"] + boxes[0]["height"] <= boxes[1]["y"]
    hit = page.locator(".passage.hit")
    assert hit.count() == 1 and hit.get_attribute("id") == "p0"
    assert page.evaluate("document.activeElement.id") == "p0"
    badges = page.locator(".quotes .badge").all_inner_texts()
    assert sorted(b.strip().lower() for b in badges) == ["altered", "verbatim"]
    _no_sideways_scroll(page)
    OUTPUT.mkdir(exist_ok=True)
    page.screenshot(path=str(OUTPUT / "document-390.png"), full_page=True)


def test_a_person_on_a_phone(live_server: str, open_page: Callable[..., Any]) -> None:
    page = open_page(**PHONE)
    page.goto(live_server + "/api/speakers?q=Mueller")
    person = page.evaluate("JSON.parse(document.body.innerText).speakers[0]")
    page.goto(live_server + f"/speakers/{person['id']}")
    bars = page.locator("svg.bars a")
    assert bars.count() >= 1
    assert page.locator(f"a[href='/timeline?speaker={person['id']}&by=type']").count() == 1
    box = page.locator("svg.bars").bounding_box()
    assert box is not None and box["width"] <= PHONE["width"]
    _no_sideways_scroll(page)
    OUTPUT.mkdir(exist_ok=True)
    page.screenshot(path=str(OUTPUT / "speaker-390.png"), full_page=True)
