"""``contactpro users``: create, list, deactivate, set passwords, lift lockouts, second factor."""

from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext

from cli.context import runtime
from cli.errors import one_line_errors
from contactpro.console import totp
from contactpro.console.logins import unlock
from contactpro.console.users import (
    UserError,
    create_user,
    deactivate,
    find_by_email,
    get_user,
    list_users,
    set_password,
)
from contactpro.phone import mask_phone


@click.group("users")
def users() -> None:
    """Console users: agents, managers and admins."""


def _password(given: str | None) -> str:
    """Return ``--password``, else ask for it twice, hidden.

    Asked in the command, after the database was checked: never typed twice for nothing. Read
    from a pipe (a provisioning script), it is read as it comes, without getpass's warnings.
    """
    if given is not None:
        return given
    hide = sys.stdin.isatty()
    typed: str = click.prompt("Password", hide_input=hide, confirmation_prompt=True, err=True)
    return typed


@users.command("create")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option(
    "--role", type=click.Choice(["agent", "manager", "admin"]), default="agent", show_default=True
)
@click.option("--phone", default=None, help="E.164; where taken calls and alerts ring.")
@click.option("--languages", default="es,en", show_default=True, help="First one is the UI's.")
@click.option("--password", default=None, help="Asked for when not given (10+ characters).")
@with_appcontext
@one_line_errors
def users_create(
    email: str, name: str, role: str, phone: str | None, languages: str, password: str | None
) -> None:
    """Add a console user with a hashed password."""
    with runtime().db.session() as session:  # said before the password is typed
        if find_by_email(session, email) is not None:
            raise click.ClickException(f"a user with e-mail {email.strip().lower()} already exists")
    password = _password(password)  # no transaction open while the operator types
    with runtime().db.session() as session:
        try:
            agent = create_user(
                session,
                email=email,
                name=name,
                password=password,
                role=role,
                phone=phone,
                languages=languages,
            )
        except UserError as exc:
            raise click.ClickException(exc.message) from exc
        click.echo(f"created {agent.role} {agent.email} (id {agent.id})")


@users.command("list")
@with_appcontext
@one_line_errors
def users_list() -> None:
    """Show every user with role and status."""
    with runtime().db.session() as session:
        found = list_users(session)
        if not found:
            click.echo(
                "no console users yet: add one with "
                "`contactpro users create --email EMAIL --name NAME --role admin`"
            )
        for agent in found:
            state = "active" if agent.active else "inactive"
            click.echo(
                f"{agent.id:>4}  {agent.role:<8} {state:<8} {agent.email:<32} {agent.name}"
                f"  {mask_phone(agent.phone)}"
            )


@users.command("deactivate")
@click.argument("email")
@with_appcontext
@one_line_errors
def users_deactivate(email: str) -> None:
    """Stop a user from logging in; every open session of theirs ends now."""
    with runtime().db.session() as session:
        try:
            agent = deactivate(session, email)
        except UserError as exc:
            raise click.ClickException(exc.message) from exc
        click.echo(f"deactivated {agent.email}")


@users.command("set-password")
@click.argument("email")
@click.option("--password", default=None, help="Asked for when not given (10+ characters).")
@with_appcontext
@one_line_errors
def users_set_password(email: str, password: str | None) -> None:
    """Give a user a new password (an admin's reset); every open session of theirs ends."""
    with runtime().db.session() as session:  # an unknown e-mail is said before the prompt
        try:
            get_user(session, email)
        except UserError as exc:
            raise click.ClickException(exc.message) from exc
    password = _password(password)  # no transaction open while the operator types
    with runtime().db.session() as session:
        try:
            ended = set_password(session, get_user(session, email), password)
        except UserError as exc:
            raise click.ClickException(exc.message) from exc
        session.commit()
        click.echo(f"password set for {email.strip().lower()}; {ended} session(s) ended")


@users.command("unlock")
@click.argument("email", required=False)
@click.option("--address", default=None, help="Also lift the lockout of this client address.")
@with_appcontext
@one_line_errors
def users_unlock(email: str | None, address: str | None) -> None:
    """Lift a log-in lockout (too many wrong passwords) of an account and/or an address."""
    if not email and not address:
        raise click.UsageError("give an e-mail, --address, or both")
    with runtime().db.session() as session:
        try:
            unlock(session, email=email, address=address)
        except UserError as exc:
            raise click.ClickException(exc.message) from exc
        session.commit()
    click.echo(f"unlocked {' and '.join(x for x in (email, address) if x)}")


@users.command("totp")
@click.argument("email")
@click.option("--disable", is_flag=True, help="Turn the second factor off (a lost phone).")
@with_appcontext
@one_line_errors
def users_totp(email: str, disable: bool) -> None:
    """Turn on a manager's or admin's second factor (prints the authenticator address)."""
    rt = runtime()
    with rt.db.session() as session:
        try:
            agent = get_user(session, email)
            if disable:
                totp.disable(agent)
            elif agent.totp_secret:  # a new secret would lock their authenticator out
                raise click.ClickException(
                    f"{agent.email} already has a second factor (a new secret would stop their "
                    f"authenticator): for a new phone, run `contactpro users totp {agent.email} "
                    "--disable` first"
                )
            else:
                totp.enable(agent)
                uri = totp.provisioning_uri(agent, rt.settings.company_name)
        except UserError as exc:
            raise click.ClickException(exc.message) from exc
        session.commit()
    if disable:
        click.echo(f"second factor off for {agent.email}")
        return
    click.echo(f"second factor on for {agent.email}; add it to an authenticator app:\n{uri}")
