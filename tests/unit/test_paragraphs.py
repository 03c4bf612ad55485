"""The document view's paragraphs: the text's own breaks, with the passages laid inside them."""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

from indexer.search.results import paragraph_spans
from webapp.document_view import layout
from webapp.pages import concordance_phrase, concordance_url, timeline_url


def _doc(text: str, cuts: list[tuple[int, int]], type_: str = "article",
         speakers: list[str | None] | None = None) -> dict[str, Any]:
    return {"type": type_, "text": text, "quotes": [],
            "passages": [{"number": i, "offset": a, "end": b, "text": text[a:b],
                          "speaker": (speakers or [None] * len(cuts))[i]}
                         for i, (a, b) in enumerate(cuts)]}


def _plain(block: dict[str, Any]) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", "".join(str(p["html"]) for p in block["pieces"])))


def test_the_seeds_standfirst_and_dateline_are_two_paragraphs(data_dir: Path) -> None:
    text = (data_dir / "seed" / "upi_2020-02-27_saraqib.txt").read_text(encoding="utf-8")
    expected = [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]
    spans = paragraph_spans(text)
    assert [text[s["start"]:s["end"]] for s in spans] == expected
    # One passage over the first three paragraphs, as the indexer cut the seed.
    third = spans[2]["end"]
    blocks = layout(_doc(text, [(0, third), (spans[3]["start"], len(text.rstrip()))]), hit=0)
    assert [_plain(b) for b in blocks] == expected
    assert blocks[0]["pieces"][0]["anchor"] and blocks[0]["pieces"][0]["hit"]
    assert not blocks[1]["pieces"][0]["anchor"] and blocks[1]["pieces"][0]["hit"]
    assert blocks[3]["pieces"][0]["anchor"] and not blocks[3]["pieces"][0]["hit"]


def test_a_text_without_blank_lines_breaks_at_lines() -> None:
    assert paragraph_spans("one\ntwo\n") == [{"start": 0, "end": 3}, {"start": 4, "end": 7}]
    assert paragraph_spans("") == []
    assert paragraph_spans("a\n \nb\n c") == [{"start": 0, "end": 1}, {"start": 4, "end": 8}]


def test_a_long_paragraph_holds_several_passages_each_anchored_once() -> None:
    text = "First sentence here. Second one there. Third at last."
    blocks = layout(_doc(text, [(0, 20), (21, 38), (39, len(text))]), hit=1)
    assert len(blocks) == 1
    pieces = blocks[0]["pieces"]
    assert [p["number"] for p in pieces] == [0, None, 1, None, 2]  # the spaces between
    assert [p["anchor"] for p in pieces if p["number"] is not None] == [True, True, True]
    assert _plain(blocks[0]) == text


def test_a_transcripts_turn_label_gives_way_to_its_heading() -> None:
    text = "The President (spoke in French): I open the meeting.\n\nMs. Mueller: Thank you."
    cuts = [(33, 52), (67, len(text))]
    blocks = layout(_doc(text, cuts, "transcript", ["The President", "Ms. Mueller"]), hit=None)
    assert [b["turn"]["speaker"] for b in blocks] == ["The President", "Ms. Mueller"]
    assert [_plain(b) for b in blocks] == ["I open the meeting.", "Thank you."]


def test_the_news_quotes_of_a_record_sit_under_their_paragraph() -> None:
    text = "Alpha beta.\n\nGamma delta."
    doc = _doc(text, [(0, 11), (13, 25)])
    doc["quoted_in"] = [{"start": 13, "text": "Gamma"}, {"start": 0, "text": "Alpha"}]
    blocks = layout(doc, hit=None)
    assert [[q["text"] for q in b["quoted"]] for b in blocks] == [["Alpha"], ["Gamma"]]


def test_without_the_whole_text_each_passage_is_a_paragraph() -> None:
    doc = _doc("", [])
    doc["passages"] = [{"number": 0, "offset": None, "end": None, "text": "<b>x</b>"}]
    blocks = layout(doc, hit=0)
    assert str(blocks[0]["pieces"][0]["html"]) == "&lt;b&gt;x&lt;/b&gt;"


def test_search_links_to_the_timeline_and_the_concordance() -> None:
    args = {"q": ['"cross-border mechanism" Idlib'], "mode": ["keyword"], "page": ["2"],
            "type": ["transcript"]}
    assert timeline_url(args) == ("/timeline?q=%22cross-border+mechanism%22+Idlib"
                                  "&mode=keyword&type=transcript&by=speaker")
    assert concordance_url(args, args["q"][0]) == (
        "/concordance?phrase=cross-border+mechanism&type=transcript")
    assert concordance_phrase("humanitarian access") == "humanitarian access"
    assert concordance_phrase("hospitals schools camps not spared Idlib") is None
