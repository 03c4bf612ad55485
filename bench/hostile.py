"""Hostile clients: how much do two clients sending the costliest queries slow everyone else?

    python -m bench.hostile [--passages 20000] [--clients 16] [--hostile 2] [--rounds 4]
                            [--window 10] [--workers 2] [--output hostile]

Issue 11, item 8: any query answers within 5 s while ordinary users see no slowdown beyond
1.5×. The ordinary clients run the mixed load of ``bench.query`` (three modes, with and
without filters) against gunicorn over ``synthetic-<passages>``, without pause, for
``2 × rounds`` windows of ``window`` seconds; the hostile clients (``bench.query``'s
``HOSTILE_QUERIES``, keyword and hybrid) join in every other window, in the order
quiet, hostile, hostile, quiet, quiet, hostile, … (ABBA), so the machine's drift and the
neighbours' noise fall on both conditions alike. One run gives both sides of the ratio:
the ordinary clients' p50 and p95 with and without the hostile ones, and the hostile
queries' own latency (p50 and max). Earlier figures came from two separate runs of
``bench.query`` (``--hostile 0`` then ``--hostile 2``), which this machine's noise could tilt
either way.
"""

from __future__ import annotations

import argparse
from typing import Any

from bench.common import bench_settings, write_result
from bench.load import api_spec, closed_loop, percentiles
from bench.query import HOSTILE_QUERIES, WARMUP_S, api_path, hostile_clients, mixed_requests
from bench.server import gunicorn
from bench.synthetic import index_synthetic, load_vocabulary, sample_queries
from indexer.client import build_client

TARGET_SLOWDOWN = 1.5
TARGET_HOSTILE_S = 5.0


def schedule(rounds: int) -> list[bool]:
    """Which windows have the hostile clients in them: ABBA order, ``2 × rounds`` windows."""
    pattern = [False, True, True, False]
    return [pattern[i % 4] for i in range(2 * rounds)]


def slowdown(quiet: dict[str, Any], loud: dict[str, Any], key: str) -> float | None:
    return round(loud[key] / quiet[key], 2) if quiet.get(key) and loud.get(key) else None


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--passages", type=int, default=20_000)
    parser.add_argument("--clients", type=int, default=16, help="ordinary closed-loop clients")
    parser.add_argument("--hostile", type=int, default=2, help="hostile clients in half the windows")
    parser.add_argument("--rounds", type=int, default=4, help="quiet/hostile window pairs")
    parser.add_argument("--window", type=float, default=10.0, help="seconds per window")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--output", default="hostile", help="results file: bench/results/NAME.json")
    args = parser.parse_args(argv)

    settings = bench_settings()
    client = build_client(settings)
    collection = f"synthetic-{args.passages}"
    indexed = index_synthetic(client, settings, collection, args.passages)
    vocabulary = load_vocabulary()
    texts = sample_queries(vocabulary, 200)
    planned = mixed_requests(texts, [s.display for s in vocabulary.speakers])
    smoke = api_path(texts[0], "semantic", collection)

    windows: list[dict[str, Any]] = []
    latencies: dict[bool, list[float]] = {False: [], True: []}
    elapsed: dict[bool, float] = {False: 0.0, True: 0.0}
    errors: dict[bool, int] = {False: 0, True: 0}
    hostile_runs: list[dict[str, Any]] = []
    with gunicorn(settings, args.workers, omp_threads=1, smoke_path=smoke) as (host, port):
        ordinary = api_spec(host, port, [api_path(q, m, collection, **f) for q, m, f in planned])
        hostile = api_spec(host, port, [api_path(q, m, collection) for q in HOSTILE_QUERIES
                                        for m in ("keyword", "hybrid")])
        closed_loop("api", ordinary, 1, WARMUP_S)  # caches, connections
        closed_loop("api", hostile, 1, WARMUP_S)  # the hostile queries' vectors are cached too
        for number, loud in enumerate(schedule(args.rounds)):
            with hostile_clients(hostile, args.hostile if loud else 0, args.window) as by_hostile:
                outcome = closed_loop("api", ordinary, args.clients, args.window,
                                      first_thread=number * args.clients)
            latencies[loud] += outcome["latencies"]
            elapsed[loud] += outcome["elapsed_s"]
            errors[loud] += len(outcome["errors"])
            stats = percentiles(outcome["latencies"], outcome["elapsed_s"], len(outcome["errors"]))
            windows.append({"hostile": loud, "ordinary": stats, "hostile_queries": by_hostile})
            if by_hostile:
                hostile_runs.append(by_hostile)
            print(f"window {number + 1:>2} {'hostile' if loud else 'quiet  '}: ordinary p50 "
                  f"{stats['p50_ms']} ms p95 {stats['p95_ms']} ms {stats['throughput_rps']} req/s"
                  + (f" | hostile p50 {by_hostile['p50_ms']} ms max {by_hostile['max_ms']} ms"
                     if by_hostile else ""), flush=True)

    quiet = percentiles(latencies[False], elapsed[False], errors[False])
    noisy = percentiles(latencies[True], elapsed[True], errors[True])
    worst = max((h["max_ms"] or 0.0) for h in hostile_runs) if hostile_runs else None
    summary = {
        "ordinary_quiet": quiet, "ordinary_with_hostile": noisy,
        "slowdown_p50": slowdown(quiet, noisy, "p50_ms"),
        "slowdown_p95": slowdown(quiet, noisy, "p95_ms"),
        "hostile_p50_ms": sorted(h["p50_ms"] for h in hostile_runs)[len(hostile_runs) // 2]
        if hostile_runs else None,
        "hostile_max_ms": worst,
        "targets": {"slowdown_max": TARGET_SLOWDOWN, "hostile_max_s": TARGET_HOSTILE_S},
    }
    print(f"\nordinary p50 {quiet['p50_ms']} → {noisy['p50_ms']} ms ({summary['slowdown_p50']}×), "
          f"p95 {quiet['p95_ms']} → {noisy['p95_ms']} ms ({summary['slowdown_p95']}×), "
          f"req/s {quiet['throughput_rps']} → {noisy['throughput_rps']}; hostile max {worst} ms")
    write_result(args.output, {
        "passages": args.passages, "collection": collection, "index": indexed,
        "clients": args.clients, "hostile_clients": args.hostile, "rounds": args.rounds,
        "window_s": args.window, "workers": args.workers,
        "hostile_queries": list(HOSTILE_QUERIES), "summary": summary, "windows": windows,
    })


if __name__ == "__main__":
    main()
