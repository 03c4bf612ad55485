"""What a search asks for, and the limits every way of asking shares.

The web app's parameter parsing, the API description, the searcher and the
benchmarks all read these limits from here, so a limit is changed in one place.
"""

from __future__ import annotations

from dataclasses import dataclass, field

MODES = ("hybrid", "keyword", "semantic")
FUSIONS = ("linear", "rrf")
DEFAULT_FUSION = "linear"
DEFAULT_ALPHA = 0.5

MAX_QUERY_CHARS = 1000
DEFAULT_SIZE = 10
MAX_SIZE = 100  # results on one page
# page × size: deeper results come from /api/export (point in time + search_after), which
# has no such ceiling. Quotes page under the same rule.
MAX_DEPTH = 1000
MAX_PARAM_CHARS = 200  # any other parameter value
MAX_PARAM_VALUES = 50  # values of one repeatable parameter


@dataclass(frozen=True)
class Filters:
    collections: tuple[str, ...] = ()
    types: tuple[str, ...] = ()
    speakers: tuple[str, ...] = ()
    date_from: str | None = None
    date_to: str | None = None


@dataclass(frozen=True)
class SearchRequest:
    q: str = ""
    mode: str = "hybrid"
    filters: Filters = field(default_factory=Filters)
    page: int = 1
    size: int = DEFAULT_SIZE
    fusion: str = DEFAULT_FUSION
    alpha: float = DEFAULT_ALPHA

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.size
