"""Candidate passages, their word alignment with the claim, and the sources a check reports.

A quotation may run over the end of one passage into the next (passages are cut at about
250 tokens): when a candidate's alignment reaches its edge without covering the quote, the
neighbouring passage is fetched and the two are aligned as one text.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from elasticsearch import Elasticsearch
from rapidfuzz import fuzz

from indexer.ingest.actions import passage_id
from indexer.people.countries import normalise_country
from indexer.people.directory import Person
from indexer.people.names import name_tokens, parse_name, relation
from indexer.provenance.align import MAX_SILENT_CUT_WORDS, Alignment, DiffOp, align
from indexer.provenance.grade import wording_verdict

EDGE_CHARS = 40  # an alignment this close to a passage's edge may continue in the neighbour
JOINED_CANDIDATES = 4  # only the best few candidates are worth a neighbour fetch


@dataclass(frozen=True)
class Candidate:
    """One passage of the record, as the candidate searches return it (or two joined)."""

    index: str
    doc_id: str
    collection: str
    doc_type: str
    title: str | None
    date: str | None
    symbol: str | None
    speaker: str | None
    speaker_id: str | None
    passage_no: int
    offset_start: int
    offset_end: int
    text: str
    # Where each piece of ``text`` starts in the document: (offset in text, offset in doc).
    pieces: tuple[tuple[int, int], ...] = ()

    @classmethod
    def from_hit(cls, hit: dict[str, Any]) -> Candidate:
        s = hit["_source"]
        start = int(s.get("offset_start") or 0)
        return cls(index=hit["_index"], doc_id=s["doc_id"], collection=s["collection"],
                   doc_type=s.get("type", ""), title=s.get("title"), date=s.get("date"),
                   symbol=s.get("symbol"), speaker=s.get("speaker"),
                   speaker_id=s.get("speaker_id"), passage_no=int(s.get("passage_no") or 0),
                   offset_start=start, offset_end=int(s.get("offset_end") or 0),
                   text=s.get("text") or "", pieces=((0, start),))

    @property
    def key(self) -> str:
        return f"{self.collection}/{self.doc_id}#{self.passage_no}"

    def doc_offset(self, at: int) -> int:
        """A position in ``text`` as an offset into the document."""
        base_text, base_doc = self.pieces[0]
        for piece_text, piece_doc in self.pieces:
            if piece_text <= at:
                base_text, base_doc = piece_text, piece_doc
        return base_doc + (at - base_text)

    def joined(self, other: Candidate) -> Candidate:
        """This passage and the next one of the same document, as one text: the gap between
        them is kept as wide as in the document, so positions in ``text`` minus
        ``offset_start`` stay document offsets."""
        gap = " " * max(1, other.offset_start - self.offset_end)
        offset = len(self.text) + len(gap)
        return Candidate(**{**self.__dict__, "text": self.text + gap + other.text,
                            "offset_end": other.offset_end,
                            "pieces": (*self.pieces, (offset, other.offset_start))})


@dataclass(frozen=True)
class Source:
    """A record passage that is (or may be) where the claim's words come from."""

    candidate: Candidate
    verdict: str | None
    similarity: float
    speaker_match: str  # same | different | unknown
    span: tuple[int, int]  # document offsets of the aligned words
    diff: tuple[DiffOp, ...]

    @property
    def date(self) -> str | None:
        return self.candidate.date

    @classmethod
    def build(cls, candidate: Candidate, alignment: Alignment, verdict: str | None,
              match: str) -> Source:
        return cls(candidate, verdict, round(alignment.similarity, 3), match,
                   (candidate.doc_offset(alignment.start), candidate.doc_offset(alignment.end)),
                   tuple(alignment.ops))

    @classmethod
    def paraphrase(cls, candidate: Candidate, start: int, end: int, cosine: float,
                   match: str) -> Source:
        return cls(candidate, "paraphrase", cosine, match,
                   (candidate.doc_offset(start), candidate.doc_offset(end)), ())

    def to_dict(self) -> dict[str, Any]:
        c = self.candidate
        return {
            "doc_id": c.doc_id, "collection": c.collection, "type": c.doc_type,
            "title": c.title, "date": c.date, "symbol": c.symbol, "speaker": c.speaker,
            "speaker_id": c.speaker_id, "speaker_match": self.speaker_match,
            "verdict": self.verdict, "similarity": self.similarity,
            "passage": {"text": c.text, "offset": c.offset_start, "end": c.offset_end},
            "span": {"start": self.span[0], "end": self.span[1]},
            "diff": [{"op": d.op, "quote": d.quote, "source": d.source} for d in self.diff],
        }


def align_candidates(client: Elasticsearch, quote: str, found: Sequence[Candidate]
                     ) -> list[tuple[Candidate, Alignment]]:
    """Each candidate with its best alignment; candidates holding too little of the quote are
    left out. The best few that stop at a passage edge are aligned again with the neighbour."""
    aligned: list[tuple[Candidate, Alignment]] = []
    for candidate in found:
        alignment = align(quote, candidate.text)
        if alignment is not None:
            aligned.append((candidate, alignment))
    aligned.sort(key=lambda pair: -pair[1].similarity)
    partial = [(c, a) for c, a in aligned[:JOINED_CANDIDATES] if _at_an_edge(c, a)]
    if not partial:
        return aligned
    neighbours = _neighbours(client, [c for c, _ in partial])
    superseded: set[str] = set()  # passages whose words the quote continues past, alone
    for candidate, alignment in partial:
        before = neighbours.get((candidate.index, candidate.doc_id, candidate.passage_no - 1))
        after = neighbours.get((candidate.index, candidate.doc_id, candidate.passage_no + 1))
        pairs = [(before, candidate), (candidate, after)]
        for joined in [a.joined(b) for a, b in pairs if a is not None and b is not None
                       and a.speaker_id == b.speaker_id and a.speaker == b.speaker]:
            better = align(quote, joined.text)
            # More of the quote's words found beats a closer score: a quote whose head ends
            # one passage and whose tail, after a silent cut, opens the next scores lower
            # whole (the cut words count against it) than its tail alone.
            if better is not None and (better.matched, better.similarity) > \
                    (alignment.matched, alignment.similarity):
                aligned.append((joined, better))
                # It stands in for the passage alone only with a wording verdict of its own:
                # a join whose gap is too wide to grade must not hide a graded passage.
                if better.matched > alignment.matched and wording_verdict(better) is not None:
                    superseded.add(candidate.key)
    aligned.sort(key=lambda pair: -pair[1].similarity)
    kept: dict[str, tuple[Candidate, Alignment]] = {}  # a passage once: alone or joined
    for candidate, alignment in aligned:
        if len(candidate.pieces) <= 1 and candidate.key in superseded:
            continue
        kept.setdefault(candidate.key, (candidate, alignment))
    return list(kept.values())


def _at_an_edge(candidate: Candidate, alignment: Alignment) -> bool:
    """Whether the quote's unmatched words may be in a neighbouring passage: the span stops at
    the passage's edge, or the quote's first (last) words are unmatched and no more than a
    silent cut's words lie between the span and the passage's start (end)."""
    if alignment.matched >= alignment.quote_words:
        return False
    text, ops = candidate.text, alignment.ops
    before, after = text[:alignment.start], text[alignment.end:]
    return (len(before) < EDGE_CHARS or len(after) < EDGE_CHARS
            or (ops[0].op == "insert" and len(before.split()) <= MAX_SILENT_CUT_WORDS)
            or (ops[-1].op == "insert" and len(after.split()) <= MAX_SILENT_CUT_WORDS))


def _neighbours(client: Elasticsearch, found: Sequence[Candidate]
                ) -> dict[tuple[str, str, int], Candidate]:
    docs = [{"_index": c.index, "_id": passage_id(c.doc_id, n)}
            for c in found for n in (c.passage_no - 1, c.passage_no + 1) if n >= 0]
    if not docs:
        return {}
    response = client.mget(docs=docs, source_includes=[
        "doc_id", "collection", "type", "title", "date", "symbol", "speaker", "speaker_id",
        "passage_no", "offset_start", "offset_end", "text"]).body
    out: dict[tuple[str, str, int], Candidate] = {}
    for doc in response["docs"]:
        if doc.get("found"):
            candidate = Candidate.from_hit(doc)
            out[(candidate.index, candidate.doc_id, candidate.passage_no)] = candidate
    return out


def speaker_match(claimed: str | None, person: Person | None, candidate: Candidate,
                  speaker: Person | None = None) -> str:
    """``same`` when the claim's speaker is the source's, ``different`` when the source names
    someone else, ``unknown`` when either side names nobody or the claim names no person we
    can tell apart from the source's.

    ``person`` is whom the claim's name resolves to, ``speaker`` the source's own person (its
    recorded names). A name that resolves to nobody is compared with the source's names: a
    form of any of them ("Mueller" for "Ms. Mueller", "Ursula Mueller"), or the same
    surname spelt a little differently ("Müller", "Lowcok", "Nebenzya"), is ``same``; a
    person's name that is neither is ``different``; anything else, a description ("the
    Russian envoy"), a country, or a source that names an office ("The President"), is
    ``unknown``: calling those someone else's words would accuse the reporter of a
    misattribution we cannot see."""
    if not claimed or not claimed.strip() or not (candidate.speaker or candidate.speaker_id):
        return "unknown"
    if person is not None and candidate.speaker_id:
        return "same" if person.id == candidate.speaker_id else "different"
    names = [candidate.speaker or ""] if speaker is None else [speaker.name, *speaker.aliases]
    forms = [p.tokens for n in names if (p := parse_name(n)) is not None and p.tokens]
    parsed = parse_name(claimed)
    if parsed is None or not parsed.tokens:  # a title or an office alone ("King", "the envoy")
        last = name_tokens(claimed)[-1:]
        return "same" if last and any(form[-1:] == last for form in forms) else "unknown"
    country = normalise_country(claimed)
    if not forms or (country and country.kind != "organisation"):
        return "unknown"
    # Any recorded name will do: the directory may hold a fuller name a news story gave the
    # person, wrongly, and a false "different" accuses a reporter; a surname alone on record
    # cannot tell "Robert Mueller" from "Ursula Mueller" either way.
    words = parsed.tokens
    if any(relation(words, form) or _spelt_alike(words, form) for form in forms):
        return "same"
    return "different" if parsed.surname[:1].isupper() else "unknown"


# Surnames this alike (rapidfuzz ratio, 0-100) are one name spelt two ways: "muller" and
# "mueller", "lowcok" and "lowcock", "nebenzya" and "nebenzia".
SPELT_ALIKE = 85


def _spelt_alike(words: tuple[str, ...], form: tuple[str, ...]) -> bool:
    """The same surname, spelt a little differently, and no given name that conflicts."""
    if fuzz.ratio(words[-1], form[-1]) < SPELT_ALIKE:
        return False
    given, known = words[:-1], form[:-1]
    return not given or not known or given[0][0] == known[0][0]
