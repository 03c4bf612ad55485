"""Query latency: the JSON API under closed-loop load, beside the same searches sent straight to ES.

    python -m bench.query [--passages 100000] [--duration 20] [--clients 1,4,16]
                          [--modes keyword,semantic,hybrid,mixed] [--workers 4]
                          [--client-processes 1]

1. The synthetic collection ``synthetic-<n>`` is made under the bench prefix (reused if present),
   its segments merged when ``verbatim index`` would merge after such a load
   (``optimize.should_merge``), so that the load meets the index a user's load leaves.
2. 200 short phrases from the same vocabulary are the queries; their vectors are computed once
   with the real model, and the model's cost alone is timed (one query; one page of semantic
   highlights, the sentences of 10 passages, which the API encodes in semantic mode).
3. API: gunicorn serves ``webapp.app:create_app()`` with W sync workers as the Dockerfile runs
   it (bench/server.py: no ``--preload``, each worker loads its model; OMP_NUM_THREADS=1 so W
   workers share the cores without oversubscribing them; a smoke search fails fast if a worker
   is stuck); C closed-loop clients (bench/load.py: threads, each with its own keep-alive
   http.client connection) send
   ``GET /api/search?q=...&mode=...&collection=synthetic-<n>&size=10`` for D seconds each.
4. Raw: the searches the Searcher sends for that mode, built by the same code
   (``indexer.search.plan``: same bodies, same all-collections alias and header, same msearch,
   and for keyword and semantic pages the same second request that counts each shown
   document's matching passages), with the precomputed vectors, sent by the elasticsearch
   client (one per client thread) at the same concurrency for the same time.
The ``mixed`` mode (what `make load` runs) cycles through the three modes, each with no
filter, a type, a date range or a speaker filter.
Any non-200 (or an msearch item with an error) counts as an error.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import threading
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import numpy as np

from bench.common import bench_settings, write_result
from bench.load import Planned, api_spec, closed_loop, percentiles, raw_spec, run_load
from bench.server import gunicorn
from bench.synthetic import (
    generate_passages,
    index_synthetic,
    load_vocabulary,
    sample_queries,
    segment_count,
)
from indexer import optimize
from indexer.client import build_client
from indexer.model.embedder import Embedder
from indexer.search import queries
from indexer.search.highlight import sentence_spans
from indexer.search.queries import QueryVector
from indexer.search.request import MODES, Filters, SearchRequest
from indexer.settings import Settings

QUERIES = 200
PAGE_SIZE = 10
WARMUP_S = 2.0
MIXED = "mixed"
# What a hostile client sends over and over (issue 11): 333 one-letter prefixes, and the most
# distinct long prefixes a query may hold and more, in the modes that run the keyword leg.
HOSTILE_QUERIES = ("a* " * 333,
                   " ".join(f"{a}{b}{c}*" for a in "aeiou" for b in "rstln" for c in "ae"))


# ---------------------------------------------------------------- what is sent


def search_request(q: str, mode: str, collection: str, **filters: Any) -> SearchRequest:
    """What ``webapp.params.parse_search`` makes of the API query string below."""
    return SearchRequest(q=q, mode=mode, filters=Filters(collections=(collection,), **filters),
                         size=PAGE_SIZE)


def planned_page(settings: Settings, q: str, mode: str, collection: str, vector: list[float],
                 **filters: Any) -> Planned:
    """The request and the query vectors the searcher has for it (``Searcher.prepare``: the
    collection filter on its alias): no vectors in keyword mode, else the one vector of the
    app's own encoder (the synthetic collection was indexed with it)."""
    vectors = None if mode == "keyword" else [QueryVector(vector)]
    req = search_request(q, mode, collection, **filters)
    return dataclasses.replace(req, filters=queries.scoped(req.filters, settings)), vectors


def api_path(q: str, mode: str, collection: str, **filters: Any) -> str:
    params: list[tuple[str, Any]] = [("q", q), ("mode", mode), ("collection", collection),
                                     ("size", PAGE_SIZE)]
    for name, value in filters.items():
        if name in ("types", "speakers"):
            params.extend((name[:-1], v) for v in value)
        else:
            params.append((name, value))
    return "/api/search?" + urlencode(params)


def mixed_requests(texts: list[str], speakers: list[str]) -> list[tuple[str, str, dict[str, Any]]]:
    """(query, mode, filters) for the mixed load: the three modes in turn, each with no filter,
    a type, a date range or a speaker, as a newsroom's searches would mix them."""
    variants: list[dict[str, Any]] = [
        {}, {"types": ("transcript",)}, {"date_from": "2015-01-01", "date_to": "2019-12-31"},
        {"speakers": (speakers[0],)}, {"types": ("article", "speech")}]
    return [(q, MODES[i % len(MODES)], variants[(i // 3) % len(variants)])
            for i, q in enumerate(texts)]


# ---------------------------------------------------------------- the model alone


def time_encoding(embedder: Embedder, texts: list[str], pages: list[list[str]]) -> dict[str, Any]:
    """The model's share: one query (what an uncached API request pays) and one page of
    semantic highlights (the API encodes the shown passages' sentences in semantic mode)."""
    embedder.encode_queries(texts[:10])  # warm-up
    one = []
    for text in texts:
        started = time.perf_counter()
        embedder.encode_queries([text])
        one.append(time.perf_counter() - started)
    page = []
    for sentences in pages:
        started = time.perf_counter()
        embedder.encode_sentences_cheaply(sentences)
        page.append(time.perf_counter() - started)

    def summary(values: list[float]) -> dict[str, Any]:
        ms = np.asarray(values) * 1000
        return {"n": len(ms), "p50_ms": round(float(np.percentile(ms, 50)), 1),
                "p95_ms": round(float(np.percentile(ms, 95)), 1)}

    return {"query": summary(one), "semantic_highlight_page": {
        **summary(page), "sentences": int(np.mean([len(p) for p in pages]))}}


def highlight_pages(collection: str, pages: int) -> list[list[str]]:
    """Sentences of ``pages`` pages of 10 synthetic passages, as the semantic highlights cut them."""
    texts = [p["text"] for p in generate_passages(pages * PAGE_SIZE, seed=99, collection=collection)]
    out = []
    for start in range(0, len(texts), PAGE_SIZE):
        out.append([text[a:b] for text in texts[start:start + PAGE_SIZE]
                    for a, b in sentence_spans(text)])
    return out


# ---------------------------------------------------------------- main


def print_table(results: dict[str, dict[str, Any]]) -> None:
    head = (f"{'mode':9} {'clients':>7} | {'API p50':>8} {'p95':>7} {'p99':>7} {'req/s':>7} {'err':>4}"
            f" | {'raw p50':>8} {'p95':>7} {'p99':>7} {'req/s':>7} {'err':>4} | API/raw p50  p95")
    print(head)
    print("-" * len(head))
    for mode, by_clients in results.items():
        for clients, row in by_clients.items():
            api, raw = row["api"], row["raw"]
            print(f"{mode:9} {clients:>7} | {api['p50_ms']!s:>8} {api['p95_ms']!s:>7} "
                  f"{api['p99_ms']!s:>7} {api['throughput_rps']:>7} {api['errors']:>4} | "
                  f"{raw['p50_ms']!s:>8} {raw['p95_ms']!s:>7} {raw['p99_ms']!s:>7} "
                  f"{raw['throughput_rps']:>7} {raw['errors']:>4} | "
                  f"{row['ratio_p50']!s:>10} {row['ratio_p95']!s:>5}")


def _ratio(a: float | None, b: float | None) -> float | None:
    return round(a / b, 2) if a is not None and b else None


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--passages", type=int, default=100_000, help="size of the synthetic collection")
    parser.add_argument("--duration", type=float, default=20.0, help="seconds per mode × concurrency")
    parser.add_argument("--clients", default="1,4,16", help="concurrency levels, comma-separated")
    parser.add_argument("--modes", default="keyword,semantic,hybrid", help="search modes, comma-separated")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers")
    parser.add_argument("--omp-threads", type=int, default=1,
                        help="OMP_NUM_THREADS for gunicorn workers (0: inherit)")
    parser.add_argument("--output", default="query", help="results file: bench/results/NAME.json")
    parser.add_argument("--client-processes", type=int, default=1,
                        help="spread the clients over this many processes (1: threads only)")
    parser.add_argument("--hostile", type=int, default=0,
                        help="this many more API clients sending hostile queries during each "
                             "API run; their latency is reported apart (results: hostile)")
    args = parser.parse_args(argv)
    modes = args.modes.split(",")
    levels = [int(c) for c in args.clients.split(",")]
    if unknown := set(modes) - set(MODES) - {MIXED}:
        parser.error(f"unknown modes: {', '.join(sorted(unknown))}")

    settings = bench_settings()
    client = build_client(settings)
    collection = f"synthetic-{args.passages}"
    print(f"collection {settings.alias(collection)} ({args.passages:,} passages)", flush=True)
    indexed = index_synthetic(client, settings, collection, args.passages)
    segments = segment_count(client, indexed["index"])
    if optimize.should_merge(args.passages, segments):
        print(f"merging {segments} segments, as verbatim index does after a load this size",
              flush=True)
        indexed["merge"] = optimize.merge(client, indexed["index"]).as_dict()

    texts = sample_queries(load_vocabulary(), QUERIES)
    embedder = Embedder.from_settings(settings)
    vectors = [[float(x) for x in row] for row in embedder.encode_queries(texts)]
    encoding = time_encoding(embedder, texts, highlight_pages(collection, 10))
    print(f"model alone: one query p50 {encoding['query']['p50_ms']} ms, one page of semantic "
          f"highlights p50 {encoding['semantic_highlight_page']['p50_ms']} ms", flush=True)

    results: dict[str, dict[str, Any]] = {}
    smoke = api_path(texts[0], "semantic", collection)
    with gunicorn(settings, args.workers, omp_threads=args.omp_threads, smoke_path=smoke) as (host, port):
        for mode in modes:
            if mode == MIXED:
                planned = mixed_requests(texts, [s.display for s in load_vocabulary().speakers])
            else:
                planned = [(q, mode, {}) for q in texts]
            api = api_spec(host, port, [api_path(q, m, collection, **f) for q, m, f in planned])
            raw = raw_spec(settings, [planned_page(settings, q, m, collection, v, **f)
                                      for (q, m, f), v in zip(planned, vectors, strict=True)])
            results[mode] = {}
            for kind, spec in (("api", api), ("raw", raw)):
                closed_loop(kind, spec, 1, min(WARMUP_S, args.duration))  # caches, connections
            hostile = api_spec(host, port, [api_path(q, m, collection) for q in HOSTILE_QUERIES
                                            for m in ("keyword", "hybrid")])
            for clients in levels:
                with hostile_clients(hostile, args.hostile, args.duration) as by_hostile:
                    by_api = run_load("api", api, clients, args.duration, args.client_processes)
                by_raw = run_load("raw", raw, clients, args.duration, args.client_processes)
                results[mode][str(clients)] = {
                    "api": by_api, "raw": by_raw,
                    "ratio_p50": _ratio(by_api["p50_ms"], by_raw["p50_ms"]),
                    "ratio_p95": _ratio(by_api["p95_ms"], by_raw["p95_ms"])}
                if by_hostile:
                    results[mode][str(clients)]["hostile"] = by_hostile
                    print(f"{mode:9} c={clients:<3} + {args.hostile} hostile: p50 "
                          f"{by_hostile['p50_ms']} ms, max {by_hostile['max_ms']} ms", flush=True)
                print(f"{mode:9} c={clients:<3} API p50 {by_api['p50_ms']} ms "
                      f"{by_api['throughput_rps']} req/s | raw p50 {by_raw['p50_ms']} ms "
                      f"{by_raw['throughput_rps']} req/s", flush=True)
    print()
    print_table(results)
    write_result(args.output, {
        "passages": args.passages, "collection": collection, "index": indexed,
        "duration_s": args.duration, "workers": args.workers,
        "omp_threads": args.omp_threads, "client_processes": args.client_processes,
        "queries": len(texts), "query_examples": texts[:5], "page_size": PAGE_SIZE,
        "model": settings.model, "encoding": encoding, "results": results,
        "notes": [
            "API: gunicorn sync workers, each loading its own model; each worker caches query "
            "vectors, so after warm-up most API requests skip encoding: add "
            "encoding.query.p50_ms for a new query.",
            "API semantic mode also scores the shown passages' sentences for highlights "
            "(token-embedding averages, encoding.semantic_highlight_page); raw never does.",
            "Raw: the msearch the Searcher sends (indexer.search.plan), with precomputed vectors, "
            "via the all-collections alias, decoded by the elasticsearch client.",
            "Client, gunicorn and Elasticsearch share this machine's cores.",
            "gunicorn runs with OMP_NUM_THREADS=omp_threads: with --preload and more OpenMP "
            "threads, workers hang on their first encode.",
        ],
    })


@contextlib.contextmanager
def hostile_clients(spec: dict[str, Any], clients: int,
                     duration: float) -> Iterator[dict[str, Any]]:
    """``clients`` closed-loop hostile clients in a thread while the block runs the measured
    load; the dict yielded holds their statistics once the block is done (empty if none)."""
    stats: dict[str, Any] = {}
    if not clients:
        yield stats
        return
    outcome: dict[str, Any] = {}
    thread = threading.Thread(target=lambda: outcome.update(
        closed_loop("api", spec, clients, duration)), daemon=True)
    thread.start()
    try:
        yield stats
    finally:
        thread.join()
        if outcome:
            stats.update(percentiles(outcome["latencies"], outcome["elapsed_s"],
                                     len(outcome["errors"])))
            stats["max_ms"] = (round(max(outcome["latencies"]) * 1000, 1)
                               if outcome["latencies"] else None)


if __name__ == "__main__":
    main()
