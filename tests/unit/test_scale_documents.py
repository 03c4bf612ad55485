"""The whole-document search that bench.scale --documents prices: the documents it writes are
the synthetic collection's passages joined, and its query runs on them as the keyword leg's."""

from __future__ import annotations

import dataclasses
from itertools import groupby

import pytest

from bench.scale import _document_actions, document_search_body
from bench.synthetic import build_vocabulary, generate_passages
from indexer.documents import Speaker
from indexer.search import queries
from indexer.search.request import Filters, SearchRequest

pytestmark = pytest.mark.unit

TEXT = ("Member States called for dialogue and for the protection of civilians in conflict; "
        "the Council heard the briefing on humanitarian access across the border. ") * 4


def test_each_document_is_its_passages_joined_in_order() -> None:
    vocab = build_vocabulary([TEXT], speakers=(Speaker("Ursula Mueller", title="Ms."),),
                             min_count=1)
    passages = list(generate_passages(300, dims=8, seed=3, collection="syn", vocabulary=vocab))
    written = list(_document_actions("scratch", 300, "syn", 3, 8, vocabulary=vocab))
    by_doc = [list(group) for _, group in groupby(passages, key=lambda p: p["doc_id"])]
    assert [a["_id"] for a in written] == [group[0]["doc_id"] for group in by_doc]
    for action, group in zip(written, by_doc, strict=True):
        source = action["_source"]
        assert action["_index"] == "scratch"
        assert source["text"] == " ".join(p["text"] for p in group)
        assert source["stems"] == " ".join(p["stems"] for p in group)
        assert source["collection"] == "syn" and source["title"] == group[0]["title"]
        assert "embedding" not in source and "doc_text" not in source
    assert sum(len(group) for group in by_doc) == 300


def test_the_document_search_is_the_keyword_legs_query_filtered_by_collection_term() -> None:
    req = SearchRequest(q="humanitarian access", mode="hybrid",
                        filters=Filters(collections=("syn",), aliases=("verbatim-syn",)))
    body = document_search_body(req)
    unscoped = dataclasses.replace(req, filters=Filters(collections=("syn",)))
    assert body["query"] == queries.keyword_query(unscoped.q, unscoped.filters)
    assert {"terms": {"collection": ["syn"]}} in body["query"]["bool"]["filter"]
    assert "_index" not in str(body["query"])
    assert body["_source"] == ["doc_id"] and body["size"] == queries.KEYWORD_CANDIDATES
