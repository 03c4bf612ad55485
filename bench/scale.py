"""Scale: index time, disk, heap, segments and query latency as the collection grows.

    python -m bench.scale [--sizes 10000,100000] [--full]        # --full adds 1,000,000

For each size the synthetic collection ``synthetic-<n>`` (bench/synthetic.py) is indexed under
the bench prefix (reused if present), its segments merged into one as ``verbatim index`` does
after a large load (``--no-merge`` leaves them as loaded), then 200 queries are sent straight
to Elasticsearch by one client after a warm-up: the semantic body alone (kNN, k=200,
collapsed, size 10) and the hybrid page as the Searcher makes it (both legs uncollapsed and,
on an index of schema 2, the documents scored whole, fused; the facets counted over the
passages they brought, in hand; then a second round trip for the shown passages' highlights
and the best passages of documents only their whole words brought).
Queries go to the collection's own alias, so other collections do not weigh on the numbers.
It ends with the memory an int8_hnsw index of 10M passages needs, and what fits in 24 GB.

``--feedback`` also prices Rocchio feedback (BENCHMARKS §1, step 9): each hybrid page is sent
plain and with feedback, in alternating order, in the same run. Feedback adds two round trips
after the legs are fused: the vectors of the top ``FEEDBACK_DOCS`` documents' shown passages,
then a kNN search with the query vector moved ``FEEDBACK_BETA`` of the way towards their mean,
which replaces the semantic leg before the facets and highlights.

``--documents`` prices the whole-document keyword search of a hybrid page (BENCHMARKS §1,
steps 9 and 10) the same way: each page sent as the product sends it (with the document
search) and without it (each document's keyword score its best passage's, as before schema
2), alternating, in one run. A reused index built before schema 2 is first brought up to it in
place (``synthetic.upgrade_whole_documents``).
"""

from __future__ import annotations

import argparse
import json
import time
from typing import Any

import numpy as np
from elasticsearch import Elasticsearch

from bench.common import bench_settings, write_result
from bench.query import planned_page
from bench.synthetic import (
    index_synthetic,
    load_vocabulary,
    sample_queries,
    segment_count,
)
from indexer import indices, optimize
from indexer.client import build_client
from indexer.model.embedder import Embedder
from indexer.search import candidate_facets, plan, queries, results
from indexer.search.queries import QueryVector
from indexer.search.request import SearchRequest
from indexer.settings import Settings

QUERIES = 200
FEEDBACK_DOCS, FEEDBACK_BETA = 3, 0.3
WARMUP = 20
DIMS = 384
HNSW_M = 16  # mappings/passages.json
GIB = 2**30
# The sizing example: a 24 GB machine, Elasticsearch with a 1 GB heap.
MACHINE_GB = 24
HEAP_GB = 1
JVM_OFF_HEAP_GB = 1  # metaspace, thread stacks, direct buffers
OTHER_GB = 4  # the OS, 4 gunicorn workers with the model (~0.5 GB each), an indexer run


def memory_estimate(measured_bytes_per_passage: float | None, passages: int = 10_000_000) -> dict[str, Any]:
    """What ``passages`` int8_hnsw vectors of 384 dims need, and how many fit a 24 GB machine."""
    per = {
        "float32_vector": DIMS * 4,  # kept on disk for merges and rescoring; not read per query
        "int8_vector": DIMS + 4,  # quantized bytes + one float correction: read on every kNN search
        "hnsw_graph": HNSW_M * 2 * 4,  # level 0: up to 2*m neighbours of 4 bytes (upper levels ~1/m)
    }
    hot = per["int8_vector"] + per["hnsw_graph"]
    page_cache = MACHINE_GB - HEAP_GB - JVM_OFF_HEAP_GB - OTHER_GB
    out: dict[str, Any] = {
        "passages": passages,
        "bytes_per_passage": {**per, "knn_hot_set": hot},
        "gb": {"float32_vectors": round(passages * per["float32_vector"] / 1e9, 2),
               "int8_vectors": round(passages * per["int8_vector"] / 1e9, 2),
               "hnsw_graph": round(passages * per["hnsw_graph"] / 1e9, 2),
               "knn_hot_set": round(passages * hot / 1e9, 2)},
        "machine": {"memory_gb": MACHINE_GB, "heap_gb": HEAP_GB, "jvm_off_heap_gb": JVM_OFF_HEAP_GB,
                    "other_processes_gb": OTHER_GB, "page_cache_gb": page_cache},
        "fit_in_page_cache": {"knn_hot_set_passages": int(page_cache * 1e9 / hot)},
    }
    if measured_bytes_per_passage:
        out["bytes_per_passage"]["measured_on_disk"] = round(measured_bytes_per_passage)
        out["gb"]["measured_on_disk"] = round(passages * measured_bytes_per_passage / 1e9, 2)
        out["fit_in_page_cache"]["whole_index_passages"] = int(page_cache * 1e9 / measured_bytes_per_passage)
    return out


def node_heap(client: Elasticsearch) -> dict[str, int]:
    nodes = client.nodes.stats(metric="jvm")["nodes"]
    mem = [n["jvm"]["mem"] for n in nodes.values()]
    return {"heap_used_bytes": sum(m["heap_used_in_bytes"] for m in mem),
            "heap_max_bytes": sum(m["heap_max_in_bytes"] for m in mem)}


def page_lines(settings: Settings, texts: list[str], vectors: list[list[float]], mode: str,
               collection: str, index: str, *, searches: int | None = None) -> list[list[dict[str, Any]]]:
    """The msearch the Searcher sends for each query's page (its first ``searches`` only),
    to ``index``."""
    out = []
    for q, v in zip(texts, vectors, strict=True):
        req, query_vectors = planned_page(settings, q, mode, collection, v)
        out.append(plan.msearch_lines(plan.page_searches(req, query_vectors, index)[:searches]))
    return out


def hybrid_pages(settings: Settings, texts: list[str], vectors: list[list[float]],
                 collection: str) -> list[tuple[SearchRequest, list[QueryVector]]]:
    out = []
    for q, v in zip(texts, vectors, strict=True):
        req, query_vectors = planned_page(settings, q, "hybrid", collection, v)
        assert query_vectors is not None
        out.append((req, query_vectors))
    return out


def hybrid_page(client: Elasticsearch, req: SearchRequest, vectors: list[QueryVector],
                index: str, *, whole: bool, feedback: bool = False,
                took: dict[str, list[float]] | None = None) -> int:
    """One hybrid page as ``Searcher._page`` makes it: the legs (and, ``whole``, the documents
    scored whole), the fusion and the facets, then the highlights (and the best passages of
    documents only their whole words brought) in a second round trip (``feedback``: two more
    before them). Returns the errors Elasticsearch reported. ``took``: each part's time inside
    Elasticsearch is appended to it (``keyword``, ``knn``, ``documents``, ``highlights``,
    ``best``), to find which part makes the tail."""
    searches = plan.page_searches(req, vectors, index, whole_documents=whole)
    first = client.msearch(searches=plan.msearch_lines(searches))
    legs = [results.hits_of(r) for r in first["responses"]]
    documents = legs[2] if len(legs) > 2 else None
    shown, _ = results.hybrid_results(req, legs[0], legs[1], None, documents)
    if feedback:
        legs[1] = feedback_leg(client, req, vectors[0], shown, index)
        shown, _ = results.hybrid_results(req, legs[0], legs[1], None, documents)
    candidate_facets.aggregations(legs)
    follow = plan.follow_up_searches(req, legs, shown, index)
    second = (client.msearch(searches=plan.msearch_lines([s for _, s in follow]))["responses"]
              if follow else [])
    if took is not None:
        parts = [("keyword", first["responses"][0]), ("knn", first["responses"][1]),
                 *(("documents", item) for item in first["responses"][2:]),
                 *((name, item) for (name, _), item in zip(follow, second, strict=True))]
        for part, item in parts:
            took.setdefault(part, []).append(float(item.get("took", 0)))
    return sum(1 for item in [*first["responses"], *second] if "error" in item)


def feedback_leg(client: Elasticsearch, req: SearchRequest, vector: QueryVector,
                 shown: list[dict[str, Any]], index: str) -> list[dict[str, Any]]:
    """The semantic leg again, its query vector moved towards the top shown passages."""
    top = [(r["collection"], r["passage"]["id"]) for r in shown[:FEEDBACK_DOCS]
           if r["passage"].get("id")]
    if not top:
        return []
    hits = client.search(index=index, query=queries.passages_query(top), size=len(top),
                         source_includes=["embedding"])["hits"]["hits"]
    rows = np.asarray([hit["_source"]["embedding"] for hit in hits], dtype=np.float32)
    rows /= np.maximum(np.linalg.norm(rows, axis=1, keepdims=True), 1e-12)
    moved = np.asarray(vector.vector, dtype=np.float32) + FEEDBACK_BETA * rows.mean(axis=0)
    moved /= np.linalg.norm(moved)
    body = queries.semantic_search_body([QueryVector([float(x) for x in moved],
                                                     vector.collections)], req,
                                        size=queries.SEMANTIC_K, collapsed=False)
    return results.hits_of(client.search(index=index, body=body).body)


def time_against_plain(client: Elasticsearch,
                       pages: list[tuple[SearchRequest, list[QueryVector]]], index: str,
                       name: str, plain: dict[str, Any], variant: dict[str, Any]
                       ) -> dict[str, Any]:
    """Each hybrid page ``plain`` and as ``variant`` (``hybrid_page``'s keywords), in
    alternating order, in one run: the p50/p95 of each and the ratio of the variant's to the
    plain ones'."""
    for req, vectors in pages[:WARMUP]:
        hybrid_page(client, req, vectors, index, **variant)
    timed: dict[bool, list[float]] = {False: [], True: []}
    errors = 0
    for i, (req, vectors) in enumerate(pages):
        for on in ((False, True) if i % 2 else (True, False)):
            started = time.perf_counter()
            errors += hybrid_page(client, req, vectors, index, **(variant if on else plain))
            timed[on].append(time.perf_counter() - started)
    out: dict[str, Any] = {"n": len(timed[False]), "errors": errors,
                           "plain": percentiles(timed[False]), name: percentiles(timed[True])}
    out["ratio_p50"] = round(out[name]["p50_ms"] / out["plain"]["p50_ms"], 2)
    out["ratio_p95"] = round(out[name]["p95_ms"] / out["plain"]["p95_ms"], 2)
    return out


def time_hybrid(client: Elasticsearch, pages: list[tuple[SearchRequest, list[QueryVector]]],
                index: str, *, whole: bool) -> dict[str, Any]:
    """p50/p95 of whole hybrid pages, one client, after ``WARMUP`` unmeasured ones, and of
    each part's time inside Elasticsearch (``took``, in ms)."""
    for req, vectors in pages[:WARMUP]:
        hybrid_page(client, req, vectors, index, whole=whole)
    latencies, errors = [], 0
    took: dict[str, list[float]] = {}
    for req, vectors in pages:
        started = time.perf_counter()
        errors += hybrid_page(client, req, vectors, index, whole=whole, took=took)
        latencies.append(time.perf_counter() - started)
    parts = {part: percentiles([ms / 1000 for ms in values]) for part, values in took.items()}
    return {"n": len(latencies), "errors": errors, **percentiles(latencies), "took": parts}


def percentiles(seconds: list[float]) -> dict[str, float]:
    ms = np.asarray(seconds) * 1000
    return {"p50_ms": round(float(np.percentile(ms, 50)), 1),
            "p95_ms": round(float(np.percentile(ms, 95)), 1)}


def time_msearch(client: Elasticsearch, bodies: list[list[dict[str, Any]]]) -> dict[str, Any]:
    """p50/p95 of one msearch per body, one client, after ``WARMUP`` unmeasured ones."""
    for lines in bodies[:WARMUP]:
        client.msearch(searches=lines)
    latencies, errors = [], 0
    for lines in bodies:
        started = time.perf_counter()
        response = client.msearch(searches=lines)
        latencies.append(time.perf_counter() - started)
        errors += sum(1 for item in response["responses"] if "error" in item)
    return {"n": len(latencies), "errors": errors, **percentiles(latencies)}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000", help="collection sizes, comma-separated")
    parser.add_argument("--full", action="store_true", help="add 1,000,000 passages (hours on 2 cores)")
    parser.add_argument("--output", default="scale", help="results file: bench/results/NAME.json")
    parser.add_argument("--feedback", action="store_true",
                        help="also time hybrid pages with Rocchio feedback against plain ones")
    parser.add_argument("--documents", action="store_true",
                        help="also time hybrid pages with their whole-document keyword search "
                             "against pages without it")
    parser.add_argument("--no-merge", action="store_true",
                        help="measure the indices as loaded, without merging their segments")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    if args.full and 1_000_000 not in sizes:
        sizes.append(1_000_000)

    settings = bench_settings()
    client = build_client(settings, request_timeout=600)
    texts = sample_queries(load_vocabulary(), QUERIES)
    vectors = [[float(x) for x in row] for row in Embedder.from_settings(settings).encode_queries(texts)]
    rows: dict[str, Any] = {}
    for n in sizes:
        collection = f"synthetic-{n}"
        print(f"{collection}: indexing (or reusing)", flush=True)
        indexed = index_synthetic(client, settings, collection, n)
        alias = settings.alias(collection)
        # The page the product sends: a collection built at schema 2 is scored whole.
        whole = indices.whole_documents(indices.index_meta(client, indexed["index"]))
        # The semantic leg alone (without the facets), and the whole hybrid page.
        knn = page_lines(settings, texts, vectors, "semantic", collection, alias,
                         searches=1)
        pages = hybrid_pages(settings, texts, vectors, collection)
        merged: dict[str, Any] | None = None
        before: dict[str, Any] | None = None
        if not args.no_merge:
            segments = segment_count(client, indexed["index"])
            if segments > 1:  # as loaded, then merged: the merge's gain on this machine
                knn_ms = time_msearch(client, knn)
                hybrid_ms = time_hybrid(client, pages, alias, whole=whole)
                before = {"segments": segments, "knn": knn_ms, "hybrid": hybrid_ms}
                print(f"{collection}: as loaded, {segments} segments: kNN p50/p95 "
                      f"{knn_ms['p50_ms']}/{knn_ms['p95_ms']} ms, hybrid p50/p95 "
                      f"{hybrid_ms['p50_ms']}/{hybrid_ms['p95_ms']} ms", flush=True)
            print(f"{collection}: merging segments", flush=True)
            merged = optimize.merge(client, indexed["index"]).as_dict()
            indexed["store_bytes"] = merged["bytes_after"]
        row = {"index": indexed, "merge": merged, "before_merge": before,
               "store_bytes": indexed["store_bytes"],
               "bytes_per_passage": round(indexed["store_bytes"] / n, 1),
               "segments": segment_count(client, indexed["index"]),
               "knn": time_msearch(client, knn),
               "hybrid": time_hybrid(client, pages, alias, whole=whole),
               **node_heap(client)}
        if args.feedback:
            row["hybrid_feedback"] = time_against_plain(
                client, pages, alias, "feedback", {"whole": whole},
                {"whole": whole, "feedback": True})
            print(f"{collection}: hybrid with feedback {json.dumps(row['hybrid_feedback'])}",
                  flush=True)
        if args.documents:
            row["hybrid_documents"] = time_against_plain(
                client, pages, alias, "documents", {"whole": False}, {"whole": True})
            print(f"{collection}: hybrid with a document search "
                  f"{json.dumps(row['hybrid_documents'])}", flush=True)
        rows[str(n)] = row
        print(f"{collection}: index {indexed.get('index_s')} s ({indexed.get('docs_per_s')} docs/s"
              f"{', reused' if indexed['reused'] else ''}), {row['store_bytes'] / 2**20:.1f} MiB "
              f"({row['bytes_per_passage']:.0f} B/passage), {row['segments']} segments, heap "
              f"{row['heap_used_bytes'] / 2**20:.0f}/{row['heap_max_bytes'] / 2**20:.0f} MiB, kNN p50/p95 "
              f"{row['knn']['p50_ms']}/{row['knn']['p95_ms']} ms, hybrid p50/p95 "
              f"{row['hybrid']['p50_ms']}/{row['hybrid']['p95_ms']} ms", flush=True)
    largest = rows[str(max(sizes))]
    estimate = memory_estimate(largest["bytes_per_passage"])
    print_estimate(estimate, max(sizes))
    write_result(args.output, {"sizes": rows, "memory_estimate_10m": estimate,
                           "estimate_measured_from": max(sizes), "queries": len(texts),
                           "merged": not args.no_merge,
                           "notes": ["Indices are loaded with refresh off, refreshed once, then "
                                     "merged into one segment unless --no-merge.",
                                     "Vectors are random unit vectors; query vectors are real.",
                                     "Heap is node-wide (every index on the node)."]})


def print_estimate(e: dict[str, Any], measured_from: int) -> None:
    per, gb, m, fit = e["bytes_per_passage"], e["gb"], e["machine"], e["fit_in_page_cache"]
    print(f"\nMemory for {e['passages']:,} passages, int8_hnsw, {DIMS} dims, m={HNSW_M}:")
    print(f"  float32 vectors {per['float32_vector']} B/passage = {gb['float32_vectors']} GB (disk only)")
    print(f"  int8 vectors    {per['int8_vector']} B/passage = {gb['int8_vectors']} GB (page cache)")
    print(f"  HNSW graph      {per['hnsw_graph']} B/passage = {gb['hnsw_graph']} GB (page cache)")
    print(f"  kNN hot set     {per['knn_hot_set']} B/passage = {gb['knn_hot_set']} GB")
    if "measured_on_disk" in per:
        print(f"  whole index     {per['measured_on_disk']} B/passage measured at {measured_from:,} = "
              f"{gb['measured_on_disk']} GB on disk")
    print(f"  {m['memory_gb']} GB machine - {m['heap_gb']} GB heap - {m['jvm_off_heap_gb']} GB JVM "
          f"off-heap - {m['other_processes_gb']} GB other = {m['page_cache_gb']} GB page cache: "
          f"kNN hot set of {fit['knn_hot_set_passages']:,} passages"
          + (f", whole index of {fit['whole_index_passages']:,}" if "whole_index_passages" in fit else ""))


if __name__ == "__main__":
    main()
