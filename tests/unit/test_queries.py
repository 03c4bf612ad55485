from __future__ import annotations

from indexer.search.queries import (
    KEYWORD_FIELDS,
    RAW_BOOST,
    SHINGLE_BOOST,
    SQS_FLAGS,
    QueryVector,
    filter_clauses,
    keyword_query,
    match_query,
    parse_keyword_query,
    semantic_search_body,
)
from indexer.search.request import Filters, SearchRequest


def test_negations_become_exclusions_and_or_is_accepted() -> None:
    assert parse_keyword_query('idlib -aleppo -"border crossing" hospitals OR clinics') == (
        "idlib hospitals | clinics", ["aleppo", '"border crossing"'])


def test_an_unbalanced_quote_is_dropped_not_an_error() -> None:
    assert parse_keyword_query('"hospitals schools') == ("hospitals schools", [])


def test_filters_are_whole_clauses() -> None:
    filters = Filters(collections=("unsc",), types=("transcript",), speakers=("Ms. Mueller",),
                      date_from="2020-02-01", date_to="2020-02-29")
    assert filter_clauses(filters) == [
        {"terms": {"collection": ["unsc"]}},
        {"terms": {"type": ["transcript"]}},
        {"bool": {"should": [{"terms": {"speaker.keyword": ["Ms. Mueller"]}},
                             {"terms": {"quote_speakers": ["Ms. Mueller"]}}],
                  "minimum_should_match": 1}},
        {"range": {"date": {"gte": "2020-02-01", "lte": "2020-02-29"}}},
    ]


def test_keyword_query_ranks_on_stems_and_matches_exact_words() -> None:
    query = keyword_query("Hospitals were shelled -camps", Filters(types=("article",)))
    assert query == {"bool": {
        "must": [{"bool": {"should": [
            {"simple_query_string": {
                "query": "hospit were shell", "fields": ["stems"], "default_operator": "or",
                "flags": SQS_FLAGS, "lenient": True, "analyze_wildcard": False}},
            {"simple_query_string": {
                "query": "Hospitals were shelled", "fields": list(KEYWORD_FIELDS),
                "default_operator": "or", "flags": SQS_FLAGS, "lenient": True,
                "analyze_wildcard": False, "boost": RAW_BOOST}},
        ], "minimum_should_match": 1}}],
        "filter": [{"terms": {"type": ["article"]}}],
        "should": [{"match": {"text.shingles": {"query": "Hospitals were shelled", "boost": SHINGLE_BOOST}}}],
        "must_not": [{"simple_query_string": {"query": "camps", "fields": list(KEYWORD_FIELDS),
                                              "default_operator": "and", "lenient": True}}],
    }}


def test_a_query_of_stop_words_keeps_only_the_exact_leg() -> None:
    legs = keyword_query("the", Filters())["bool"]["must"][0]["bool"]["should"]
    assert [leg["simple_query_string"]["fields"] for leg in legs] == [list(KEYWORD_FIELDS)]


def test_hybrid_counts_the_union_of_both_legs() -> None:
    req = SearchRequest(q="aid", mode="hybrid")
    query = match_query(req, [QueryVector([0.1, 0.2])])
    should = query["bool"]["should"]
    assert should[0] == keyword_query("aid", Filters())
    assert should[1]["knn"]["query_vector"] == [0.1, 0.2]
    semantic = match_query(SearchRequest(q="aid", mode="semantic"), [QueryVector([0.3])])
    assert semantic["knn"]["k"] > 0
    assert match_query(req, None) == keyword_query("aid", Filters())


def test_each_encoder_searches_only_its_own_collections() -> None:
    req = SearchRequest(q="aid", mode="semantic", filters=Filters(types=("article",)))
    vectors = [QueryVector([0.1], ("news",)), QueryVector([0.2], ("un", "wire"))]
    body = semantic_search_body(vectors, req, size=10)
    assert [c["query_vector"] for c in body["knn"]] == [[0.1], [0.2]]
    assert [c["filter"][-1] for c in body["knn"]] == [
        {"terms": {"collection": ["news"]}}, {"terms": {"collection": ["un", "wire"]}}]
    assert all(c["filter"][:-1] == filter_clauses(req.filters) for c in body["knn"])
    union = match_query(req, vectors)["bool"]["should"]
    assert [c["knn"]["query_vector"] for c in union] == [[0.1], [0.2]]
    single = semantic_search_body([QueryVector([0.5])], req, size=10)["knn"]
    assert single["filter"] == filter_clauses(req.filters)
