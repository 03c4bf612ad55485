"""The JSON API. Every endpoint goes through the Searcher, as the pages do."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request, stream_with_context

from indexer import indices
from indexer.searcher import Searcher, SearchUnavailable
from webapp.params import (
    MAX_SIZE,
    BadParameter,
    _choice,
    _int,
    _one,
    parse_filters,
    parse_query,
    parse_search,
)

bp = Blueprint("api", __name__, url_prefix="/api")
EXPORT_COLUMNS = ("collection", "doc_id", "type", "title", "date", "source", "speaker", "url",
                  "passage_no", "offset", "score", "text", "quotes")


def searcher() -> Searcher:
    return current_app.extensions["verbatim"]["searcher"]


def args() -> dict[str, list[str]]:
    return request.args.to_dict(flat=False)


@bp.get("/search")
def search() -> Response:
    return jsonify(searcher().search(parse_search(args())))


@bp.get("/quotes")
def quotes() -> Response:
    a = args()
    speaker = _one(a, "speaker")
    filters = parse_filters({k: v for k, v in a.items() if k != "speaker"})
    size = _int(a, "size", 10, 1, MAX_SIZE)
    page = _int(a, "page", 1, 1, 1000)
    if page * size > 1000:
        raise BadParameter("page", "page × size goes deeper than 1000 quotes")
    return jsonify(searcher().quotes(parse_query(a), filters, speaker=speaker, page=page,
                                     size=size))


@bp.get("/export")
def export() -> Response:
    a = args()
    fmt = _choice(a, "format", ("jsonl", "csv"), "jsonl")
    req = parse_search({k: v for k, v in a.items() if k not in ("page", "size", "format")})
    rows = searcher().export(req)
    first = next(rows, None)  # fail before the 200 if Elasticsearch is down

    def generate() -> Iterator[str]:
        if fmt == "csv":
            yield _csv_line(EXPORT_COLUMNS)
        for row in ([first] if first else []):
            yield _format(row, fmt)
        try:
            for row in rows:
                yield _format(row, fmt)
        except SearchUnavailable:
            return

    mimetype = "text/csv" if fmt == "csv" else "application/x-ndjson"
    response = Response(stream_with_context(generate()), mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="verbatim-export.{fmt}"'
    return response


def _csv_line(values: Any) -> str:
    buffer = io.StringIO()
    csv.writer(buffer).writerow(values)
    return buffer.getvalue()


def _format(row: dict[str, Any], fmt: str) -> str:
    if fmt == "jsonl":
        return json.dumps(row, ensure_ascii=False) + "\n"
    values = dict(row)
    values["quotes"] = " | ".join(f"{q['speaker'] or '?'}: {q['text']}" for q in row["quotes"])
    return _csv_line([values.get(c) for c in EXPORT_COLUMNS])


@bp.get("/documents/<path:doc_id>")
def document(doc_id: str) -> Response:
    collection = _one(args(), "collection")
    return jsonify(searcher().document(doc_id, collection))


@bp.get("/collections")
def collections() -> Response:
    ext = current_app.extensions["verbatim"]
    try:
        found = indices.list_collections(ext["client"], ext["settings"])
    except Exception as exc:
        raise SearchUnavailable(f"Elasticsearch is not answering ({type(exc).__name__})") from None
    return jsonify({"collections": [c.as_dict() for c in found]})


@bp.get("/health")
def health() -> Response:
    ext = current_app.extensions["verbatim"]
    embedder = ext["embedder"]
    body: dict[str, Any] = {"status": "ok", "elasticsearch": {"reachable": False},
                            "model": {"name": embedder.model_name, "backend": embedder.backend,
                                      "loaded": embedder.loaded}}
    try:
        cluster = ext["client"].options(request_timeout=3, max_retries=0).cluster.health()
        found = indices.list_collections(ext["client"], ext["settings"])
        body["elasticsearch"] = {"reachable": True, "status": cluster["status"]}
        body["collections"] = len(found)
        body["documents"] = sum(c.documents for c in found)
        body["passages"] = sum(c.passages for c in found)
    except Exception:
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
