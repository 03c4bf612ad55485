"""The search page in headless Chromium against a live server over real indexed data."""

from __future__ import annotations

import json
import os
import shutil
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from indexer.cli import cli
from indexer.settings import Settings, load_settings
from tests.conftest import require

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
OUTPUT = REPO / "test-output"
HOSTILE = {
    "id": "hostile-1", "title": "<script>window.__xss = 1</script>Quay report",
    "text": "The quay <script>window.__xss = 2</script> reopened. <img src=x onerror=\"window.__xss=3\"> "
            "Officials said </mark><script>window.__xss = 4</script> the cranes work. "
            "<a href=\"javascript:window.__xss=5\">link</a> \"Alert,\" said <b onmouseover=alert(6)>Ana</b>.",
    "url": "javascript:window.__xss=7", "source": "<svg onload=alert(8)>",
}
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]


@pytest.fixture(scope="module")
def live_server(es, embedder, data_dir: Path, tmp_path_factory) -> Iterator[str]:  # type: ignore[no-untyped-def]
    from werkzeug.serving import make_server

    from webapp.app import create_app

    env = dict(os.environ, VERBATIM_INDEX_PREFIX=f"vt-web-{uuid.uuid4().hex[:8]}")
    settings: Settings = load_settings(env)
    folder = tmp_path_factory.mktemp("web")
    (folder / "transcripts").mkdir()
    shutil.copy(data_dir / "unsc_2020_syria" / "transcripts" / "S_PV.8734.txt",
                folder / "transcripts")
    shutil.copy(data_dir / "unsc_2020_syria" / "meetings.csv", folder)
    shutil.copy(data_dir / "seed" / "upi_2020-02-27_saraqib.txt", folder)
    (folder / "hostile.jsonl").write_text(json.dumps(HOSTILE) + "\n")
    result = CliRunner().invoke(cli, ["index", str(folder), str(REPO / "samples"),
                                      "--collection", "web", "--no-progress"], obj=settings,
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    app = create_app(settings, embedder=embedder)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    names = list(es.indices.get(index=f"{settings.index_prefix}*").body)
    if names:
        es.indices.delete(index=",".join(names))


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    require(Path(CHROMIUM).exists(), f"{CHROMIUM} not found (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("dialog", lambda d: (problems.append(f"dialog: {d.message}"), d.dismiss()))
    page.problems = problems
    yield page
    context.close()
    assert problems == [], problems


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
