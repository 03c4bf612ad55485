"""``verbatim`` commands that belong to the archive: indexing, listing and deleting collections.

The root group loads the settings into the click context; ``webapp/cli.py`` adds the local
node's ``es`` commands and ``serve`` to it (the indexer imports neither). User-fixable problems
become ``click.ClickException`` (a clean message, no traceback); exit code 2 means
Elasticsearch could not be reached.
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

from indexer.errors import CollectionError
from indexer.ingest.prepare import MAX_DOCUMENT_CHARS
from indexer.ingest.report import IndexingAborted, RunOptions, RunStopped
from indexer.settings import Settings, SettingsError, load_settings
from indexer.sources.files import FORMATS

EXIT_UNREACHABLE = 2


class Unreachable(click.ClickException):
    exit_code = EXIT_UNREACHABLE


def _settings(ctx: click.Context) -> Settings:
    settings = ctx.find_object(Settings)
    if settings is None:
        try:
            settings = load_settings()
        except SettingsError as exc:
            raise click.ClickException(str(exc)) from None
        ctx.obj = settings
    return settings


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="verbatim")
@click.pass_context
def cli(ctx: click.Context) -> None:
    """Verbatim: a searchable archive of what was reported and what was said."""
    _settings(ctx)


# ---------------------------------------------------------------- indexing


def _client(settings: Settings) -> Any:
    from indexer.client import build_client, check_reachable
    from indexer.errors import ElasticsearchUnavailable

    client = build_client(settings)
    try:
        check_reachable(client, settings)
    except ElasticsearchUnavailable as exc:
        raise Unreachable(str(exc)) from None
    return client


@cli.command("index")
@click.argument("paths", nargs=-1, required=True)
@click.option("--collection", "-c", required=True, help="Collection to index into (created if new).")
@click.option("--format", "fmt", type=click.Choice(FORMATS),
              default="auto", show_default=True, help="Input format; auto detects it per file.")
@click.option("--type", "doc_type", type=click.Choice(["article", "transcript", "speech"]),
              help="Document type for records that do not say what they are.")
@click.option("--year", type=int, help="Year for wire datelines that give only month and day.")
@click.option("--replace", is_flag=True,
              help="Build a new version of the collection and swap it in atomically when complete.")
@click.option("--keep-old", is_flag=True, help="With --replace: keep the previous version's index.")
@click.option("--report", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the run's summary as JSON to this file (dead letters beside it).")
@click.option("--batch-size", default=RunOptions.encode_batch, show_default=True,
              help="Passages per model call.")
@click.option("--bulk-size", default=RunOptions.bulk_chunk, show_default=True,
              help="Actions per bulk request.")
@click.option("--replicas", type=int, help="Replicas for a newly created index (default 0).")
@click.option("--max-chars", default=MAX_DOCUMENT_CHARS, show_default=True,
              help="Longest document accepted; longer ones go to the dead-letter file.")
@click.option("--progress/--no-progress", default=None,
              help="Show the progress bar (default: when the terminal is interactive).")
@click.option("--optimize/--no-optimize", "optimize", default=None,
              help="Merge the index's segments afterwards (default: when the run wrote "
                   "20,000 passages or more).")
@click.option("--link/--no-link", "link", default=True, show_default=True,
              help="Check the news quotes against the record afterwards (see `verbatim link`).")
@click.pass_context
def index_command(ctx: click.Context, paths: tuple[str, ...], collection: str, fmt: str,
                  doc_type: str | None, year: int | None, replace: bool, keep_old: bool,
                  report: Path | None, batch_size: int, bulk_size: int, replicas: int | None,
                  max_chars: int, progress: bool | None, optimize: bool | None,
                  link: bool) -> None:
    """Index files, folders, globs or - (JSONL on stdin) into a collection."""
    from indexer import indices
    from indexer.ingest import pipeline
    from indexer.ingest.progress import BarProgress, estimate_documents
    from indexer.model.embedder import ModelError
    from indexer.sources.files import ReadOptions, read_inputs

    settings = _settings(ctx)
    try:
        indices.validate_collection(collection)
    except CollectionError as exc:
        raise click.BadParameter(str(exc), param_hint="--collection") from None
    client = _client(settings)
    dead_letter = _dead_letter_path(report, collection)
    options = RunOptions(collection=collection, replace=replace, keep_old=keep_old,
                         encode_batch=batch_size, bulk_chunk=bulk_size, replicas=replicas,
                         dead_letter=dead_letter, max_chars=max_chars, optimize=optimize)
    embedder = _embedder(settings)
    show = sys.stderr.isatty() if progress is None else progress
    total = estimate_documents(paths) if show else None
    bar = BarProgress(total=total, enabled=show)
    items = read_inputs(paths, ReadOptions(format=fmt, doc_type=doc_type, year=year))
    try:
        summary = pipeline.run(client, embedder, settings, items, options, progress=bar)
    except ModelError as exc:
        raise click.ClickException(str(exc)) from None
    except CollectionError as exc:
        raise click.ClickException(str(exc)) from None
    except RunStopped as exc:
        bar.close()
        _print_summary(exc.summary)
        _write_report(report, exc.summary)
        click.echo(f"Error: {exc}. Everything acknowledged so far is indexed; run the same "
                   "command again to finish.", err=True)
        sys.exit(1)
    except IndexingAborted as exc:
        bar.close()
        if exc.summary is not None:
            _print_summary(exc.summary)
            _write_report(report, exc.summary)
        raise Unreachable(
            f"{exc}. Everything acknowledged so far is indexed; run the same command again to "
            "finish (unchanged documents are skipped, nothing is duplicated)."
        ) from None
    bar.close()
    _print_summary(summary)
    _write_report(report, summary)
    if link:
        _link_after_index(settings, client, embedder, collection, show)
    if summary.failed:
        sys.exit(1)


def _link_after_index(settings: Settings, client: Any, embedder: Any, collection: str,
                      show: bool) -> None:
    """New articles are checked against every record; new records re-check, in every
    collection, the quotes that were not found before (and any not checked yet)."""
    from indexer.provenance.commands import run_link, summary_text

    records = client.count(index=settings.alias(collection), query={
        "terms": {"type": ["transcript", "speech"]}})["count"]
    scope = () if records else (collection,)
    found = run_link(settings, scope, recheck_not_found=bool(records), show=show, client=client,
                     embedder=embedder)
    if found["quotes"]:
        click.echo(summary_text(found), err=True)


def _dead_letter_path(report: Path | None, collection: str) -> Path:
    if report is not None:
        return report.with_name(report.stem + ".dead-letter.jsonl")
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    return Path(f"verbatim-{collection}-{stamp}.dead-letter.jsonl")


def _print_summary(summary: Any) -> None:
    lines = [
        f"Collection {summary.collection!r} ({summary.index})",
        f"  documents  {summary.documents:>9,}" + (f"  ({summary.unchanged:,} unchanged)"
                                                   if summary.unchanged else ""),
        f"  passages   {summary.passages:>9,}",
        f"  quotes     {summary.quotes:>9,}",
        f"  skipped    {summary.skipped:>9,}",
        f"  failed     {summary.failed:>9,}",
        f"  elapsed    {summary.elapsed_s:>9.1f} s"
        f"  ({summary.docs_per_s:,.1f} documents/s, {summary.passages_per_s:,.1f} passages/s)",
    ]
    if summary.swapped_from:
        lines.append(f"  replaced   {summary.swapped_from}")
    if summary.merge and summary.merge.get("error"):
        lines.append(f"  not merged: {summary.merge['error']} (the passages are searchable; "
                     "`verbatim optimize` tries again)")
    elif summary.merge and summary.merge["segments_after"] < summary.merge["segments_before"]:
        lines.append(f"  merged     {summary.merge['segments_before']} segments into "
                     f"{summary.merge['segments_after']} in {summary.merge['elapsed_s']:.1f} s")
    for skipped in summary.skipped_inputs[:10]:
        lines.append(f"  skipped {skipped['origin']}: {skipped['reason']}")
    if summary.dead_letter:
        lines.append(f"  {summary.failed} failed: see {summary.dead_letter}")
    click.echo("\n".join(lines), err=True)


def _write_report(report: Path | None, summary: Any) -> None:
    if report is None:
        return
    report.parent.mkdir(parents=True, exist_ok=True)
    report.write_text(json.dumps(summary.as_dict(), indent=2) + "\n", encoding="utf-8")


_EMBEDDERS: dict[tuple[str, str, str | None], Any] = {}


def _embedder(settings: Settings) -> Any:
    """One model per process: in-process callers (tests, benchmarks) reuse the loaded one."""
    from indexer.model.embedder import Embedder

    key = (settings.model, settings.encoder_backend, settings.device)
    if key not in _EMBEDDERS:
        _EMBEDDERS[key] = Embedder.from_settings(settings)
    return _EMBEDDERS[key]


# ---------------------------------------------------------------- collections


@cli.command("collections")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@click.pass_context
def collections_command(ctx: click.Context, as_json: bool) -> None:
    """List the collections with their counts and model."""
    from indexer import indices

    settings = _settings(ctx)
    found = [c.as_dict() for c in indices.list_collections(_client(settings), settings)]
    if as_json:
        click.echo(json.dumps(found, indent=2))
        return
    if not found:
        click.echo("No collections yet: index one with `verbatim index PATH --collection NAME`.")
        return
    header = f"{'name':<20} {'documents':>10} {'passages':>10} {'quotes':>8}  model / index"
    click.echo(header)
    for c in found:
        click.echo(f"{c['name']:<20} {c['documents']:>10,} {c['passages']:>10,} {c['quotes']:>8,}"
                   f"  {c['model']} ({c['encoder_backend']}) / {c['index']}")
    older = [c for c in found if c["schema"] < indices.SCHEMA_VERSION]
    if older:
        why = []
        if any(not c["whole_documents"] for c in older):
            why.append("hybrid search ranks documents by their best passage, not by their "
                       "whole words")
        if any(c["schema"] < indices.NEGATION_SCHEMA for c in older):
            why.append('a quoted phrase can match its negation ("did support" in "did not '
                       'support")')
        if any(c["schema"] < indices.DATE_PRECISION_SCHEMA for c in older):
            why.append("a document dated only by its year is counted in January of the "
                       "month views")
        click.echo(f"Built by an older Verbatim: {', '.join(c['name'] for c in older)}. In "
                   f"them (and any search that includes them) {'; '.join(why)}. Re-index each "
                   "with --replace to bring it up to date.")


def _existing_collection(settings: Settings, collection: str) -> tuple[Any, str]:
    """A client, and the current index of ``collection``, for the commands that change an
    existing collection: a name no collection could have is a bad COLLECTION argument, one
    that names none a clean error, both before anything is touched."""
    from indexer import indices

    try:
        indices.validate_collection(collection)
    except CollectionError as exc:
        raise click.BadParameter(str(exc), param_hint="COLLECTION") from None
    client = _client(settings)
    index = indices.current_index(client, settings, collection)
    if index is None:
        raise click.ClickException(f"No collection named {collection!r}; see `verbatim collections`")
    return client, index


@cli.command("optimize")
@click.argument("collection")
@click.option("--segments", default=1, show_default=True, type=click.IntRange(min=1),
              help="Merge down to this many segments.")
@click.option("--progress/--no-progress", default=None,
              help="Show the progress bar (default: when the terminal is interactive).")
@click.pass_context
def optimize_command(ctx: click.Context, collection: str, segments: int,
                     progress: bool | None) -> None:
    """Merge a collection's segments after a bulk load: searches visit each segment, so
    fewer make them faster. The collection stays searchable while it is merged."""
    from tqdm import tqdm

    from indexer import optimize as merging

    settings = _settings(ctx)
    client, index = _existing_collection(settings, collection)
    show = sys.stderr.isatty() if progress is None else progress
    bar = tqdm(unit="B", unit_scale=True, unit_divisor=1024, desc=f"merging {collection}",
               disable=not show, file=sys.stderr, dynamic_ncols=True)

    def report(written: int, total: int) -> None:
        bar.total = total
        bar.update(max(0, min(written, total) - bar.n))

    def waiting(busy: list[str]) -> None:
        click.echo(f"Waiting: Elasticsearch merges one index at a time, and {', '.join(busy)} "
                   f"is being merged now; {collection} is merged after it and stays searchable "
                   "meanwhile.", err=True)

    try:
        result = merging.merge(client, index, target=segments, on_progress=report,
                               on_wait=waiting)
    except merging.MergeError as exc:
        raise click.ClickException(f"{exc}. The collection is unchanged and searchable.") from None
    finally:
        bar.close()
    click.echo(merging.describe(result))


@cli.command("delete")
@click.argument("collection")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.pass_context
def delete_command(ctx: click.Context, collection: str, yes: bool) -> None:
    """Delete a collection and every version of its index."""
    from indexer import indices

    settings = _settings(ctx)
    client, _ = _existing_collection(settings, collection)
    if not yes:
        click.confirm(f"Delete the collection {collection!r}?", abort=True)
    for name in indices.delete_collection(client, settings, collection):
        click.echo(f"Deleted {name}")
    from indexer.provenance.store import forget_collection

    if forgotten := forget_collection(client, settings, collection):
        click.echo(f"Forgot {forgotten:,} quote checks that involved it (`verbatim link` "
                   "checks those quotes again)")
