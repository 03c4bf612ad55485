"""Query latency: the JSON API under closed-loop load, beside the same searches sent straight to ES.

    python -m bench.query [--passages 100000] [--duration 20] [--clients 1,4,16]
                          [--modes keyword,semantic,hybrid,mixed] [--workers 4]
                          [--client-processes 1]

1. The synthetic collection ``synthetic-<n>`` is made under the bench prefix (reused if present).
2. 200 short phrases from the same vocabulary are the queries; their vectors are computed once
   with the real model, and the model's cost alone is timed (one query; one page of semantic
   highlights, the sentences of 10 passages, which the API encodes in semantic mode).
3. API: gunicorn serves ``webapp.app:create_app()`` with W sync workers as the Dockerfile runs
   it (no ``--preload``: each worker loads its model; OMP_NUM_THREADS=1 so W workers share the
   cores without oversubscribing them; a smoke search fails fast if a worker is stuck); C
   closed-loop clients
   (threads, each with its own keep-alive http.client connection) send
   ``GET /api/search?q=...&mode=...&collection=synthetic-<n>&size=10`` for D seconds each.
4. Raw: the bodies ``Searcher._run`` builds for that mode (same builders, same all-collections
   alias and header, same msearch, and for keyword and semantic pages the same second request
   that counts each shown document's matching passages), with the precomputed vectors, sent
   by the elasticsearch client (one per client thread) at the same concurrency for the same
   time.
The ``mixed`` mode (what `make load` runs) cycles through the three modes, each with no
filter, a type, a date range or a speaker filter.
Any non-200 (or an msearch item with an error) counts as an error.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import numpy as np

from bench.common import REPO, bench_settings, write_result
from bench.synthetic import generate_passages, index_synthetic, load_vocabulary, sample_queries
from indexer import queries
from indexer.client import build_client
from indexer.embedder import Embedder
from indexer.passages import split_sentences
from indexer.queries import Filters, SearchRequest
from indexer.searcher import MAX_SENTENCES_PER_PASSAGE
from indexer.settings import Settings

QUERIES = 200
PAGE_SIZE = 10
WARMUP_S = 2.0
HEALTH_TIMEOUT_S = 180
SMOKE_TIMEOUT_S = 60
Lines = list[dict[str, Any]]


# ---------------------------------------------------------------- what is sent


def search_request(q: str, mode: str, collection: str, **filters: Any) -> SearchRequest:
    """What ``webapp.params.parse_search`` makes of the API query string below."""
    return SearchRequest(q=q, mode=mode, filters=Filters(collections=(collection,), **filters),
                         size=PAGE_SIZE)


def api_path(q: str, mode: str, collection: str, **filters: Any) -> str:
    params: list[tuple[str, Any]] = [("q", q), ("mode", mode), ("collection", collection),
                                     ("size", PAGE_SIZE)]
    for name, value in filters.items():
        if name in ("types", "speakers"):
            params.extend((name[:-1], v) for v in value)
        else:
            params.append((name, value))
    return "/api/search?" + urlencode(params)


MIXED = "mixed"


def mixed_requests(texts: list[str], speakers: list[str]) -> list[tuple[str, str, dict[str, Any]]]:
    """(query, mode, filters) for the mixed load: the three modes in turn, each with no filter,
    a type, a date range or a speaker, as a newsroom's searches would mix them."""
    variants: list[dict[str, Any]] = [
        {}, {"types": ("transcript",)}, {"date_from": "2015-01-01", "date_to": "2019-12-31"},
        {"speakers": (speakers[0],)}, {"types": ("article", "speech")}]
    return [(q, queries.MODES[i % len(queries.MODES)], variants[(i // 3) % len(variants)])
            for i, q in enumerate(texts)]


def msearch_lines(req: SearchRequest, vector: list[float] | None, index: str) -> Lines:
    """The msearch ``Searcher._run`` sends for ``req``: header and body per search, in order."""
    vectors = [queries.QueryVector(vector)] if vector is not None else None
    common = {"index": index, "ignore_unavailable": True, "allow_no_indices": True}
    facets = queries.facets_body(req, vectors)
    if req.mode == "keyword" or vector is None:
        searches = [queries.keyword_search_body(req, size=req.size, offset=req.offset), facets]
    elif req.mode == "semantic":
        searches = [queries.semantic_search_body(vectors, req, size=req.size, offset=req.offset),
                    facets]
    else:
        searches = [queries.keyword_search_body(req, size=queries.KEYWORD_CANDIDATES, collapsed=False),
                    queries.semantic_search_body(vectors, req, size=queries.SEMANTIC_K, collapsed=False),
                    facets]
    lines: Lines = []
    for body in searches:
        lines.extend([common, body])
    return lines


def page_counts(req: SearchRequest, vector: list[float]
                ) -> tuple[SearchRequest, list[queries.QueryVector] | None] | None:
    """What the second request of a keyword or semantic page needs (hybrid has none)."""
    if req.mode == "hybrid":
        return None
    return req, None if req.mode == "keyword" else [queries.QueryVector(vector)]


# ---------------------------------------------------------------- load


def percentiles(latencies_s: list[float], elapsed_s: float, errors: int) -> dict[str, Any]:
    ms = np.asarray(latencies_s) * 1000
    stats: dict[str, Any] = {"requests": len(ms), "errors": errors,
                             "throughput_rps": round(len(ms) / elapsed_s, 1) if elapsed_s else 0.0}
    for name, q in (("p50_ms", 50), ("p95_ms", 95), ("p99_ms", 99)):
        stats[name] = round(float(np.percentile(ms, q)), 1) if len(ms) else None
    return stats


def _api_caller(spec: dict[str, Any]) -> Callable[[int], str | None]:
    conn = http.client.HTTPConnection(spec["host"], spec["port"], timeout=120)
    paths = spec["paths"]

    def call(i: int) -> str | None:
        nonlocal conn
        try:
            # Sync workers answer "Connection: close"; http.client then reconnects by itself.
            conn.request("GET", paths[i % len(paths)])
            response = conn.getresponse()
            response.read()
        except (OSError, http.client.HTTPException) as exc:
            conn.close()
            conn = http.client.HTTPConnection(spec["host"], spec["port"], timeout=120)
            return type(exc).__name__
        return None if response.status == 200 else f"HTTP {response.status}"

    return call


def _raw_caller(spec: dict[str, Any]) -> Callable[[int], str | None]:
    from elastic_transport import TransportError
    from elasticsearch import ApiError

    client = build_client(spec["settings"])  # one client (one connection pool) per thread
    lines, counts, index = spec["lines"], spec["counts"], spec["settings"].all_alias

    def call(i: int) -> str | None:
        try:
            response = client.msearch(searches=lines[i % len(lines)])
            for item in response["responses"]:
                if "error" in item and item.get("status") != 404:  # 404 reads as empty
                    return f"msearch item {item.get('status')}"
            count = counts[i % len(counts)]
            if count is not None:  # the page's passage counts, as Searcher._passage_counts
                req, vectors = count
                hits = response["responses"][0]["hits"]["hits"]
                keys = sorted({h["_source"]["doc_key"] for h in hits})
                if keys:
                    client.search(index=index, ignore_unavailable=True, allow_no_indices=True,
                                  **queries.passage_counts_body(req, vectors, keys))
        except (ApiError, TransportError) as exc:
            return type(exc).__name__
        return None

    return call


CALLERS = {"api": _api_caller, "raw": _raw_caller}


def closed_loop(kind: str, spec: dict[str, Any], threads: int, duration: float,
                first_thread: int = 0) -> dict[str, Any]:
    """``threads`` clients, each sending its next request as soon as the last one answered."""
    latencies: list[list[float]] = [[] for _ in range(threads)]
    errors: list[list[str]] = [[] for _ in range(threads)]
    callers = [CALLERS[kind](spec) for _ in range(threads)]
    barrier = threading.Barrier(threads + 1)
    deadline = 0.0

    def client(t: int) -> None:
        call, mine, failed = callers[t], latencies[t], errors[t]
        i = (first_thread + t) * 37  # clients start at different queries
        barrier.wait()
        while True:
            started = time.perf_counter()
            if started >= deadline:
                return
            error = call(i)
            if error is None:
                mine.append(time.perf_counter() - started)
            else:
                failed.append(error)
            i += 1

    workers = [threading.Thread(target=client, args=(t,), daemon=True) for t in range(threads)]
    for w in workers:
        w.start()
    cpu = time.process_time()
    deadline = time.perf_counter() + duration
    started = time.perf_counter()
    barrier.wait()
    for w in workers:
        w.join()
    return {"latencies": [x for xs in latencies for x in xs], "errors": [e for es in errors for e in es],
            "elapsed_s": time.perf_counter() - started, "client_cpu_s": time.process_time() - cpu}


def run_load(kind: str, spec: dict[str, Any], clients: int, duration: float,
             processes: int) -> dict[str, Any]:
    """Closed-loop load from threads in this process, or spread over ``processes`` processes
    (so the client's own JSON decoding is not serialised by one GIL)."""
    if processes <= 1:
        parts = [closed_loop(kind, spec, clients, duration)]
    else:
        split = [clients // processes + (1 if p < clients % processes else 0) for p in range(processes)]
        offsets = np.cumsum([0, *split])[:-1]
        with ProcessPoolExecutor(len(split), mp_context=get_context("spawn")) as pool:
            futures = [pool.submit(closed_loop, kind, spec, n, duration, int(o))
                       for n, o in zip(split, offsets, strict=True) if n]
            parts = [f.result() for f in futures]
    latencies = [x for p in parts for x in p["latencies"]]
    errors = [e for p in parts for e in p["errors"]]
    stats = percentiles(latencies, max(p["elapsed_s"] for p in parts), len(errors))
    stats["client_cpu_s"] = round(sum(p["client_cpu_s"] for p in parts), 2)
    if errors:
        stats["error_kinds"] = sorted(set(errors))[:5]
    return stats


# ---------------------------------------------------------------- the server


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def gunicorn(settings: Settings, workers: int, *, omp_threads: int,
             smoke_path: str) -> Iterator[tuple[str, int]]:
    """The app under gunicorn on a free port, stopped on the way out (also on Ctrl-C)."""
    port = free_port()
    log = tempfile.NamedTemporaryFile(  # noqa: SIM115 - gunicorn writes to it while we yield
        "w+", prefix="bench-gunicorn-", suffix=".log", delete=False)
    env = {**os.environ, "VERBATIM_INDEX_PREFIX": settings.index_prefix}
    if omp_threads:
        # One OpenMP thread per worker: W workers on 2 cores must not oversubscribe them.
        env["OMP_NUM_THREADS"] = str(omp_threads)
    command = [str(Path(sys.executable).parent / "gunicorn"), "-w", str(workers),
               "-b", f"127.0.0.1:{port}", "--timeout", "120", "webapp.app:create_app()"]
    process = subprocess.Popen(command, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        _wait_healthy(process, port, Path(log.name))
        _smoke(port, smoke_path, Path(log.name))
        yield "127.0.0.1", port
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
        os.unlink(log.name)


def _wait_healthy(process: subprocess.Popen[bytes], port: int, log: Path) -> None:
    deadline = time.monotonic() + HEALTH_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"gunicorn exited ({process.returncode}) before answering:\n"
                     + log.read_text()[-3000:])
        with contextlib.suppress(OSError, http.client.HTTPException):
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/api/health")
            if conn.getresponse().status == 200:
                return
        time.sleep(0.5)
    sys.exit(f"gunicorn did not answer /api/health within {HEALTH_TIMEOUT_S} s:\n"
             + log.read_text()[-3000:])


def _smoke(port: int, path: str, log: Path) -> None:
    """One search that encodes a query must answer: a hung worker would time every request out."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=SMOKE_TIMEOUT_S)
    try:
        conn.request("GET", path)
        status = conn.getresponse().status
    except (OSError, http.client.HTTPException) as exc:
        status = type(exc).__name__
    if status != 200:
        sys.exit(f"the API answered a semantic search with {status}; gunicorn's log:\n"
                 + log.read_text()[-3000:])


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
    """Sentences of ``pages`` pages of 10 synthetic passages, as ``Searcher._mark_semantic`` cuts them."""
    texts = [p["text"] for p in generate_passages(pages * PAGE_SIZE, seed=99, collection=collection)]
    out = []
    for start in range(0, len(texts), PAGE_SIZE):
        out.append([text[a:b] for text in texts[start:start + PAGE_SIZE]
                    for a, b in split_sentences(text)[:MAX_SENTENCES_PER_PASSAGE]])
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
    args = parser.parse_args(argv)
    modes = args.modes.split(",")
    levels = [int(c) for c in args.clients.split(",")]
    if unknown := set(modes) - set(queries.MODES) - {MIXED}:
        parser.error(f"unknown modes: {', '.join(sorted(unknown))}")

    settings = bench_settings()
    client = build_client(settings)
    collection = f"synthetic-{args.passages}"
    print(f"collection {settings.alias(collection)} ({args.passages:,} passages)", flush=True)
    indexed = index_synthetic(client, settings, collection, args.passages)

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
            api_spec = {"host": host, "port": port,
                        "paths": [api_path(q, m, collection, **f) for q, m, f in planned]}
            raw_spec = {"settings": settings, "lines": [
                msearch_lines(search_request(q, m, collection, **f),
                              None if m == "keyword" else v, settings.all_alias)
                for (q, m, f), v in zip(planned, vectors, strict=True)], "counts": [
                page_counts(search_request(q, m, collection, **f), v)
                for (q, m, f), v in zip(planned, vectors, strict=True)]}
            results[mode] = {}
            for kind, spec in (("api", api_spec), ("raw", raw_spec)):
                closed_loop(kind, spec, 1, min(WARMUP_S, args.duration))  # caches, connections
            for clients in levels:
                api = run_load("api", api_spec, clients, args.duration, args.client_processes)
                raw = run_load("raw", raw_spec, clients, args.duration, args.client_processes)
                results[mode][str(clients)] = {
                    "api": api, "raw": raw, "ratio_p50": _ratio(api["p50_ms"], raw["p50_ms"]),
                    "ratio_p95": _ratio(api["p95_ms"], raw["p95_ms"])}
                print(f"{mode:9} c={clients:<3} API p50 {api['p50_ms']} ms {api['throughput_rps']} req/s"
                      f" | raw p50 {raw['p50_ms']} ms {raw['throughput_rps']} req/s", flush=True)
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
            "Raw: the msearch Searcher._run sends, with precomputed vectors, via the all-collections "
            "alias, decoded by the elasticsearch client.",
            "Client, gunicorn and Elasticsearch share this machine's cores.",
            "gunicorn runs with OMP_NUM_THREADS=omp_threads: with --preload and more OpenMP "
            "threads, workers hang on their first encode.",
        ],
    })


if __name__ == "__main__":
    main()
