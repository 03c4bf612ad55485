"""Synthetic passages at any scale, in the indexer's own document shape, for the load benchmarks.

Words are drawn with a Zipf-like law from a vocabulary ranked by frequency in the UN General
Debate speeches (read at run time; no text is copied into the repository), so BM25 sees
realistic term statistics. Vectors are random unit vectors: they cost Elasticsearch what real
ones cost (same dims, same int8_hnsw index) but carry no meaning, so these collections measure
speed and size, never quality.

    generate_passages(n, collection="synthetic-1000")       # pure: dicts like passage_source's
    index_synthetic(client, settings, "synthetic-1000", 1000)  # into a versioned index + aliases
"""

from __future__ import annotations

import json
import re
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
from elasticsearch import Elasticsearch
from elasticsearch.helpers import BulkIndexError, parallel_bulk

from bench.common import DATA, require_data
from indexer import indices
from indexer.documents import Document, Speaker, date_precision
from indexer.ingest import actions
from indexer.model.backends import resolve_backend
from indexer.settings import Settings
from indexer.text.stemming import STOP_WORDS, stem_text, stem_words

SPEECHES = DATA / "ungdc_2019_2020" / "speeches.jsonl"
VOCABULARY_SIZE = 30_000
ZIPF_EXPONENT = 1.0
MIN_COUNT = 3
WORDS_PER_PASSAGE = (150, 200)  # inclusive
WORDS_PER_SENTENCE = (8, 25)
PASSAGES_PER_DOC = (1, 20)
FIRST_DAY, LAST_DAY = date(2011, 1, 1), date(2020, 12, 31)
INDEXED_AT = "2025-01-01T00:00:00+00:00"  # fixed, so a seed gives byte-identical documents
SEPARATOR = "\n\n"
# Facets: (type, weight, sources). Speeches and transcripts have speakers, articles authors.
TYPES = (
    ("speech", 0.5, ("UN General Assembly", "Human Rights Council")),
    ("transcript", 0.3, ("UN Security Council", "Economic and Social Council")),
    ("article", 0.2, ("UN News", "Press briefing", "Africa Renewal")),
)
FALLBACK_SPEAKERS = (Speaker("Ada Lovelace", title="Ms.", country="Utopia", role="President"),
                     Speaker("Alan Turing", title="Mr.", country="Erewhon", role="Minister"))
BULK_CHUNK = 500
_WORD = re.compile(r"[a-z]+")
_TITLES = ("Mr.", "Mrs.", "Ms.", "Dr.", "H.E.")


@dataclass(frozen=True)
class Vocabulary:
    """Words ranked by real frequency, their Zipf sampling law, and their precomputed stems."""

    words: tuple[str, ...]
    stems: tuple[str, ...]  # "" for a stop word, as stem_text drops them ("no", "not" kept)
    cdf: np.ndarray
    speakers: tuple[Speaker, ...]


def build_vocabulary(texts: Iterable[str], *, speakers: Iterable[Speaker] = (),
                     size: int = VOCABULARY_SIZE, min_count: int = MIN_COUNT) -> Vocabulary:
    """Rank the words of ``texts`` by frequency (ties alphabetically) and attach Zipf weights."""
    counts: Counter[str] = Counter()
    for text in texts:
        counts.update(w for w in _WORD.findall(text.lower()) if len(w) > 1 or w in ("a", "i"))
    ranked = sorted((w for w, c in counts.items() if c >= min_count), key=lambda w: (-counts[w], w))
    words = tuple(ranked[:size])
    if not words:
        raise ValueError("no words to build a vocabulary from")
    weights = 1.0 / np.arange(1, len(words) + 1, dtype=np.float64) ** ZIPF_EXPONENT
    cdf = np.cumsum(weights / weights.sum())
    cdf[-1] = 1.0
    stems = tuple((stem_words(w, negations=True) or [""])[0] for w in words)
    return Vocabulary(words=words, stems=stems, cdf=cdf,
                      speakers=tuple(speakers) or FALLBACK_SPEAKERS)


def _speaker(record: dict[str, Any]) -> Speaker | None:
    name = str(record.get("speaker") or "").strip()
    if not name:
        return None
    title = next((t for t in _TITLES if name.startswith(t + " ")), None)
    if title:
        name = name[len(title) + 1:]
    return Speaker(name, title=title, country=record.get("country") or None,
                   role=record.get("post") or None)


@cache
def load_vocabulary(path: Path = SPEECHES, *, max_speakers: int = 40) -> Vocabulary:
    """The vocabulary and speakers of the General Debate speeches (read once per process)."""
    texts, speakers = [], []
    with require_data(path).open(encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            texts.append(record.get("text") or "")
            speaker = _speaker(record)
            if speaker is not None and len(speakers) < max_speakers:
                speakers.append(speaker)
    return build_vocabulary(texts, speakers=speakers)


def _sample(vocab: Vocabulary, rng: np.random.Generator, k: int) -> np.ndarray:
    return np.searchsorted(vocab.cdf, rng.random(k), side="right")


def _passage_words(vocab: Vocabulary, rng: np.random.Generator) -> tuple[str, str]:
    """One passage's text (sentences of sampled words) and the stems of its words."""
    ids = _sample(vocab, rng, int(rng.integers(WORDS_PER_PASSAGE[0], WORDS_PER_PASSAGE[1] + 1)))
    words = [vocab.words[i] for i in ids]
    sentences, start = [], 0
    while start < len(words):
        end = min(len(words), start + int(rng.integers(WORDS_PER_SENTENCE[0],
                                                         WORDS_PER_SENTENCE[1] + 1)))
        sentence = words[start:end]
        sentence[0] = sentence[0].capitalize()
        sentences.append(" ".join(sentence) + ".")
        start = end
    stems = " ".join(s for s in (vocab.stems[i] for i in ids) if s)
    return " ".join(sentences), stems


def sample_queries(vocab: Vocabulary, n: int, *, seed: int = 1, words: tuple[int, int] = (2, 6),
                   skip_top: int = 50) -> list[str]:
    """``n`` distinct short phrases of content words (the most frequent ``skip_top`` and stop
    words left out, as people rarely search for them), Zipf-distributed like the passages."""
    rng = np.random.default_rng(seed)
    content = [i for i in range(skip_top, len(vocab.words)) if vocab.words[i] not in STOP_WORDS]
    if not content:
        raise ValueError("the vocabulary has no content words to build queries from")
    weights = 1.0 / (np.asarray(content, dtype=np.float64) + 1) ** ZIPF_EXPONENT
    weights /= weights.sum()
    seen: dict[str, None] = {}
    for _ in range(n * 100):
        if len(seen) >= n:
            break
        k = int(rng.integers(words[0], words[1] + 1))
        phrase = " ".join(vocab.words[content[i]] for i in rng.choice(len(content), k, p=weights))
        seen.setdefault(phrase, None)
    return list(seen)


def _random_day(rng: np.random.Generator) -> str:
    span = (LAST_DAY - FIRST_DAY).days
    return (FIRST_DAY + timedelta(days=int(rng.integers(0, span + 1)))).isoformat()


def unit_vectors(rng: np.random.Generator, k: int, dims: int) -> np.ndarray:
    """``k`` random float32 unit vectors, rounded to 4 decimals (as float64, for short JSON)."""
    vectors = rng.standard_normal((k, dims), dtype=np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    return np.round(vectors.astype(np.float64), 4)


def generate_passages(n: int, *, dims: int = 384, seed: int = 0, collection: str,
                      vocabulary: Vocabulary | None = None,
                      indexed_at: str = INDEXED_AT) -> Iterator[dict[str, Any]]:
    """``n`` passage documents shaped as ``indexer.ingest.actions.passage_source`` shapes them,
    in document order; the same seed gives the same documents."""
    vocab = vocabulary or load_vocabulary()
    rng = np.random.default_rng(seed)
    type_weights = np.asarray([w for _, w, _ in TYPES])
    made, doc_no = 0, 0
    while made < n:
        count = min(int(rng.integers(PASSAGES_PER_DOC[0], PASSAGES_PER_DOC[1] + 1)), n - made)
        doc_type, _, sources = TYPES[int(rng.choice(len(TYPES), p=type_weights))]
        speaker = vocab.speakers[int(rng.integers(len(vocab.speakers)))]
        title_ids = _sample(vocab, rng, int(rng.integers(3, 8)))
        doc = Document(
            doc_id=f"syn-{seed}-{doc_no:07d}", doc_type=doc_type, text="",
            title=" ".join(vocab.words[i].capitalize() for i in title_ids),
            date=_random_day(rng), source=sources[int(rng.integers(len(sources)))],
            speaker=speaker if doc_type != "article" else None,
            author=speaker.display if doc_type == "article" else None,
            symbol=f"S/PV.{int(rng.integers(6000, 9000))}" if doc_type == "transcript" else None,
        )
        bodies = [_passage_words(vocab, rng) for _ in range(count)]
        vectors = unit_vectors(rng, count, dims)
        doc.text = SEPARATOR.join(text for text, _ in bodies)
        context_stems = stem_text(actions.context_line(doc, doc.speaker))
        whole = f"{context_stems} {' '.join(stems for _, stems in bodies)}".strip()
        offset = 0
        for number, ((text, stems), vector) in enumerate(zip(bodies, vectors, strict=True)):
            yield _source(doc, collection, number, count, offset, text,
                          (f"{context_stems} {stems}".strip(), whole), indexed_at,
                          vector.tolist())
            offset += len(text) + len(SEPARATOR)
        made += count
        doc_no += 1


def _source(doc: Document, collection: str, number: int, count: int, offset: int, text: str,
            stems: tuple[str, str], indexed_at: str, vector: list[float]) -> dict[str, Any]:
    # Key for key what actions.passage_source builds (a unit test compares the two); stems
    # (the passage's, the whole document's) come from the precomputed per-word stems, since
    # stemming 10^6 passages would take hours.
    speaker = doc.speaker
    source: dict[str, Any] = {
        "collection": collection, "doc_id": doc.doc_id,
        "doc_key": actions.doc_key(collection, doc.doc_id), "type": doc.doc_type,
        "passage_no": number, "passages_in_doc": count, "offset_start": offset,
        "offset_end": offset + len(text), "title": doc.title, "date": doc.date,
        "date_precision": date_precision(doc.date), "source": doc.source, "url": doc.url,
        "author": doc.author, "symbol": doc.symbol,
        "topic": doc.topic, "text": text, "stems": stems[0], "quotes": [], "quote_speakers": [],
        "indexed_at": indexed_at,
    }
    if speaker is not None:
        source.update({"speaker": speaker.display, "speaker_title": speaker.title,
                       "speaker_role": speaker.role, "speaker_language": speaker.language,
                       "speaker_country": speaker.country})
    if number == 0:
        source["doc_text"] = doc.text
        source["doc_stems"] = stems[1]
        source["metadata"] = doc.metadata or None
    source["embedding"] = vector
    return {key: value for key, value in source.items() if value not in (None, [], {})}


# ---------------------------------------------------------------- indexing


def _count(client: Elasticsearch, index: str) -> int:
    return int(client.count(index=index)["count"])


def store_bytes(client: Elasticsearch, index: str) -> int:
    """Primary store size on disk."""
    stats = client.indices.stats(index=index, metric="store")
    return int(stats["indices"][index]["primaries"]["store"]["size_in_bytes"])


def index_synthetic(client: Elasticsearch, settings: Settings, collection: str, n: int, *,
                    replicas: int = 0, seed: int = 0, dims: int = 384,
                    progress: bool = True) -> dict[str, Any]:
    """Make ``collection`` hold ``n`` synthetic passages (reused when it already does): a new
    versioned index loaded with refresh off, refreshed, not force-merged (as `verbatim index`
    leaves it), then put behind the collection and all-collections aliases."""
    indices.validate_collection(collection)
    encoder = (settings.model, resolve_backend(settings.encoder_backend, settings.device))
    existing = indices.current_index(client, settings, collection)
    if existing is not None:
        meta = indices.index_meta(client, existing).get("synthetic", {})
        fresh = indices.encoder_of(indices.index_meta(client, existing)) == encoder
        if fresh and _count(client, existing) == n and meta.get("n") == n and \
                meta.get("seed") == seed:
            upgraded = upgrade_whole_documents(client, existing, n, collection=collection,
                                               progress=progress)
            return {"index": existing, "reused": True, "passages": n, **meta.get("timings", {}),
                    **upgraded, "store_bytes": store_bytes(client, existing)}
    # Recorded as made by the configured encoder, so that the searcher queries the random
    # vectors with the model the benchmarks time (the vectors say nothing of any model).
    body = indices.index_definition(dims=dims, model=encoder[0], collection=collection,
                                    backend=encoder[1], replicas=replicas)
    refresh_interval = body["settings"]["index"]["refresh_interval"]
    body["settings"]["index"]["refresh_interval"] = "-1"  # one refresh at the end, not 1/s
    name = indices.new_index_name(settings, collection)
    indices.create_index(client, name, body)
    started = time.perf_counter()
    done = 0
    report_every = max(n // 10, 10_000)
    try:
        for _ in parallel_bulk(client, _actions(name, n, dims, seed, collection),
                                thread_count=2, chunk_size=BULK_CHUNK, queue_size=2):
            done += 1
            if progress and done % report_every == 0:
                rate = done / (time.perf_counter() - started)
                print(f"  {collection}: {done:,}/{n:,} passages, {rate:,.0f}/s", flush=True)
    except BulkIndexError as exc:
        raise RuntimeError(f"bulk indexing into {name} failed: {exc.errors[:1]}") from None
    bulk_s = time.perf_counter() - started
    client.indices.put_settings(index=name, settings={"index": {"refresh_interval": refresh_interval}})
    client.indices.refresh(index=name)
    index_s = time.perf_counter() - started
    count = _count(client, name)
    if count != n:
        raise RuntimeError(f"{name} holds {count} passages after loading {n}")
    timings = {"index_s": round(index_s, 2), "bulk_s": round(bulk_s, 2),
               "refresh_s": round(index_s - bulk_s, 2), "docs_per_s": round(n / index_s, 1)}
    meta = indices.index_meta(client, name)
    meta["synthetic"] = {"n": n, "seed": seed, "timings": timings}
    client.indices.put_mapping(index=name, meta=meta)
    indices.attach_aliases(client, settings, collection, name)
    if existing is not None and indices.index_meta(client, existing).get("model") == "synthetic":
        client.indices.delete(index=existing)  # our own older version, now unreachable
    return {"index": name, "reused": False, "passages": n, **timings,
            "store_bytes": store_bytes(client, name)}


def upgrade_whole_documents(client: Elasticsearch, index: str, n: int, *, collection: str,
                            progress: bool = True) -> dict[str, Any]:
    """Bring a reused synthetic index built before schema 2 up to it in place: the new
    fields in its mapping, each document's first passage updated with its whole stems (its
    words follow from ``doc_text``, copied by the mapping), then the schema recorded. Far
    cheaper than loading a million passages again; the updated passages leave their old
    copies deleted in the old segments, which a fresh load would not (the timings say so:
    ``upgraded``)."""
    meta = indices.index_meta(client, index)
    if indices.whole_documents(meta):
        return {"upgraded": meta.get("upgraded")}
    synthetic = meta.get("synthetic", {})
    dims = indices.index_dims(client, index) or 384
    body = indices.index_definition(dims=dims, model=str(meta.get("model")),
                                    collection=collection, backend=indices.encoder_of(meta)[1])
    indices.update_mapping(client, index, body, collection=collection)
    started = time.perf_counter()
    updates = ({"_op_type": "update", "_index": index,
                "_id": actions.passage_id(source["doc_id"], 0),
                "doc": {"doc_stems": source["doc_stems"]}}
               for source in generate_passages(n, dims=dims, seed=int(synthetic.get("seed", 0)),
                                               collection=collection)
               if source["passage_no"] == 0)
    done = 0
    for _ in parallel_bulk(client, updates, thread_count=2, chunk_size=BULK_CHUNK, queue_size=2):
        done += 1
        if progress and done % 20_000 == 0:
            print(f"  {collection}: {done:,} first passages given their whole documents",
                  flush=True)
    client.indices.refresh(index=index)
    upgraded = {"documents": done, "seconds": round(time.perf_counter() - started, 1),
                "segments": segment_count(client, index)}
    # Whole documents only: the passages' own stems stay as they were (schema 3 added "no"
    # and "not" to them, which the sampled queries never hold).
    meta.update(schema=indices.WHOLE_DOCUMENT_SCHEMA, upgraded=upgraded)
    client.indices.put_mapping(index=index, meta=meta)
    return {"upgraded": upgraded}


def segment_count(client: Elasticsearch, index: str) -> int:
    stats = client.indices.stats(index=index, metric="segments")
    return int(stats["indices"][index]["primaries"]["segments"]["count"])


def _actions(index: str, n: int, dims: int, seed: int, collection: str) -> Iterator[dict[str, Any]]:
    for source in generate_passages(n, dims=dims, seed=seed, collection=collection):
        yield {"_op_type": "index", "_index": index,
               "_id": actions.passage_id(source["doc_id"], source["passage_no"]), "_source": source}
