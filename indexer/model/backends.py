"""Faster runtimes for the same sentence-transformers model: ONNX Runtime and OpenVINO.

The PyTorch model encodes about 27 passages/s on a 2-core CPU. The whole model
(transformer, pooling, normalisation) is exported once to ONNX from the model Verbatim
already has, nothing downloaded, into the cache folder, and run by ONNX Runtime or
OpenVINO (``bench/encode.py`` measures both against PyTorch, speed and retrieval quality).
The tokenizer stays the model's own, so truncation and prompts are exactly those of the
PyTorch path.

We export with ``torch.onnx`` rather than through sentence-transformers' optimum-based
backends: optimum-onnx pins transformers below 5, which sentence-transformers 6 needs.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import logging
import os
import re
import threading
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from indexer.settings import ENCODER_BACKENDS

if TYPE_CHECKING:
    import numpy as np
    import torch
    from sentence_transformers import SentenceTransformer

log = logging.getLogger(__name__)

# "auto" is PyTorch on a GPU; on a CPU, the fastest full-precision backend measured there
# (indexer/model/choice.py).
BACKENDS = ENCODER_BACKENDS
# What "auto" stands for on a CPU where it has not been measured (resolve_backend's answer).
CPU_GUESS = "openvino"
EXPORT_VERSION = "1"  # bump when the export below changes: cached files are then rebuilt
INPUT_NAMES = ("input_ids", "attention_mask", "token_type_ids")

Runner = Callable[[dict[str, "np.ndarray"]], "np.ndarray"]


class EncoderError(RuntimeError):
    """The model could not be exported or run on the chosen backend; says which and why."""


def on_gpu(device: str | None) -> bool:
    """Whether the model runs on an accelerator: the device asked for, or CUDA when none is."""
    if device:
        return not device.startswith("cpu")
    try:
        import torch

        return bool(torch.cuda.is_available())
    except ImportError:  # pragma: no cover - torch is a dependency
        return False


def measured(backend: str, device: str | None) -> bool:
    """Whether ``backend`` is chosen by measuring (indexer/model/choice.py): "auto" on a CPU."""
    return backend == "auto" and not on_gpu(device)


def resolve_backend(backend: str, device: str | None) -> str:
    """The backend a setting names without measuring: itself when explicit; for "auto",
    PyTorch wherever CUDA is used and CPU_GUESS on a CPU. The Embedder measures "auto" on a
    CPU instead (``Embedder.backend`` is the backend a collection records)."""
    if backend != "auto":
        return backend
    return "torch" if on_gpu(device) else CPU_GUESS


def model_fingerprint(path: str) -> str:
    """Names, sizes and times of the model's files: a changed model gets a fresh export."""
    root = Path(path)
    digest = hashlib.sha256(f"{EXPORT_VERSION}:{path}".encode())
    if root.is_dir():
        for file in sorted(root.rglob("*")):
            if file.is_file() and "onnx" not in file.parts and "openvino" not in file.parts:
                stat = file.stat()
                digest.update(f"{file.relative_to(root)}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    return digest.hexdigest()[:16]


def export_dir(cache_dir: Path, model_name: str, model_path: str) -> Path:
    slug = re.sub(r"[^A-Za-z0-9._-]+", "_", model_name).strip("_")[-60:] or "model"
    return cache_dir / "models" / f"{slug}-{model_fingerprint(model_path)}"


@contextlib.contextmanager
def locked(folder: Path, name: str = ".lock") -> Iterator[None]:
    """One exporter (or measurer, with its own lock file) at a time: gunicorn's workers start
    together and share the cache. Not re-entrant: nest only different names."""
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / name, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def tokenize(model: SentenceTransformer, texts: list[str]) -> dict[str, torch.Tensor]:
    """The model's own tokenization (``preprocess`` since sentence-transformers 6)."""
    method = getattr(model, "preprocess", None) or model.tokenize
    return method(texts)


def input_names(model: SentenceTransformer) -> list[str]:
    features = tokenize(model, ["probe"])
    return [name for name in INPUT_NAMES if name in features]


def export_onnx(model: SentenceTransformer, target: Path) -> None:
    """The whole sentence-transformers pipeline as one ONNX graph with dynamic batch and length."""
    import torch

    names = input_names(model)

    class Whole(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.st = model

        def forward(self, *tensors: torch.Tensor) -> torch.Tensor:
            out: torch.Tensor = self.st(dict(zip(names, tensors, strict=True)))["sentence_embedding"]
            return out

    features = tokenize(model, ["a probe sentence", "a second, longer probe sentence for shapes"])
    args = tuple(features[name].to(model.device) for name in names)
    axes = {name: {0: "batch", 1: "tokens"} for name in names}
    axes["sentence_embedding"] = {0: "batch"}
    partial = target.with_suffix(".partial")
    import warnings

    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore")  # tracer warnings about Python control flow
        torch.onnx.export(Whole().eval(), args, str(partial), input_names=names,
                          output_names=["sentence_embedding"], dynamic_axes=axes,
                          opset_version=17, dynamo=False)
    os.replace(partial, target)


def quantize_openvino(model: SentenceTransformer, source: Path, target: Path) -> None:
    """Static int8 with NNCF: activation ranges measured on indexer/model/calibration.py's texts,
    one text per sample so that padding never enters the statistics."""
    import nncf
    import openvino

    from indexer.model.calibration import CALIBRATION_TEXTS

    names = input_names(model)

    def sample(text: str) -> dict[str, np.ndarray]:
        features = tokenize(model, [text])
        return {name: features[name].cpu().numpy().astype("int64") for name in names}

    quantized = nncf.quantize(
        openvino.Core().read_model(str(source)),
        nncf.Dataset([sample(text) for text in CALIBRATION_TEXTS]),
        model_type=nncf.ModelType.TRANSFORMER, subset_size=len(CALIBRATION_TEXTS),
    )
    partial = target.with_name(target.stem + "-partial.xml")
    openvino.save_model(quantized, str(partial))
    os.replace(partial.with_suffix(".bin"), target.with_suffix(".bin"))
    os.replace(partial, target)


def exported_file(model: SentenceTransformer, folder: Path, backend: str) -> Path:
    """The model file a backend runs, built on first use and reused from the cache afterwards."""
    fp32 = folder / "model.onnx"
    wanted = folder / "openvino-int8.xml" if backend == "openvino-int8" else fp32
    if wanted.exists():
        return wanted
    with locked(folder):
        if not fp32.exists():
            export_onnx(model, fp32)
        if backend == "openvino-int8" and not wanted.exists():
            quantize_openvino(model, fp32, wanted)
    return wanted


def onnx_runner(path: Path, names: Sequence[str]) -> Runner:
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.log_severity_level = 3
    session = onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])

    def run(inputs: dict[str, np.ndarray]) -> np.ndarray:
        vectors: np.ndarray = session.run(None, {name: inputs[name] for name in names})[0]
        return vectors

    return run


def openvino_runner(path: Path, names: Sequence[str]) -> Runner:
    import openvino

    # Full precision on every CPU: OpenVINO would run bf16 by default on CPUs that have it
    # (AMX, AVX512_BF16), and the vectors would then depend on the machine.
    compiled = openvino.Core().compile_model(str(path), "CPU", {"INFERENCE_PRECISION_HINT": "f32"})
    local = threading.local()  # an infer request serves one thread at a time

    def run(inputs: dict[str, np.ndarray]) -> np.ndarray:
        request = getattr(local, "request", None)
        if request is None:
            request = local.request = compiled.create_infer_request()
        vectors: np.ndarray = request.infer({name: inputs[name] for name in names})[0].copy()
        return vectors

    return run


def build_runner(model: SentenceTransformer, backend: str, folder: Path) -> Runner:
    """A function from tokenized inputs to sentence vectors, for a non-PyTorch backend."""
    names = input_names(model)
    try:
        if backend == "onnx":
            return onnx_runner(exported_file(model, folder, backend), names)
        if backend in ("openvino", "openvino-int8"):
            return openvino_runner(exported_file(model, folder, backend), names)
    except ImportError as exc:
        raise EncoderError(
            f"The {backend} backend needs the {exc.name} package: pip install {exc.name} "
            "(openvino-int8: pip install -e '.[int8]' in the checkout), or set VERBATIM_ENCODER_BACKEND=torch"
        ) from exc
    except Exception as exc:  # export and runtime errors come in many types; logged whole
        log.exception("The %s backend could not be prepared in %s", backend, folder)
        raise EncoderError(
            f"Could not run the model on the {backend} backend ({type(exc).__name__}: {exc}); "
            f"set VERBATIM_ENCODER_BACKEND=torch, or delete {folder} to export it again"
        ) from exc
    raise EncoderError(f"Unknown encoder backend {backend!r}; use one of {', '.join(BACKENDS)}")


def encode(model: SentenceTransformer, run: Runner, texts: Sequence[str], *, batch_size: int,
           prompt: str | None = None) -> np.ndarray:
    """Normalised vectors in input order. Texts are batched longest first, as
    sentence-transformers does, so each batch pads to similar lengths."""
    import numpy

    texts = [prompt + t for t in texts] if prompt else list(texts)
    order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
    rows: dict[int, np.ndarray] = {}
    for start in range(0, len(order), batch_size):
        chosen = order[start:start + batch_size]
        features = tokenize(model, [texts[i] for i in chosen])
        # The runner picks the inputs its graph takes (input_names, fixed at export).
        inputs = {name: features[name].cpu().numpy().astype(numpy.int64)
                  for name in INPUT_NAMES if name in features}
        for i, row in zip(chosen, run(inputs), strict=True):
            rows[i] = row
    matrix = numpy.vstack([rows[i] for i in range(len(texts))]).astype(numpy.float32)
    norms = numpy.linalg.norm(matrix, axis=1, keepdims=True)
    return matrix / numpy.where(norms == 0, 1, norms)
