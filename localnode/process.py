"""Starting, stopping and watching local nodes: one development node, or a replica cluster.

A node we started is known by its pid file; anything else answering on the port is left
alone. Starting is idempotent: a healthy node on the port is reused.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from indexer.settings import Settings
from localnode.install import ES_USER, Installation, prepare_node
from localnode.layout import (
    CLUSTER_PORTS,
    ES_VERSION,
    HEAP,
    NodeError,
    NodePaths,
    cluster_paths,
    cluster_urls,
    node_paths,
)

START_TIMEOUT_S = 180.0
STOP_TIMEOUT_S = 60.0
READY = ("green", "yellow")


# ---------------------------------------------------------------- probing


def port_in_use(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(1.0)
        return sock.connect_ex((host, port)) == 0


def http_json(url: str, timeout: float = 2.0) -> dict[str, object] | None:
    """GET a JSON document, or None when nothing (or something other than JSON) answers."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            body = json.loads(response.read().decode("utf-8"))
            return body if isinstance(body, dict) else None
    except (urllib.error.URLError, OSError, ValueError):
        return None


def read_pid(paths: NodePaths) -> int | None:
    try:
        return int(paths.pid_file.read_text().strip())
    except (OSError, ValueError):
        return None


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie is not alive for our purposes.
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        return stat.rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return True


def log_tail(paths: NodePaths, lines: int = 25) -> str:
    """The last lines of whichever node log has something to say."""
    for log in (paths.server_log, paths.console_log):
        try:
            text = log.read_text(errors="replace").strip().splitlines()
        except OSError:
            continue
        if text:
            return f"--- last lines of {log} ---\n" + "\n".join(text[-lines:])
    return f"(no log written under {paths.logs})"


@dataclass(frozen=True)
class NodeStatus:
    url: str
    pid: int | None
    running: bool
    version: str | None
    health: str | None
    ours: bool

    def describe(self) -> str:
        if not self.running:
            return f"Elasticsearch is not running at {self.url}"
        who = f"pid {self.pid}" if self.ours else "not started by Verbatim"
        return f"Elasticsearch {self.version} at {self.url}: cluster {self.health} ({who})"


def status(paths: NodePaths) -> NodeStatus:
    """What answers on the node's port, and whether it is the node we started."""
    url = f"http://127.0.0.1:{paths.port}"
    pid = read_pid(paths)
    ours = pid is not None and pid_alive(pid)
    # /_nodes works on every distribution; the root endpoint needs the rest-root module.
    nodes = http_json(f"{url}/_nodes/_local?filter_path=nodes.*.version")
    found = nodes.get("nodes") if nodes else None
    version = None
    health = None
    if isinstance(found, dict):
        for node_info in found.values():
            version = str(node_info.get("version"))
        health_doc = http_json(f"{url}/_cluster/health")
        health = str(health_doc.get("status")) if health_doc else None
    return NodeStatus(url=url, pid=pid if ours else None, running=version is not None, version=version,
                      health=health, ours=ours)


# ---------------------------------------------------------------- one node


def start(settings: Settings, *, timeout: float = START_TIMEOUT_S,
          say: Callable[[str], None] = print) -> NodeStatus:
    """Start the local node (or reuse the one running) and wait until it is at least yellow."""
    return start_node(node_paths(settings), settings, timeout=timeout, say=say)


def start_node(paths: NodePaths, settings: Settings, *, timeout: float = START_TIMEOUT_S,
               say: Callable[[str], None] = print, wait: bool = True) -> NodeStatus:
    """Start one node (or reuse it); with ``wait``, until its cluster is at least yellow."""
    current = status(paths)
    if current.running and current.version is not None:
        if current.health in READY:
            say(f"Reusing {current.describe()}")
            return current
        if current.ours:
            return _wait_until_ready(paths, read_pid(paths), timeout, say) if wait else current
    pid = read_pid(paths)
    if pid is not None and pid_alive(pid) and not current.running:
        # Started by us, not answering yet: wait for it rather than start a second one.
        return _wait_until_ready(paths, pid, timeout, say) if wait else current
    if port_in_use(paths.port):
        raise NodeError(
            f"Port {paths.port} on 127.0.0.1 is already in use by something that is not Elasticsearch. "
            "Stop that program, or run the local node on another port with VERBATIM_ES_PORT "
            "(and point ELASTICSEARCH_URL at it)."
        )
    installed = prepare_node(paths, settings, say=say)
    deadline = time.monotonic() + timeout
    _launch(paths, installed, deadline, say)
    if not wait:
        return status(paths)
    return _wait_until_ready(paths, read_pid(paths), max(5.0, deadline - time.monotonic()), say)


def _launch(paths: NodePaths, installed: Installation, deadline: float,
            say: Callable[[str], None]) -> None:
    """Run the launcher daemonised (``-d``) with a clean environment, as the node user if any.

    With ``-d`` the launcher exits once the server is up (or has failed); the server keeps running.
    """
    env = {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "ES_JAVA_HOME": str(installed.java_home),
        "ES_PATH_CONF": str(paths.config),
        "ES_TMPDIR": str(paths.tmp),
        "LANG": "C.UTF-8",
    }
    owner = installed.owner
    say(f"Starting Elasticsearch {ES_VERSION} {paths.name} on 127.0.0.1:{paths.port} "
        f"(Java {installed.java_major} at {installed.java_home}, heap {HEAP}"
        + (f", as user {ES_USER})" if owner else ")"))
    with paths.console_log.open("ab") as console:
        process = subprocess.Popen(
            [str(installed.home / "bin" / "elasticsearch"), "-d", "-p", str(paths.pid_file)],
            cwd=str(paths.node_dir), env=env, stdin=subprocess.DEVNULL, stdout=console,
            stderr=subprocess.STDOUT, start_new_session=True,
            user=owner[0] if owner else None, group=owner[1] if owner else None,
        )
    while process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.5)
    if process.returncode not in (0, None):
        raise NodeError(
            f"Elasticsearch failed to start (launcher exit code {process.returncode}).\n"
            f"{log_tail(paths)}\nFix what the log says, then run `make es-up` again."
        )


def _wait_until_ready(paths: NodePaths, pid: int | None, timeout: float,
                      say: Callable[[str], None]) -> NodeStatus:
    url = f"http://127.0.0.1:{paths.port}/_cluster/health?wait_for_status=yellow&timeout=1s"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pid is None:
            pid = read_pid(paths)
        if pid is not None and not pid_alive(pid):
            raise NodeError(
                f"Elasticsearch (pid {pid}) died while starting.\n{log_tail(paths)}\n"
                "Fix what the log says, then run `make es-up` again."
            )
        health = http_json(url, timeout=3.0)
        if health and health.get("status") in READY:
            current = status(paths)
            say(f"Ready: {current.describe()}")
            return current
        time.sleep(1.0)
    raise NodeError(
        f"Elasticsearch did not become ready within {timeout:.0f}s at 127.0.0.1:{paths.port}.\n"
        f"{log_tail(paths)}\nIt may still be starting on a slow machine: run `make es-status`, "
        "or `make es-down` and `make es-up` to start again."
    )


def stop(settings: Settings, *, timeout: float = STOP_TIMEOUT_S,
         say: Callable[[str], None] = print) -> bool:
    """Stop the node we started (found by its pid file); leave its data. True if one was stopped."""
    return stop_node(node_paths(settings), timeout=timeout, say=say)


def stop_node(paths: NodePaths, *, timeout: float = STOP_TIMEOUT_S,
              say: Callable[[str], None] = print) -> bool:
    """Stop one node by its pid file (SIGTERM, then SIGKILL after ``timeout``); never a stranger."""
    pid = read_pid(paths)
    if pid is None or not pid_alive(pid):
        paths.pid_file.unlink(missing_ok=True)
        if port_in_use(paths.port):
            say(f"No node started by Verbatim on port {paths.port}; leaving the process there alone.")
        else:
            say("No local Elasticsearch node is running.")
        return False
    say(f"Stopping Elasticsearch {paths.name} (pid {pid}) ...")
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while pid_alive(pid) and time.monotonic() < deadline:
        time.sleep(0.5)
    if pid_alive(pid):
        say(f"Still running after {timeout:.0f}s; killing it.")
        os.kill(pid, signal.SIGKILL)
        while pid_alive(pid):
            time.sleep(0.2)
    paths.pid_file.unlink(missing_ok=True)
    say(f"Stopped. Data kept in {paths.data}")
    return True


# ---------------------------------------------------------------- a replica cluster


def start_cluster(settings: Settings, ports: Sequence[int] = CLUSTER_PORTS, *,
                  timeout: float = START_TIMEOUT_S,
                  say: Callable[[str], None] = print) -> list[NodeStatus]:
    """Start (or reuse) a replica cluster of local nodes on loopback, 1 GB heap each, and wait
    until every node has joined. Each node starts on its own, then they elect a master."""
    members = cluster_paths(settings, ports)
    deadline = time.monotonic() + timeout
    for paths in members:
        start_node(paths, settings, timeout=max(5.0, deadline - time.monotonic()), say=say,
                   wait=False)
    url = (f"http://127.0.0.1:{members[0].port}/_cluster/health"
           f"?wait_for_nodes={len(members)}&wait_for_status=yellow&timeout=1s")
    while time.monotonic() < deadline:
        health = http_json(url, timeout=3.0)
        if health and health.get("number_of_nodes") == len(members) and \
                health.get("status") in READY:
            found = [status(paths) for paths in members]
            say(f"Cluster ready: {len(members)} nodes, health {health.get('status')}. Point "
                f"Verbatim at it with ELASTICSEARCH_URL={cluster_urls(ports)}")
            return found
        for paths in members:
            pid = read_pid(paths)
            if pid is not None and not pid_alive(pid):
                raise NodeError(f"Cluster node {paths.name} (pid {pid}) died while the cluster "
                                f"formed.\n{log_tail(paths)}")
        time.sleep(1.0)
    raise NodeError(f"The cluster on ports {', '.join(map(str, ports))} did not form within "
                    f"{timeout:.0f}s.\n{log_tail(members[0])}")


def stop_cluster(settings: Settings, ports: Sequence[int] = CLUSTER_PORTS, *,
                 say: Callable[[str], None] = print) -> int:
    """Stop every node of the local cluster this project started; their data stays."""
    return sum(stop_node(paths, say=say) for paths in cluster_paths(settings, ports))
