"""The one read path: every search, export and document view goes through ``Searcher``.

The HTML pages, the JSON API and the benchmarks all call it, and it is the only code
that calls ``client.search``/``msearch``. It composes the rest of the package: the
query vectors (``vectors``), the searches a page sends (``plan``, over the bodies of
``queries``), the fusion (``hybrid``), the shaping of the answers (``results``) and the
semantic highlights (``highlight``). It returns plain dicts shaped for the API; the
pages render the same dicts. Every Elasticsearch failure leaves it as a
``VerbatimError`` through ``indexer.errors``.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import time
from collections.abc import Iterator
from typing import Any

from elastic_transport import ApiResponseMeta
from elasticsearch import ApiError, Elasticsearch
from elasticsearch.exceptions import HTTP_EXCEPTIONS

from indexer.errors import (
    TRANSIENT_STATUSES,
    NotFound,
    SearchUnavailable,
    VerbatimError,
    elasticsearch_errors,
    error_cause,
    translate,
)
from indexer.model.embedder import Embedder
from indexer.people.store import resolve_names
from indexer.search import (
    candidate_facets,
    exact,
    highlight,
    phrases,
    plan,
    queries,
    reads,
    results,
    speakers,
)
from indexer.search.queries import QueryVector
from indexer.search.request import SEARCH_TIMEOUT, Filters, SearchRequest, reachable
from indexer.search.vectors import QueryVectors, semantic_text
from indexer.settings import Settings

MSEARCH_ATTEMPTS = 4
MSEARCH_BACKOFF_S = 0.25  # seconds, times the attempt number
# What an msearch item answers for an index that vanished mid-search (a collection replaced).
EMPTY_RESPONSE: dict[str, Any] = {"hits": {"hits": [], "total": {"value": 0}}, "aggregations": {}}

log = logging.getLogger(__name__)


@dataclasses.dataclass(frozen=True)
class Prepared:
    """A request ready to send (``Searcher.prepare``): ``req`` with its phrases relaxed and
    speakers widened, its query vectors (None: keywords only, ``degraded`` says why when
    that was not asked for) and the phrases relaxed, each with its level."""

    req: SearchRequest
    vectors: list[QueryVector] | None
    degraded: str | None
    relaxed: list[dict[str, str]]


class Searcher:
    """Searches, quotes, exports and documents from the all-collections alias.

    ``vectors`` makes the query vectors; by default one is built from ``embedder`` and
    ``settings`` (a test or benchmark may pass its own).
    """

    def __init__(self, client: Elasticsearch, embedder: Embedder | None, settings: Settings,
                 *, vectors: QueryVectors | None = None) -> None:
        # A user's search that timed out is not sent again: it would cost the node as much again.
        self.client = client.options(retry_on_timeout=False)
        self.embedder = embedder
        self.settings = settings
        self.index = settings.all_alias
        self.vectors = vectors or QueryVectors(client, embedder, settings)

    def warm(self) -> None:
        """Load every encoder the current collections need, before the first request; a
        failure of the app's own model raises ``ModelError``."""
        self.vectors.warm()

    # ------------------------------------------------------------ search

    def search(self, req: SearchRequest, *, mark_semantic: bool = True) -> dict[str, Any]:
        """One page of results with facets. ``mark_semantic=False`` skips encoding the page's
        sentences for semantic highlights (benchmarks that only need the ranking)."""
        started = time.perf_counter()
        asked, prepared = req.q, self.prepare(req)
        req, vectors = prepared.req, prepared.vectors
        with elasticsearch_errors():
            page = self._page(req, vectors, relaxed=(asked, prepared.relaxed))
            page.facets["speaker"] = speakers.name_facet(self.client, self.settings,
                                                         page.facets.get("speaker", []))
            self._provenance(page.results)
        semantic = vectors is not None and req.mode != "keyword"
        if semantic and mark_semantic and self.embedder is not None:
            highlight.mark_semantic(self.embedder.encode_sentences_cheaply,
                                    semantic_text(asked) or asked, page.results)
        body = results.search_page(req, page, took_ms=_elapsed_ms(started),
                                   degraded=prepared.degraded)
        body["phrase_fallback"] = bool(prepared.relaxed)
        if prepared.relaxed:
            body["unmatched_phrases"] = prepared.relaxed
        return body

    def prepare(self, req: SearchRequest) -> Prepared:
        """``req`` as every page that counts its matches sends it (the search page and the
        timeline, so that they count the same): quoted phrases that match nothing relaxed,
        its query vectors (of the query as asked: a relaxed phrase is for the keyword leg),
        speaker names widened to people (before phrases are checked: a phrase said under
        another of the person's names is found). Semantic mode without the model is refused
        (``SearchUnavailable``); hybrid falls back to keywords (``degraded``)."""
        with elasticsearch_errors():
            self.vectors.require_known(req.filters.collections)
        req = dataclasses.replace(req, filters=queries.scoped(req.filters, self.settings))
        vectors, degraded = self.vectors.for_request(req)
        if req.mode == "semantic" and vectors is None:
            raise SearchUnavailable(f"semantic search needs the model, which failed: {degraded}")
        with elasticsearch_errors():
            req = self.by_person(req)
        req, relaxed = self.forgiving(req)
        return Prepared(req, vectors, degraded, relaxed)

    def forgiving(self, req: SearchRequest) -> tuple[SearchRequest, list[dict[str, str]]]:
        """The request with each quoted phrase that matches nothing relaxed (``phrases``),
        and what was relaxed how; phrases that match exactly are kept."""
        wanted = phrases.quoted(req.q)
        if not wanted or req.mode == "semantic":
            return req, []
        with elasticsearch_errors():
            exact = self._exists([phrases.exact_form(p, slop) for p, slop in wanted.items()],
                                 req.filters)
            missing = [p for p, found in zip(wanted, exact, strict=True) if not found]
            if not missing:
                return req, []
            near = self._exists([phrases.near_form(p, wanted[p]) for p in missing],
                                req.filters)
        levels = {p: "near" if found else "words" for p, found in zip(missing, near, strict=True)}
        q = req.q
        for level in phrases.LEVELS:
            q = phrases.relax(q, [p for p, chosen in levels.items() if chosen == level], level)
        return dataclasses.replace(req, q=q), [{"phrase": p, "level": levels[p]}
                                               for p in missing]

    def _exists(self, forms: list[str], filters: Filters) -> list[bool]:
        responses = self.msearch([(plan.search_header(self.index),
                                    phrases.exists_body(form, filters)) for form in forms])
        return [int(r["hits"]["total"]["value"]) > 0 for r in responses]

    def by_person(self, req: SearchRequest) -> SearchRequest:
        """The request with its speaker filter widened to the people the names name."""
        if not req.filters.speakers:
            return req
        return dataclasses.replace(req, filters=speakers.expand_filters(
            self.client, self.settings, req.filters))

    def _provenance(self, found: list[dict[str, Any]]) -> None:
        """Each news quote's provenance (a record's turns are the record: theirs is None)."""
        for result in found:
            if result.get("type") != "article":
                for quote in result.get("quotes", []):
                    quote["provenance"] = None
        speakers.attach_provenance(self.client, self.settings, (
            (r["collection"], r["doc_id"], q) for r in found if r.get("type") == "article"
            for q in r.get("quotes", [])))

    def page_searches(self, req: SearchRequest, vectors: list[QueryVector] | None
                      ) -> list[plan.Search]:
        """The first msearch of ``req``'s page (``plan.page_searches``), whose hybrid form
        scores documents whole where every collection searched carries them."""
        whole = (plan.page_kind(req, vectors) == "hybrid"
                 and self.vectors.whole_documents(req.filters.collections))
        return plan.page_searches(req, vectors, self.index, whole_documents=whole)

    def _page(self, req: SearchRequest, vectors: list[QueryVector] | None, *,
              relaxed: tuple[str, list[dict[str, str]]] = ("", [])) -> results.Page:
        """The page's msearch (one leg or both, and the facets), shaped. ``relaxed``: the query
        as asked and its phrases relaxed, for ``exact.phrase_passages``."""
        kind = plan.page_kind(req, vectors)
        responses = self.msearch(self.page_searches(req, vectors))
        partial = any(r.get("timed_out") for r in responses)
        if kind == "hybrid":
            legs = [results.hits_of(r) for r in responses]
            # The wording as the user typed it: a quoted phrase relaxed for the keyword leg is
            # still a quotation, whose passages with a word changed are near-exact matches.
            firsts = (exact.exact_passages(relaxed[0] or req.q, legs[0])
                      or exact.phrase_passages(*relaxed, legs[0]))
            shown, fused = results.hybrid_results(req, legs[0], legs[1], firsts,
                                                  legs[2] if len(legs) > 2 else None)
            # The total and the facets count the documents the fusion ranked, no more: the
            # passages in hand (``candidate_facets``). Only the shown passages' highlights,
            # and the best passages of documents only their whole words brought, need a
            # second round trip.
            facets = results.facets({"aggregations": candidate_facets.aggregations(legs)})[1]
            seconds = plan.follow_up_searches(req, legs, shown, self.index)
            answers = self.msearch([search for _, search in seconds]) if seconds else []
            sought = plan.whole_only(legs, shown)
            for (name, _), answer in zip(seconds, answers, strict=True):
                if name == "best":
                    results.add_best_passages(shown, sought, answer)
                else:
                    results.add_highlights(shown, answer)
            return results.Page(shown, facets, fused, reachable(fused, req.size),
                                partial=partial or any(a.get("timed_out") for a in answers))
        total, facets = results.facets(responses[-1])
        # One mode alone pages straight in Elasticsearch, one hit per document.
        hits = results.hits_of(responses[0])
        counts = (results.passage_counts(responses[-1]) if kind == "semantic"
                  else self._passage_counts(req, vectors, hits))
        shown = results.leg_results(hits, counts, offset=req.offset, keyword=kind == "keyword")
        return results.Page(shown, facets, total, reachable(total, req.size), partial=partial)

    def _passage_counts(self, req: SearchRequest, vectors: list[QueryVector] | None,
                        hits: list[dict[str, Any]]) -> dict[str, int]:
        """How many passages of each shown document matched. One aggregation over the page's
        documents: collapse's inner_hits would run one search per document shown, which made
        long keyword queries cost seconds a page."""
        search = plan.passage_counts_search(req, vectors, hits, self.index)
        if search is None:
            return {}
        header, body = search
        return results.passage_counts(self.client.search(**header, **body,
                                                         timeout=SEARCH_TIMEOUT).body)

    def msearch(self, searches: list[plan.Search]) -> list[dict[str, Any]]:
        """The searches in one round trip. msearch answers 200 even when a search in it failed,
        so the transport's retries never see a node lost mid-search (its shards fail with 502
        or 503 inside the response): such a response is retried here, after a short pause in
        which the cluster moves the shards to their replicas."""
        lines = plan.msearch_lines([(header, {**body, "timeout": SEARCH_TIMEOUT})
                                    for header, body in searches])
        for attempt in range(1, MSEARCH_ATTEMPTS + 1):
            response = self.client.msearch(searches=lines)
            transient = [item for item in response["responses"]
                         if "error" in item and item.get("status") in TRANSIENT_STATUSES]
            if not transient:
                break
            if attempt == MSEARCH_ATTEMPTS:
                raise _item_error(transient[0], response.meta)
            log.warning("Retrying a search that Elasticsearch could not answer now (%s, status %s)",
                        transient[0]["error"].get("type"), transient[0].get("status"))
            time.sleep(MSEARCH_BACKOFF_S * attempt)
        out: list[dict[str, Any]] = []
        for item in response["responses"]:
            if "error" not in item:
                out.append(item)
            elif item.get("status") == 404:
                out.append(EMPTY_RESPONSE)
            else:
                raise _item_error(item, response.meta)
        return out

    # ------------------------------------------------------------ quotes

    def quotes(self, q: str, filters: Filters, *, speaker: str | None, page: int,
               size: int) -> dict[str, Any]:
        """A page of the quotations themselves that match ``q`` (and ``speaker``)."""
        started = time.perf_counter()
        offset = (page - 1) * size
        with elasticsearch_errors():
            self.vectors.require_known(filters.collections)
            ids = resolve_names(self.client, self.settings, [speaker]) if speaker \
                else {}
            body = reads.quotes_body(q, queries.scoped(filters, self.settings), speaker=speaker,
                                     size=size, offset=offset,
                                     speaker_ids=ids.get(speaker or "", []))
            response = self.client.search(**plan.search_header(self.index), **body,
                                          timeout=SEARCH_TIMEOUT).body
            found = results.quotes(response)[offset:offset + size]
            speakers.attach_provenance(self.client, self.settings,
                                       ((r["collection"], r["doc_id"], r) for r in found))
        return {"total": results.quote_total(response), "page": page, "size": size,
                "took_ms": _elapsed_ms(started), "results": found}

    # ------------------------------------------------------------ export

    def export(self, req: SearchRequest) -> Iterator[dict[str, Any]]:
        """Every passage the request matched, with a point in time and search_after: no
        10,000-hit ceiling. The request is prepared as the search page's is (phrases relaxed,
        speakers widened), so it exports what the page found: in semantic mode the ``k``
        nearest passages the page ranks, nearest first; in hybrid mode every keyword match,
        best first, then those of the ``k`` nearest that match no keyword."""
        prepared = self.prepare(req)
        # The point in time pins the indices; by alias, a swap mid-export would empty the rest.
        unpinned = dataclasses.replace(prepared.req, filters=dataclasses.replace(
            prepared.req.filters, aliases=()))
        semantic = plan.page_kind(unpinned, prepared.vectors) != "keyword"
        with elasticsearch_errors():
            pit = self.client.open_point_in_time(index=self.index, ignore_unavailable=True,
                                                 keep_alive=reads.PIT_KEEP_ALIVE)["id"]
            try:
                nearest: list[dict[str, Any]] = []
                if semantic and prepared.vectors:
                    response = self.client.search(**reads.nearest_body(
                        queries.top_knn(prepared.vectors, unpinned), pit))
                    pit = response.get("pit_id", pit)
                    nearest = results.hits_of(response.body)
                if unpinned.mode == "semantic":
                    yield from (results.export_row(hit) for hit in nearest)
                    return
                query = reads.with_passages(queries.keyword_query(unpinned.q, unpinned.filters),
                                            nearest)
                yield from self._export_pages(query, pit)
            finally:
                with contextlib.suppress(ApiError):
                    self.client.close_point_in_time(id=pit)

    def _export_pages(self, query: dict[str, Any], pit: str) -> Iterator[dict[str, Any]]:
        after: list[Any] | None = None
        while True:
            response = self.client.search(**reads.export_body(query, pit, after))
            hits = results.hits_of(response.body)
            if not hits:
                return
            pit = response.get("pit_id", pit)
            yield from (results.export_row(hit) for hit in hits)
            after = hits[-1]["sort"]

    # ------------------------------------------------------------ documents

    def document(self, doc_id: str, collection: str | None = None) -> dict[str, Any]:
        """A whole document with its passages and quotations; ``NotFound`` if no such id."""
        with elasticsearch_errors():
            response = self.client.search(**plan.search_header(self.index),
                                          **reads.document_body(doc_id, collection))
            hits = results.hits_of(response.body)
            if not hits:
                raise NotFound(f"No document with id {doc_id!r}")
            doc = results.document(doc_id, hits)
            speakers.attach_provenance(self.client, self.settings, (
                (doc["collection"], doc_id, q) for q in doc["quotes"]
                if doc.get("type") == "article"))
            doc["quoted_in"] = [] if doc.get("type") == "article" else speakers.quoted_from(
                self.client, self.settings, doc["collection"], doc_id)
        for quote in doc["quotes"]:
            quote.setdefault("provenance", None)
        return doc


def _elapsed_ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 1)


def _item_error(item: dict[str, Any], meta: ApiResponseMeta) -> VerbatimError:
    """An msearch item's failure, translated as the client would have raised it had the
    search been sent alone (same exception class, the item's own status)."""
    status = int(item.get("status") or 500)
    error = item.get("error", {})
    _, reason = error_cause(error)  # translate logs the item's type and reason
    exc = HTTP_EXCEPTIONS.get(status, ApiError)(
        message=reason, meta=dataclasses.replace(meta, status=status), body=item)
    return translate(exc)
