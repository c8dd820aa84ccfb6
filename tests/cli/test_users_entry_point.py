"""An admin resets a password and lifts a lockout with the installed ``contactpro`` command."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from contactpro.console.logins import account_key
from contactpro.console.users import authenticate
from contactpro.db import make_engine
from contactpro.models import ConsoleSession, LoginAttempt
from tests.cli.test_entry_point import run


def test_set_password_and_unlock_through_the_entry_point(tmp_path: Path) -> None:
    assert run(["init-db"], tmp_path).returncode == 0
    created = run(
        [
            "users",
            "create",
            "--email",
            "ana@example.com",
            "--name",
            "Ana",
            "--password",
            "a-long-passphrase-7",
        ],
        tmp_path,
    )
    assert created.returncode == 0, created.stderr
    engine = make_engine(f"sqlite:///{tmp_path / 'cli.sqlite3'}")
    with Session(engine) as session:
        agent = authenticate(session, "ana@example.com", "a-long-passphrase-7")
        assert agent is not None
        session.add(ConsoleSession(token_hash="f" * 64, agent_id=agent.id))
        session.add_all(
            LoginAttempt(
                account=account_key("ana@example.com"), address="203.0.113.5", outcome="failure"
            )
            for _ in range(10)
        )
        session.commit()

    weak = run(["users", "set-password", "ana@example.com", "--password", "password123"], tmp_path)
    assert weak.returncode == 1 and "too common" in weak.stderr
    reset = run(
        ["users", "set-password", "ana@example.com", "--password", "another-passphrase-8"], tmp_path
    )
    assert reset.returncode == 0, reset.stderr
    assert "password set for ana@example.com; 1 session(s) ended" in reset.stdout
    unlocked = run(["users", "unlock", "ana@example.com", "--address", "203.0.113.5"], tmp_path)
    assert unlocked.returncode == 0, unlocked.stderr

    with Session(engine) as session:
        assert authenticate(session, "ana@example.com", "another-passphrase-8") is not None
        assert authenticate(session, "ana@example.com", "a-long-passphrase-7") is None
        assert session.scalars(select(ConsoleSession.end_reason)).one() == "password"
        unlocks = session.scalar(select(func.count()).where(LoginAttempt.outcome == "unlock"))
        assert unlocks == 2  # the account and the address
    engine.dispose()
