"""Quotation marks mean the words, on a real node and model: a quoted phrase never matches its
opposite, either way, and one remembered without its stop words
still finds its document. (The hybrid fusion's part, a phrase found in one document only put
first, is tested on its own in tests/unit/test_exact.py: in a collection this small the
semantic leg brings every document, so the tie it fixes cannot arise here.)"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from indexer.model.embedder import Embedder
from indexer.search.request import SearchRequest
from indexer.search.searcher import Searcher
from indexer.settings import Settings
from tests.conftest import indexed_articles

pytestmark = pytest.mark.integration

DOCUMENTS = [
    {"id": "opposed", "title": "Council vote",
     "text": "The delegation did not support the draft resolution on the river basin."},
    {"id": "supported", "title": "Council vote, later",
     "text": "The delegation did support the draft resolution on the river basin."},
    # Holds "so is the duty of the harbour master", in a sentence about something else.
    {"id": "ferry", "title": "Harbour notes",
     "text": "The ferry left at dawn; so is the duty of the harbour master to ring the bell."},
    # A negation where a dropped stop word stood: "are [not] being", "will [not] be".
    {"id": "unspared", "title": "Shelling",
     "text": "Clinics and camps are not being spared by the shelling, the agency said."},
    {"id": "intolerable", "title": "Convoys",
     "text": "Attacks on the aid convoys will not be tolerated, the envoy said."},
    # About duties and obligations, without the phrase: what the semantic leg prefers.
    *({"id": f"duty-{i}", "title": f"Obligations {i}",
       "text": f"Every official has obligations and responsibilities to the public, item {i}."}
      for i in range(3)),
]


@pytest.fixture(scope="module")
def settings(es, tmp_path_factory) -> Iterator[Settings]:  # type: ignore[no-untyped-def]
    with indexed_articles(es, tmp_path_factory.mktemp("quoted"), "quoted", DOCUMENTS,
                          "votes") as settings:
        yield settings


def _search(es: Any, embedder: Embedder, settings: Settings, q: str,
            mode: str) -> dict[str, Any]:
    return Searcher(es, embedder, settings).search(SearchRequest(q=q, mode=mode),
                                                   mark_semantic=False)


@pytest.mark.parametrize("mode", ["keyword", "hybrid"])
def test_a_quoted_negation_is_never_its_opposite(es, embedder: Embedder,  # type: ignore[no-untyped-def]
                                                 settings: Settings, mode: str) -> None:
    body = _search(es, embedder, settings, '"did not support"', mode)
    assert body["results"][0]["doc_id"] == "opposed"
    if mode == "keyword":  # the keyword leg matches the phrase and nothing else
        assert [r["doc_id"] for r in body["results"]] == ["opposed"]
    # Nor the other way round: the stems hold "not" (schema 3).
    body = _search(es, embedder, settings, '"did support"', "keyword")
    assert [r["doc_id"] for r in body["results"]] == ["supported"]
    body = _search(es, embedder, settings, '"did support"', "hybrid")
    assert body["results"][0]["doc_id"] == "supported"
    # Loose words are no statement: both documents hold them.
    body = _search(es, embedder, settings, "did not support resolution", "keyword")
    assert {"opposed", "supported"} <= {r["doc_id"] for r in body["results"]}


def test_a_phrase_without_its_stop_words_finds_its_document(es, embedder: Embedder,  # type: ignore[no-untyped-def]
                                                       settings: Settings) -> None:
    # The phrase as remembered, its stop words left out: found on the stems, in one document.
    q = '"so duty harbour master"'
    keyword = _search(es, embedder, settings, q, "keyword")
    assert [r["doc_id"] for r in keyword["results"]] == ["ferry"]
    hybrid = _search(es, embedder, settings, q, "hybrid")
    assert hybrid["results"][0]["doc_id"] == "ferry"
    assert hybrid.get("phrase_fallback") is False


@pytest.mark.parametrize("mode", ["keyword", "hybrid"])
def test_a_phrase_whose_verb_is_a_stop_word_is_not_its_negation(es, embedder: Embedder,  # type: ignore[no-untyped-def]
                                                                settings: Settings,
                                                                mode: str) -> None:
    # Without "are" and "will", the stems of these phrases sit around the "not" of the
    # record; the exact words hold every word in its place, so nothing matches them exactly.
    for q, source in (('"are being spared"', "unspared"), ('"will be tolerated"', "intolerable")):
        body = _search(es, embedder, settings, q, mode)
        assert body["phrase_fallback"] is True, q  # "no exact match", then the closest
        assert body["unmatched_phrases"][0]["phrase"] == q.strip('"')
        assert source in {r["doc_id"] for r in body["results"]}  # the closest: said with "not"
    exact = _search(es, embedder, settings, '"are not being spared"', mode)
    assert exact["phrase_fallback"] is False and exact["results"][0]["doc_id"] == "unspared"
