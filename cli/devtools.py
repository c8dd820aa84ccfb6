"""Try the bot without customers or a phone: ``seed`` and ``simulate``."""

from __future__ import annotations

import functools
import sys
import time
from collections.abc import Callable

import click
from flask.cli import with_appcontext
from requests import RequestException
from requests.exceptions import InvalidSchema, InvalidURL, MissingSchema

from cli.context import runtime
from cli.database import problem
from cli.errors import counted, one_line_errors
from devtools.seed import seed_customers
from devtools.simulator import TwilioSimulator, TwimlStep


@click.command("seed")
@click.option("--customers", "count", default=50, show_default=True, type=click.IntRange(1))
@click.option("--seed", "seed", default=7, show_default=True, help="Random seed.")
@with_appcontext
@one_line_errors
def seed(count: int, seed: int) -> None:
    """Add realistic synthetic customers, accounts, invoices and payments."""
    # A missing schema is said in one line before the progress bar starts.
    if (message := problem(runtime().settings.database_url)) is not None:
        click.secho(message, fg="red", err=True)
        raise SystemExit(1)
    with (
        runtime().db.session() as session,
        click.progressbar(length=count, label="seeding customers", file=sys.stderr) as bar,
    ):
        summary = seed_customers(session, count, seed=seed, progress=bar.update)
    click.echo(
        f"added {counted(summary.customers, 'customer')}, {counted(summary.accounts, 'account')}, "
        f"{counted(summary.invoices, 'invoice')}, {counted(summary.payments, 'payment')}"
    )


DEFAULT_URL = "http://127.0.0.1:5000"


def _base_url(url: str | None) -> str:
    """Return where the simulated requests go: ``--url``, else the public URL, else :5000."""
    return url or runtime().settings.public_url or DEFAULT_URL


def _simulator(url: str | None) -> TwilioSimulator:
    settings = runtime().settings
    if not settings.twilio_auth_token:
        raise click.UsageError("TWILIO_AUTH_TOKEN must be set to sign simulated requests")
    base = _base_url(url)
    return TwilioSimulator(base, settings.twilio_auth_token, public_url=settings.public_url or base)


def _reachable(call: Callable[..., None]) -> Callable[..., None]:
    """Turn an unreachable server or a malformed ``--url`` into one error line."""

    @functools.wraps(call)
    def wrapper(*args: object, **kwargs: object) -> None:
        url = kwargs.get("url")
        try:
            call(*args, **kwargs)
        except (InvalidURL, InvalidSchema, MissingSchema):
            raise click.ClickException(
                f"{url!r} is not a valid server URL (for example {DEFAULT_URL})"
            ) from None
        except RequestException as exc:
            base = _base_url(url if isinstance(url, str) else None)
            raise click.ClickException(
                f"cannot reach the server at {base} ({exc.__class__.__name__}): "
                f"is `contactpro serve` running at {base}?"
            ) from None

    return wrapper


def _refused(step: TwimlStep) -> None:
    """Stop with one line when the server refused the request (a 4xx or 5xx answer)."""
    if step.status == 403:
        raise click.ClickException(
            "the server refused the request signature (HTTP 403): TWILIO_AUTH_TOKEN and "
            "CONTACTPRO_PUBLIC_URL here must match the server's"
        )
    if step.status >= 400:
        raise click.ClickException(f"the server answered HTTP {step.status}: {step.xml.strip()}")


def _show(step: TwimlStep, show_twiml: bool) -> None:
    if show_twiml:
        click.secho(step.xml, fg="bright_black")
    _refused(step)
    for line in step.spoken:
        click.secho(f"bot (says)> {line}", fg="green")
    for line in step.messages:
        click.secho(f"bot (sms)> {line}", fg="green")
    if step.verb not in ("gather", "message"):
        click.secho(
            f"[{step.verb}{' ' + step.attributes.get('action', '') if step.attributes else ''}]",
            fg="yellow",
        )


@click.group("simulate")
def simulate() -> None:
    """Try the bot without a phone: signed Twilio-style requests to a running server."""


@simulate.command("sms")
@click.option(
    "--from", "from_number", required=True, help="Sender, E.164 (whatsapp:+57... for WhatsApp)."
)
@click.option("--to", "to_number", default="+15550001000", show_default=True)
@click.option("--url", default=None, help="Server base URL (default: public URL or :5000).")
@click.option("--show-twiml", is_flag=True)
@click.argument("body", nargs=-1, required=True)
@with_appcontext
@one_line_errors
@_reachable
def simulate_sms(
    from_number: str, to_number: str, url: str | None, show_twiml: bool, body: tuple[str, ...]
) -> None:
    """Send one SMS (each BODY argument is one message) and print the replies."""
    sim = _simulator(url)
    for text in body:
        click.echo(f"you> {text}")
        _show(sim.sms(from_number, to_number, text), show_twiml)


@simulate.command("call")
@click.option("--from", "from_number", required=True, help="Caller, E.164.")
@click.option("--to", "to_number", default="+15550001000", show_default=True)
@click.option("--url", default=None, help="Server base URL (default: public URL or :5000).")
@click.option(
    "--say",
    "script",
    multiple=True,
    help="Scripted turn: words to say, '#digits' to press keys, '' for silence. "
    "Without any, read turns from the terminal.",
)
@click.option("--show-twiml", is_flag=True)
@with_appcontext
@one_line_errors
@_reachable
def simulate_call(
    from_number: str, to_number: str, url: str | None, script: tuple[str, ...], show_twiml: bool
) -> None:
    """Place a call, then speak turn by turn (quit or Ctrl-D hangs up); prints what the
    caller would hear."""
    sim = _simulator(url)
    call_sid, step = sim.start_call(from_number, to_number)
    _refused(step)
    click.echo(f"call {call_sid} started")
    _show(step, show_twiml)
    turns = iter(script) if script else None
    seconds = 5
    while step.verb in ("gather", "redirect"):
        if step.verb == "redirect":
            # The hold loop (or record mode's silence path): Twilio follows it by itself.
            if "<Record" in step.xml:
                click.secho("[record mode: a recording cannot be typed; counted as silence]")
            time.sleep(0.5 if "<Pause" in step.xml else 0)
            step = sim.follow(step, call_sid, from_number, to_number)
            _show(step, show_twiml)
            continue
        if turns is not None:
            line = next(turns, None)
            if line is None:
                break
            click.echo(f"you> {line}")
        else:
            try:
                line = click.prompt("you", default="", show_default=False)
            except click.Abort:  # Ctrl-D or Ctrl-C: hang up, or the call stays open for hours
                click.echo()
                break
            if line.strip().lower() in ("quit", "exit", "hangup"):
                break
        if line.startswith("#"):
            step = sim.answer(step, call_sid, from_number, to_number, digits=line[1:])
        elif line.strip():
            step = sim.answer(step, call_sid, from_number, to_number, speech=line)
        else:
            step = sim.answer(step, call_sid, from_number, to_number)
        seconds += 8
        _show(step, show_twiml)
    status = sim.end_call(call_sid, from_number, to_number, duration=seconds)
    click.echo(f"call ended after {seconds}s (status callback answered {status})")
