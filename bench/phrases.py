"""Quoted phrases that forgive: how often a misremembered phrase, typed in quotation marks,
still brings its speech first.

    make bench-phrases
    python -m bench.phrases [--output phrases] [--no-index] [--seed N]

The phrases come from the verbatim spans of ``bench.provenance_cases`` (Security Council and
General Debate speeches in ../shared/data): from each span two windows of 6 to 10 words (its
start and its middle), each misremembered three ways, deterministically:

- ``reordered``: its two halves swapped ("the Turkish border, population density");
- ``stop words lost``: its stop words dropped ("density population Turkish border");
- ``word changed``: one content word replaced by a content word of another span.

Each is searched in quotation marks over the archive of ``bench.provenance`` through
``Searcher.search``, in keyword and hybrid mode, with the fallback (the product) and without
it (the exact phrase only, as before issue 13: ``Searcher.forgiving`` bypassed). Reported per
kind and mode: the share whose first result is the speech (its meeting or General Debate
record), and the levels the fallback chose. ``--seed`` draws other spans, windows and
changes from the same speeches (the default is the set the fallback was built against).
"""

from __future__ import annotations

import argparse
import random
from collections import Counter
from typing import Any

from bench.common import DATA, require_data, write_result
from bench.excerpts import first_is_source
from bench.provenance import ARCHIVE, archive_searcher
from bench.provenance_cases import build_cases
from indexer.text.stemming import STOP_WORDS

SEED = 13
KINDS = ("reordered", "stop words lost", "word changed")


def windows(text: str, rng: random.Random) -> list[list[str]]:
    """Two runs of 6-10 words of ``text``: its start and its middle."""
    words = text.split()
    out = []
    for start in (0, len(words) // 2):
        size = rng.randint(6, 10)
        if start + size <= len(words):
            out.append(words[start:start + size])
    return out


def _content(words: list[str]) -> list[int]:
    return [i for i, w in enumerate(words) if w.strip(".,;:!?'\"()").lower() not in STOP_WORDS]


def misremember(words: list[str], kind: str, rng: random.Random, others: list[str]) -> str:
    """``words`` as a user might recall them, punctuation let go."""
    words = [w.strip(".,;:!?\"()") for w in words]
    words = [w for w in words if w]
    if kind == "reordered":
        cut = len(words) // 2
        words = words[cut:] + words[:cut]
    elif kind == "stop words lost":
        words = [words[i] for i in _content(words)]
    elif kind == "word changed":
        spots = _content(words)
        if spots:
            words[rng.choice(spots)] = rng.choice(others)
    else:
        raise ValueError(kind)
    return " ".join(words)


def build_phrases(seed: int | None = None) -> list[dict[str, Any]]:
    """Every misremembered phrase with the case it came from; the same for the same data and
    ``seed`` (None: the default draw of the phrases and of ``bench.provenance_cases``)."""
    rng = random.Random(SEED if seed is None else seed)
    spans = build_cases(require_data(DATA)) if seed is None else build_cases(
        require_data(DATA), seed=seed)
    cases = [c for c in spans if c["kind"] == "verbatim"]
    vocabulary = sorted({w.strip(".,;:!?'\"()") for c in cases for w in c["text"].split()
                         if len(w) > 5 and w.isalpha() and w.lower() not in STOP_WORDS})
    out = []
    for case in cases:
        own = {w.lower().strip(".,;:!?'\"()") for w in case["text"].split()}
        others = [w for w in vocabulary if w.lower() not in own]
        for window in windows(case["text"], rng):
            for kind in KINDS:
                out.append({"case": case, "kind": kind, "original": " ".join(window),
                            "phrase": misremember(window, kind, rng, others)})
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", default="phrases")
    parser.add_argument("--no-index", action="store_true")
    parser.add_argument("--seed", type=int, default=None, help="another draw of the phrases")
    args = parser.parse_args(argv)
    from indexer.search.request import Filters, SearchRequest
    from indexer.search.searcher import Searcher

    product = archive_searcher(index=not args.no_index)
    phrases = build_phrases(args.seed)
    exact_only = Searcher(product.client, product.embedder, product.settings)
    exact_only.forgiving = lambda req: (req, [])  # type: ignore[method-assign]
    filters = Filters(collections=tuple(ARCHIVE))
    first: dict[str, dict[str, list[bool]]] = {}
    levels: dict[str, Counter[str]] = {kind: Counter() for kind in KINDS}
    for searcher, fallback in ((product, "with fallback"), (exact_only, "exact phrase only")):
        for mode in ("keyword", "hybrid"):
            name = f"{mode}, {fallback}"
            for item in phrases:
                body = searcher.search(SearchRequest(q=f'"{item["phrase"]}"', mode=mode,
                                                     filters=filters, size=3),
                                       mark_semantic=False)
                first.setdefault(name, {}).setdefault(item["kind"], []).append(
                    first_is_source(item["case"], body))
                if searcher is product and mode == "hybrid":
                    chosen = body.get("unmatched_phrases") or [{"level": "exact"}]
                    levels[item["kind"]][chosen[0]["level"]] += 1
    table = {name: {kind: round(sum(v) / len(v), 4) for kind, v in by_kind.items()}
             for name, by_kind in first.items()}
    print(f"{'kind':<18}{'n':>4}" + "".join(f"{name:>30}" for name in table))
    for kind in KINDS:
        n = len(first["hybrid, with fallback"][kind])
        print(f"{kind:<18}{n:>4}" + "".join(f"{table[name][kind]:>30.3f}" for name in table)
              + f"   levels {dict(levels[kind])}")
    write_result(args.output, {
        "phrases": len(phrases), "seed": args.seed, "first_is_source": table,
        "levels_hybrid": {kind: dict(c) for kind, c in levels.items()},
        "examples": [{k: item[k] for k in ("kind", "original", "phrase")}
                     for item in phrases[:6]],
        "collections": list(ARCHIVE)})


if __name__ == "__main__":
    main()
