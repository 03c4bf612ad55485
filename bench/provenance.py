"""Quote provenance, measured: the checker on a labelled set built from ../shared/data.

    make bench-provenance
    python -m bench.provenance [--cases N] [--output provenance] [--no-index | --reindex]

Reproduce: Elasticsearch running, ../shared/data beside the checkout. The run

1. makes sure the archive is indexed under the benchmarks' prefix (``verbatim-bench``) with the
   product's own reader and pipeline, as ``verbatim index`` would: the Security Council
   speeches (``prov-unsc-speeches``), the Security Council transcripts (``prov-unsc-transcripts``),
   the General Debate (``prov-ungdc``) and the FA-KES news (``prov-news``). A collection that
   already holds every document its files give is left alone (``--reindex`` rebuilds them all:
   needed after a change to what the indexer stores, which a document count cannot see);
2. builds the labelled set (``bench.provenance_cases``: deterministic, fixed seed; with
   ``--cases N`` a subset taken round-robin over the kinds);
3. checks every case with ``indexer.provenance.check.Checker`` over those four collections,
   one check at a time, after one warm-up check that is not counted;
4. writes ``bench/results/<output>.json`` and prints the table.

What the numbers mean:

- link@1 (per kind): of the cases that have a source, the share whose first source is the right
  record: its ``symbol`` is the expected meeting (the transcript or a speech record of that
  meeting both count) or its ``doc_id`` is the expected General Debate record.
- verdict accuracy (per kind, overall): the share whose verdict is the expected one (see the
  kinds in ``bench.provenance_cases``: a dropped-words case expects ``trimmed``).
- not-found precision: of the ``not_found`` answers, the share that were right; recall: of the
  cases that should be ``not_found`` (invented, news sentences, dated before their speech), the
  share answered so.
- speaker accuracy: of the cases that name a speaker and have a source, the share whose first
  source is the right record and has the expected ``speaker_match`` (``different`` for the
  wrong-speaker kind): a speaker check against the wrong record is no check.
- latency: wall time of one ``Checker.check`` call, p50 and p95 (nearest rank), in ms.

The targets are issue 12's; the anchors are published numbers for the neighbouring problem of
attribution (who said a quotation, not how faithfully), for BENCHMARKS.md to cite beside ours.
"""

from __future__ import annotations

import argparse
import math
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from bench.common import DATA, bench_settings, older_schema, require_data, write_result
from bench.provenance_cases import EXPECTED_VERDICT, build_cases, counts_by_kind

ARCHIVE: dict[str, tuple[Path, str | None]] = {  # collection: (path, --type for typeless records)
    "prov-unsc-speeches": (DATA / "unsc_2020_syria" / "speeches.jsonl", None),
    "prov-unsc-transcripts": (DATA / "unsc_2020_syria" / "transcripts", None),
    "prov-ungdc": (DATA / "ungdc_2019_2020" / "speeches.jsonl", None),
    "prov-news": (DATA / "news_fakes_syria" / "articles.jsonl", "article"),
}
LINKED_KINDS = ("verbatim", "trimmed", "trimmed_ellipsis", "dropped", "substituted", "added",
                "wrong_speaker", "trimmed_long", "spliced")
TARGETS = {"link_at_1_exact_and_edited": 0.95, "link_at_1_paraphrase": 0.6,
           "verdict_accuracy": 0.8, "not_found_precision": 0.8, "not_found_recall": 0.8,
           "latency_p50_ms": 300.0}
ANCHORS = {
    "PARC 3.0 speaker source spans, Citron (BBC News Labs)": {
        "precision": 0.929, "recall": 0.733,
        "note": "attribution (who said it), not fidelity; BBC News Labs' Citron"},
    "Quootstrap (Pavllo, Piccardi & West 2018)": {
        "precision": 0.90, "recall": 0.40,
        "note": "quotation-speaker pairs bootstrapped from news (ICWSM 2018); attribution, "
                "not fidelity"},
}


@dataclass(frozen=True)
class Outcome:
    """What the checker said about one case: its verdict and its first source, if any."""

    case_id: str
    verdict: str
    symbol: str | None = None
    doc_id: str | None = None
    speaker_match: str | None = None
    latency_ms: float = 0.0
    error: str | None = None


def outcome_of(case_id: str, result: Any, latency_ms: float) -> Outcome:
    """An Outcome from a ``CheckResult`` (anything with ``verdict`` and ``sources``)."""
    sources = list(getattr(result, "sources", None) or [])
    first = sources[0] if sources else None
    return Outcome(case_id=case_id, verdict=str(result.verdict), symbol=_field(first, "symbol"),
                   doc_id=_field(first, "doc_id"),
                   speaker_match=_field(first, "speaker_match"), latency_ms=latency_ms)


def _field(source: Any, name: str) -> str | None:
    """A source's field, on the source itself or on the passage it holds (``candidate``)."""
    if source is None:
        return None
    value = getattr(source, name, None)
    if value is None:
        value = getattr(getattr(source, "candidate", None), name, None)
    return None if value is None else str(value)


def _base_symbol(symbol: str | None) -> str | None:
    """``S/PV.8734 (Resumption 1)`` is the same meeting as ``S/PV.8734``."""
    return symbol.split(" (", 1)[0].strip() if symbol else None


def link_correct(expect: dict[str, Any], outcome: Outcome) -> bool:
    """Is the first source the expected record? (False when none was expected or given.)"""
    if outcome.verdict == "not_found":
        return False
    if expect.get("symbol") and _base_symbol(outcome.symbol) == _base_symbol(expect["symbol"]):
        return True
    return bool(expect.get("doc_id")) and outcome.doc_id == expect["doc_id"]


def percentile(values: Iterable[float], q: float) -> float | None:
    """Nearest-rank percentile (q in 0..100); None for no values."""
    ordered = sorted(values)
    if not ordered:
        return None
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


def _ratio(hits: int, total: int) -> float | None:
    return round(hits / total, 4) if total else None


def score(cases: list[dict[str, Any]], outcomes: list[Outcome]) -> dict[str, Any]:
    """Every metric of the module docstring, per kind and overall."""
    by_id = {o.case_id: o for o in outcomes}
    kinds: dict[str, dict[str, list[bool]]] = {}
    confusion: dict[str, dict[str, int]] = {}
    nf_tp = nf_predicted = nf_expected = 0
    for case in cases:
        outcome = by_id.get(case["id"]) or Outcome(case["id"], "error", error="not run")
        expect = case["expect"]
        tally = kinds.setdefault(case["kind"], {"verdict": [], "link": [], "speaker": []})
        tally["verdict"].append(outcome.verdict == expect["verdict"])
        row = confusion.setdefault(expect["verdict"], {})
        row[outcome.verdict] = row.get(outcome.verdict, 0) + 1
        if expect["verdict"] != "not_found":
            tally["link"].append(link_correct(expect, outcome))
            if case.get("speaker"):
                tally["speaker"].append(link_correct(expect, outcome)
                                        and outcome.speaker_match == expect["speaker_match"])
        nf_expected += expect["verdict"] == "not_found"
        nf_predicted += outcome.verdict == "not_found"
        nf_tp += expect["verdict"] == outcome.verdict == "not_found"
    per_kind = {kind: {"n": len(t["verdict"]), "verdict_accuracy": _ratio(sum(t["verdict"]),
                                                                          len(t["verdict"])),
                       "link_at_1": _ratio(sum(t["link"]), len(t["link"])),
                       "speaker_accuracy": _ratio(sum(t["speaker"]), len(t["speaker"]))}
                for kind, t in kinds.items()}

    def pooled(key: str, names: Iterable[str]) -> float | None:
        flags = [f for k in names if k in kinds for f in kinds[k][key]]
        return _ratio(sum(flags), len(flags))

    latencies = [o.latency_ms for o in outcomes if o.error is None]
    p50, p95 = percentile(latencies, 50), percentile(latencies, 95)
    overall = {
        "cases": len(cases),
        "verdict_accuracy": pooled("verdict", kinds),
        "link_at_1_exact_and_edited": pooled("link", LINKED_KINDS),
        "link_at_1_paraphrase": pooled("link", ["paraphrase"]),
        "not_found_precision": _ratio(nf_tp, nf_predicted),
        "not_found_recall": _ratio(nf_tp, nf_expected),
        "speaker_accuracy": pooled("speaker", kinds),
        "latency_p50_ms": round(p50, 1) if p50 is not None else None,
        "latency_p95_ms": round(p95, 1) if p95 is not None else None,
        "errors": sum(1 for o in outcomes if o.error is not None),
    }
    return {"overall": overall, "per_kind": per_kind, "confusion": confusion,
            "targets": targets_met(overall)}


def targets_met(overall: dict[str, Any]) -> dict[str, dict[str, Any]]:
    met = {}
    for name, target in TARGETS.items():
        value = overall.get(name)
        ok = value is not None and (value <= target if name.startswith("latency")
                                    else value >= target)
        met[name] = {"value": value, "target": target, "met": ok}
    return met


def subset(cases: list[dict[str, Any]], n: int) -> list[dict[str, Any]]:
    """``n`` cases taken round-robin over the kinds (all when n <= 0), in a stable order."""
    if n <= 0 or n >= len(cases):
        return cases
    queues: dict[str, list[dict[str, Any]]] = {}
    for case in cases:
        queues.setdefault(case["kind"], []).append(case)
    chosen: list[dict[str, Any]] = []
    while len(chosen) < n:
        for queue in queues.values():
            if queue and len(chosen) < n:
                chosen.append(queue.pop(0))
    return chosen


def failures(cases: list[dict[str, Any]], outcomes: list[Outcome]) -> list[dict[str, Any]]:
    """The cases the checker got wrong, with what it said: what to look at first."""
    by_id = {o.case_id: o for o in outcomes}
    wrong = []
    for case in cases:
        o = by_id.get(case["id"])
        if o is None:
            continue
        expect = case["expect"]
        linked = expect["verdict"] == "not_found" or link_correct(expect, o)
        if o.verdict != expect["verdict"] or not linked or o.error:
            wrong.append({"id": case["id"], "text": case["text"], "expected": expect,
                          "got": {k: v for k, v in asdict(o).items() if k != "case_id"}})
    return wrong


# ---------------------------------------------------------------- what needs the services


def archive_searcher(*, index: bool = True) -> Any:
    """A ``Searcher`` on the benchmarks' settings, with the archive indexed first (``index``)."""
    from indexer.client import build_client
    from indexer.model.embedder import Embedder
    from indexer.search.searcher import Searcher

    settings = bench_settings()
    client = build_client(settings)
    embedder = Embedder.from_settings(settings)
    if index:
        ensure_archive(client, embedder, settings)
    return Searcher(client, embedder, settings)


def ensure_archive(client: Any, embedder: Any, settings: Any, *,
                   reindex: bool = False) -> dict[str, Any]:
    """Index each archive collection unless it already holds every document of its files
    (``reindex``: build each afresh, for when the indexer's output changed; one built by an
    older schema is built afresh too)."""
    from indexer import indices
    from indexer.documents import Document
    from indexer.ingest import pipeline
    from indexer.ingest.report import RunOptions
    from indexer.sources.files import ReadOptions, read_inputs

    status: dict[str, Any] = {}
    for name, (path, doc_type) in ARCHIVE.items():
        docs = [d for d in read_inputs([str(require_data(path))], ReadOptions(doc_type=doc_type))
                if isinstance(d, Document)]
        index = indices.current_index(client, settings, name)
        held = indices.collection_info(client, name, index).documents if index else 0
        afresh = reindex or older_schema(client, settings, name)
        if held >= len(docs) and not afresh:
            status[name] = {"documents": held, "indexed_now": False}
            continue
        print(f"indexing {name}: {len(docs)} documents ({held} already there)", flush=True)
        options = RunOptions(collection=name, replace=afresh)
        summary = pipeline.run(client, embedder, settings, iter(docs), options)
        status[name] = {"documents": summary.documents + summary.unchanged, "indexed_now": True,
                        "failed": summary.failed, "elapsed_s": round(summary.elapsed_s, 1)}
    return status


def run_checks(check: Callable[[dict[str, Any]], Any],
               cases: list[dict[str, Any]]) -> list[Outcome]:
    """Each case through ``check``, timed; an exception is an ``error`` outcome, not a crash."""
    outcomes = []
    for number, case in enumerate(cases, start=1):
        started = time.perf_counter()
        try:
            result = check(case)
        except Exception as exc:  # a crash on one quote is a wrong answer, and is reported
            outcomes.append(Outcome(case["id"], "error", error=f"{type(exc).__name__}: {exc}"))
            continue
        outcomes.append(outcome_of(case["id"], result, 1000 * (time.perf_counter() - started)))
        if number % 25 == 0:
            print(f"  {number}/{len(cases)} checked", flush=True)
    return outcomes


def print_table(scores: dict[str, Any]) -> None:
    def fmt(value: float | None) -> str:
        return "   -  " if value is None else f"{value:6.3f}"

    print(f"{'kind':18} {'n':>4} {'verdict':>7} {'link@1':>7} {'speaker':>7}  expects")
    for kind, row in scores["per_kind"].items():
        print(f"{kind:18} {row['n']:>4} {fmt(row['verdict_accuracy'])} "
              f"{fmt(row['link_at_1'])} {fmt(row['speaker_accuracy'])}  {EXPECTED_VERDICT[kind]}")
    for name, row in scores["targets"].items():
        print(f"{name:28} {row['value']!s:>8}  target {row['target']}  "
              f"{'met' if row['met'] else 'NOT met'}")
    overall = scores["overall"]
    print(f"speaker accuracy {overall['speaker_accuracy']}  p95 {overall['latency_p95_ms']} ms  "
          f"errors {overall['errors']}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=0, help="0: all")
    parser.add_argument("--output", default="provenance")
    parser.add_argument("--no-index", action="store_true",
                        help="do not index; the archive collections must exist already")
    parser.add_argument("--reindex", action="store_true",
                        help="index the archive afresh (after a change to what the indexer stores)")
    args = parser.parse_args(argv)
    from indexer.client import build_client
    from indexer.model.embedder import Embedder
    from indexer.provenance.check import Checker, Claim

    settings = bench_settings()
    client = build_client(settings)
    embedder = Embedder.from_settings(settings)
    archive = {} if args.no_index else ensure_archive(client, embedder, settings,
                                                         reindex=args.reindex)
    cases = subset(build_cases(require_data(DATA)), args.cases)
    checker = Checker(client, embedder, settings)

    def check(case: dict[str, Any]) -> Any:
        return checker.check(Claim(text=case["text"], speaker=case["speaker"], date=case["date"],
                                   collections=tuple(ARCHIVE)))

    check(cases[0])  # warm-up: the first call pays for lazy loading
    outcomes = run_checks(check, cases)
    scores = score(cases, outcomes)
    print_table(scores)
    write_result(args.output, {
        "cases": counts_by_kind(cases), "archive": archive, "collections": list(ARCHIVE),
        "model": settings.model, **scores, "anchors": ANCHORS,
        "failures": failures(cases, outcomes)})


if __name__ == "__main__":
    main()
