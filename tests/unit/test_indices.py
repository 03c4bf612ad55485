from __future__ import annotations

from indexer import indices


def test_only_an_index_created_at_the_whole_document_schema_is_scored_whole() -> None:
    body = indices.index_definition(dims=384, model="m", collection="un", backend="openvino")
    meta = body["mappings"]["_meta"]
    assert meta["schema"] == indices.SCHEMA_VERSION and indices.whole_documents(meta)
    # Indices from before the schema was recorded, or from schema 1, lack the fields.
    assert not indices.whole_documents({}) and not indices.whole_documents({"schema": 1})
    # Schema 2 has them (schema 3 added the negations to the stems, not to these fields).
    assert indices.whole_documents({"schema": 2})
    fields = body["mappings"]["properties"]
    assert fields["doc_text"]["copy_to"] == "doc_words" and fields["doc_text"]["index"] is False
    assert fields["doc_words"]["analyzer"] == fields["doc_stems"]["analyzer"] == "verbatim_text"


def test_the_current_schema_stores_each_dates_precision_beside_it() -> None:
    body = indices.index_definition(dims=384, model="m", collection="gd", backend="torch")
    assert body["mappings"]["_meta"]["schema"] >= indices.DATE_PRECISION_SCHEMA
    fields = body["mappings"]["properties"]
    assert fields["date_precision"] == {"type": "keyword"}
    assert fields["date"]["format"] == "strict_date_optional_time||yyyy-MM||yyyy"
