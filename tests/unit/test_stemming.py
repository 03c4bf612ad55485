from __future__ import annotations

from indexer.text.stemming import stem_query, stem_text


def test_stems_drop_stop_words_and_possessives() -> None:
    assert stem_text("The hospitals were shelled in Assad's Idlib") == "hospit were shell assad idlib"
    assert stem_text(None) == ""


def test_query_syntax_survives_stemming() -> None:
    assert stem_query('"not being spared" hospitals | clinics -x (Idlib*)') == \
        '" be spare" hospit | clinic -x (idlib*)'
