"""The one read path: every search, export and document view goes through ``Searcher``.

The HTML pages, the JSON API and the benchmarks all call it, and it is the only
code that calls ``client.search``/``msearch``. It returns plain dicts shaped for
the API; the pages render the same dicts.
"""

from __future__ import annotations

import contextlib
import html
import logging
import threading
import time
from collections.abc import Iterator
from typing import Any

import numpy as np
from elastic_transport import ConnectionError as TransportConnectionError
from elastic_transport import ConnectionTimeout
from elasticsearch import ApiError, Elasticsearch, NotFoundError

from indexer import hybrid, indices, queries
from indexer.embedder import Embedder
from indexer.passages import split_sentences
from indexer.queries import Filters, SearchRequest
from indexer.settings import Settings

MAX_SENTENCES_PER_PASSAGE = 12
EXPORT_BATCH = 1000
MONTHS_UP_TO_YEARS = 3  # the date facet counts by month when matches span this many years
ENCODERS_TTL_S = 30.0  # how long the collections' encoders are remembered between lookups
TRANSIENT_STATUSES = (429, 502, 503, 504)  # a search failed for now, not for good
MSEARCH_ATTEMPTS = 4
MSEARCH_BACKOFF_S = 0.25  # seconds, times the attempt number


log = logging.getLogger(__name__)


class SearchUnavailable(RuntimeError):
    """Elasticsearch cannot answer right now (down, restarting, overloaded)."""


class NotFound(LookupError):
    pass


def _unavailable(exc: Exception) -> SearchUnavailable:
    return SearchUnavailable(f"Elasticsearch is not answering ({type(exc).__name__}); "
                             "try again in a moment")


class Searcher:
    def __init__(self, client: Elasticsearch, embedder: Embedder | None, settings: Settings) -> None:
        self.client = client
        self.embedder = embedder
        self.settings = settings
        self.index = settings.all_alias
        # Collections indexed on another backend (or model) get query vectors from their own
        # encoder, loaded on first need; see _query_vectors.
        self._other_embedders: dict[tuple[str, str], Embedder] = {}
        self._lock = threading.Lock()
        self._encoders: dict[str, tuple[str | None, str]] = {}
        self._encoders_at = -ENCODERS_TTL_S

    def warm(self) -> None:
        """Load every encoder the current collections need, before the first request."""
        if self.embedder is None:
            return
        self.embedder.encode_query("warm up")
        with contextlib.suppress(Exception):  # Elasticsearch down at start: loaded on need
            for model, backend in set(self._collection_encoders().values()):
                self._embedder_for(model, backend).encode_query("warm up")

    # ------------------------------------------------------------ search

    def search(self, req: SearchRequest, *, mark_semantic: bool = True) -> dict[str, Any]:
        """One page of results with facets. ``mark_semantic=False`` skips encoding the page's
        sentences for semantic highlights (benchmarks that only need the ranking)."""
        started = time.perf_counter()
        vector, degraded = self._query_vectors(req)
        mode = req.mode
        if mode == "semantic" and vector is None:
            raise SearchUnavailable(f"semantic search needs the model, which failed: {degraded}")
        try:
            results, facets, total, pageable = self._run(req, vector)
        except (TransportConnectionError, ConnectionTimeout) as exc:
            raise _unavailable(exc) from None
        except ApiError as exc:
            if exc.meta.status in (502, 503, 504, 429):
                raise _unavailable(exc) from None
            raise
        if vector is not None and mode != "keyword" and mark_semantic:
            self._mark_semantic(req.q, results)
        body: dict[str, Any] = {
            "total": total,
            "pageable": pageable,
            "took_ms": round((time.perf_counter() - started) * 1000, 1),
            "mode": mode,
            "fusion": req.fusion if mode == "hybrid" else None,
            "alpha": req.alpha if mode == "hybrid" and req.fusion == "linear" else None,
            "page": req.page,
            "size": req.size,
            "results": results,
            "facets": facets,
        }
        if degraded and mode == "hybrid":
            body["degraded"] = f"keyword results only: {degraded}"
        return body

    def _query_vectors(self, req: SearchRequest
                      ) -> tuple[list[queries.QueryVector] | None, str | None]:
        """The query's vector from the encoder of each collection searched: query and passage
        vectors must come from the same model on the same backend."""
        if req.mode == "keyword" or not req.q.strip():
            return None, None
        if self.embedder is None:
            return None, "no embedding model is configured"
        own = (self.embedder.model_name, self.embedder.backend)
        try:
            encoders = self._collection_encoders()
        except (TransportConnectionError, ConnectionTimeout, ApiError):
            encoders = {}  # the search itself will report Elasticsearch's state
        wanted = req.filters.collections or tuple(encoders)
        groups: dict[tuple[str, str], list[str]] = {}
        for name in wanted:
            model, backend = encoders.get(name, own)
            groups.setdefault((model or own[0], backend), []).append(name)
        try:
            if set(groups) <= {own}:
                return [queries.QueryVector(self.embedder.encode_query(req.q))], None
            return [queries.QueryVector(self._embedder_for(model, backend).encode_query(req.q),
                                        tuple(sorted(names)))
                    for (model, backend), names in sorted(groups.items())], None
        except Exception as exc:
            return None, f"the model could not encode the query ({type(exc).__name__}: {exc})"

    def _collection_encoders(self) -> dict[str, tuple[str | None, str]]:
        now = time.monotonic()
        if now - self._encoders_at > ENCODERS_TTL_S:
            self._encoders = indices.collection_encoders(self.client, self.index)
            self._encoders_at = now
        return self._encoders

    def _embedder_for(self, model: str | None, backend: str) -> Embedder:
        assert self.embedder is not None
        model = model or self.embedder.model_name
        if (model, backend) == (self.embedder.model_name, self.embedder.backend):
            return self.embedder
        key = (model, backend)
        with self._lock:
            if key not in self._other_embedders:
                self._other_embedders[key] = Embedder(model, device=self.settings.device,
                                                      backend=backend,
                                                      cache_dir=self.settings.cache_dir)
            return self._other_embedders[key]

    def _run(self, req: SearchRequest, vector: list[queries.QueryVector] | None
             ) -> tuple[list[dict[str, Any]], dict[str, Any], int, int]:
        common = {"index": self.index, "ignore_unavailable": True, "allow_no_indices": True}
        facets_body = queries.facets_body(req, vector)
        if req.mode != "hybrid" or vector is None:
            # One mode alone pages straight in Elasticsearch, one hit per document.
            keyword = req.mode == "keyword" or vector is None
            if keyword:
                body = queries.keyword_search_body(req, size=req.size, offset=req.offset)
            else:
                body = queries.semantic_search_body(vector, req, size=req.size, offset=req.offset)
            responses = self._msearch([(common, body), (common, facets_body)])
            hits = responses[0]["hits"]["hits"]
            counts = self._passage_counts(req, None if keyword else vector, hits)
            results = [self._shape(h, keyword_rank=req.offset + i + 1 if keyword else None,
                                   semantic_rank=None if keyword else req.offset + i + 1,
                                   fused=h.get("_score"),
                                   more_passages=counts.get(h["_source"]["doc_key"], 1) - 1)
                       for i, h in enumerate(hits)]
            total, facets = self._facets(responses[1])
            return results, facets, total, total
        # Hybrid: both legs and the facets over their union, in one round trip. The legs
        # return passages, fused per passage, so the passage shown is the one that is best
        # on both counts (a quotation's own paragraph, not a neighbour that shares a word).
        depth = queries.KEYWORD_CANDIDATES
        kw_body = queries.keyword_search_body(req, size=depth, collapsed=False)
        sem_body = queries.semantic_search_body(vector, req, size=queries.SEMANTIC_K,
                                                collapsed=False)
        responses = self._msearch([(common, kw_body), (common, sem_body), (common, facets_body)])
        kw_hits = responses[0]["hits"]["hits"]
        sem_hits = responses[1]["hits"]["hits"]
        hits = {h["_id"]: h for h in sem_hits}
        hits.update({h["_id"]: h for h in kw_hits})  # keyword copies carry the highlights
        doc_of = {pid: hit["_source"]["doc_key"] for pid, hit in hits.items()}
        # Documents are ranked by fusing each leg's best passage per document (a document
        # whose title matches the words and whose second paragraph matches the meaning gets
        # both); the passage shown is the one that fuses best on its own.
        kw_passages = hybrid.ranked([(h["_id"], h["_score"]) for h in kw_hits])
        sem_passages = hybrid.ranked([(h["_id"], h["_score"]) for h in sem_hits])
        documents = hybrid.fuse(
            hybrid.ranked([(doc_of[r.doc_id], r.score) for r in kw_passages]),
            hybrid.ranked([(doc_of[r.doc_id], r.score) for r in sem_passages]),
            method=req.fusion, alpha=req.alpha)
        passages = hybrid.best_per_group(
            hybrid.fuse(kw_passages, sem_passages, method=req.fusion, alpha=req.alpha),
            lambda pid: doc_of[pid])
        shown = {doc_of[best.doc_id]: (best.doc_id, others) for best, others in passages}
        window = documents[req.offset:req.offset + req.size]
        results = []
        for doc in window:
            passage_id, others = shown[doc.doc_id]
            results.append(self._shape(hits[passage_id], keyword_rank=doc.keyword_rank,
                                       semantic_rank=doc.semantic_rank, fused=doc.score,
                                       more_passages=others))
        total, facets = self._facets(responses[2])
        return results, facets, total, min(total, len(documents))

    def _passage_counts(self, req: SearchRequest, vectors: list[queries.QueryVector] | None,
                        hits: list[dict[str, Any]]) -> dict[str, int]:
        """How many passages of each shown document matched. One aggregation over the page's
        documents: collapse's inner_hits would run one search per document shown, which made
        long keyword queries cost seconds a page."""
        keys = sorted({h["_source"]["doc_key"] for h in hits})
        if not keys:
            return {}
        response = self.client.search(
            index=self.index, ignore_unavailable=True, allow_no_indices=True,
            **queries.passage_counts_body(req, vectors, keys))
        buckets = response.get("aggregations", {}).get("per_doc", {}).get("buckets", [])
        return {b["key"]: int(b["doc_count"]) for b in buckets}

    def _msearch(self, searches: list[tuple[dict[str, Any], dict[str, Any]]]) -> list[Any]:
        """The searches in one round trip. msearch answers 200 even when a search in it failed,
        so the transport's retries never see a node lost mid-search (its shards fail with 502
        or 503 inside the response): such a response is retried here, after a short pause in
        which the cluster moves the shards to their replicas."""
        lines: list[dict[str, Any]] = []
        for header, body in searches:
            lines.extend([header, body])
        for attempt in range(MSEARCH_ATTEMPTS):
            response = self.client.msearch(searches=lines)
            transient = [item for item in response["responses"]
                         if "error" in item and item.get("status") in TRANSIENT_STATUSES]
            if not transient:
                break
            if attempt + 1 == MSEARCH_ATTEMPTS:
                error = transient[0]["error"]
                raise SearchUnavailable(
                    f"Elasticsearch could not answer ({error.get('type', 'error')}, status "
                    f"{transient[0].get('status')}); try again in a moment")
            log.warning("Retrying a search that Elasticsearch could not answer now (%s, status %s)",
                        transient[0]["error"].get("type"), transient[0].get("status"))
            time.sleep(MSEARCH_BACKOFF_S * (attempt + 1))
        out = []
        for item in response["responses"]:
            if "error" in item:
                error = item["error"]
                if item.get("status") == 404:
                    out.append({"hits": {"hits": [], "total": {"value": 0}}, "aggregations": {}})
                    continue
                raise ApiError(message=str(error.get("reason", error)), meta=response.meta,
                               body=item)
            out.append(item)
        return out

    def _facets(self, response: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        aggs = response.get("aggregations") or {}

        def terms(name: str) -> list[dict[str, Any]]:
            return [{"value": b["key"], "count": int(b["docs"]["value"])}
                    for b in aggs.get(name, {}).get("buckets", [])]

        years = aggs.get("date_year", {}).get("buckets", [])
        interval = "month" if len(years) <= MONTHS_UP_TO_YEARS else "year"
        buckets = aggs.get(f"date_{interval}", {}).get("buckets", [])
        facets: dict[str, Any] = {name: terms(name) for name in queries.FACET_FIELDS}
        facets["date"] = [{"date": b["key_as_string"], "count": int(b["docs"]["value"])}
                          for b in buckets]
        facets["date_interval"] = interval
        total = int(aggs.get("total_docs", {}).get("value", 0))
        return total, facets

    def _shape(self, hit: dict[str, Any], *, keyword_rank: int | None,
               semantic_rank: int | None, fused: float | None,
               more_passages: int | None = None) -> dict[str, Any]:
        source = hit["_source"]
        text = source.get("text", "")
        highlights = hit.get("highlight", {}).get("text") or []
        return {
            "doc_id": source.get("doc_id"),
            "collection": source.get("collection"),
            "type": source.get("type"),
            "title": source.get("title"),
            "date": source.get("date"),
            "source": source.get("source"),
            "speaker": source.get("speaker"),
            "speaker_country": source.get("speaker_country"),
            "symbol": source.get("symbol"),
            "url": source.get("url"),
            "passage": {
                "number": source.get("passage_no"),
                "text": text,
                "highlights": list(highlights),
                "offset": source.get("offset_start"),
                "end": source.get("offset_end"),
            },
            "more_passages": max(more_passages or 0, 0),
            "quotes": [{"text": q.get("text"), "speaker": q.get("speaker")}
                       for q in source.get("quotes", [])],
            "ranks": {"keyword": keyword_rank, "semantic": semantic_rank,
                      "fused": round(float(fused), 6) if fused is not None else None},
        }

    def _mark_semantic(self, q: str, results: list[dict[str, Any]]) -> None:
        """Mark the sentence(s) closest to the query in passages that have no keyword marks,
        so a semantic hit never shows as plain text. Only the page shown is encoded."""
        todo: list[tuple[dict[str, Any], list[tuple[int, int]]]] = []
        sentences: list[str] = []
        for result in results:
            passage = result["passage"]
            if passage["highlights"]:
                continue
            spans = split_sentences(passage["text"])[:MAX_SENTENCES_PER_PASSAGE] or \
                [(0, len(passage["text"]))]
            todo.append((result, spans))
            sentences.extend(passage["text"][a:b] for a, b in spans)
        if not sentences or self.embedder is None:
            return
        try:
            matrix = self.embedder.encode_sentences_cheaply(sentences)
            probe = self.embedder.encode_sentences_cheaply([q])[0]
        except Exception:  # highlighting is a courtesy, never a failure
            for result, _ in todo:
                result["passage"]["highlights"] = [html.escape(result["passage"]["text"])]
            return
        # Compared in the token-embedding space both sides were averaged in.
        scores = np.asarray(matrix) @ np.asarray(probe)
        cursor = 0
        for result, spans in todo:
            local = scores[cursor:cursor + len(spans)]
            cursor += len(spans)
            best = float(local.max())
            marked = {i for i, s in enumerate(local) if s >= best - 0.03}
            result["passage"]["highlights"] = [mark_spans(result["passage"]["text"],
                                                          [spans[i] for i in sorted(marked)])]

    # ------------------------------------------------------------ quotes

    def quotes(self, q: str, filters: Filters, *, speaker: str | None, page: int,
               size: int) -> dict[str, Any]:
        started = time.perf_counter()
        body = queries.quotes_body(q, filters, speaker=speaker, size=size,
                                   offset=(page - 1) * size)
        try:
            response = self.client.search(index=self.index, ignore_unavailable=True,
                                          allow_no_indices=True, **body)
        except (TransportConnectionError, ConnectionTimeout) as exc:
            raise _unavailable(exc) from None
        results = []
        for hit in response["hits"]["hits"]:
            source = hit["_source"]
            for inner in hit["inner_hits"]["quotes"]["hits"]["hits"]:
                quote = inner["_source"]
                marked = inner.get("highlight", {}).get("quotes.text")
                results.append({
                    "text": quote.get("text"),
                    "highlight": marked[0] if marked else html.escape(quote.get("text") or ""),
                    "speaker": quote.get("speaker"),
                    "doc_id": source.get("doc_id"),
                    "collection": source.get("collection"),
                    "title": source.get("title"),
                    "date": source.get("date"),
                    "source": source.get("source"),
                    "offset": quote.get("offset_start"),
                    "score": inner.get("_score"),
                })
        return {"total": response["hits"]["total"]["value"], "page": page, "size": size,
                "took_ms": round((time.perf_counter() - started) * 1000, 1), "results": results}

    # ------------------------------------------------------------ export

    def export(self, req: SearchRequest) -> Iterator[dict[str, Any]]:
        """Every passage the request matched, best first within Elasticsearch's order, with a
        point in time and search_after: no 10,000-hit ceiling."""
        vector, _ = self._query_vectors(req)
        query = queries.match_query(req, vector)
        pit = self.client.open_point_in_time(index=self.index, keep_alive="2m",
                                             ignore_unavailable=True)["id"]
        after: list[Any] | None = None
        try:
            while True:
                body: dict[str, Any] = {
                    "query": query, "size": EXPORT_BATCH, "pit": {"id": pit, "keep_alive": "2m"},
                    "sort": [{"_score": "desc"}, {"_shard_doc": "asc"}],
                    "_source": {"excludes": queries.SOURCE_EXCLUDES},
                }
                if after is not None:
                    body["search_after"] = after
                response = self.client.search(**body)
                hits = response["hits"]["hits"]
                if not hits:
                    return
                pit = response.get("pit_id", pit)
                for hit in hits:
                    source = hit["_source"]
                    yield {
                        "doc_id": source.get("doc_id"), "collection": source.get("collection"),
                        "type": source.get("type"), "title": source.get("title"),
                        "date": source.get("date"), "source": source.get("source"),
                        "speaker": source.get("speaker"), "url": source.get("url"),
                        "passage_no": source.get("passage_no"),
                        "offset": source.get("offset_start"), "score": hit.get("_score"),
                        "text": source.get("text"),
                        "quotes": [{"text": q.get("text"), "speaker": q.get("speaker")}
                                   for q in source.get("quotes", [])],
                    }
                after = hits[-1]["sort"]
        finally:
            with contextlib.suppress(ApiError):
                self.client.close_point_in_time(id=pit)

    # ------------------------------------------------------------ documents

    def document(self, doc_id: str, collection: str | None = None) -> dict[str, Any]:
        filters = [{"term": {"doc_id": doc_id}}]
        if collection:
            filters.append({"term": {"collection": collection}})
        try:
            response = self.client.search(
                index=self.index, ignore_unavailable=True, allow_no_indices=True,
                query={"bool": {"filter": filters}}, size=10000,
                sort=[{"collection": "asc"}, {"passage_no": "asc"}],
                _source={"excludes": ["embedding"]},
            )
        except (TransportConnectionError, ConnectionTimeout) as exc:
            raise _unavailable(exc) from None
        except NotFoundError:
            raise NotFound(doc_id) from None
        hits = response["hits"]["hits"]
        if not hits:
            raise NotFound(doc_id)
        first_collection = hits[0]["_source"]["collection"]
        passages = [h["_source"] for h in hits if h["_source"]["collection"] == first_collection]
        head = passages[0]
        return {
            "doc_id": doc_id,
            "collection": first_collection,
            "type": head.get("type"),
            "title": head.get("title"),
            "date": head.get("date"),
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
                        "offset": q.get("offset_start"), "end": q.get("offset_end"),
                        "passage": p.get("passage_no")}
                       for p in passages for q in p.get("quotes", [])],
        }


def mark_spans(text: str, spans: list[tuple[int, int]]) -> str:
    """``text`` HTML-escaped, with the given character spans wrapped in <mark>."""
    out: list[str] = []
    cursor = 0
    for start, end in sorted(spans):
        if start < cursor:
            continue
        out.append(html.escape(text[cursor:start]))
        out.append("<mark>" + html.escape(text[start:end]) + "</mark>")
        cursor = end
    out.append(html.escape(text[cursor:]))
    return "".join(out)
