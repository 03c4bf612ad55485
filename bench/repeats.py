"""A repeated word's weight in the keyword query (``queries.QUERY_TF_K3``), swept through the
product's own hybrid page on the quality sets.

    python -m bench.repeats [--sets scifact,time,cisi,med,cranfield] [--k3 0,1,3,inf]

Lucene adds up a word's repeated clauses, so a verbose query ("somatotropin as it effects
bone, bone development, ... bone cells, ... bone diseases") weighs its repeated words as
many times as it says them. BM25 as Robertson wrote it saturates that factor instead:
(k3 + 1) c / (k3 + c) for a word said c times; ``inf`` is Lucene's sum, the page before.
For every judged query (SciFact: its 809 train queries too, on which k3 is chosen) the
hybrid page's searches are sent as the searcher sends them (``Searcher.page_searches`` over
the collections ``bench.quality`` indexed: run it first), the keyword leg and the document
search once per k3 in the same msearch, the semantic leg once, and the product's own fusion
(``results.hybrid_results``, the exact-text step included) ranks each variant's documents.
Also reported: each variant's keyword leg alone (its documents by their best passage, as
keyword mode ranks them) and the semantic leg, the "both legs" that hybrid must pass.
"""

from __future__ import annotations

import argparse
import math

from bench.common import write_result
from bench.documents import documents_of, hybrid_page, scored_variants, sweep_searcher
from indexer.search import exact, queries, results
from indexer.search.searcher import Searcher


def k3_label(k3: float | None) -> str:
    return "inf" if k3 is None else f"{k3:g}"


def rankings(searcher: Searcher, collection: str, texts: list[tuple[str, str]],
             values: list[float | None]) -> dict[str, dict[str, list[str]]]:
    """Each variant's ranked documents per query: hybrid and keyword alone per k3, and the
    semantic leg."""
    out: dict[str, dict[str, list[str]]] = {"semantic": {}}
    for k3 in values:
        out[f"hybrid k3={k3_label(k3)}"], out[f"keyword k3={k3_label(k3)}"] = {}, {}
    for qid, text in texts:
        asked, prepared, page = hybrid_page(searcher, collection, text)
        req = prepared.req
        (header, keyword_body), semantic = page[0], page[1]
        whole = len(page) > 2
        searches = [semantic]
        for k3 in values:
            searches.append((header, {**keyword_body,
                                      "query": queries.keyword_query(req.q, req.filters, k3=k3)}))
            if whole:
                searches.append((header, {**page[2][1], "query": queries.document_query(
                    req.q, req.filters, k3=k3)}))
        answers = iter(searcher.msearch(searches))
        semantic_hits = results.hits_of(next(answers))
        out["semantic"][qid] = documents_of(semantic_hits)
        for k3 in values:
            keyword = results.hits_of(next(answers))
            documents = results.hits_of(next(answers)) if whole else None
            # As ``Searcher._page``: the wording as asked, before its phrases were relaxed.
            firsts = (exact.exact_passages(asked.q, keyword)
                      or exact.phrase_passages(asked.q, prepared.relaxed, keyword))
            shown, _ = results.hybrid_results(req, keyword, semantic_hits, firsts, documents)
            out[f"hybrid k3={k3_label(k3)}"][qid] = [r["doc_id"] for r in shown]
            out[f"keyword k3={k3_label(k3)}"][qid] = documents_of(keyword)
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", default="scifact,time,cisi,med,cranfield")
    parser.add_argument("--k3", default="0,1,3,inf", help="values of k3; inf: Lucene's sum")
    args = parser.parse_args(argv)
    values = [None if math.isinf(float(v)) else float(v) for v in args.k3.split(",")]
    embedder, searcher = sweep_searcher()
    table = scored_variants(args.sets, embedder.backend,
                            lambda collection, texts: rankings(searcher, collection, texts,
                                                               values))
    write_result("repeats", {"ndcg@10": table, "k3": [k3_label(v) for v in values],
                             "default_k3": k3_label(queries.QUERY_TF_K3),
                             "model": searcher.settings.model, "encoder_backend": embedder.backend})


if __name__ == "__main__":
    main()
