"""``contactpro improve``: rank what to automate, replay a proposal, explain failures."""

from __future__ import annotations

import json
import signal
import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click
from flask import current_app
from flask.cli import with_appcontext

from cli.conversations import live_filter, live_options, load_conversations, no_dataset
from cli.errors import counted, one_line_errors
from cli.files import named_file
from contactpro.errors import ContactProError
from contactpro.improve import index, store
from contactpro.resilience.atomic import check_writable_folder
from contactpro.runtime import Runtime

if TYPE_CHECKING:  # the models and the writer load in the commands: ``-h`` stays quick
    from contactpro.improve import explain


def _runtime() -> Runtime:
    runtime: Runtime = current_app.extensions["contactpro"]
    return runtime


@click.group("improve")
def improve() -> None:
    """Learn from conversations: what to automate next, replay a change, explain failures."""


@improve.command("rank")
@click.option("--data", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.option("--dataset", "name", help="An imported dataset; default: live traffic.")
@live_options
@click.option(
    "--weights",
    default="",
    help="Exponents of volume × unresolved × time ÷ effort, e.g. 'unresolved=2,effort=0.5'.",
)
@click.option(
    "--top", default=15, show_default=True, type=click.IntRange(min=1), help="Rows to print."
)
@click.option("--out", type=click.Path(path_type=Path, dir_okay=False), help="Full ranking CSV.")
@with_appcontext
@one_line_errors
def rank_(
    data: Path | None,
    name: str | None,
    since: datetime | None,
    until: datetime | None,
    channel: str | None,
    outcome: str | None,
    weights: str,
    top: int,
    out: Path | None,
) -> None:
    """List the intents, failure reasons and tools that cost the most, with effort and gain."""
    from contactpro.improve import rank  # noqa: PLC0415 - see the imports

    try:
        chosen = rank.Weights.parse(weights)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--weights") from None
    rt = _runtime()
    rows = load_conversations(data, name, live_filter(since, until, channel, outcome))
    ranking = rank.rank_conversations(rows, rt.settings, chosen)
    if out is not None:
        with named_file(out, "write"):
            rank.write_csv(ranking, out)
    if not ranking:
        click.echo(f"{counted(len(rows), 'conversation')}, nothing unresolved to rank")
        return
    click.echo(
        f"{'#':>3} {'kind':<8} {'name':<28} {'vol':>5} {'unres':>6} {'min':>6} {'eff':>3} "
        f"{'score':>9} {'contain':>8} {'saving':>10}"
    )
    for c in ranking[:top]:
        click.echo(
            f"{c.rank:>3} {c.kind:<8} {c.name[:28]:<28} {c.volume:>5} {c.unresolved_share:>6.0%} "
            f"{c.handling_minutes:>6.1f} {c.effort:>3} {c.score:>9.2f} "
            f"{c.expected_contained:>8.1f} {c.expected_saving:>10.2f} {c.currency}"
        )


@improve.command("replay")
@click.option("--data", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.option("--dataset", "name", help="An imported dataset instead of a file.")
@click.option(
    "--proposed",
    required=True,
    type=click.Path(path_type=Path, file_okay=False),
    help="Proposal folder: settings.toml, templates/, kb/, intents/.",
)
@click.option("--out", type=click.Path(path_type=Path, file_okay=False), help="For the six files.")
@click.option("--limit", type=click.IntRange(min=1), help="Replay only the first N.")
@click.option("--json", "as_json", is_flag=True, help="Print the results as JSON.")
@click.option(
    "--background", is_flag=True, help="Queue the run for a worker; follow it in the console."
)
@with_appcontext
@one_line_errors
def replay_(
    data: Path | None,
    name: str | None,
    proposed: Path,
    out: Path | None,
    limit: int | None,
    as_json: bool,
    background: bool,
) -> None:
    """Replay recorded caller turns with the current and the proposed configuration."""
    from contactpro.improve import runs  # noqa: PLC0415 - see the imports
    from tasks import send  # noqa: PLC0415 - see the imports
    from tasks.improve import replay as replay_task  # noqa: PLC0415 - see the imports

    if (data is None) == (name is None):
        raise click.UsageError("give exactly one of --data FILE or --dataset NAME")
    rt = _runtime()
    if name is not None:
        with rt.db.session() as session:
            if not store.has_dataset(session, name):
                raise no_dataset(name)
    if out is not None:
        with named_file(out, "write"):
            check_writable_folder(out)
    request = runs.ReplayRequest(
        proposed=str(proposed.resolve()),
        out_dir="",
        data=str(data.resolve()) if data else None,
        dataset=name,
        limit=limit,
        proposed_as_given=str(proposed),
    )
    run_id = runs.create_run(rt.db, request)
    folder = out or rt.settings.var_dir / "improve" / f"replay-{run_id}"
    runs.set_out_dir(rt.db, run_id, str(folder.resolve()))
    if background:
        queued = send(replay_task, run_id)
        click.echo(f"replay run {run_id} {'queued' if queued else 'waiting in the outbox'}")
        return
    # Ctrl-C or a stop request (kill, systemd) ends the run after the conversation being
    # replayed: the run is marked failed.
    stop = _StopRequest()
    try:
        with stop:
            results = runs.execute(rt.db, rt.settings, run_id, _Progress(stop))
    except ContactProError as exc:
        raise click.ClickException(exc.message) from None
    except KeyboardInterrupt:
        click.echo(f"Error: replay run {run_id}: {runs.interrupted().message}", err=True)
        sys.exit(130)
    if as_json:
        click.echo(json.dumps({"run_id": run_id, **results}, ensure_ascii=False, indent=2))
        return
    _print_side_by_side(run_id, results, _shown_folder(out, run_id))


class _StopRequest:
    """Turn Ctrl-C and SIGTERM into a stop the replay takes between two conversations.

    Raised from the signal handler, KeyboardInterrupt can land in a garbage collector's
    callback, where Python prints it and carries on: the replay would never stop. The first
    signal is only noted (``requested``); a second one raises at once.
    """

    _SIGNALS = (signal.SIGINT, signal.SIGTERM)

    def __init__(self) -> None:
        self.requested = False
        self._previous: dict[int, object] = {}

    def __enter__(self) -> _StopRequest:
        for signum in self._SIGNALS:
            self._previous[signum] = signal.signal(signum, self._note)
        return self

    def __exit__(self, *_exc: object) -> None:
        for signum, handler in self._previous.items():
            signal.signal(signum, handler)  # type: ignore[arg-type]

    def _note(self, _signum: int, _frame: object) -> None:
        if self.requested:
            raise KeyboardInterrupt
        self.requested = True

    def check(self) -> None:
        """Raise KeyboardInterrupt if a stop was asked for."""
        if self.requested:
            raise KeyboardInterrupt


class _Progress:
    """Print how far the replay is, one line each tenth of the way, on stderr; stop the
    replay there when asked to."""

    def __init__(self, stop: _StopRequest) -> None:
        self._last = -1
        self._stop = stop

    def __call__(self, done: int, total: int) -> None:
        self._stop.check()
        percent = 100 * done // total if total else 100
        if percent // 10 == self._last:
            return
        self._last = percent // 10
        click.echo(f"replaying: {done}/{total} ({percent}%)", err=True)


def _shown_folder(out: Path | None, run_id: int) -> str:
    """Name the files' folder as the operator gave it, else from here or from the setting
    (``$CONTACTPRO_VAR_DIR/...``): never a server path the operator did not write."""
    if out is not None:
        return str(out)
    folder = _runtime().settings.var_dir / "improve" / f"replay-{run_id}"
    if folder.resolve().is_relative_to(Path.cwd().resolve()):
        return str(folder.resolve().relative_to(Path.cwd().resolve()))
    return f"$CONTACTPRO_VAR_DIR/improve/replay-{run_id}"


def _print_side_by_side(run_id: int, results: dict[str, object], folder: str) -> None:
    summary = results["summary"]
    assert isinstance(summary, dict)
    click.echo(f"replay run {run_id}")
    click.echo(f"{'':<22} {'baseline':>10} {'proposed':>10} {'delta':>10}")
    for key, before in summary["baseline"].items():
        after, delta = summary["proposed"][key], summary["delta"].get(key, "")
        click.echo(f"{key:<22} {before!s:>10} {after!s:>10} {delta!s:>10}")
    cut = (summary["baseline"].get("cut_short"), summary["proposed"].get("cut_short"))
    if any(cut):
        click.echo(
            f"cut short: {cut[0]} baseline, {cut[1]} proposed (the recorded caller turns ran out "
            f"while the bot still waited); left out of the figures above, "
            f"{summary['proposed'].get('compared')} compared"
        )
    changed = results["changed"]
    assert isinstance(changed, list)
    click.echo(f"{counted(len(changed), 'conversation')} changed outcome")
    for item in changed:
        direction = str(item["direction"]).replace("_", " ")
        click.echo(
            f"  {item['conversation_id']}: {item['baseline']} -> {item['proposed']} ({direction})"
        )
    click.echo(f"files in {folder}")


@improve.command("index")
@click.option(
    "--batch",
    default=256,
    show_default=True,
    type=click.IntRange(min=1),
    help="Conversations embedded per batch.",
)
@click.option("--all/--one-batch", "everything", default=True, show_default=True)
@with_appcontext
@one_line_errors
def index_(batch: int, everything: bool) -> None:
    """Embed closed and imported conversations not yet in the similar-case index."""
    rt = _runtime()
    encoder = index.encoder_for(rt.settings.improve_case_encoder)
    total = 0
    while True:
        with rt.db.session() as session:
            added = index.index_pending(session, encoder, batch)
        total += added
        if added:
            click.echo(f"indexed {counted(total, 'conversation')}", err=True)
        if not added or not everything:
            break
    click.echo(f"{counted(total, 'conversation')} added to the {encoder.name} index")


@improve.command("explain")
@click.option(
    "--interaction", "interaction_id", type=click.IntRange(min=1), help="A live interaction's id."
)
@click.option("--call-type")
@click.option("--failure-step")
@click.option("--failure-reason")
@click.option("--segment")
@click.option("--text", default="", help="What the caller said (orders the cases).")
@click.option(
    "-k", "k", default=10, show_default=True, type=click.IntRange(min=1), help="Cases to retrieve."
)
@click.option("--json", "as_json", is_flag=True)
@with_appcontext
@one_line_errors
def explain_(
    interaction_id: int | None,
    call_type: str | None,
    failure_step: str | None,
    failure_reason: str | None,
    segment: str | None,
    text: str,
    k: int,
    as_json: bool,
) -> None:
    """Explain a failure from similar past cases (by the LLM if configured, else by rules)."""
    from contactpro.improve import explain  # noqa: PLC0415 - see the imports
    from contactpro.improve.llm import writer_for  # noqa: PLC0415 - see the imports

    rt = _runtime()
    fields_given = any((call_type, failure_step, failure_reason, segment, text))
    if (interaction_id is None) == (not fields_given):
        raise click.UsageError(
            "give --interaction ID, or some of --call-type --failure-step --failure-reason "
            "--segment --text"
        )
    encoder = index.encoder_for(rt.settings.improve_case_encoder)
    with rt.db.session() as session:
        exclude = None
        if interaction_id is not None:
            try:
                query = explain.query_for_interaction(session, interaction_id)
            except explain.NothingToExplain as exc:
                click.echo(exc.message)
                return
            except ContactProError as exc:
                raise click.ClickException(exc.message) from None
            exclude = ("live", interaction_id)
        else:
            query = explain.Query(call_type, failure_step, failure_reason, segment, text)
        result = explain.explain(
            session, encoder, query, writer_for(rt.settings), k=k, exclude=exclude
        )
    if as_json:
        click.echo(json.dumps(result.as_dict(), ensure_ascii=False, indent=2, default=str))
        return
    click.echo(result.text)
    _print_cases(result)
    if result.llm_error:
        click.secho(f"(written by rules: {result.llm_error})", fg="yellow", err=True)


def _print_cases(result: explain.Explanation) -> None:
    """List the closest cases as the console does, or say there are none."""
    from contactpro.improve import explain  # noqa: PLC0415 - see the imports
    from contactpro.nlu.masking import mask_pii  # noqa: PLC0415 - see the imports

    if not result.cases:
        click.echo("No similar case to show.")
        return
    click.echo(f"Closest cases ({len(result.cases)}):")
    for hit in result.cases:
        case = hit.case
        where = " · ".join(v for v in (case.failure_step, case.failure_reason, case.segment) if v)
        said = " ".join(mask_pii(case.text).split())[:100]
        click.echo(
            f"  [{explain.case_id(hit)}] {hit.similarity:.2f} {case.outcome or '-'}"
            f"{' · ' + where if where else ''}: {said}"
        )


@improve.command("propose")
@click.option("--data", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.option("--dataset", "name", help="An imported dataset; default: live traffic.")
@live_options
@click.option("--json", "as_json", is_flag=True)
@with_appcontext
@one_line_errors
def propose(
    data: Path | None,
    name: str | None,
    since: datetime | None,
    until: datetime | None,
    channel: str | None,
    outcome: str | None,
    as_json: bool,
) -> None:
    """Draft proposals (by the LLM if configured, else by rules) for people to decide on."""
    from contactpro.improve import metrics, proposals, rank  # noqa: PLC0415 - see the imports
    from contactpro.improve.llm import writer_for  # noqa: PLC0415 - see the imports
    from contactpro.nlu.cascade import get_cascade  # noqa: PLC0415 - see the imports

    rt = _runtime()
    rows = load_conversations(data, name, live_filter(since, until, channel, outcome))
    cascade = get_cascade(rt.settings)
    measured = [metrics.measure(conv, cascade) for conv in rows]
    ranking = rank.rank(rows, measured, rt.settings)
    drafts, why_rules = proposals.draft(rows, measured, ranking, writer_for(rt.settings))
    with rt.db.session() as session:
        known = {i: row.status for i, row in proposals.already_proposed(session, drafts).items()}
        ids = proposals.save(session, drafts)
    if why_rules:
        click.secho(f"(drafted by rules: {why_rules})", fg="yellow", err=True)
    if as_json:
        listed = [
            {"id": pid, "already_proposed": known.get(i), **d.__dict__}
            for i, (pid, d) in enumerate(zip(ids, drafts, strict=True))
        ]
        click.echo(json.dumps(listed, ensure_ascii=False, indent=2))
        return
    for i, (proposal_id, item) in enumerate(zip(ids, drafts, strict=True)):
        again = f" (already proposed, {known[i]})" if i in known else ""
        click.echo(f"#{proposal_id} [{item.kind}, {item.source}] {item.title}{again}")
    repeated = f", {len(known)} already proposed" if known else ""
    click.echo(f"{counted(len(drafts) - len(known), 'proposal')} drafted{repeated}")


@improve.command("proposals")
@click.option("--status", type=click.Choice(["draft", "approved", "rejected"]))
@with_appcontext
@one_line_errors
def proposals_(status: str | None) -> None:
    """List proposals, newest first."""
    from contactpro.improve import proposals  # noqa: PLC0415 - see the imports

    with _runtime().db.session() as session:
        items = list(proposals.listing(session, status))
        for item in items:
            decided = f" by {item.decided_by}" if item.decided_by else ""
            click.echo(f"#{item.id} {item.status}{decided} [{item.kind}] {item.title}")
    if not items:
        click.echo(f"no {status} proposals" if status else "no proposals")


def _who(_ctx: click.Context, _param: click.Parameter, value: str) -> str:
    """Return the decider's name, stripped; an empty one is refused (the audit needs a name)."""
    if not value.strip():
        raise click.BadParameter("a name is required")
    return value.strip()


def _decide(proposal_id: int, decision: str, by: str, edit: Path | None) -> None:
    from contactpro.console.strings import translate  # noqa: PLC0415 - see the imports
    from contactpro.improve import approval  # noqa: PLC0415 - see the imports

    body = None
    if edit is not None:
        with named_file(edit):
            text = edit.read_text(encoding="utf-8")
        try:
            body = json.loads(text)
        except ValueError as exc:
            raise click.ClickException(f"{edit}: not a JSON object ({exc})") from None
        if not isinstance(body, dict):
            raise click.ClickException(f"{edit}: not a JSON object")
    # The edit is merged into the stored body: a field it leaves out is kept, a null removed.
    try:
        with _runtime().db.session() as session:
            done = approval.decide(
                session, _runtime().settings, proposal_id, decision, by, body=body
            )
    except ContactProError as exc:
        raise click.ClickException(exc.message) from None
    click.echo(f"proposal #{proposal_id} {decision} by {by}")
    if decision == "approved":  # what now changed, or that nothing did
        click.echo(done.describe(lambda key: translate(key, "en")))


@improve.command("approve")
@click.argument("proposal_id", type=int)
@click.option("--by", required=True, callback=_who, help="Who decides (recorded in the audit log).")
@click.option(
    "--edit",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Changed fields of the body (JSON, merged: a null field is removed).",
)
@with_appcontext
@one_line_errors
def approve(proposal_id: int, by: str, edit: Path | None) -> None:
    """Approve a proposal, optionally with an edited body; the decision is audited."""
    _decide(proposal_id, "approved", by, edit)


@improve.command("reject")
@click.argument("proposal_id", type=int)
@click.option("--by", required=True, callback=_who, help="Who decides (recorded in the audit log).")
@with_appcontext
@one_line_errors
def reject(proposal_id: int, by: str) -> None:
    """Reject a proposal; the decision is audited."""
    _decide(proposal_id, "rejected", by, None)
