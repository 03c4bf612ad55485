"""One live server over real indexed data and one Chromium for every browser test.

The server indexes one Security Council record (S/PV.8734), the seed article, the samples
and one hostile document into a collection of its own, once per session: each browser
test module then costs its tests, not another indexing run.
"""

from __future__ import annotations

import json
import os
import shutil
import threading
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from indexer.cli import cli
from indexer.settings import Settings, load_settings
from tests.conftest import require

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
HOSTILE = {
    "id": "hostile-1", "title": "<script>window.__xss = 1</script>Quay report",
    "text": "The quay <script>window.__xss = 2</script> reopened. <img src=x onerror=\"window.__xss=3\"> "
            "Officials said </mark><script>window.__xss = 4</script> the cranes work. "
            "<a href=\"javascript:window.__xss=5\">link</a> \"Alert,\" said <b onmouseover=alert(6)>Ana</b>.",
    "url": "javascript:window.__xss=7", "source": "<svg onload=alert(8)>",
}
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture(scope="session")
def live_settings(es, base_settings: Settings) -> Settings:  # type: ignore[no-untyped-def]
    env = dict(os.environ, VERBATIM_INDEX_PREFIX=f"vt-web-{uuid.uuid4().hex[:8]}")
    return load_settings(env)


@pytest.fixture(scope="session")
def live_server(es, embedder, data_dir: Path, live_settings: Settings,  # type: ignore[no-untyped-def]
                tmp_path_factory) -> Iterator[str]:
    from werkzeug.serving import make_server

    from webapp.app import create_app

    settings = live_settings
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


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    require(Path(CHROMIUM).exists(), f"{CHROMIUM} not found (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def open_page(browser: Any) -> Iterator[Callable[..., Any]]:
    """``open_page(width=390, height=844)``: a fresh page of that size whose console errors,
    page errors and dialogs fail the test at teardown (``page.problems`` lists them)."""
    contexts: list[Any] = []
    pages: list[Any] = []

    def make(width: int = DESKTOP["width"], height: int = DESKTOP["height"]) -> Any:
        context = browser.new_context(viewport={"width": width, "height": height})
        contexts.append(context)
        page = context.new_page()
        problems: list[str] = []
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: problems.append(str(e)))
        page.on("dialog", lambda d: (problems.append(f"dialog: {d.message}"), d.dismiss()))
        page.problems = problems
        pages.append(page)
        return page

    yield make
    for context in contexts:
        context.close()
    for page in pages:
        assert page.problems == [], page.problems


@pytest.fixture
def page(open_page: Callable[..., Any]) -> Any:
    """A desktop-sized page (1280×900)."""
    return open_page()
