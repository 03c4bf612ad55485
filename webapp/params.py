"""Request parameters to typed requests, with errors that name the parameter (pure)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from indexer.documents import DOC_TYPES
from indexer.errors import BadRequest
from indexer.search.request import (
    DEFAULT_ALPHA,
    DEFAULT_FUSION,
    DEFAULT_SIZE,
    FUSIONS,
    MAX_DEPTH,
    MAX_PARAM_CHARS,
    MAX_PARAM_VALUES,
    MAX_QUERY_CHARS,
    MAX_SIZE,
    MODES,
    Filters,
    SearchRequest,
)
from indexer.search.syntax import straight_quotes


class BadParameter(BadRequest):
    """A request parameter is wrong; ``param`` names it for the client."""

    def __init__(self, param: str, message: str) -> None:
        super().__init__(message, parameter=param)
        self.param = param


@dataclass(frozen=True)
class Param:
    """One documented query parameter (the OpenAPI description is generated from these)."""

    name: str
    kind: str  # string | integer | number
    description: str
    default: object = None
    enum: Sequence[str] | None = None
    repeatable: bool = False
    minimum: float | None = None
    maximum: float | None = None
    format: str | None = None


FILTER_PARAMS = (
    Param("collection", "string", "Only these collections (repeatable).", repeatable=True),
    Param("type", "string", "Only these document types (repeatable).", enum=DOC_TYPES,
          repeatable=True),
    Param("speaker", "string", "Only passages spoken by, or quoting, this speaker (exact name as "
          "shown in the speaker facet; repeatable).", repeatable=True),
    Param("date_from", "string", "Earliest date, ISO yyyy-mm-dd (inclusive).", format="date"),
    Param("date_to", "string", "Latest date, ISO yyyy-mm-dd (inclusive).", format="date"),
)
SEARCH_PARAMS = (
    Param("q", "string", f"The query (at most {MAX_QUERY_CHARS} characters). Keyword syntax: "
          '"quoted phrase", -exclude, OR.', default=""),
    Param("mode", "string", "hybrid (default), keyword or semantic.", default="hybrid",
          enum=MODES),
    *FILTER_PARAMS,
    Param("fusion", "string", "How hybrid fuses its legs: linear (min-max normalised scores, "
          "default) or rrf (reciprocal rank fusion).", default=DEFAULT_FUSION, enum=FUSIONS),
    Param("alpha", "number", "Weight of the semantic leg in linear fusion (0 to 1).",
          default=DEFAULT_ALPHA, minimum=0, maximum=1),
    Param("page", "integer", f"Page number, 1-based; page × size at most {MAX_DEPTH} "
          "(use /api/export for everything).", default=1, minimum=1, maximum=MAX_DEPTH),
    Param("size", "integer", f"Results per page (1-{MAX_SIZE}).", default=DEFAULT_SIZE,
          minimum=1, maximum=MAX_SIZE),
)


def single(args: Mapping[str, Sequence[str]], name: str) -> str | None:
    values = args.get(name) or []
    value = values[-1] if values else None
    if value is not None and len(value) > MAX_PARAM_CHARS and name != "q":
        raise BadParameter(name, f"{name} is longer than {MAX_PARAM_CHARS} characters")
    return value


def integer(args: Mapping[str, Sequence[str]], name: str, default: int, low: int, high: int) -> int:
    raw = single(args, name)
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise BadParameter(name, f"{name} must be a whole number, not {raw!r}") from None
    if not low <= value <= high:
        raise BadParameter(name, f"{name} must be between {low} and {high}, not {value}")
    return value


def iso_date(args: Mapping[str, Sequence[str]], name: str) -> str | None:
    raw = single(args, name)
    if not raw:
        return None
    try:
        return date.fromisoformat(raw).isoformat()
    except ValueError:
        raise BadParameter(name, f"{name} must be an ISO date (yyyy-mm-dd), not {raw!r}") from None


def choice(args: Mapping[str, Sequence[str]], name: str, choices: Sequence[str],
            default: str) -> str:
    raw = single(args, name)
    if not raw:
        return default
    if raw not in choices:
        raise BadParameter(name, f"{name} must be one of {', '.join(choices)}, not {raw!r}")
    return raw


def many(args: Mapping[str, Sequence[str]], name: str, choices: Sequence[str] | None = None
          ) -> tuple[str, ...]:
    values = [v.strip() for v in args.get(name) or [] if v.strip()]
    if len(values) > MAX_PARAM_VALUES:
        raise BadParameter(name, f"at most {MAX_PARAM_VALUES} values of {name}")
    for value in values:
        if len(value) > MAX_PARAM_CHARS:
            raise BadParameter(name, f"{name} is longer than {MAX_PARAM_CHARS} characters")
        if choices is not None and value not in choices:
            raise BadParameter(name, f"{name} must be one of {', '.join(choices)}, not {value!r}")
    return tuple(dict.fromkeys(values))


def parse_query(args: Mapping[str, Sequence[str]]) -> str:
    """The query, its typographic quotation marks straight (a phrase pasted from an article)."""
    q = straight_quotes((single(args, "q") or "").strip())
    if len(q) > MAX_QUERY_CHARS:
        raise BadParameter("q", f"q is {len(q)} characters long; the limit is {MAX_QUERY_CHARS}")
    return q


def parse_filters(args: Mapping[str, Sequence[str]]) -> Filters:
    filters = Filters(
        collections=many(args, "collection"),
        types=many(args, "type", DOC_TYPES),
        speakers=many(args, "speaker"),
        date_from=iso_date(args, "date_from"),
        date_to=iso_date(args, "date_to"),
    )
    if filters.date_from and filters.date_to and filters.date_from > filters.date_to:
        raise BadParameter("date_from", "date_from is after date_to")
    return filters


def parse_search(args: Mapping[str, Sequence[str]]) -> SearchRequest:
    """A validated SearchRequest from multi-valued query arguments."""
    q = parse_query(args)
    mode = choice(args, "mode", MODES, "hybrid")
    fusion = choice(args, "fusion", FUSIONS, DEFAULT_FUSION)
    raw_alpha = single(args, "alpha")
    alpha = DEFAULT_ALPHA
    if raw_alpha:
        try:
            alpha = float(raw_alpha)
        except ValueError:
            raise BadParameter("alpha", f"alpha must be a number, not {raw_alpha!r}") from None
        if not 0.0 <= alpha <= 1.0:
            raise BadParameter("alpha", f"alpha must be between 0 and 1, not {alpha}")
    size = integer(args, "size", DEFAULT_SIZE, 1, MAX_SIZE)
    page = integer(args, "page", 1, 1, MAX_DEPTH)
    if page * size > MAX_DEPTH:
        raise BadParameter("page", f"page {page} × size {size} goes deeper than {MAX_DEPTH} "
                           "results; narrow the query or fetch everything with /api/export")
    if mode == "semantic" and not q:
        raise BadParameter("q", "semantic search needs a query")
    return SearchRequest(q=q, mode=mode, filters=parse_filters(args), page=page, size=size,
                         fusion=fusion, alpha=alpha)
