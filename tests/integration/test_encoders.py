"""The CPU backends run the same model as PyTorch; each collection is queried with its own.

Real model, real exports (into a temporary cache), real node.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from indexer.cli import cli
from indexer.model.backends import BACKENDS
from indexer.model.embedder import Embedder
from indexer.search.request import Filters, SearchRequest
from indexer.search.searcher import Searcher
from indexer.settings import Settings

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]
TEXTS = [
    "The Security Council met on the situation in Idlib.",
    "Nearly a million people have fled the fighting since December, " * 30,  # truncated at 256
    "ferry",
]
# Full precision must give PyTorch's vectors on any CPU. int8 must stay close enough to rank
# alike; its kernels differ between CPUs (VNNI or not, Intel or AMD: 0.985 on one machine,
# 0.971 at worst over SciFact on another), so its floor leaves room for the next CPU.
FLOORS = {"onnx": 0.9999, "openvino": 0.9999, "openvino-int8": 0.95}


@pytest.fixture(scope="module")
def reference() -> tuple[np.ndarray, np.ndarray]:
    model = Embedder(backend="torch")
    return model.encode_passages(TEXTS), model.encode_queries(TEXTS)


@pytest.mark.parametrize("backend", [b for b in BACKENDS if b != "torch"])
def test_backend_vectors_match_pytorch(backend: str, reference, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    passages, queries = reference
    model = Embedder(backend=backend, cache_dir=tmp_path)
    vectors = model.encode_passages(TEXTS)
    assert vectors.shape == passages.shape and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    assert (vectors * passages).sum(axis=1).min() >= FLOORS[backend]
    assert (model.encode_queries(TEXTS) * queries).sum(axis=1).min() >= FLOORS[backend]
    # Order is kept although batches are sorted by length.
    assert np.allclose(model.encode_passages(TEXTS[::-1]), vectors[::-1], atol=1e-5)
    # A text's vector does not depend on the texts batched with it.
    alone = model.encode_passages(TEXTS[:1])[0]
    assert np.allclose(alone, vectors[0], atol=1e-4)

    exported = sorted(p for p in tmp_path.rglob("*") if p.suffix in (".onnx", ".xml", ".bin"))
    assert exported and not any("partial" in p.name for p in exported)
    stamps = [p.stat().st_mtime_ns for p in exported]
    again = Embedder(backend=backend, cache_dir=tmp_path)
    assert np.allclose(again.encode_passages(TEXTS), vectors, atol=1e-5)
    assert [p.stat().st_mtime_ns for p in exported] == stamps  # reused, not exported again


def _index(settings: Settings, collection: str) -> tuple[int, str]:
    result = CliRunner().invoke(
        cli, ["index", str(REPO / "samples" / "articles"), "--collection", collection,
              "--no-progress"], obj=settings, catch_exceptions=False)
    return result.exit_code, result.output


def test_each_collection_is_queried_with_the_encoder_that_made_it(es, clean_prefix, embedder):  # type: ignore[no-untyped-def]
    settings = clean_prefix
    other = "torch" if embedder.backend != "torch" else "openvino"
    mine = dataclasses.replace(settings, encoder_backend=embedder.backend)
    theirs = dataclasses.replace(settings, encoder_backend=other)
    assert _index(mine, "mine")[0] == 0
    assert _index(theirs, "theirs")[0] == 0

    code, output = _index(mine, "theirs")  # vectors of two backends never share a collection
    assert code != 0 and f"VERBATIM_ENCODER_BACKEND={other}" in output
    listing = CliRunner().invoke(cli, ["collections"], obj=settings).output
    assert f"({embedder.backend})" in listing and f"({other})" in listing

    searcher = Searcher(es, embedder, settings)
    req = SearchRequest(q="ferry crossing suspended", mode="semantic",
                        filters=Filters(collections=("mine", "theirs")), size=20)
    vectors, degraded = searcher.vectors.for_request(req)
    assert degraded is None and vectors is not None
    assert sorted(v.collections for v in vectors) == [("mine",), ("theirs",)]
    results = searcher.search(req, mark_semantic=False)["results"]
    scores: dict[str, dict[str, float]] = {}
    for r in results:
        scores.setdefault(r["doc_id"], {})[r["collection"]] = r["ranks"]["fused"]
    both = [s for s in scores.values() if len(s) == 2]
    assert both, results
    # The same article scores alike in both: each side compared like with like.
    assert all(abs(s["mine"] - s["theirs"]) < 0.01 for s in both), both
