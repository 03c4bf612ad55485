"""The concordance: every occurrence of a phrase in the archive, as keyword-in-context lines.

Elasticsearch holds passages, and an occurrence may straddle two of them (a phrase read across
a sentence end, "... the Council. The Council ...") or sit in the overlap of two; counting
passage hits would lose the first and count the second twice. So Elasticsearch only names the
*candidate documents* and the counting is done here, on each document's whole text (``doc_text``,
stored on its first passage), with one regular expression built from the phrase's words:

- a document is a candidate when one of its passages holds the phrase (``match_phrase``), or
  begins with the phrase's last words (``span_first``): the second half of a straddling
  occurrence always starts a passage;
- the matching rule (``pattern``): the phrase's words, case-insensitive, in order, separated
  in the text by anything that is not a letter or a digit (spaces, line breaks, punctuation:
  "cross-border" matches "cross border" and "Cross-Border", "council the" matches
  "Council. The"); a word matches whole words only, and "'"/"’" inside a word are the same
  (as the index's tokenizer, "council" does not match "Council's").

The work is bounded: at most ``MAX_DOCUMENTS`` candidate documents are read per request, the
oldest first (newest first with ``order="newest"``), and the answer says ``truncated`` when
there were more. Each line is attributed to the passage its match starts in (speaker, and the
passage a link opens).
"""

from __future__ import annotations

import dataclasses
import re
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from indexer.errors import elasticsearch_errors
from indexer.search import plan, queries, reads, results, speakers
from indexer.search.request import SEARCH_TIMEOUT, Filters
from indexer.search.searcher import Searcher

MAX_PHRASE_CHARS = 200
MAX_PHRASE_WORDS = 16
MAX_DOCUMENTS = 200  # candidate documents read (whole) per request
CONTEXT_CHARS = 80  # characters of context each side of a match
DEFAULT_SIZE = 25
MAX_SIZE = 100
ORDERS = ("oldest", "newest")
FETCH_BATCH = 20  # documents fetched per msearch
MAX_PASSAGES = reads.DOCUMENT_MAX_PASSAGES
LINE_FIELDS = ("doc_id", "collection", "date", "speaker", "speaker_id", "left", "match", "right",
               "offset")
EXPORT_COLUMNS = ("collection", "doc_id", "type", "title", "date", "speaker", "speaker_id",
                  "offset", "passage", "left", "match", "right")
_SOURCE = ["doc_id", "doc_key", "collection", "type", "title", "date", "passage_no",
           "offset_start", "offset_end", "speaker", "speaker_id", "doc_text"]

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
_APOSTROPHE = re.compile(r"['’]")
FIRST_USE_DOCUMENTS = 10  # read, oldest first, for the first use when the newest were read
_GAP = r"[\W_]+"  # what may stand between two words of the phrase
_BEFORE = r"(?<![^\W_])(?<![^\W_]['’])"  # not inside a word, nor after "council'"
_AFTER = r"(?!['’]?[^\W_])"


class PhraseError(ValueError):
    """The phrase cannot be searched (no words, too many); the message says why."""


@dataclass(frozen=True)
class Occurrence:
    """One match of the phrase in a document's text: ``[start, end)``."""

    start: int
    end: int


def phrase_words(phrase: str) -> list[str]:
    """The phrase's words, lower-cased, apostrophes as "'": what is matched."""
    words = [_APOSTROPHE.sub("'", w.lower()) for w in _WORD.findall(phrase)]
    if not words:
        raise PhraseError("the phrase has no words (letters or digits) to look for")
    if len(words) > MAX_PHRASE_WORDS:
        raise PhraseError(f"the phrase has {len(words)} words; the limit is {MAX_PHRASE_WORDS}")
    return words


def pattern(words: Sequence[str]) -> re.Pattern[str]:
    """The regular expression for the matching rule (see the module's docstring)."""
    parts = ["['’]".join(re.escape(piece) for piece in word.split("'")) for word in words]
    return re.compile(_BEFORE + _GAP.join(parts) + _AFTER, re.IGNORECASE)


def occurrences(text: str, words: Sequence[str]) -> list[Occurrence]:
    """Every non-overlapping match of the phrase in ``text``, in order."""
    return [Occurrence(m.start(), m.end()) for m in pattern(words).finditer(text)]


def kwic(text: str, found: Occurrence, width: int = CONTEXT_CHARS) -> tuple[str, str, str]:
    """The line's left context, match and right context, about ``width`` characters each,
    whitespace folded to single spaces, without a word the window cut in two."""
    left = _fold(text[max(0, found.start - width):found.start])
    right = _fold(text[found.end:found.end + width])
    left, right = left.strip(), right.strip()
    start, end = found.start - width, found.end + width  # the windows' outer edges
    if start > 0 and _inside_word(text, start):  # the window cut its first word: drop it
        left = left[left.index(" ") + 1:] if " " in left else ""
    if end < len(text) and _inside_word(text, end):
        right = right[:right.rindex(" ")] if " " in right else ""
    return left, _fold(text[found.start:found.end]), right


def _inside_word(text: str, at: int) -> bool:
    """Whether ``at`` falls between two characters of one word (no space either side)."""
    return not text[at - 1].isspace() and not text[at].isspace()


def _fold(text: str) -> str:
    return re.sub(r"\s+", " ", text)


# ------------------------------------------------------------ query bodies (pure)


def candidates_body(words: Sequence[str], filters: Filters, *, order: str,
                    limit: int, raw: str | None = None) -> dict[str, Any]:
    """One hit per candidate document (collapsed on ``doc_key``), oldest or newest first.
    ``raw``, the phrase as typed, is matched too: the index keeps "U.N." and "1.5" as one
    token each, where the phrase's words split them."""
    phrase = " ".join(words)
    should: list[dict[str, Any]] = [{"match_phrase": {"text": {"query": phrase}}}]
    if raw and " ".join(raw.lower().split()) != phrase:
        should.append({"match_phrase": {"text": {"query": raw}}})
    if "'" in phrase:
        should.append({"match_phrase": {"text": {"query": phrase.replace("'", "’")}}})
    for first in range(1, len(words)):  # passages that begin with the phrase's last words
        tail = words[first:]
        should.append({"span_first": {"match": _span_phrase(tail), "end": len(tail)}})
    direction = "asc" if order == "oldest" else "desc"
    return {
        "query": {"bool": {"filter": queries.filter_clauses(filters), "should": should,
                           "minimum_should_match": 1}},
        "collapse": {"field": "doc_key"},
        "sort": [{"date": {"order": direction, "missing": "_last"}}, {"doc_key": "asc"}],
        "size": limit,
        "_source": ["doc_id", "doc_key", "collection", "date"],
        "track_total_hits": False,
    }


def _span_phrase(words: Sequence[str]) -> dict[str, Any]:
    terms = [{"span_term": {"text": w}} for w in words]
    if len(terms) == 1:
        return terms[0]
    return {"span_near": {"clauses": terms, "slop": 0, "in_order": True}}


def passages_body(doc_key: str) -> dict[str, Any]:
    """Every passage of one document, in order, with the fields a line needs."""
    return {"query": {"bool": {"filter": [{"term": {"doc_key": doc_key}}]}},
            "size": MAX_PASSAGES, "sort": [{"passage_no": "asc"}], "_source": _SOURCE}


def allowed_body(doc_keys: Sequence[str], filters: Filters) -> dict[str, Any]:
    """Which passages of the candidates the filters keep (only the speaker filter is
    per passage: a turn, or a passage quoting the speaker)."""
    return {"query": {"bool": {"filter": [{"terms": {"doc_key": list(doc_keys)}},
                                          *queries.filter_clauses(filters)]}},
            "size": MAX_PASSAGES, "_source": ["doc_key", "passage_no"]}


# ------------------------------------------------------------ lines (pure)


def document_lines(passages: Sequence[dict[str, Any]], words: Sequence[str],
                   allowed: set[int] | None = None) -> list[dict[str, Any]]:
    """The lines of one document from its passages' sources (in order; the first carries
    ``doc_text``). ``allowed``: the passage numbers a speaker filter keeps (None: all)."""
    if not passages:
        return []
    head = passages[0]
    text = head.get("doc_text") or " ".join(p.get("text", "") for p in passages)
    lines = []
    for found in occurrences(text, words):
        passage = _passage_at(passages, found.start)
        if allowed is not None and passage.get("passage_no") not in allowed:
            continue
        left, match, right = kwic(text, found)
        lines.append({
            "doc_id": head.get("doc_id"), "collection": head.get("collection"),
            "date": head.get("date"), "speaker": passage.get("speaker"),
            "speaker_id": passage.get("speaker_id"), "left": left, "match": match,
            "right": right, "offset": found.start, "length": found.end - found.start,
            "type": head.get("type"),
            "title": head.get("title"), "passage": passage.get("passage_no"),
        })
    return lines


def _passage_at(passages: Sequence[dict[str, Any]], offset: int) -> dict[str, Any]:
    """The first passage holding ``offset``, else the last one that starts before it (the
    offset is between passages: a speaker's label, a blank line)."""
    before = passages[0]
    for passage in passages:
        start, end = passage.get("offset_start", 0), passage.get("offset_end", 0)
        if start <= offset < end:
            return passage
        if start <= offset:
            before = passage
    return before


def ordered(lines: Iterable[dict[str, Any]], order: str) -> list[dict[str, Any]]:
    """Oldest first (or newest first), undated last; within a document, in reading order."""
    out = sorted(lines, key=lambda line: (line["collection"] or "", line["doc_id"] or "",
                                          line["offset"]))
    dated = [line for line in out if line.get("date")]
    undated = [line for line in out if not line.get("date")]
    dated.sort(key=lambda line: str(line["date"]), reverse=order == "newest")
    return dated + undated


def earliest(lines: Sequence[dict[str, Any]]) -> dict[str, Any] | None:
    """The first use: the earliest dated line (the first in reading order on that date)."""
    found = ordered(lines, "oldest")
    return found[0] if found else None


# ------------------------------------------------------------ the search


@dataclass(frozen=True)
class ConcordanceRequest:
    phrase: str
    filters: Filters = dataclasses.field(default_factory=Filters)
    order: str = "oldest"
    page: int = 1
    size: int = DEFAULT_SIZE


def concordance_lines(searcher: Searcher, req: ConcordanceRequest, *,
                      limit: int | None = None) -> tuple[list[dict[str, Any]], bool]:
    """Every line of the request's phrase in order, and whether the document cap (``limit``
    documents read) was hit."""
    words = phrase_words(req.phrase)
    limit = MAX_DOCUMENTS if limit is None else limit
    client, index = searcher.client, searcher.index
    with elasticsearch_errors():
        filters = queries.scoped(speakers.expand_filters(client, searcher.settings, req.filters),
                                 searcher.settings)
        response = client.search(**plan.search_header(index), **candidates_body(
            words, filters, order=req.order, limit=limit + 1, raw=req.phrase),
            timeout=SEARCH_TIMEOUT)
        hits = results.hits_of(response.body)
        truncated = len(hits) > limit
        keys = [h["_source"]["doc_key"] for h in hits[:limit]]
        allowed = _allowed(searcher, keys, filters) if filters.speakers else None
        lines: list[dict[str, Any]] = []
        for batch_start in range(0, len(keys), FETCH_BATCH):
            batch = keys[batch_start:batch_start + FETCH_BATCH]
            responses = searcher.msearch([(plan.search_header(index), passages_body(key))
                                           for key in batch])
            for key, found in zip(batch, responses, strict=True):
                sources = [h["_source"] for h in results.hits_of(found)]
                lines.extend(document_lines(sources, words,
                                            None if allowed is None else allowed.get(key, set())))
    return ordered(lines, req.order), truncated


def _allowed(searcher: Searcher, keys: Sequence[str], filters: Filters) -> dict[str, set[int]]:
    if not keys:
        return {}
    response = searcher.client.search(**plan.search_header(searcher.index),
                                      **allowed_body(keys, filters), timeout=SEARCH_TIMEOUT)
    out: dict[str, set[int]] = {}
    for hit in results.hits_of(response.body):
        out.setdefault(hit["_source"]["doc_key"], set()).add(hit["_source"]["passage_no"])
    return out


def concordance(searcher: Searcher, req: ConcordanceRequest) -> dict[str, Any]:
    """One page of lines, with the first use, the totals and whether the cap was hit."""
    started = time.perf_counter()
    lines, truncated = concordance_lines(searcher, req)
    offset = (req.page - 1) * req.size
    first = earliest(lines)
    if truncated and req.order != "oldest":  # the newest documents read: look back for it
        first = earliest(concordance_lines(searcher, dataclasses.replace(req, order="oldest"),
                                           limit=FIRST_USE_DOCUMENTS)[0]) or first
    return {
        "phrase": req.phrase, "words": phrase_words(req.phrase), "order": req.order,
        "total": len(lines), "documents": len({(x["collection"], x["doc_id"]) for x in lines}),
        "truncated": truncated, "max_documents": MAX_DOCUMENTS,
        "page": req.page, "size": req.size,
        "first": public(first) if first else None,
        "lines": [public(line) for line in lines[offset:offset + req.size]],
        "took_ms": round((time.perf_counter() - started) * 1000, 1),
    }


def public(line: dict[str, Any]) -> dict[str, Any]:
    """A line as the API answers it: the named fields, plus the passage a link opens."""
    return {**{k: line.get(k) for k in LINE_FIELDS}, "length": line.get("length"),
            "passage": line.get("passage"),
            "type": line.get("type"), "title": line.get("title")}
