"""Evidence beyond the two legs (issue 13, item 3): what might lift SciFact past 0.73, chosen on
its train queries and reported on its test queries and on the four other sets.

    python -m bench.evidence [--sets scifact,time,cisi,med,cranfield] [--bm25 0.9:0.4,...]

Run ``bench.quality`` first: it indexes the collections. For each set and split the two legs of
every judged query are fetched once through the product's page plan (``bench.fusion``), and
every other signal is computed here, exactly (no HNSW), over the whole corpus:

- ``mean``: each document's passage vectors, read back from its collection, averaged;
- ``head``: the document's title and text encoded whole (the model keeps the first 256 tokens);
- ``chunks``: the document split again into pieces of at most 128 tokens (the length the model
  was trained on) with its title, best piece per document;
- ``prf``: the query vector moved towards the first fused page's top documents (Rocchio:
  ``q + beta * mean``), then the passages ranked again;
- ``bm25 K1 B``: the keyword leg again, on a scratch copy of the collection (no vectors) whose
  BM25 parameters are K1 and B instead of Elasticsearch's 1.2 and 0.75.

Each signal is a document's best score; fusions weight z-scores or min-max scores, a document
missing from a signal taking that signal's lowest. Encoded vectors are cached in
bench/results/cache.
"""

from __future__ import annotations

import argparse
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import ir_measures
import numpy as np
from elasticsearch import Elasticsearch, helpers
from ir_measures import nDCG

from bench.common import bench_settings, require_data, write_result
from bench.fusion import CACHE, fetch_legs, z_score
from bench.quality import SETS, collection_name, load_qrels, load_queries
from indexer.client import build_client
from indexer.model.embedder import Embedder
from indexer.search import hybrid, queries
from indexer.search.request import Filters, SearchRequest

Scores = dict[str, float]  # document -> its best score in one signal
Signals = dict[str, Scores]  # signal name -> scores, for one query
CHUNK_TOKENS = 128
PRF_DOCS, PRF_BETA = 3, 0.3
DEPTH = 200  # documents each exact signal brings, as many as a leg's passages


@dataclass(frozen=True)
class Variant:
    """A ranking: signals with their weights, fused by ``how`` (``z`` or ``minmax``)."""

    label: str
    weights: tuple[tuple[str, float], ...]
    how: str = "z"


def fused(signals: Signals, variant: Variant) -> list[str]:
    normalise: Callable[[list[float]], list[float]] = (
        z_score if variant.how == "z" else hybrid.min_max)
    total: dict[str, float] = {}
    docs = {doc for name, _ in variant.weights for doc in signals[name]}
    for name, weight in variant.weights:
        scores = signals[name]
        norm = dict(zip(scores, normalise(list(scores.values())), strict=True))
        floor = min(norm.values(), default=0.0)
        for doc in docs:
            total[doc] = total.get(doc, 0.0) + weight * norm.get(doc, floor)
    return sorted(docs, key=lambda d: -total[d])


def ndcg10(runs: dict[str, list[str]], qrels: dict[str, dict[str, int]]) -> float:
    run = [ir_measures.ScoredDoc(q, doc, 1000.0 - rank) for q, docs in runs.items()
           for rank, doc in enumerate(docs[:100])]
    judged = [ir_measures.Qrel(q, d, s) for q, docs in qrels.items() if q in runs
              for d, s in docs.items()]
    return round(float(ir_measures.calc_aggregate([nDCG @ 10], judged, run)[nDCG @ 10]), 4)


def top_documents(sims: np.ndarray, owners: Sequence[str], depth: int = DEPTH) -> Scores:
    """Best score per document among the ``depth`` best rows (passages, chunks, documents)."""
    out: Scores = {}
    for i in np.argsort(-sims)[: depth * 3]:
        out.setdefault(owners[i], float(sims[i]))
        if len(out) == depth:
            break
    return out


def read_corpus(folder: Path) -> list[tuple[str, str, str]]:
    with (folder / "corpus.jsonl").open(encoding="utf-8") as handle:
        return [(str(r["_id"]), (r.get("title") or "").strip(), (r.get("text") or "").strip())
                for r in map(json.loads, handle)]


def chunk(title: str, text: str, count: Callable[[str], int], limit: int) -> list[str]:
    """Whole sentences up to ``limit`` tokens a piece, each piece headed by the title."""
    pieces: list[str] = []
    current: list[str] = []
    for sentence in re.split(r"(?<=[.!?])\s+", text):
        if current and count(" ".join([*current, sentence])) > limit:
            pieces.append(" ".join(current))
            current = []
        current.append(sentence)
    pieces.append(" ".join(current))
    return [f"{title}\n{piece}".strip() for piece in pieces]


def encoded(name: str, kind: str, texts: list[str], embedder: Embedder) -> np.ndarray:
    cached = CACHE / f"evidence-{name}-{kind}.npy"
    if cached.is_file():
        vectors: np.ndarray = np.load(cached)
        if len(vectors) == len(texts):
            return vectors
    print(f"  encoding {len(texts)} {kind} texts of {name} ...", flush=True)
    vectors = np.asarray(embedder.encode_passages(texts), dtype=np.float32)
    CACHE.mkdir(parents=True, exist_ok=True)
    np.save(cached, vectors)
    return vectors


def passage_vectors(client: Elasticsearch, index: str, collection: str
                    ) -> tuple[list[str], np.ndarray]:
    owners, rows = [], []
    for hit in helpers.scan(client, index=index, _source=["doc_id", "embedding"],
                            query={"query": {"term": {"collection": collection}}}):
        if hit["_source"].get("embedding"):
            owners.append(str(hit["_source"]["doc_id"]))
            rows.append(hit["_source"]["embedding"])
    return owners, np.asarray(rows, dtype=np.float32)


def unit(rows: np.ndarray) -> np.ndarray:
    return rows / np.maximum(np.linalg.norm(rows, axis=-1, keepdims=True), 1e-12)


def scratch_bm25(client: Elasticsearch, source: str, scratch: str) -> None:
    """A copy of the collection without vectors: BM25's k1 and b change on it in place."""
    if client.indices.exists(index=scratch):
        return
    info = client.indices.get(index=source)[source]
    client.indices.create(index=scratch, mappings=info["mappings"], settings={
        "number_of_shards": 1, "number_of_replicas": 0,
        "analysis": info["settings"]["index"].get("analysis", {})})
    helpers.bulk(client, ({"_index": scratch, "_id": hit["_id"], "_source": hit["_source"]}
                          for hit in helpers.scan(client, index=source,
                                                  _source_excludes=["embedding"])),
                 chunk_size=500)
    client.indices.refresh(index=scratch)


def bm25_leg(client: Elasticsearch, scratch: str, collection: str, k1: float, b: float,
             texts: dict[str, str]) -> dict[str, Scores]:
    # Similarity parameters are read at search time from the stored norms, so closing the
    # index, changing them and opening it again needs no re-indexing.
    client.indices.close(index=scratch)
    client.indices.put_settings(index=scratch, settings={
        "index": {"similarity": {"default": {"type": "BM25", "k1": k1, "b": b}}}})
    client.indices.open(index=scratch, wait_for_active_shards="all")
    out: dict[str, Scores] = {}
    for qid, text in texts.items():
        req = SearchRequest(q=text[:1000], mode="keyword",
                            filters=Filters(collections=(collection,)))
        body = queries.keyword_search_body(req, size=queries.KEYWORD_CANDIDATES,
                                           collapsed=False, highlighted=False)
        hits = client.search(index=scratch, body=body)["hits"]["hits"]
        scores: Scores = {}
        for hit in hits:
            scores.setdefault(str(hit["_source"]["doc_id"]), float(hit["_score"]))
        out[qid] = scores
    return out


def signals_of(name: str, split: str, embedder: Embedder, client: Elasticsearch,
               bm25: Sequence[tuple[float, float]]) -> tuple[dict[str, Signals],
                                                             dict[str, dict[str, int]]]:
    folder = require_data(SETS[name])
    settings = bench_settings()
    collection = collection_name(name, embedder.backend)
    qrels = load_qrels(folder, split)
    judged = load_queries(folder, qrels)
    legs = fetch_legs(name, judged, split=split)
    qvecs = unit(np.asarray(embedder.encode_queries([t[:1000] for _, t in judged]),
                            dtype=np.float32))
    corpus = read_corpus(folder)
    count = embedder.token_counter()
    head = unit(encoded(name, "head", [f"{t}\n{x}".strip() for _, t, x in corpus], embedder))
    pieces = [(doc, piece) for doc, t, x in corpus for piece in chunk(t, x, count, CHUNK_TOKENS)]
    chunks = unit(encoded(name, f"chunks{CHUNK_TOKENS}", [p for _, p in pieces], embedder))
    owners, passages = passage_vectors(client, settings.all_alias, collection)
    docs = sorted(set(owners))
    position = {doc: i for i, doc in enumerate(docs)}
    mean = np.zeros((len(docs), passages.shape[1]), dtype=np.float32)
    np.add.at(mean, [position[o] for o in owners], passages)
    mean = unit(mean)
    per: dict[str, Signals] = {}
    for (qid, _), q in zip(judged, qvecs, strict=True):
        keyword, semantic = legs[qid]
        signals: Signals = {"keyword": dict(keyword), "semantic": dict(semantic),
                            "head": top_documents(head @ q, [d for d, _, _ in corpus]),
                            "chunks": top_documents(chunks @ q, [d for d, _ in pieces]),
                            "mean": top_documents(mean @ q, docs)}
        first = fused(signals, Variant("", (("keyword", 0.5), ("semantic", 0.5)), "minmax"))
        feedback = mean[[position[d] for d in first[:PRF_DOCS] if d in position]]
        moved = unit(q + PRF_BETA * feedback.mean(axis=0)) if len(feedback) else q
        signals["prf"] = top_documents(passages @ moved, owners)
        per[qid] = signals
    scratch = f"{settings.index_prefix}-scratch-bm25-{name}"
    scratch_bm25(client, plan_index(client, settings.all_alias, collection), scratch)
    texts = dict(judged)
    for k1, b in bm25:
        for qid, scores in bm25_leg(client, scratch, collection, k1, b, texts).items():
            per[qid][f"bm25 {k1} {b}"] = scores
    return per, qrels


def plan_index(client: Elasticsearch, alias: str, collection: str) -> str:
    """The concrete index holding ``collection`` (a copy needs its mapping and settings)."""
    hit = client.search(index=alias, size=1, query={"term": {"collection": collection}},
                        source=False)["hits"]["hits"]
    if not hit:
        raise SystemExit(f"collection {collection} is not indexed: run python -m bench.quality")
    return str(hit[0]["_index"])


def variants(bm25: Sequence[tuple[float, float]]) -> list[Variant]:
    alone = [Variant(f"{s} alone", ((s, 1.0),)) for s in
             ("keyword", "semantic", "head", "chunks", "mean", "prf")]
    pair = [Variant("keyword+semantic min-max (product)", (("keyword", .5), ("semantic", .5)),
                    "minmax"),
            Variant("keyword+semantic z", (("keyword", .5), ("semantic", .5)))]
    pair += [Variant(f"keyword+{s} z", (("keyword", .5), (s, .5)))
             for s in ("head", "chunks", "mean", "prf")]
    pair += [Variant(f"keyword+semantic+{s} z", (("keyword", .5), ("semantic", .25), (s, .25)))
             for s in ("head", "chunks", "mean")]
    for k1, b in bm25:
        leg = f"bm25 {k1} {b}"
        pair += [Variant(f"{leg} alone", ((leg, 1.0),)),
                 Variant(f"{leg}+semantic min-max", ((leg, .5), ("semantic", .5)), "minmax"),
                 Variant(f"{leg}+semantic z", ((leg, .5), ("semantic", .5))),
                 Variant(f"{leg}+chunks+head z", ((leg, .5), ("chunks", .25), ("head", .25)))]
    return alone + pair


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", default=",".join(SETS))
    parser.add_argument("--bm25", default="0.6:0.4,0.9:0.4,0.9:0.75,1.2:0.4",
                        help="k1:b pairs for the keyword leg's scratch copies")
    args = parser.parse_args(argv)
    bm25 = [(float(k), float(b)) for k, b in (p.split(":") for p in args.bm25.split(","))]
    settings = bench_settings()
    embedder = Embedder.from_settings(settings)
    client = build_client(settings, request_timeout=300)
    table: dict[str, dict[str, dict[str, float]]] = {}
    for name in args.sets.split(","):
        for split in (("train", "test") if name == "scifact" else ("test",)):
            per, qrels = signals_of(name, split, embedder, client, bm25)
            row = {v.label: ndcg10({q: fused(s, v) for q, s in per.items()}, qrels)
                   for v in variants(bm25)}
            table.setdefault(name, {})[split] = row
            print(name, split, json.dumps(row), flush=True)
    write_result("evidence", {"ndcg@10": table, "chunk_tokens": CHUNK_TOKENS,
                              "prf": {"documents": PRF_DOCS, "beta": PRF_BETA},
                              "encoder_backend": embedder.backend, "bm25": bm25})


if __name__ == "__main__":
    main()
