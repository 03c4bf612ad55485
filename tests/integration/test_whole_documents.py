"""Hybrid search scores documents whole (schema 2): a document whose words are spread over
its passages beats one whose single passage holds one of them, on a real node and model;
a collection built before the schema is still searched by its best passages."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from click.testing import CliRunner

from indexer import indices
from indexer.cli import cli
from indexer.model.embedder import Embedder
from indexer.search import plan
from indexer.search.request import Filters, SearchRequest
from indexer.search.searcher import Searcher
from indexer.settings import Settings
from tests.conftest import indexed_articles

pytestmark = pytest.mark.integration

COLLECTION = "wells"
QUERY = "desalination turbine cooperative"
FILLER = [
    "The harbour master counted the fishing boats that came back before the storm.",
    "Farmers along the valley said the late rains had lifted the barley harvest this year.",
    "A ferry schedule posted at the quay listed four crossings on weekdays and two on Sundays.",
    "Teachers in the district asked for new textbooks and a second bus for the hill villages.",
    "The mayor opened a market hall where traders sell cheese, olives and dried figs.",
    "Road crews resurfaced the coastal highway after a winter of potholes and closures.",
    "Volunteers planted almond saplings on the terraces above the old stone mill.",
    "The clinic extended its hours so that shift workers could see a nurse after dark.",
    "Bakers complained that the price of flour had doubled since the spring.",
    "A choir from the capital sang in the square on the evening of the festival.",
    "Shepherds moved their flocks to the upper pastures once the snow had melted.",
    "The library lent its reading room to students preparing for their final exams.",
]


def _paragraph(topic: str, start: int) -> str:
    """About 200 tokens, its topical sentence last: passages are packed of whole sentences
    up to the model's 256 tokens, so no two topical sentences share one."""
    return " ".join([*(FILLER[(start + i) % len(FILLER)] for i in range(len(FILLER))), topic])


DOCUMENTS = [
    # The query's three words, one to a paragraph: no passage holds more than one of them.
    {"id": "spread", "title": "Village notes", "text": "\n\n".join([
        _paragraph("A desalination plant now supplies the clinic with water.", 0),
        _paragraph("The council bought a turbine for the ridge above the harbour.", 3),
        _paragraph("A cooperative of farmers will share the power it makes.", 6)])},
    # One of the words, in its title and four times in a single passage.
    {"id": "single", "title": "Desalination week", "text": _paragraph(
        "Desalination, desalination and more desalination, the engineers repeated at the "
        "desalination plant.", 2)},
    *({"id": f"other-{i}", "title": f"Town diary {i}", "text": _paragraph(
        "Nothing else of note happened that week.", i)} for i in range(4)),
]


@pytest.fixture(scope="module")
def wells(es, tmp_path_factory) -> Iterator[Settings]:  # type: ignore[no-untyped-def]
    with indexed_articles(es, tmp_path_factory.mktemp("wells"), "wells", DOCUMENTS,
                          COLLECTION) as settings:
        yield settings


def _page(searcher: Searcher) -> dict[str, dict[str, Any]]:
    body = searcher.search(SearchRequest(q=QUERY, mode="hybrid", size=10),
                           mark_semantic=False)
    return {r["doc_id"]: r for r in body["results"]}


def test_a_document_is_scored_by_its_whole_words(es, embedder: Embedder,  # type: ignore[no-untyped-def]
                                                 wells: Settings) -> None:
    index = indices.current_index(es, wells, COLLECTION)
    assert index is not None and indices.whole_documents(indices.index_meta(es, index))
    passages = [h["_source"]["text"] for h in es.search(
        index=index, size=50, query={"term": {"doc_id": "spread"}})["hits"]["hits"]]
    # The premise: the words are spread, no passage holds two of them.
    assert len(passages) >= 3
    assert all(sum(word in p for word in QUERY.split()) <= 1 for p in passages)
    searcher = Searcher(es, embedder, wells)
    req = searcher.prepare(SearchRequest(q=QUERY, mode="hybrid"))
    assert len(searcher.page_searches(req.req, req.vectors)) == 3  # the legs and the documents
    found = _page(searcher)
    assert found["spread"]["ranks"]["keyword"] == 1
    assert found["single"]["ranks"]["keyword"] == 2
    # The passage shown holds one of the words, highlighted.
    assert any("<mark>" in h for h in found["spread"]["passage"]["highlights"])

    # The same collection as an index built before schema 2 is searched: by best passages,
    # where the one that says "desalination" four times comes first.
    meta = indices.index_meta(es, index)
    assert "older Verbatim" not in CliRunner().invoke(cli, ["collections"], obj=wells).output
    es.indices.put_mapping(index=index, meta={**meta, "schema": 1})
    try:
        older = Searcher(es, embedder, wells)
        assert len(older.page_searches(req.req, req.vectors)) == 2
        assert _page(older)["single"]["ranks"]["keyword"] == 1
        listing = CliRunner().invoke(cli, ["collections"], obj=wells).output
        assert f"Built by an older Verbatim: {COLLECTION}." in listing
        assert "--replace" in listing
    finally:
        es.indices.put_mapping(index=index, meta=meta)


def test_the_best_passage_of_a_document_is_found_and_marked(es, embedder: Embedder,  # type: ignore[no-untyped-def]
                                                            wells: Settings) -> None:
    searcher = Searcher(es, embedder, wells)
    req = SearchRequest(q=QUERY, mode="hybrid", filters=Filters(collections=(COLLECTION,)))
    search = plan.best_passages_search(req, {f"{COLLECTION}/spread", f"{COLLECTION}/single"},
                                       searcher.index)
    assert search is not None
    hits = searcher.msearch([search])[0]["hits"]["hits"]
    best = {h["_source"]["doc_id"]: h for h in hits}
    assert set(best) == {"spread", "single"}  # one passage per document
    for doc_id, hit in best.items():  # a passage that holds a word, marked
        assert "<mark>" in " ".join(hit["highlight"]["text"]), doc_id
