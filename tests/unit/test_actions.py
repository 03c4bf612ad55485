from __future__ import annotations

from indexer.documents import Document, Passage, Quote, Segment, Speaker
from indexer.ingest.actions import (
    context_line,
    document_context,
    document_key,
    index_actions,
    passage_id,
    stale_delete_actions,
)

TEXT = 'The port reopened. "We are back," said Ana Lind. Trade resumed on Monday.'


def _doc() -> Document:
    return Document(doc_id="wire-1", doc_type="article", text=TEXT, title="Port reopens",
                    date="2024-03-12", source="VNS", metadata={"desk": "ports"},
                    quotes=[Quote("We are back", "Ana Lind", 20, 31)])


def _passages() -> list[Passage]:
    doc = _doc()
    return [Passage("wire-1", 0, TEXT[:48], 0, 48, quotes=tuple(doc.quotes)),
            Passage("wire-1", 1, TEXT[49:], 49, len(TEXT))]


def test_ids_are_deterministic_and_bounded() -> None:
    assert passage_id("wire-1", 3) == "wire-1#3"
    long_id = "x" * 500
    assert document_key(long_id).startswith("sha1-") and len(document_key(long_id)) < 60
    assert passage_id(long_id, 0) == passage_id(long_id, 0)


def test_actions_carry_the_document_fields_and_the_quote() -> None:
    actions = list(index_actions("idx", _doc(), _passages(), [[0.1, 0.2], [0.3, 0.4]],
                                 collection="news", indexed_at="2026-01-01T00:00:00+00:00"))
    assert [a["_id"] for a in actions] == ["wire-1#0", "wire-1#1"]
    first = actions[0]["_source"]
    assert first == {
        "collection": "news", "doc_id": "wire-1", "doc_key": "news/wire-1", "type": "article",
        "passage_no": 0, "passages_in_doc": 2, "offset_start": 0, "offset_end": 48,
        "title": "Port reopens", "date": "2024-03-12", "date_precision": "day", "source": "VNS",
        "text": TEXT[:48],
        "stems": "port reopen vns 2024 03 12 port reopen we back said ana lind",
        "quotes": [{"text": "We are back", "speaker": "Ana Lind", "offset_start": 20,
                    "offset_end": 31}],
        "quote_speakers": ["Ana Lind"], "indexed_at": "2026-01-01T00:00:00+00:00",
        "doc_text": TEXT, "metadata": {"desk": "ports"}, "embedding": [0.1, 0.2],
        # The whole document's stems, with its context: what hybrid search scores it by.
        "doc_stems": "port reopen vns 2024 03 12 port reopen we back said ana lind "
                     "trade resum monday",
    }
    second = actions[1]["_source"]
    # The whole text on passage 0 only
    assert not {"doc_text", "doc_stems", "quotes"} & set(second)


def test_a_long_statement_is_clipped_to_each_passage() -> None:
    text = "First sentence of the turn. Second sentence of the turn."
    doc = Document(doc_id="t", doc_type="transcript", text=text)
    turn = Quote(text, "Ms. Lind", 0, len(text))
    passages = [Passage("t", 0, text[:27], 0, 27, quotes=(turn,)),
                Passage("t", 1, text[28:], 28, len(text), quotes=(turn,))]
    actions = list(index_actions("i", doc, passages, [[0.0], [0.0]], collection="c",
                                 indexed_at="t"))
    assert [a["_source"]["quotes"][0]["text"] for a in actions] == [text[:27], text[28:]]


def test_speaker_context_travels_with_every_passage() -> None:
    doc = Document(doc_id="S/PV.1", doc_type="transcript", text="...", title="S/PV.1: Syria",
                   symbol="S/PV.1", date="2020-02-27")
    speaker = Speaker(name="Guterres", role="Secretary-General", title=None)
    assert context_line(doc, speaker) == "S/PV.1: Syria | Guterres, Secretary-General | 2020-02-27"


def test_a_shorter_document_deletes_its_stale_passages() -> None:
    assert [a["_id"] for a in stale_delete_actions("i", "d", 2, 4)] == ["d#2", "d#3"]
    assert list(stale_delete_actions("i", "d", 4, 2)) == []


def test_the_whole_documents_context_names_every_speaker_of_its_turns_once() -> None:
    lind, okafor = Speaker("Lind", title="Ms.", country="Estonia"), Speaker("Okafor", title="Mr.")
    text = "First turn. Second turn. Third turn."
    doc = Document(doc_id="S/PV.1", doc_type="transcript", text=text, title="Meeting",
                   symbol="S/PV.1", date="2020-02-19",
                   segments=[Segment(0, 11, lind), Segment(12, 24, okafor),
                             Segment(25, len(text), lind)])
    assert document_context(doc) == (f"{context_line(doc, None)} | Ms. Lind (Estonia) | "
                                     "Mr. Okafor")
