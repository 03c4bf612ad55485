"""Resume detection: which documents a re-run skips, finishes, or shortens."""

from __future__ import annotations

from indexer.documents import Document, Passage
from indexer.ingest.prepare import Prepared
from indexer.ingest.resume import Stored, drop_unchanged, old_count


def _prepared(doc_id: str, passages: int, digest: str = "h1") -> Prepared:
    doc = Document(doc_id=doc_id, doc_type="article", text="x " * passages)
    return Prepared(doc, [Passage(doc_id, n, "x", 2 * n, 2 * n + 1) for n in range(passages)],
                    digest)


def test_a_document_is_complete_only_when_every_passage_is_there_with_the_same_hash() -> None:
    whole = Stored("h1", passages_in_doc=3, present=3, highest=3)
    assert whole.complete("h1", 3)
    assert not whole.complete("h2", 3)  # the content changed
    assert not whole.complete("h1", 4)  # the splitter now makes more passages
    assert not Stored("h1", 3, present=2, highest=3).complete("h1", 3)  # a run died mid-document
    assert not Stored("h1", 3, present=3, highest=4).complete("h1", 3)  # a stray passage #3
    assert not Stored("", 0, present=2, highest=2).complete("h1", 2)  # its first passage is gone


def test_drop_unchanged_keeps_new_changed_and_partial_documents_in_order() -> None:
    docs = [_prepared("same", 2), _prepared("new", 1), _prepared("changed", 2, "h2"),
            _prepared("partial", 3)]
    stored = {"same": Stored("h1", 2, 2, 2), "changed": Stored("h1", 2, 2, 2),
              "partial": Stored("h1", 3, 1, 1)}
    assert [p.doc.doc_id for p in drop_unchanged(docs, stored)] == ["new", "changed", "partial"]
    assert drop_unchanged(docs[:1], stored) == []
    assert drop_unchanged(docs, {}) == docs


def test_old_count_covers_every_passage_id_the_document_may_still_hold() -> None:
    assert old_count(None) == 0
    assert old_count(Stored("h1", passages_in_doc=5, present=5, highest=5)) == 5
    # A killed run of a longer version left passages past what the first passage says.
    assert old_count(Stored("h1", passages_in_doc=2, present=4, highest=7)) == 7
    assert old_count(Stored("h1", passages_in_doc=6, present=1, highest=1)) == 6
