"""Serving and export against the real node and model: CSV cells that a spreadsheet would
run, links that stay in /documents/, quotes counted as quotes, gunicorn's threaded workers
under slow readers, logging, and what `verbatim serve` sends."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import re
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from click.testing import CliRunner
from flask.testing import FlaskClient

from indexer.cli import cli
from indexer.model.embedder import Embedder
from indexer.settings import Settings, load_settings
from webapp.app import create_app

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
FORMULAS = ["=HYPERLINK(\"http://evil.example\",\"x\")", "+1+cmd|' /C calc'!A0", "-2+3",
            "@SUM(1,2)", "\tTabbed", "\rReturn"]
ZEBRA_QUOTES = 15
ZEBRA_TEXT = " ".join(f'"Zebra crossing number {n} is closed," said Ana Lind.'
                      for n in range(1, ZEBRA_QUOTES + 1))
RECORDS = [
    {"id": "=cmd", "title": FORMULAS[0], "text": "Quokka harbour report. The quokka ferry is late.",
     "source": FORMULAS[1], "speaker": None, "url": "https://example.org/q"},
    {"id": "+formula", "title": FORMULAS[2], "text": "@quokka " + "Quokka cranes were fixed.",
     "source": FORMULAS[3]},
    {"id": "tabbed", "title": FORMULAS[4], "text": "Quokka night shift.", "source": FORMULAS[5]},
    {"id": "../../api/health", "title": "Traversal quokka",
     "text": "The quokka traversal document."},
    {"id": "q?x=1#frag", "title": "Query quokka", "text": "The quokka query document."},
    {"id": "zebra", "title": "Zebra crossings", "text": ZEBRA_TEXT, "source": "Test Wire"},
]


BULK_RECORDS = 150  # an export of them (~400 kB) outgrows a small-segment socket's buffers


def bulk_records() -> list[dict[str, str]]:
    """Documents for a long export: a client that does not read it blocks its writer."""
    words = ("harbour", "ferry", "crane", "quay", "river", "lock", "barge", "tide", "pier")
    out = []
    for n in range(BULK_RECORDS):
        sentences = [f"Bulkfill report {n} line {k}: the {words[(n + k) % 9]} crew logged "
                     f"{words[(n * k) % 9]} work at berth {k * n % 97} before the evening shift."
                     for k in range(20)]
        out.append({"id": f"bulk-{n}", "title": f"Bulk {n}", "text": " ".join(sentences)})
    return out


@pytest.fixture(scope="module")
def served(es, embedder, tmp_path_factory) -> Iterator[Settings]:  # type: ignore[no-untyped-def]
    env = dict(os.environ, VERBATIM_INDEX_PREFIX=f"vt-serve-{uuid.uuid4().hex[:8]}")
    settings = load_settings(env)
    folder = tmp_path_factory.mktemp("serving")
    records = folder / "hostile.jsonl"
    records.write_text("".join(json.dumps(r) + "\n" for r in RECORDS + bulk_records()))
    result = CliRunner().invoke(cli, ["index", str(records), str(REPO / "samples" / "articles"),
                                      "--collection", "serve", "--no-progress"], obj=settings,
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    yield settings
    names = list(es.indices.get(index=f"{settings.index_prefix}*").body)
    if names:
        es.indices.delete(index=",".join(names))


@pytest.fixture(scope="module")
def client(served: Settings, embedder: Embedder) -> FlaskClient:
    return create_app(served, embedder=embedder, test_config={"TESTING": True}).test_client()


# ------------------------------------------------------------------ 12: CSV formula injection


def test_csv_export_neutralises_formulas_in_every_column(client: FlaskClient) -> None:
    response = client.get("/api/export", query_string={"q": "quokka", "mode": "keyword",
                                                       "format": "csv"})
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert len(rows) >= 4
    cells = [value for row in rows for value in row.values() if value]
    assert cells
    for cell in cells:
        assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), repr(cell)
    by_id = {row["doc_id"]: row for row in rows}
    assert by_id["'=cmd"]["title"] == "'" + FORMULAS[0]
    assert by_id["'=cmd"]["source"] == "'" + FORMULAS[1]
    assert by_id["'+formula"]["title"] == "'" + FORMULAS[2]
    assert by_id["'+formula"]["source"] == "'" + FORMULAS[3]
    assert by_id["'+formula"]["text"].startswith("'@quokka")
    # The indexer trims titles; a cell that still begins with a tab or CR is neutralised too.
    from webapp.api import neutralise

    assert [neutralise(v) for v in FORMULAS] == ["'" + v for v in FORMULAS]
    assert neutralise("plain") == "plain" and neutralise(-2.5) == -2.5
    # JSON lines carry the values as they are: only the spreadsheet format is neutralised.
    lines = client.get("/api/export", query_string={"q": "quokka", "mode": "keyword"})
    ids = {json.loads(line)["doc_id"] for line in lines.get_data(as_text=True).splitlines()}
    assert "=cmd" in ids


# ------------------------------------------------------------------ 14: links and quotes


def result_links(html: str) -> list[str]:
    return re.findall(r'<h3><a href="([^"]+)"', html)


def test_result_links_stay_in_documents_and_carry_the_search(client: FlaskClient) -> None:
    page = client.get("/", query_string={"q": "quokka traversal", "mode": "keyword"})
    assert page.status_code == 200
    links = [link.replace("&amp;", "&") for link in result_links(page.get_data(as_text=True))]
    assert links
    for link in links:
        path = urlsplit(link).path
        # A browser resolves dot segments: the path must stay inside /documents/ as one segment.
        assert path.startswith("/documents/") and "/" not in path[len("/documents/"):], link
    traversal = next(link for link in links if "..%2F" in link)
    query = parse_qs(urlsplit(traversal).query)
    assert query["back"] == ["q=quokka+traversal&mode=keyword"]
    doc = client.get(traversal)
    assert doc.status_code == 200
    html = doc.get_data(as_text=True)
    assert "The quokka traversal document." in html
    assert 'href="/?q=quokka+traversal&amp;mode=keyword"' in html  # back to results


def test_document_json_link_encodes_the_id(client: FlaskClient) -> None:
    doc = client.get("/documents/q%3Fx%3D1%23frag", query_string={"collection": "serve"})
    assert doc.status_code == 200
    html = doc.get_data(as_text=True)
    api = re.search(r'href="(/api/documents/[^"]+)"', html)
    assert api is not None
    url = api.group(1).replace("&amp;", "&")
    assert url == "/api/documents/q%3Fx%3D1%23frag?collection=serve"
    answer = client.get(url)
    assert answer.status_code == 200, answer.get_data(as_text=True)
    assert answer.get_json()["doc_id"] == "q?x=1#frag"


def test_a_back_link_cannot_leave_the_site(client: FlaskClient) -> None:
    for back in ("//evil.example/", "https://evil.example/", "/\\evil.example"):
        html = client.get("/documents/zebra", query_string={"back": back}).get_data(as_text=True)
        href = re.search(r'<a href="([^"]*)" class="back"', html)
        assert href is not None
        assert href.group(1).startswith("/") and not href.group(1).startswith("//")
        assert "evil.example" not in href.group(1).split("?")[0]


def test_quotes_size_and_total_count_quotes(client: FlaskClient) -> None:
    first = client.get("/api/quotes", query_string={"q": "zebra", "size": 10}).get_json()
    assert first["total"] == ZEBRA_QUOTES
    assert len(first["results"]) == 10
    second = client.get("/api/quotes", query_string={"q": "zebra", "size": 10, "page": 2})
    rest = second.get_json()["results"]
    assert len(rest) == ZEBRA_QUOTES - 10
    texts = [q["text"] for q in first["results"] + rest]
    assert len(set(texts)) == ZEBRA_QUOTES
    assert all(q["doc_id"] == "zebra" and "Zebra" in q["text"] for q in first["results"] + rest)


# ------------------------------------------------------------------ servers in subprocesses


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def raw_get(port: int, path: str, host: str = "127.0.0.1", timeout: float = 30) -> bytes:
    """One HTTP/1.0 GET sent as bytes (no client library normalising the path)."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(f"GET {path} HTTP/1.0\r\nHost: {host}\r\n\r\n".encode())
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def status_and_headers(raw: bytes) -> tuple[int, dict[str, str]]:
    head = raw.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")
    headers = {}
    for line in head[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return int(head[0].split()[1]), headers


@contextlib.contextmanager
def server(command: list[str], settings: Settings, port: int,
           log: Path) -> Iterator[subprocess.Popen[bytes]]:
    env = dict(os.environ, VERBATIM_INDEX_PREFIX=settings.index_prefix, OMP_NUM_THREADS="1")
    with log.open("wb") as out:
        process = subprocess.Popen(command, cwd=REPO, env=env, stdout=out,
                                   stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline:
            assert process.poll() is None, log.read_text()[-3000:]
            with contextlib.suppress(OSError):
                if status_and_headers(raw_get(port, "/api/health", timeout=10))[0] == 200:
                    break
            time.sleep(0.5)
        else:
            pytest.fail("the server did not answer /api/health:\n" + log.read_text()[-3000:])
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def stalled_export(port: int) -> socket.socket:
    """An export opened by a client that never reads a byte of the answer."""
    sock = socket.socket()
    # Small buffers and small segments (loopback's 64 kB segments would let the kernel take
    # megabytes on the client's behalf): the server's writes block after a few kilobytes.
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_MAXSEG, 536)
    sock.connect(("127.0.0.1", port))
    sock.sendall(b"GET /api/export?q=bulkfill&mode=keyword&format=jsonl HTTP/1.1\r\n"
                 b"Host: 127.0.0.1\r\n\r\n")
    return sock


def test_gunicorn_answers_while_two_clients_stall_exports(served: Settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    port = free_port()
    log = tmp_path / "gunicorn.log"
    command = [str(BIN / "gunicorn"), "--config", "python:webapp.gunicorn_conf",
               "--bind", f"127.0.0.1:{port}", "webapp.app:create_app()"]
    with server(command, served, port, log):
        stalled = [stalled_export(port) for _ in range(2)]
        try:
            time.sleep(2)  # both exports are being served (and blocked on writing)
            status, _ = status_and_headers(raw_get(port, "/api/health", timeout=20))
            assert status == 200
            raw = raw_get(port, "/api/search?q=quokka&mode=keyword", timeout=20)
            status, _ = status_and_headers(raw)
            assert status == 200
            assert b'"total"' in raw
        finally:
            for sock in stalled:
                sock.close()
    # 15: the app's own loggers are configured under gunicorn (name, level, time).
    text = log.read_text()
    assert re.search(r"\[INFO\] verbatim\.webapp: Verbatim web app ready", text), text[-3000:]


def test_verbatim_serve_sends_no_versions_and_no_host_redirect(served: Settings,  # type: ignore[no-untyped-def]
                                                                tmp_path) -> None:
    port = free_port()
    log = tmp_path / "serve.log"
    command = [sys.executable, "-c", "from webapp.cli import main; main()", "serve",
               "--port", str(port)]  # this checkout's code, whatever the venv has installed
    with server(command, served, port, log):
        status, headers = status_and_headers(raw_get(port, "/"))
        assert status == 200
        banner = headers.get("server", "")
        assert "Werkzeug" not in banner and "Python" not in banner, banner
        for path in ("//evil.example/", "//documents/zebra", "//api/health",
                     "/documents//zebra", "//evil.example/%2e%2e"):
            status, headers = status_and_headers(raw_get(port, path, host="evil.example"))
            assert "evil.example" not in headers.get("location", ""), (path, status, headers)
            assert status < 300 or status >= 400, (path, status)
    text = log.read_text()
    assert re.search(r"\[INFO\] verbatim\.webapp: Verbatim web app ready", text), text[-3000:]
