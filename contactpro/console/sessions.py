"""Server-side console sessions: start, resume, end; idle and absolute timeouts.

The browser's cookie carries a random token; the database keeps only its SHA-256, with who it
belongs to and when it was last used. Ending a session (log-out, a password change,
deactivation, a timeout) marks its row, so a copy of the cookie taken earlier stops working.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from contactpro.console.policy import AccountPolicy
from contactpro.models import Agent, ConsoleSession, utcnow

TOKEN_BYTES = 32
# Ended sessions are kept this long (who was logged in when), then deleted.
KEEP_ENDED = timedelta(days=30)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(session: Session, agent: Agent, address: str | None = None) -> str:
    """Open a session for ``agent``; return the token for the cookie (flushes)."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    session.add(ConsoleSession(token_hash=_hash(token), agent_id=agent.id, address=address))
    session.flush()
    return token


def resume_session(
    session: Session,
    token: str | None,
    policy: AccountPolicy,
    *,
    touch: bool = True,
    now: datetime | None = None,
) -> Agent | None:
    """Return the active user of a live session, or None (ending it if it timed out).

    ``touch`` renews the idle timer (pages and actions do; background polling does not). The
    absolute timeout counts from the log-in and is never renewed.
    """
    if not token:
        return None
    now = now or utcnow()
    row = session.scalars(
        select(ConsoleSession).where(ConsoleSession.token_hash == _hash(token))
    ).first()
    if row is None or row.ended_at is not None:
        return None
    agent = session.get(Agent, row.agent_id)
    reason = _expired(row, agent, policy, now)
    if reason is not None:
        row.ended_at, row.end_reason = now, reason
        return None
    # Write at most every tenth of the idle time, not on every page.
    if touch and now - row.last_seen_at >= timedelta(seconds=min(60, policy.idle_seconds / 10)):
        row.last_seen_at = now
    return agent


def _expired(
    row: ConsoleSession, agent: Agent | None, policy: AccountPolicy, now: datetime
) -> str | None:
    if agent is None or not agent.active:
        return "deactivated"
    if now - row.created_at >= timedelta(seconds=policy.absolute_seconds):
        return "expired"
    if now - row.last_seen_at >= timedelta(seconds=policy.idle_seconds):
        return "idle"
    return None


def end_session(session: Session, token: str | None, reason: str = "logout") -> bool:
    """End the session this token belongs to; return True when one was live."""
    if not token:
        return False
    result = session.execute(
        update(ConsoleSession)
        .where(ConsoleSession.token_hash == _hash(token), ConsoleSession.ended_at.is_(None))
        .values(ended_at=utcnow(), end_reason=reason)
    )
    return bool(getattr(result, "rowcount", 0))


def end_all_sessions(session: Session, agent_id: int, reason: str) -> int:
    """End every live session of a user; return how many there were."""
    result = session.execute(
        update(ConsoleSession)
        .where(ConsoleSession.agent_id == agent_id, ConsoleSession.ended_at.is_(None))
        .values(ended_at=utcnow(), end_reason=reason)
    )
    return int(getattr(result, "rowcount", 0))


def live_sessions(session: Session, agent_id: int) -> list[ConsoleSession]:
    """Return a user's sessions not yet ended (some may have timed out unnoticed)."""
    return list(
        session.scalars(
            select(ConsoleSession).where(
                ConsoleSession.agent_id == agent_id, ConsoleSession.ended_at.is_(None)
            )
        )
    )


def prune_sessions(session: Session, policy: AccountPolicy, now: datetime | None = None) -> int:
    """End sessions past the absolute timeout and delete those ended long ago; return deleted."""
    now = now or utcnow()
    session.execute(
        update(ConsoleSession)
        .where(
            ConsoleSession.ended_at.is_(None),
            ConsoleSession.created_at < now - timedelta(seconds=policy.absolute_seconds),
        )
        .values(ended_at=now, end_reason="expired")
    )
    result = session.execute(
        delete(ConsoleSession).where(ConsoleSession.ended_at < now - KEEP_ENDED)
    )
    return int(getattr(result, "rowcount", 0))
