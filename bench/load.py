"""Closed-loop load: C clients, each sending its next request as soon as the last one answered.

Two kinds of client: ``api`` sends ``GET`` requests to the app (each thread with its own
keep-alive ``http.client`` connection); ``raw`` sends the same pages straight to
Elasticsearch, the searches built by ``indexer.search.plan`` as the searcher builds them
(one elasticsearch client per thread). Any non-200 (or an msearch item with an error)
counts as an error. The clients run as threads of this process, or are spread over
several processes so that their own JSON decoding is not serialised by one GIL.
"""

from __future__ import annotations

import http.client
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from typing import Any

import numpy as np

from indexer.client import build_client
from indexer.search import candidate_facets, plan, results
from indexer.search.queries import QueryVector
from indexer.search.request import SEARCH_TIMEOUT, SearchRequest
from indexer.search.searcher import Searcher
from indexer.settings import Settings

Caller = Callable[[int], str | None]  # request number -> None, or what went wrong
Planned = tuple[SearchRequest, list[QueryVector] | None]  # a page and its query vectors
HTTP_TIMEOUT_S = 120


def api_spec(host: str, port: int, paths: list[str]) -> dict[str, Any]:
    """What ``api`` clients send: these paths in turn."""
    return {"host": host, "port": port, "paths": paths}


def raw_spec(settings: Settings, pages: Sequence[Planned]) -> dict[str, Any]:
    """What ``raw`` clients send: each page's msearch to the all-collections alias (as the
    searcher sends it: each search with its timeout), and for a keyword or semantic page the
    passage counts after it."""
    searcher = Searcher(build_client(settings), None, settings)  # its page plan only
    return {"settings": settings, "index": searcher.index, "pages": list(pages),
            "lines": [plan.msearch_lines([(header, {**body, "timeout": SEARCH_TIMEOUT})
                                          for header, body in searcher.page_searches(req,
                                                                                     vectors)])
                      for req, vectors in pages]}


def percentiles(latencies_s: list[float], elapsed_s: float, errors: int) -> dict[str, Any]:
    ms = np.asarray(latencies_s) * 1000
    stats: dict[str, Any] = {"requests": len(ms), "errors": errors,
                             "throughput_rps": round(len(ms) / elapsed_s, 1) if elapsed_s else 0.0}
    for name, q in (("p50_ms", 50), ("p95_ms", 95), ("p99_ms", 99)):
        stats[name] = round(float(np.percentile(ms, q)), 1) if len(ms) else None
    return stats


def _api_caller(spec: dict[str, Any]) -> Caller:
    conn = http.client.HTTPConnection(spec["host"], spec["port"], timeout=HTTP_TIMEOUT_S)
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
            conn = http.client.HTTPConnection(spec["host"], spec["port"], timeout=HTTP_TIMEOUT_S)
            return type(exc).__name__
        return None if response.status == 200 else f"HTTP {response.status}"

    return call


def _raw_caller(spec: dict[str, Any]) -> Caller:
    from elastic_transport import TransportError
    from elasticsearch import ApiError

    # One client (one connection pool) per thread; as the searcher's, no retry on a timeout.
    client = build_client(spec["settings"]).options(retry_on_timeout=False)
    lines, pages, index = spec["lines"], spec["pages"], spec["index"]

    def call(i: int) -> str | None:
        try:
            response = client.msearch(searches=lines[i % len(lines)])
            for item in response["responses"]:
                if "error" in item and item.get("status") != 404:  # 404 reads as empty
                    return f"msearch item {item.get('status')}"
            req, vectors = pages[i % len(pages)]
            hits = [item["hits"]["hits"] for item in response["responses"] if "hits" in item]
            if plan.page_kind(req, vectors) == "hybrid":
                # The hybrid page's facets, counted over the passages in hand, and the
                # shown passages' highlights (and best passages), as the searcher asks them.
                if any(hits):
                    shown, _ = results.hybrid_results(req, hits[0], hits[1], None,
                                                      hits[2] if len(hits) > 2 else None)
                    candidate_facets.aggregations(hits)
                    follow = plan.follow_up_searches(req, hits, shown, index)
                    if follow:
                        client.msearch(searches=plan.msearch_lines([s for _, s in follow]))
                return None
            counts = plan.passage_counts_search(req, vectors, hits[0] if hits else [], index)
            if counts is not None:  # the page's passage counts, as the searcher asks them
                header, body = counts
                client.search(**header, **body, timeout=SEARCH_TIMEOUT)
        except (ApiError, TransportError) as exc:
            return type(exc).__name__
        return None

    return call


CALLERS: dict[str, Callable[[dict[str, Any]], Caller]] = {"api": _api_caller, "raw": _raw_caller}


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
