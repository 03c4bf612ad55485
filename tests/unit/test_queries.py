from __future__ import annotations

from indexer.search import dates
from indexer.search.queries import (
    DOCUMENT_RAW_BOOST,
    EXCLUSION_FIELDS,
    KEYWORD_FIELDS,
    RAW_BOOST,
    SHINGLE_BOOST,
    SQS_FLAGS,
    QueryVector,
    document_query,
    filter_clauses,
    keyword_query,
    knn_clause,
    match_query,
    scoped,
    semantic_search_body,
)
from indexer.search.request import Filters, SearchRequest
from indexer.search.syntax import parse_keyword_query
from indexer.settings import load_settings


def test_negations_become_exclusions_and_or_is_accepted() -> None:
    assert parse_keyword_query('idlib -aleppo -"border crossing" hospitals OR clinics') == (
        "idlib hospitals | clinics", ["aleppo", '"border crossing"'])


def test_a_phrase_keeps_its_slop_and_a_stray_operator_after_a_phrase_goes() -> None:
    assert parse_keyword_query('"turkish border"~40 idlib -"safe zone"~3') == (
        '"turkish border"~40 idlib', ['"safe zone"~3'])
    # Slop within bounds only: many words, or repeated ones, make a sloppy phrase costly.
    assert parse_keyword_query('"a b"~500')[0] == '"a b"~100'
    assert parse_keyword_query('"' + "word " * 17 + '"~9')[0] == '"' + "word " * 17 + '"'
    assert parse_keyword_query('"negotiation negotiations"~5')[0] == \
        '"negotiation negotiations"'
    assert parse_keyword_query('"density turkish"~40-aleppo') == ('"density turkish"~40',
                                                                  ["aleppo"])
    assert parse_keyword_query('"turkish border"* "safe zone"~') == (
        '"turkish border" "safe zone"', [])


def test_a_minus_after_an_or_a_parenthesis_or_a_phrase_is_an_exclusion_too() -> None:
    # Left in the query, simple_query_string would read "or not b" in each field's clause.
    assert parse_keyword_query('a|-b (-c d) "e f"-g well-being') == (
        'a| ( d) "e f" well-being', ["b", "c", "g"])
    assert parse_keyword_query('"-20 degrees celsius"') == ('"-20 degrees celsius"', [])


def test_an_unbalanced_quote_is_dropped_not_an_error() -> None:
    assert parse_keyword_query('"hospitals schools') == ("hospitals schools", [])


def test_filters_are_whole_clauses() -> None:
    filters = Filters(collections=("unsc",), types=("transcript",), speakers=("Ms. Mueller",),
                      date_from="2020-02-01", date_to="2020-02-29")
    assert filter_clauses(filters) == [
        {"terms": {"collection": ["unsc"]}},
        {"terms": {"type": ["transcript"]}},
        {"bool": {"should": [{"terms": {"speaker.keyword": ["Ms. Mueller"]}},
                             {"terms": {"quote_speakers": ["Ms. Mueller"]}},
                             {"terms": {"speaker_id": ["Ms. Mueller"]}},
                             {"terms": {"quote_speaker_ids": ["Ms. Mueller"]}}],
                  "minimum_should_match": 1}},
        dates.date_range("2020-02-01", "2020-02-29"),
    ]


def test_a_collection_filter_names_its_alias_unless_the_name_could_read_as_an_index() -> None:
    settings = load_settings({"VERBATIM_INDEX_PREFIX": "vt"})
    filters = scoped(Filters(collections=("unsc", "news_2020"), types=("article",)), settings)
    assert filter_clauses(filters)[0] == {"terms": {"_index": ["vt-unsc", "vt-news_2020"]}}
    # The kNN filter keeps the term, which Elasticsearch caches between searches.
    assert knn_clause([0.1], filters)["filter"][0] == {
        "terms": {"collection": ["unsc", "news_2020"]}}
    # "unsc-20261207-092418-745936" would be the alias of a collection and the name of
    # collection unsc's own index: the exact term, not the alias, for all the names asked.
    stamped = scoped(Filters(collections=("news", "unsc-20261207-092418-745936")), settings)
    assert filter_clauses(stamped) == [
        {"terms": {"collection": ["news", "unsc-20261207-092418-745936"]}}]
    assert filter_clauses(scoped(Filters(collections=("un*",)), settings)) == [
        {"terms": {"collection": ["un*"]}}]  # `_index` would expand the pattern
    assert scoped(Filters(types=("article",)), settings).aliases == ()


def test_keyword_query_ranks_on_stems_and_matches_exact_words() -> None:
    query = keyword_query("Hospitals were shelled -camps", Filters(types=("article",)))
    assert query == {"bool": {
        "must": [{"bool": {"should": [
            {"simple_query_string": {
                "query": "hospit were shell", "fields": ["stems"], "default_operator": "or",
                "flags": SQS_FLAGS, "lenient": True, "analyze_wildcard": False}},
            *({"simple_query_string": {
                "query": "Hospitals were shelled", "fields": [f"{field}^{RAW_BOOST}"],
                "default_operator": "or", "flags": SQS_FLAGS, "lenient": True,
                "analyze_wildcard": False}} for field in KEYWORD_FIELDS),
        ], "minimum_should_match": 1}}],
        "filter": [{"terms": {"type": ["article"]}}],
        "should": [{"match": {"text.shingles": {"query": "Hospitals were shelled", "boost": SHINGLE_BOOST}}}],
        "must_not": [{"simple_query_string": {"query": "camps", "fields": list(EXCLUSION_FIELDS),
                                              "default_operator": "and", "lenient": True}}],
    }}


def test_the_document_query_is_the_keyword_query_on_the_whole_document() -> None:
    query = document_query("Hospitals were shelled -camps", Filters(types=("article",)))
    assert query == {"bool": {
        "must": [{"bool": {"should": [
            {"simple_query_string": {
                "query": "hospit were shell", "fields": ["doc_stems"], "default_operator": "or",
                "flags": SQS_FLAGS, "lenient": True, "analyze_wildcard": False}},
            *({"simple_query_string": {
                "query": "Hospitals were shelled", "fields": [f"{field}^{DOCUMENT_RAW_BOOST}"],
                "default_operator": "or", "flags": SQS_FLAGS, "lenient": True,
                "analyze_wildcard": False}} for field in ("doc_words", "title", "source.text")),
        ], "minimum_should_match": 1}}],
        # Only first passages carry a whole document, and only they may be hits; one that
        # holds an excluded word anywhere is not scored whole.
        "filter": [{"terms": {"type": ["article"]}}, {"exists": {"field": "doc_stems"}}],
        "must_not": [{"simple_query_string": {
            "query": "camps", "fields": ["doc_words", "title", "topic", "source.text"],
            "default_operator": "and", "lenient": True}}],
    }}
    assert document_query("-camps", Filters()) is None  # every document would score alike


def test_a_query_of_stop_words_keeps_only_the_exact_leg() -> None:
    legs = keyword_query("the", Filters())["bool"]["must"][0]["bool"]["should"]
    assert [leg["simple_query_string"]["fields"] for leg in legs] == [
        [f"{field}^{RAW_BOOST}"] for field in KEYWORD_FIELDS]


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


def test_exclusions_filter_the_semantic_leg_as_they_filter_the_keyword_leg() -> None:
    from indexer.search.queries import exclusion_clauses, facets_body, knn_clause

    req = SearchRequest(q='aleppo -syria -"war crimes"', mode="semantic",
                        filters=Filters(types=("article",)))
    excluded = keyword_query(req.q, req.filters)["bool"]["must_not"]
    assert excluded == exclusion_clauses(["syria", '"war crimes"'])
    leg = semantic_search_body([QueryVector([0.1])], req, size=10)["knn"]
    assert leg["filter"] == [{"terms": {"type": ["article"]}}, {"bool": {"must_not": excluded}}]
    assert facets_body(req, [QueryVector([0.1])])["knn"] == leg
    hybrid = match_query(SearchRequest(q=req.q), [QueryVector([0.1])])["bool"]["should"]
    assert hybrid[1]["knn"]["filter"] == [{"bool": {"must_not": excluded}}]
    # No exclusion, no extra clause: ordinary queries send what they sent before.
    assert "filter" not in knn_clause([0.1], Filters(), q="aleppo")


def test_the_query_vector_is_encoded_without_the_exclusions() -> None:
    from indexer.search.vectors import semantic_text

    assert semantic_text('aleppo -syria -"war crimes" hospitals') == "aleppo hospitals"
    assert semantic_text("-syria aleppo\t-damascus") == "aleppo"
    assert semantic_text('"turkish border"~40 aleppo') == '"turkish border" aleppo'
    assert semantic_text("aleppo  OR idlib") == "aleppo OR idlib"  # only exclusions go
    assert semantic_text("well-known x-ray -") == "well-known x-ray -"  # hyphens are words
    assert semantic_text("-syria") == ""


def test_query_vectors_encode_the_query_without_its_exclusions() -> None:
    import time
    from typing import Any, cast

    from indexer.search.vectors import QueryVectors
    from indexer.settings import load_settings

    class Encoder:
        model_name, backend = "m", "b"

        def __init__(self) -> None:
            self.seen: list[str] = []

        def encode_query(self, text: str) -> list[float]:
            self.seen.append(text)
            return [0.0]

    encoder = Encoder()
    vectors = QueryVectors(cast(Any, None), cast(Any, encoder), load_settings({}))
    vectors._metas, vectors._metas_at = {}, time.monotonic()  # no node asked
    for mode in ("semantic", "hybrid"):
        assert vectors.for_request(SearchRequest(q="aleppo -syria", mode=mode))[0]
    assert encoder.seen == ["aleppo", "aleppo"]
    # Exclusions only: hybrid is the keyword leg alone; semantic has only the words to encode.
    assert vectors.for_request(SearchRequest(q="-syria", mode="hybrid")) == (None, None)
    assert vectors.for_request(SearchRequest(q="-syria", mode="semantic"))[0]
    assert encoder.seen[-1] == "-syria"


def test_date_histograms_bring_only_the_months_and_years_that_hold_matches() -> None:
    from indexer.search.queries import facet_aggs

    aggs = facet_aggs()
    for histogram in (aggs["date_year"], aggs["date_month"]["aggs"]["dates"],
                      aggs["date_year_only"]["aggs"]["dates"]):
        assert histogram["date_histogram"]["min_doc_count"] == 1


def test_a_month_of_the_date_facet_holds_no_date_that_is_only_a_year() -> None:
    from indexer.search.queries import facet_aggs

    aggs = facet_aggs()
    assert aggs["date_month"]["filter"] == {
        "bool": {"must_not": [{"terms": {"date_precision": ["year"]}}]}}
    assert aggs["date_year_only"]["filter"] == {"term": {"date_precision": "year"}}
    assert aggs["date_year_only"]["aggs"]["dates"]["date_histogram"]["format"] == "yyyy"
    assert "filter" not in aggs["date_year"]  # a year holds every date of its year


# ------------------------------------------------------------ query work (issue 11, item 8)


def test_short_and_repeated_prefixes_become_plain_words_once() -> None:
    from indexer.search.syntax import MAX_EXPANSIONS, MIN_EXPANSION_CHARS

    assert MIN_EXPANSION_CHARS == 3 and MAX_EXPANSIONS == 8
    positive, excluded = parse_keyword_query("a* " * 333)
    assert "*" not in positive and set(positive.split()) == {"a"} and excluded == []
    assert parse_keyword_query("climat* climat* polic* ab*") == ("climat* polic* ab", [])


def test_only_the_first_distinct_prefixes_keep_their_star() -> None:
    from indexer.search.syntax import MAX_EXPANSIONS

    words = [f"word{i:02d}" for i in range(20)]
    positive, _ = parse_keyword_query(" ".join(f"{w}*" for w in words))
    assert positive.split() == ([f"{w}*" for w in words[:MAX_EXPANSIONS]]
                                + words[MAX_EXPANSIONS:])


def test_exclusions_and_fuzzy_terms_share_the_bound() -> None:
    positive, excluded = parse_keyword_query(
        "harb* -harb* -x* idlib~2 a*b covid-19* (abcd*|efgh*)")
    assert positive == "harb* idlib~2 a*b covid-19* (abcd*|efgh*)"
    assert excluded == ["harb*", "x"]


def test_the_highlighter_looks_for_plain_words_only() -> None:
    from indexer.search.queries import HIGHLIGHT, highlight_body, keyword_search_body

    assert highlight_body("") == HIGHLIGHT
    body = highlight_body('climat* "hospitals were" -camps')
    assert {k: v for k, v in body.items() if k != "highlight_query"} == HIGHLIGHT
    assert "*" not in str(body["highlight_query"]) and "camps" not in str(body)
    assert body["highlight_query"] == highlight_body('climat "hospitals were"')["highlight_query"]
    leg = keyword_search_body(SearchRequest(q="climat*"), size=10)
    assert leg["highlight"] == highlight_body("climat*")
    assert "climat*" in str(leg["query"])


def test_a_search_cut_short_by_its_timeout_says_so() -> None:
    from indexer.search import results

    page = results.Page([], {}, 0, 0)
    req = SearchRequest(q="aid")
    assert "partial" not in results.search_page(req, page, took_ms=1.0, degraded=None)
    cut = results.Page([], {}, 0, 0, partial=True)
    assert results.search_page(req, cut, took_ms=1.0, degraded=None)["partial"] is True


def test_a_word_repeated_past_the_cap_is_dropped_outside_phrases() -> None:
    from indexer.search.syntax import MAX_WORD_REPEATS, cap_repeats

    assert parse_keyword_query("a* " * 333)[0] == " ".join(["a"] * MAX_WORD_REPEATS)
    many = " ".join(["aid"] * (MAX_WORD_REPEATS + 2))
    assert cap_repeats(f'{many} "aid aid aid aid aid aid aid aid aid aid" (aid) Aid') == \
        " ".join(["aid"] * MAX_WORD_REPEATS) + ' "aid aid aid aid aid aid aid aid aid aid" (aid)'
    assert cap_repeats("the council and the people of the region") == \
        "the council and the people of the region"


def test_a_repeated_word_is_kept_once_and_counted_words_of_one_stem_alike() -> None:
    from indexer.search.syntax import fold_repeats

    assert fold_repeats("somatotropin and bone, bone cells, bone diseases; somatotropin") == (
        "somatotropin and bone, cells, diseases;", {2: ["somatotropin"], 3: ["bone,"]})
    assert fold_repeats("Hospital hospitals T-cell t-cells the the") == (
        "Hospital T-cell the", {2: ["Hospital", "T-cell", "the"]})
    # Phrases and words with operators stay whole and are not counted; nor is a query with
    # "|", whose words' places are its meaning.
    assert fold_repeats('"aid aid" aid aid* aid') == ('"aid aid" aid aid*', {2: ["aid"]})
    assert fold_repeats("aid | aid relief") == ("aid | aid relief", {})
    assert fold_repeats("idlib shelling") == ("idlib shelling", {})


def test_a_repeated_word_weighs_by_a_saturating_factor() -> None:
    from indexer.search.queries import repeat_weight

    assert repeat_weight(1, 1.0) == 1.0
    assert repeat_weight(2, 1.0) == 4 / 3 and repeat_weight(3, 1.0) == 1.5
    assert repeat_weight(2, 0.0) == 1.0  # k3 = 0: said once, whatever the count
    assert repeat_weight(3, None) == 3.0  # Lucene's sum of the repeated clauses
    legs = keyword_query("bone growth bone", Filters(), k3=1.0)["bool"]["must"][0]["bool"]["should"]
    assert [(leg["simple_query_string"]["query"], leg["simple_query_string"]["fields"])
            for leg in legs] == [
        ("bone growth", ["stems"]), *(("bone growth", [f"{f}^{RAW_BOOST}"]) for f in KEYWORD_FIELDS),
        ("bone", ["stems^0.3333"]), *(("bone", [f"{f}^0.1"]) for f in KEYWORD_FIELDS)]
    # k3 = ∞ is the query as typed, each repeat a clause of its own, summed by Lucene.
    linear = keyword_query("bone growth bone", Filters(), k3=None)["bool"]["must"][0]["bool"]
    assert [leg["simple_query_string"]["query"] for leg in linear["should"]] == [
        "bone growth bone", *(["bone growth bone"] * len(KEYWORD_FIELDS))]
