"""The timeline: its JSON API (`/api/timeline`) and its page (`/timeline`).

Both parse the search's own parameters (``params.parse_search``) plus ``by``, ``interval``
and ``top``, and answer through ``indexer.search.timeline.run``, so the page and the API
count the same documents as the search page does.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from flask import Blueprint, Response, jsonify, render_template, request

from indexer.search import timeline
from indexer.search.request import MODES, SearchRequest
from webapp.extensions import searcher
from webapp.pages import url_with
from webapp.params import choice, integer, parse_search
from webapp.timeline_chart import layout

bp = Blueprint("timeline", __name__)
OWN_PARAMS = ("by", "interval", "top")


def parse_timeline(args: Mapping[str, Sequence[str]]) -> tuple[SearchRequest, str, str, int]:
    """The search request and the timeline's own choices; a bad one is a 400 naming it."""
    by = choice(args, "by", timeline.BY, timeline.DEFAULT_BY)
    interval = choice(args, "interval", timeline.INTERVALS, timeline.DEFAULT_INTERVAL)
    top = integer(args, "top", timeline.DEFAULT_TOP, 1, timeline.MAX_TOP)
    search_args = {k: v for k, v in args.items() if k not in (*OWN_PARAMS, "page", "size")}
    return parse_search(search_args), by, interval, top


def _args() -> dict[str, list[str]]:
    return request.args.to_dict(flat=False)


@bp.get("/api/timeline")
def api_timeline() -> Response:
    req, by, interval, top = parse_timeline(_args())
    return jsonify(timeline.run(searcher(), req, by=by, interval=interval, top=top))


@bp.get("/timeline")
def timeline_page() -> str:
    args = _args()
    req, by, interval, top = parse_timeline(args)
    answer = timeline.run(searcher(), req, by=by, interval=interval, top=top)
    api_query = request.query_string.decode("ascii", "replace")
    context: dict[str, Any] = {
        "req": req, "answer": answer, "chart": layout(answer, req), "by": by,
        "interval": interval, "top": top, "modes": MODES, "bys": timeline.BY,
        "intervals": timeline.INTERVALS,
        "api_url": "/api/timeline" + ("?" + api_query if api_query else ""),
        "year_url": "/timeline" + url_with(args, interval="year"),
    }
    return render_template("timeline.html", **context)
