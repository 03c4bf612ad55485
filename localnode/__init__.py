"""The local Elasticsearch for development and tests: fetched from Maven Central, run on a JDK
found on this machine, one node or a replica cluster on loopback.

``layout`` says where a node lives and how it is configured, ``install`` puts what it needs on
disk, ``process`` starts, stops and watches it, ``cli`` is ``verbatim es ...`` and ``plugin``
builds the small plugin that restores ``GET /``. It imports only ``indexer.settings`` from the
archive; only ``webapp/cli.py`` (and the tests) import it. The names below are what tests use.
"""

from localnode.layout import (
    CLUSTER_PORTS,
    ES_VERSION,
    NodeError,
    NodePaths,
    cluster_paths,
    cluster_urls,
    node_paths,
)
from localnode.process import (
    NodeStatus,
    pid_alive,
    read_pid,
    start,
    start_cluster,
    start_node,
    status,
    stop,
    stop_cluster,
    stop_node,
)

__all__ = [
    "CLUSTER_PORTS",
    "ES_VERSION",
    "NodeError",
    "NodePaths",
    "NodeStatus",
    "cluster_paths",
    "cluster_urls",
    "node_paths",
    "pid_alive",
    "read_pid",
    "start",
    "start_cluster",
    "start_node",
    "status",
    "stop",
    "stop_cluster",
    "stop_node",
]
