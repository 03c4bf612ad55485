"""Whole-document scoring on the quality sets: the weight of the document query's exact words,
swept through the product's own hybrid page.

    python -m bench.documents [--sets scifact,time,cisi,med,cranfield] [--boosts 0,0.1,0.2,0.3]

For every judged query (SciFact: its 809 train queries too, on which the weight is chosen) the
hybrid page's searches are sent as the searcher sends them (``Searcher.prepare`` and
``Searcher.page_searches`` over the collections ``bench.quality`` indexed: run it first),
with the document search once per weight in the same msearch, and the product's own fusion
(``results.hybrid_results``, the exact-text step included) ranks each variant's documents.
Also scored: each document's keyword score its best passage's (no document search: the page
before schema 2), on the same legs. The variant at ``queries.DOCUMENT_RAW_BOOST`` is what
``bench.quality``'s ``hybrid_linear`` measures, ``passages`` its ``hybrid_linear_passages``.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from bench.common import bench_settings, require_data, write_result
from bench.fusion import ndcg10
from bench.quality import SETS, collection_name, load_qrels, load_queries
from indexer.client import build_client
from indexer.model.embedder import Embedder
from indexer.search import exact, plan, queries, results
from indexer.search.request import Filters, SearchRequest
from indexer.search.searcher import Prepared, Searcher

SIZE = 100  # documents ranked per query, as bench.quality asks


def documents_of(hits: list[dict[str, Any]]) -> list[str]:
    """A leg's documents, best first, each once, as many as a page ranks."""
    seen: dict[str, None] = {}
    for hit in hits:
        seen.setdefault(hit["_source"]["doc_id"], None)
    return list(seen)[:SIZE]


def sweep_searcher() -> tuple[Embedder, Searcher]:
    """The model and the searcher of a sweep: a long timeout, for msearches of many variants."""
    settings = bench_settings()
    embedder = Embedder.from_settings(settings)
    return embedder, Searcher(build_client(settings, request_timeout=120), embedder, settings)


def hybrid_page(searcher: Searcher, collection: str, text: str
                ) -> tuple[SearchRequest, Prepared, list[plan.Search]]:
    """A judged query as asked (``bench.quality``'s request), as prepared, and the first
    msearch of its hybrid page, as the searcher sends them."""
    asked = SearchRequest(q=text[:1000], mode="hybrid", size=SIZE,
                          filters=Filters(collections=(collection,)))
    prepared = searcher.prepare(asked)
    return asked, prepared, searcher.page_searches(prepared.req, prepared.vectors)


def rankings(searcher: Searcher, collection: str, texts: list[tuple[str, str]],
             boosts: list[float]) -> dict[str, dict[str, list[str]]]:
    """Each variant's ranked documents per query: ``passages`` and one per weight."""
    out: dict[str, dict[str, list[str]]] = {"passages": {}, **{str(b): {} for b in boosts}}
    for qid, text in texts:
        asked, prepared, page = hybrid_page(searcher, collection, text)
        req = prepared.req
        legs_searches = page[:2]
        header = legs_searches[0][0]
        bodies = [queries.document_search_body(req, raw_boost=b) for b in boosts]
        answers = searcher.msearch([*legs_searches, *((header, b) for b in bodies if b)])
        keyword, semantic = results.hits_of(answers[0]), results.hits_of(answers[1])
        # As ``Searcher._page``: the wording as asked, before its phrases were relaxed.
        firsts = (exact.exact_passages(asked.q, keyword)
                  or exact.phrase_passages(asked.q, prepared.relaxed, keyword))
        whole = iter(answers[2:])
        variants: dict[str, Any] = {"passages": None}
        for boost, body in zip(boosts, bodies, strict=True):
            variants[str(boost)] = results.hits_of(next(whole)) if body else None
        for name, documents in variants.items():
            shown, _ = results.hybrid_results(req, keyword, semantic, firsts, documents)
            out[name][qid] = [r["doc_id"] for r in shown]
    return out


def scored_variants(sets: str, backend: str,
                    rank: Callable[[str, list[tuple[str, str]]], dict[str, dict[str, list[str]]]]
                    ) -> dict[str, dict[str, float]]:
    """nDCG@10 of each variant ``rank`` ranks (from a collection and its judged queries), per
    set and split (SciFact's train queries apart, on which weights are chosen), printed as
    each set is done."""
    table: dict[str, dict[str, float]] = {}
    for name in sets.split(","):
        folder = require_data(SETS[name])
        for split in ("train", "test") if name == "scifact" else ("test",):
            qrels = load_qrels(folder, split)
            runs = rank(collection_name(name, backend), load_queries(folder, qrels))
            label = f"{name} {split}" if name == "scifact" else name
            table[label] = {variant: ndcg10(run, qrels) for variant, run in runs.items()}
            print(f"{label:14}" + "".join(f"  {v} {s:.4f}" for v, s in table[label].items()),
                  flush=True)
    return table


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", default=",".join(SETS))
    parser.add_argument("--boosts", default="0,0.1,0.2,0.3")
    args = parser.parse_args(argv)
    boosts = [float(b) for b in args.boosts.split(",")]
    embedder, searcher = sweep_searcher()
    table = scored_variants(args.sets, embedder.backend,
                            lambda collection, texts: rankings(searcher, collection, texts,
                                                               boosts))
    write_result("documents", {"ndcg@10": table, "boosts": boosts,
                               "default_boost": queries.DOCUMENT_RAW_BOOST,
                               "model": searcher.settings.model,
                               "encoder_backend": embedder.backend})


if __name__ == "__main__":
    main()
