from __future__ import annotations

from typing import Any

from indexer.search import results
from indexer.search.candidate_facets import aggregations
from indexer.search.queries import FACET_SIZE


def _hit(collection: str, doc_id: str, n: int = 0, **source: Any) -> dict[str, Any]:
    return {"_id": f"{doc_id}#{n}", "_source": {
        "collection": collection, "doc_id": doc_id, "doc_key": f"{collection}/{doc_id}",
        "type": "speech", **source}}


def test_documents_not_passages_are_counted_and_a_passage_in_both_legs_once() -> None:
    a0 = _hit("un", "a", 0, speaker="Mr. Heusgen", speaker_id="heusgen", date="2020-02-27")
    a1 = _hit("un", "a", 1, speaker="Mr. Heusgen", speaker_id="heusgen", date="2020-02-27")
    b0 = _hit("un", "b", 0, speaker="Ms. DiCarlo", speaker_id="dicarlo", date="2020-03-01")
    aggs = aggregations([[a0, a1, b0], [a1, b0]])
    assert aggs["collection"]["buckets"] == [{"key": "un", "doc_count": 3, "docs": {"value": 2}}]
    assert aggs["speaker"]["buckets"] == [
        {"key": "dicarlo", "doc_count": 1, "docs": {"value": 1}},  # a tie: the key breaks it
        {"key": "heusgen", "doc_count": 2, "docs": {"value": 1}}]
    assert aggs["total_docs"] == {"value": 2}
    assert [b["key_as_string"] for b in aggs["date_month"]["dates"]["buckets"]] == [
        "2020-02-01", "2020-03-01"]
    assert aggs["date_year"]["buckets"] == [
        {"key_as_string": "2020-01-01", "doc_count": 3, "docs": {"value": 2}}]


def test_the_same_passage_id_in_two_collections_is_two_passages() -> None:
    aggs = aggregations([[_hit("un", "a"), _hit("news", "a")], [_hit("un", "a")]])
    assert {b["key"]: b["docs"]["value"] for b in aggs["collection"]["buckets"]} == {
        "un": 1, "news": 1}
    assert aggs["total_docs"] == {"value": 2}


def test_speakers_without_a_person_are_counted_by_name() -> None:
    named = _hit("un", "a", speaker="Mr. Heusgen", speaker_id="heusgen")
    unnamed = _hit("un", "b", speaker="The President")
    nobody = _hit("news", "c")
    facets = results.facets({"aggregations": aggregations([[named, unnamed, nobody], []])})[1]
    assert facets["speaker"] == [{"value": "heusgen", "count": 1, "id": "heusgen"},
                                 {"value": "The President", "count": 1, "id": None}]


def test_dates_bucket_as_elasticsearch_does_in_utc_and_in_every_mapped_format() -> None:
    hits = [_hit("un", "a", date="1995"), _hit("un", "b", date="1995-06"),
            _hit("un", "c", date="2020-03-01T00:30:00+02:00"),  # still February in UTC
            _hit("un", "d", date="2020-02-10T12:00:00Z"), _hit("un", "e"),
            _hit("un", "f", date="not a date")]
    aggs = aggregations([hits, []])
    assert [(b["key_as_string"], b["docs"]["value"])
            for b in aggs["date_month"]["dates"]["buckets"]] == [
        ("1995-01-01", 1), ("1995-06-01", 1), ("2020-02-01", 2)]
    assert [(b["key_as_string"], b["docs"]["value"]) for b in aggs["date_year"]["buckets"]] == [
        ("1995-01-01", 2), ("2020-01-01", 2)]


def test_a_facet_lists_at_most_facet_size_values_the_most_documents_first() -> None:
    # Each speaker i has one document of i % 3 + 1 passages; "many" has 3 documents of one
    # passage each, and comes first although others have as many passages.
    hits = [_hit("un", f"d{i}", n, speaker_id=f"p{i:02d}") for i in range(FACET_SIZE + 5)
            for n in range(i % 3 + 1)]
    hits += [_hit("un", f"m{i}", speaker_id="many") for i in range(3)]
    buckets = aggregations([hits, []])["speaker"]["buckets"]
    assert len(buckets) == FACET_SIZE
    assert buckets[0] == {"key": "many", "doc_count": 3, "docs": {"value": 3}}
    rest = buckets[1:]
    assert all(b["docs"]["value"] == 1 for b in rest)
    assert [b["key"] for b in rest] == sorted(b["key"] for b in rest)


def test_no_passages_no_counts() -> None:
    assert results.facets({"aggregations": aggregations([[], []])}) == (0, results.facets({})[1])


def test_a_date_stored_as_only_a_year_is_in_its_year_and_in_no_month() -> None:
    hits = [_hit("un", "gd", date="2019", date_precision="year"),
            _hit("un", "gd", 1, date="2019", date_precision="year"),
            _hit("un", "old", date="2019"),  # indexed before precisions: a day's, as in ES
            _hit("un", "m", date="2019-10", date_precision="month"),
            _hit("un", "d", date="2019-05-03", date_precision="day")]
    aggs = aggregations([hits, []])
    assert [(b["key_as_string"], b["docs"]["value"]) for b in aggs["date_year"]["buckets"]] == [
        ("2019-01-01", 4)]
    assert [(b["key_as_string"], b["docs"]["value"])
            for b in aggs["date_month"]["dates"]["buckets"]] == [
        ("2019-01-01", 1), ("2019-05-01", 1), ("2019-10-01", 1)]
    assert aggs["date_year_only"] == {"doc_count": 2, "dates": {"buckets": [
        {"key_as_string": "2019", "doc_count": 2, "docs": {"value": 1}}]}}
    facets = results.facets({"aggregations": aggs})[1]
    assert facets["date_interval"] == "month"
    assert facets["date_year_only"] == [{"date": "2019", "count": 1}]
