"""The timeline page in headless Chromium, at a phone's width and a laptop's: the chart is
drawn, each bucket is a link, and the search it opens finds as many documents as the bar
counted."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]
OUTPUT = REPO / "test-output"
QUERY = "/timeline?mode=keyword&by=type&interval=month"  # everything, 2020 to 2025


def search_total(page: Any) -> int:
    summary = page.locator("p.summary").first.inner_text()
    found = re.match(r"([\d,]+) documents?", summary)
    assert found, summary
    return int(found.group(1).replace(",", ""))


@pytest.mark.parametrize("width", [390, 1366])
def test_the_chart_is_drawn_and_a_bucket_opens_its_search(
        live_server: str, open_page: Callable[..., Any], width: int) -> None:
    page = open_page(width=width, height=900)
    page.goto(live_server + QUERY)
    chart = page.locator("svg.timeline-chart")
    chart.wait_for()
    box = chart.bounding_box()
    assert box is not None and 0 < box["width"] <= width  # fits the screen, no sideways scroll
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    buckets = page.locator("svg.timeline-chart a.bucket")
    api = page.request.get(live_server + QUERY.replace("/timeline", "/api/timeline")).json()
    assert buckets.count() == sum(len(s["buckets"]) for s in api["series"]) > 0
    bars = page.locator("svg.timeline-chart rect.bar")
    heights = [float(bars.nth(i).get_attribute("height")) for i in range(bars.count())]
    assert max(heights) > 0
    labels = page.locator("svg.timeline-chart .row .label").all_text_contents()
    assert [label.split(" · ")[0] for label in labels] == [s["label"] for s in api["series"]]
    assert page.locator("ul.legend li").count() == len(api["series"])
    first = buckets.first
    assert first.get_attribute("aria-label")
    OUTPUT.mkdir(exist_ok=True)
    page.screenshot(path=str(OUTPUT / f"timeline-{width}.png"), full_page=True)
    if width == 1366:
        (REPO / "docs").mkdir(exist_ok=True)
        page.locator("main").screenshot(path=str(REPO / "docs" / "timeline.png"))

    # The tallest bar: its search finds exactly the documents it counted.
    tallest = max(range(buckets.count()),
                  key=lambda i: int(buckets.nth(i).get_attribute("data-count")))
    bucket = buckets.nth(tallest)
    count = int(bucket.get_attribute("data-count"))
    bucket.click()
    page.wait_for_url(re.compile(r".*/\?.*date_from=.*"))
    page.wait_for_selector("p.summary")
    assert "type=" in page.url and "mode=keyword" in page.url
    assert search_total(page) == count


def test_the_form_redraws_by_another_key(live_server: str, page: Any) -> None:
    page.goto(live_server + QUERY)
    page.select_option("select[name=by]", "speaker")
    page.click("form.timeline-form button[type=submit]")
    page.wait_for_url(re.compile(r".*by=speaker.*"))
    assert page.locator("svg.timeline-chart a.bucket").count() > 0
    assert page.locator("select[name=by]").input_value() == "speaker"
    assert page.locator("details.timeline-table tbody tr").count() >= 1


def test_a_bad_choice_is_an_error_page(live_server: str, page: Any) -> None:
    # Through the page's request context: a 400 document would log a console error.
    response = page.request.get(live_server + "/timeline?by=weather")
    assert response.status == 400
    assert "by must be one of" in response.text()
