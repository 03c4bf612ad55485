"""The browser pages: the same Searcher calls as the API, rendered as HTML."""

from __future__ import annotations

import logging
import re
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode

from flask import Blueprint, Response, current_app, make_response, render_template, request

from indexer.errors import VerbatimError
from indexer.model.embedder import ModelError
from indexer.provenance.check import Claim
from indexer.search.request import MAX_QUERY_CHARS, MODES
from webapp.document_view import layout
from webapp.extensions import checker, searcher
from webapp.params import parse_search

bp = Blueprint("pages", __name__)
log = logging.getLogger(__name__)


def url_with(args: dict[str, list[str]], **changes: Any) -> str:
    """The current search URL with some parameters changed (None removes one)."""
    merged = {k: list(v) for k, v in args.items()}
    for key, value in changes.items():
        if value is None:
            merged.pop(key, None)
        elif isinstance(value, list):
            merged[key] = value
        else:
            merged[key] = [str(value)]
    if "page" not in changes:
        merged.pop("page", None)  # any other change starts again at page 1
    pairs = [(k, v) for k, values in merged.items() for v in values if v != ""]
    return "?" + urlencode(pairs) if pairs else "?"


def toggle(args: dict[str, list[str]], key: str, value: str) -> str:
    values = list(args.get(key, []))
    if value in values:
        values.remove(value)
    else:
        values.append(value)
    return url_with(args, **{key: values})


def document_path(doc_id: str) -> str:
    """``/documents/<id>`` with every character of the id that is not plain percent-encoded,
    ``/`` included: an id holding ``../`` or ``?`` stays inside /documents/ as one segment.
    An id that is itself a dot segment (``.``, ``..``: a browser resolves them, encoded or
    not; the indexer refuses them now, older collections may hold one) goes in the query
    string instead: ``/documents?id=..``."""
    if doc_id in (".", ".."):
        return "/documents?" + urlencode({"id": doc_id})
    return "/documents/" + quote(doc_id, safe="")


def with_query(path: str, pairs: list[tuple[str, str]]) -> str:
    """``path`` with more query parameters (it may carry some already)."""
    if not pairs:
        return path
    return path + ("&" if "?" in path else "?") + urlencode(pairs)


def document_url(doc_id: str, collection: str | None, args: dict[str, list[str]],
                 passage: int) -> str:
    """A result's link: the document, its collection, the hit passage, and the search it
    came from (``back``), since the app's no-referrer policy hides the referrer."""
    search = urlencode([(k, v) for k, values in args.items() for v in values if v != ""])
    pairs = [("collection", collection or ""), ("passage", str(passage))]
    if search:
        pairs.append(("back", search))
    return f"{with_query(document_path(doc_id), pairs)}#p{passage}"


def back_url(back: str | None) -> str:
    """The search page with the search a document was opened from, re-encoded from its
    parameters so that it can only ever point at this site's search page."""
    pairs = parse_qsl(back or "", keep_blank_values=False)
    return "/?" + urlencode(pairs) if pairs else "/"


QUOTE_MARKS = ('"', "“", "”", "«", "»")
MIN_CHECKED_WORDS = 4


def quoted_phrase(q: str) -> str | None:
    """The words of a query that is one quotation in quote marks, long enough to be checked
    against the record ("not said in these words; closest: ..."); None for any other query."""
    text = q.strip()
    if len(text) < 2 or text[0] not in QUOTE_MARKS or text[-1] not in QUOTE_MARKS:
        return None
    inner = text[1:-1].strip()
    if any(mark in inner for mark in QUOTE_MARKS) or len(inner.split()) < MIN_CHECKED_WORDS:
        return None
    return inner


FILTER_PARAMS = ("collection", "type", "speaker", "date_from", "date_to")
SHORT_QUERY_WORDS = 4  # a query this short reads as a phrase worth seeing in context
_PHRASE = re.compile(r'["\u201c\u00ab]([^"\u201c\u201d\u00ab\u00bb]+)["\u201d\u00bb]')


def timeline_url(args: dict[str, list[str]]) -> str:
    """The same search drawn over time, one line per speaker (page and size do not apply)."""
    pairs = [(k, v) for k, values in args.items() if k not in ("page", "size", "by")
             for v in values if v != ""]
    return "/timeline?" + urlencode([*pairs, ("by", "speaker")])


def concordance_phrase(q: str) -> str | None:
    """The phrase a concordance would follow for this query: its first quoted phrase, or the
    whole query when it is a few words; None for a longer query of loose words."""
    quoted = _PHRASE.search(q)
    if quoted and quoted.group(1).strip():
        return quoted.group(1).strip()
    words = q.split()
    if words and len(words) <= SHORT_QUERY_WORDS and not any(m in q for m in QUOTE_MARKS):
        return " ".join(words)
    return None


def concordance_url(args: dict[str, list[str]], q: str) -> str | None:
    """Every use of the query's phrase in context, under the same filters; None when the
    query is no phrase (see ``concordance_phrase``)."""
    phrase = concordance_phrase(q)
    if phrase is None:
        return None
    filters = [(k, v) for k in FILTER_PARAMS for v in args.get(k, []) if v != ""]
    return "/concordance?" + urlencode([("phrase", phrase), *filters])


@bp.get("/")
def search_page() -> Response:
    args = request.args.to_dict(flat=False)
    req = parse_search(args)
    response: dict[str, Any] | None = None
    if req.q or any(args.get(k) for k in ("collection", "type", "speaker", "date_from", "date_to")):
        response = searcher().search(req)
    quote_check = None
    words = quoted_phrase(req.q)
    if response is not None and words:
        try:  # a help beside the results: its failure never costs the page
            quote_check = checker().check(Claim(
                text=words, collections=req.filters.collections or None)).to_dict()
        except (VerbatimError, ModelError) as exc:
            log.warning("The quote check beside a search failed: %s", exc)
    pages = 0
    if response:
        pages = max(1, -(-response["pageable"] // req.size))  # pageable stops at MAX_DEPTH
    html = render_template(
        "search.html", req=req, args=args, response=response, modes=MODES, pages=pages,
        quote_check=quote_check,
        max_query_chars=MAX_QUERY_CHARS,
        url_with=url_with, toggle=toggle, document_url=document_url,
        timeline_url=timeline_url(args), concordance_url=concordance_url(args, req.q),
        chosen_filters=sum(len(args.get(k, [])) for k in ("collection", "type", "speaker")),
        api_url="/api/search" + url_with(args, page=req.page),
        max_count=max((b["count"] for b in (response or {}).get("facets", {}).get("date", [])),
                      default=0),
    )
    return make_response(html)


def _marked(args: Any, length: int) -> tuple[int, int] | None:
    """The words a concordance line opened the document at (``offset`` and ``length``), when
    both are whole numbers inside the text; anything else marks nothing."""
    try:
        start, size = int(args.get("offset", "")), int(args.get("length", ""))
    except ValueError:
        return None
    if start < 0 or size <= 0 or start + size > length:
        return None
    return start, start + size


@bp.get("/documents/<path:doc_id>")
@bp.get("/documents", defaults={"doc_id": None})
def document_page(doc_id: str | None) -> Response:
    if doc_id is None:  # /documents?id=..: the form of an id a browser would resolve
        doc_id = request.args.get("id", "")
    collection = request.args.get("collection") or None
    doc = searcher().document(doc_id, collection)
    try:
        hit = int(request.args.get("passage", ""))
    except ValueError:
        hit = None
    blocks = layout(doc, hit, _marked(request.args, len(doc.get("text") or "")))
    api = with_query("/api" + document_path(doc_id),
                     [("collection", collection)] if collection else [])
    return make_response(render_template("document.html", doc=doc, hit=hit, blocks=blocks,
                                         api_url=api,
                                         back_url=back_url(request.args.get("back"))))


@bp.get("/favicon.ico")
def favicon() -> Response:
    return current_app.send_static_file("favicon.svg")


@bp.get("/api")
def api_page() -> Response:
    from webapp.openapi import build_spec

    return make_response(render_template("api.html", spec=build_spec()))

