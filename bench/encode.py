"""A faster encoder: each CPU backend against PyTorch, speed and retrieval quality.

    python -m bench.encode [--passages 384] [--rounds 3] [--skip-quality] [--output encode]

1. Speed: the passages `verbatim index` makes of the first SciFact documents (read, split,
   context prepended: the indexer's own code) are encoded by the product's Embedder on every
   backend, same model, batch size and thread count; the backends take turns round by round
   so the machine's noise falls on all of them alike. Reported: median passages/s, the ratio
   to PyTorch, and how close each backend's vectors are to PyTorch's (cosine).
2. Quality: SciFact is indexed with `verbatim index` once per backend
   (VERBATIM_ENCODER_BACKEND=<backend>, collection ir-scifact-<backend>, shared with
   bench.quality: a re-run skips unchanged documents) and its 300 test
   queries go through the searcher as the API runs them: nDCG@10 in semantic and hybrid mode.
   Each result records the CPU it ran on (model name from /proc/cpuinfo and `lscpu`, and the
   SIMD flags that decide these speeds: AVX2, AVX-512, VNNI, AMX), and which backend `auto`
   chose by its own short measurement on this machine (indexer/model/choice.py).
3. The rule of the issue: a backend at least 1.5x faster than PyTorch that loses at most
   0.005 nDCG@10 may be the CPU default; the fastest such backend is the one to choose.
"""

from __future__ import annotations

import argparse
import itertools
import os
import statistics
import time
from typing import Any, cast

import numpy as np

from bench import quality
from bench.common import bench_settings, require_data, write_result
from bench.ingest import passage_texts
from indexer.client import build_client
from indexer.documents import Document
from indexer.model import choice
from indexer.model.backends import BACKENDS
from indexer.model.embedder import Embedder
from indexer.search.searcher import Searcher
from indexer.sources.files import ReadOptions, read_inputs

MIN_SPEEDUP = 1.5
MAX_NDCG_LOSS = 0.005
QUALITY_CONFIGS = ("semantic", "hybrid_rrf")


def scifact_passages(n: int, embedder: Embedder) -> list[str]:
    corpus = require_data(quality.SETS["scifact"] / "corpus.jsonl")
    items = read_inputs([str(corpus)], ReadOptions(doc_type="article"))
    docs = [d for d in itertools.islice(items, n) if isinstance(d, Document)]
    return passage_texts(docs, embedder)[:n]


def measure_speed(embedders: dict[str, Embedder], texts: list[str], rounds: int,
                  batch_size: int) -> dict[str, dict[str, Any]]:
    for embedder in embedders.values():
        embedder.encode_passages(texts[:batch_size])  # load, export, compile: not timed
    timings: dict[str, list[float]] = {name: [] for name in embedders}
    vectors: dict[str, np.ndarray] = {}
    for _ in range(rounds):
        for name, embedder in embedders.items():
            started = time.perf_counter()
            vectors[name] = embedder.encode_passages(texts, batch_size=batch_size)
            timings[name].append(time.perf_counter() - started)
    reference = vectors["torch"]
    out: dict[str, dict[str, Any]] = {}
    for name, seconds in timings.items():
        rate = len(texts) / statistics.median(seconds)
        out[name] = {"passages_per_s": round(rate, 1),
                     "rounds_passages_per_s": [round(len(texts) / s, 1) for s in seconds],
                     "dimension": int(vectors[name].shape[1])}
        if vectors[name].shape == reference.shape:  # model2vec's vectors are another space
            cosine = (vectors[name] * reference).sum(axis=1)
            out[name].update(cosine_to_torch_min=round(float(cosine.min()), 5),
                             cosine_to_torch_mean=round(float(cosine.mean()), 5))
    base = out["torch"]["passages_per_s"]
    for row in out.values():
        row["speedup"] = round(row["passages_per_s"] / base, 2)
    return out


def measure_quality(backend: str, embedder: Embedder) -> dict[str, Any]:
    indexed = quality.index_corpus("scifact", quality.SETS["scifact"], backend)
    folder = quality.SETS["scifact"]
    qrels = quality.load_qrels(folder)
    queries = quality.load_queries(folder, qrels)
    settings = bench_settings()
    searcher = Searcher(build_client(settings), embedder, settings)
    collection = quality.collection_name("scifact", backend)
    scores = {config: quality.evaluate(searcher, collection, queries, qrels,
                                       cast(dict[str, Any], quality.CONFIGS[config]))
              for config in QUALITY_CONFIGS}
    return {"indexed": {k: indexed.get(k) for k in ("documents", "passages", "unchanged",
                                                      "failed", "elapsed_s", "wall_s")},
            **{config: {"ndcg@10": s["ndcg@10"], "recall@100": s["recall@100"]}
               for config, s in scores.items()}}


def choose(rows: dict[str, dict[str, Any]]) -> str | None:
    """The fastest backend that meets the rule, or None if none does."""
    base = rows["torch"].get("semantic", {}).get("ndcg@10")
    eligible = []
    for name, row in rows.items():
        ndcg = row.get("semantic", {}).get("ndcg@10")
        if name == "torch" or base is None or ndcg is None:
            continue
        row["ndcg_loss"] = round(base - ndcg, 4)
        row["meets_rule"] = row["speedup"] >= MIN_SPEEDUP and base - ndcg <= MAX_NDCG_LOSS
        if row["meets_rule"]:
            eligible.append((row["passages_per_s"], name))
    return max(eligible)[1] if eligible else None


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--passages", type=int, default=384)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--backends", default=",".join(BACKENDS))
    parser.add_argument("--skip-quality", action="store_true",
                        help="Speed only (quality indexes SciFact once per backend).")
    parser.add_argument("--output", default="encode",
                        help="Result name, bench/results/NAME.json (a speed-only run on another "
                             "CPU can keep the full run's file).")
    args = parser.parse_args(argv)
    settings = bench_settings()
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    if "torch" not in backends:
        backends.insert(0, "torch")
    embedders = {b: Embedder(settings.model, device="cpu", backend=b, batch_size=args.batch_size,
                             cache_dir=settings.cache_dir) for b in backends}
    texts = scifact_passages(args.passages, embedders["torch"])
    print(f"{len(texts)} SciFact passages, batch {args.batch_size}, {args.rounds} rounds",
          flush=True)
    rows = measure_speed(embedders, texts, args.rounds, args.batch_size)
    for name, row in rows.items():
        cosine = row.get("cosine_to_torch_min")
        print(f"{name:<14} {row['passages_per_s']:7.1f} passages/s  x{row['speedup']:.2f}  "
              + (f"cosine to torch min {cosine:.4f}" if cosine is not None else
                 f"{row['dimension']} dimensions"), flush=True)
    if not args.skip_quality:
        for name in backends:
            rows[name].update(measure_quality(name, embedders[name]))
            print(f"{name:<14} nDCG@10 semantic {rows[name]['semantic']['ndcg@10']:.4f}  "
                  f"hybrid {rows[name]['hybrid_rrf']['ndcg@10']:.4f}", flush=True)
    chosen = choose(rows) if not args.skip_quality else None
    # What `auto` runs here: its cached choice for this model and CPU, or measured now.
    default = Embedder(settings.model, device="cpu", backend="auto",
                       cache_dir=settings.cache_dir).backend
    cpu = choice.cpu_info()
    print(f"fastest backend meeting the rule on SciFact: {chosen}; `auto` on this CPU: {default} "
          f"({cpu.model}; {' '.join(cpu.flags) or 'no SIMD flags'})")
    write_result(args.output, {
        "passages": len(texts), "batch_size": args.batch_size, "rounds": args.rounds,
        "threads": os.cpu_count(),
        "cpu": {**cpu.as_dict(), "lscpu_model": choice.lscpu_model()},
        "rule": {"min_speedup": MIN_SPEEDUP,
                                            "max_ndcg_loss": MAX_NDCG_LOSS},
        "backends": rows, "chosen": chosen, "cpu_default": default,
        "default_is_chosen": chosen == default if chosen else None,
    })


if __name__ == "__main__":
    main()
