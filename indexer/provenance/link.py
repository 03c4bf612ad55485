"""``verbatim link``: check the stored quotes of news articles against the record.

Incremental: a quote already checked with the same words, speaker and date is not checked
again, except that quotes still ``not_found`` are checked again when asked (after a new
record collection: their source may have just arrived). Quotes of fewer than
``MIN_WORDS`` words ("routine") are scare quotes more than quotations and stay unchecked.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from elasticsearch import Elasticsearch, NotFoundError
from elasticsearch.helpers import scan

from indexer.provenance import store
from indexer.provenance.check import Checker, Claim

MIN_WORDS = 4
BATCH = 100


@dataclass
class LinkSummary:
    quotes: int = 0  # quotes of articles seen
    checked: int = 0
    unchanged: int = 0
    too_short: int = 0
    verdicts: Counter[str] = field(default_factory=Counter)

    def as_dict(self) -> dict[str, Any]:
        return {"quotes": self.quotes, "checked": self.checked, "unchanged": self.unchanged,
                "too_short": self.too_short, "verdicts": dict(self.verdicts)}


def article_quotes(client: Elasticsearch, index: str) -> Iterator[dict[str, Any]]:
    """Every quote of every news article behind ``index``, in the shape ``store.record`` takes."""
    query = {"query": {"bool": {"filter": [
        {"term": {"type": "article"}},
        {"nested": {"path": "quotes", "query": {"exists": {"field": "quotes.text"}}}}]}}}
    try:  # checks run between scroll pages: the scroll must outlive a page of checks
        for hit in scan(client, index=index, query=query, size=200, scroll="30m", _source=[
                "doc_id", "collection", "date", "title", "type", "quotes"]):
            s = hit["_source"]
            for q in s.get("quotes") or []:
                yield {"collection": s["collection"], "doc_id": s["doc_id"],
                       "doc_type": s.get("type"), "date": s.get("date"),
                       "title": s.get("title"), "start": q["offset_start"],
                       "end": q["offset_end"], "text": q["text"], "speaker": q.get("speaker"),
                       "speaker_id": q.get("speaker_id")}
    except NotFoundError:
        return


def link(checker: Checker, *, collections: Sequence[str] = (), recheck_not_found: bool = False,
         on_quote: Callable[[], None] | None = None) -> LinkSummary:
    """Check the quotes of ``collections`` (every collection when empty)."""
    client, settings = checker.client, checker.settings
    summary = LinkSummary()
    indices = [settings.alias(c) for c in collections] or [settings.all_alias]
    batch: list[dict[str, Any]] = []
    for index in indices:
        for quote in article_quotes(client, index):
            batch.append(quote)
            if len(batch) >= BATCH:
                _link_batch(checker, batch, summary, recheck_not_found, on_quote)
                batch = []
    _link_batch(checker, batch, summary, recheck_not_found, on_quote)
    return summary


def count_quotes(client: Elasticsearch, index: str) -> int:
    """How many quotes ``link`` will look at (for the progress bar)."""
    body: dict[str, Any] = {"size": 0, "query": {"term": {"type": "article"}},
            "aggs": {"q": {"nested": {"path": "quotes"}}}}
    try:
        response = client.search(index=index, ignore_unavailable=True, **body).body
    except NotFoundError:
        return 0
    return int(response.get("aggregations", {}).get("q", {}).get("doc_count", 0))


def _link_batch(checker: Checker, batch: list[dict[str, Any]], summary: LinkSummary,
                recheck_not_found: bool, on_quote: Callable[[], None] | None) -> None:
    if not batch:
        return
    keys = [store.quote_key(q["collection"], q["doc_id"], q["start"]) for q in batch]
    stored = store.get_many(checker.client, checker.settings, keys)
    records = []
    for key, quote in zip(keys, batch, strict=True):
        summary.quotes += 1
        if on_quote is not None:
            on_quote()
        if len(quote["text"].split()) < MIN_WORDS:
            summary.too_short += 1
            continue
        old = stored.get(key)
        same = old is not None and old.get("text_hash") == store.text_hash(
            quote["text"], quote.get("speaker"), quote.get("date"))
        if same and not (recheck_not_found and old and old.get("verdict") == "not_found"):
            summary.unchanged += 1
            summary.verdicts[str(old.get("verdict")) if old else "?"] += 1
            continue
        result = checker.check(Claim(text=quote["text"], speaker=quote.get("speaker"),
                                     date=quote.get("date"),
                                     exclude=(quote["collection"], quote["doc_id"])))
        records.append(store.record(quote, result))
        summary.checked += 1
        summary.verdicts[result.verdict] += 1
    store.save(checker.client, checker.settings, records)
