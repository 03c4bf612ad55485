"""The searches one page of results sends to Elasticsearch, as pure data.

The searcher sends exactly these, and the query benchmarks (``bench.query``,
``bench.scale``) send them too, so what a benchmark measures is what a user gets.

A page is one msearch:

- keyword or semantic: that leg, collapsed to one hit per document and paged in
  Elasticsearch, then the facets (semantic: over the ``k`` nearest passages the page
  ranks); a second request counts how many passages of each shown document matched
  (:func:`passage_counts_search`);
- hybrid: the keyword leg and the semantic leg, each a window of passages that our
  own code fuses (``results.hybrid_results``), and where every collection searched
  carries its documents whole (``indices.WHOLE_DOCUMENT_SCHEMA``) and no speaker is
  asked for, the documents scored whole by the same words (:func:`document_search`):
  that score, not the best passage's, is a document's keyword score in the fusion. The
  facets are counted over exactly the passages these brought, in hand
  (``candidate_facets``), so the total and the facets describe the results the pages
  reach; a second request brings the highlights of the passages shown
  (:func:`highlights_search`) and the best passage of a document only its whole-document
  score brought (:func:`best_passages_search`).

Hybrid without query vectors (the model failed) is the keyword page.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

from indexer.search import queries
from indexer.search.queries import QueryVector
from indexer.search.request import SearchRequest

Search = tuple[dict[str, Any], dict[str, Any]]  # an msearch header and its body


def search_header(index: str) -> dict[str, Any]:
    """Where every search goes: an alias or index that may be missing or empty without error
    (a fresh install, a collection being replaced)."""
    return {"index": index, "ignore_unavailable": True, "allow_no_indices": True}


def page_kind(req: SearchRequest, vectors: Sequence[QueryVector] | None) -> str:
    """Which page is sent: ``keyword``, ``semantic`` or ``hybrid`` (both legs fused). A request
    without query vectors can only be answered by the keyword leg."""
    if req.mode == "keyword" or vectors is None:
        return "keyword"
    return req.mode


def page_searches(req: SearchRequest, vectors: Sequence[QueryVector] | None,
                  index: str, *, whole_documents: bool = False) -> list[Search]:
    """The msearch of one page, in order: the leg, then the facets (keyword, semantic); or
    the two legs of a hybrid page and, when ``whole_documents``, its document search (its
    highlights follow: :func:`highlights_search`)."""
    header = search_header(index)
    kind = page_kind(req, vectors)
    if kind == "keyword" or vectors is None:
        legs = [queries.keyword_search_body(req, size=req.size, offset=req.offset)]
    elif kind == "semantic":
        legs = [queries.semantic_search_body(vectors, req, size=req.size, offset=req.offset)]
    else:
        searches = [(header, queries.keyword_search_body(
                        req, size=queries.KEYWORD_CANDIDATES, collapsed=False,
                        highlighted=False)),
                    (header, queries.semantic_search_body(vectors, req, size=queries.SEMANTIC_K,
                                                          collapsed=False))]
        documents = document_search(req, index) if whole_documents else None
        return searches + ([documents] if documents else [])
    return [(header, body) for body in [*legs, queries.facets_body(req, vectors)]]


def document_search(req: SearchRequest, index: str) -> Search | None:
    """A hybrid page's documents scored whole by its words. None where that score would
    mislead: a speaker filter keeps passages, not documents (a meeting's record has many
    speakers), and a query of no positive words scores every document the same."""
    body = None if req.filters.speakers else queries.document_search_body(req)
    return None if body is None else (search_header(index), body)


def best_passages_search(req: SearchRequest, doc_keys: Collection[str],
                         index: str) -> Search | None:
    """The best keyword passage of each shown document that no leg brought a passage of."""
    if not doc_keys:
        return None
    return search_header(index), queries.best_passages_body(req, sorted(doc_keys))


def follow_up_searches(req: SearchRequest, legs: Sequence[Sequence[dict[str, Any]]],
                       shown: Sequence[dict[str, Any]], index: str) -> list[tuple[str, Search]]:
    """The second msearch of a hybrid page, each search named for what it brings: the
    ``highlights`` of the shown passages the legs brought (:func:`highlights_search`) and the
    ``best`` passages of the shown documents only their whole words brought, whose first
    passage ``legs[2]`` holds (:func:`best_passages_search`)."""
    sought = set(whole_only(legs, shown))
    first_of = {(h["_source"]["collection"], h["_id"]): h["_source"]["doc_key"]
                for hits in legs[2:] for h in hits}
    marks = highlights_search(req, [r for r in shown if _shown_as(r) not in sought], index)
    best = best_passages_search(req, {first_of[key] for key in sought}, index)
    return [(name, search) for name, search in (("highlights", marks), ("best", best))
            if search is not None]


def whole_only(legs: Sequence[Sequence[dict[str, Any]]],
               shown: Sequence[dict[str, Any]]) -> list[tuple[str, str]]:
    """The shown passages, as (collection, passage id), that only the document search brought
    (``legs[2]``): first passages standing in for their documents' best."""
    in_legs = set(leg_passages(legs[:2]))
    firsts = set(leg_passages(legs[2:]))
    return [key for key in map(_shown_as, shown) if key not in in_legs and key in firsts]


def _shown_as(result: dict[str, Any]) -> tuple[str, str]:
    return result["collection"], result["passage"]["id"]


def leg_passages(legs: Sequence[Sequence[dict[str, Any]]]) -> list[tuple[str, str]]:
    """Every passage the legs' hits brought, once each, as (collection, passage id): a passage
    id (``doc_id#n``) is unique only within its collection, as in ``results.passage_key``."""
    return sorted({(hit["_source"]["collection"], hit["_id"]) for hits in legs for hit in hits})


def highlights_search(req: SearchRequest, shown: Sequence[dict[str, Any]],
                      index: str) -> Search | None:
    """The highlights of the results a hybrid page shows, whichever leg brought them."""
    body = queries.highlights_body(req.q, [(r["collection"], r["passage"]["id"]) for r in shown
                                           if r["passage"].get("id")])
    return None if body is None else (search_header(index), body)


def msearch_lines(searches: Sequence[Search]) -> list[dict[str, Any]]:
    """The searches as the msearch API takes them: header, body, header, body..."""
    return [line for header, body in searches for line in (header, body)]


def doc_keys(hits: Sequence[dict[str, Any]]) -> list[str]:
    """The documents a page of hits shows, each once, in a stable order."""
    return sorted({hit["_source"]["doc_key"] for hit in hits})


def passage_counts_search(req: SearchRequest, vectors: Sequence[QueryVector] | None,
                          hits: Sequence[dict[str, Any]], index: str) -> Search | None:
    """The second request of a keyword or semantic page: how many passages of each shown
    document matched. None for a hybrid page (its candidates count them) or an empty one."""
    keys = doc_keys(hits)
    if page_kind(req, vectors) != "keyword" or not keys:
        return None
    return search_header(index), queries.passage_counts_body(req, keys)
