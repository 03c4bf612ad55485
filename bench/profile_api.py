"""Where an API search spends its time: `make load`'s mixed requests through Flask's test client
in one process, under cProfile.

    python -m bench.profile_api [--passages 100000] [--requests 150] [--top 25]

Run `make load` first (it makes and merges the synthetic collection). Prints the wall and CPU
time per request, the Elasticsearch requests per page, and the functions that take the most
time of their own: what the API adds over the raw bodies `make load` sends beside it.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import time

from bench.common import bench_settings
from bench.query import api_path, mixed_requests
from bench.synthetic import load_vocabulary, sample_queries
from webapp.app import create_app

WARMUP = 20
QUERIES = 200  # as bench.query draws them


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--passages", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=150)
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args(argv)
    app = create_app(bench_settings())
    client = app.test_client()
    vocabulary = load_vocabulary()
    planned = mixed_requests(sample_queries(vocabulary, QUERIES),
                             [s.display for s in vocabulary.speakers])
    paths = [api_path(q, m, f"synthetic-{args.passages}", **f) for q, m, f in planned]
    for path in paths[:WARMUP]:
        answer = client.get(path)
        if answer.status_code != 200:
            raise SystemExit(f"{path}: HTTP {answer.status_code}: run make load first")
    # Past the warm-up's paths: their query vectors are cached.
    chosen = [paths[WARMUP + i % (len(paths) - WARMUP)] for i in range(args.requests)]
    profile = cProfile.Profile()
    wall, cpu = time.perf_counter(), time.process_time()
    profile.enable()
    for path in chosen:
        client.get(path)
    profile.disable()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    stats = pstats.Stats(profile)
    # Every request to Elasticsearch passes once through the base client's _perform_request
    # (perform_request is also the name of the namespaced clients' wrapper around it).
    sent = sum(calls[0] for (file, _, name), calls in stats.stats.items()  # type: ignore[attr-defined]
               if name == "_perform_request" and file.endswith("_base.py"))
    print(f"{args.requests} requests: wall {wall / args.requests * 1000:.1f} ms, CPU "
          f"{cpu / args.requests * 1000:.1f} ms per request (under cProfile), "
          f"{sent / args.requests:.2f} Elasticsearch requests per page")
    stats.sort_stats("tottime").print_stats(args.top)


if __name__ == "__main__":
    main()
