"""The provenance benchmark's labelled set and metrics: the set is built right from the shared
data, and the numbers the runner reports are computed right from made-up answers."""

from __future__ import annotations

import json
import re
from types import SimpleNamespace
from typing import Any

import pytest

from bench.provenance import (
    Outcome,
    link_correct,
    outcome_of,
    percentile,
    score,
    subset,
    targets_met,
)
from bench.provenance_cases import (
    COUNTS,
    EXPECTED_VERDICT,
    PARAPHRASES,
    Corpus,
    build_cases,
    counts_by_kind,
    load_speeches,
    normalise,
)
from tests.conftest import shared_data

# ---------------------------------------------------------------- metrics (no data needed)


def _case(cid: str, kind: str, *, symbol: str | None = None, doc_id: str | None = None,
          speaker: str | None = None, match: str = "unknown") -> dict[str, Any]:
    verdict = EXPECTED_VERDICT[kind]
    return {"id": cid, "kind": kind, "text": "words", "speaker": speaker, "date": None,
            "expect": {"verdict": verdict, "symbol": symbol, "speech_no": 1 if symbol else None,
                       "doc_id": doc_id, "speaker_match": match}}


def test_link_counts_the_meeting_whichever_record_and_the_debate_id() -> None:
    expect = _case("a", "verbatim", symbol="S/PV.8734")["expect"]
    assert link_correct(expect, Outcome("a", "verbatim", symbol="S/PV.8734", doc_id="S/PV.8734"))
    assert link_correct(expect, Outcome("a", "altered", symbol="S/PV.8734",
                                        doc_id="UNSC_2020_SPV.8734_spch002"))
    assert link_correct(expect, Outcome("a", "altered", symbol="S/PV.8734 (Resumption 1)"))
    assert not link_correct(expect, Outcome("a", "verbatim", symbol="S/PV.8738"))
    assert not link_correct(expect, Outcome("a", "not_found"))
    debate = _case("b", "paraphrase", doc_id="SYR_74_2019")["expect"]
    assert link_correct(debate, Outcome("b", "paraphrase", doc_id="SYR_74_2019"))
    assert not link_correct(debate, Outcome("b", "paraphrase", doc_id="SYR_75_2020"))
    assert not link_correct(debate, Outcome("b", "paraphrase", symbol=None, doc_id=None))


def test_outcome_reads_the_first_source_of_a_check_result() -> None:
    first = SimpleNamespace(doc_id="S/PV.8734", symbol="S/PV.8734", speaker_match="same")
    result = SimpleNamespace(verdict="altered", sources=[first, SimpleNamespace()])
    assert outcome_of("x", result, 12.5) == Outcome("x", "altered", "S/PV.8734", "S/PV.8734",
                                                    "same", 12.5)
    empty = outcome_of("y", SimpleNamespace(verdict="not_found", sources=[]), 3.0)
    assert empty.symbol is None and empty.speaker_match is None


def test_score_per_kind_not_found_and_speaker() -> None:
    cases = [
        _case("v1", "verbatim", symbol="S/PV.1", speaker="Ms. A", match="same"),
        _case("v2", "verbatim", symbol="S/PV.2"),
        _case("w1", "wrong_speaker", symbol="S/PV.1", speaker="Mr. B", match="different"),
        _case("p1", "paraphrase", doc_id="X_74_2019", speaker="C", match="same"),
        _case("n1", "invented"), _case("n2", "news"), _case("n3", "dated_before"),
    ]
    outcomes = [
        Outcome("v1", "verbatim", "S/PV.1", None, "same", 10.0),
        Outcome("v2", "trimmed", "S/PV.9", None, "unknown", 20.0),  # wrong verdict and source
        Outcome("w1", "verbatim", "S/PV.1", None, "same", 30.0),  # speaker check missed
        Outcome("p1", "not_found", latency_ms=40.0),  # a missed paraphrase: false not_found
        Outcome("n1", "not_found", latency_ms=50.0),
        Outcome("n2", "not_found", latency_ms=60.0),
        Outcome("n3", "verbatim", "S/PV.1", None, "same", 70.0),  # ignored the date
    ]
    result = score(cases, outcomes)
    kinds, overall = result["per_kind"], result["overall"]
    assert kinds["verbatim"] == {"n": 2, "verdict_accuracy": 0.5, "link_at_1": 0.5,
                                 "speaker_accuracy": 1.0}
    assert kinds["wrong_speaker"]["verdict_accuracy"] == 1.0
    assert kinds["wrong_speaker"]["speaker_accuracy"] == 0.0
    assert kinds["invented"]["link_at_1"] is None  # nothing to link
    assert overall["verdict_accuracy"] == round(4 / 7, 4)
    assert overall["link_at_1_exact_and_edited"] == round(2 / 3, 4)
    assert overall["link_at_1_paraphrase"] == 0.0
    assert overall["not_found_precision"] == round(2 / 3, 4)
    assert overall["not_found_recall"] == round(2 / 3, 4)
    assert overall["speaker_accuracy"] == round(1 / 3, 4)
    assert overall["latency_p50_ms"] == 40.0 and overall["latency_p95_ms"] == 70.0
    assert result["confusion"]["not_found"] == {"not_found": 2, "verbatim": 1}
    assert result["targets"]["latency_p50_ms"]["met"] is True
    assert result["targets"]["verdict_accuracy"]["met"] is False


def test_errors_and_missing_outcomes_count_as_wrong() -> None:
    cases = [_case("a", "verbatim", symbol="S/PV.1"), _case("b", "invented")]
    result = score(cases, [Outcome("a", "error", error="boom")])
    assert result["overall"]["verdict_accuracy"] == 0.0
    assert result["overall"]["errors"] == 1
    assert result["overall"]["not_found_recall"] == 0.0
    assert result["overall"]["not_found_precision"] is None  # nothing answered not_found
    assert result["overall"]["latency_p50_ms"] is None


def test_percentile_is_nearest_rank() -> None:
    assert percentile([], 50) is None
    assert percentile([5.0], 95) == 5.0
    assert percentile([float(v) for v in range(1, 101)], 50) == 50.0
    assert percentile([float(v) for v in range(1, 101)], 95) == 95.0
    assert percentile([3.0, 1.0, 2.0], 50) == 2.0


def test_targets_compare_latency_downwards() -> None:
    met = targets_met({"latency_p50_ms": 301.0, "verdict_accuracy": 0.8,
                       "not_found_recall": None})
    assert met["latency_p50_ms"]["met"] is False
    assert met["verdict_accuracy"]["met"] is True
    assert met["not_found_recall"]["met"] is False


def test_subset_takes_every_kind_in_turn() -> None:
    cases = [_case(f"v{i}", "verbatim", symbol="S/PV.1") for i in range(5)]
    cases += [_case(f"n{i}", "invented") for i in range(2)]
    chosen = subset(cases, 4)
    assert [c["id"] for c in chosen] == ["v0", "n0", "v1", "n1"]
    assert subset(cases, 0) == cases


# ---------------------------------------------------------------- the set, from the shared data


@pytest.fixture(scope="module")
def built() -> list[dict[str, Any]]:
    shared_data()
    return build_cases()


@pytest.fixture(scope="module")
def speeches() -> dict[str, Any]:
    shared_data()
    return {(s.doc_id or f"{s.symbol}#{s.speech_no}"): s for s in load_speeches()}


def _source(case: dict[str, Any], speeches: dict[str, Any]) -> Any:
    o = case["origin"]
    return speeches[o["doc_id"] or f"{o['symbol']}#{o['speech_no']}"]


def test_the_set_is_large_deterministic_and_has_every_kind(built: list[dict[str, Any]]) -> None:
    assert len(built) >= 200
    assert build_cases() == built
    counts = counts_by_kind(built)
    for kind, wanted in COUNTS.items():
        assert counts[kind] == wanted, kind
    assert counts["paraphrase"] >= 40
    assert len({c["id"] for c in built}) == len(built)
    for case in built:
        assert case["expect"]["verdict"] == EXPECTED_VERDICT[case["kind"]]
        assert set(case["expect"]) == {"verdict", "symbol", "speech_no", "doc_id",
                                       "speaker_match"}
        assert case["date"] is None or re.fullmatch(r"\d{4}-\d{2}-\d{2}", case["date"])


def test_spans_are_the_speakers_words_unique_to_one_speech(
        built: list[dict[str, Any]], speeches: dict[str, Any]) -> None:
    corpus = Corpus(list(speeches.values()))
    for case in built:
        if case["kind"] not in ("verbatim", "wrong_speaker", "dated_before"):
            continue
        words = normalise(case["text"])
        assert 8 <= len(case["text"].split()) <= 40, case["id"]
        assert words in _source(case, speeches).norm, case["id"]
        assert corpus.count(case["text"]) == 1, case["id"]
        assert "thank" not in words and ":" not in case["text"]


def test_trims_keep_the_words_in_order_and_edits_are_not_in_the_record(
        built: list[dict[str, Any]], speeches: dict[str, Any]) -> None:
    corpus = Corpus(list(speeches.values()))
    for case in built:
        if case["kind"] not in ("trimmed", "trimmed_ellipsis", "dropped", "substituted", "added"):
            continue
        source = _source(case, speeches).norm
        words = normalise(case["text"]).split()
        assert corpus.count(case["text"]) == 0, case["id"]  # never verbatim anywhere
        in_order = _subsequence(words, source.split())
        assert in_order is (case["kind"] in ("trimmed", "trimmed_ellipsis", "dropped")), case["id"]
        if case["kind"] == "trimmed_ellipsis":
            assert "..." in case["text"]
        if case["kind"] in ("trimmed", "dropped"):
            assert "..." not in case["text"]


def _subsequence(words: list[str], source: list[str]) -> bool:
    """Do ``words`` occur in ``source`` in order, gaps allowed, within one short stretch?"""
    for start, word in enumerate(source):
        if word != words[0]:
            continue
        i, j = 1, start + 1
        while i < len(words) and j < min(len(source), start + 80):
            i += words[i] == source[j]
            j += 1
        if i == len(words):
            return True
    return False


def test_wrong_speakers_are_other_people_of_the_same_meeting(
        built: list[dict[str, Any]], speeches: dict[str, Any]) -> None:
    for case in (c for c in built if c["kind"] == "wrong_speaker"):
        source = _source(case, speeches)
        assert case["expect"]["speaker_match"] == "different"
        meeting = [s for s in speeches.values() if s.meeting == source.meeting]
        other = [s for s in meeting if s.speaker == case["speaker"]]
        assert other and all(s.country != source.country for s in other), case["id"]


def test_dated_before_is_before_the_earliest_day_of_its_speech(
        built: list[dict[str, Any]]) -> None:
    for case in (c for c in built if c["kind"] == "dated_before"):
        assert case["date"] < case["origin"]["date"], case["id"]
        assert case["expect"]["symbol"] is None and case["expect"]["doc_id"] is None


def test_not_found_sentences_are_in_no_speech(built: list[dict[str, Any]],
                                              speeches: dict[str, Any]) -> None:
    corpus = Corpus(list(speeches.values()))
    for case in (c for c in built if c["kind"] in ("invented", "news")):
        assert corpus.count(case["text"]) == 0, case["id"]
        assert case["expect"]["verdict"] == "not_found"


def test_paraphrases_name_real_speeches_in_other_words(speeches: dict[str, Any]) -> None:
    records = [json.loads(line) for line in PARAPHRASES.read_text(encoding="utf-8").splitlines()
               if line.strip()]
    assert len(records) >= 40
    for record in records:
        source = record["source"]
        key = source.get("doc_id") or f"{source['symbol']}#{source['speech_no']}"
        assert key in speeches, key
        assert record["speaker"] and len(record["text"].split()) >= 8
        words = normalise(record["text"]).split()
        # Reported speech, not a quotation: no run of six words as the speech has them.
        runs = {" ".join(words[i:i + 6]) for i in range(len(words) - 5)}
        assert not any(run in speeches[key].norm for run in runs), record["text"]


def test_outcome_reads_fields_kept_on_the_sources_passage() -> None:
    passage = SimpleNamespace(doc_id="UNSC_2020_SPV.8734_spch002", symbol="S/PV.8734")
    first = SimpleNamespace(candidate=passage, speaker_match="different")
    outcome = outcome_of("z", SimpleNamespace(verdict="verbatim", sources=[first]), 1.0)
    assert (outcome.symbol, outcome.doc_id, outcome.speaker_match) == (
        "S/PV.8734", "UNSC_2020_SPV.8734_spch002", "different")
