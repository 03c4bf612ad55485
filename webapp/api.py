"""The JSON API. Every endpoint goes through the Searcher, as the pages do."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from flask import Blueprint, Response, jsonify, request, stream_with_context

from indexer import indices
from indexer.errors import NotFound, SearchUnavailable, VerbatimError, elasticsearch_errors
from indexer.people.store import resolve_names
from indexer.provenance.claims import parse_claim
from indexer.search.request import DEFAULT_SIZE, MAX_DEPTH, MAX_QUERY_CHARS, MAX_SIZE
from indexer.search.speakers import (
    MAX_SPEAKERS,
    VERDICTS,
    checked_quotes,
    list_speakers,
    speaker_profile,
)
from webapp.extensions import checker, searcher, services
from webapp.params import (
    BadParameter,
    choice,
    integer,
    many,
    parse_filters,
    parse_query,
    parse_search,
    single,
)

bp = Blueprint("api", __name__, url_prefix="/api")
EXPORT_COLUMNS = ("collection", "doc_id", "type", "title", "date", "source", "speaker", "url",
                  "passage_no", "offset", "score", "text", "quotes")


def args() -> dict[str, list[str]]:
    return request.args.to_dict(flat=False)


@bp.get("/search")
def search() -> Response:
    return jsonify(searcher().search(parse_search(args())))


@bp.get("/quotes")
def quotes() -> Response:
    a = args()
    speaker = single(a, "speaker")
    verdicts = many(a, "verdict", VERDICTS)
    filters = parse_filters({k: v for k, v in a.items() if k not in ("speaker", "verdict")})
    size = integer(a, "size", DEFAULT_SIZE, 1, MAX_SIZE)
    page = integer(a, "page", 1, 1, MAX_DEPTH)
    if page * size > MAX_DEPTH:
        raise BadParameter("page", f"page × size goes deeper than {MAX_DEPTH} quotes")
    if verdicts:  # answered from the checks themselves
        app = services()
        with elasticsearch_errors():
            app.searcher.vectors.require_known(filters.collections)
            ids = resolve_names(app.client, app.settings, [speaker]).get(speaker, []) \
                if speaker else []
            return jsonify(checked_quotes(app.client, app.settings, verdicts=verdicts,
                                          speaker_ids=ids, speaker=speaker,
                                          q=parse_query(a), filters=filters, page=page,
                                          size=size))
    return jsonify(searcher().quotes(parse_query(a), filters, speaker=speaker, page=page,
                                     size=size))


@bp.route("/verify", methods=["GET", "POST"])
def verify() -> Response:
    """Where a quotation's words come from in the record, and how faithfully."""
    if request.method == "POST":
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            raise BadParameter("body", 'send a JSON object such as {"text": "..."} with '
                                       "Content-Type: application/json")
    else:
        a = args()
        body = {k: single(a, k) for k in ("speaker", "date")}
        texts = a.get("text") or []  # not single(): its 200-character limit is for labels
        body["text"] = texts[-1] if texts else None
        body["collection"] = a.get("collection")
        if len(body.get("text") or "") > MAX_QUERY_CHARS:
            raise BadParameter("text", f"text is longer than {MAX_QUERY_CHARS} characters in a "
                                       "URL; POST it as JSON to /api/verify")
    return jsonify(checker().check(parse_claim(body)).to_dict())


@bp.get("/speakers")
def speakers() -> Response:
    a = args()
    q = single(a, "q") or ""
    size = integer(a, "size", 20, 1, MAX_SPEAKERS)
    app = services()
    with elasticsearch_errors():
        return jsonify(list_speakers(app.client, app.settings, q, size))


@bp.get("/speakers/<path:person_id>")
def speaker(person_id: str) -> Response:
    app = services()
    with elasticsearch_errors():
        found = speaker_profile(app.client, app.settings, person_id)
    if found is None:
        raise NotFound(f"No speaker with id {person_id!r}; see /api/speakers?q=NAME")
    return jsonify(found)


@bp.get("/export")
def export() -> Response:
    a = args()
    fmt = choice(a, "format", ("jsonl", "csv"), "jsonl")
    req = parse_search({k: v for k, v in a.items() if k not in ("page", "size", "format")})
    return streamed(searcher().export(req), fmt, EXPORT_COLUMNS, "verbatim-export",
                    csv_values=_export_values)


def streamed(rows: Iterator[dict[str, Any]], fmt: str, columns: Sequence[str], filename: str,
             *, csv_values: Callable[[dict[str, Any]], dict[str, Any]] | None = None) -> Response:
    """``rows`` streamed as JSON lines or CSV (``columns``, formula-safe cells), as a download
    named ``filename``. The first row is read before the 200, so a search that fails at once
    (Elasticsearch down) still answers its error; one that fails later ends the stream.
    ``csv_values`` flattens a row for its CSV cells (nested values)."""
    first = next(rows, None)

    def generate() -> Iterator[str]:
        if fmt == "csv":
            yield _csv_line(columns)
        for row in ([first] if first else []):
            yield _format(row, fmt, columns, csv_values)
        try:
            for row in rows:
                yield _format(row, fmt, columns, csv_values)
        except SearchUnavailable:
            return

    mimetype = "text/csv" if fmt == "csv" else "application/x-ndjson"
    response = Response(stream_with_context(generate()), mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """A text cell that a spreadsheet would run as a formula, prefixed with a single quote
    (OWASP's advice on CSV injection); the text comes from untrusted pages."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _csv_line(values: Any) -> str:
    buffer = io.StringIO()
    csv.writer(buffer).writerow([neutralise(v) for v in values])
    return buffer.getvalue()


def _export_values(row: dict[str, Any]) -> dict[str, Any]:
    values = dict(row)
    values["quotes"] = " | ".join(f"{q['speaker'] or '?'}: {q['text']}" for q in row["quotes"])
    return values


def _format(row: dict[str, Any], fmt: str, columns: Sequence[str],
            csv_values: Callable[[dict[str, Any]], dict[str, Any]] | None) -> str:
    if fmt == "jsonl":
        return json.dumps(row, ensure_ascii=False) + "\n"
    values = csv_values(row) if csv_values else row
    return _csv_line([values.get(c) for c in columns])


@bp.get("/documents/<path:doc_id>")
@bp.get("/documents", defaults={"doc_id": None})
def document(doc_id: str | None) -> Response:
    if doc_id is None:  # /api/documents?id=..: an id a browser would resolve as a dot segment
        doc_id = single(args(), "id") or ""
    collection = single(args(), "collection")
    return jsonify(searcher().document(doc_id, collection))


@bp.get("/collections")
def collections() -> Response:
    app = services()
    with elasticsearch_errors():
        found = indices.list_collections(app.client, app.settings)
    return jsonify({"collections": [c.as_dict() for c in found]})


@bp.get("/health")
def health() -> Response:
    app = services()
    embedder = app.embedder
    body: dict[str, Any] = {"status": "ok", "elasticsearch": {"reachable": False},
                            "model": {"name": embedder.model_name, "backend": embedder.backend_if_known,
                                      "loaded": embedder.loaded}}
    try:
        with elasticsearch_errors():
            cluster = app.client.options(request_timeout=3, max_retries=0).cluster.health()
            found = indices.list_collections(app.client, app.settings)
        body["elasticsearch"] = {"reachable": True, "status": cluster["status"]}
        body["collections"] = len(found)
        body["documents"] = sum(c.documents for c in found)
        body["passages"] = sum(c.passages for c in found)
    except VerbatimError:  # already logged with its cause by indexer.errors
        body["status"] = "unavailable"
        response = jsonify(body)
        response.status_code = 503
        return response
    if not embedder.loaded:
        body["status"] = "degraded"
    return jsonify(body)


@bp.get("/openapi.json")
def openapi() -> Response:
    from webapp.openapi import build_spec

    return jsonify(build_spec())
