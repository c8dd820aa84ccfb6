"""Log-in throttling: too many wrong passwords lock an account, or an address, for a while.

Every failure is recorded per account (a hash of the e-mail, so a password typed into the
e-mail field is never stored) and per client address. An account with ``account_failures``
failures, or an address with ``address_failures``, inside the last ``lockout_seconds`` is
locked: its log-ins are refused without checking the password until the failures age out or
an admin lifts the lockout (:func:`unlock`). A success restarts the account's count; an unlock
restarts either.
"""

from __future__ import annotations

import hashlib
import ipaddress
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from contactpro.console import totp
from contactpro.console.policy import AccountPolicy
from contactpro.console.sessions import prune_sessions
from contactpro.console.users import UserError, authenticate, change_password, get_user
from contactpro.models import Agent, LoginAttempt, utcnow

# Attempts are kept this long for the record, then deleted.
KEEP_ATTEMPTS = timedelta(days=7)


@dataclass(frozen=True)
class LoginResult:
    """What a log-in attempt came to: the user, or why not."""

    agent: Agent | None
    locked: bool = False


def account_key(email: str) -> str:
    """Return the key attempts are counted under for this e-mail."""
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()


def _failures(
    session: Session,
    column: InstrumentedAttribute[str],
    key: str,
    since: datetime,
    resets: tuple[str, ...],
) -> int:
    """Count failures for ``key`` since ``since`` and since its last reset (success, unlock)."""
    reset = session.scalar(
        select(func.max(LoginAttempt.created_at)).where(
            column == key, LoginAttempt.outcome.in_(resets)
        )
    )
    start = max(since, reset) if reset is not None else since
    count = session.scalar(
        select(func.count()).where(
            column == key, LoginAttempt.outcome == "failure", LoginAttempt.created_at > start
        )
    )
    return int(count or 0)


def is_locked(
    session: Session, email: str, address: str, policy: AccountPolicy, now: datetime | None = None
) -> bool:
    """Return True when this account or this address has failed too often lately."""
    since = (now or utcnow()) - timedelta(seconds=policy.lockout_seconds)
    key = account_key(email)
    if _failures(session, LoginAttempt.account, key, since, ("success", "unlock")) >= (
        policy.account_failures
    ):
        return True
    # One's own successful log-in must not reset the count of guesses at other accounts.
    return bool(address) and (
        _failures(session, LoginAttempt.address, address, since, ("unlock",))
        >= policy.address_failures
    )


def attempt_login(
    session: Session,
    email: str,
    password: str,
    address: str,
    policy: AccountPolicy,
    code: str = "",
) -> LoginResult:
    """Check the throttle, then the credentials and any second factor; record the outcome
    (the caller commits). A right password with a wrong code is a failure like any other."""
    if is_locked(session, email, address, policy):
        return LoginResult(None, locked=True)
    agent = authenticate(session, email, password)
    if agent is not None and not totp.code_ok(agent, code):
        agent = None
    outcome = "success" if agent is not None else "failure"
    session.add(LoginAttempt(account=account_key(email), address=address, outcome=outcome))
    if agent is not None:  # housekeeping, at most once per log-in
        session.execute(
            delete(LoginAttempt).where(LoginAttempt.created_at < utcnow() - KEEP_ATTEMPTS)
        )
        prune_sessions(session, policy)
    return LoginResult(agent)


def unlock(session: Session, *, email: str | None = None, address: str | None = None) -> None:
    """Lift the lockout of an account and/or an address (an admin's action; caller commits).

    Raises UserError, and records nothing, for an e-mail of no user (``unknown_user``) or an
    address that is not an IP address (``bad_address``).
    """
    if email:
        get_user(session, email)
    if address:
        try:
            address = str(ipaddress.ip_address(address.strip()))
        except ValueError:
            raise UserError(
                f"{address!r} is not an IP address (e.g. 203.0.113.7)", reason="bad_address"
            ) from None
    if email:
        session.add(LoginAttempt(account=account_key(email), address="", outcome="unlock"))
    if address:
        session.add(LoginAttempt(account="", address=address, outcome="unlock"))
    session.flush()


def change_password_checked(
    session: Session, agent: Agent, current: str, new: str, address: str, policy: AccountPolicy
) -> int:
    """Change one's own password under the same throttle as log-in (wrong current: a failure).

    Raises UserError (``login_locked``, ``wrong_password``, or a policy reason); on success
    every session of the user ends. The caller commits either way.
    """
    if is_locked(session, agent.email, address, policy):
        raise UserError("too many failed attempts", reason="login_locked")
    try:
        return change_password(session, agent, current, new)
    except UserError as exc:
        if exc.reason == "wrong_password":
            session.add(
                LoginAttempt(account=account_key(agent.email), address=address, outcome="failure")
            )
        raise
