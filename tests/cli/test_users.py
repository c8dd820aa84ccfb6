"""``contactpro users`` and ``contactpro routes`` through the CLI runner."""

from __future__ import annotations

from flask.cli import routes_command
from sqlalchemy import select

from contactpro.console.users import authenticate
from contactpro.models import Agent


def test_users_create_list_and_deactivate(runner, session):
    result = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "Luz@Example.com",
            "--name",
            "Luz Manager",
            "--role",
            "manager",
            "--phone",
            "+573001234567",
            "--password",
            "una clave larga",
        ]
    )
    assert result.exit_code == 0, result.output
    assert "created manager luz@example.com" in result.output
    agent = session.scalars(select(Agent)).one()
    assert authenticate(session, "luz@example.com", "una clave larga") is not None
    listing = runner.invoke(args=["users", "list"])
    assert "luz@example.com" in listing.output and "+57********67" in listing.output
    duplicate = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "luz@example.com",
            "--name",
            "Otra",
            "--password",
            "una clave larga",
        ]
    )
    assert duplicate.exit_code == 1 and "already exists" in duplicate.output
    weak = runner.invoke(
        args=["users", "create", "--email", "b@example.com", "--name", "B", "--password", "corta"]
    )
    assert weak.exit_code == 1 and "at least 10 characters" in weak.output
    assert runner.invoke(args=["users", "deactivate", "luz@example.com"]).exit_code == 0
    session.expire_all()
    assert session.get(Agent, agent.id).active is False
    assert authenticate(session, "luz@example.com", "una clave larga") is None
    assert runner.invoke(args=["users", "deactivate", "nadie@example.com"]).exit_code == 1


def test_routes_lists_every_console_url(runner):
    result = runner.invoke(routes_command)
    assert result.exit_code == 0
    for url in (
        "/console/login",
        "/console/queue",
        "/console/api/queue",
        "/console/escalations/<int:escalation_id>/claim",
        "/console/manager/config",
        "/console/manager/customers.csv",
        "/twilio/sms",
    ):
        assert url in result.output
