"""The timeline page's chart as plain numbers: one row of bars per series, every bar a link.

The page draws it as server-rendered SVG (no script, and no style attribute: the CSP
blocks both), so every position is computed here. Horizontal positions are percentages
of the chart's width, which SVG takes as attributes: the chart fills a phone's width or a
desktop's without scaling its text.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import urlencode

from indexer.search import timeline
from indexer.search.request import SearchRequest

MAX_SLOTS = 400  # periods drawn with the gaps between them; beyond, only those with matches
ROW_HEIGHT = 56  # px of one series' bars
ROW_GAP = 30  # px above each row, for its label
AXIS_HEIGHT = 28  # px under the rows, for the date labels
AXIS_TICKS = 6
EDGE = 6.0  # % of the width: no tick label this near an edge (it would be cut off)
MAX_BAR_WIDTH = 6.0  # % of the width: a bar of a few periods stays a bar, not a block
MIN_BAR = 2  # px: a period with one document is still seen (and its link has the full row)
COLOURS = 10  # classes .c0 to .c9 in timeline.css; "other" is .cother


@dataclass(frozen=True)
class Bar:
    x: float  # % of the width
    width: float  # %
    y: float  # px from the chart's top
    height: float  # px
    row_top: float  # px: the link's target spans the whole row
    date: str
    end: str
    count: int
    href: str


def slots(series: Sequence[Mapping[str, Any]], interval: str) -> list[str]:
    """The periods along the x axis: every one from the first with matches to the last, or
    only those with matches when that would be more than ``MAX_SLOTS``."""
    starts = sorted({b["date"] for s in series for b in s["buckets"]})
    if not starts:
        return []
    try:
        every = timeline.periods(date.fromisoformat(starts[0]), date.fromisoformat(starts[-1]),
                                 interval, limit=MAX_SLOTS)
    except ValueError:  # a date Python cannot hold (before year 1)
        return starts
    return every if len(every) <= MAX_SLOTS and set(starts) <= set(every) else starts


def search_href(req: SearchRequest, by: str, entry: Mapping[str, Any], start: str,
                end: str) -> str:
    """The search page for one key and period: the timeline's own search narrowed to them."""
    f = req.filters
    # A filter's values are alternatives (any of them), so a bar of one of them replaces the
    # filter with its own key: adding it would keep the others.
    narrowed = by if by in ("collection", "type", "speaker") and not entry.get("other") else None
    pairs: list[tuple[str, str]] = [("q", req.q), ("mode", req.mode)]
    if narrowed != "collection":
        pairs += [("collection", c) for c in f.collections]
    if narrowed != "type":
        pairs += [("type", t) for t in f.types]
    if narrowed != "speaker":
        pairs += [("speaker", s) for s in f.speakers]
    if narrowed == "speaker":
        pairs.append(("speaker", entry["label"] if entry.get("unnamed") else entry["key"]))
    elif narrowed:
        pairs.append((narrowed, entry["key"]))
    pairs.append(("date_from", max(start, f.date_from) if f.date_from else start))
    pairs.append(("date_to", min(end, f.date_to) if f.date_to else end))
    return "/?" + urlencode([(k, v) for k, v in pairs if v])


def layout(answer: Mapping[str, Any], req: SearchRequest) -> dict[str, Any]:
    """Everything the template draws: rows with their bars, the x-axis ticks, the height."""
    series = answer["series"]
    interval = answer["interval"]
    axis = slots(series, interval)
    index = {d: i for i, d in enumerate(axis)}
    width = 100 / len(axis) if axis else 100
    bar_width = min(width * 0.8, MAX_BAR_WIDTH)
    peak = max((b["count"] for s in series for b in s["buckets"]), default=0)
    rows = []
    for n, entry in enumerate(series):
        top = n * (ROW_HEIGHT + ROW_GAP) + ROW_GAP
        bars = []
        for b in entry["buckets"]:
            end = timeline.period_end(b["date"], interval) if b["date"][0] != "-" else b["date"]
            height = max(b["count"] / peak * ROW_HEIGHT, MIN_BAR) if peak else 0
            bars.append(Bar(x=round(index[b["date"]] * width + (width - bar_width) / 2, 3),
                            width=round(bar_width, 3), y=round(top + ROW_HEIGHT - height, 1),
                            height=round(height, 1), row_top=top, date=b["date"], end=end,
                            count=b["count"],
                            href=search_href(req, answer["by"], entry, b["date"], end)))
        rows.append({"entry": entry, "bars": bars, "top": top, "label_y": top - 8,
                     "base": top + ROW_HEIGHT,
                     "colour": "cother" if entry.get("other") else f"c{n % COLOURS}"})
    height = len(series) * (ROW_HEIGHT + ROW_GAP) + AXIS_HEIGHT
    step = max(1, len(axis) // AXIS_TICKS)
    centres = [(i, (i + 0.5) * width) for i in range(0, len(axis), step)]
    ticks = [{"x": round(x, 3), "label": _tick(axis[i], interval)}
             for i, x in centres if EDGE <= x <= 100 - EDGE]
    return {"rows": rows, "ticks": ticks, "height": height, "axis_y": height - 8,
            "peak": peak, "row_height": ROW_HEIGHT, "slots": len(axis)}


def _tick(start: str, interval: str) -> str:
    return start[:-6] if interval == "year" else start[:-3] if interval == "month" else start
