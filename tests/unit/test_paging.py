"""How far paging reaches: what ``pageable`` says and what the pager offers."""

from __future__ import annotations

import pytest

from indexer.search.request import MAX_DEPTH, MAX_SIZE, reachable
from webapp.params import BadParameter, parse_search

pytestmark = pytest.mark.unit


def test_paging_never_reaches_past_the_deepest_page_allowed() -> None:
    assert reachable(5, 10) == 5
    assert reachable(250_000, 10) == MAX_DEPTH
    assert reachable(MAX_DEPTH + 1, 1) == MAX_DEPTH
    assert reachable(250_000, 7) == 994  # 142 pages of 7: a 143rd would reach result 1,001
    assert reachable(0, 10) == 0


@pytest.mark.parametrize("size", [1, 3, 7, 10, 33, 64, MAX_SIZE])
def test_every_page_that_pageable_counts_is_a_page_the_api_accepts(size: int) -> None:
    pageable = reachable(10**6, size)
    last = -(-pageable // size)
    parse_search({"q": ["x"], "size": [str(size)], "page": [str(last)]})
    with pytest.raises(BadParameter):
        parse_search({"q": ["x"], "size": [str(size)], "page": [str(last + 1)]})
