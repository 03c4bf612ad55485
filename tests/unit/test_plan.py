from __future__ import annotations

from indexer.search import plan, queries
from indexer.search.queries import QueryVector
from indexer.search.request import Filters, SearchRequest

INDEX = "verbatim-all"
HEADER = {"index": INDEX, "ignore_unavailable": True, "allow_no_indices": True}
VECTORS = [QueryVector([0.1, 0.2])]


def _hit(doc_key: str) -> dict[str, object]:
    """A leg's hit: ``collection/doc_id`` and the passage ``doc_id#0``, as the index holds it."""
    collection, doc_id = doc_key.split("/")
    return {"_id": f"{doc_id}#0", "_source": {"doc_key": doc_key, "collection": collection}}


def test_every_search_goes_to_the_index_missing_or_not() -> None:
    assert plan.search_header(INDEX) == HEADER


def test_a_keyword_page_is_the_collapsed_keyword_leg_then_the_facets() -> None:
    req = SearchRequest(q="aid convoys", mode="keyword", page=3, size=10)
    searches = plan.page_searches(req, None, INDEX)
    assert searches == [
        (HEADER, queries.keyword_search_body(req, size=10, offset=20)),
        (HEADER, queries.facets_body(req, None)),
    ]
    body = searches[0][1]
    assert body["collapse"] == {"field": "doc_key"} and body["from"] == 20 and body["size"] == 10
    assert body["highlight"] == queries.highlight_body(req.q)


def test_a_semantic_page_is_the_collapsed_knn_leg_then_the_facets() -> None:
    req = SearchRequest(q="aid", mode="semantic", filters=Filters(types=("article",)))
    (header, leg), (_, facets) = plan.page_searches(req, VECTORS, INDEX)
    assert header == HEADER
    assert leg["knn"]["query_vector"] == [0.1, 0.2] and leg["knn"]["k"] == queries.SEMANTIC_K
    assert leg["knn"]["filter"] == [{"terms": {"type": ["article"]}}]
    assert leg["collapse"] == {"field": "doc_key"} and "highlight" not in leg
    # The facets count the k nearest passages the page ranks (a top-level knn, not the
    # knn query that takes k per index).
    assert facets["knn"] == leg["knn"] and "query" not in facets and facets["size"] == 0
    assert facets["track_total_hits"] is True
    assert {k: v for k, v in facets["aggs"].items() if k != "per_doc"} == queries.facet_aggs()


def test_a_hybrid_page_is_both_legs_uncollapsed_then_the_shown_passages_highlights() -> None:
    req = SearchRequest(q="aid", mode="hybrid", page=2, size=10)
    searches = plan.page_searches(req, VECTORS, INDEX)
    assert [header for header, _ in searches] == [HEADER] * 2
    keyword, semantic = (body for _, body in searches)
    assert keyword == queries.keyword_search_body(req, size=queries.KEYWORD_CANDIDATES,
                                                  collapsed=False, highlighted=False)
    assert "highlight" not in keyword  # 150 candidates, 10 shown: those 10 are highlighted
    assert semantic == queries.semantic_search_body(VECTORS, req, size=queries.SEMANTIC_K,
                                                    collapsed=False)
    # The legs bring candidates from the top whatever the page: the fusion pages them.
    assert keyword["from"] == 0 and semantic["from"] == 0
    assert "collapse" not in keyword and "collapse" not in semantic
    shown = [{"collection": "un", "passage": {"id": "b#0"}},
             {"collection": "news", "passage": {"id": "c#0"}},
             {"collection": "un", "passage": {"id": "d#1"}}]
    marks = plan.highlights_search(req, shown, INDEX)
    assert marks is not None and marks[0] == HEADER
    assert marks[1]["query"]["bool"]["should"] == [
        {"bool": {"filter": [{"term": {"collection": "un"}}, {"ids": {"values": ["b#0", "d#1"]}}]}},
        {"bool": {"filter": [{"term": {"collection": "news"}}, {"ids": {"values": ["c#0"]}}]}}]
    assert marks[1]["highlight"] == queries.highlight_body("aid") and marks[1]["size"] == 3
    assert plan.highlights_search(SearchRequest(q="-aid", mode="hybrid"), shown, INDEX) is None


def test_a_passage_id_two_collections_hold_is_two_passages_each_counted_in_its_own() -> None:
    legs = [[_hit("un/a"), _hit("news/a")], [_hit("un/a")]]
    assert plan.leg_passages(legs) == [("news", "a#0"), ("un", "a#0")]


def test_hybrid_without_query_vectors_is_the_keyword_page() -> None:
    hybrid = SearchRequest(q="aid", mode="hybrid")
    keyword = SearchRequest(q="aid", mode="keyword")
    assert plan.page_kind(hybrid, None) == "keyword"
    assert plan.page_kind(hybrid, VECTORS) == "hybrid"
    assert plan.page_kind(keyword, VECTORS) == "keyword"
    assert plan.page_searches(hybrid, None, INDEX) == [
        (HEADER, queries.keyword_search_body(hybrid, size=hybrid.size)),
        (HEADER, queries.facets_body(hybrid, None)),
    ]


def test_msearch_lines_alternate_header_and_body() -> None:
    searches = [({"index": "a"}, {"size": 1}), ({"index": "b"}, {"size": 2})]
    assert plan.msearch_lines(searches) == [{"index": "a"}, {"size": 1}, {"index": "b"}, {"size": 2}]


def test_passage_counts_cover_the_shown_documents_once() -> None:
    req = SearchRequest(q="aid", mode="keyword")
    hits = [_hit("un/b"), _hit("un/a"), _hit("un/b")]
    search = plan.passage_counts_search(req, None, hits, INDEX)
    assert search == (HEADER, queries.passage_counts_body(req, ["un/a", "un/b"]))
    assert search[1]["aggs"] == {"per_doc": {"terms": {"field": "doc_key", "size": 2}}}


def test_a_keyword_page_counts_passages_by_keywords_alone() -> None:
    req = SearchRequest(q="aid", mode="keyword")
    search = plan.passage_counts_search(req, None, [_hit("un/a")], INDEX)
    assert search == (HEADER, queries.passage_counts_body(req, ["un/a"]))
    assert search[1]["query"]["bool"]["must"] == [queries.keyword_query("aid", Filters())]


def test_hybrid_and_empty_pages_send_no_counts() -> None:
    assert plan.passage_counts_search(SearchRequest(q="aid"), VECTORS, [_hit("un/a")],
                                      INDEX) is None
    assert plan.passage_counts_search(SearchRequest(q="aid", mode="keyword"), None, [],
                                      INDEX) is None


def test_semantic_passage_counts_come_with_the_facets_over_the_passages_the_page_ranks() -> None:
    req = SearchRequest(q="aid -syria", mode="semantic")
    assert plan.passage_counts_search(req, VECTORS, [_hit("un/a")], INDEX) is None
    body = queries.facets_body(req, VECTORS)
    assert body["knn"] == queries.top_knn(VECTORS, req) and "query" not in body
    assert body["aggs"]["per_doc"] == {"terms": {"field": "doc_key",
                                                 "size": queries.SEMANTIC_K}}


def test_a_hybrid_page_over_whole_documents_also_scores_them_whole() -> None:
    req = SearchRequest(q="aid convoys", mode="hybrid", filters=Filters(types=("transcript",)))
    searches = plan.page_searches(req, VECTORS, INDEX, whole_documents=True)
    assert searches[:2] == plan.page_searches(req, VECTORS, INDEX)
    assert searches[2] == (HEADER, queries.document_search_body(req))
    documents = searches[2][1]
    assert documents["size"] == queries.KEYWORD_CANDIDATES and "collapse" not in documents
    assert documents["query"]["bool"]["filter"] == [
        {"terms": {"type": ["transcript"]}}, {"exists": {"field": "doc_stems"}}]
    # A speaker keeps passages, not documents; no positive word scores every document alike;
    # the other modes never fuse.
    for other in (SearchRequest(q="aid", mode="hybrid", filters=Filters(speakers=("Lind",))),
                  SearchRequest(q="-aid", mode="hybrid")):
        assert len(plan.page_searches(other, VECTORS, INDEX, whole_documents=True)) == 2
    for mode in ("keyword", "semantic"):
        one = SearchRequest(q="aid", mode=mode)
        assert (plan.page_searches(one, VECTORS, INDEX, whole_documents=True)
                == plan.page_searches(one, VECTORS, INDEX))


def test_documents_only_their_whole_words_brought_get_their_best_passage_sought() -> None:
    req = SearchRequest(q="aid", mode="hybrid")
    assert plan.best_passages_search(req, set(), INDEX) is None
    search = plan.best_passages_search(req, {"un/b", "news/a"}, INDEX)
    assert search is not None and search[0] == HEADER
    body = search[1]
    assert body["query"]["bool"]["filter"] == [{"terms": {"doc_key": ["news/a", "un/b"]}}]
    assert body["query"]["bool"]["must"] == [queries.keyword_query("aid", req.filters)]
    assert body["collapse"] == {"field": "doc_key"} and body["size"] == 2
    assert body["highlight"] == queries.highlight_body("aid")


def test_the_follow_up_highlights_what_the_legs_brought_and_seeks_the_rest() -> None:
    req = SearchRequest(q="aid", mode="hybrid")
    legs = [[_hit("un/a")], [_hit("un/b")], [_hit("un/c"), _hit("un/a")]]
    shown = [{"collection": "un", "passage": {"id": pid}} for pid in ("a#0", "c#0", "b#0")]
    follow = plan.follow_up_searches(req, legs, shown, INDEX)
    assert follow == [("highlights", plan.highlights_search(req, [shown[0], shown[2]], INDEX)),
                      ("best", plan.best_passages_search(req, {"un/c"}, INDEX))]
    assert [name for name, _ in plan.follow_up_searches(req, legs[:2], shown[::2], INDEX)] == [
        "highlights"]
    assert plan.whole_only(legs, shown) == [("un", "c#0")]
