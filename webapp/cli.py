"""The ``verbatim`` console script: every command in one group.

The archive's commands (``index``, ``collections``, ``delete``) come from ``indexer/cli.py``,
whose root group loads the settings; the local node's ``es`` commands from
``localnode/cli.py``; ``serve`` is the web app's own. They are assembled here because the
web app is the one package allowed to import both the indexer and the local node.
"""

from __future__ import annotations

import click

from indexer.cli import cli
from indexer.provenance.commands import link_command, verify_command
from indexer.settings import Settings
from localnode.cli import es

cli.add_command(es)
cli.add_command(verify_command)
cli.add_command(link_command)


@cli.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to bind.")
@click.option("--port", default=5000, show_default=True, help="Port to listen on.")
@click.option("--debug", is_flag=True, help="Flask's reloader and debugger (development only).")
@click.pass_context
def serve(ctx: click.Context, host: str, port: int, debug: bool) -> None:
    """Serve the web app and the API (development server; use gunicorn in production)."""
    from webapp.app import create_app
    from webapp.devserver import LimitsHandler
    from webapp.logs import configure

    class QuietHandler(LimitsHandler):
        """Werkzeug's handler without its ``Server: Werkzeug/x Python/y`` banner."""

        server_version = "Verbatim"
        sys_version = ""

        def version_string(self) -> str:
            return "Verbatim"

    configure()
    settings = ctx.find_object(Settings)
    app = create_app(settings=settings)
    app.run(host=host, port=port, debug=debug, use_reloader=debug, request_handler=QuietHandler)


def main() -> None:
    cli(prog_name="verbatim")
