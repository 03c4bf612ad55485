"""Rocchio feedback inside the semantic leg's own pool: MED's hybrid below its semantic leg
(issue 13, item 3), at no second search.

    python -m bench.feedback [--sets scifact,time,cisi,med,cranfield] [--betas 0.3,0.5]

Step 9 of BENCHMARKS §1 found that moving the query vector towards the first page's top
documents (Rocchio) puts hybrid above both legs on all five sets, but its second kNN search
costs 1.3× a page's p95 at a million passages. Here the move costs no search: the semantic
leg's passages come back with their vectors in the page's first msearch, the query is moved
towards the vectors of the top ``--docs`` documents of the fused page (those whose shown
passage the semantic leg brought: it alone came with vectors) or of the semantic leg, and the
semantic leg's passages are all scored again, exactly (float32, where Elasticsearch scored the
int8 copies: ``beta`` 0 is that control), before the page is fused a second time.
Every variant is fused by the product's own ``results.hybrid_results`` from the same legs, in
one run (run ``bench.quality`` first: it indexes the collections). SciFact's train queries are
reported apart: a weight is chosen on them.
"""

from __future__ import annotations

import argparse
from typing import Any

import numpy as np

from bench.common import write_result
from bench.documents import documents_of, hybrid_page, scored_variants, sweep_searcher
from bench.quality import SETS
from indexer.ingest.actions import doc_key
from indexer.search import exact, queries, results
from indexer.search.searcher import Searcher


def with_vectors(body: dict[str, Any]) -> dict[str, Any]:
    """The semantic leg's body, its passages' vectors returned with them."""
    excludes = [f for f in queries.SOURCE_EXCLUDES if f != "embedding"]
    return {**body, "_source": {"excludes": excludes}}


def moved_leg(semantic: list[dict[str, Any]], query: np.ndarray, top: list[str],
              beta: float) -> list[dict[str, Any]]:
    """The semantic leg's passages scored again against the query moved ``beta`` of the way
    towards the mean of ``top``'s vectors (passage keys), as Elasticsearch scores cosine."""
    vectors = {results.passage_key(h): np.asarray(h["_source"]["embedding"], dtype=np.float32)
               for h in semantic}
    feedback = [v / np.linalg.norm(v) for v in (vectors[k] for k in top if k in vectors)]
    # No feedback found: the query as it was, still scored exactly, as the control is.
    moved = query + beta * np.mean(feedback, axis=0) if feedback else query.copy()
    moved /= np.linalg.norm(moved)
    out = []
    for hit in semantic:
        v = vectors[results.passage_key(hit)]
        out.append({**hit, "_score": float((1 + moved @ (v / np.linalg.norm(v))) / 2)})
    return sorted(out, key=lambda h: -h["_score"])


def rankings(searcher: Searcher, collection: str, texts: list[tuple[str, str]],
             betas: list[float], docs: int) -> dict[str, dict[str, list[str]]]:
    """Each variant's ranked documents per query."""
    names = ["product", "semantic", *(f"{src} {b}" for src in ("fused", "semantic")
                                      for b in betas)]
    out: dict[str, dict[str, list[str]]] = {n: {} for n in names}
    for qid, text in texts:
        asked, prepared, searches = hybrid_page(searcher, collection, text)
        req = prepared.req
        header, body = searches[1]
        searches[1] = (header, with_vectors(body))
        answers = searcher.msearch(searches)
        keyword, semantic = results.hits_of(answers[0]), results.hits_of(answers[1])
        whole = results.hits_of(answers[2]) if len(answers) > 2 else None
        firsts = (exact.exact_passages(asked.q, keyword)
                  or exact.phrase_passages(asked.q, prepared.relaxed, keyword))
        shown, _ = results.hybrid_results(req, keyword, semantic, firsts, whole)
        out["product"][qid] = [r["doc_id"] for r in shown]
        out["semantic"][qid] = documents_of(semantic)
        assert prepared.vectors is not None
        query = np.asarray(prepared.vectors[0].vector, dtype=np.float32)
        fused_top = [results.passage_key({"_id": r["passage"]["id"], "_source": {
            "doc_key": doc_key(r["collection"], r["doc_id"])}})
                     for r in shown[:docs] if r["passage"].get("id")]
        semantic_top = [results.passage_key(h) for h in semantic[:docs]]
        for src, top in (("fused", fused_top), ("semantic", semantic_top)):
            for beta in betas:
                leg = moved_leg(semantic, query, top, beta)
                ranked, _ = results.hybrid_results(req, keyword, leg, firsts, whole)
                out[f"{src} {beta}"][qid] = [r["doc_id"] for r in ranked]
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", default=",".join(SETS))
    parser.add_argument("--betas", default="0,0.2,0.3,0.5")
    parser.add_argument("--docs", type=int, default=3, help="top documents the query moves to")
    args = parser.parse_args(argv)
    betas = [float(b) for b in args.betas.split(",")]
    embedder, searcher = sweep_searcher()
    table = scored_variants(args.sets, embedder.backend,
                            lambda collection, texts: rankings(searcher, collection, texts,
                                                               betas, args.docs))
    write_result("feedback", {"ndcg@10": table, "betas": betas, "docs": args.docs,
                              "model": searcher.settings.model, "encoder_backend": embedder.backend})


if __name__ == "__main__":
    main()
