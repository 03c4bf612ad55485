"""Fusing the keyword and semantic legs in our own code (the minimal distribution has no RRF
retriever, and we want both methods and the ranks that explain each result).

- ``rrf``: reciprocal rank fusion, sum of 1 / (k + rank) over the legs that found the
  document (k = 60, as in Cormack et al. 2009).
- ``linear``: each leg's scores min-max normalised to [0, 1] over its candidates, then
  ``alpha * semantic + (1 - alpha) * keyword``; a leg that missed the document adds 0.
  Unlike RRF it keeps how far ahead a strong keyword match (a verbatim quotation) is.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

RRF_K = 60


@dataclass(frozen=True)
class Ranked:
    """One document from one leg: its id, its score there, its 1-based rank there."""

    doc_id: str
    score: float
    rank: int


@dataclass(frozen=True)
class Fused:
    doc_id: str
    score: float
    keyword_rank: int | None
    semantic_rank: int | None


def ranked(doc_ids_and_scores: Sequence[tuple[str, float]]) -> list[Ranked]:
    """A leg's hits (already best first) with their ranks; a repeated id keeps its best rank."""
    seen: set[str] = set()
    out: list[Ranked] = []
    for doc_id, score in doc_ids_and_scores:
        if doc_id in seen:
            continue
        seen.add(doc_id)
        out.append(Ranked(doc_id, float(score), len(out) + 1))
    return out


def min_max(scores: Sequence[float]) -> list[float]:
    if not scores:
        return []
    low, high = min(scores), max(scores)
    if high == low:
        return [1.0 for _ in scores]
    return [(s - low) / (high - low) for s in scores]


def fuse_rrf(keyword: Sequence[Ranked], semantic: Sequence[Ranked], *, k: int = RRF_K) -> list[Fused]:
    kw = {r.doc_id: r for r in keyword}
    sem = {r.doc_id: r for r in semantic}
    fused = []
    for doc_id in _union(keyword, semantic):
        score = 0.0
        if doc_id in kw:
            score += 1.0 / (k + kw[doc_id].rank)
        if doc_id in sem:
            score += 1.0 / (k + sem[doc_id].rank)
        fused.append(_fused(doc_id, score, kw, sem))
    return _sorted(fused)


def fuse_linear(keyword: Sequence[Ranked], semantic: Sequence[Ranked], *,
                alpha: float = 0.5) -> list[Fused]:
    if not 0.0 <= alpha <= 1.0:
        raise ValueError(f"alpha must be between 0 and 1, not {alpha}")
    kw = {r.doc_id: r for r in keyword}
    sem = {r.doc_id: r for r in semantic}
    kw_norm = dict(zip(kw, min_max([r.score for r in kw.values()]), strict=True))
    sem_norm = dict(zip(sem, min_max([r.score for r in sem.values()]), strict=True))
    fused = [
        _fused(doc_id, alpha * sem_norm.get(doc_id, 0.0) + (1 - alpha) * kw_norm.get(doc_id, 0.0),
               kw, sem)
        for doc_id in _union(keyword, semantic)
    ]
    return _sorted(fused)


def fuse(keyword: Sequence[Ranked], semantic: Sequence[Ranked], *, method: str,
         alpha: float = 0.5) -> list[Fused]:
    if method == "rrf":
        return fuse_rrf(keyword, semantic)
    if method == "linear":
        return fuse_linear(keyword, semantic, alpha=alpha)
    raise ValueError(f"unknown fusion {method!r}: use rrf or linear")


def best_per_group(fused: Sequence[Fused], group: Callable[[str], str]
                   ) -> list[tuple[Fused, int]]:
    """One entry per group (document), its best-fused member first in fused order, with how
    many other members of the group were among the candidates."""
    best: dict[str, Fused] = {}
    counts: dict[str, int] = {}
    for item in fused:
        key = group(item.doc_id)
        counts[key] = counts.get(key, 0) + 1
        best.setdefault(key, item)
    return [(item, counts[key] - 1) for key, item in best.items()]


def _union(a: Sequence[Ranked], b: Sequence[Ranked]) -> list[str]:
    seen: dict[str, None] = {}
    for r in (*a, *b):
        seen.setdefault(r.doc_id, None)
    return list(seen)


def _fused(doc_id: str, score: float, kw: dict[str, Ranked], sem: dict[str, Ranked]) -> Fused:
    return Fused(doc_id, score, kw[doc_id].rank if doc_id in kw else None,
                 sem[doc_id].rank if doc_id in sem else None)


def _sorted(fused: list[Fused]) -> list[Fused]:
    # Ties broken by the better of the two ranks, then the id: stable pages.
    def key(f: Fused) -> tuple[float, int, str]:
        best = min(r for r in (f.keyword_rank, f.semantic_rank, 10**9) if r is not None)
        return (-f.score, best, f.doc_id)

    return sorted(fused, key=key)
