from __future__ import annotations

from indexer.queries import (
    KEYWORD_FIELDS,
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


def test_keyword_query_is_lenient_bm25_over_boosted_fields() -> None:
    query = keyword_query("hospitals -camps", Filters(types=("article",)))
    assert query == {"bool": {
        "must": [{"simple_query_string": {
            "query": "hospitals", "fields": list(KEYWORD_FIELDS), "default_operator": "or",
            "flags": "OR|NOT|PHRASE|PREFIX|WHITESPACE|PRECEDENCE|ESCAPE", "lenient": True,
            "analyze_wildcard": False}}],
        "filter": [{"terms": {"type": ["article"]}}],
        "should": [{"match": {"text.shingles": {"query": "hospitals", "boost": 0.5}}}],
        "must_not": [{"simple_query_string": {"query": "camps", "fields": list(KEYWORD_FIELDS),
                                              "default_operator": "and", "lenient": True}}],
    }}


def test_hybrid_counts_the_union_of_both_legs() -> None:
    req = SearchRequest(q="aid", mode="hybrid")
    query = match_query(req, [0.1, 0.2])
    should = query["bool"]["should"]
    assert should[0] == keyword_query("aid", Filters())
    assert should[1]["knn"]["query_vector"] == [0.1, 0.2]
    assert match_query(SearchRequest(q="aid", mode="semantic"), [0.3])["knn"]["k"] > 0
    assert match_query(req, None) == keyword_query("aid", Filters())
