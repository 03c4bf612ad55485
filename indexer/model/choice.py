"""Which backend ``auto`` runs on this CPU: measured once, remembered beside the exported model.

The ranking of the runtimes depends on the CPU far more than on the model: on a CPU with
AVX-512 OpenVINO ran 3.7x PyTorch, on an AVX2-only AMD EPYC 1.2x. So ``auto`` does not guess
from a table: the first time a model is used on a CPU, each full-precision backend (the ones
whose vectors equal PyTorch's; never int8) encodes the same few texts, the fastest wins, and
the choice is written as a small JSON file into the model's export folder. Later runs, and
gunicorn's workers starting together, read it (the measurement runs under a file lock, so
only one process measures). The key names the model's files, the CPU (model name and SIMD
flags) and the runtimes' versions: a new CPU or an upgraded OpenVINO measures again.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import platform
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

from indexer.model import backends
from indexer.settings import EXACT_BACKENDS

if TYPE_CHECKING:
    import numpy as np
    from sentence_transformers import SentenceTransformer

log = logging.getLogger(__name__)

# Full precision only, in the order that breaks a tie: the vectors are PyTorch's on every one.
CANDIDATES = EXACT_BACKENDS
# What decides how fast a transformer runs on a CPU: vector width, fused multiply-add, the
# int8/bf16 dot-product instructions (VNNI, AMX) and, on ARM, their NEON/SVE counterparts.
SIMD_FLAGS = ("fma", "avx2", "avx512f", "avx512_vnni", "avx512_bf16", "avx_vnni",
              "amx_tile", "amx_int8", "amx_bf16", "asimd", "asimddp", "sve", "i8mm")
RUNTIMES = ("torch", "onnxruntime", "openvino")
CHOICE_FILE = "backend-choice.json"
CHOICE_VERSION = "2"  # bump when the measurement changes: every cached choice is then redone
# A backend whose vectors fall below this cosine to PyTorch's is never chosen: ``auto`` must
# give the vectors of the model, whatever CPU it runs on.
AGREEMENT = 0.9999
ROUNDS = 2
# Four registers Verbatim indexes, about 80 tokens each; measured three at a time (below).
_PARAGRAPHS = (
    "Mr. President, my delegation thanks the Under-Secretary-General for her briefing and "
    "shares her alarm at the situation of civilians in the north-west, where nearly a million "
    "people have fled the fighting since December. Humanitarian convoys must be allowed to "
    "cross the border without delay, and the parties must respect international humanitarian "
    "law, including the protection of hospitals, schools and aid workers, at all times.",
    "The ferry left the harbour two hours late on Tuesday after port officials inspected its "
    "cargo, a spokeswoman for the operator said, adding that no passengers had been hurt. "
    "Prices of wheat and maize rose for a third consecutive week as exporters struggled to find "
    "ships willing to cross the strait, traders in Singapore said on Wednesday, and insurers "
    "raised their premiums for vessels bound for the northern ports of the region.",
    "We examined whether regular physical activity in later life is associated with a lower "
    "risk of cognitive decline. In a cohort of 2,314 adults followed for twelve years, those "
    "reporting moderate activity at least three times a week had a 31% lower incidence of "
    "dementia after adjustment for age, education and cardiovascular risk factors, although "
    "residual confounding by prodromal disease cannot be excluded from these observations.",
    "Talks between the two delegations resumed in Geneva on Monday, but diplomats said a "
    "ceasefire agreement was unlikely before the end of the month. \"We will not accept a "
    "settlement that leaves families without homes,\" the minister told reporters outside "
    "parliament, where the budget vote was postponed again, this time until after the summit "
    "of regional leaders planned for the first week of the new year.",
)
# Six passages of about 240 tokens (what the indexer writes), one batch, as bulk indexing
# encodes them: a batch of four short texts ranked PyTorch 10x behind OpenVINO on a machine
# where, on full batches of full passages, it was on a par. PyTorch takes about half a
# second a call on two cores; the whole measurement, a few seconds.
MEASURE_TEXTS = tuple(" ".join(_PARAGRAPHS[(i + k * step) % 4] for k in range(3))
                      for i, step in [(0, 1), (1, 1), (2, 1), (3, 1), (0, 3), (1, 3)])

# How many measurements this process has run: the tests check that a cached choice is read
# rather than measured again without asserting on the clock.
measurements = 0


@dataclass(frozen=True)
class CpuInfo:
    """The CPU's model name and the SIMD flags that decide encoding speed."""

    model: str
    flags: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        return {"model": self.model, "flags": list(self.flags)}


def parse_cpuinfo(text: str, machine: str = "") -> CpuInfo:
    """The first processor's model name and which of SIMD_FLAGS it has, from the text of
    /proc/cpuinfo (x86 ``flags``/``model name``, ARM ``Features``/``CPU part``)."""
    model = ""
    present: set[str] = set()
    for line in text.splitlines():
        key, sep, value = line.partition(":")
        if not sep:
            continue
        key = key.strip().lower()
        if key in ("model name", "hardware", "cpu model") and not model:
            model = value.strip()
        elif key in ("flags", "features") and not present:
            present = set(value.split())
    return CpuInfo(model or machine or "unknown", tuple(f for f in SIMD_FLAGS if f in present))


def cpu_info(path: Path = Path("/proc/cpuinfo")) -> CpuInfo:
    """This machine's CpuInfo; without /proc/cpuinfo (macOS), the platform's name and no flags."""
    try:
        text = path.read_text(errors="replace")
    except OSError:
        text = ""
    return parse_cpuinfo(text, platform.processor() or platform.machine())


def lscpu_model() -> str | None:
    """``lscpu``'s model name (a hypervisor can show a plainer name in /proc/cpuinfo)."""
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True, timeout=10,
                             check=True, env={**os.environ, "LC_ALL": "C"}).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    for line in out.splitlines():
        key, sep, value = line.partition(":")
        if sep and key.strip() == "Model name":
            return value.strip()
    return None


def usable_cores() -> int:
    """The cores this process may run on (a container or ``taskset`` can grant fewer than the
    machine has): the ranking of the runtimes changes with them."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not on Linux
        return os.cpu_count() or 1


def runtime_versions() -> dict[str, str]:
    """Installed versions of the runtimes (read from package metadata: nothing imported)."""
    found = {}
    for name in RUNTIMES:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "absent"
    return found


def choice_key(fingerprint: str, model_name: str, cpu: CpuInfo,
               versions: Mapping[str, str]) -> str:
    """The cache key of a choice: the same model files, CPU and runtimes give the same key."""
    parts = {"v": CHOICE_VERSION, "fingerprint": fingerprint, "model": model_name,
             "cpu": cpu.model, "flags": sorted(cpu.flags), "runtimes": dict(sorted(versions.items())),
             "cores": usable_cores()}
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()[:20]


def fastest(timings: Mapping[str, Sequence[float]], excluded: Sequence[str] = ()) -> str:
    """The backend with the shortest best time (the least disturbed round on a shared machine);
    ties go to the earlier of CANDIDATES. PyTorch when nothing else qualifies."""
    rank = {name: i for i, name in enumerate(CANDIDATES)}
    timed = [(min(times), rank.get(name, len(rank)), name) for name, times in timings.items()
             if times and name not in excluded]
    return min(timed)[2] if timed else "torch"


def current_key(model_name: str, model_path: str) -> str:
    """This machine's key for the model: its files, this CPU, the runtimes installed."""
    return choice_key(backends.model_fingerprint(model_path), model_name, cpu_info(),
                      runtime_versions())


def read_choice(folder: Path, key: str) -> str | None:
    """The backend cached for ``key``, or None (no file, another key, or a file we cannot use)."""
    try:
        entry = json.loads((folder / CHOICE_FILE).read_text()).get(key)
    except (OSError, ValueError, AttributeError):
        return None
    backend = entry.get("backend") if isinstance(entry, dict) else None
    return backend if backend in CANDIDATES else None


def write_choice(folder: Path, key: str, record: Mapping[str, Any]) -> None:
    """Adds ``record`` under ``key``, keeping other CPUs' entries (a cache folder on a shared
    disk serves several machines); written whole, then renamed, so a reader never sees half."""
    path = folder / CHOICE_FILE
    try:
        existing = json.loads(path.read_text())
    except (OSError, ValueError):
        existing = {}
    if not isinstance(existing, dict):
        existing = {}
    existing[key] = dict(record)
    partial = path.with_suffix(".partial")
    partial.write_text(json.dumps(existing, indent=1, sort_keys=True))
    os.replace(partial, path)


Encode = Callable[[Sequence[str]], "np.ndarray"]


def candidates(model: SentenceTransformer, folder: Path
               ) -> tuple[dict[str, Encode], dict[str, backends.Runner]]:
    """An encode function per backend this install can run, and the runners built for them."""
    def torch_encode(texts: Sequence[str]) -> np.ndarray:
        return model.encode(list(texts), batch_size=len(texts), normalize_embeddings=True,
                            convert_to_numpy=True, show_progress_bar=False)

    encoders: dict[str, Encode] = {"torch": torch_encode}
    runners: dict[str, backends.Runner] = {}
    for name in CANDIDATES:
        if name == "torch":
            continue
        try:
            runner = backends.build_runner(model, name, folder)
        except backends.EncoderError as exc:
            log.warning("auto: %s is not a candidate on this install (%s)", name, exc)
            continue
        runners[name] = runner
        encoders[name] = (lambda run: lambda texts: backends.encode(
            model, run, texts, batch_size=len(texts)))(runner)
    return encoders, runners


def measure(encoders: Mapping[str, Encode], texts: Sequence[str] = MEASURE_TEXTS,
            rounds: int = ROUNDS) -> dict[str, Any]:
    """Times each encoder on ``texts``, taking turns round by round after one small untimed
    call, and checks each one's vectors against PyTorch's."""
    import numpy

    global measurements
    measurements += 1
    working = {}
    for name, encode in encoders.items():
        try:
            encode(texts[:2])  # warm-up, untimed: compilation, first allocations
        except Exception as exc:  # a runtime that fails here is no candidate; PyTorch stays
            if name == "torch":
                raise
            log.warning("auto: %s failed on this machine (%s: %s)", name, type(exc).__name__, exc)
            continue
        working[name] = encode
    encoders = working
    timings: dict[str, list[float]] = {name: [] for name in encoders}
    vectors: dict[str, np.ndarray] = {}
    failed: set[str] = set()
    for _ in range(rounds):
        for name, encode in encoders.items():
            if name in failed:
                continue
            started = time.perf_counter()
            try:
                vectors[name] = encode(texts)
            except Exception as exc:  # as in the warm-up: out of the running, PyTorch stays
                if name == "torch":
                    raise
                log.warning("auto: %s failed on this machine (%s: %s)", name,
                            type(exc).__name__, exc)
                failed.add(name)
                continue
            timings[name].append(time.perf_counter() - started)
    for name in failed:
        timings.pop(name, None)
        vectors.pop(name, None)
    reference = vectors["torch"]
    agreement = {name: float(numpy.min((v * reference).sum(axis=1))) for name, v in vectors.items()}
    excluded = [name for name, cosine in agreement.items() if cosine < AGREEMENT]
    chosen = fastest(timings, excluded)
    return {"backend": chosen,
            "passages_per_s": {n: round(len(texts) / min(t), 1) for n, t in timings.items()},
            "cosine_to_torch_min": {n: round(c, 6) for n, c in agreement.items()},
            "excluded": excluded}


def choose(model: SentenceTransformer, folder: Path, model_name: str, model_path: str
           ) -> tuple[str, backends.Runner | None]:
    """The backend ``auto`` runs for this model on this CPU, and its runner when one was built:
    read from the folder's choice file, or measured once (one process at a time) and written.
    A cache folder we cannot write (read-only install) still gets a measured choice, for this
    process only."""
    key = current_key(model_name, model_path)
    with contextlib.ExitStack() as stack:
        try:
            stack.enter_context(backends.locked(folder, ".choice.lock"))
        except OSError as exc:
            log.warning("auto: cannot lock %s (%s); measuring without caching", folder, exc)
        cached = read_choice(folder, key)
        if cached is not None:
            return cached, None
        started = time.perf_counter()
        encoders, runners = candidates(model, folder)
        result = measure(encoders)
        cpu = cpu_info()
        record = {**result, "cpu": cpu.as_dict(), "model": model_name,
                  "runtimes": runtime_versions(), "measured_s": round(time.perf_counter() - started, 1),
                  "measured_at": time.strftime("%Y-%m-%dT%H:%M:%S%z")}
        try:
            write_choice(folder, key, record)
        except OSError as exc:
            log.warning("auto: cannot cache the choice in %s (%s)", folder, exc)
    log.info("auto: %s chosen for %s on %s (%s; passages/s %s)", result["backend"], model_name,
             cpu.model, " ".join(cpu.flags) or "no SIMD flags", result["passages_per_s"])
    return result["backend"], runners.get(result["backend"])
