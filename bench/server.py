"""The web app under gunicorn, for the benchmarks that measure it through HTTP.

It runs as the Dockerfile runs it (``webapp/gunicorn_conf.py``: gthread workers,
``webapp.app:create_app()``, no ``--preload``: each worker loads its model) on a free port,
with the benchmark's index prefix, and is stopped on the way out (also on Ctrl-C). A smoke
search fails fast if a worker is stuck. The integration tests start their servers (gunicorn,
``verbatim serve``) with :func:`running` too.
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


class ServerFailed(RuntimeError):
    """The server exited, or did not answer /api/health in time; the message ends with its log."""


def gunicorn_command(port: int, *options: str) -> list[str]:
    """gunicorn as the Dockerfile runs it (the project's settings module), on ``port``, with
    more ``options`` (they override the settings module's)."""
    return [str(Path(sys.executable).parent / "gunicorn"), "--config",
            "python:webapp.gunicorn_conf", "--bind", f"{HOST}:{port}", *options,
            "webapp.app:create_app()"]


@contextlib.contextmanager
def running(command: list[str], env: dict[str, str], port: int, log: Path, *,
            timeout_s: float = HEALTH_TIMEOUT_S) -> Iterator[subprocess.Popen[bytes]]:
    """``command`` (a server of the app on ``port``) run from the checkout with its output in
    ``log``, yielded once it answers /api/health; stopped on the way out (also on Ctrl-C).
    The benchmarks and the integration tests start their servers here."""
    with log.open("wb") as out:
        process = subprocess.Popen(command, cwd=REPO, env=env, stdout=out,
                                   stderr=subprocess.STDOUT)
    try:
        wait_healthy(process, port, log, timeout_s)
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextlib.contextmanager
def gunicorn(settings: Settings, workers: int, *, omp_threads: int,
             smoke_path: str) -> Iterator[tuple[str, int]]:
    """The app under gunicorn on a free port, stopped on the way out (also on Ctrl-C)."""
    port = free_port()
    handle, name = tempfile.mkstemp(prefix="bench-gunicorn-", suffix=".log")
    os.close(handle)
    log = Path(name)
    env = {**os.environ, "VERBATIM_INDEX_PREFIX": settings.index_prefix}
    if omp_threads:
        # One OpenMP thread per worker: W workers on 2 cores must not oversubscribe them.
        env["OMP_NUM_THREADS"] = str(omp_threads)
    command = gunicorn_command(port, "-w", str(workers), "--timeout", "120")
    try:
        with running(command, env, port, log):
            _smoke(port, smoke_path, log)
            yield HOST, port
    except ServerFailed as exc:
        sys.exit(str(exc))
    finally:
        log.unlink(missing_ok=True)


def wait_healthy(process: subprocess.Popen[bytes], port: int, log: Path,
                 timeout_s: float = HEALTH_TIMEOUT_S) -> None:
    """Until the server answers /api/health with 200; ``ServerFailed`` if it exits first or
    does not answer within ``timeout_s``."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ServerFailed(f"the server exited ({process.returncode}) before answering:\n"
                               + log.read_text(errors="replace")[-LOG_TAIL_CHARS:])
        with contextlib.suppress(OSError, http.client.HTTPException):
            conn = http.client.HTTPConnection(HOST, port, timeout=5)
            try:
                conn.request("GET", "/api/health")
                if conn.getresponse().status == 200:
                    return
            finally:
                conn.close()
        time.sleep(0.5)
    raise ServerFailed(f"the server did not answer /api/health within {timeout_s:g} s:\n"
                       + log.read_text(errors="replace")[-LOG_TAIL_CHARS:])


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
