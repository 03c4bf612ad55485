from __future__ import annotations

from indexer.queries import (
    KEYWORD_FIELDS,
    RAW_BOOST,
    SHINGLE_BOOST,
    SQS_FLAGS,
    Filters,
    SearchRequest,
    filter_clauses,
    keyword_query,
    match_query,
    parse_keyword_query,
)


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
    query = match_query(req, [0.1, 0.2])
    should = query["bool"]["should"]
    assert should[0] == keyword_query("aid", Filters())
    assert should[1]["knn"]["query_vector"] == [0.1, 0.2]
    assert match_query(SearchRequest(q="aid", mode="semantic"), [0.3])["knn"]["k"] > 0
    assert match_query(req, None) == keyword_query("aid", Filters())
