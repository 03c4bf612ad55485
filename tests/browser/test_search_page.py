"""The search page in headless Chromium against a live server over real indexed data."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.browser

OUTPUT = Path(__file__).resolve().parents[2] / "test-output"


def test_search_filter_and_open_the_hit(live_server: str, page: Any) -> None:
    page.goto(live_server + "/")
    page.fill("#q", "hospitals schools camps not spared Idlib")
    page.press("#q", "Enter")
    page.wait_for_selector("ol.hits li.hit")
    assert "q=hospitals" in page.url and "mode=hybrid" in page.url
    assert page.locator("ol.hits mark").count() > 0
    quote = page.locator("blockquote.quote", has_text="Hospitals, schools, camps").first
    assert "Ursula Mueller" in quote.locator("footer").inner_text()
    OUTPUT.mkdir(exist_ok=True)
    page.screenshot(path=str(OUTPUT / "search-results.png"), full_page=True)

    # Filter by type through the facet panel; the URL carries the state.
    page.click("[data-facet=type] a:has-text('transcript')")
    page.wait_for_url("**type=transcript**")
    types = page.locator("ol.hits .meta .type").all_inner_texts()
    assert types and {t.strip().lower() for t in types} == {"transcript"}
    page.go_back()
    page.wait_for_url(lambda url: "type=" not in url)

    # Open the transcript and land on the hit passage.
    page.click("[data-facet=type] a:has-text('transcript')")
    page.wait_for_url("**type=transcript**")
    page.click("ol.hits li.hit h3 a >> nth=0")
    page.wait_for_selector("article.document")
    hit = page.locator(".passage.hit")
    assert hit.count() == 1
    assert "not being spared" in hit.inner_text()
    box = hit.bounding_box()
    assert box is not None and box["y"] < 900 and box["y"] + box["height"] > 0  # in view
    page.screenshot(path=str(OUTPUT / "document.png"))


def test_the_page_works_without_javascript(browser: Any, live_server: str) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server + "/?q=Idlib&mode=keyword")
    assert page.locator("ol.hits li.hit").count() > 0
    page.click("[data-facet=collection] a >> nth=0")
    assert "collection=" in page.url
    context.close()


def test_keyboard_slash_focuses_the_search_box(live_server: str, page: Any) -> None:
    page.goto(live_server + "/?q=Idlib")
    page.locator("body").click(position={"x": 5, "y": 300})
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "q"


def test_hostile_documents_are_inert(live_server: str, page: Any) -> None:
    for path in ("/?q=quay+cranes&mode=keyword", "/?q=quay+cranes&mode=semantic",
                 "/documents/hostile-1?passage=0"):
        page.goto(live_server + path)
        page.wait_for_load_state("load")
        assert page.evaluate("window.__xss === undefined"), path
        assert page.locator("script:not([src])").count() == 0, path
        assert page.locator("a[href^='javascript:']").count() == 0, path
        assert page.locator("[onerror], [onload], [onmouseover]").count() == 0, path
    # The text is still there, shown as text.
    assert "<script>window.__xss = 2</script>" in page.locator("article.document").inner_text()


def test_back_to_results_returns_to_the_search(live_server: str, page: Any) -> None:
    """The app sends Referrer-Policy: no-referrer, so the way back is carried in the link."""
    page.goto(live_server + "/?q=Idlib&mode=keyword&type=transcript")
    page.click("ol.hits li.hit h3 a >> nth=0")
    page.wait_for_selector("article.document")
    page.click("a.back")
    page.wait_for_selector("ol.hits li.hit")
    assert "q=Idlib" in page.url and "type=transcript" in page.url and "mode=keyword" in page.url


def test_check_a_quote_shows_the_record_beside_it(live_server: str, page: Any) -> None:
    page.goto(live_server + "/check")
    examples = page.locator(".examples li a")
    assert examples.count() == 4  # the sample article's four quotes of S/PV.9901
    page.click(".examples a:has-text('as important as')")
    page.wait_for_selector(".verdict")
    assert page.locator(".verdict .badge").inner_text().strip().lower() == "altered"
    assert page.locator(".compare blockquote.quote mark.changed").inner_text() == "important"
    assert page.locator(".compare blockquote.record mark.changed").inner_text() == "urgent"
    assert "same" in page.locator(".speaker-check").inner_text()
    OUTPUT.mkdir(exist_ok=True)
    page.screenshot(path=str(OUTPUT / "check-altered.png"), full_page=True)

    page.goto(live_server + "/check")
    page.click(".examples a:has-text('pumps, fuel and boats')")
    page.wait_for_selector(".verdict")
    assert page.locator(".verdict .badge").inner_text().strip().lower() == "verbatim"
    check = page.locator(".speaker-check").inner_text()
    assert "different" in check and "Ekwueme" in check  # whose words they really are

    page.fill("#text", "The moon is made of green cheese and the Council has always known it")
    page.click("form.check button")
    page.wait_for_selector(".verdict")
    assert page.locator(".verdict .badge").inner_text().strip().lower() == "not found"


def test_an_articles_quotes_carry_badges_that_open_the_comparison(live_server: str,
                                                                   page: Any) -> None:
    page.goto(live_server + "/documents/upi_2020-02-27_saraqib?collection=web")
    badges = page.locator(".quotes .badge")
    assert sorted(b.strip().lower() for b in badges.all_inner_texts()) == ["altered", "verbatim"]
    page.click(".quotes .badge:has-text('altered')")
    page.wait_for_selector(".verdict")
    assert "/check?" in page.url
    assert page.locator(".compare blockquote.record mark.changed").inner_text() == "causing"
    # The record's view lists, under her turn, the article that quoted it and how.
    page.goto(live_server + "/documents/S%2FPV.8734?collection=web")
    quoted = page.locator(".quoted-by li")
    assert quoted.count() >= 2
    assert {b.strip().lower() for b in page.locator(".quoted-by .badge").all_inner_texts()} \
        >= {"verbatim", "altered"}
    OUTPUT.mkdir(exist_ok=True)
    page.screenshot(path=str(OUTPUT / "transcript-quoted-by.png"), full_page=True)
