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
# Elasticsearch stops collecting a user's search after this long and answers what it found
# (the response says "partial": true); the searches are not retried on a timeout.
SEARCH_TIMEOUT_S = 3
SEARCH_TIMEOUT = f"{SEARCH_TIMEOUT_S}s"

# The longest request line a request within these limits takes, percent-encoded: a character
# is at most 4 bytes of UTF-8, each written as %XX. Every server in front of the app (gunicorn,
# `verbatim serve`) accepts request lines, and header fields (a Referer), this long.
PERCENT_ENCODED_CHAR_BYTES = 4 * len("%XX")
MAX_PARAM_NAME_CHARS = 16  # the longest parameter name ("collection", "date_from"), with room
REPEATABLE_PARAMS = 3  # collection, type, speaker
SINGLE_PARAMS = 8  # mode, fusion, alpha, page, size, date_from, date_to, format
MAX_PATH_CHARS = 64  # /api/search, /api/export, /search...
REQUEST_LINE_FRAME = len("GET ") + MAX_PATH_CHARS + len("?") + len(" HTTP/1.1")


def _param_bytes(chars: int) -> int:
    """One ``&name=value`` pair whose value has ``chars`` characters, at worst."""
    return len("&=") + MAX_PARAM_NAME_CHARS + chars * PERCENT_ENCODED_CHAR_BYTES


MAX_REQUEST_LINE_BYTES = (
    REQUEST_LINE_FRAME + _param_bytes(MAX_QUERY_CHARS)
    + (REPEATABLE_PARAMS * MAX_PARAM_VALUES + SINGLE_PARAMS) * _param_bytes(MAX_PARAM_CHARS))
MAX_HEADER_FIELD_BYTES = len("Referer: https://") + 255 + MAX_REQUEST_LINE_BYTES  # 255: a host


def reachable(count: int, size: int) -> int:
    """How many of ``count`` ranked results paging can show at ``size`` a page: a page may go
    no deeper than ``MAX_DEPTH`` (page × size), so the last whole page within it ends them
    (994 at 7 a page: a 143rd page would reach result 1,001)."""
    return max(0, min(count, MAX_DEPTH // max(size, 1) * size))


@dataclass(frozen=True)
class Filters:
    collections: tuple[str, ...] = ()
    types: tuple[str, ...] = ()
    speakers: tuple[str, ...] = ()
    date_from: str | None = None
    date_to: str | None = None
    # The collections' aliases, when the searcher has resolved them (``queries.scoped``):
    # a filter on ``_index`` is answered once per shard, a ``collection`` term passage by passage.
    aliases: tuple[str, ...] = ()


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
