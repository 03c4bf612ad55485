"""What semantic highlighting costs: hybrid and semantic p50 with and without it.

    python -m bench.highlight [--reps 3]

Over the UN Security Council records in ../shared/data (indexed with `verbatim index`),
each query runs through ``Searcher.search`` with the page's sentences encoded and marked,
and without, alternating so that machine noise falls on both alike. Query vectors are
cached by then, so the difference is the highlighting alone. Target: hybrid with
highlights ≤ 1.5 × hybrid without.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from bench.common import DATA, bench_settings, require_data, write_result
from indexer.client import build_client
from indexer.model.embedder import Embedder
from indexer.search.request import Filters, SearchRequest
from indexer.search.searcher import Searcher

QUERIES = [
    "hospitals schools camps not spared Idlib", "medical facilities shelled in northwest Syria",
    "cross-border humanitarian aid through Bab al-Hawa", "ceasefire agreement in Idlib",
    "children killed in air strikes", "displaced families fleeing toward the Turkish border",
    "chemical weapons investigation", "sanctions and their effect on civilians",
    "return of refugees to their homes", "the constitutional committee in Geneva",
    "protection of humanitarian workers", "winter conditions in displacement camps",
    "access for aid convoys to Rukban", "counter-terrorism operations against extremist groups",
    "violations of international humanitarian law", "the Al-Yarubiyah border crossing",
    "vaccination and health care for children", "political solution under resolution 2254",
    "attacks on civilian infrastructure", "the situation of detainees and missing persons",
    "food insecurity and rising prices", "women and girls facing violence",
    "Russian and Turkish military operations", "funding shortfall of the humanitarian response",
]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=3)
    args = parser.parse_args(argv)
    settings = bench_settings()
    folder = require_data(DATA / "unsc_2020_syria" / "transcripts")
    subprocess.run([str(Path(sys.executable).parent / "verbatim"), "index", str(folder),
                    "--collection", "bench-un", "--no-progress"], check=True,
                   env={**os.environ, "VERBATIM_INDEX_PREFIX": settings.index_prefix})
    searcher = Searcher(build_client(settings), Embedder.from_settings(settings), settings)
    filters = Filters(collections=("bench-un",))
    results: dict[str, dict[str, float]] = {}
    for mode in ("hybrid", "semantic"):
        timings: dict[bool, list[float]] = {True: [], False: []}
        for q in QUERIES:  # warm: query vectors cached, caches filled
            searcher.search(SearchRequest(q=q, mode=mode, filters=filters))
        for _ in range(args.reps):
            for q in QUERIES:
                for mark in (False, True):
                    req = SearchRequest(q=q, mode=mode, filters=filters)
                    started = time.perf_counter()
                    searcher.search(req, mark_semantic=mark)
                    timings[mark].append(1000 * (time.perf_counter() - started))
        without = statistics.median(timings[False])
        with_marks = statistics.median(timings[True])
        results[mode] = {"p50_ms_without": round(without, 1), "p50_ms_with": round(with_marks, 1),
                         "ratio": round(with_marks / without, 3)}
        print(f"{mode:9} p50 without {without:7.1f} ms   with {with_marks:7.1f} ms   "
              f"ratio {with_marks / without:.2f}", flush=True)
    met = results["hybrid"]["ratio"] <= 1.5
    write_result("highlight", {"queries": len(QUERIES), "reps": args.reps, "modes": results,
                               "target_hybrid_ratio": 1.5, "met": met})


if __name__ == "__main__":
    main()
