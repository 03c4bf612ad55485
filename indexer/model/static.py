"""An opt-in static encoder (``VERBATIM_ENCODER_BACKEND=model2vec``): no transformer at run time.

``model2vec``'s ``distill`` runs the packaged model once over every token of its vocabulary
(about a minute on two cores, nothing downloaded), and a passage's vector is then the
weighted mean of its tokens' rows: thousands of passages a second on any CPU, against tens
for the transformer, at a cost in quality that BENCHMARKS.md measures. Its vectors live in
another space (of the same dimension), so a collection records it as its backend like any
other and is queried with it.

The distilled model is written once into the model's export folder, under the folder's lock.
We install model2vec and skeletoken without model2vec's ``distill`` extra: that extra pins
transformers below 5.4, which sentence-transformers 6 needs; distill runs with 5.x.
"""

from __future__ import annotations

import logging
import os
import shutil
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from indexer.model import backends

if TYPE_CHECKING:
    import numpy as np

log = logging.getLogger(__name__)

FOLDER = "model2vec-full"
# No reduction: the static vectors keep the model's own dimension, so a model2vec collection
# sits beside the transformer's under one all-collections alias (Elasticsearch checks a kNN
# query's dimension against every index it searches, whatever the filter).
PCA_DIMS: int | None = None

StaticEncoder = Callable[[Sequence[str]], "np.ndarray"]


def distilled(model_path: str, folder: Path) -> Path:
    """The distilled model's folder, distilled from ``model_path`` on first use."""
    target = folder / FOLDER
    if (target / "model.safetensors").exists():
        return target
    with backends.locked(folder):
        if not (target / "model.safetensors").exists():
            from model2vec.distill import distill

            log.info("Distilling a static model from %s into %s (about a minute, once)",
                     model_path, target)
            partial = folder / f"{FOLDER}.partial"
            shutil.rmtree(partial, ignore_errors=True)
            distill(model_name=model_path, pca_dims=PCA_DIMS, device="cpu").save_pretrained(
                str(partial))
            shutil.rmtree(target, ignore_errors=True)
            os.replace(partial, target)
    return target


def load(model_path: str, folder: Path) -> tuple[StaticEncoder, int]:
    """An encode function giving normalised vectors, and their dimension."""
    try:
        from model2vec import StaticModel
    except ImportError as exc:
        raise backends.EncoderError(
            "The model2vec backend needs the model2vec and skeletoken packages: "
            "pip install -e '.[static]' in the checkout, or set VERBATIM_ENCODER_BACKEND=auto"
        ) from exc
    try:
        model: Any = StaticModel.from_pretrained(str(distilled(model_path, folder)), normalize=True,
                                                force_download=False)
    except Exception as exc:  # distillation and loading fail in many ways; logged whole
        log.exception("The static model could not be prepared in %s", folder)
        raise backends.EncoderError(
            f"Could not distill or load the static model ({type(exc).__name__}: {exc}); "
            f"delete {folder / FOLDER} to distill it again, or set VERBATIM_ENCODER_BACKEND=auto"
        ) from exc

    def encode(texts: Sequence[str]) -> np.ndarray:
        import numpy

        if not texts:
            return numpy.zeros((0, int(model.dim)), dtype=numpy.float32)
        vectors = numpy.asarray(model.encode(list(texts), show_progress_bar=False),
                                dtype=numpy.float32)
        norms = numpy.linalg.norm(vectors, axis=1, keepdims=True)
        vectors = (vectors / numpy.where(norms == 0, 1, norms)).astype(numpy.float32)
        # A text of tokens the static table drops (emoji only) comes out all zeros, which
        # cosine similarity refuses: it gets one fixed unit vector, near nothing in particular.
        vectors[norms[:, 0] == 0, 0] = 1.0
        return vectors

    return encode, int(model.dim)
