"""``contactpro users``: create, list and deactivate console users."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from cli.context import runtime
from contactpro.console.users import UserError, create_user, deactivate, list_users
from contactpro.phone import mask_phone


@click.group("users")
def users() -> None:
    """Console users: agents, managers and admins."""


@users.command("create")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option(
    "--role", type=click.Choice(["agent", "manager", "admin"]), default="agent", show_default=True
)
@click.option("--phone", default=None, help="E.164; where taken calls and alerts ring.")
@click.option("--languages", default="es,en", show_default=True, help="First one is the UI's.")
@click.password_option(help="Prompted when not given (at least 10 characters).")
@with_appcontext
def users_create(
    email: str, name: str, role: str, phone: str | None, languages: str, password: str
) -> None:
    """Add a console user with a hashed password."""
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
def users_list() -> None:
    """Show every user with role and status."""
    with runtime().db.session() as session:
        for agent in list_users(session):
            state = "active" if agent.active else "inactive"
            click.echo(
                f"{agent.id:>4}  {agent.role:<8} {state:<8} {agent.email:<32} {agent.name}"
                f"  {mask_phone(agent.phone)}"
            )


@users.command("deactivate")
@click.argument("email")
@with_appcontext
def users_deactivate(email: str) -> None:
    """Stop a user from logging in; their open sessions end at their next request."""
    with runtime().db.session() as session:
        try:
            agent = deactivate(session, email)
        except UserError as exc:
            raise click.ClickException(exc.message) from exc
        click.echo(f"deactivated {agent.email}")
