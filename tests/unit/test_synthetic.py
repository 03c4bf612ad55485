"""The synthetic passages of the load benchmarks: deterministic, mapped, shaped like the indexer's."""

from __future__ import annotations

import json
from itertools import groupby

import numpy as np
import pytest

from bench.synthetic import SPEECHES, build_vocabulary, generate_passages, load_vocabulary, sample_queries
from indexer.documents import Document, Passage, Speaker
from indexer.indices import mappings_dir
from indexer.ingest import actions
from indexer.text.stemming import stem_text
from tests.conftest import require

pytestmark = pytest.mark.unit

TEXT = (
    "The General Assembly met to consider the question of peace and security. Member States "
    "called for dialogue, for development and for the protection of civilians in conflict. "
    "Climate change threatens the small island developing States; the Secretary-General's "
    "report on sustainable development was welcomed by delegations of every region. "
) * 3
SPEAKERS = (Speaker("Ursula Mueller", title="Ms.", country="Germany", role="Assistant Secretary-General"),
            Speaker("The President"))


@pytest.fixture(scope="module")
def vocab():
    return build_vocabulary([TEXT], speakers=SPEAKERS, min_count=1)


@pytest.fixture(scope="module")
def passages(vocab):
    return list(generate_passages(300, dims=16, seed=7, collection="synthetic-300", vocabulary=vocab))


def test_generation_is_deterministic_for_a_seed(vocab, passages):
    again = list(generate_passages(300, dims=16, seed=7, collection="synthetic-300", vocabulary=vocab))
    other = list(generate_passages(300, dims=16, seed=8, collection="synthetic-300", vocabulary=vocab))
    assert json.dumps(again) == json.dumps(passages)
    assert json.dumps(other) != json.dumps(passages)


def test_exactly_n_passages_are_generated(passages):
    assert len(passages) == 300


def test_every_generated_field_is_a_mapped_property(passages):
    mapping = json.loads((mappings_dir() / "passages.json").read_text(encoding="utf-8"))
    mapped = set(mapping["mappings"]["properties"])
    for passage in passages:
        assert set(passage) <= mapped, set(passage) - mapped


def test_passages_match_what_the_indexer_builds(passages):
    """passage_source, given the same document and passage, builds the same dict (stems included)."""
    for _, group in groupby(passages, key=lambda p: p["doc_id"]):
        parts = list(group)
        head = parts[0]
        speaker = None
        if "speaker" in head:
            title = head.get("speaker_title")
            name = head["speaker"][len(title) + 1:] if title else head["speaker"]
            speaker = Speaker(name, title=title, country=head.get("speaker_country"),
                              role=head.get("speaker_role"))
        doc = Document(doc_id=head["doc_id"], doc_type=head["type"], text=head["doc_text"],
                       title=head.get("title"), date=head.get("date"), source=head.get("source"),
                       author=head.get("author"), symbol=head.get("symbol"), speaker=speaker)
        for part in parts:
            passage = Passage(doc.doc_id, part["passage_no"], part["text"], part["offset_start"],
                              part["offset_end"])
            expected = actions.passage_source(doc, passage, collection="synthetic-300",
                                              passages_in_doc=part["passages_in_doc"],
                                              indexed_at=part["indexed_at"], vector=part["embedding"])
            assert part == expected


def test_vectors_are_unit_length_with_four_decimals(passages):
    vectors = np.asarray([p["embedding"] for p in passages])
    assert vectors.shape == (300, 16)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-3)
    assert np.array_equal(vectors, np.round(vectors, 4))


def test_doc_and_passage_numbering_is_consistent(passages):
    doc_ids = [p["doc_id"] for p in passages]
    assert doc_ids == sorted(doc_ids)  # documents come whole, in order
    for doc_id, group in groupby(passages, key=lambda p: p["doc_id"]):
        parts = list(group)
        assert [p["passage_no"] for p in parts] == list(range(len(parts)))
        assert {p["passages_in_doc"] for p in parts} == {len(parts)}
        assert 1 <= len(parts) <= 20
        assert all(p["doc_key"] == f"synthetic-300/{doc_id}" for p in parts)
        text = parts[0]["doc_text"]
        assert all(text[p["offset_start"]:p["offset_end"]] == p["text"] for p in parts)
        assert all("doc_text" not in p for p in parts[1:])


def test_passages_have_realistic_lengths_dates_and_facets(passages):
    lengths = [len(p["text"].split()) for p in passages]
    assert min(lengths) >= 150 and max(lengths) <= 200
    assert all("2011-01-01" <= p["date"] <= "2020-12-31" for p in passages)
    assert {p["type"] for p in passages} == {"speech", "transcript", "article"}
    assert len({p["source"] for p in passages}) > 3


def test_stems_are_the_stemmed_context_and_text(passages):
    sample = passages[0]
    assert sample["stems"].endswith(stem_text(sample["text"]))


def test_queries_are_distinct_short_phrases_without_stop_words(vocab):
    queries = sample_queries(vocab, 20, skip_top=0)
    assert len(queries) == len(set(queries)) == 20
    assert all(2 <= len(q.split()) <= 6 for q in queries)
    assert not {"the", "of", "and"} & {w for q in queries for w in q.split()}


@pytest.mark.data
def test_the_real_vocabulary_is_ranked_by_frequency():
    require(SPEECHES.exists(), f"needs {SPEECHES} (../shared/data)")
    real = load_vocabulary()
    assert real.words[0] == "the"
    assert len(real.words) > 5000 and len(real.speakers) > 10
