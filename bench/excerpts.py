"""Pasted quotations: how often hybrid search ranks a UN speech first when a journalist pastes
a sentence of it into the search box.

    make bench-excerpts
    python -m bench.excerpts [--min-words 12] [--output excerpts] [--no-index]
                             [--quality scifact,time,cisi,med,cranfield] [--seed N]

The excerpts are the labelled set of ``bench.provenance_cases`` (deterministic, drawn from
the Security Council and General Debate speeches in ../shared/data, each span's words in one
speech only), of at least ``--min-words`` words: verbatim, with words cut out (no mark, an
ellipsis, or one or two dropped words) and with a word or two changed (substituted or added).
Each is searched over the archive collections of ``bench.provenance`` (the UN records and the
news, indexed once under the benchmarks' prefix) through ``Searcher.search``, the API's read
path, in keyword and hybrid mode; the first result is right when it is the speech's meeting
(transcript or speech record: its ``symbol``) or its General Debate record (``doc_id``).
Reported per kind: the share ranked first, for each mode and for hybrid without the
exact-text step (``exact.QUOTATION_MIN_WORDS`` set out of reach), the before and after.
With ``--quality``, the same before and after in hybrid nDCG@10 on the quality sets of
``bench.quality`` (their collections must be indexed: ``make bench-quality``), so that the step
is seen to cost the ordinary queries nothing.
"""

from __future__ import annotations

import argparse
from typing import Any

from bench.common import DATA, require_data, write_result
from bench.provenance import ARCHIVE, Outcome, archive_searcher, link_correct
from bench.provenance_cases import SEED, build_cases

KINDS = {"verbatim": "verbatim", "trimmed": "words cut out", "trimmed_ellipsis": "words cut out",
         "dropped": "words cut out", "substituted": "words changed", "added": "words changed"}


def first_is_source(case: dict[str, Any], body: dict[str, Any]) -> bool:
    results = body.get("results") or []
    if not results:
        return False
    top = results[0]
    outcome = Outcome(case_id=case["id"], verdict="found", symbol=top.get("symbol"),
                      doc_id=top.get("doc_id"), speaker_match=None, latency_ms=0.0)
    return link_correct(case["expect"], outcome)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--min-words", type=int, default=12)
    parser.add_argument("--output", default="excerpts")
    parser.add_argument("--no-index", action="store_true")
    parser.add_argument("--quality", default="", help="quality sets to compare, comma-separated")
    parser.add_argument("--seed", type=int, default=SEED, help="another draw of the excerpts")
    args = parser.parse_args(argv)
    from indexer.search import exact
    from indexer.search.request import Filters, SearchRequest

    searcher = archive_searcher(index=not args.no_index)
    cases = [c for c in build_cases(require_data(DATA), seed=args.seed)
             if c["kind"] in KINDS and len(c["text"].split()) >= args.min_words]
    filters = Filters(collections=tuple(ARCHIVE))
    configs = {"keyword": ("keyword", True), "hybrid": ("hybrid", True),
               "hybrid_without_exact": ("hybrid", False)}
    hits: dict[str, dict[str, list[bool]]] = {name: {} for name in configs}
    default_min = exact.QUOTATION_MIN_WORDS
    for name, (mode, with_exact) in configs.items():
        exact.QUOTATION_MIN_WORDS = default_min if with_exact else 10**6
        for case in cases:
            body = searcher.search(SearchRequest(q=case["text"], mode=mode, filters=filters,
                                                 size=3), mark_semantic=False)
            hits[name].setdefault(KINDS[case["kind"]], []).append(first_is_source(case, body))
    exact.QUOTATION_MIN_WORDS = default_min
    table = {name: {kind: round(sum(v) / len(v), 4) for kind, v in by_kind.items()}
             for name, by_kind in hits.items()}
    counts = {kind: len(v) for kind, v in hits["hybrid"].items()}
    print(f"{'kind':<16}{'n':>4}" + "".join(f"{name:>22}" for name in configs))
    for kind, n in counts.items():
        print(f"{kind:<16}{n:>4}" + "".join(f"{table[name][kind]:>22.3f}" for name in configs))
    quality = quality_before_after(searcher, [s for s in args.quality.split(",") if s])
    for name, pair in quality.items():
        print(f"{name:<10} hybrid nDCG@10 with {pair['with']:.4f}  without {pair['without']:.4f}")
    write_result(args.output, {"min_words": args.min_words, "seed": args.seed, "cases": counts,
                               "first_is_source": table, "quality_hybrid_ndcg10": quality,
                               "quotation_min_words": exact.QUOTATION_MIN_WORDS,
                               "collections": list(ARCHIVE)})


def quality_before_after(searcher: Any, sets: list[str]) -> dict[str, dict[str, float]]:
    """Hybrid nDCG@10 of each quality set with the exact-text step and without it."""
    from bench.quality import SETS, collection_name, evaluate, load_qrels, load_queries
    from indexer.search import exact

    default_min = exact.QUOTATION_MIN_WORDS
    out: dict[str, dict[str, float]] = {}
    for name in sets:
        qrels = load_qrels(SETS[name])
        queries = load_queries(SETS[name], qrels)
        collection = collection_name(name, searcher.embedder.backend)
        out[name] = {}
        for label, minimum in (("with", default_min), ("without", 10**6)):
            exact.QUOTATION_MIN_WORDS = minimum
            config = {"mode": "hybrid", "fusion": "linear", "alpha": 0.5}
            out[name][label] = evaluate(searcher, collection, queries, qrels, config)["ndcg@10"]
        exact.QUOTATION_MIN_WORDS = default_min
    return out


if __name__ == "__main__":
    main()
