"""The web app under gunicorn, for the benchmarks that measure it through HTTP.

It runs as the Dockerfile runs it (``webapp/gunicorn_conf.py``: gthread workers,
``webapp.app:create_app()``, no ``--preload``: each worker loads its model) on a free port,
with the benchmark's index prefix, and is stopped on the way out (also on Ctrl-C). A smoke
search fails fast if a worker is stuck.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from bench.common import REPO
from indexer.settings import Settings

HOST = "127.0.0.1"
HEALTH_TIMEOUT_S = 180
SMOKE_TIMEOUT_S = 60
LOG_TAIL_CHARS = 3000


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def gunicorn(settings: Settings, workers: int, *, omp_threads: int,
             smoke_path: str) -> Iterator[tuple[str, int]]:
    """The app under gunicorn on a free port, stopped on the way out (also on Ctrl-C)."""
    port = free_port()
    log = tempfile.NamedTemporaryFile(  # noqa: SIM115 - gunicorn writes to it while we yield
        "w+", prefix="bench-gunicorn-", suffix=".log", delete=False)
    env = {**os.environ, "VERBATIM_INDEX_PREFIX": settings.index_prefix}
    if omp_threads:
        # One OpenMP thread per worker: W workers on 2 cores must not oversubscribe them.
        env["OMP_NUM_THREADS"] = str(omp_threads)
    command = [str(Path(sys.executable).parent / "gunicorn"), "--config",
               "python:webapp.gunicorn_conf", "-w", str(workers), "-b", f"{HOST}:{port}",
               "--timeout", "120", "webapp.app:create_app()"]
    process = subprocess.Popen(command, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        _wait_healthy(process, port, Path(log.name))
        _smoke(port, smoke_path, Path(log.name))
        yield HOST, port
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
        os.unlink(log.name)


def _wait_healthy(process: subprocess.Popen[bytes], port: int, log: Path) -> None:
    deadline = time.monotonic() + HEALTH_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"gunicorn exited ({process.returncode}) before answering:\n"
                     + log.read_text()[-LOG_TAIL_CHARS:])
        with contextlib.suppress(OSError, http.client.HTTPException):
            conn = http.client.HTTPConnection(HOST, port, timeout=5)
            conn.request("GET", "/api/health")
            if conn.getresponse().status == 200:
                return
        time.sleep(0.5)
    sys.exit(f"gunicorn did not answer /api/health within {HEALTH_TIMEOUT_S} s:\n"
             + log.read_text()[-LOG_TAIL_CHARS:])


def _smoke(port: int, path: str, log: Path) -> None:
    """One search that encodes a query must answer: a hung worker would time every request out."""
    conn = http.client.HTTPConnection(HOST, port, timeout=SMOKE_TIMEOUT_S)
    try:
        conn.request("GET", path)
        status: int | str = conn.getresponse().status
    except (OSError, http.client.HTTPException) as exc:
        status = type(exc).__name__
    if status != 200:
        sys.exit(f"the API answered a semantic search with {status}; gunicorn's log:\n"
                 + log.read_text()[-LOG_TAIL_CHARS:])
