"""Query bodies as plain dicts, built by pure functions (tested by whole-dict equality).

The web app, the export and the benchmarks all build their Elasticsearch queries
here, so what a benchmark measures is what a user gets.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from indexer.search import dates
from indexer.search.request import Filters, SearchRequest
from indexer.search.syntax import fold_repeats, parse_keyword_query, plain_terms
from indexer.settings import Settings
from indexer.text.stemming import stem_query

# Fields the exact-word leg searches: the words, the title and the source (a record's stemmed
# context names its symbol, S/PV.8700, not "United Nations Security Council"). The stemmed
# field already carries the speaker, their country and the topic with every passage
# (``actions.context_line``): matching them again here cost the most of any clause at a
# million passages ("mr" in the speaker of most passages; BENCHMARKS.md §4).
KEYWORD_FIELDS = ("text", "title", "source.text")
# ``-word`` excludes a passage whose words, speaker, country, source or topic hold it.
EXCLUSION_FIELDS = ("text", "title", "speaker", "speaker_country", "topic", "source.text")
SQS_FLAGS = "OR|NOT|PHRASE|SLOP|PREFIX|FUZZY|WHITESPACE|PRECEDENCE|ESCAPE"  # SLOP: "a b"~N
# The stemmed field carries the ranking (it matched BEIR's BM25 on SciFact, see
# BENCHMARKS.md); exact words add a little and give the highlighter its terms.
RAW_BOOST = 0.3
SHINGLE_BOOST = 0.1  # adjacent-word bonus: higher values cost ranking quality on SciFact
SEMANTIC_K = 200  # passages the semantic leg retrieves: its whole "match set"
# Passages the keyword leg brings to the fusion. 150, not 200: the same nDCG@10 on the five
# quality sets (-0.0001 to +0.0015), and fewer passages scored and fetched by the slow half
# of a hybrid page at a million passages (BENCHMARKS.md §4).
KEYWORD_CANDIDATES = 150
# The whole document's fields, on its first passage (indices.WHOLE_DOCUMENT_SCHEMA): the
# title and source are on every passage already.
DOCUMENT_STEMS = "doc_stems"
DOCUMENT_FIELDS = ("doc_words", "title", "source.text")
DOCUMENT_EXCLUSION_FIELDS = ("doc_words", "title", "topic", "source.text")
# The exact words' weight in the document query, beside its stems at 1: among 0, 0.1, 0.2 and
# 0.3 (the passages' weight), SciFact's train queries rank 0 and 0.1 first, 0.001 apart (within
# the noise of re-indexing); 0.1, above 0 on each of the other four sets (BENCHMARKS.md §1,
# step 10, which says what that tie-break saw).
DOCUMENT_RAW_BOOST = 0.1
# A query's word said c times weighs c (Lucene sums repeats): k3 = ∞ (None) in (k3 + 1) c / (k3 + c);
# k3 = 1 lifts MED 0.013, costs CISI 0.011 (``bench.repeats``, BENCHMARKS.md §1, step 12).
QUERY_TF_K3: float | None = None
NUM_CANDIDATES_FACTOR = 2
MIN_NUM_CANDIDATES = 100  # kNN candidates per shard, however few results are asked for
FACET_SIZE = 20
# The speaker facet counts people (``speaker_id``); speakers no person was resolved for
# ("The President" of a record that does not name them) are counted by name beside them.
FACET_FIELDS = {"collection": "collection", "type": "type", "speaker": "speaker_id"}
HIGHLIGHT = {
    "encoder": "html",  # everything but the <mark> tags comes back HTML-escaped
    "pre_tags": ["<mark>"],
    "post_tags": ["</mark>"],
    "fields": {"text": {"number_of_fragments": 0}},
    "require_field_match": False,
}
SOURCE_EXCLUDES = ["embedding", "doc_text", "doc_stems", "metadata"]


# A name `_index` would take as a pattern, or as another collection's own index (``<name>-<the
# time stamp of indices.new_index_name>``): such names keep the exact ``collection`` term.
_NOT_ALIASABLE = re.compile(r"[^a-z0-9_-]|^[_-]|-\d{8}-\d{6}-\d{6}$")


def scoped(filters: Filters, settings: Settings) -> Filters:
    """``filters`` with its collections' aliases: filtered on those, they cost no work per passage."""
    names = () if any(_NOT_ALIASABLE.search(c) for c in filters.collections) else filters.collections
    return dataclasses.replace(filters, aliases=tuple(settings.alias(c) for c in names))


def filter_clauses(filters: Filters) -> list[dict[str, Any]]:
    clauses: list[dict[str, Any]] = []
    if filters.aliases:
        clauses.append({"terms": {"_index": list(filters.aliases)}})
    elif filters.collections:
        clauses.append({"terms": {"collection": list(filters.collections)}})
    if filters.types:
        clauses.append({"terms": {"type": list(filters.types)}})
    if filters.speakers:
        # A speaker is who holds the floor, or who is quoted in the passage.
        # The values are names as written and the ids of the people they name
        # (``speakers.expand_filters``): a person is found under every name they had.
        clauses.append({"bool": {"should": [
            {"terms": {"speaker.keyword": list(filters.speakers)}},
            {"terms": {"quote_speakers": list(filters.speakers)}},
            {"terms": {"speaker_id": list(filters.speakers)}},
            {"terms": {"quote_speaker_ids": list(filters.speakers)}},
        ], "minimum_should_match": 1}})
    if filters.date_from or filters.date_to:
        clauses.append(dates.date_range(filters.date_from, filters.date_to))
    return clauses


def repeat_weight(count: int, k3: float | None) -> float:
    """The weight of a word said ``count`` times in a query (``QUERY_TF_K3``)."""
    return float(count) if k3 is None else (k3 + 1) * count / (k3 + count)


def _match_clauses(positive: str, *, stems: str = "stems", words: Sequence[str] = KEYWORD_FIELDS,
                   raw_boost: float = RAW_BOOST, k3: float | None = QUERY_TF_K3
                   ) -> tuple[dict[str, Any], dict[str, Any]]:
    """What a non-empty positive query must match (stems, exact words), and the adjacent-word
    bonus. ``stems``, ``words`` and ``raw_boost``: the fields searched and the weight of the
    exact words (a passage's, or its document's whole); ``k3``: how a repeated word weighs."""
    once, repeated = fold_repeats(positive) if k3 is not None else (positive, {})
    legs = _word_legs(once, stems, words, raw_boost, 1.0)
    for count, repeats in sorted(repeated.items()):  # their weight beyond ``once``'s
        legs += _word_legs(" ".join(repeats), stems, words, raw_boost,
                           round(repeat_weight(count, k3) - 1.0, 4))
    return ({"bool": {"should": legs, "minimum_should_match": 1}},
            {"match": {"text.shingles": {"query": positive.replace("|", " "),
                                         "boost": SHINGLE_BOOST}}})


def _word_legs(text: str, stems: str, words: Sequence[str], raw_boost: float,
               weight: float) -> list[dict[str, Any]]:
    """``text`` on the stems and (``raw_boost`` as heavy) the exact words, all weighed ``weight``:
    one clause a field, boosted inside (same scores), so that Lucene merges all into one
    disjunction, and sees no nested quote can match plain words (no filter on each passage)."""
    if weight <= 0:
        return []
    scale = "" if weight == 1.0 else f"^{weight}"
    legs: list[dict[str, Any]] = [{"simple_query_string": {
        "query": text, "fields": [f"{field}^{round(raw_boost * weight, 4)}"],
        "default_operator": "or", "flags": SQS_FLAGS, "lenient": True,
        "analyze_wildcard": False}} for field in words]
    stemmed = stem_query(text)
    if stemmed.strip(' |"()'):
        legs.insert(0, {"simple_query_string": {
            "query": stemmed, "fields": [stems + scale], "default_operator": "or",
            "flags": SQS_FLAGS, "lenient": True, "analyze_wildcard": False}})
    return legs


def keyword_query(q: str, filters: Filters, *, k3: float | None = QUERY_TF_K3
                  ) -> dict[str, Any]:
    """BM25 over the stemmed passage-with-context field, plus a lighter exact-word match on the
    raw fields (it also drives the highlights); odd syntax never errors (lenient)."""
    positive, excluded = parse_keyword_query(q)
    must: list[dict[str, Any]] = []
    should: list[dict[str, Any]] = []
    if positive:
        matched, bonus = _match_clauses(positive, k3=k3)
        must.append(matched)
        should.append(bonus)
    else:
        must.append({"match_all": {}})
    must_not = exclusion_clauses(excluded)
    query: dict[str, Any] = {"must": must, "filter": filter_clauses(filters)}
    if should:
        query["should"] = should
    if must_not:
        query["must_not"] = must_not
    return {"bool": query}


def document_query(q: str, filters: Filters, *,
                   raw_boost: float = DOCUMENT_RAW_BOOST, k3: float | None = QUERY_TF_K3
                   ) -> dict[str, Any] | None:
    """The keyword query on each document whole, for the document-level keyword score of a
    hybrid page: the same clauses as :func:`keyword_query` on the whole document's stems and
    words, which ride on its first passage only, its exact words weighed ``raw_boost``
    (``bench.documents`` sweeps it), without the adjacent-word bonus (its shingles would
    index every document's text once more). None when the query has no positive words
    (every document would score the same)."""
    positive, excluded = parse_keyword_query(q)
    if not positive:
        return None
    matched, _ = _match_clauses(positive, stems=DOCUMENT_STEMS, words=DOCUMENT_FIELDS,
                                raw_boost=raw_boost, k3=k3)
    query: dict[str, Any] = {"must": [matched], "filter": [
        *filter_clauses(filters), {"exists": {"field": DOCUMENT_STEMS}}]}
    # ``-word`` excludes passages. A document that holds it anywhere is not scored whole (its
    # other passages still come through the keyword leg): otherwise it would be counted, and
    # shown, for words that stand beside the excluded one.
    must_not = exclusion_clauses(excluded, DOCUMENT_EXCLUSION_FIELDS)
    if must_not:
        query["must_not"] = must_not
    return {"bool": query}


def highlight_body(q: str) -> dict[str, Any]:
    """``HIGHLIGHT`` with a query of the search's plain words: the same terms the keyword leg
    matches, but its prefix and fuzzy terms as plain words, so that highlighting never
    expands them over every passage of the page (it cost 20 s for 333 prefixes)."""
    plain = plain_terms(parse_keyword_query(q)[0])
    if not plain.strip(' |"()'):
        return HIGHLIGHT
    matched, bonus = _match_clauses(plain)
    return {**HIGHLIGHT, "highlight_query": {"bool": {"should": [matched, bonus]}}}


def exclusion_clauses(excluded: Sequence[str], fields: Sequence[str] = EXCLUSION_FIELDS
                      ) -> list[dict[str, Any]]:
    """What ``-word`` and ``-"a phrase"`` exclude, as ``must_not`` clauses: the keyword query
    and the kNN filter of the semantic leg apply the same ones (the document query, on the
    document's whole words)."""
    return [{"simple_query_string": {"query": term, "fields": list(fields),
                                     "default_operator": "and", "lenient": True}}
            for term in excluded]


def semantic_filter(q: str, filters: Filters) -> list[dict[str, Any]]:
    """The filter of every kNN clause: the request's filters and the query's exclusions. Its
    collections by their term: Elasticsearch keeps a term's passages between kNN searches, and
    an alias filter cost them 5 ms more at a million passages (BENCHMARKS.md §4)."""
    clauses = filter_clauses(dataclasses.replace(filters, aliases=()))
    excluded = exclusion_clauses(parse_keyword_query(q)[1])
    if excluded:
        clauses.append({"bool": {"must_not": excluded}})
    return clauses


@dataclass(frozen=True)
class QueryVector:
    """A query's vector from one model on one backend, and the collections whose passage
    vectors came from that same encoder (None: every collection searched)."""

    vector: list[float]
    collections: tuple[str, ...] | None = None


def knn_clause(vector: list[float], filters: Filters, *, k: int = SEMANTIC_K,
               collections: tuple[str, ...] | None = None, q: str = "") -> dict[str, Any]:
    """One kNN clause; ``q``'s ``-exclusions`` filter it as they filter the keyword leg."""
    clause: dict[str, Any] = {
        "field": "embedding", "query_vector": vector, "k": k,
        "num_candidates": max(k * NUM_CANDIDATES_FACTOR, MIN_NUM_CANDIDATES),
    }
    clauses = semantic_filter(q, filters)
    if collections is not None:
        clauses.append({"terms": {"collection": list(collections)}})
    if clauses:
        clause["filter"] = clauses
    return clause


def knn_clauses(vectors: Sequence[QueryVector], filters: Filters, *,
                k: int = SEMANTIC_K, q: str = "") -> list[dict[str, Any]]:
    """One kNN clause per encoder: collections indexed by different encoders are each searched
    with a query vector from their own (the clauses' collection filters do not overlap)."""
    return [knn_clause(v.vector, filters, k=k, collections=v.collections, q=q) for v in vectors]


def top_knn(vectors: Sequence[QueryVector], req: SearchRequest) -> dict[str, Any] | list[
        dict[str, Any]]:
    """The semantic leg as a top-level ``knn``: the ``k`` nearest passages over all the
    collections searched, the set a semantic page ranks, counts and facets."""
    clauses = knn_clauses(vectors, req.filters, q=req.q)
    return clauses[0] if len(clauses) == 1 else clauses


def collapse() -> dict[str, Any]:
    """One hit per document (how many of its passages matched: passage_counts_body)."""
    return {"field": "doc_key"}


def passage_counts_body(req: SearchRequest, doc_keys: Sequence[str]) -> dict[str, Any]:
    """Matching passages per document, for the documents of one keyword page: only a keyword
    page counts them so (a semantic page's come with its facets: :func:`facets_body`; a
    hybrid page's candidates count them)."""
    return {
        "size": 0, "track_total_hits": False,
        "query": {"bool": {"must": [keyword_query(req.q, req.filters)],
                           "filter": [{"terms": {"doc_key": list(doc_keys)}}]}},
        "aggs": {"per_doc": {"terms": {"field": "doc_key", "size": len(doc_keys)}}},
    }


def _page(size: int, offset: int, collapsed: bool) -> dict[str, Any]:
    body: dict[str, Any] = {"from": offset, "size": size,
                            "_source": {"excludes": SOURCE_EXCLUDES}, "track_total_hits": False}
    if collapsed:
        body["collapse"] = collapse()
    return body


def keyword_search_body(req: SearchRequest, *, size: int, offset: int = 0,
                        collapsed: bool = True, highlighted: bool = True) -> dict[str, Any]:
    """Keyword leg: one hit per document (keyword mode), or passages (hybrid, fused per
    passage). The hybrid leg is not highlighted: it brings 150 candidates of which a page
    shows 10, and highlighting was most of its cost (:func:`highlights_body` marks those 10)."""
    body = {"query": keyword_query(req.q, req.filters), **_page(size, offset, collapsed)}
    if highlighted:
        body["highlight"] = highlight_body(req.q)
    return body


def document_search_body(req: SearchRequest, *,
                         raw_boost: float = DOCUMENT_RAW_BOOST) -> dict[str, Any] | None:
    """The documents a hybrid page scores whole (:func:`document_query`), as many as the
    keyword leg brings passages; each hit is the document's first passage."""
    query = document_query(req.q, req.filters, raw_boost=raw_boost)
    if query is None:
        return None
    return {"query": query, **_page(KEYWORD_CANDIDATES, 0, False)}


def best_passages_body(req: SearchRequest, doc_keys: Sequence[str]) -> dict[str, Any]:
    """The best keyword passage of each of these documents, highlighted: what a hybrid page
    shows of a document that only its whole-document score brought."""
    return {"query": {"bool": {"must": [keyword_query(req.q, req.filters)],
                               "filter": [{"terms": {"doc_key": list(doc_keys)}}]}},
            **_page(len(doc_keys), 0, True), "highlight": highlight_body(req.q)}


def passages_query(passages: Sequence[tuple[str, str]]) -> dict[str, Any]:
    """Exactly these passages, given as (collection, passage id), over the all-collections
    alias: an ``ids`` query alone would also match another collection's passage of the same
    id."""
    by_collection: dict[str, list[str]] = {}
    for collection, pid in passages:
        by_collection.setdefault(collection, []).append(pid)
    return {"bool": {"should": [
        {"bool": {"filter": [{"term": {"collection": collection}}, {"ids": {"values": ids}}]}}
        for collection, ids in by_collection.items()], "minimum_should_match": 1}}


def highlights_body(q: str, passages: Sequence[tuple[str, str]]) -> dict[str, Any] | None:
    """The keyword highlights of the passages a hybrid page shows, whichever leg brought them,
    given as (collection, passage id). None when the query has no plain words to mark."""
    marks = highlight_body(q)
    if not passages or "highlight_query" not in marks:
        return None
    return {"query": passages_query(passages), "size": len(passages), "_source": ["collection"],
            "track_total_hits": False, "highlight": marks}


def semantic_search_body(vectors: Sequence[QueryVector], req: SearchRequest, *, size: int,
                         offset: int = 0, collapsed: bool = True) -> dict[str, Any]:
    return {"knn": top_knn(vectors, req), **_page(size, offset, collapsed)}


def match_query(req: SearchRequest, vectors: Sequence[QueryVector] | None) -> dict[str, Any]:
    """What the request matched in its mode, as one query: the set facets and totals count.

    Hybrid counts the union of both legs, not one leg only.
    """
    keyword = keyword_query(req.q, req.filters)
    if req.mode == "keyword" or not vectors:
        return keyword
    clauses = [{"knn": c} for c in knn_clauses(vectors, req.filters, q=req.q)]
    semantic = clauses[0] if len(clauses) == 1 else {
        "bool": {"should": clauses, "minimum_should_match": 1}}
    if req.mode == "semantic":
        return semantic
    return {"bool": {"should": [keyword, semantic], "minimum_should_match": 1}}


def facet_aggs() -> dict[str, Any]:
    """Document counts (not passage counts) by collection, type, speaker and date."""
    per_doc = {"docs": {"cardinality": {"field": "doc_key"}}}
    aggs: dict[str, Any] = {
        name: {"terms": {"field": fld, "size": FACET_SIZE, "order": {"docs": "desc"}},
               "aggs": per_doc}
        for name, fld in FACET_FIELDS.items()
    }
    aggs["speaker_unresolved"] = {
        "filter": {"bool": {"must_not": {"exists": {"field": "speaker_id"}}}},
        "aggs": {"names": {"terms": {"field": "speaker.keyword", "size": FACET_SIZE,
                                     "order": {"docs": "desc"}}, "aggs": per_doc}}}
    # Months and years that hold matches, a year-only date in no month (``dates.facet_aggs``);
    # ``results.facets`` fills the gaps, up to ``dates.MAX_DATE_BUCKETS``.
    aggs.update(dates.facet_aggs(per_doc))
    aggs["total_docs"] = {"cardinality": {"field": "doc_key", "precision_threshold": 40000}}
    return aggs


def facets_body(req: SearchRequest, vectors: Sequence[QueryVector] | None) -> dict[str, Any]:
    """The facets of a keyword or semantic page: over every keyword match, or over the ``k``
    nearest passages the semantic page ranks (not the ``k`` nearest of each index)."""
    if req.mode == "semantic" and vectors:
        # The page's passage counts come with the facets: the same ``k`` passages, so a
        # second kNN search for them (as keyword pages need) would only repeat this one.
        knn = top_knn(vectors, req)
        ranked = SEMANTIC_K * (len(knn) if isinstance(knn, list) else 1)
        return {"knn": knn, "size": 0, "track_total_hits": True,
                "aggs": {**facet_aggs(),
                         "per_doc": {"terms": {"field": "doc_key", "size": ranked}}}}
    return {"query": match_query(req, vectors), "size": 0, "aggs": facet_aggs(),
            "track_total_hits": True}

