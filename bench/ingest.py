"""Ingest throughput: the indexer end to end against the bare model on the same passages.

    python -m bench.ingest [--documents 100] [--batch-size 128]

1. The passages `verbatim index` would produce for the first N UN General Debate speeches
   (read, split, context prepended: the indexer's own code) are encoded by the bare
   sentence-transformers model, same model, batch size and device.
2. The same speeches are indexed end to end by the pipeline (`--replace` into a fresh index).
3. The same again with the model replaced by precomputed vectors, to show what reading,
   splitting and Elasticsearch sustain on their own.
The ratio end-to-end / bare says how well Elasticsearch and parsing hide behind the model.
"""

from __future__ import annotations

import argparse
import itertools
import time
from collections.abc import Sequence
from typing import Any

import numpy as np

from bench.common import DATA, bench_settings, require_data, write_result
from indexer.client import build_client
from indexer.documents import Document
from indexer.ingest import pipeline
from indexer.ingest.prepare import encoding_texts, prepare
from indexer.ingest.report import RunOptions
from indexer.model.embedder import Embedder
from indexer.sources.files import ReadOptions, read_inputs

SOURCE = DATA / "ungdc_2019_2020" / "speeches.jsonl"


class PrecomputedVectors(Embedder):
    """The real model's tokenizer and dimension, but vectors computed before the clock starts."""

    def __init__(self, real: Embedder, vectors: np.ndarray) -> None:
        super().__init__(real.model_name, device=real.device, backend=real.backend,
                         batch_size=real.batch_size)
        self._model = real.model
        self._vectors = vectors
        self._cursor = 0

    def encode_passages(self, texts: Sequence[str], *, batch_size: int | None = None) -> np.ndarray:
        start = self._cursor % len(self._vectors)
        self._cursor += len(texts)
        rows = [(start + i) % len(self._vectors) for i in range(len(texts))]
        return self._vectors[rows]


def documents(n: int) -> list[Document]:
    items = read_inputs([str(require_data(SOURCE))], ReadOptions())
    return [d for d in itertools.islice(items, n) if isinstance(d, Document)]


def passage_texts(docs: list[Document], embedder: Embedder) -> list[str]:
    """Exactly the texts the pipeline encodes."""
    counter = embedder.token_counter()
    max_tokens = embedder.max_seq_length - embedder.special_tokens
    return [text for doc in docs
            for text in encoding_texts(doc, prepare(doc, counter, max_tokens))]


def run_pipeline(embedder: Embedder, docs: list[Document], collection: str,
                 batch_size: int) -> dict[str, Any]:
    settings = bench_settings()
    client = build_client(settings)
    options = RunOptions(collection=collection, replace=True, encode_batch=batch_size)
    summary = pipeline.run(client, embedder, settings, iter(docs), options)
    return {"documents": summary.documents, "passages": summary.passages,
            "elapsed_s": round(summary.elapsed_s, 2),
            "passages_per_s": round(summary.passages_per_s, 2), "failed": summary.failed}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=100)
    parser.add_argument("--batch-size", type=int, default=128)
    args = parser.parse_args(argv)
    settings = bench_settings()
    embedder = Embedder.from_settings(settings, batch_size=args.batch_size)
    docs = documents(args.documents)
    texts = passage_texts(docs, embedder)
    embedder.encode_passages(texts[:32])  # warm-up: first call pays for lazy initialisation

    started = time.perf_counter()
    vectors = embedder.encode_passages(texts, batch_size=args.batch_size)
    bare_s = time.perf_counter() - started
    bare = {"passages": len(texts), "elapsed_s": round(bare_s, 2),
            "passages_per_s": round(len(texts) / bare_s, 2)}
    print(f"bare model     {bare['passages_per_s']:8.1f} passages/s ({len(texts)} passages)",
          flush=True)

    end_to_end = run_pipeline(embedder, docs, "bench-ingest", args.batch_size)
    print(f"verbatim index {end_to_end['passages_per_s']:8.1f} passages/s", flush=True)
    without_model = run_pipeline(PrecomputedVectors(embedder, vectors), docs,
                                 "bench-ingest-novec", args.batch_size)
    print(f"without model  {without_model['passages_per_s']:8.1f} passages/s", flush=True)
    ratio = end_to_end["passages_per_s"] / bare["passages_per_s"]
    print(f"ratio end-to-end / bare model: {ratio:.3f} (target >= 0.9)")
    write_result("ingest", {
        "source": str(SOURCE.relative_to(DATA.parent.parent)), "documents": len(docs),
        "batch_size": args.batch_size, "device": str(embedder.model.device),
        "bare_model": bare, "end_to_end": end_to_end, "without_model": without_model,
        "ratio_end_to_end_over_bare": round(ratio, 3), "target": 0.9, "met": ratio >= 0.9,
    })


if __name__ == "__main__":
    main()
