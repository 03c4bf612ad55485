"""Fusion study: how each way of fusing the two legs scores on the five quality sets.

    python -m bench.fusion [--sets scifact,time,cisi,med,cranfield]

The legs are fetched once per query exactly as a hybrid page fetches them (``plan.page_searches``
over the collections ``bench.quality`` indexed: run it first; the page's third search, its
documents scored whole, is ``bench.documents``'s study), then every fusion is applied to the
same legs in this process, so the variants differ in the fusion alone. ``linear`` at
alpha 0.5 is the product's default and reproduces ``bench.quality``'s ``hybrid_linear``.
"""

from __future__ import annotations

import argparse
import json
import statistics
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import ir_measures
from ir_measures import nDCG

from bench.common import REPO, bench_settings, require_data, write_result
from bench.quality import SETS, collection_name, load_qrels, load_queries
from indexer.client import build_client
from indexer.model.embedder import Embedder
from indexer.search import hybrid, plan, results
from indexer.search.queries import QueryVector
from indexer.search.request import Filters, SearchRequest

Legs = tuple[list[tuple[str, float]], list[tuple[str, float]]]  # per leg: (doc, best score)
Fusion = Callable[[list[tuple[str, float]], list[tuple[str, float]]], list[str]]
CACHE = REPO / "bench" / "results" / "cache"


def fetch_legs(name: str, queries: list[tuple[str, str]], *, split: str = "test",
               tag: str = "") -> dict[str, Legs]:
    """Each query's two legs, best passage per document, cached in bench/results/cache (under
    ``tag`` too: bench.evidence names the index the legs came from)."""
    parts = ["legs", name, *([split] if split != "test" else []), *([tag] if tag else [])]
    cached = CACHE / ("-".join(parts) + ".json")
    if cached.is_file():
        data: dict[str, Any] = json.loads(cached.read_text())
        return {q: (list(map(tuple, v[0])), list(map(tuple, v[1]))) for q, v in data.items()}
    settings = bench_settings()
    client = build_client(settings, request_timeout=120)
    embedder = Embedder.from_settings(settings)
    collection = collection_name(name, embedder.backend)
    vectors = embedder.encode_queries([text[:1000] for _, text in queries])
    out: dict[str, Legs] = {}
    for (qid, text), vector in zip(queries, vectors, strict=True):
        req = SearchRequest(q=text[:1000], mode="hybrid",
                            filters=Filters(collections=(collection,)), size=100)
        searches = plan.page_searches(req, [QueryVector([float(x) for x in vector])],
                                      settings.all_alias)
        response = client.msearch(searches=plan.msearch_lines(searches))
        legs = [results.hits_of(r) for r in response["responses"]]
        out[qid] = (_best_per_doc(legs[0]), _best_per_doc(legs[1]))
    CACHE.mkdir(parents=True, exist_ok=True)
    cached.write_text(json.dumps(out))
    return out


def _best_per_doc(hits: Sequence[dict[str, Any]]) -> list[tuple[str, float]]:
    seen: dict[str, float] = {}
    for hit in hits:
        seen.setdefault(hit["_source"]["doc_id"], float(hit["_score"]))
    return list(seen.items())


def product(method: str, alpha: float = 0.5) -> Fusion:
    def fuse(kw: list[tuple[str, float]], sem: list[tuple[str, float]]) -> list[str]:
        return [f.doc_id for f in hybrid.fuse(hybrid.ranked(kw), hybrid.ranked(sem),
                                              method=method, alpha=alpha)]
    return fuse


def weighted(normalise: Callable[[list[float]], list[float]], alpha: float = 0.5) -> Fusion:
    def fuse(kw: list[tuple[str, float]], sem: list[tuple[str, float]]) -> list[str]:
        k = dict(zip([d for d, _ in kw], normalise([s for _, s in kw]), strict=True))
        s = dict(zip([d for d, _ in sem], normalise([x for _, x in sem]), strict=True))
        floor_k, floor_s = min(k.values(), default=0.0), min(s.values(), default=0.0)
        docs = {*k, *s}
        score = {d: alpha * s.get(d, floor_s) + (1 - alpha) * k.get(d, floor_k) for d in docs}
        return sorted(docs, key=lambda d: -score[d])
    return fuse


def z_score(scores: list[float]) -> list[float]:
    if len(scores) < 2:
        return [0.0 for _ in scores]
    mean, spread = statistics.fmean(scores), statistics.pstdev(scores) or 1.0
    return [(x - mean) / spread for x in scores]


def dbsf(scores: list[float]) -> list[float]:
    """Distribution-based score fusion: mean +- 3 sigma mapped to [0, 1]."""
    if len(scores) < 2:
        return [1.0 for _ in scores]
    mean, spread = statistics.fmean(scores), statistics.pstdev(scores) or 1.0
    low, high = mean - 3 * spread, mean + 3 * spread
    return [(x - low) / (high - low) for x in scores]


def by_max(scores: list[float]) -> list[float]:
    top = max(scores, default=1.0) or 1.0
    return [x / top for x in scores]


def top_min_max(depth: int) -> Callable[[list[float]], list[float]]:
    """Min-max with the minimum taken at rank ``depth``: the tail of 200 candidates no longer
    sets the scale."""
    def normalise(scores: list[float]) -> list[float]:
        if not scores:
            return []
        high, low = scores[0], scores[min(depth, len(scores)) - 1]
        span = (high - low) or 1.0
        return [(x - low) / span for x in scores]
    return normalise


FUSIONS: dict[str, Fusion] = {
    "linear 0.5 (product)": product("linear", 0.5),
    "rrf (product)": product("rrf"),
    **{f"linear {a}": product("linear", a) for a in (0.3, 0.4, 0.6, 0.7)},
    **{f"z-score {a}": weighted(z_score, a) for a in (0.5, 0.55, 0.6)},
    "dbsf 0.5": weighted(dbsf),
    "by max 0.5": weighted(by_max),
    **{f"min-max at {d} 0.5": weighted(top_min_max(d)) for d in (10, 20, 50, 100)},
    "keyword only": lambda kw, sem: [d for d, _ in kw],
    "semantic only": lambda kw, sem: [d for d, _ in sem],
}


def score(legs: dict[str, Legs], qrels: dict[str, dict[str, int]], fusion: Fusion) -> float:
    return ndcg10({qid: fusion(kw, sem) for qid, (kw, sem) in legs.items()}, qrels)


def ndcg10(runs: dict[str, list[str]], qrels: dict[str, dict[str, int]]) -> float:
    """nDCG@10 of each query's ranked documents (the first 100 kept) against the judgments."""
    run = [ir_measures.ScoredDoc(q, doc, 1000.0 - rank) for q, docs in runs.items()
           for rank, doc in enumerate(docs[:100])]
    judged = [ir_measures.Qrel(q, d, s) for q, docs in qrels.items() if q in runs
              for d, s in docs.items()]
    return round(float(ir_measures.calc_aggregate([nDCG @ 10], judged, run)[nDCG @ 10]), 4)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", default=",".join(SETS))
    args = parser.parse_args(argv)
    table: dict[str, dict[str, float]] = {}
    for name in args.sets.split(","):
        folder: Path = require_data(SETS[name])
        qrels = load_qrels(folder)
        legs = fetch_legs(name, load_queries(folder, qrels))
        table[name] = {label: score(legs, qrels, fusion) for label, fusion in FUSIONS.items()}
        print(name, json.dumps(table[name]), flush=True)
    write_result("fusion", {"ndcg@10": table})


if __name__ == "__main__":
    main()
