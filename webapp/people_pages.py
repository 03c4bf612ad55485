"""The pages of the quote check and of people: "Check a quote", the speakers and a person.

The same calls as the API (``/api/verify``, ``/api/speakers``), rendered as HTML.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Response, make_response, render_template, request
from markupsafe import Markup, escape

from indexer.documents import date_precision
from indexer.errors import BadRequest, NotFound, elasticsearch_errors
from indexer.provenance.check import MAX_CLAIM_CHARS
from indexer.provenance.claims import parse_claim
from indexer.search import timeline
from indexer.search.speakers import list_speakers, speaker_profile
from webapp.extensions import checker, services
from webapp.pages import document_path, with_query

bp = Blueprint("people", __name__)

# The sample record and the article that quotes it (samples/): one quote of each kind.
EXAMPLES = (
    {"text": "We have heard that the river port is the door through which relief enters the "
             "basin", "speaker": "Luc Delacroix-Vannier", "date": "2024-03-13",
     "label": "quoted word for word"},
    {"text": "Floods do not respect administrative lines. We support a coordinated plan for "
             "the port and the schools", "speaker": "Sigrid Okafor-Brandt", "date": "2024-03-13",
     "label": "trimmed"},
    {"text": "Rebuilding the embankments before the next rainy season is as important as the "
             "relief itself", "speaker": "Tan Weiming", "date": "2024-03-13",
     "label": "a word changed"},
    {"text": "We welcome every offer of pumps, fuel and boats", "speaker": "Sigrid Okafor-Brandt",
     "date": "2024-03-13", "label": "credited to the wrong delegate"},
)
VERDICT_LABELS = {
    "verbatim": "Verbatim: said word for word",
    "trimmed": "Trimmed: said, with words left out",
    "altered": "Altered: said, but with words changed",
    "paraphrase": "Paraphrase: said in other words",
    "not_found": "Not found: nothing in the record says it",
}
SPEAKER_LABELS = {"same": "the speaker named is the one on record",
                  "different": "on record, someone else said it",
                  "unknown": "no speaker to compare"}


def doc_link(doc_id: str, collection: str | None) -> str:
    return with_query(document_path(doc_id), [("collection", collection)] if collection else [])


def check_url(text: str, speaker: str | None = None, date: str | None = None) -> str:
    """The quote check of ``text``; ``date``, the reporting article's, only when it names a
    day (the check takes a day; an article dated by its year or month is checked undated)."""
    if date_precision(date) != "day":
        date = None
    pairs = [("text", text)] + [(k, v) for k, v in (("speaker", speaker), ("date", date)) if v]
    return "/check?" + urlencode(pairs)


def quote_side(diff: list[dict[str, Any]]) -> Markup:
    """The quote as reported, each change marked: words changed, words added."""
    parts = []
    for op in diff:
        words = escape(op["quote"])
        if op["op"] == "equal":
            parts.append(str(words))
        elif op["op"] == "replace":
            parts.append(f'<mark class="changed" title="record: {escape(op["source"])}">{words}</mark>')
        elif op["op"] == "insert":
            parts.append(f'<ins title="not in the record">{words}</ins>')
        else:
            parts.append('<span class="gap" title="words left out">[…]</span>')
    return Markup(" ".join(p for p in parts if p))


def record_side(source: dict[str, Any]) -> Markup:
    """The record's passage with the quoted span and the words it lost or changed marked."""
    passage = source["passage"]
    text, offset = passage["text"], passage["offset"] or 0
    start = max(0, min(len(text), source["span"]["start"] - offset))
    end = max(start, min(len(text), source["span"]["end"] - offset))
    if not source["diff"]:  # a paraphrase: the sentence that says it
        return Markup(f'{escape(text[:start])}<mark>{escape(text[start:end])}</mark>'
                      f'{escape(text[end:])}')
    parts = []
    for op in source["diff"]:
        words = escape(op["source"])
        if op["op"] == "equal":
            parts.append(f"<mark>{words}</mark>")
        elif op["op"] == "replace":
            parts.append(f'<mark class="changed" title="reported: {escape(op["quote"])}">{words}</mark>')
        elif op["op"] == "delete":
            parts.append(f'<del title="left out of the quote">{words}</del>')
    return Markup(f'{escape(text[:start])}{" ".join(parts)}{escape(text[end:])}')


@bp.app_context_processor
def provenance_helpers() -> dict[str, Any]:
    """What every page needs to show a quote's verdict and open its comparison."""
    return {"check_url": check_url, "doc_link": doc_link, "verdicts": VERDICT_LABELS}


@bp.get("/check")
def check_page() -> Response:
    raw = {k: request.args.get(k) for k in ("text", "speaker", "date")}
    raw["collection"] = request.args.getlist("collection") or None  # type: ignore[assignment]
    answer: dict[str, Any] | None = None
    error: str | None = None
    status = 200
    if raw.get("text"):
        try:
            answer = checker().check(parse_claim(raw)).to_dict()
        except BadRequest as exc:
            error, status = exc.message, 400
    html = render_template("check.html", raw=raw, answer=answer, error=error,
                           examples=EXAMPLES, check_url=check_url, doc_link=doc_link,
                           max_chars=MAX_CLAIM_CHARS,
                           verdicts=VERDICT_LABELS, speaker_labels=SPEAKER_LABELS,
                           quote_side=quote_side, record_side=record_side,
                           api_url="/api/verify?" + urlencode(
                               [(k, v) for k, v in raw.items() if isinstance(v, str) and v]))
    return make_response(html, status)


@bp.get("/speakers")
def speakers_page() -> Response:
    q = (request.args.get("q") or "")[:200]
    app = services()
    with elasticsearch_errors():
        found = list_speakers(app.client, app.settings, q, 50)
    return make_response(render_template("speakers.html", q=q, found=found, doc_link=doc_link,
                                         api_url="/api/speakers?" + urlencode({"q": q})))


CHART_HEIGHT = 80
BAR_STEP = 14  # a bar's width and the gap after it, in the chart's own units
MIN_SLOTS = 12  # the chart is at least this many bars wide: one period is a bar, not a block


def period_bounds(date: str, interval: str) -> tuple[str, str]:
    """The first and last day of a chart bar's period (``2020-03`` or ``2020``)."""
    start = f"{date[:4]}-01-01" if interval == "year" else f"{date[:7]}-01"
    return start, timeline.period_end(start, interval)


def over_time_chart(person: dict[str, Any]) -> dict[str, Any] | None:
    """The geometry of a person's bar chart, drawn by the template as SVG attributes (the
    CSP allows no inline style): one bar per period, its height their documents then, each
    a link to a search of what they said in that period."""
    buckets = person.get("over_time", {}).get("buckets", [])
    top = max((b["count"] for b in buckets), default=0)
    if not top:
        return None
    interval = person["over_time"]["interval"]
    bars = []
    for i, bucket in enumerate(buckets):
        height = round(bucket["count"] / top * (CHART_HEIGHT - 4), 1)
        first, last = period_bounds(bucket["date"], interval)
        types = ", ".join(f"{n} {t}" for t, n in sorted(bucket["types"].items()))
        bars.append({"x": i * BAR_STEP + 1, "y": round(CHART_HEIGHT - height, 1),
                     "width": BAR_STEP - 2, "height": height, "date": bucket["date"],
                     "count": bucket["count"], "types": types,
                     "href": "/?" + urlencode([("speaker", person["name"]),
                                               ("date_from", first), ("date_to", last)])})
    return {"width": max(len(bars), MIN_SLOTS) * BAR_STEP, "height": CHART_HEIGHT, "bars": bars, "top": top,
            "interval": interval}


def term_url(person: dict[str, Any], term: str) -> str:
    """A search for one of a person's words in what they said."""
    return "/?" + urlencode([("q", term), ("mode", "keyword"), ("speaker", person["name"])])


@bp.get("/speakers/<path:person_id>")
def speaker_page(person_id: str) -> Response:
    app = services()
    with elasticsearch_errors():
        person = speaker_profile(app.client, app.settings, person_id)
    if person is None:
        raise NotFound(f"No speaker with id {person_id!r}")
    return make_response(render_template(
        "speaker.html", person=person, verdicts=VERDICT_LABELS, check_url=check_url,
        doc_link=doc_link, chart=over_time_chart(person), term_url=term_url,
        timeline_url="/timeline?" + urlencode([("speaker", person_id), ("by", "type")]),
        api_url="/api/speakers/" + person_id))
