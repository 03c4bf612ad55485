"""``verbatim verify`` and ``verbatim link``, and the link step that ``verbatim index`` runs."""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from indexer.cli import _client, _embedder, _settings
from indexer.settings import Settings

VERDICT_WORDS = {
    "verbatim": "said word for word",
    "trimmed": "said, with words left out",
    "altered": "said, but with words changed",
    "paraphrase": "said in other words",
    "not_found": "not found in the record",
}


@click.command("verify")
@click.argument("text")
@click.option("--speaker", help="Who the quote is attributed to.")
@click.option("--date", help="When it was reported (YYYY-MM-DD): no later record is a source.")
@click.option("--collection", "-c", "collections", multiple=True,
              help="Only look in these collections (repeatable).")
@click.option("--json", "as_json", is_flag=True, help="Print the API's JSON answer.")
@click.pass_context
def verify_command(ctx: click.Context, text: str, speaker: str | None, date: str | None,
                   collections: tuple[str, ...], as_json: bool) -> None:
    """Find where a quotation's words come from in the record, and how faithfully."""
    from indexer.errors import VerbatimError
    from indexer.provenance.check import Checker
    from indexer.provenance.claims import ClaimError, parse_claim

    settings = _settings(ctx)
    try:
        claim = parse_claim({"text": text, "speaker": speaker, "date": date,
                             "collection": list(collections)})
    except ClaimError as exc:
        raise click.BadParameter(str(exc)) from None
    checker = Checker(_client(settings), _embedder(settings), settings)
    try:
        result = checker.check(claim)
    except VerbatimError as exc:
        raise click.ClickException(exc.message) from None
    answer = result.to_dict()
    if as_json:
        click.echo(json.dumps(answer, indent=2, ensure_ascii=False))
        return
    click.echo(render(answer))


def render(answer: dict[str, Any]) -> str:
    """The answer as a person reads it in a terminal: the verdict, the source, the changes."""
    verdict = answer["verdict"]
    lines = [f"{verdict.upper()}: {VERDICT_WORDS.get(verdict, verdict)}"]
    for number, source in enumerate(answer["sources"][:3]):
        head = " · ".join(str(x) for x in (source.get("symbol") or source["title"],
                                            source.get("speaker"), source.get("date")) if x)
        lead = "Source" if number == 0 else "Also close"
        lines.append(f"{lead}: {head}  [{source['collection']}/{source['doc_id']}, "
                     f"{source['verdict']}, similarity {source['similarity']}]")
        if number == 0:
            lines.append(f"  speaker: {source['speaker_match']}")
            changes = [d for d in source["diff"] if d["op"] != "equal"]
            for d in changes[:12]:
                lines.append(f"  {d['op']:<8} quote: {d['quote']!r}  record: {d['source']!r}")
    for article in answer["also_quoted_in"][:5]:
        lines.append(f"Also quoted in: {article.get('title') or article['doc_id']} "
                     f"({article.get('source') or article['collection']}, {article.get('date')})")
    return "\n".join(lines)


@click.command("link")
@click.option("--collection", "-c", "collections", multiple=True,
              help="Check the quotes of these collections only (default: every collection).")
@click.option("--recheck", is_flag=True,
              help="Check again the quotes still not found (after adding records).")
@click.option("--progress/--no-progress", default=None,
              help="Show the progress bar (default: when the terminal is interactive).")
@click.pass_context
def link_command(ctx: click.Context, collections: tuple[str, ...], recheck: bool,
                 progress: bool | None) -> None:
    """Check the news quotes against the record: where each comes from, how faithfully."""
    settings = _settings(ctx)
    show = sys.stderr.isatty() if progress is None else progress
    summary = run_link(settings, collections, recheck_not_found=recheck, show=show)
    click.echo(summary_text(summary), err=True)


def run_link(settings: Settings, collections: tuple[str, ...], *, recheck_not_found: bool,
             show: bool, client: Any = None, embedder: Any = None) -> dict[str, Any]:
    """Link with the caller's client and model when it has them (``verbatim index`` does:
    loading the model twice costs seconds, and a second reachability check could land
    on a node that has just gone away)."""
    from tqdm import tqdm

    from indexer.errors import VerbatimError
    from indexer.provenance.check import Checker
    from indexer.provenance.link import count_quotes, link

    client = client if client is not None else _client(settings)
    checker = Checker(client, embedder if embedder is not None else _embedder(settings), settings)
    total = sum(count_quotes(client, settings.alias(c)) for c in collections) if collections \
        else count_quotes(client, settings.all_alias)
    bar = tqdm(total=total, unit="quote", disable=not show, file=sys.stderr, dynamic_ncols=True)

    def tick() -> None:
        bar.update(1)

    try:
        summary = link(checker, collections=collections, recheck_not_found=recheck_not_found,
                       on_quote=tick)
    except VerbatimError as exc:
        raise click.ClickException(exc.message) from None
    finally:
        bar.close()
    return summary.as_dict()


def summary_text(summary: dict[str, Any]) -> str:
    lines = [f"Quotes checked against the record: {summary['checked']:,} "
             f"({summary['unchanged']:,} unchanged, {summary['too_short']:,} under 4 words "
             f"left unchecked, {summary['quotes']:,} in all)"]
    for verdict in ("verbatim", "trimmed", "altered", "paraphrase", "not_found"):
        lines.append(f"  {verdict:<11} {summary['verdicts'].get(verdict, 0):>7,}")
    return "\n".join(lines)
