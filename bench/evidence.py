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
  BM25 parameters are K1 and B instead of Elasticsearch's 1.2 and 0.75;
- ``doc``: the keyword leg's query (the product's own body) on a scratch index holding each
  document whole, stemmed as the indexer stems a passage: BM25 of the document, not of its
  best passage (``doc pool``: its pool cut to as many documents as the keyword leg brought).

Each signal is a document's best score; fusions weight z-scores or min-max scores, a document
missing from a signal taking that signal's lowest. Encoded vectors are cached in
bench/results/cache.
"""

from __future__ import annotations

import argparse
import itertools
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from elasticsearch import Elasticsearch, helpers

from bench.common import bench_settings, create_scratch, require_data, write_result
from bench.fusion import CACHE, fetch_legs, ndcg10, z_score
from bench.quality import SETS, collection_name, load_qrels, load_queries
from indexer.client import build_client
from indexer.model.embedder import Embedder
from indexer.search import hybrid, queries
from indexer.search.request import Filters, SearchRequest
from indexer.text.stemming import stem_text

Scores = dict[str, float]  # document -> its best score in one signal
Signals = dict[str, Scores]  # signal name -> scores, for one query
CHUNK_TOKENS = 128
PRF_DOCS, PRF_BETA = 3, 0.3
VECTOR_SIGNALS = ("semantic", "chunks", "head", "mean")
WEIGHTS = (0.0, 0.25, 0.5, 1.0)  # of each vector signal, beside the keyword leg at 1


@dataclass(frozen=True)
class Variant:
    """A ranking: signals with their weights, fused by ``how``: ``z`` or ``minmax``, or
    ``confidence`` (z-scores, each signal's weight scaled per query by how far its top 10
    stand above its mean, in standard deviations)."""

    label: str
    weights: tuple[tuple[str, float], ...]
    how: str = "z"


def fused(signals: Signals, variant: Variant) -> list[str]:
    normalise: Callable[[list[float]], list[float]] = (
        hybrid.min_max if variant.how == "minmax" else z_score)
    total: dict[str, float] = {}
    docs = {doc for name, _ in variant.weights for doc in signals[name]}
    for name, weight in variant.weights:
        scores = signals[name]
        norm = dict(zip(scores, normalise(list(scores.values())), strict=True))
        # A document a signal did not bring: 0 after min-max, as in the product's fusion
        # (``hybrid.fuse_linear``); the signal's lowest z-score otherwise.
        floor = 0.0 if variant.how == "minmax" else min(norm.values(), default=0.0)
        if variant.how == "confidence":
            top = sorted(norm.values(), reverse=True)[:10]
            weight *= max(sum(top) / len(top), 1e-6) if top else 0.0
        for doc in docs:
            total[doc] = total.get(doc, 0.0) + weight * norm.get(doc, floor)
    return sorted(docs, key=lambda d: (-total[d], d))  # ties by id: the same run every time


def top_documents(sims: np.ndarray, owners: Sequence[str], rows: int) -> Scores:
    """Best score per document among the ``rows`` best rows (passages, pieces or documents):
    a passage-level signal takes as many rows as the semantic leg takes passages, a
    document-level one as many documents as that leg brought, so that every signal's pool,
    and with it its z-scores, is of the same size."""
    rows = min(rows, len(sims))
    if rows <= 0:
        return {}
    best = np.argpartition(-sims, rows - 1)[:rows]
    out: Scores = {}
    for i in best[np.argsort(-sims[best], kind="stable")]:
        out.setdefault(owners[i], float(sims[i]))
    return out


def read_corpus(folder: Path) -> list[tuple[str, str, str]]:
    """(id, title, text) of every document the indexer takes (it refuses empty ones)."""
    with (folder / "corpus.jsonl").open(encoding="utf-8") as handle:
        records = [(str(r["_id"]), (r.get("title") or "").strip(), (r.get("text") or "").strip())
                   for r in map(json.loads, handle)]
    return [r for r in records if r[1] or r[2]]


def chunk(title: str, text: str, count: Callable[[str], int], limit: int) -> list[str]:
    """Whole sentences up to ``limit`` tokens of text a piece (a longer sentence is a piece of
    its own), each piece headed by the title."""
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
    model = re.sub(r"[^A-Za-z0-9.-]+", "_", embedder.model_name)[-60:]
    cached = CACHE / f"evidence-{name}-{kind}-{model}-{embedder.backend}.npy"
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


def scratch_bm25(client: Elasticsearch, source: str, name: str) -> str:
    """A copy of the collection's index without vectors, on which BM25's k1 and b change in
    place; named after its source, and copies of an earlier index of the set are deleted."""
    scratch = f"scratch-{source}"
    stale = [i for i in client.indices.get(index=f"scratch-*-ir-{name}-*").body
             if i != scratch and not i.startswith("scratch-docs-")]
    if stale:
        client.indices.delete(index=",".join(stale))
    if client.indices.exists(index=scratch):
        return scratch
    create_scratch(client, source, scratch)
    helpers.bulk(client, ({"_index": scratch, "_id": hit["_id"], "_source": hit["_source"]}
                          for hit in helpers.scan(client, index=source,
                                                  _source_excludes=["embedding"])),
                 chunk_size=500)
    client.indices.refresh(index=scratch)
    return scratch


def scratch_documents(client: Elasticsearch, source: str, name: str, collection: str,
                      corpus: list[tuple[str, str, str]]) -> str:
    """A scratch index of whole documents (title and text, stemmed as the indexer stems a
    passage) with the collection's mappings, so that the keyword leg's own query runs on it."""
    scratch = f"scratch-docs-{source}"
    stale = [i for i in client.indices.get(index=f"scratch-docs-*-ir-{name}-*").body
             if i != scratch]
    if stale:
        client.indices.delete(index=",".join(stale))
    if client.indices.exists(index=scratch):
        if client.count(index=scratch)["count"] == len(corpus):
            return scratch
        client.indices.delete(index=scratch)  # a run before this one stopped half-way
    create_scratch(client, source, scratch)
    helpers.bulk(client, ({"_index": scratch, "_id": doc, "_source": {
        "collection": collection, "doc_id": doc, "title": title, "text": text,
        "stems": stem_text(f"{title} {text}")}} for doc, title, text in corpus),
        chunk_size=500)
    client.indices.refresh(index=scratch)
    return scratch


def keyword_scores(client: Elasticsearch, index: str, collection: str,
                   texts: dict[str, str]) -> dict[str, Scores]:
    """The keyword leg's body on ``index``: each document's best hit, per query."""
    out: dict[str, Scores] = {}
    for qid, text in texts.items():
        req = SearchRequest(q=text[:1000], mode="keyword",
                            filters=Filters(collections=(collection,)))
        body = queries.keyword_search_body(req, size=queries.KEYWORD_CANDIDATES,
                                           collapsed=False, highlighted=False)
        scores: Scores = {}
        for hit in client.search(index=index, body=body)["hits"]["hits"]:
            scores.setdefault(str(hit["_source"]["doc_id"]), float(hit["_score"]))
        out[qid] = scores
    return out


def bm25_leg(client: Elasticsearch, scratch: str, collection: str, k1: float, b: float,
             texts: dict[str, str]) -> dict[str, Scores]:
    # Similarity parameters are read at search time from the stored norms, so closing the
    # index, changing them and opening it again needs no re-indexing.
    client.indices.close(index=scratch)
    client.indices.put_settings(index=scratch, settings={
        "index": {"similarity": {"default": {"type": "BM25", "k1": k1, "b": b}}}})
    client.indices.open(index=scratch, wait_for_active_shards="all")
    return keyword_scores(client, scratch, collection, texts)


def signals_of(name: str, split: str, embedder: Embedder, client: Elasticsearch,
               bm25: Sequence[tuple[float, float]]) -> tuple[dict[str, Signals],
                                                             dict[str, dict[str, int]]]:
    folder = require_data(SETS[name])
    settings = bench_settings()
    collection = collection_name(name, embedder.backend)
    source = concrete_index(client, settings.all_alias, collection)
    qrels = load_qrels(folder, split)
    judged = load_queries(folder, qrels)
    legs = fetch_legs(name, judged, split=split, tag=source)
    qvecs = unit(np.asarray(embedder.encode_queries([t[:1000] for _, t in judged]),
                            dtype=np.float32))
    corpus = read_corpus(folder)
    count = embedder.token_counter()
    head = unit(encoded(name, "head", [f"{t}\n{x}".strip() for _, t, x in corpus], embedder))
    pieces = [(doc, piece) for doc, t, x in corpus for piece in chunk(t, x, count, CHUNK_TOKENS)]
    chunks = unit(encoded(name, f"chunks{CHUNK_TOKENS}", [p for _, p in pieces], embedder))
    owners, passages = passage_vectors(client, source, collection)
    docs = sorted(set(owners))
    position = {doc: i for i, doc in enumerate(docs)}
    mean = np.zeros((len(docs), passages.shape[1]), dtype=np.float32)
    np.add.at(mean, [position[o] for o in owners], passages)
    mean = unit(mean)
    per: dict[str, Signals] = {}
    for (qid, _), q in zip(judged, qvecs, strict=True):
        keyword, semantic = legs[qid]
        found = len(semantic)  # documents the semantic leg's passages brought
        signals: Signals = {
            "keyword": dict(keyword), "semantic": dict(semantic),
            # The semantic leg searched exactly (no HNSW): the control for the exact signals.
            "exact": top_documents(passages @ q, owners, queries.SEMANTIC_K),
            "head": top_documents(head @ q, [d for d, _, _ in corpus], found),
            "chunks": top_documents(chunks @ q, [d for d, _ in pieces], queries.SEMANTIC_K),
            "mean": top_documents(mean @ q, docs, found)}
        first = fused(signals, Variant("", (("keyword", 0.5), ("semantic", 0.5)), "minmax"))
        feedback = mean[[position[d] for d in first[:PRF_DOCS] if d in position]]
        moved = unit(q + PRF_BETA * feedback.mean(axis=0)) if len(feedback) else q
        signals["prf"] = top_documents(passages @ moved, owners, queries.SEMANTIC_K)
        per[qid] = signals
    texts = dict(judged)
    whole = scratch_documents(client, source, name, collection, corpus)
    for qid, scores in keyword_scores(client, whole, collection, texts).items():
        per[qid]["doc"] = scores
        # The same, its pool cut to as many documents as the keyword leg's passages brought:
        # how much of its gain is only the deeper pool.
        per[qid]["doc pool"] = dict(list(scores.items())[:len(per[qid]["keyword"])])
    scratch = scratch_bm25(client, source, name)
    for k1, b in bm25:
        for qid, scores in bm25_leg(client, scratch, collection, k1, b, texts).items():
            per[qid][f"bm25 {k1} {b}"] = scores
    return per, qrels


def concrete_index(client: Elasticsearch, alias: str, collection: str) -> str:
    """The index holding ``collection`` now: it names the caches, so a re-indexed collection
    is never scored with the legs or BM25 copy of the one before."""
    hit = client.search(index=alias, size=1, query={"term": {"collection": collection}},
                        source=False)["hits"]["hits"]
    if not hit:
        raise SystemExit(f"collection {collection} is not indexed: run python -m bench.quality")
    return str(hit[0]["_index"])


def variants(bm25: Sequence[tuple[float, float]]) -> list[Variant]:
    alone = [Variant(f"{s} alone", ((s, 1.0),)) for s in
             ("keyword", "doc", "semantic", "exact", "head", "chunks", "mean", "prf")]
    pair = [Variant("keyword+semantic min-max (product)", (("keyword", .5), ("semantic", .5)),
                    "minmax"),
            Variant("keyword+semantic z", (("keyword", .5), ("semantic", .5)))]
    pair += [Variant(f"keyword+{s} z", (("keyword", .5), (s, .5)))
             for s in ("exact", "head", "chunks", "mean", "prf")]
    pair += [Variant(f"doc+semantic {how}", (("doc", .5), ("semantic", .5)), how)
             for how in ("minmax", "z")]
    pair.append(Variant("doc pool+semantic minmax", (("doc pool", .5), ("semantic", .5)),
                        "minmax"))
    pair += [Variant("keyword+doc+semantic min-max", (("keyword", .25), ("doc", .25),
                                                      ("semantic", .5)), "minmax"),
             Variant("doc+chunks+head z", (("doc", .5), ("chunks", .25), ("head", .25))),
             Variant("doc+prf z 0.6", (("doc", .4), ("prf", .6)))]
    pair += [Variant(f"keyword+prf {how} {a}", (("keyword", 1 - a), ("prf", a)), how)
             for how in ("z", "minmax") for a in (0.6, 0.7)]
    pair.append(Variant("keyword+semantic+prf z", (("keyword", .5), ("semantic", .5),
                                                   ("prf", .25))))
    pair.append(Variant("keyword+semantic confidence", (("keyword", .5), ("semantic", .5)),
                        "confidence"))
    pair += [Variant(f"keyword+semantic+{s} z", (("keyword", .5), ("semantic", .25), (s, .25)))
             for s in ("head", "chunks", "mean")]
    for k1, b in bm25:
        leg = f"bm25 {k1} {b}"
        pair += [Variant(f"{leg} alone", ((leg, 1.0),)),
                 Variant(f"{leg}+semantic min-max", ((leg, .5), ("semantic", .5)), "minmax"),
                 Variant(f"{leg}+semantic z", ((leg, .5), ("semantic", .5))),
                 Variant(f"{leg}+chunks+head z", ((leg, .5), ("chunks", .25), ("head", .25)))]
    return alone + pair


def chosen_on_train(per: dict[str, Signals], qrels: dict[str, dict[str, int]],
                    bm25: Sequence[tuple[float, float]]) -> tuple[Variant, float]:
    """The best weighting on SciFact's train queries: the keyword leg (default BM25, whole
    documents, or one of ``bm25``) that fuses best with the semantic leg, then every weight in
    ``WEIGHTS`` for each vector signal beside it, z-scores and min-max."""
    def train(variant: Variant) -> float:
        return ndcg10({q: fused(s, variant) for q, s in per.items()}, qrels)

    legs = ["keyword", "doc", *(f"bm25 {k1} {b}" for k1, b in bm25)]
    leg = max(legs, key=lambda name: train(Variant("", ((name, .5), ("semantic", .5)))))
    best: tuple[Variant, float] | None = None
    for how in ("z", "minmax"):
        for weights in itertools.product(WEIGHTS, repeat=len(VECTOR_SIGNALS)):
            if not any(weights):
                continue
            parts = ((leg, 1.0), *((n, w) for n, w in zip(VECTOR_SIGNALS, weights, strict=True)
                                   if w))
            variant = Variant("chosen on scifact train: " + " + ".join(
                f"{w:g} {n}" for n, w in parts) + f" ({how})", parts, how)
            score = train(variant)
            if best is None or score > best[1]:
                best = (variant, score)
    assert best is not None
    return best


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", default=",".join(SETS))
    parser.add_argument("--bm25", default="1.2:0.75,0.6:0.4,0.9:0.4,0.9:0.75,1.2:0.4",
                        help="k1:b pairs for the keyword leg's scratch copy (1.2:0.75, Elasticsearch's "
                             "own, is the control for the copy itself)")
    args = parser.parse_args(argv)
    bm25 = [(float(k), float(b)) for k, b in (p.split(":") for p in args.bm25.split(","))]
    settings = bench_settings()
    embedder = Embedder.from_settings(settings)
    client = build_client(settings, request_timeout=300)
    runs: dict[tuple[str, str], tuple[dict[str, Signals], dict[str, dict[str, int]]]] = {}
    for name in args.sets.split(","):
        for split in (("train", "test") if name == "scifact" else ("test",)):
            runs[name, split] = signals_of(name, split, embedder, client, bm25)
    tried = variants(bm25)
    if ("scifact", "train") in runs:
        chosen, score = chosen_on_train(*runs["scifact", "train"], bm25)
        print(f"{chosen.label}: train {score}", flush=True)
        tried.append(chosen)
    table: dict[str, dict[str, dict[str, float]]] = {}
    for (name, split), (per, qrels) in runs.items():
        row = {v.label: ndcg10({q: fused(s, v) for q, s in per.items()}, qrels) for v in tried}
        table.setdefault(name, {})[split] = row
        print(name, split, json.dumps(row), flush=True)
    write_result("evidence", {"ndcg@10": table, "chunk_tokens": CHUNK_TOKENS,
                              "prf": {"documents": PRF_DOCS, "beta": PRF_BETA},
                              "weights_searched": WEIGHTS, "encoder_backend": embedder.backend,
                              "bm25": bm25})


if __name__ == "__main__":
    main()
