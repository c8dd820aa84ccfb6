"""``contactpro conversations``: export, import and measure conversation datasets."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click
from flask import current_app
from flask.cli import with_appcontext

from cli.errors import counted, one_line_errors
from cli.files import named_file
from contactpro.errors import ContactProError
from contactpro.improve import dataset, ivr, store
from contactpro.improve.dataset import Conversation, LineProblem
from contactpro.resilience.atomic import replace_file
from contactpro.runtime import Runtime

if TYPE_CHECKING:  # the figures and the understanding load in the command: ``-h`` stays quick
    from contactpro.improve import metrics

F = TypeVar("F", bound=Callable[..., Any])


def _runtime() -> Runtime:
    runtime: Runtime = current_app.extensions["contactpro"]
    return runtime


def _utc(value: datetime | None) -> datetime | None:
    return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value


# Bad lines named one by one; the rest are counted on one line.
SHOWN_PROBLEMS = 10


def _report(problems: list[LineProblem]) -> None:
    for problem in problems[:SHOWN_PROBLEMS]:
        click.secho(f"skipped {problem}", fg="yellow", err=True)
    if len(problems) > SHOWN_PROBLEMS:
        more = len(problems) - SHOWN_PROBLEMS
        click.secho(f"skipped {counted(more, 'more line')}", fg="yellow", err=True)


def _readable(value: Any) -> str:
    """Return a figure as an operator reads it: ``-`` for unknown, ``a 2, b 1`` for counts."""
    if value is None:
        return "-"
    if isinstance(value, dict):
        return ", ".join(f"{key} {count}" for key, count in value.items()) or "none"
    return str(value)


def _mapping(pairs: tuple[str, ...]) -> dict[str, str]:
    mapping: dict[str, str] = {}
    for pair in pairs:
        field, sep, column = pair.partition("=")
        if not sep or not field.strip() or not column.strip():
            raise click.BadParameter(f"{pair!r} is not FIELD=COLUMN", param_hint="--map")
        mapping[field.strip()] = column.strip()
    return mapping


def load_conversations(
    data: Path | None, dataset_name: str | None, live: store.LiveFilter
) -> list[Conversation]:
    """Read a JSONL file, an imported dataset, or live traffic; refuse a file and a dataset
    together, and a file holding no conversation (its figures would all be empty)."""
    if data is not None and dataset_name:
        raise click.UsageError("give --data FILE or --dataset NAME, not both")
    if data is not None:
        try:
            conversations, problems = dataset.read_jsonl(data)
        except ContactProError as exc:
            raise click.ClickException(exc.message) from None
        _report(problems)
        if not conversations:
            raise no_conversation(data)
        return conversations
    with _runtime().db.session() as session:
        if dataset_name:
            conversations = store.load(session, dataset_name)
            if not conversations:
                raise no_dataset(dataset_name)
            return conversations
        return list(store.export_live(session, live))


def no_conversation(path: Path) -> click.ClickException:
    """The error of a file none of whose lines is a conversation."""
    return click.ClickException(f"{path} holds no valid conversation")


def no_dataset(name: str) -> click.ClickException:
    """The error of a ``--dataset`` that names no imported dataset."""
    return click.ClickException(f"no imported dataset named {name!r}")


def live_options(command: F) -> F:
    """Add ``--since --until --channel --outcome`` (a filter on live interactions)."""
    options = [
        click.option("--since", type=click.DateTime(), help="Started at or after (UTC)."),
        click.option("--until", type=click.DateTime(), help="Started before (UTC)."),
        click.option("--channel", type=click.Choice(["voice", "sms", "whatsapp"])),
        click.option("--outcome", type=click.Choice(["auto_resolved", "escalated", "abandoned"])),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def live_filter(
    since: datetime | None, until: datetime | None, channel: str | None, outcome: str | None
) -> store.LiveFilter:
    """Build the live-traffic filter of the shared options; refuse a period that ends before
    it starts (one ``Error:`` line, exit status 1) rather than read nothing from it."""
    start, end = _utc(since), _utc(until)
    if start is not None and end is not None and start >= end:
        raise click.ClickException(
            f"--since ({start:%Y-%m-%d %H:%M}) must be before --until ({end:%Y-%m-%d %H:%M}): "
            "that period holds no conversation"
        )
    return store.LiveFilter(start, end, channel, outcome)


@click.group("conversations")
def conversations() -> None:
    """Conversation datasets: export live traffic, import JSONL or IVR logs, measure them."""


@conversations.command("export")
@click.option(
    "--out",
    "out",
    required=True,
    type=click.Path(path_type=Path, dir_okay=False),
    help="The JSONL file to write (readable by its owner only: transcripts).",
)
@live_options
@with_appcontext
@one_line_errors
def export(
    out: Path,
    since: datetime | None,
    until: datetime | None,
    channel: str | None,
    outcome: str | None,
) -> None:
    """Write closed live conversations as JSONL, one conversation a line (the conversations
    still open are left out, and counted on stderr)."""
    live = live_filter(since, until, channel, outcome)
    with _runtime().db.session() as session, named_file(out, "write"):
        rows = store.export_live(session, live)
        count = dataset.write_jsonl(rows, out)
        left_out = store.still_open(session, live)
    click.echo(f"exported {counted(count, 'conversation')} to {out}")
    if left_out:
        later = "export it once it closes" if left_out == 1 else "export them once they close"
        click.secho(
            f"left out {counted(left_out, 'open conversation')} (not over yet: {later})",
            fg="yellow",
            err=True,
        )


@conversations.command("import")
@click.argument("file", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.option("--dataset", "name", help="Dataset name; default: the file's name.")
@click.option(
    "--format",
    "kind",
    type=click.Choice(["auto", "jsonl", "ivr-csv"]),
    default="auto",
    show_default=True,
    help="auto: .csv files are IVR call logs, anything else JSONL.",
)
@click.option("--map", "pairs", multiple=True, help="IVR CSV: FIELD=COLUMN (repeatable).")
@with_appcontext
@one_line_errors
def import_(file: Path, name: str | None, kind: str, pairs: tuple[str, ...]) -> None:
    """Import conversations, kept apart from live traffic; bad lines are reported and skipped."""
    csv_file = kind == "ivr-csv" or (kind == "auto" and file.suffix.lower() == ".csv")
    try:
        if csv_file:
            rows, problems = ivr.read_ivr_csv(file, _mapping(pairs))
        else:
            rows, problems = dataset.read_jsonl(file)
    except ContactProError as exc:
        raise click.ClickException(exc.message) from None
    _report(problems)
    if not rows:  # said before anything is stored, and without an "imported 0" line first
        raise no_conversation(file)
    name = name or file.stem
    with _runtime().db.session() as session:
        added, replaced = store.save(session, name, rows)
    click.echo(
        f"dataset {name}: imported {counted(added + replaced, 'conversation')} "
        f"({added} new, {replaced} replaced), skipped {counted(len(problems), 'line')}"
    )


@conversations.command("metrics")
@click.option("--data", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.option("--dataset", "name", help="An imported dataset; default: live traffic.")
@live_options
@click.option(
    "--out", type=click.Path(path_type=Path, dir_okay=False), help="Per-conversation CSV."
)
@click.option("--json", "as_json", is_flag=True, help="Print the set's figures as JSON.")
@with_appcontext
@one_line_errors
def metrics_(
    data: Path | None,
    name: str | None,
    since: datetime | None,
    until: datetime | None,
    channel: str | None,
    outcome: str | None,
    out: Path | None,
    as_json: bool,
) -> None:
    """Resolution, CSAT (survey or estimated), caller turns, latency, duration, reasons."""
    from contactpro.improve import metrics  # noqa: PLC0415 - see the imports
    from contactpro.nlu.cascade import get_cascade  # noqa: PLC0415

    rows = load_conversations(data, name, live_filter(since, until, channel, outcome))
    cascade = get_cascade(_runtime().settings)
    measured = [metrics.measure(conv, cascade) for conv in rows]
    summary = metrics.summarise(measured)
    if out is not None:
        write_metrics_csv(measured, out)
    if as_json:
        click.echo(json.dumps(summary, ensure_ascii=False, indent=2))
        return
    for key, value in summary.items():
        click.echo(f"{key:<24} {_readable(value)}")


def write_metrics_csv(rows: list[metrics.ConversationMetrics], out: Path) -> None:
    """Write one row of figures per conversation (one error line if ``out`` cannot be written)."""
    from contactpro.improve.metrics import ConversationMetrics  # noqa: PLC0415 - see the imports

    with named_file(out, "write"), replace_file(out, newline="") as handle:
        fields = [*ConversationMetrics.__dataclass_fields__, "topic"]
        writer = csv.DictWriter(handle, fieldnames=fields)
        writer.writeheader()
        for row in rows:
            writer.writerow(row.row())
