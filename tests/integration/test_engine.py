"""The distribution we run does what the product needs, with the index built from mappings/."""

from __future__ import annotations

import pytest

from indexer import indices
from indexer.ingest.actions import passage_id

pytestmark = pytest.mark.integration

PASSAGES = [
    ("d1", 0, "article", "Hospitals and schools were shelled in Idlib, aid workers said."),
    ("d1", 1, "article", "Aid convoys crossed the border at Bab al-Hawa on Thursday."),
    ("d2", 0, "transcript", "The Council must protect medical facilities in north-west Syria."),
    ("d3", 0, "speech", "Our delegation welcomes the ceasefire agreement signed in Moscow."),
]


@pytest.fixture
def passages_index(es, embedder, clean_prefix):  # type: ignore[no-untyped-def]
    body = indices.index_definition(dims=embedder.dimension, model=embedder.model_name,
                                    collection="engine", backend=embedder.backend)
    name = indices.new_index_name(clean_prefix, "engine")
    indices.create_index(es, name, body)
    vectors = embedder.encode_passages([text for *_, text in PASSAGES])
    for (doc_id, number, doc_type, text), vector in zip(PASSAGES, vectors, strict=True):
        es.index(index=name, id=passage_id(doc_id, number), document={
            "collection": "engine", "doc_id": doc_id, "type": doc_type, "passage_no": number,
            "text": text, "embedding": [float(x) for x in vector],
        })
    es.indices.refresh(index=name)
    return name


def test_mapping_is_sized_from_the_model(es, embedder, passages_index):  # type: ignore[no-untyped-def]
    mapping = es.indices.get_mapping(index=passages_index)[passages_index]["mappings"]
    vector = mapping["properties"]["embedding"]
    assert vector["dims"] == embedder.dimension == 384
    assert vector["similarity"] == "cosine"
    assert vector["index_options"]["type"] == "int8_hnsw"
    assert mapping["_meta"]["model"] == embedder.model_name


def test_bm25_with_highlighting_and_filter(es, passages_index):  # type: ignore[no-untyped-def]
    response = es.search(
        index=passages_index,
        query={"bool": {"must": {"match": {"text": "hospitals shelled"}},
                        "filter": {"term": {"type": "article"}}}},
        highlight={"fields": {"text": {"number_of_fragments": 0}},
                   "pre_tags": ["<mark>"], "post_tags": ["</mark>"]},
    )
    hits = response["hits"]["hits"]
    assert [h["_source"]["doc_id"] for h in hits] == ["d1"]
    assert "<mark>Hospitals</mark>" in hits[0]["highlight"]["text"][0]
    assert "<mark>shelled</mark>" in hits[0]["highlight"]["text"][0]


def test_knn_finds_a_paraphrase_and_respects_filters(es, embedder, passages_index):  # type: ignore[no-untyped-def]
    vector = embedder.encode_query("clinics attacked in northwestern Syria")
    unfiltered = es.search(index=passages_index, knn={
        "field": "embedding", "query_vector": vector, "k": 3, "num_candidates": 50})
    top = unfiltered["hits"]["hits"][0]["_source"]
    assert top["doc_id"] in ("d1", "d2")
    filtered = es.search(index=passages_index, knn={
        "field": "embedding", "query_vector": vector, "k": 3, "num_candidates": 50,
        "filter": {"term": {"type": "speech"}}})
    assert {h["_source"]["type"] for h in filtered["hits"]["hits"]} == {"speech"}


def test_results_collapse_to_one_per_document(es, passages_index):  # type: ignore[no-untyped-def]
    response = es.search(
        index=passages_index,
        query={"match": {"text": "aid"}},
        collapse={"field": "doc_id", "inner_hits": {"name": "more", "size": 0}},
        aggs={"docs": {"cardinality": {"field": "doc_id"}}},
    )
    ids = [h["_source"]["doc_id"] for h in response["hits"]["hits"]]
    assert ids == ["d1"]  # both d1 passages match "aid"; one result
    assert response["hits"]["hits"][0]["inner_hits"]["more"]["hits"]["total"]["value"] == 2
