"""The ``verbatim`` console script: the indexer's commands plus ``serve``.

It lives here because ``webapp`` may import ``indexer`` but never the reverse.
"""

from __future__ import annotations

import click

from indexer.cli import cli
from indexer.settings import Settings


@cli.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to bind.")
@click.option("--port", default=5000, show_default=True, help="Port to listen on.")
@click.option("--debug", is_flag=True, help="Flask's reloader and debugger (development only).")
@click.pass_context
def serve(ctx: click.Context, host: str, port: int, debug: bool) -> None:
    """Serve the web app and the API (development server; use gunicorn in production)."""
    from webapp.app import create_app

    settings = ctx.find_object(Settings)
    app = create_app(settings=settings)
    app.run(host=host, port=port, debug=debug, use_reloader=debug)


def main() -> None:
    cli(prog_name="verbatim")
