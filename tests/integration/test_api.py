"""The search API against the real node and model, over the samples and a real subset."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from indexer.model.embedder import Embedder
from indexer.settings import Settings
from tests.conftest import indexed_prefix
from webapp.app import create_app

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]
MUELLER_QUERY = "hospitals schools camps not spared Idlib"
PARAPHRASE = "medical facilities shelled in northwest Syria"
HOSTILE = [
    {"id": "xss-1", "title": "<script>alert('title')</script>Harbour report",
     "text": "The harbour <script>alert(1)</script> reopened. <img src=x onerror=alert(2)> "
             "Officials said the </mark><script>alert(3)</script> cranes were repaired.",
     "url": "javascript:alert(4)", "source": "Test Wire"},
]


@pytest.fixture(scope="module")
def api_settings(es, embedder, data_dir: Path, tmp_path_factory) -> Iterator[Settings]:  # type: ignore[no-untyped-def]
    folder = tmp_path_factory.mktemp("api")
    (folder / "un" / "transcripts").mkdir(parents=True)
    src = data_dir / "unsc_2020_syria"
    for symbol in ("8734", "8735"):
        shutil.copy(src / "transcripts" / f"S_PV.{symbol}.txt", folder / "un" / "transcripts")
    shutil.copy(src / "meetings.csv", folder / "un")
    hostile = folder / "hostile.jsonl"
    hostile.write_text("".join(json.dumps(r) + "\n" for r in HOSTILE))
    with indexed_prefix(
        es, "api",
        [str(folder / "un"), "--collection", "un"],
        [str(data_dir / "seed"), str(REPO / "samples" / "articles"), "--collection", "news"],
        [str(hostile), "--collection", "hostile"],
    ) as settings:
        yield settings


@pytest.fixture(scope="module")
def client(api_settings: Settings, embedder: Embedder) -> FlaskClient:
    app = create_app(api_settings, embedder=embedder, test_config={"TESTING": True})
    return app.test_client()


def search(client: FlaskClient, **params: object) -> dict:  # type: ignore[type-arg]
    response = client.get("/api/search", query_string=params)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


SEED = "upi_2020-02-27_saraqib"


def is_mueller(result: dict) -> bool:  # type: ignore[type-arg]
    """Her turn in S/PV.8734, or the seed article that quotes it."""
    text = result["passage"]["text"]
    turn = "Mueller" in (result.get("speaker") or "") and "not being spared" in text
    return turn or result["doc_id"] == SEED


@pytest.mark.parametrize("mode", ["keyword", "semantic", "hybrid"])
def test_mueller_statement_is_in_the_top_three(client: FlaskClient, mode: str) -> None:
    body = search(client, q=MUELLER_QUERY, mode=mode)
    assert body["mode"] == mode
    assert any(is_mueller(r) for r in body["results"][:3]), [
        (r["title"], r["speaker"]) for r in body["results"][:3]]
    record = [r for r in body["results"] if r["doc_id"] == "S/PV.8734"]
    if mode != "semantic":  # words of her quotation: her own passage is the one shown
        assert record and record[0]["speaker"] == "Ms. Mueller", record


@pytest.mark.parametrize("mode", ["semantic", "hybrid"])
def test_a_paraphrase_finds_her_statement(client: FlaskClient, mode: str) -> None:
    body = search(client, q=PARAPHRASE, mode=mode, size=5)
    assert any(is_mueller(r) for r in body["results"]), [r["title"] for r in body["results"]]


def test_results_have_the_documented_shape(client: FlaskClient) -> None:
    body = search(client, q=MUELLER_QUERY)
    assert {"total", "took_ms", "mode", "page", "size", "results", "facets"} <= set(body)
    result = body["results"][0]
    assert {"doc_id", "collection", "type", "title", "date", "source", "speaker", "url",
            "passage", "more_passages", "quotes", "ranks"} <= set(result)
    assert {"text", "highlights", "offset"} <= set(result["passage"])
    assert set(result["ranks"]) == {"keyword", "semantic", "fused"}
    assert set(body["facets"]) >= {"collection", "type", "speaker", "date"}


def test_more_passages_counts_the_other_matching_passages(client: FlaskClient, es,  # type: ignore[no-untyped-def]
                                                         api_settings: Settings) -> None:
    from indexer.search.queries import keyword_query
    from indexer.search.request import Filters

    results = search(client, q="Idlib", mode="keyword", collection="un")["results"]
    assert results and any(r["more_passages"] > 0 for r in results)  # two long meetings
    for r in results:
        matching = es.count(index=api_settings.alias("un"), query={"bool": {
            "must": [keyword_query("Idlib", Filters())],
            "filter": [{"term": {"doc_id": r["doc_id"]}}]}})["count"]
        assert r["more_passages"] == matching - 1, r["doc_id"]


def test_a_fuzzy_word_finds_its_misspelling(client: FlaskClient) -> None:
    assert search(client, q="Idlbi", mode="keyword", collection="un")["total"] == 0
    found = search(client, q="Idlbi~", mode="keyword", collection="un")
    assert found["total"] > 0 and "Idlib" in found["results"][0]["passage"]["text"]


def test_every_hit_is_highlighted_in_every_mode(client: FlaskClient) -> None:
    for mode in ("keyword", "semantic", "hybrid"):
        for result in search(client, q=PARAPHRASE, mode=mode)["results"]:
            assert any("<mark>" in h for h in result["passage"]["highlights"]), (mode, result)


def test_one_result_per_document(client: FlaskClient) -> None:
    body = search(client, q="Council Syria", mode="keyword", size=50)
    keys = [(r["collection"], r["doc_id"]) for r in body["results"]]
    assert len(keys) == len(set(keys))
    assert body["total"] == len(keys)


def test_filters_and_facets_agree(client: FlaskClient) -> None:
    body = search(client, q="Syria", mode="hybrid")
    types = {b["value"]: b["count"] for b in body["facets"]["type"]}
    assert sum(types.values()) == body["total"]
    for value, expected in types.items():
        filtered = search(client, q="Syria", mode="hybrid", type=value, size=100)
        assert filtered["total"] == expected
        assert {r["type"] for r in filtered["results"]} == {value}
    # The filter goes by person: the record's "Ms. Mueller" is the news' "Ursula Mueller".
    speaker = search(client, q="Syria", speaker="Ms. Mueller")
    assert speaker["results"] and all("Mueller" in (r["speaker"] or "") or any(
        "Mueller" in (q["speaker"] or "") for q in r["quotes"]) for r in speaker["results"])
    assert {r["type"] for r in speaker["results"]} >= {"transcript", "article"}
    # A surname alone, or a full name the record never wrote, finds the same person; a name
    # that conflicts with a form she was recorded under finds nobody.
    ids = {r["doc_id"] for r in speaker["results"]}
    for name in ("Mueller", "ursula MUELLER"):
        assert {r["doc_id"] for r in search(client, q="Syria", speaker=name)["results"]} == ids
    assert search(client, q="Syria", speaker="Kelly Mueller")["total"] == 0


def test_pages_do_not_overlap_and_agree_with_total(client: FlaskClient) -> None:
    first = search(client, q="Council", mode="keyword", size=3, page=1)
    second = search(client, q="Council", mode="keyword", size=3, page=2)
    ids = [r["doc_id"] for r in first["results"] + second["results"]]
    assert len(ids) == len(set(ids))
    assert first["total"] == second["total"]


def test_stored_script_comes_back_escaped(client: FlaskClient) -> None:
    body = search(client, q="harbour cranes", mode="keyword", collection="hostile")
    result = body["results"][0]
    html = " ".join(result["passage"]["highlights"])
    assert "<script" not in html and "<img" not in html
    assert "&lt;script&gt;" in html and "&lt;img" in html
    page = client.get("/?q=harbour+cranes&mode=keyword").get_data(as_text=True)
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "javascript:alert" not in page


def test_bad_parameters_get_the_one_error_shape(client: FlaskClient) -> None:
    for params, name in (({"size": 500}, "size"), ({"mode": "fuzzy"}, "mode"),
                         ({"date_from": "27/02/2020"}, "date_from"), ({"q": "x" * 1001}, "q"),
                         ({"page": 200, "size": 10}, "page")):
        response = client.get("/api/search", query_string=params)
        assert response.status_code == 400
        assert response.get_json()["error"]["parameter"] == name
    missing = client.get("/api/documents/no-such-document")
    assert missing.status_code == 404 and missing.get_json()["error"]["status"] == 404


def test_a_collection_that_does_not_exist_is_a_400_naming_those_that_do(
        client: FlaskClient, api_settings: Settings) -> None:
    # A typo, or an index's own name, would otherwise read as "nothing was said".
    for name in ("nws", api_settings.alias("news"), "n*"):
        for path in ("/api/search", "/api/quotes", "/api/export"):
            response = client.get(path, query_string={"q": "hospitals", "collection": name})
            assert response.status_code == 400, (path, name)
            error = response.get_json()["error"]
            assert error["parameter"] == "collection"
            assert repr(name) in error["message"] and "hostile, news, un" in error["message"]
    checked = client.get("/api/quotes", query_string={"verdict": "altered", "collection": "nws"})
    assert checked.status_code == 400 and "'nws'" in checked.get_json()["error"]["message"]
    verify = client.post("/api/verify", json={"text": "Hospitals are not being spared",
                                              "collection": "nws"})
    assert verify.status_code == 400 and "'nws'" in verify.get_json()["error"]["message"]
    assert search(client, q="hospitals", collection="news")["total"] > 0


def test_odd_syntax_never_errors(client: FlaskClient) -> None:
    for q in ('"unbalanced', "AND OR NOT", "-", "((", "a:b", "*", "~~~", "\\", "-\"\""):
        assert client.get("/api/search", query_string={"q": q, "mode": "keyword"}).status_code == 200


def test_quotes_api_answers_who_said_what(client: FlaskClient) -> None:
    body = client.get("/api/quotes", query_string={"q": "hospitals", "speaker": "Mueller"}).get_json()
    assert body["results"]
    assert all("Mueller" in r["speaker"] for r in body["results"])


def test_document_view_has_passages_and_quotes(client: FlaskClient) -> None:
    doc = client.get("/api/documents/upi_2020-02-27_saraqib").get_json()
    assert doc["type"] == "article" and doc["date"] == "2020-02-27"
    assert doc["text"].startswith("Turkish-backed Syrian rebels")
    for passage in doc["passages"]:
        assert doc["text"][passage["offset"]:passage["end"]] == passage["text"]
    assert {q["speaker"] for q in doc["quotes"]} == {"Ursula Mueller"}


def test_export_streams_every_match(client: FlaskClient) -> None:
    response = client.get("/api/export", query_string={"q": "Syria", "mode": "keyword",
                                                       "format": "jsonl"})
    rows = [json.loads(line) for line in response.get_data(as_text=True).splitlines()]
    keyword_total = search(client, q="Syria", mode="keyword")["total"]
    assert len({(r["collection"], r["doc_id"]) for r in rows}) == keyword_total
    assert len(rows) >= keyword_total  # every matching passage, not one per document
    csv_text = client.get("/api/export", query_string={"q": "Syria", "format": "csv"}).get_data(
        as_text=True)
    assert csv_text.splitlines()[0].startswith("collection,doc_id,type")


def test_health_and_collections(client: FlaskClient) -> None:
    health = client.get("/api/health").get_json()
    assert health["elasticsearch"]["reachable"] and health["model"]["loaded"]
    assert health["model"]["backend"] in ("torch", "onnx", "openvino", "openvino-int8")
    names = {c["name"] for c in client.get("/api/collections").get_json()["collections"]}
    assert names == {"un", "news", "hostile"}


def test_hybrid_degrades_to_keyword_when_the_model_fails(api_settings: Settings,
                                                         embedder: Embedder) -> None:
    # The collections' own model and backend, on a device that does not exist: it cannot load.
    broken = Embedder(embedder.model_name, backend=embedder.backend, device="no-such-device")
    app = create_app(api_settings, embedder=broken, test_config={"TESTING": True}, warm=False)
    body = app.test_client().get("/api/search", query_string={"q": MUELLER_QUERY}).get_json()
    assert "degraded" in body and body["results"]
    assert all(r["ranks"]["semantic"] is None for r in body["results"])
    semantic = app.test_client().get("/api/search", query_string={"q": "x", "mode": "semantic"})
    assert semantic.status_code == 503


def test_openapi_describes_every_api_route(client: FlaskClient) -> None:
    spec = client.get("/api/openapi.json").get_json()
    app = client.application
    routes = {re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", r.rule) for r in app.url_map.iter_rules()
              if r.rule.startswith("/api/")}
    assert routes == set(spec["paths"])
    assert client.get("/api").status_code == 200


def test_pages_carry_security_headers(client: FlaskClient) -> None:
    for path in ("/", "/?q=Idlib", "/api/search?q=Idlib", "/documents/nothing"):
        headers = client.get(path).headers
        assert "script-src 'self'" in headers["Content-Security-Policy"]
        assert "unsafe-inline" not in headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "no-referrer"


@pytest.mark.parametrize("mode", ["keyword", "semantic", "hybrid"])
def test_a_search_that_matches_nothing_is_an_empty_page(client: FlaskClient, mode: str) -> None:
    body = search(client, q="hospitals", mode=mode, date_from="1800-01-01", date_to="1800-12-31")
    assert body["total"] == 0 and body["results"] == []


TWIN = {"id": "twin-1", "title": "Harbour report", "source": "Test Wire",
        "text": "The harbour reopened on Monday after the cranes were repaired."}


@pytest.fixture(scope="module")
def twins(es, embedder, tmp_path_factory) -> Iterator[FlaskClient]:  # type: ignore[no-untyped-def]
    """Two collections under one prefix, each holding a document of the same id (so passages
    of the same id, ``twin-1#0``)."""
    path = tmp_path_factory.mktemp("twins") / "twin.jsonl"
    path.write_text(json.dumps(TWIN) + "\n")
    with indexed_prefix(es, "twins", [str(path), "--collection", "wire"],
                        [str(path), "--collection", "copy"]) as settings:
        yield create_app(settings, embedder=embedder, test_config={"TESTING": True}).test_client()


def test_a_hybrid_page_counts_only_its_own_collections_passage_of_a_shared_id(
        twins: FlaskClient) -> None:
    both = search(twins, q="harbour cranes", mode="hybrid")
    assert both["total"] == 2 and {b["value"]: b["count"] for b in both["facets"]["collection"]
                                   } == {"wire": 1, "copy": 1}
    # Restricted to one collection, the legs bring wire's twin-1#0 only: the facets and the
    # timeline count it alone, not copy's passage of the same id as well.
    body = search(twins, q="harbour cranes", mode="hybrid", collection="wire")
    assert [r["collection"] for r in body["results"]] == ["wire"] and body["total"] == 1
    assert body["facets"]["collection"] == [{"value": "wire", "count": 1}]
    assert [b["count"] for b in body["facets"]["type"]] == [1]
    response = twins.get("/api/timeline", query_string={
        "q": "harbour cranes", "mode": "hybrid", "collection": "wire", "by": "collection"})
    assert response.status_code == 200, response.get_data(as_text=True)
    timeline = response.get_json()
    assert timeline["total"] == 1
    assert [(s["key"], s["total"]) for s in timeline["series"]] == [("wire", 1)]
    for mode in ("keyword", "semantic"):  # each mode keeps to the collection asked for
        body = search(twins, q="harbour cranes", mode=mode, collection="copy")
        assert [r["collection"] for r in body["results"]] == ["copy"], mode
