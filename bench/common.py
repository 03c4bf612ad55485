"""What every benchmark shares: settings, where the data is, the machine, writing results."""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from elasticsearch import Elasticsearch

from indexer.settings import Settings, load_settings

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "data"
RESULTS = REPO / "bench" / "results"
BENCH_PREFIX = "verbatim-bench"


def bench_settings() -> Settings:
    """The user's settings with an index prefix of the benchmarks' own."""
    env = dict(os.environ)
    env.setdefault("VERBATIM_INDEX_PREFIX", BENCH_PREFIX)
    return load_settings(env)


def create_scratch(client: Elasticsearch, source: str, name: str,
                   **settings: Any) -> dict[str, Any]:
    """A scratch index ``name`` with the mappings and analysis of ``source`` (so the product's
    own queries run on it), one shard, no replica, and ``settings``; returns ``source``'s
    definition."""
    info: dict[str, Any] = client.indices.get(index=source)[source]
    client.indices.create(index=name, mappings=info["mappings"], settings={
        "number_of_shards": 1, "number_of_replicas": 0,
        "analysis": info["settings"]["index"].get("analysis", {}), **settings})
    return info


def older_schema(client: Elasticsearch, settings: Settings, collection: str) -> bool:
    """Whether the collection's index was built by an older schema than this version's (it
    must be built afresh, ``--replace``, for the benchmark to measure today's search)."""
    from indexer import indices

    index = indices.current_index(client, settings, collection)
    return (index is not None
            and indices.schema_of(indices.index_meta(client, index)) < indices.SCHEMA_VERSION)


def require_data(path: Path) -> Path:
    if not path.exists():
        sys.exit(f"{path} not found: the benchmarks read ../shared/data beside the checkout")
    return path


# What holds oneDNN (OpenVINO, PyTorch), MKL and PyTorch's own kernels to a narrower
# instruction set than the CPU has.
ISA_LIMITS = ("ONEDNN_MAX_CPU_ISA", "MKL_ENABLE_INSTRUCTIONS", "ATEN_CPU_CAPABILITY")


def machine() -> dict[str, Any]:
    """The machine a figure was measured on: CPU model and the SIMD flags that decide how fast
    the model and Elasticsearch run (the same CPU name has come with and without AVX-512)."""
    from indexer.model.choice import cpu_info

    cpu = cpu_info()
    memory_gb = None
    try:
        pages = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
        memory_gb = round(pages / 2**30, 1)
    except (ValueError, OSError):
        pass
    # Set to measure a narrower CPU on this one (BENCHMARKS.md §5: AVX2 on an AVX-512 machine).
    limits = {name: os.environ[name] for name in ISA_LIMITS if name in os.environ}
    return {"cpu": cpu.model, "cpu_flags": list(cpu.flags), "isa_limits": limits,
            "cores": os.cpu_count(),
            "memory_gb": memory_gb, "python": platform.python_version(),
            "platform": platform.platform()}


def git_commit() -> str | None:
    try:
        return subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"],
                              capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None


def write_result(name: str, payload: dict[str, Any]) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    payload = {"benchmark": name, "date": datetime.now(UTC).isoformat(timespec="seconds"),
               "commit": git_commit(), "machine": machine(), "command": " ".join(sys.argv),
               **payload}
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {path.relative_to(REPO)}")
    return path
