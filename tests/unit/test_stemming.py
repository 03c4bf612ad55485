from __future__ import annotations

from indexer.text.stemming import stem_query, stem_text


def test_stems_drop_stop_words_and_possessives() -> None:
    assert stem_text("The hospitals were shelled in Assad's Idlib") == "hospit were shell assad idlib"
    assert stem_text(None) == ""
    # But never "no" or "not": a phrase on the stems must not match its opposite.
    assert stem_text("No, they were not shelled") == "no were not shell"


def test_query_syntax_survives_stemming() -> None:
    assert stem_query('"being spared" hospitals | clinics -x (Idlib*)') == \
        '"be spare" hospit | clinic -x (idlib*)'


def test_a_quoted_phrase_keeps_its_negations() -> None:
    # As the stemmed fields hold them: "not being spared" is not "being spared".
    assert stem_query('"not being spared" hospitals') == '"not be spare" hospit'
    assert stem_query('"No evidence"~3 of that') == '"no evid"~3'
    assert stem_query("did not support") == "did support"  # loose words: no statement
    # The fields hold the other negations already ("didn t", "never"): stemmed as usual.
    assert stem_query('"didn’t support" "never again"') == '"didn t support" "never again"'
