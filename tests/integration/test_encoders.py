"""The CPU backends run the same model as PyTorch; each collection is queried with its own.

Real model, real exports (into a temporary cache), real node.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from indexer.cli import cli
from indexer.model import choice, static
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


@pytest.mark.parametrize("backend", [b for b in BACKENDS if b not in ("torch", "model2vec")])
def test_backend_vectors_match_pytorch(backend: str, reference, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    passages, queries = reference
    model = Embedder(backend=backend, cache_dir=tmp_path)
    vectors = model.encode_passages(TEXTS)
    assert vectors.shape == passages.shape and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    # Tokens the static table drops (emoji) still give a unit vector, as cosine needs.
    assert np.allclose(np.linalg.norm(model.encode_passages(["\U0001F642\U0001F642"]), axis=1), 1.0)
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


# A text alone, and the same text among mates shorter and longer than it (so its padding
# differs). Static int8 (NNCF) fixes its scales at calibration: no batch mate may move a vector.
ALONE = "The Council extended the mandate of the mission for another twelve months."
MATES = ["Yes.", ALONE, "The ferry crossing was suspended after the storm. " * 12,
         "Talks resumed in Geneva on Monday, diplomats said.", "a " * 300]
BATCH_FLOORS = {"openvino": 0.99999, "openvino-int8": 0.9999}


@pytest.mark.parametrize("backend", ["openvino", "openvino-int8"])
def test_a_vector_does_not_depend_on_its_batch_mates(backend: str, tmp_path: Path) -> None:
    model = Embedder(backend=backend, device="cpu", cache_dir=tmp_path)
    alone = model.encode_passages([ALONE])[0]
    for batch_size in (len(MATES), 2):
        batched = model.encode_passages(MATES, batch_size=batch_size)[MATES.index(ALONE)]
        assert float(alone @ batched) >= BATCH_FLOORS[backend], (batch_size, float(alone @ batched))


def test_auto_measures_once_per_model_and_cpu_then_reads_the_choice(reference, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    before = choice.measurements
    first = Embedder(backend="auto", device="cpu", cache_dir=tmp_path)
    assert not first.loaded  # nothing measured or loaded until the backend is needed
    chosen = first.backend
    assert chosen in choice.CANDIDATES and choice.measurements == before + 1
    assert first.loaded
    cached = first.export_folder / choice.CHOICE_FILE
    [record] = json.loads(cached.read_text()).values()
    assert record["backend"] == chosen and record["cpu"] == choice.cpu_info().as_dict()
    assert set(record["passages_per_s"]) <= set(choice.CANDIDATES) and not record["excluded"]
    assert (first.encode_passages(TEXTS) * reference[0]).sum(axis=1).min() >= 0.9999
    stamp = cached.stat().st_mtime_ns

    # A second process (or gunicorn worker) reads the choice: no model load, no measurement.
    second = Embedder(backend="auto", device="cpu", cache_dir=tmp_path)
    assert second.backend == chosen and not second.loaded
    assert np.allclose(second.encode_passages(TEXTS), first.encode_passages(TEXTS), atol=1e-5)
    assert choice.measurements == before + 1 and cached.stat().st_mtime_ns == stamp
    # An explicit backend is taken as given, without the choice file.
    assert Embedder(backend="onnx", device="cpu", cache_dir=tmp_path / "x").backend == "onnx"
    assert not (tmp_path / "x").exists()


def _index(settings: Settings, collection: str) -> tuple[int, str]:
    result = CliRunner().invoke(
        cli, ["index", str(REPO / "samples" / "articles"), "--collection", collection,
              "--no-progress"], obj=settings, catch_exceptions=False)
    return result.exit_code, result.output


def test_each_collection_is_queried_with_the_encoder_that_made_it(es, clean_prefix, embedder):  # type: ignore[no-untyped-def]
    settings = clean_prefix
    other = "openvino-int8"  # other vectors (about 0.98 cosine from the exact runtimes')
    mine = dataclasses.replace(settings, encoder_backend=embedder.backend)
    theirs = dataclasses.replace(settings, encoder_backend=other)
    assert _index(mine, "mine")[0] == 0
    assert _index(theirs, "theirs")[0] == 0

    code, output = _index(mine, "theirs")  # vectors of two encoders never share a collection
    assert code != 0 and f"VERBATIM_ENCODER_BACKEND={other}" in output
    # The exact runtimes give the same vectors: any of them adds to a collection of another
    # (``auto`` may choose differently on another CPU or after an upgrade).
    exact = "torch" if embedder.backend != "torch" else "openvino"
    assert _index(dataclasses.replace(settings, encoder_backend=exact), "mine")[0] == 0
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
    # The same article scores alike in both: each side compared like with like (int8 moves
    # a vector by up to 0.03 cosine).
    assert all(abs(s["mine"] - s["theirs"]) < 0.05 for s in both), both


def test_model2vec_is_a_static_model_distilled_once_from_the_packaged_one() -> None:
    # The default cache (a temporary folder's verbatim-cache): distilled once per machine.
    model = Embedder(backend="model2vec", device="cpu")
    assert model.backend == "model2vec"
    vectors = model.encode_passages(TEXTS)
    assert vectors.shape == (len(TEXTS), model.dimension) and model.dimension == 384  # as MiniLM
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    assert np.allclose(model.encode_passages(TEXTS[::-1]), vectors[::-1], atol=1e-6)
    assert np.allclose(model.encode_passages(TEXTS[:1])[0], vectors[0], atol=1e-6)
    query = model.encode_queries(["Security Council meeting on Idlib"])[0]
    assert int(np.argmax(vectors @ query)) == 0
    folder = model.export_folder / static.FOLDER
    assert (folder / "model.safetensors").exists() and not list(folder.parent.glob("*.partial"))
