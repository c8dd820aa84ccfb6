"""The web console for agents and managers: log-in, the live queue, manager pages.

``init_app`` registers the blueprints, the template helpers, the telephony provider and the
on-duty notification hook (a top-priority escalation texts the on-duty agent once its
transaction commits).
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, g, get_flashed_messages
from sqlalchemy import event
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from contactpro.console.agent_queue import notify_on_duty
from contactpro.errors import ContactProError
from contactpro.models import Escalation
from contactpro.providers.telephony import telephony_for
from contactpro.runtime import Runtime

log = logging.getLogger(__name__)
_PENDING = "contactpro_new_escalations"


def init_app(app: Flask) -> None:
    """Register the console on ``app``."""
    from webhooks.console import agent, auth, improve, manager

    runtime: Runtime = app.extensions["contactpro"]
    app.extensions["telephony"] = telephony = telephony_for(runtime.settings)
    for blueprint in (auth.bp, agent.bp, manager.bp, improve.bp):
        app.register_blueprint(blueprint)

    # Globals reach imported macros too; per-request values come from the context processor.
    app.jinja_env.globals.update(t=auth.t, csrf_token=auth.csrf_token, has_role=auth.has_role)

    @app.context_processor
    def helpers() -> dict[str, Any]:
        return {
            "lang": g.get("lang", runtime.settings.default_language),
            "agent": g.get("agent"),
            "flashes": lambda: get_flashed_messages(with_categories=True),
            "company": runtime.settings.company_name,
        }

    def remember(session: Session, _context: Any, _instances: Any) -> None:
        new = [obj for obj in session.new if isinstance(obj, Escalation)]
        if new:
            session.info.setdefault(_PENDING, []).extend(new)

    def notify(session: Session) -> None:
        pending = session.info.pop(_PENDING, [])
        ids = [esc.id for esc in pending if esc.id is not None]
        for escalation_id in ids:
            try:
                with runtime.db.session() as fresh:
                    notify_on_duty(fresh, runtime.settings, telephony, escalation_id)
            except (SQLAlchemyError, ContactProError) as exc:
                # The escalation is committed and queued; a missed alert must not fail it.
                log.warning("on-duty notification skipped", extra={"reason": repr(exc)})

    def forget(session: Session) -> None:
        session.info.pop(_PENDING, None)

    event.listen(runtime.db.sessionmaker, "before_flush", remember)
    event.listen(runtime.db.sessionmaker, "after_commit", notify)
    event.listen(runtime.db.sessionmaker, "after_rollback", forget)
