"""Retrieval quality on BEIR-format sets, through the product's own indexer and searcher.

    python -m bench.quality [--sets scifact,time,cisi,med,cranfield] [--max-queries N]

Each corpus is indexed with `verbatim index` (a re-run skips unchanged documents), every
query goes through ``Searcher.search`` exactly as the API runs it (semantic highlighting
off: it does not change the ranking), and ir-measures scores nDCG@10 and Recall@100.
"""

from __future__ import annotations

import argparse
import csv
import json
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import ir_measures
from ir_measures import R, nDCG

from bench.common import DATA, REPO, bench_settings, older_schema, require_data, write_result
from indexer.client import build_client
from indexer.model.embedder import Embedder
from indexer.search.request import Filters, SearchRequest
from indexer.search.searcher import Searcher
from indexer.search.vectors import QueryVectors

SETS = {
    "scifact": DATA / "ir_scifact_beir",
    "time": DATA / "ir_classic_glasgow" / "time" / "beir",
    "cisi": DATA / "ir_classic_glasgow" / "cisi" / "beir",
    "med": DATA / "ir_classic_glasgow" / "med" / "beir",
    "cranfield": DATA / "ir_classic_glasgow" / "cranfield" / "beir",
}
CONFIGS = {
    "keyword": {"mode": "keyword"},
    "semantic": {"mode": "semantic"},
    "hybrid_rrf": {"mode": "hybrid", "fusion": "rrf"},
    "hybrid_linear": {"mode": "hybrid", "fusion": "linear", "alpha": 0.5},
    # The same with each document's keyword score its best passage's, as before the documents
    # were scored whole (schema 2): the before and after of that change on the same index.
    "hybrid_linear_passages": {"mode": "hybrid", "fusion": "linear", "alpha": 0.5},
}
BY_PASSAGES = {"hybrid_linear_passages"}


class PassagesOnly(QueryVectors):
    """Query vectors as the product makes them, with no collection scored whole."""

    def whole_documents(self, collections: Sequence[str]) -> bool:
        return False
# Published anchors (nDCG@10 on SciFact), shown beside ours in BENCHMARKS.md.
ANCHORS = {
    "BM25 (Elasticsearch), BEIR paper": 0.665,
    "ColBERT, BEIR paper": 0.671,
    "BM25 + cross-encoder reranking, BEIR paper": 0.688,
    "all-MiniLM-L6-v2, sentence-transformers model card / MTEB": 0.645,
    "QuackIR hybrid (larger dense model)": 0.744,
}


def collection_name(name: str, backend: str) -> str:
    """One collection per set and encoder backend: bench.encode and this share them."""
    return f"ir-{name}-{backend}"


def index_corpus(name: str, folder: Path, backend: str) -> dict[str, Any]:
    """Index with the real command line, as an operator would."""
    collection = collection_name(name, backend)
    report = REPO / "bench" / "results" / f"index-{name}-{backend}.json"
    settings = bench_settings()
    afresh = ["--replace"] if older_schema(build_client(settings), settings, collection) else []
    started = time.perf_counter()
    result = subprocess.run(
        [str(Path(sys.executable).parent / "verbatim"), "index", str(folder / "corpus.jsonl"),
         "--collection", collection, "--type", "article", "--report", str(report),
         "--no-progress", "--no-link", *afresh],
        env=_env(backend), check=False,
    )
    if result.returncode not in (0, 1):
        sys.exit(f"indexing {name} failed (exit {result.returncode}); see {report}")
    # Exit 1: some records were refused (Cranfield has two empty documents); they are in the
    # dead-letter file and counted in the results.
    summary = json.loads(report.read_text())
    summary["wall_s"] = round(time.perf_counter() - started, 1)
    return summary


def _env(backend: str) -> dict[str, str]:
    import os

    env = dict(os.environ, VERBATIM_ENCODER_BACKEND=backend)
    env.setdefault("VERBATIM_INDEX_PREFIX", bench_settings().index_prefix)
    return env


def load_queries(folder: Path, qrels: dict[str, dict[str, int]]) -> list[tuple[str, str]]:
    queries = []
    with (folder / "queries.jsonl").open(encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            if str(record["_id"]) in qrels:  # only queries with judgments (CISI: 76 of 112)
                queries.append((str(record["_id"]), record["text"]))
    return queries


def load_qrels(folder: Path, split: str = "test") -> dict[str, dict[str, int]]:
    """The positive judgments of one split (SciFact also has ``train``: bench.evidence
    chooses on it and reports on ``test``)."""
    qrels: dict[str, dict[str, int]] = {}
    with (folder / "qrels" / f"{split}.tsv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            score = int(float(row["score"]))
            if score > 0:
                qrels.setdefault(str(row["query-id"]), {})[str(row["corpus-id"])] = score
    return qrels


def evaluate(searcher: Searcher, collection: str, queries: list[tuple[str, str]],
             qrels: dict[str, dict[str, int]], config: dict[str, Any]) -> dict[str, Any]:
    run = []
    latencies = []
    for qid, text in queries:
        req = SearchRequest(q=text[:1000], filters=Filters(collections=(collection,)),
                            size=100, **config)
        started = time.perf_counter()
        body = searcher.search(req, mark_semantic=False)
        latencies.append(time.perf_counter() - started)
        for rank, result in enumerate(body["results"]):
            run.append(ir_measures.ScoredDoc(qid, result["doc_id"], 1000.0 - rank))
    qrel_list = [ir_measures.Qrel(q, d, s) for q, docs in qrels.items() for d, s in docs.items()
                 if q in {qid for qid, _ in queries}]
    scores = ir_measures.calc_aggregate([nDCG @ 10, R @ 100], qrel_list, run)
    latencies.sort()
    return {"ndcg@10": round(scores[nDCG @ 10], 4), "recall@100": round(scores[R @ 100], 4),
            "queries": len(queries),
            "p50_ms": round(1000 * latencies[len(latencies) // 2], 1)}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", default=",".join(SETS))
    parser.add_argument("--max-queries", type=int, default=0, help="0: all")
    parser.add_argument("--configs", default=",".join(CONFIGS))
    args = parser.parse_args(argv)
    settings = bench_settings()
    embedder = Embedder.from_settings(settings)
    client = build_client(settings)
    searcher = Searcher(client, embedder, settings)
    by_passages = Searcher(client, embedder, settings,
                           vectors=PassagesOnly(client, embedder, settings))
    results: dict[str, Any] = {}
    for name in args.sets.split(","):
        folder = require_data(SETS[name])
        indexed = index_corpus(name, folder, embedder.backend)
        qrels = load_qrels(folder)
        queries = load_queries(folder, qrels)
        if args.max_queries:
            queries = queries[: args.max_queries]
        results[name] = {"index": {k: indexed.get(k) for k in
                                   ("documents", "failed", "passages", "elapsed_s", "wall_s")}}
        for config_name in args.configs.split(","):
            scores = evaluate(by_passages if config_name in BY_PASSAGES else searcher,
                              collection_name(name, embedder.backend), queries, qrels,
                              CONFIGS[config_name])
            results[name][config_name] = scores
            print(f"{name:10} {config_name:14} nDCG@10 {scores['ndcg@10']:.4f}  "
                  f"R@100 {scores['recall@100']:.4f}  p50 {scores['p50_ms']} ms", flush=True)
    # The default backend's results are the table in BENCHMARKS.md; others get a file each.
    # What ``auto`` runs is the default, whichever exact runtime it measured fastest here.
    name = "quality" if settings.encoder_backend == "auto" else f"quality-{embedder.backend}"
    write_result(name, {"sets": results, "anchors_scifact_ndcg@10": ANCHORS,
                             "model": settings.model, "encoder_backend": embedder.backend,
                             "configs": CONFIGS})


if __name__ == "__main__":
    main()
