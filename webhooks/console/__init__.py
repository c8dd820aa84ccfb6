"""The web console for agents and managers: log-in, the live queue, manager pages.

``init_app`` registers the blueprints, the template helpers, the telephony provider and the
on-duty notification hook (a top-priority escalation texts the on-duty agent once its
transaction commits).
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import Flask, current_app, g, get_flashed_messages, redirect, url_for
from sqlalchemy import event
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response as BaseResponse

from contactpro.config import company_timezone
from contactpro.console import callbacks, wording
from contactpro.console.agent_queue import notify_on_duty
from contactpro.console.durations import short_duration
from contactpro.conversations.escalation import REASONS
from contactpro.dialog.knowledge import article_title
from contactpro.errors import ContactProError
from contactpro.improve import approval
from contactpro.markets import zone_place
from contactpro.models import Escalation
from contactpro.providers.telephony import telephony_for
from contactpro.runtime import Runtime
from webhooks.console import agent, auth, improve, manager, requests
from webhooks.db import db_session

log = logging.getLogger(__name__)
# A conformity score shows one decimal on every page and export (the queue, its CSV and
# live refresh, the escalation, the customers): the same customer reads the same figure.
CONFORMITY_DECIMALS = 1
_PENDING = "contactpro_new_escalations"


def _wait(seconds: float) -> str:
    """Return a wait in the page's language: "3 min", "2 h", "35 d"."""
    value, unit = short_duration(seconds)
    return f"{value} {auth.t('unit_' + unit)}"


def _local_time(value: datetime) -> str:
    """Return a stored UTC time as the company reads it, in the page's language:
    "5 de diciembre, 23:09" (the year shown when it is not the current one)."""
    zone = ZoneInfo(company_timezone(current_app.extensions["contactpro"].settings))
    local = value.astimezone(zone)
    return wording.date_time(local, _lang(), today=datetime.now(zone).date())


def _customer_time(value: datetime, zone: str) -> str:
    """Return a time already on the customer's clock as the page words it, with where that
    clock is: "1 de marzo, 12:30 (hora de Los Ángeles)"."""
    today = datetime.now(value.tzinfo).date()
    said = wording.date_time(value, _lang(), today=today)
    return auth.t("customer_clock").format(time=said, place=zone_place(zone, _lang()))


def _time_zone(value: datetime) -> str:
    """Return the company's time zone and its offset at ``value``: "America/Bogota (-05)"."""
    name = company_timezone(current_app.extensions["contactpro"].settings)
    return f"{name} ({value.astimezone(ZoneInfo(name)):%Z})"


def _day(value: object) -> str:
    """Return a stored day (``2026-12-15``) in the page's language: "15 de diciembre de 2026"."""
    return wording.day_text(value, _lang())


def _article_title(slug: str) -> str | None:
    """Return the title of the knowledge-base article named ``slug`` in the page's language."""
    return article_title(current_app.extensions["contactpro"].settings, slug, _lang())


def _word(prefix: str, value: str) -> str:
    """Return a stored value (intent, step, tier, ...) in the page's language."""
    if prefix == "step_":
        return wording.step(auth.t, value, _lang(), _article_title)
    return wording.word(auth.t, prefix, value)


def _summary(context: dict[str, Any]) -> str:
    """Return the bot's summary of an escalation in the page's language."""
    return wording.summary(context, auth.t, _lang(), _article_title)


def _earlier_steps_title(channel: str) -> str:
    """Return the heading of an earlier conversation's steps in the page's language."""
    return wording.earlier_words(auth.t, "steps_tried_earlier", str(channel or ""))


def _audit_line(action: str, target: str) -> str:
    """Return an audit row's action and target in the page's language."""
    return wording.audit_line(action, target, auth.t)


def _audit_value(target: str, value: object) -> str:
    """Return an audit value in the page's language (day names for the open days)."""
    return wording.audit_value(target, value, auth.t)


def _audit_changes(target: str, before: object, after: object, action: str = "") -> list[str]:
    """Return an audit row's before and after as changed fields in the page's language; an
    applied proposal says what it applied, as the approval message does."""
    if action == approval.APPLY_ACTION and isinstance(after, dict):
        done = approval.Applied(
            dict(after.get("settings") or {}),
            list(after.get("templates") or []),
            list(after.get("articles") or []),
        )
        return ["", done.describe(auth.t, _lang())]
    return wording.audit_changes(target, before, after, auth.t, _lang(), _local_time)


def _audit_who(name: str | None, after: object) -> str:
    """Return who acted: the agent's name, else the name given to the CLI."""
    return wording.audit_who(name, after)


def _proposal_title(proposal: Any) -> str:
    """Return a proposal's title in the page's language."""
    return wording.proposal_title(proposal.title, proposal.body, auth.t)


def _run_error(run: Any) -> str:
    """Return why a replay failed, in the page's language."""
    return wording.run_error(run.error, run.results, auth.t)


def _money(amount: object, currency: str = "COP") -> str:
    """Return an amount the page's way: ``761.124 pesos`` in Spanish, ``761,124.00 COP``."""
    settings = current_app.extensions["contactpro"].settings
    return wording.money(amount, currency, g.get("lang", settings.default_language))


def _callbacks_due() -> int:
    """Return how many call-backs are due (0 when the database cannot say: an error page)."""
    try:
        return callbacks.due_count(db_session())
    except SQLAlchemyError:
        return 0


def _lang() -> str:
    return str(g.get("lang", current_app.extensions["contactpro"].settings.default_language))


def _number(value: object, decimals: int = 0) -> str:
    """Return a figure the page's way: ``44,0`` in Spanish, ``44.0`` in English."""
    return wording.number(value, decimals, _lang())


def _alert_figure(key: str, value: float | None) -> str:
    """Return an alert's reading or threshold the page's way ("833 s", "7,5 %")."""
    return wording.alert_figure(key, value, _lang())


def _duration(seconds: float | None) -> str:
    """Return a duration the page's way ("45 s", "29 min", "1,5 h")."""
    return wording.duration(seconds, _lang())


def _conformity(value: object) -> str:
    """Return a conformity score (0-100) the one way every page shows it: to a tenth."""
    return wording.number(value, CONFORMITY_DECIMALS, _lang())


def _numbers(text: object) -> str:
    """Return a stored text (a KPI figure, a target) with its numbers the page's way."""
    return wording.numbers_in(str(text or ""), _lang())


def _handoff_lines(context: dict[str, Any]) -> list[str]:
    """Return what the bot gathered for the agent beyond the transcript, in the page's words."""
    return wording.handoff_lines(context, auth.t, _lang())


def _similar_summary(count: int, outcomes: dict[str, int]) -> str:
    """Return how similar past cases ended, in the page's language."""
    return wording.similar_summary(count, outcomes, auth.t)


def _reason_labels() -> dict[str, str]:
    """Return every hand-off reason's label in the page's language (for the queue's script)."""
    return {reason: auth.t("reason_" + reason) for reason in REASONS}


def _root() -> BaseResponse:
    """``/`` is for people: send them to the console (its log-in, or their home page)."""
    return redirect(url_for("console_auth.login"))


def init_app(app: Flask) -> None:
    """Register the console on ``app``."""
    runtime: Runtime = app.extensions["contactpro"]
    app.extensions["telephony"] = telephony = telephony_for(runtime.settings)
    for blueprint in (auth.bp, agent.bp, manager.bp, improve.bp, requests.bp):
        app.register_blueprint(blueprint)
    app.add_url_rule("/", "root", _root)

    # Globals reach imported macros too; per-request values come from the context processor.
    app.jinja_env.globals.update(
        t=auth.t,
        csrf_token=auth.csrf_token,
        has_role=auth.has_role,
        wait=_wait,
        reason_labels=_reason_labels,
        local_time=_local_time,
        time_zone=_time_zone,
        customer_time=_customer_time,
        word=_word,
        summary=_summary,
        steps_apart=wording.steps_apart,
        earlier_steps_title=_earlier_steps_title,
        audit_line=_audit_line,
        audit_value=_audit_value,
        audit_changes=_audit_changes,
        audit_who=_audit_who,
        proposal_title=_proposal_title,
        run_error=_run_error,
        similar_summary=_similar_summary,
        handoff_lines=_handoff_lines,
        alert_figure=_alert_figure,
    )
    app.jinja_env.filters["money"] = _money
    app.jinja_env.filters["num"] = _number
    app.jinja_env.filters["conformity"] = _conformity
    app.jinja_env.filters["numbers"] = _numbers
    app.jinja_env.filters["duration"] = _duration
    app.jinja_env.filters["day"] = _day

    @app.context_processor
    def helpers() -> dict[str, Any]:
        return {
            "lang": g.get("lang", runtime.settings.default_language),
            "agent": g.get("agent"),
            "flashes": lambda: get_flashed_messages(with_categories=True),
            "company": runtime.settings.company_name,
            # The matrix's amounts (billing, expected value, cost of recovery) are in this one.
            "analytics_currency": runtime.settings.analytics_currency,
            "callbacks_due": _callbacks_due,
            "due_minutes": callbacks.DUE_AHEAD_MINUTES,
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
