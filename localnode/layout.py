"""Where a local node lives and how it is configured: the pinned version, the cache layout, the
node's ``elasticsearch.yml``.

Everything here is pure path arithmetic and file writing, so the other modules (fetching,
starting, the ``es`` commands) agree on one layout without asking each other.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from indexer.settings import Settings

# The one place the Elasticsearch version is pinned. The Python client in
# pyproject.toml and the image in docker-compose.yml must match its major.minor
# (a test checks both). 8.19 is the newest line Elastic publishes on Maven Central.
ES_VERSION = "8.19.21"
HEAP = "1g"
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

    @property
    def writable_dirs(self) -> tuple[Path, ...]:
        """The folders the node writes to (the node user must own them when we run as root)."""
        return (self.data, self.logs, self.tmp, self.snapshots)


def node_paths(settings: Settings) -> NodePaths:
    """The paths of the local node on the configured port."""
    return NodePaths(cache=settings.cache_dir, port=settings.es_port)


def cluster_paths(settings: Settings, ports: Sequence[int] = CLUSTER_PORTS) -> list[NodePaths]:
    """The paths of each node of the local replica cluster."""
    return [NodePaths(cache=settings.cache_dir, port=port, cluster=tuple(ports)) for port in ports]


def cluster_urls(ports: Sequence[int] = CLUSTER_PORTS) -> str:
    """The ELASTICSEARCH_URL that points Verbatim at every node of the local cluster."""
    return ",".join(f"http://127.0.0.1:{port}" for port in ports)


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
