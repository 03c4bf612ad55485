"""``verbatim es ...``: the local node and the local replica cluster from the command line.

The group is added to the ``verbatim`` console script by ``webapp/cli.py``; the root group
has loaded the :class:`Settings` into the click context before any of these run.
"""

from __future__ import annotations

import sys

import click

from indexer.settings import Settings
from localnode.layout import CLUSTER_PORTS, NodeError, node_paths
from localnode.process import start, start_cluster, status, stop, stop_cluster

# The root group puts the Settings in the context; a command receives them as its first argument.
pass_settings = click.make_pass_decorator(Settings)


@click.group()
def es() -> None:
    """Manage the local Elasticsearch node (fetched from Maven Central into the cache)."""


@es.command("up")
@click.option("--timeout", default=180.0, show_default=True, help="Seconds to wait for yellow health.")
@pass_settings
def es_up(settings: Settings, timeout: float) -> None:
    """Fetch (once) and start the local node, or reuse the one running."""
    try:
        start(settings, timeout=timeout, say=click.echo)
    except NodeError as exc:
        raise click.ClickException(str(exc)) from None


@es.command("down")
@pass_settings
def es_down(settings: Settings) -> None:
    """Stop the node this project started (its data stays in the cache)."""
    stop(settings, say=click.echo)


@es.command("status")
@pass_settings
def es_status(settings: Settings) -> None:
    """Say whether the local node runs, its version and cluster health."""
    current = status(node_paths(settings))
    click.echo(current.describe())
    click.echo(f"Cache: {settings.cache_dir}")
    if not current.running:
        sys.exit(1)


def _ports(value: str) -> tuple[int, ...]:
    try:
        ports = tuple(int(p) for p in value.split(",") if p.strip())
    except ValueError:
        raise click.BadParameter(f"{value!r}: give HTTP ports separated by commas") from None
    if len(ports) < 2 or len(set(ports)) != len(ports):
        raise click.BadParameter(f"{value!r}: a cluster needs at least two different ports")
    return ports


PORTS_OPTION = click.option(
    "--ports", default=",".join(map(str, CLUSTER_PORTS)), show_default=True,
    help="HTTP ports of the nodes (transport ports are these + 100).")


@es.command("cluster-up")
@PORTS_OPTION
@click.option("--timeout", default=240.0, show_default=True, help="Seconds to wait for the cluster.")
@pass_settings
def es_cluster_up(settings: Settings, ports: str, timeout: float) -> None:
    """Start a local replica cluster: one node per port on loopback, 1 GB heap each. Index into
    it with --replicas 1 so that any one node may stop without losing a passage."""
    try:
        start_cluster(settings, _ports(ports), timeout=timeout, say=click.echo)
    except NodeError as exc:
        raise click.ClickException(str(exc)) from None


@es.command("cluster-down")
@PORTS_OPTION
@pass_settings
def es_cluster_down(settings: Settings, ports: str) -> None:
    """Stop the local cluster's nodes (their data stays in the cache)."""
    stop_cluster(settings, _ports(ports), say=click.echo)
