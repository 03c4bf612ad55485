"""The quote check: where a quotation's words come from in the record, and how faithfully.

A claim (words, optionally who said them and when they were reported) is checked in three
steps. Candidates come from Elasticsearch (``candidates``: the passages that hold most of the
words); each is aligned word by word (``align``) and graded (``grade``: verbatim, trimmed,
altered). When no passage holds the wording, the passages nearest in meaning are compared
sentence by sentence with the model: a close enough sentence makes the claim a paraphrase,
and otherwise nothing in the record says it (``not_found``, a confident answer: the record
was searched). The speaker the claim names is compared with the source's, through the same
people directory the indexer resolves speakers with.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from elasticsearch import Elasticsearch

from indexer.errors import elasticsearch_errors
from indexer.model.embedder import Embedder
from indexer.people.directory import Directory, Person
from indexer.people.store import load_directory
from indexer.provenance import candidates, paraphrase
from indexer.provenance.align import Alignment, align
from indexer.provenance.grade import flips_negation, wording_verdict
from indexer.provenance.sources import Candidate, Source, align_candidates, speaker_match
from indexer.search.plan import search_header
from indexer.search.request import Filters, SearchRequest
from indexer.search.vectors import QueryVectors
from indexer.settings import Settings

MAX_CLAIM_CHARS = 2000  # a quotation, not an article: longer text is refused with a 400
MAX_SOURCES = 5
# The cosine (all-MiniLM-L6-v2) of the claim and the closest sentence of a passage from which
# it is a paraphrase; below it, nothing the record says is close enough. Calibrated on the
# labelled set of ``make bench-provenance`` (BENCHMARKS.md, "Quote provenance").
PARAPHRASE_MIN_COSINE = 0.60
PARAPHRASE_MIN_COSINE_SAME_SPEAKER = 0.45  # the words of the person the claim names
DIRECTORY_TTL_S = 60.0  # the people directory is reloaded this often

Verdict = str  # "verbatim" | "trimmed" | "altered" | "paraphrase" | "not_found"


@dataclass(frozen=True)
class Claim:
    """What a user asks about: words, optionally who said them and when they were reported."""

    text: str
    speaker: str | None = None
    date: str | None = None  # yyyy-mm-dd: the article's date; no later record is a source
    collections: tuple[str, ...] | None = None
    exclude: tuple[str, str] | None = None  # (collection, doc_id): the article quoting it


@dataclass
class CheckResult:
    verdict: Verdict
    sources: list[Source]
    also_quoted_in: list[dict[str, Any]]
    claim: Claim
    speaker: Person | None = None  # who the claim's speaker resolved to
    took_ms: float = 0.0
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "verdict": self.verdict,
            "speaker_match": self.sources[0].speaker_match if self.sources else "unknown",
            "claim": {"text": self.claim.text, "speaker": self.claim.speaker,
                      "speaker_id": self.speaker.id if self.speaker else None,
                      "date": self.claim.date},
            "sources": [s.to_dict() for s in self.sources],
            "also_quoted_in": self.also_quoted_in,
            "took_ms": self.took_ms,
        }


class Checker:
    """Checks claims against the record of every collection behind the settings' prefix."""

    def __init__(self, client: Elasticsearch, embedder: Embedder | None, settings: Settings,
                 *, vectors: QueryVectors | None = None) -> None:
        self.client = client.options(retry_on_timeout=False)
        self.embedder = embedder
        self.settings = settings
        self.vectors = vectors or QueryVectors(client, embedder, settings)
        self._directory: Directory | None = None
        self._directory_at = 0.0
        self._lock = threading.Lock()

    def directory(self) -> Directory:
        """The people directory, reloaded after ``DIRECTORY_TTL_S``: checks read it at once
        (lookups never change it) and only a reload takes the lock."""
        current = self._directory
        if current is not None and time.monotonic() - self._directory_at <= DIRECTORY_TTL_S:
            return current
        with self._lock:
            if self._directory is None or \
                    time.monotonic() - self._directory_at > DIRECTORY_TTL_S:
                with elasticsearch_errors():
                    self._directory = load_directory(self.client, self.settings)
                self._directory_at = time.monotonic()
            return self._directory

    def check(self, claim: Claim) -> CheckResult:
        started = time.perf_counter()
        collections = tuple(claim.collections or ())
        person = self._claimed_person(claim)
        with elasticsearch_errors():
            self.vectors.require_known(collections)
            found = self._search(candidates.lexical_body(claim.text, claim.date, collections))
            aligned = align_candidates(self.client, claim.text, found)
            sources = [self._source(c, a, claim, person) for c, a in aligned]
            sources = [s for s in sources if s.verdict is not None]
            if not sources:
                sources = self._paraphrases(claim, collections, person, found)
            also = self._also_quoted(claim, collections)
        sources.sort(key=_rank)
        verdict = sources[0].verdict if sources else "not_found"
        return CheckResult(verdict=verdict or "not_found", sources=sources[:MAX_SOURCES],
                           also_quoted_in=also, claim=claim, speaker=person,
                           took_ms=round((time.perf_counter() - started) * 1000, 1))

    # ------------------------------------------------------------ steps

    def _claimed_person(self, claim: Claim) -> Person | None:
        if not claim.speaker or not claim.speaker.strip():
            return None
        return self.directory().resolve_attribution(claim.speaker.strip(), claim.date,
                                                    create=False)

    def _search(self, body: dict[str, Any]) -> list[Candidate]:
        response = self.client.search(**search_header(self.settings.all_alias), **body,
                                      timeout="5s").body
        return [Candidate.from_hit(hit) for hit in response["hits"]["hits"]]

    def _source(self, candidate: Candidate, alignment: Alignment, claim: Claim,
                person: Person | None) -> Source:
        verdict = wording_verdict(alignment)
        return Source.build(candidate, alignment, verdict,
                            self._speaker_match(claim, person, candidate))

    def _speaker_match(self, claim: Claim, person: Person | None, candidate: Candidate) -> str:
        speaker = self.directory().get(candidate.speaker_id) if candidate.speaker_id else None
        return speaker_match(claim.speaker, person, candidate, speaker)

    def _paraphrases(self, claim: Claim, collections: tuple[str, ...], person: Person | None,
                     lexical: Sequence[Candidate]) -> list[Source]:
        """The passages whose closest sentence says what the claim says, if any does. The
        claimed speaker's own passages are searched too: reported speech names its speaker,
        and a paraphrase of the person named needs less to be believed."""
        if self.embedder is None:
            return []
        content = paraphrase.reported_content(claim.text)
        vectors, _ = self.vectors.for_request(SearchRequest(
            q=content, mode="semantic", filters=Filters(collections=collections)))
        if not vectors:  # the model failed: the wording was checked, the meaning cannot be
            return []
        pool: dict[str, Candidate] = {}
        if vectors:
            pairs = [(v.vector, v.collections) for v in vectors]
            searches = [candidates.semantic_body(pairs, claim.date, collections)]
            if person is not None:
                searches.insert(0, candidates.semantic_body(
                    pairs, claim.date, collections, speaker_id=person.id,
                    k=candidates.SPEAKER_CANDIDATES))
            for body in searches:
                for candidate in self._search(body):
                    pool.setdefault(candidate.key, candidate)
        for candidate in lexical[:3]:
            pool.setdefault(candidate.key, candidate)
        out = []
        for match in paraphrase.closest(self.embedder, content, list(pool.values())):
            same = person is not None and match.candidate.speaker_id == person.id
            if match.cosine >= (PARAPHRASE_MIN_COSINE_SAME_SPEAKER if same
                                else PARAPHRASE_MIN_COSINE):
                source = Source.paraphrase(match.candidate, match.start, match.end,
                                           round(match.cosine, 3),
                                           self._speaker_match(claim, person,
                                                               match.candidate))
                out.append(_reversed(content, source) or source)
        return out

    def _also_quoted(self, claim: Claim, collections: tuple[str, ...]) -> list[dict[str, Any]]:
        body = candidates.also_quoted_body(claim.text, claim.date, collections, claim.exclude)
        response = self.client.search(**search_header(self.settings.all_alias), **body,
                                      timeout="5s").body
        return [{key: hit["_source"].get(key)
                 for key in ("doc_id", "collection", "title", "date", "source")}
                for hit in response["hits"]["hits"]]


def _reversed(content: str, source: Source) -> Source | None:
    """``source`` graded altered when the claim says its closest sentence's words with a
    negation taken out or put in: the model finds a sentence and its opposite close in
    meaning, and leaving out a "not" is never a paraphrase. Ranked as the paraphrase was."""
    alignment = align(content, source.candidate.text)
    if alignment is None or not flips_negation(alignment):
        return None
    start, end = (source.candidate.doc_offset(alignment.start),
                  source.candidate.doc_offset(alignment.end))
    if end <= source.span[0] or start >= source.span[1]:  # the words of another sentence
        return None
    altered = Source.build(source.candidate, alignment, "altered", source.speaker_match)
    return dataclasses.replace(altered, similarity=source.similarity)


_VERDICT_ORDER = {"verbatim": 0, "trimmed": 1, "altered": 2, "paraphrase": 3}
_SPEAKER_ORDER = {"same": 0, "unknown": 1, "different": 2}


def _rank(source: Source) -> tuple[float, int, int, str]:
    """The likeliest source first: the closest wording, then the claimed speaker's words,
    then the earliest record (a later record repeating the words is not where they began)."""
    return (-source.similarity, _VERDICT_ORDER.get(source.verdict or "", 9),
            _SPEAKER_ORDER[source.speaker_match], source.date or "9999")

