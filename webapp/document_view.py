"""The document page's layout: the document's own paragraphs, with its passages inside them.

Passages are cut for the model (whole sentences up to a token budget), so one passage may
hold a standfirst and the next paragraph, and one long paragraph may hold several passages.
Readers want the paragraphs; links, the hit and the news quotes of a record need the
passages. So the page is laid out by paragraph, and each passage is a run of text inside
them: its first piece carries the ``p<N>`` anchor the search results link to.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from typing import Any

from markupsafe import Markup

from indexer.search.highlight import mark_spans
from indexer.search.results import paragraph_spans

MAX_TURN_LABEL = 200  # a transcript paragraph's "Ms. Mueller:" before its first passage


def layout(doc: dict[str, Any], hit: int | None,
           marked: tuple[int, int] | None = None) -> list[dict[str, Any]]:
    """The page's blocks in order: ``{"turn", "pieces", "quoted"}``, one per paragraph.

    ``turn`` is the speaker heading a transcript's new turn gets (or None); ``pieces`` the
    paragraph's text as passage pieces (``number``, ``anchor``, ``hit``, ``html``) and plain
    text between passages; ``quoted`` the news quotes of this record that start in it.
    ``marked``: characters ``[start, end)`` of the text to mark (a concordance line's words)."""
    text = doc.get("text") or ""
    passages = [p for p in doc["passages"] if p.get("offset") is not None and p.get("end")]
    paragraphs = paragraph_spans(text)
    if not text or not paragraphs or len(passages) != len(doc["passages"]):
        return _passage_blocks(doc, hit)
    blocks = [_paragraph(doc, text, span["start"], span["end"], passages, hit, marked)
              for span in paragraphs]
    _mark_anchors(blocks)
    _add_turns(doc, blocks)
    _place_quoted(doc.get("quoted_in") or [], [span["start"] for span in paragraphs], blocks)
    return [b for b in blocks if b["pieces"]]


def _mark_anchors(blocks: Sequence[dict[str, Any]]) -> None:
    """A passage's first piece carries its anchor (and, for the hit, the focus)."""
    seen: set[int] = set()
    for block in blocks:
        for piece in block["pieces"]:
            if piece["number"] is not None and piece["number"] not in seen:
                seen.add(piece["number"])
                piece["anchor"] = True


def _paragraph(doc: dict[str, Any], text: str, start: int, end: int,
               passages: Sequence[dict[str, Any]], hit: int | None,
               marked: tuple[int, int] | None = None) -> dict[str, Any]:
    """One paragraph cut where its passages begin and end; a passage that overlaps the one
    before (overlapping passages) starts where that one ended."""
    pieces: list[dict[str, Any]] = []
    cursor = start
    for passage in passages:
        p_start = max(passage["offset"], start, cursor)
        p_end = min(passage["end"], end)
        if p_end <= p_start:
            continue
        if p_start > cursor:
            pieces.append(_plain(text[cursor:p_start], _within(marked, cursor, p_start)))
        pieces.append({
            "number": passage["number"], "speaker": passage.get("speaker"),
            "speaker_country": passage.get("speaker_country"),
            "anchor": False,
            "hit": hit is not None and passage["number"] == hit,
            "html": Markup(mark_spans(text[p_start:p_end], [
                *_quote_spans(doc, passage["number"], p_start, p_end),
                *_within(marked, p_start, p_end)]))})
        cursor = p_end
    if cursor < end:
        pieces.append(_plain(text[cursor:end], _within(marked, cursor, end)))
    return {"start": start, "turn": None, "pieces": pieces, "quoted": []}


def _plain(text: str, spans: Sequence[tuple[int, int]] = ()) -> dict[str, Any]:
    return {"number": None, "anchor": False, "hit": False, "text": text,
            "html": Markup(mark_spans(text, spans))}


def _within(marked: tuple[int, int] | None, start: int, end: int) -> list[tuple[int, int]]:
    """The part of ``marked`` inside ``[start, end)``, relative to ``start``."""
    if marked is None or marked[1] <= start or marked[0] >= end:
        return []
    return [(max(marked[0], start) - start, min(marked[1], end) - start)]


def _quote_spans(doc: dict[str, Any], number: int, start: int, end: int
                 ) -> list[tuple[int, int]]:
    """An article's quotations inside ``text[start:end]``, relative to ``start``."""
    if doc.get("type") != "article":
        return []
    spans = [(max(q["offset"], start) - start, min(q["end"], end) - start)
             for q in doc["quotes"] if q.get("passage") == number
             and q.get("offset") is not None and q.get("end") is not None]
    return [s for s in spans if s[1] > s[0]]


def _add_turns(doc: dict[str, Any], blocks: list[dict[str, Any]]) -> None:
    """A transcript's speaker headings: one where the speaker changes. The turn's own label
    ("The President (spoke in French):") lies outside its passages and gives way to it."""
    if doc.get("type") != "transcript":
        return
    previous = None
    for block in blocks:
        first = next((p for p in block["pieces"] if p["number"] is not None), None)
        if first is None or not first.get("speaker"):
            continue
        lead = block["pieces"][0]
        label = lead.get("text", "").strip() if lead["number"] is None else ""
        if label.endswith(":") and len(label) <= MAX_TURN_LABEL:
            block["pieces"].pop(0)
        if first["speaker"] != previous:
            block["turn"] = {"speaker": first["speaker"], "country": first.get("speaker_country")}
        previous = first["speaker"]


def _place_quoted(quoted: Sequence[dict[str, Any]], starts: Sequence[int],
                  blocks: list[dict[str, Any]]) -> None:
    """Each news quote of this record under the block its quoted words start in (``starts``:
    the blocks' first offsets, ascending)."""
    if not blocks:
        return
    for item in quoted:
        if item.get("start") is None:
            continue
        index = max(0, bisect_right(starts, item["start"]) - 1)
        blocks[index]["quoted"].append(item)


def _passage_blocks(doc: dict[str, Any], hit: int | None) -> list[dict[str, Any]]:
    """Without the whole text (or its offsets), one paragraph per passage, as stored."""
    blocks: list[dict[str, Any]] = []
    previous = None
    for passage in doc["passages"]:
        speaker = passage.get("speaker")
        turn = ({"speaker": speaker, "country": passage.get("speaker_country")}
                if doc.get("type") == "transcript" and speaker and speaker != previous else None)
        previous = speaker
        blocks.append({"start": passage.get("offset"), "turn": turn, "quoted": [], "pieces": [{
            "number": passage["number"], "anchor": True, "hit": passage["number"] == hit,
            "speaker": speaker, "html": Markup(mark_spans(passage.get("text") or "", []))}]})
    if all(p.get("offset") is not None for p in doc["passages"]):
        _place_quoted(doc.get("quoted_in") or [], [p["offset"] for p in doc["passages"]], blocks)
    return blocks
