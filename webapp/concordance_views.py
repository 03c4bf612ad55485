"""The concordance: its JSON API (`/api/concordance`) and its page (`/concordance`).

Both read the same lines (``indexer.search.concordance``); the API streams them all as CSV or
JSON lines with ``format=``, through the export's own writer (``webapp.api.streamed``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from flask import Blueprint, Response, jsonify, make_response, render_template, request

from indexer.search.concordance import (
    CONTEXT_CHARS,
    DEFAULT_SIZE,
    EXPORT_COLUMNS,
    MAX_DOCUMENTS,
    MAX_PHRASE_CHARS,
    MAX_SIZE,
    ORDERS,
    ConcordanceRequest,
    PhraseError,
    concordance,
    concordance_lines,
    phrase_words,
)
from indexer.search.request import MAX_DEPTH, reachable
from webapp.api import streamed
from webapp.extensions import searcher
from webapp.pages import document_path, url_with, with_query
from webapp.params import BadParameter, choice, integer, parse_filters

bp = Blueprint("concordance", __name__)
FORMATS = ("json", "csv", "jsonl")


def parse_concordance(args: Mapping[str, Sequence[str]]) -> ConcordanceRequest:
    """A validated request: the phrase, the search filters, the order and the page."""
    values = args.get("phrase") or []
    phrase = (values[-1] if values else "").strip()
    if not phrase:
        raise BadParameter("phrase", "phrase is required: the words to find, such as "
                                     "?phrase=cross-border")
    if len(phrase) > MAX_PHRASE_CHARS:
        raise BadParameter("phrase", f"phrase is {len(phrase)} characters long; the limit is "
                                     f"{MAX_PHRASE_CHARS}")
    try:
        phrase_words(phrase)
    except PhraseError as exc:
        raise BadParameter("phrase", str(exc)) from None
    size = integer(args, "size", DEFAULT_SIZE, 1, MAX_SIZE)
    page = integer(args, "page", 1, 1, MAX_DEPTH)
    if page * size > MAX_DEPTH:
        raise BadParameter("page", f"page {page} × size {size} goes deeper than {MAX_DEPTH} "
                                   "lines; fetch everything with format=csv or format=jsonl")
    return ConcordanceRequest(phrase=phrase, filters=parse_filters(args),
                              order=choice(args, "order", ORDERS, "oldest"), page=page, size=size)


@bp.get("/api/concordance")
def api_concordance() -> Response:
    args = request.args.to_dict(flat=False)
    fmt = choice(args, "format", FORMATS, "json")
    req = parse_concordance(args)
    if fmt == "json":
        return jsonify(concordance(searcher(), req))
    lines, truncated = concordance_lines(searcher(), req)
    response = streamed(iter(lines), fmt, EXPORT_COLUMNS, "verbatim-concordance")
    # An export holds the lines of the first MAX_DOCUMENTS documents: say when there were more.
    response.headers["X-Verbatim-Truncated"] = "true" if truncated else "false"
    return response


@bp.get("/concordance")
def concordance_page() -> Response:
    args = request.args.to_dict(flat=False)
    phrase = (args.get("phrase") or [""])[-1].strip()
    body = concordance(searcher(), parse_concordance(args)) if phrase else None
    return make_response(render_template(
        "concordance.html", args=args, phrase=phrase, body=body,
        order=(args.get("order") or ["oldest"])[-1], max_phrase_chars=MAX_PHRASE_CHARS,
        max_documents=MAX_DOCUMENTS, context_chars=CONTEXT_CHARS,
        line_url=line_url, url_with=url_with, pages=_pages(body)))


def line_url(line: Mapping[str, Any]) -> str:
    """The document at the line: its passage highlighted and scrolled to (``#pN``), and the
    match's character ``offset`` in the document's text."""
    pairs = [("collection", line.get("collection") or ""), ("offset", str(line["offset"]))]
    if line.get("length"):
        pairs.append(("length", str(line["length"])))
    passage = line.get("passage")
    if passage is None:
        return with_query(document_path(line["doc_id"]), pairs)
    pairs.insert(1, ("passage", str(passage)))
    return f"{with_query(document_path(line['doc_id']), pairs)}#p{passage}"


def _pages(body: Mapping[str, Any] | None) -> int:
    if not body:
        return 0
    size = int(body["size"])
    return max(1, -(-reachable(int(body["total"]), size) // size))
