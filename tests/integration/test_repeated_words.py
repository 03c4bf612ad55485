"""A word said twice in a query weighs by BM25's saturating query-term factor on a real node:
the repeats' clauses add their share to the one occurrence kept, in the passage query and in
the whole-document one, and k3 = ∞ is Lucene's plain sum."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from indexer.search import queries
from indexer.search.request import Filters
from indexer.settings import Settings
from tests.conftest import indexed_articles

pytestmark = pytest.mark.integration

DOCUMENTS = [
    {"id": "marrow", "title": "Clinic notes",
     "text": "The marrow of the bone was examined after the fracture healed."},
    *({"id": f"other-{i}", "title": f"Harbour notes {i}",
       "text": f"The ferry left the harbour at dawn with {i} passengers aboard."}
      for i in range(4)),
]


@pytest.fixture(scope="module")
def settings(es, tmp_path_factory) -> Iterator[Settings]:  # type: ignore[no-untyped-def]
    with indexed_articles(es, tmp_path_factory.mktemp("repeats"), "repeats", DOCUMENTS,
                          "notes") as settings:
        yield settings


def _score(es: Any, settings: Settings, query: dict[str, Any] | None) -> float:
    assert query is not None
    hits = es.search(index=settings.all_alias, query=query, size=1)["hits"]["hits"]
    assert hits and hits[0]["_source"]["doc_id"] == "marrow"
    return float(hits[0]["_score"])


@pytest.mark.parametrize("k3", [1.0, 0.0, None])
def test_a_repeated_word_weighs_what_the_factor_says(es, settings: Settings,  # type: ignore[no-untyped-def]
                                                     k3: float | None) -> None:
    for build in (queries.keyword_query, queries.document_query):
        once = _score(es, settings, build("bone", Filters(), k3=k3))
        thrice = _score(es, settings, build("bone fracture bone, bone", Filters(), k3=k3))
        fracture = _score(es, settings, build("fracture", Filters(), k3=k3))
        expected = queries.repeat_weight(3, k3) * once + fracture
        assert thrice == pytest.approx(expected, rel=1e-3), build.__name__
