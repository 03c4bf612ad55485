"""Serving and export against the real node and model: CSV cells that a spreadsheet would
run, links that stay in /documents/, quotes counted as quotes, gunicorn's threaded workers
under slow readers, logging, and what `verbatim serve` sends."""

from __future__ import annotations

import csv
import io
import json
import re
import socket
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urljoin, urlsplit

import pytest
from flask.testing import FlaskClient

from indexer.model.embedder import Embedder
from indexer.settings import Settings
from tests.integration import serving
from webapp.app import create_app

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]
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
    {"id": "dot-source-1", "title": "Dot wombat", "text": "The wombat document of one dot."},
    {"id": "dot-source-2", "title": "Dots wombat", "text": "The wombat document of two dots."},
]
DOT_IDS = (".", "..")


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
    folder = tmp_path_factory.mktemp("serving")
    with serving.indexed(es, folder, "serve", RECORDS + bulk_records(),
                         REPO / "samples" / "articles") as settings:
        for dot in DOT_IDS:  # stored before the indexer refused them (it does now)
            store_under(es, settings, f"dot-source-{len(dot)}", dot)
        yield settings


def store_under(es, settings: Settings, doc_id: str, new_id: str) -> None:  # type: ignore[no-untyped-def]
    """The passages of ``doc_id`` moved to the id ``new_id``, as an older index holds them."""
    from indexer.ingest.actions import doc_key, passage_id

    hits = es.search(index=settings.all_alias, query={"term": {"doc_id": doc_id}},
                     size=100)["hits"]["hits"]
    assert hits
    for hit in hits:
        source = dict(hit["_source"], doc_id=new_id,
                      doc_key=doc_key(hit["_source"]["collection"], new_id))
        es.index(index=hit["_index"], id=passage_id(new_id, source["passage_no"]),
                 document=source)
        es.delete(index=hit["_index"], id=hit["_id"])
    es.indices.refresh(index=settings.all_alias)


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
        path = urlsplit(urljoin("http://verbatim.test/?q=quokka", link)).path  # as a browser
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


def test_a_dot_segment_id_links_into_documents(client: FlaskClient) -> None:
    """Ids "." and ".." (refused by the indexer now, stored by an older one) are linked by
    the query string: a browser resolves a dot segment in a path, percent-encoded or not."""
    page = client.get("/", query_string={"q": "wombat", "mode": "keyword"})
    links = [link.replace("&amp;", "&") for link in result_links(page.get_data(as_text=True))]
    assert len(links) == len(DOT_IDS), links
    texts = {".": "The wombat document of one dot.", "..": "The wombat document of two dots."}
    for link in links:
        resolved = urlsplit(urljoin("http://verbatim.test/?q=wombat", link))  # as a browser
        assert resolved.path == "/documents", link
        doc_id = parse_qs(resolved.query)["id"][0]
        doc = client.get(link)
        assert doc.status_code == 200, link
        assert texts.pop(doc_id) in doc.get_data(as_text=True)
    assert not texts
    assert client.get("/documents?id=no-such-document").status_code == 404


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
    port = serving.free_port()
    log = tmp_path / "gunicorn.log"
    with serving.server(serving.gunicorn_command(port), served, port, log, OMP_NUM_THREADS="1"):
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
    port = serving.free_port()
    log = tmp_path / "serve.log"
    command = [sys.executable, "-c", "from webapp.cli import main; main()", "serve",
               "--port", str(port)]  # this checkout's code, whatever the venv has installed
    with serving.server(command, served, port, log, OMP_NUM_THREADS="1"):
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
