"""The query's vectors, each from the encoder that made the searched collections' vectors.

Query and passage vectors must come from the same model on the same backend. Each
collection's index records its (model, backend); a collection indexed on another backend
than the app's own is searched with a query vector from an encoder of that backend,
loaded on first need and kept. The searcher receives a ``QueryVectors`` (or builds one):
it is the only part of the read path that loads models.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence
from typing import Any

from elastic_transport import TransportError
from elasticsearch import ApiError, Elasticsearch

from indexer import indices
from indexer.errors import CollectionError, VerbatimError, elasticsearch_errors
from indexer.model.embedder import Embedder, ModelError
from indexer.search.queries import QueryVector
from indexer.search.request import SearchRequest
from indexer.search.syntax import NEGATION, without_slops
from indexer.settings import RETIRED_BACKENDS, Settings, same_vectors

ENCODERS_TTL_S = 30.0  # how long the collections' encoders are remembered between lookups
WARM_UP_TEXT = "warm up"

Encoder = tuple[str | None, str]  # (model, backend) as an index records it; no model: ours

log = logging.getLogger(__name__)


def semantic_text(q: str) -> str:
    """What the query vector is encoded from: the query without its ``-word`` and
    ``-"a phrase"`` exclusions (they filter both legs; encoded with the rest, the vector
    would be pulled towards the very passages they exclude) and its phrases' slops."""
    return " ".join(without_slops(NEGATION.sub(" ", q)).split())


class QueryVectors:
    """Query vectors per collection encoder, for one app's (or benchmark's) searcher."""

    def __init__(self, client: Elasticsearch, embedder: Embedder | None, settings: Settings,
                 *, ttl_s: float = ENCODERS_TTL_S) -> None:
        self.client = client
        self.embedder = embedder  # the app's own encoder; None: no model configured
        self.settings = settings
        self.index = settings.all_alias
        self.ttl_s = ttl_s
        self._others: dict[tuple[str, str], Embedder] = {}
        self._lock = threading.Lock()
        self._metas: dict[str, dict[str, Any]] = {}
        self._metas_at: float | None = None
        self._metas_lock = threading.Lock()  # one lookup at a time, the newest kept
        # The last lookup's failure and when it began: shared, like an answer, with the calls
        # that waited for it, so that with Elasticsearch down they do not queue one by one.
        self._failed: tuple[float, Exception] | None = None

    def warm(self) -> None:
        """Load every encoder the current collections need, before the first request.

        The app's own model must load: its ``ModelError`` reaches the caller. Another
        collection's encoder that cannot load now (or Elasticsearch not answering at
        start) is logged and left to load on first need.
        """
        if self.embedder is None:
            return
        self.embedder.encode_query(WARM_UP_TEXT)
        try:
            with elasticsearch_errors():
                needed = set(self.encoders().values())
        except VerbatimError as exc:
            log.warning("The collections' encoders are not known at start (%s); each loads "
                        "on first need", exc.message)
            return
        for model, backend in sorted(needed, key=str):
            try:
                self.embedder_for(model, backend).encode_query(WARM_UP_TEXT)
            except Exception as exc:  # any model failure: loaded again on first need, logged
                log.warning("The encoder %s on %s could not be loaded at start (%s); searches "
                            "of its collections will try again", model, backend, exc,
                            exc_info=True)

    def for_request(self, req: SearchRequest) -> tuple[list[QueryVector] | None, str | None]:
        """The query's vector from the encoder of each collection searched, or None and why
        not (keyword mode and empty queries need none; a model failure degrades hybrid).

        The vector is encoded from the query without its ``-exclusions``
        (:func:`semantic_text`); a hybrid query of exclusions only
        is answered by the keyword leg, a semantic one is encoded as written (nothing
        else is left to look for)."""
        if req.mode == "keyword" or not req.q.strip():
            return None, None
        text = semantic_text(req.q)
        if not text:
            if req.mode != "semantic":
                return None, None
            text = req.q.strip()
        if self.embedder is None:
            return None, "no embedding model is configured"
        own = (self.embedder.model_name, self.embedder.backend)
        try:
            encoders = self.encoders()
        except (ApiError, TransportError):
            encoders = {}  # the search itself will report Elasticsearch's state
        groups: dict[tuple[str, str], list[str]] = {}
        for name in req.filters.collections or tuple(encoders):
            model, backend = encoders.get(name, own)
            groups.setdefault((model or own[0], backend), []).append(name)
        try:
            if set(groups) <= {own}:
                return [QueryVector(self.embedder.encode_query(text))], None
            return [QueryVector(self.embedder_for(model, backend).encode_query(text),
                                tuple(sorted(names)))
                    for (model, backend), names in sorted(groups.items())], None
        except Exception as exc:  # any model failure: hybrid degrades to keywords, logged
            log.warning("The model could not encode the query (%s: %s)", type(exc).__name__, exc,
                        exc_info=True)
            return None, f"the model could not encode the query ({type(exc).__name__}: {exc})"

    def collections(self, *, since: float | None = None) -> dict[str, dict[str, Any]]:
        """Each collection's index ``_meta``, looked up again after ``ttl_s``, or when the last
        lookup began before ``since`` (a ``time.monotonic()``): a collection indexed meanwhile
        is searched with its own encoder and schema. Lookups are one at a time, and a caller
        that waited for another's lookup takes its answer when it began after ``since``: many
        requests naming an unknown collection at once cost Elasticsearch a lookup or two, not
        one each. Elasticsearch's errors pass through."""
        asked = time.monotonic()
        if not self._stale(since):
            return self._metas
        with self._metas_lock:
            failed = self._failed
            if failed is not None and failed[0] >= asked:
                raise failed[1]  # a lookup begun since we asked failed: ours would wait as long
            if self._stale(since):
                begun = time.monotonic()
                try:
                    self._metas = indices.collection_metas(self.client, self.index)
                except Exception as exc:
                    self._failed = (begun, exc)
                    raise
                self._metas_at, self._failed = begun, None
            return self._metas

    def _stale(self, since: float | None) -> bool:
        at = self._metas_at
        if at is None:
            return True
        return (since is not None and at < since) or time.monotonic() - at > self.ttl_s

    def require_known(self, names: Sequence[str]) -> None:
        """Refuse names of no collection (a typo, or an index's own name): searched, they
        hold nothing, and "no results" would read as "never said". A name is refused only by
        a lookup begun after this call, so that a collection indexed since is known."""
        asked = time.monotonic()
        if not names or set(names) <= set(self.collections()):
            return
        known = sorted(self.collections(since=asked))
        unknown = [n for n in names if n not in known]
        if unknown:
            listed = ", ".join(known) if known else "none yet (index one with verbatim index)"
            raise CollectionError(
                f"no collection named {', '.join(map(repr, unknown))}; the collections are "
                f"{listed}", parameter="collection")

    def encoders(self) -> dict[str, Encoder]:
        """Each collection's encoder (:meth:`collections`)."""
        return {name: indices.encoder_of(meta) for name, meta in self.collections().items()}

    def whole_documents(self, collections: Sequence[str]) -> bool:
        """Whether every collection searched (all of them when none is named) carries its
        documents' whole words and stems, so hybrid search may score documents whole. Names
        of no known collection hold nothing and are passed over; a collection indexed since
        the last lookup (``ttl_s``) is not known yet, and made by this version if new."""
        metas = self.collections()
        known = [metas[n] for n in collections or metas if n in metas]
        return bool(known) and all(indices.whole_documents(meta) for meta in known)

    def embedder_for(self, model: str | None, backend: str) -> Embedder:
        """The encoder for (model, backend): the app's own, or one loaded once and kept."""
        if self.embedder is None:
            raise ModelError("no embedding model is configured")
        key = (model or self.embedder.model_name, RETIRED_BACKENDS.get(backend, backend))
        if key[0] == self.embedder.model_name and same_vectors(key[1], self.embedder.backend):
            return self.embedder  # the same vectors, whichever exact runtime made them
        with self._lock:
            if key not in self._others:
                self._others[key] = Embedder(key[0], device=self.settings.device, backend=backend,
                                             cache_dir=self.settings.cache_dir)
            return self._others[key]
