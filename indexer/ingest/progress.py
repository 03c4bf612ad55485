"""The indexer's progress bar: documents with their rate and ETA, passages per second."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from tqdm import tqdm

from indexer.ingest.report import Progress, RunSummary
from indexer.sources.files import JSONL_SUFFIXES, expand_paths


def estimate_documents(specs: Iterable[str]) -> int | None:
    """Roughly how many documents the inputs hold (one per line of JSONL/CSV, one per other
    file), so the bar can show an ETA; None when reading stdin."""
    total = 0
    for target in expand_paths(specs):
        if target == "-":
            return None
        path = Path(str(target))
        try:  # an estimate: what cannot be read is reported by the run itself
            if not path.is_file():
                continue
            suffix = path.suffix.lower()
            if suffix in JSONL_SUFFIXES or suffix == ".csv":
                with path.open("rb") as handle:
                    lines = sum(1 for line in handle if line.strip())
                total += max(lines - (1 if suffix == ".csv" else 0), 0)
            elif path.name.lower() != "meetings.csv":
                total += 1
        except OSError:
            continue
    return total


class BarProgress(Progress):
    def __init__(self, *, total: int | None, enabled: bool) -> None:
        self._bar: Any = tqdm(total=total, unit="doc", disable=not enabled, file=sys.stderr,
                              dynamic_ncols=True, smoothing=0.1)
        self._merge_bar: Any = None

    def documents_done(self, n: int, summary: RunSummary) -> None:
        self._bar.update(n)
        elapsed = self._bar.format_dict.get("elapsed") or 0
        rate = summary.passages / elapsed if elapsed else 0.0
        self._bar.set_postfix(passages=summary.passages, pass_per_s=f"{rate:.1f}",
                              failed=summary.failed, refresh=False)

    def merging(self, written: int, total: int) -> None:
        if self._merge_bar is None:
            self._merge_bar = tqdm(total=total, unit="B", unit_scale=True, unit_divisor=1024,
                                   desc="merging segments", disable=self._bar.disable,
                                   file=sys.stderr, dynamic_ncols=True)
        self._merge_bar.update(max(0, min(written, total) - self._merge_bar.n))

    def close(self) -> None:
        self._bar.close()
        if self._merge_bar is not None:
            self._merge_bar.close()
