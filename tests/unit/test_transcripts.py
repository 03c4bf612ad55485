"""Security Council records: speaker prefixes, turns, the title page, and speech records."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest

from indexer.documents import Document, RecordError, Speaker
from indexer.sources.transcripts import (
    match_speaker_prefix,
    parse_speaker_prefix,
    parse_transcript,
    read_meetings_csv,
    speech_record_speaker,
    strip_speaker_prefix,
    symbol_from_filename,
)
from tests.conftest import shared_data

pytestmark = pytest.mark.unit

SAMPLES = Path(__file__).resolve().parents[2] / "samples"



@pytest.fixture(scope="module")
def unsc() -> Path:
    return shared_data() / "unsc_2020_syria"


@pytest.fixture(scope="module")
def pv8734(unsc: Path) -> Document:
    return parse_transcript((unsc / "transcripts" / "S_PV.8734.txt").read_text(encoding="utf-8"),
                            doc_id="S/PV.8734", symbol="S/PV.8734")


def turn_text(doc: Document, speaker_name: str) -> list[str]:
    return [doc.text[s.start:s.end] for s in doc.segments
            if s.speaker is not None and s.speaker.name == speaker_name]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("The President: The meeting is open.",
         Speaker(name="The President", role="The President")),
        ("The President (spoke in French): Je donne la parole.",
         Speaker(name="The President", language="French", role="The President")),
        ("Ms. Ravensdale: Thank you.", Speaker(name="Ravensdale", title="Ms.")),
        ("Mr. Delacroix-Vannier (Talvessa) (spoke in French): Merci.",
         Speaker(name="Delacroix-Vannier", title="Mr.", country="Talvessa", language="French")),
        ("Mr. Tan Weiming (Quellmark) (spoke in Chinese): Thank you.",
         Speaker(name="Tan Weiming", title="Mr.", country="Quellmark", language="Chinese")),
        ("Mrs. Okafor-Brandt (United Republic of Norvania): We agree.",
         Speaker(name="Okafor-Brandt", title="Mrs.", country="United Republic of Norvania")),
        ("The Secretary-General: I thank the Council.",
         Speaker(name="The Secretary-General", role="Secretary-General")),
        ("Mr. O'Leary-Ba (Estovaria) (spoke in Arabic): Thank you.",
         Speaker(name="O'Leary-Ba", title="Mr.", country="Estovaria", language="Arabic")),
        ("Mr. Pecsteen van der Berg (Talvessa): Thank you.",
         Speaker(name="Pecsteen van der Berg", title="Mr.", country="Talvessa")),
        ("Dame Ilse Marvik: Thank you.", Speaker(name="Ilse Marvik", title="Dame")),
        ("Dr. Quist (World Health Organization): Thank you.",
         Speaker(name="Quist", title="Dr.", country="World Health Organization")),
        ("The Chair: The meeting is adjourned.", Speaker(name="The Chair", role="Chair")),
    ],
)
def test_speaker_prefix_forms_give_name_title_country_and_language(line: str,
                                                                   expected: Speaker) -> None:
    parsed = parse_speaker_prefix(line)
    assert parsed is not None
    speaker, offset = parsed
    assert speaker == expected
    assert line[offset:] == line.split(": ", 1)[1]


@pytest.mark.parametrize(
    "line",
    [
        "The President said: the Council will meet again tomorrow.",
        "Mr. Ravensdale made three points: access, fuel and boats.",
        "President: Mr. Varga-Solberg . . . . . (Estovaria)",
        "Members: Marendia . . . . . Ms. Ekwueme",
        "Mr. President: I thank you for convening this meeting.",
        "These are the needs: food, water, shelter and medicine.",
        "Note: Mr. Tan Weiming (Quellmark): a later addition.",
        "I now give the floor to Ms. Ravensdale: she has the floor.",
    ],
)
def test_an_ordinary_sentence_with_a_colon_is_not_a_speaker_prefix(line: str) -> None:
    assert parse_speaker_prefix(line) is None


def test_a_column_break_spliced_into_the_prefix_still_gives_the_president() -> None:
    line = ("The President (spoke I thank Ms. Ravensdale for her briefing. in French): "
            "I now give the floor to Mr. Tan Weiming.")
    found = match_speaker_prefix(line)
    assert found is not None
    assert found.speaker == Speaker(name="The President", language="French", role="The President")
    assert found.splice is not None
    assert line[found.splice[0]:found.splice[1]] == "I thank Ms. Ravensdale for her briefing."
    assert line[found.prefix_end:] == "I now give the floor to Mr. Tan Weiming."
    # The statement keeps the spliced words: nothing the President said is dropped.
    assert parse_speaker_prefix(line) == (found.speaker, found.splice[0])


@pytest.mark.data
def test_mueller_briefing_is_one_turn_with_her_words(pv8734: Document) -> None:
    mueller = [s for s in pv8734.segments if s.speaker and s.speaker.name == "Mueller"]
    assert len(mueller) == 1
    assert mueller[0].speaker == Speaker(name="Mueller", title="Ms.")
    statement = pv8734.text[mueller[0].start:mueller[0].end]
    assert "Hospitals, schools, camps and other sites" in statement
    assert not statement.startswith("Ms. Mueller")


@pytest.mark.data
def test_nebenzia_speaks_for_the_russian_federation_in_russian(pv8734: Document) -> None:
    speakers = {s.speaker for s in pv8734.segments if s.speaker and s.speaker.name == "Nebenzia"}
    assert speakers == {Speaker(name="Nebenzia", title="Mr.", country="Russian Federation",
                                language="Russian")}


@pytest.mark.data
def test_the_spliced_prefix_turn_in_8734_is_the_presidents(pv8734: Document) -> None:
    [turn] = [s for s in pv8734.segments
              if "I now give the floor to Ms. Fore." in pv8734.text[s.start:s.end]]
    assert turn.speaker is not None
    assert turn.speaker.role == "The President"
    assert turn.speaker.language == "French"
    assert pv8734.text[turn.start:turn.end].startswith("I thank Ms. Mueller for her briefing.")
    [splice] = pv8734.metadata["prefix_splices"]
    assert pv8734.text[splice["start"]:splice["end"]] == "I thank Ms. Mueller for her briefing."


@pytest.mark.data
def test_8734_is_a_transcript_with_every_turn_attributed(pv8734: Document) -> None:
    assert pv8734.doc_type == "transcript"
    assert pv8734.symbol == "S/PV.8734"
    assert pv8734.metadata["meeting"] == 8734
    assert len(pv8734.segments) == 25
    assert all(s.speaker is not None for s in pv8734.segments)
    assert all(0 <= s.start < s.end <= len(pv8734.text) for s in pv8734.segments)


@pytest.mark.data
def test_every_transcript_agrees_with_speeches_jsonl_on_who_speaks(unsc: Path) -> None:
    speeches: dict[str, list[dict[str, Any]]] = defaultdict(list)
    with (unsc / "speeches.jsonl").open(encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            speeches[record["symbol"]].append(record)
    paths = sorted((unsc / "transcripts").glob("S_PV.*.txt"))
    assert len(paths) == 11
    disagreements = []
    for path in paths:
        symbol = symbol_from_filename(path.name)
        assert symbol is not None
        doc = parse_transcript(path.read_text(encoding="utf-8"), doc_id=symbol, symbol=symbol)
        records = sorted(speeches[symbol], key=lambda r: r["speech_no"])
        assert len(doc.segments) == len(records), symbol
        for segment, record in zip(doc.segments, records, strict=True):
            from_record = speech_record_speaker(record)
            assert segment.speaker is not None and from_record is not None
            if segment.speaker.role == "The President":
                agree = from_record.role == "The President"
            else:
                agree = (segment.speaker.name == from_record.name
                         and from_record.role != "The President")
            # The same statement, too: the turn is the speech without its prefix.
            _, offset = strip_speaker_prefix(record["text"])
            agree = agree and doc.text[segment.start:segment.end] == record["text"][offset:]
            if not agree:
                disagreements.append((symbol, record["speech_no"], segment.speaker, from_record))
    assert disagreements == []


def test_the_sample_record_header_fills_the_document_fields() -> None:
    path = SAMPLES / "transcripts" / "S_PV.9901.txt"
    doc = parse_transcript(path.read_text(encoding="utf-8"), doc_id="S/PV.9901")
    assert doc.symbol == "S/PV.9901"
    assert doc.date == "2024-03-12"
    assert doc.topic == "The situation in the Asren river basin"
    assert doc.title == "S/PV.9901: The situation in the Asren river basin"
    assert doc.source == "United Nations Security Council"
    assert doc.metadata["meeting"] == 9901
    assert doc.metadata["place"] == "New York"
    assert doc.metadata["president"] == {"name": "Varga-Solberg", "title": "Mr.",
                                         "country": "Estovaria"}
    # The title page is not a turn: the first segment is the President opening the meeting.
    first = doc.segments[0]
    assert first.speaker is not None and first.speaker.role == "The President"
    assert first.speaker.country == "Estovaria"
    assert doc.text[first.start:].startswith("The Security Council will now begin")
    assert "Agenda" not in "".join(doc.text[s.start:s.end] for s in doc.segments)


def test_the_sample_record_covers_every_prefix_form_and_multi_paragraph_turns() -> None:
    path = SAMPLES / "transcripts" / "S_PV.9901.txt"
    doc = parse_transcript(path.read_text(encoding="utf-8"), doc_id="S/PV.9901")
    speakers = [s.speaker for s in doc.segments]
    assert len(speakers) >= 5
    assert Speaker(name="Ravensdale", title="Ms.") in speakers
    assert Speaker(name="Delacroix-Vannier", title="Mr.", country="Talvessa",
                   language="French") in speakers
    assert Speaker(name="Okafor-Brandt", title="Mrs.", country="Norvania") in speakers
    [briefing] = turn_text(doc, "Ravensdale")
    assert "closed since 2 March" in briefing and "almost routine" in briefing  # both paragraphs


def test_arguments_win_over_the_header_and_conflicts_are_kept() -> None:
    text = ("United Nations S/PV.9902 Security Council Seventy-ninth year 9902nd meeting "
            "Wednesday, 13 March 2024, 3 p.m. New York\n"
            "President: Mr. Varga-Solberg . . . . . . (Estovaria)\n"
            "Agenda\nThe situation in the Asren river basin\n\n"
            "The President: The meeting is open.\n")
    doc = parse_transcript(text, doc_id="x", date="2024-03-14", topic="Asren")
    assert doc.symbol == "S/PV.9902"
    assert doc.date == "2024-03-14"
    assert doc.title == "S/PV.9902: Asren"
    assert doc.metadata["header_conflicts"] == {
        "date": "2024-03-13", "topic": "The situation in the Asren river basin"}
    assert doc.metadata["time"] == "3 p.m."
    assert doc.metadata["place"] == "New York"


def test_text_before_the_first_turn_that_is_not_a_header_is_an_unattributed_segment() -> None:
    text = "Notes taken in the gallery.\n\nMs. Ravensdale: The port is closed.\n"
    doc = parse_transcript(text, doc_id="x")
    assert [(doc.text[s.start:s.end], s.speaker) for s in doc.segments] == [
        ("Notes taken in the gallery.", None),
        ("The port is closed.", Speaker(name="Ravensdale", title="Ms.")),
    ]
    assert doc.title is None


def test_a_record_without_speaker_turns_is_refused_with_a_reason() -> None:
    with pytest.raises(RecordError) as caught:
        parse_transcript("The Council discussed the floods: no one spoke.", doc_id="x",
                         origin="notes.txt")
    assert caught.value.origin == "notes.txt"
    assert "no speaker turns" in caught.value.reason


@pytest.mark.parametrize(
    ("name", "symbol"),
    [
        ("S_PV.8734.txt", "S/PV.8734"),
        ("S_PV.8734_Resumption1.txt", "S/PV.8734 (Resumption 1)"),
        ("upi_2020-02-27_saraqib.txt", None),
        ("S_2020_254.txt", None),
    ],
)
def test_symbol_from_filename(name: str, symbol: str | None) -> None:
    assert symbol_from_filename(name) == symbol


@pytest.mark.data
def test_meetings_csv_rows_are_keyed_by_symbol(unsc: Path) -> None:
    meetings = read_meetings_csv(unsc / "meetings.csv")
    assert len(meetings) == 18
    assert meetings["S/PV.8734"]["date"] == "2020-02-27"
    assert meetings["S/PV.8734"]["topic"] == "The situation in the Middle East"
    assert meetings["S/2020/254"]["transcript_file"] == ""


def test_a_speech_record_gives_name_title_country_and_its_own_language() -> None:
    record = {"speaker": "Mr. Delacroix-Vannier", "participant_type": "Mentioned",
              "country": "Talvessa",
              "text": "Mr. Delacroix-Vannier (Talvessa) (spoke in French): Merci."}
    assert speech_record_speaker(record) == Speaker(
        name="Delacroix-Vannier", title="Mr.", country="Talvessa", language="French")
    speaker, offset = strip_speaker_prefix(record["text"])
    assert speaker is not None and speaker.name == "Delacroix-Vannier"
    assert record["text"][offset:] == "Merci."


def test_the_president_is_known_by_participant_type_when_the_text_has_no_prefix() -> None:
    record = {"speaker": "Mr. Varga-Solberg", "participant_type": "The President",
              "country": "Estovaria", "text": "The meeting is open."}
    assert speech_record_speaker(record) == Speaker(
        name="Varga-Solberg", title="Mr.", country="Estovaria", role="The President")
    assert strip_speaker_prefix(record["text"]) == (None, 0)


def test_the_speechs_own_prefix_decides_who_presides() -> None:
    # Upstream coding can be wrong (S/PV.8715 speeches 11 and 21): the record's text wins.
    record = {"speaker": "Mr. Varga-Solberg", "participant_type": "Mentioned",
              "country": "Estovaria", "text": "The President: The meeting is open."}
    speaker = speech_record_speaker(record)
    assert speaker is not None and speaker.role == "The President"
    record = {"speaker": "Mr. Tan Weiming", "participant_type": "The President",
              "country": "Quellmark", "text": "Mr. Tan Weiming (Quellmark): Thank you."}
    speaker = speech_record_speaker(record)
    assert speaker is not None and speaker.role is None


def test_a_speech_record_without_a_speaker_has_none() -> None:
    record = {"speaker": None, "participant_type": "Mentioned", "country": None,
              "text": "The port must reopen."}
    assert speech_record_speaker(record) is None
