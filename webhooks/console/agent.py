"""Agent pages: the live queue, the escalation view and its actions."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response as BaseResponse

from contactpro.config import company_timezone
from contactpro.console import agent_queue
from contactpro.console import callbacks as callback_list
from contactpro.console.agent_queue import RESOLUTIONS, QueueError
from contactpro.console.customer_files import fetch_customer_file
from contactpro.console.pages import Page, csv_text, page_number, paginate
from contactpro.console.settings import current_config
from contactpro.console.users import has_role
from contactpro.errors import AudioFetchError, ContactProError, NotFoundError
from contactpro.providers.telephony import Telephony, TelephonyError
from webhooks.console.auth import settings, setup, t
from webhooks.console.downloads import csv_download
from webhooks.db import db_session

log = logging.getLogger(__name__)
bp = Blueprint("console_agent", __name__, url_prefix="/console")
setup(bp, "agent")


def telephony() -> Telephony:
    """Return this app's telephony provider."""
    return current_app.extensions["telephony"]


@bp.get("/")
def index() -> BaseResponse:
    """Send users to the queue."""
    return redirect(url_for("console_agent.queue"))


def _queue_page() -> Page[agent_queue.QueueEntry]:
    entries = agent_queue.queue_entries(db_session(), settings())
    return paginate(entries, page_number(request.args.get("page")))


@bp.get("/queue")
def queue() -> str:
    """The live queue page, a page at a time (the table refreshes itself from the JSON)."""
    return render_template(
        "console/queue.html", page=_queue_page(), poll_seconds=settings().console_poll_seconds
    )


@bp.get("/api/queue")
def queue_json() -> Response:
    """One page of the queue as JSON, best first."""
    page = _queue_page()
    return jsonify(
        entries=[e.as_dict() for e in page.items],
        me=g.agent.id,
        page=page.number,
        pages=page.pages,
        total=page.total,
    )


@bp.get("/queue.csv")
def queue_csv() -> Response:
    """The whole queue as CSV, best first."""
    entries = agent_queue.queue_entries(db_session(), settings())
    rows = agent_queue.csv_rows(entries, company_timezone(settings()), t)
    return csv_download(csv_text(agent_queue.QUEUE_CSV_COLUMNS, rows), "queue")


def _packet(escalation_id: int) -> dict[str, Any]:
    try:
        data = agent_queue.packet(db_session(), settings(), escalation_id, g.lang)
    except NotFoundError:
        abort(404)
    if not has_role(g.agent, "manager"):  # agents work the case without the full identifiers
        data = agent_queue.masked_packet(data)
    return data


@bp.get("/files/<int:media_id>")
def customer_file(media_id: int) -> Response:
    """A file the customer sent, fetched from Twilio for the agent: the file, never a redirect."""
    try:
        file = fetch_customer_file(db_session(), settings(), media_id)
    except NotFoundError:
        abort(404)
    except AudioFetchError as exc:
        log.warning("customer file %s unavailable: %s", media_id, exc.reason)
        return Response(t("media_unavailable"), status=502, mimetype="text/plain")
    return Response(file.data, mimetype=file.content_type, headers=file.headers())


@bp.get("/escalations/<int:escalation_id>")
def escalation(escalation_id: int) -> str:
    """Everything about one escalation, with the agent's actions."""
    data = _packet(escalation_id)
    config = current_config(db_session(), settings())
    language = data["interaction"].language or settings().default_language
    # Greet by name only someone who proved to be that customer.
    customer = "" if data["unverified"] else (data["context"].get("customer") or {}).get("name")
    template = str(config.get(f"sms_template_{language}", ""))
    draft = template.replace("{name}", customer.split(" ")[0] if customer else "")
    return render_template(
        "console/escalation.html",
        **data,
        resolutions=RESOLUTIONS,
        sms_draft=" ".join(draft.replace(" ,", ",").split()).removeprefix(", "),
        reply_to=agent_queue.contact_number(data["escalation"]),
    )


@bp.get("/escalations/<int:escalation_id>/voicemail/<int:recording_id>")
def voicemail(escalation_id: int, recording_id: int) -> Response:
    """The voicemail a caller left, fetched from Twilio for the agent: the audio itself."""
    session = db_session()
    try:
        recording = agent_queue.voicemail_recording(session, escalation_id, recording_id)
        file = agent_queue.fetch_voicemail(settings(), recording)
    except NotFoundError:
        abort(404)
    except AudioFetchError as exc:
        log.warning("voicemail %s unavailable: %s", recording_id, exc.reason)
        return Response(t("media_unavailable"), status=502, mimetype="text/plain")
    return Response(file.data, mimetype=file.content_type, headers=file.headers())


@bp.get("/api/escalations/<int:escalation_id>")
def escalation_json(escalation_id: int) -> Response:
    """The escalation packet as JSON."""
    data = _packet(escalation_id)
    esc, score = data["escalation"], data["score"]
    fields = ("id", "status", "priority", "reason", "agent_id", "resolution", "notes")
    return jsonify(
        **{name: getattr(esc, name) for name in (*fields, "queue_result")},
        **{name: data[name] for name in ("unverified", "voicemail", "callback_requested")},
        context=data["context"],
        quadrant=score.quadrant if score else None,
        conformity=score.conformity if score else None,
        similar=_similar_json(data["similar"]),
    )


def _similar_json(similar: dict[str, Any]) -> dict[str, Any]:
    if similar["kind"] == "text":
        cases = [asdict(case) for case in similar["cases"]]
    else:
        cases = [{**c, "when": c["when"].isoformat()} for c in similar["cases"]]
    return {"kind": similar["kind"], "summary": similar["summary"], "cases": cases}


def _act(escalation_id: int, done: str, action: Callable[[Session], object]) -> BaseResponse:
    """Run one agent action, commit, and come back to the escalation with a message."""
    session = db_session()
    try:
        action(session)
        session.commit()
        flash(t(done), "info")
    except NotFoundError:
        abort(404)
    except (QueueError, TelephonyError, callback_list.CallbackError) as exc:
        session.rollback()
        flash(_error_text(exc), "error")
    return redirect(url_for("console_agent.escalation", escalation_id=escalation_id))


def _error_text(exc: ContactProError) -> str:
    """Return a refused action's reason in the page's language (else the error's message)."""
    key = f"error_{exc.reason}"
    text = t(key)
    return exc.message if text == key else text


@bp.post("/escalations/<int:escalation_id>/claim")
def claim(escalation_id: int) -> BaseResponse:
    """Take the escalation."""
    return _act(
        escalation_id, "done_claimed", lambda s: agent_queue.claim(s, escalation_id, g.agent)
    )


@bp.post("/escalations/<int:escalation_id>/release")
def release(escalation_id: int) -> BaseResponse:
    """Put the escalation back in the queue."""
    return _act(
        escalation_id, "done_released", lambda s: agent_queue.release(s, escalation_id, g.agent)
    )


@bp.post("/escalations/<int:escalation_id>/resolve")
def resolve(escalation_id: int) -> BaseResponse:
    """Close the escalation with an outcome and notes."""
    outcome = request.form.get("resolution", "")
    notes = request.form.get("notes", "")[:4000]
    return _act(
        escalation_id,
        "done_resolved",
        lambda s: agent_queue.resolve(s, escalation_id, g.agent, outcome, notes),
    )


@bp.post("/escalations/<int:escalation_id>/sms")
def sms(escalation_id: int) -> BaseResponse:
    """Text the customer (on WhatsApp when they wrote on WhatsApp)."""
    body = request.form.get("body", "")
    try:
        channel = agent_queue.get_escalation(db_session(), escalation_id).interaction.channel
    except NotFoundError:
        abort(404)
    return _act(
        escalation_id,
        "done_whatsapp" if channel == "whatsapp" else "done_sms",
        lambda s: agent_queue.send_sms(s, settings(), telephony(), escalation_id, g.agent, body),
    )


def _callback_time() -> datetime:
    """Read the form's local date-time and the browser's UTC offset (minutes, JS sign)."""
    raw = request.form.get("when", "")
    try:
        local = datetime.fromisoformat(raw)
        offset = int(request.form.get("tz_offset") or 0)
    except ValueError:
        raise QueueError("give a date and time for the call-back", reason="bad_time") from None
    if local.tzinfo is not None or not -900 <= offset <= 900 or not 1900 <= local.year <= 2999:
        raise QueueError("give a date and time for the call-back", reason="bad_time")
    return (local + timedelta(minutes=offset)).replace(tzinfo=UTC)


@bp.post("/escalations/<int:escalation_id>/callback")
def callback(escalation_id: int) -> BaseResponse:
    """Schedule a call-back, optionally telling the customer by SMS."""
    note = request.form.get("note", "")[:2000]
    tell = request.form.get("notify") == "1"

    def action(session: Session) -> None:
        when = _callback_time()
        agent_queue.schedule_callback(session, escalation_id, g.agent, when, note)
        if tell:
            body = agent_queue.callback_message(session, settings(), escalation_id, when)
            agent_queue.send_sms(session, settings(), telephony(), escalation_id, g.agent, body)

    return _act(escalation_id, "done_callback", action)


@bp.post("/escalations/<int:escalation_id>/take-call")
def take_call(escalation_id: int) -> BaseResponse:
    """Put the waiting caller through to the agent's phone."""
    return _act(
        escalation_id,
        "done_call",
        lambda s: agent_queue.take_call(s, telephony(), escalation_id, g.agent),
    )


@bp.get("/callbacks")
def callbacks() -> str:
    """Scheduled call-backs, soonest first; those due now stand out."""
    session = db_session()
    return render_template(
        "console/callbacks.html",
        rows=callback_list.scheduled(session, settings=settings()),
        requested=callback_list.requested(session),
    )


@bp.post("/callbacks/<int:callback_id>/done")
def callback_done(callback_id: int) -> BaseResponse:
    """Mark a call-back as made."""
    session = db_session()
    try:
        callback_list.mark_done(session, callback_id, g.agent)
        session.commit()
        flash(t("done_callback_kept"), "info")
    except NotFoundError:
        abort(404)
    except (callback_list.CallbackError, callback_list.CallbackRefused) as exc:
        session.rollback()
        flash(_error_text(exc), "error")
    return redirect(url_for("console_agent.callbacks"))
