from __future__ import annotations

import pytest

from indexer.search.hybrid import RRF_K, Fused, fuse, fuse_linear, fuse_rrf, min_max, ranked


def test_ranked_keeps_the_best_rank_of_a_repeated_id() -> None:
    assert ranked([("a", 3.0), ("b", 2.0), ("a", 1.0)]) == [
        ranked([("a", 3.0)])[0], ranked([("x", 0), ("b", 2.0)])[1]]


def test_min_max_handles_equal_scores_and_empty() -> None:
    assert min_max([]) == []
    assert min_max([2.0, 2.0]) == [1.0, 1.0]
    assert min_max([1.0, 3.0, 2.0]) == [0.0, 1.0, 0.5]


def test_rrf_sums_reciprocal_ranks() -> None:
    kw = ranked([("a", 10.0), ("b", 5.0)])
    sem = ranked([("b", 0.9), ("c", 0.8)])
    fused = fuse_rrf(kw, sem)
    assert [f.doc_id for f in fused] == ["b", "a", "c"]
    assert fused[0] == Fused("b", 1 / (RRF_K + 2) + 1 / (RRF_K + 1), 2, 1)
    assert fused[2].keyword_rank is None and fused[2].semantic_rank == 2


def test_linear_keeps_a_dominant_keyword_match_on_top() -> None:
    # A verbatim quotation: far ahead on keywords, only third on meaning.
    kw = ranked([("quote", 30.0), ("x", 6.0), ("y", 5.0)])
    sem = ranked([("x", 0.62), ("y", 0.61), ("quote", 0.58), ("z", 0.50)])
    assert fuse_linear(kw, sem, alpha=0.5)[0].doc_id == "quote"
    # RRF only sees ranks: 1st + 3rd loses to 2nd + 1st.
    assert fuse_rrf(kw, sem)[0].doc_id == "x"


def test_alpha_moves_between_the_legs() -> None:
    kw = ranked([("k", 2.0), ("s", 1.0)])
    sem = ranked([("s", 0.9), ("k", 0.1)])
    assert fuse_linear(kw, sem, alpha=0.0)[0].doc_id == "k"
    assert fuse_linear(kw, sem, alpha=1.0)[0].doc_id == "s"
    with pytest.raises(ValueError, match="alpha"):
        fuse_linear(kw, sem, alpha=1.5)
    with pytest.raises(ValueError, match="fusion"):
        fuse(kw, sem, method="max")
