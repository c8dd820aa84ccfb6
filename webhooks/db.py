"""One database session per request, removed at teardown."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TypeVar

from flask import current_app, g
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)
T = TypeVar("T")


def db_session() -> Session:
    """Return this request's session, opening it on first use."""
    if "db_session" not in g:
        g.db_session = current_app.extensions["contactpro"].db.sessionmaker()
    return g.db_session


def close_db_session(_exc: BaseException | None = None) -> None:
    """Roll back anything uncommitted and release the connection."""
    session = g.pop("db_session", None)
    if session is not None:
        session.rollback()
        session.close()


def retry_on_conflict(work: Callable[[], T]) -> T:
    """Run ``work``; if a concurrent retry of the same Twilio request won, run it again.

    The second run finds the row the other request committed and replays its answer.
    """
    try:
        return work()
    except IntegrityError:
        log.info("concurrent duplicate request; replaying")
        db_session().rollback()
        return work()


def committed(work: Callable[[Session], T], *, retry: bool = False) -> T:
    """Run ``work`` on this request's session and commit; return what it returned.

    With ``retry``, a concurrent retry of the same Twilio request that committed first makes
    ``work`` run again (:func:`retry_on_conflict`), answering as that request did.
    """

    def run() -> T:
        session = db_session()
        result = work(session)
        session.commit()
        return result

    return retry_on_conflict(run) if retry else run()
