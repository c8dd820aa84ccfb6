"""``contactpro customers``: erase a customer's personal data, export it, apply retention."""

from __future__ import annotations

import json
from pathlib import Path

import click
from flask.cli import with_appcontext
from sqlalchemy.orm import Session

from cli.context import runtime
from cli.errors import counted, one_line_errors
from cli.files import named_file
from contactpro.errors import BadRequestError, NotFoundError
from contactpro.models import Customer, utcnow
from contactpro.privacy.erasure import erase
from contactpro.privacy.export import export_customer
from contactpro.privacy.retention import apply_retention
from contactpro.privacy.subjects import find_customer
from contactpro.providers.telephony import telephony_for
from contactpro.resilience.atomic import replace_file

_PHONE = click.option("--phone", default="", help="The customer's phone number (E.164).")
_NATIONAL_ID = click.option("--national-id", default="", help="The customer's national id.")


@click.group("customers")
def customers() -> None:
    """Customers' personal data: access requests, erasure and retention."""


def _find(session: Session, phone: str, national_id: str) -> Customer:
    try:
        return find_customer(session, phone=phone, national_id=national_id)
    except (BadRequestError, NotFoundError) as exc:
        raise click.ClickException(exc.message) from exc


@customers.command("erase")
@_PHONE
@_NATIONAL_ID
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@with_appcontext
@one_line_errors
def customers_erase(phone: str, national_id: str, yes: bool) -> None:
    """Remove or anonymise a customer's personal data everywhere; figures are kept."""
    rt = runtime()
    with rt.db.session() as session:
        customer = _find(session, phone, national_id)
        if not yes:
            click.confirm(f"erase every personal datum of customer {customer.id}?", abort=True)
        report = erase(session, rt.settings, telephony_for(rt.settings), customer)
        # Nothing is left to work on: the customer's open hand-offs leave the queue (audited).
        from contactpro.console.agent_queue import close_erased  # noqa: PLC0415 - quick -h

        closed = close_erased(session, customer.id, None)
    click.echo(
        f"erased customer {report.customer_id}: {counted(report.conversations, 'conversation')}, "
        f"{counted(report.recordings, 'recording')} deleted, "
        f"{counted(report.accounts, 'account')} anonymised, "
        f"{counted(report.file_lines, 'file line')} removed, "
        f"{counted(len(closed), 'open escalation')} closed"
    )
    if report.recordings_not_deleted:
        click.secho(
            f"{counted(report.recordings_not_deleted, 'recording')} could not be deleted at "
            "Twilio; "
            "run the erasure again later",
            fg="yellow",
            err=True,
        )
        raise SystemExit(1)


@customers.command("export")
@_PHONE
@_NATIONAL_ID
@click.option(
    "--out",
    "out",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The JSON file to write (readable by its owner only).",
)
@with_appcontext
@one_line_errors
def customers_export(phone: str, national_id: str, out: Path) -> None:
    """Write everything held about a customer (an access request) to a JSON file."""
    rt = runtime()
    with rt.db.session() as session:
        customer = _find(session, phone, national_id)
        document = export_customer(session, rt.settings, customer)
    # A new file, never the old one rewritten: an existing file's wider mode must not apply.
    with named_file(out, "write"), replace_file(out, private=True) as handle:
        json.dump(document, handle, ensure_ascii=False, indent=2, default=str)
    rows = sum(len(rows) for rows in document["tables"].values())
    archived = len(document["archives"])
    click.echo(
        f"exported customer {customer.id}: {counted(rows, 'row')}, {archived} archived, to {out}"
    )


@customers.command("retention")
@with_appcontext
@one_line_errors
def customers_retention() -> None:
    """Apply the retention periods now (the beat runs this daily)."""
    rt = runtime()
    with rt.db.session() as session:
        result = apply_retention(session, rt.settings, telephony_for(rt.settings), utcnow())
    click.echo(
        f"archived and removed: {counted(result.transcripts, 'conversation')}, "
        f"{counted(result.transcriptions, 'transcript')}, "
        f"{counted(result.recordings, 'recording')}; "
        f"{counted(result.files_removed, 'old file')} deleted"
    )
