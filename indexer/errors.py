"""Errors a person can act on, each carrying the HTTP status it means.

Every failure the archive reports derives from ``VerbatimError``: the web app turns
any of them into its one JSON error shape (or an error page) by reading ``status``,
``message`` and ``parameter``, and the CLI prints ``message``. Failures of
Elasticsearch itself are translated into these in exactly one place,
:func:`elasticsearch_errors`, so every read path reports them the same way.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from elastic_transport import TransportError
from elasticsearch import ApiError

log = logging.getLogger(__name__)

# Statuses with which Elasticsearch says "not now" rather than "never": a node restarting,
# shards moving to their replicas, a full queue.
TRANSIENT_STATUSES = (429, 502, 503, 504)


class VerbatimError(Exception):
    """A failure with a message for the person who asked; ``status`` is its HTTP meaning."""

    status = 500

    def __init__(self, message: str, *, parameter: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.parameter = parameter


class BadRequest(VerbatimError, ValueError):
    """The request cannot be answered as asked; ``parameter`` names what to change."""

    status = 400


class NotFound(VerbatimError, LookupError):
    status = 404


class CollectionError(BadRequest):
    """A collection name or its index is not usable; the message says what to do."""


class SearchUnavailable(VerbatimError):
    """Elasticsearch cannot answer right now (down, restarting, overloaded): try again."""

    status = 503


class ElasticsearchUnavailable(SearchUnavailable):
    """Elasticsearch did not answer at all; the message says where we looked and what to do."""


def error_cause(error: Any) -> tuple[str, str]:
    """An Elasticsearch error's innermost type and reason: ``search_phase_execution_exception``
    says only that a phase failed, its ``caused_by`` (or ``root_cause``) says why."""
    if not isinstance(error, dict):
        return "error", str(error)
    while isinstance(error.get("caused_by"), dict):
        error = error["caused_by"]
    roots = error.get("root_cause")
    if not error.get("reason") and isinstance(roots, list) and roots and isinstance(
            roots[0], dict):
        error = roots[0]
    return str(error.get("type", "error")), str(error.get("reason") or "")


def _described(exc: ApiError) -> str:
    """The exception's class, and the type and reason of the error Elasticsearch answered
    (the reason names no credentials: it is Elasticsearch's own account of the failure)."""
    body = exc.body if isinstance(exc.body, dict) else {}
    if "error" not in body:
        return type(exc).__name__
    kind, reason = error_cause(body["error"])
    return f"{type(exc).__name__}: {kind}: {reason[:500]}"


def translate(exc: ApiError | TransportError) -> VerbatimError:
    """What an Elasticsearch failure means to the person who asked.

    The message never echoes the exception: it may carry URLs with credentials.
    """
    name = type(exc).__name__
    if not isinstance(exc, ApiError):
        log.warning("Elasticsearch did not answer: %s", name)
        return SearchUnavailable(f"Elasticsearch is not answering ({name}); try again in a moment")
    status = exc.meta.status
    if status == 400:
        # Our own code built the query, so this is worth a look: the body is never logged.
        log.warning("Elasticsearch refused a query: %s (status 400)", _described(exc))
        return BadRequest("Elasticsearch could not run this query", parameter="q")
    if status == 404:
        return NotFound("Not found in the archive")
    if status in (401, 403):
        log.error("Elasticsearch refused the request: %s (status %s)", name, status)
        return SearchUnavailable(f"Elasticsearch refused our credentials (status {status}); "
                                 "check ELASTICSEARCH_API_KEY or ELASTICSEARCH_USERNAME/"
                                 "ELASTICSEARCH_PASSWORD")
    log.warning("Elasticsearch could not answer: %s (status %s)", _described(exc), status)
    return SearchUnavailable(f"Elasticsearch could not answer ({name}, status {status}); "
                             "try again in a moment")


@contextmanager
def elasticsearch_errors() -> Iterator[None]:
    """Run a block that talks to Elasticsearch; its failures leave as ``VerbatimError``s."""
    try:
        yield
    except (ApiError, TransportError) as exc:
        raise translate(exc) from None
