"""Elasticsearch's answers shaped into the dicts the API returns and the pages render.

Pure functions of the responses (no client, no model), so each shape is tested on a
plain dict: a hit, the facets, a page of search results, quotes, export rows and a
document.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from indexer.documents import date_precision
from indexer.search import dates, hybrid
from indexer.search.queries import FACET_FIELDS, FACET_SIZE
from indexer.search.request import SearchRequest


@dataclass(frozen=True)
class Page:
    """One page of results with its facets; ``pageable`` is how many results paging can reach
    (``request.reachable``: never past ``MAX_DEPTH``, and hybrid ranks only the candidates
    its searches brought, which may be fewer than ``total``)."""

    results: list[dict[str, Any]]
    facets: dict[str, Any]
    total: int
    pageable: int
    partial: bool = False  # Elasticsearch's search timeout cut the search short


def hits_of(response: dict[str, Any]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = response["hits"]["hits"]
    return found


def precision(source: Mapping[str, Any]) -> str | None:
    """How much of its date the document's source gave (``year``, ``month``, ``day``): the
    stored precision, else the date's own form (``date`` is stored as the source gave it)."""
    stored = source.get("date_precision")
    return str(stored) if stored else date_precision(source.get("date"))


def quote_list(source: dict[str, Any]) -> list[dict[str, Any]]:
    """The quotations a passage holds, as every result lists them."""
    return [{"text": q.get("text"), "speaker": q.get("speaker"),
             "speaker_id": q.get("speaker_id"), "offset": q.get("offset_start")}
            for q in source.get("quotes", [])]


def shape_hit(hit: dict[str, Any], *, keyword_rank: int | None, semantic_rank: int | None,
              fused: float | None, more_passages: int | None = None) -> dict[str, Any]:
    """One search result: the document, the passage shown with its highlights, and the ranks
    that explain its place."""
    source = hit["_source"]
    highlights = hit.get("highlight", {}).get("text") or []
    return {
        "doc_id": source.get("doc_id"),
        "collection": source.get("collection"),
        "type": source.get("type"),
        "title": source.get("title"),
        "date": source.get("date"),
        "date_precision": precision(source),
        "source": source.get("source"),
        "speaker": source.get("speaker"),
        "speaker_id": source.get("speaker_id"),
        "speaker_country": source.get("speaker_country"),
        "symbol": source.get("symbol"),
        "url": source.get("url"),
        "passage": {
            "id": hit.get("_id"),
            "number": source.get("passage_no"),
            "text": source.get("text", ""),
            "highlights": list(highlights),
            "offset": source.get("offset_start"),
            "end": source.get("offset_end"),
        },
        "more_passages": max(more_passages or 0, 0),
        "quotes": quote_list(source),
        "ranks": {"keyword": keyword_rank, "semantic": semantic_rank,
                  "fused": round(float(fused), 6) if fused is not None else None},
    }


def leg_results(hits: Sequence[dict[str, Any]], counts: dict[str, int], *, offset: int,
                keyword: bool) -> list[dict[str, Any]]:
    """A keyword or semantic page: Elasticsearch's order is the rank in that leg; ``counts``
    are the matching passages per document (the one shown included)."""
    out = []
    for i, hit in enumerate(hits):
        rank = offset + i + 1
        out.append(shape_hit(hit, keyword_rank=rank if keyword else None,
                             semantic_rank=None if keyword else rank, fused=hit.get("_score"),
                             more_passages=counts.get(hit["_source"]["doc_key"], 1) - 1))
    return out


def passage_key(hit: dict[str, Any]) -> str:
    """A passage's identity across collections: its id is unique only within its collection
    (``doc_id#n``), so the document key (``collection/doc_id``) goes in front."""
    return f"{hit['_source'].get('doc_key')}|{hit['_id']}"


def hybrid_results(req: SearchRequest, keyword_hits: Sequence[dict[str, Any]],
                   semantic_hits: Sequence[dict[str, Any]],
                   exact: Mapping[str, float] | None = None,
                   whole: Sequence[dict[str, Any]] | None = None
                   ) -> tuple[list[dict[str, Any]], int]:
    """The requested window of a hybrid page, and how many documents the fusion ranked.

    The legs return passages. Documents are ranked by fusing each leg's best passage per
    document (a document whose title matches the words and whose second paragraph matches
    the meaning gets both), or, given ``whole`` (the documents scored whole by the same
    words, ``plan.document_search``, each hit a first passage), their whole-document scores
    on the keyword side; a document the keyword leg brought and ``whole`` did not ranks
    below those at their lowest score. The passage shown is the one that fuses best on its
    own, so it is best on both counts (a quotation's own paragraph, not a neighbour sharing
    a word); a document only ``whole`` brought shows its first passage until
    ``plan.best_passages_search`` finds its best.
    """
    hits = {passage_key(h): h for h in whole or ()}
    hits.update({passage_key(h): h for h in semantic_hits})
    hits.update({passage_key(h): h for h in keyword_hits})
    doc_of = {pid: hit["_source"]["doc_key"] for pid, hit in hits.items()}
    kw_passages = hybrid.ranked([(passage_key(h), h["_score"]) for h in keyword_hits])
    sem_passages = hybrid.ranked([(passage_key(h), h["_score"]) for h in semantic_hits])
    keyword_documents = [(doc_of[r.doc_id], r.score) for r in kw_passages]
    if whole is not None:
        # A document the passage leg found but the document search did not (a long record
        # whose one strong passage weighs little in its whole) keeps its place among the
        # candidates, below every document scored whole, at the lowest whole score.
        scored = [(h["_source"]["doc_key"], float(h["_score"])) for h in whole]
        floor = min((score for _, score in scored), default=0.0)
        keyword_documents = [*scored, *((doc, floor) for doc, _ in keyword_documents)]
    documents = hybrid.fuse(
        hybrid.ranked(keyword_documents),
        hybrid.ranked([(doc_of[r.doc_id], r.score) for r in sem_passages]),
        method=req.fusion, alpha=req.alpha)
    passages = hybrid.best_per_group(
        hybrid.fuse(kw_passages, sem_passages, method=req.fusion, alpha=req.alpha),
        lambda pid: doc_of[pid])
    shown = {h["_source"]["doc_key"]: (passage_key(h), 0) for h in whole or ()}
    shown.update({doc_of[best.doc_id]: (best.doc_id, others) for best, others in passages})
    if exact:  # documents holding a pasted quotation's wording first (``exact``)
        closest: dict[str, tuple[float, str]] = {}
        for pid, similarity in exact.items():
            if pid in doc_of and similarity > closest.get(doc_of[pid], (-1.0, ""))[0]:
                closest[doc_of[pid]] = (similarity, pid)
        for doc_key, (_, pid) in closest.items():
            shown[doc_key] = (pid, shown[doc_key][1])
        documents = sorted(documents, key=lambda d: -closest[d.doc_id][0]
                           if d.doc_id in closest else 1.0)
    window = []
    for doc in documents[req.offset:req.offset + req.size]:
        passage_id, others = shown[doc.doc_id]
        window.append(shape_hit(hits[passage_id], keyword_rank=doc.keyword_rank,
                                semantic_rank=doc.semantic_rank, fused=doc.score,
                                more_passages=others))
    return window, len(documents)


def add_best_passages(shown: list[dict[str, Any]], sought: Sequence[tuple[str, str]],
                      response: dict[str, Any]) -> None:
    """Show each document only its whole-document score brought by its best passage
    (``queries.best_passages_body``, one hit per document), its place and ranks kept.
    ``sought``: those documents' shown passages, as (collection, passage id); one of them with
    no passage found had every passage that holds the words excluded (``-word``), and goes."""
    best = {(hit["_source"].get("collection"), hit["_source"].get("doc_id")): hit
            for hit in hits_of(response)}
    sought_set = set(sought)
    kept = []
    for result in shown:
        hit = best.get((result.get("collection"), result.get("doc_id")))
        if hit is not None:
            ranks = result["ranks"]
            result = shape_hit(hit, keyword_rank=ranks["keyword"],
                               semantic_rank=ranks["semantic"], fused=ranks["fused"])
        elif (result.get("collection"), result["passage"].get("id")) in sought_set:
            continue
        kept.append(result)
    shown[:] = kept


def add_highlights(shown: Sequence[dict[str, Any]], response: dict[str, Any]) -> None:
    """Put the highlights a hybrid page's second request found into its results."""
    marked = {(h.get("_source", {}).get("collection"), h["_id"]):
              h.get("highlight", {}).get("text") or [] for h in hits_of(response)}
    for result in shown:
        passage = result["passage"]
        found = marked.get((result.get("collection"), passage.get("id")))
        if found:
            passage["highlights"] = list(found)


def passage_counts(response: dict[str, Any]) -> dict[str, int]:
    """Matching passages per document, from ``queries.passage_counts_body``'s aggregation."""
    aggs = response.get("aggregations", {})
    per_doc = aggs.get("per_doc") or aggs.get("shown", {}).get("per_doc", {})
    buckets = per_doc.get("buckets", [])
    return {b["key"]: int(b["doc_count"]) for b in buckets}


def facets(response: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    """The matching documents' total and their counts by collection, type, speaker and date
    (``dates.facet``: by month over a few years, a year-only date apart; by year, decade,
    century or millennium over more)."""
    aggs = response.get("aggregations") or {}

    def terms(name: str) -> list[dict[str, Any]]:
        return [{"value": b["key"], "count": int(b["docs"]["value"])}
                for b in aggs.get(name, {}).get("buckets", [])]

    found: dict[str, Any] = {name: terms(name) for name in FACET_FIELDS}
    # People by id (``value`` is the id until the searcher names them), then speakers no
    # person was resolved for, by name; one list, the most documents first.
    people = [{**b, "id": b["value"]} for b in found["speaker"]]
    unnamed = [{"value": b["key"], "count": int(b["docs"]["value"]), "id": None}
               for b in aggs.get("speaker_unresolved", {}).get("names", {}).get("buckets", [])]
    found["speaker"] = sorted(people + unnamed, key=lambda b: -b["count"])[:FACET_SIZE]
    found.update(dates.facet(aggs))
    total = int(aggs.get("total_docs", {}).get("value", 0))
    return total, found


def search_page(req: SearchRequest, page: Page, *, took_ms: float,
                degraded: str | None) -> dict[str, Any]:
    """The body of a search response: the page, how it was ranked, and whether hybrid fell
    back to keywords (``degraded`` says why)."""
    hybrid_mode = req.mode == "hybrid"
    body: dict[str, Any] = {
        "total": page.total,
        "pageable": page.pageable,
        "took_ms": took_ms,
        "mode": req.mode,
        "fusion": req.fusion if hybrid_mode else None,
        "alpha": req.alpha if hybrid_mode and req.fusion == "linear" else None,
        "page": req.page,
        "size": req.size,
        "results": page.results,
        "facets": page.facets,
    }
    if page.partial:  # Elasticsearch's search timeout cut the search short: results so far
        body["partial"] = True
    if degraded and hybrid_mode:
        body["degraded"] = f"keyword results only: {degraded}"
    return body


def quotes(response: dict[str, Any]) -> list[dict[str, Any]]:
    """Every quotation found (a passage's inner hits), with the document it is in."""
    out = []
    for hit in hits_of(response):
        source = hit["_source"]
        for inner in hit["inner_hits"]["quotes"]["hits"]["hits"]:
            quote = inner["_source"]
            marked = inner.get("highlight", {}).get("quotes.text")
            out.append({
                "text": quote.get("text"),
                "highlight": marked[0] if marked else html.escape(quote.get("text") or ""),
                "speaker": quote.get("speaker"),
                "speaker_id": quote.get("speaker_id"),
                "doc_id": source.get("doc_id"),
                "collection": source.get("collection"),
                "title": source.get("title"),
                "date": source.get("date"),
                "date_precision": precision(source),
                "source": source.get("source"),
                "offset": quote.get("offset_start"),
                "score": inner.get("_score"),
            })
    return out


def quote_total(response: dict[str, Any]) -> int:
    """How many quotations matched (not passages): the ``quotes`` aggregation's count."""
    count: int = response["aggregations"]["quotes"]["matching"]["doc_count"]
    return count


def export_row(hit: dict[str, Any]) -> dict[str, Any]:
    """One exported passage (JSON lines or a CSV row)."""
    source = hit["_source"]
    return {
        "doc_id": source.get("doc_id"), "collection": source.get("collection"),
        "type": source.get("type"), "title": source.get("title"),
        "date": source.get("date"), "date_precision": precision(source),
        "source": source.get("source"), "speaker": source.get("speaker"),
        "url": source.get("url"),
        "passage_no": source.get("passage_no"),
        "offset": source.get("offset_start"), "score": hit.get("_score"),
        "text": source.get("text"),
        "quotes": quote_list(source),
    }


def document(doc_id: str, hits: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """A whole document from its passages, in order. An id found in several collections
    shows the first collection's copy. ``hits`` must not be empty."""
    first_collection = hits[0]["_source"]["collection"]
    passages = [h["_source"] for h in hits if h["_source"]["collection"] == first_collection]
    head = passages[0]
    return {
        "doc_id": doc_id,
        "collection": first_collection,
        "type": head.get("type"),
        "title": head.get("title"),
        "date": head.get("date"),
        "date_precision": precision(head),
        "source": head.get("source"),
        "url": head.get("url"),
        "author": head.get("author"),
        "symbol": head.get("symbol"),
        "topic": head.get("topic"),
        "speaker": head.get("speaker") if head.get("type") == "speech" else None,
        "text": head.get("doc_text", ""),
        "metadata": head.get("metadata") or {},
        "passages": [{
            "number": p.get("passage_no"), "offset": p.get("offset_start"),
            "end": p.get("offset_end"), "speaker": p.get("speaker"),
            "speaker_country": p.get("speaker_country"), "text": p.get("text"),
        } for p in passages],
        "quotes": [{"text": q.get("text"), "speaker": q.get("speaker"),
                    "speaker_id": q.get("speaker_id"),
                    "offset": q.get("offset_start"), "end": q.get("offset_end"),
                    "passage": p.get("passage_no")}
                   for p in passages for q in p.get("quotes", [])],
    }


_BLANK_LINE = re.compile(r"\n[ \t\r\f\v]*\n\s*")
_LINE_BREAK = re.compile(r"\n\s*")


def paragraph_spans(text: str) -> list[dict[str, int]]:
    """The document's own paragraphs as ``{"start", "end"}`` offsets into ``text``, whitespace
    trimmed: passages are cut for the model, not for readers, so the document view lays the
    text out by these (a wire story's standfirst and dateline paragraph are one passage but
    two paragraphs). Paragraphs are separated by blank lines; a text with none (one line per
    paragraph, as some records are kept) is cut at its line breaks instead."""
    breaks = _BLANK_LINE if _BLANK_LINE.search(text) else _LINE_BREAK
    spans: list[dict[str, int]] = []
    cursor = 0
    for match in [*breaks.finditer(text), None]:
        stop = match.start() if match else len(text)
        start, end = cursor, stop
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if end > start:
            spans.append({"start": start, "end": end})
        cursor = match.end() if match else len(text)
    return spans
