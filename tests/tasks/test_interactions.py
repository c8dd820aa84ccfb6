"""Closing interactions: outcome, duration, idempotency and the idle sweep."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from contactpro.conversations import interactions
from contactpro.conversations.escalation import escalate
from contactpro.models import Interaction, utcnow
from contactpro.providers.telephony import telephony_for
from tasks.interactions import close_idle_interactions, close_interaction


def _open(session, app, channel: str, minutes_ago: int, **state) -> Interaction:
    now = utcnow()
    interaction = Interaction(
        channel=channel,
        twilio_sid=f"{channel[:2].upper()}{minutes_ago:032d}",
        from_number="+573001112233",
        to_number="+15550001000",
        started_at=now - timedelta(minutes=minutes_ago),
        last_activity_at=now - timedelta(minutes=minutes_ago),
        status="active",
        state=state,
        language="es",
    )
    session.add(interaction)
    session.commit()
    return interaction


def test_close_computes_outcome_and_is_idempotent(app, session):
    settings = app.extensions["contactpro"].settings
    resolved = _open(session, app, "sms", 5, resolved=True)
    escalated = _open(session, app, "sms", 6)
    escalate(session, settings, escalated, "agent_request")
    abandoned = _open(session, app, "sms", 7)
    session.commit()
    with app.app_context():
        assert close_interaction.run(resolved.id) == "auto_resolved"
        assert close_interaction.run(escalated.id) == "escalated"
        assert close_interaction.run(abandoned.id) == "abandoned"
        assert close_interaction.run(abandoned.id) == "abandoned"
        assert close_interaction.run(999_999) is None
    session.expire_all()
    closed = session.get(Interaction, resolved.id)
    assert closed.status == "closed" and closed.duration_seconds == 0
    assert closed.ended_at == closed.last_activity_at


def test_idle_sweep_closes_by_segment_and_warns_first(app, session, customer_factory):
    premium = customer_factory(phone="+573001112244", segment="premium")
    fresh = _open(session, app, "sms", 2)
    quiet = _open(session, app, "sms", 13 * 60)
    premium_quiet = _open(session, app, "sms", 13 * 60 + 1)
    premium_quiet.customer_id = premium.id
    about_to_close = _open(session, app, "sms", 11 * 60 + 30)
    stale_call = _open(session, app, "voice", 300)
    live_call = _open(session, app, "voice", 3)
    session.commit()
    telephony = app.extensions["contactpro"].settings
    with app.app_context():
        assert close_idle_interactions.run() == 2
    session.expire_all()
    states = {i.id: i.status for i in session.scalars(select(Interaction))}
    assert states == {
        fresh.id: "active",
        quiet.id: "closed",
        premium_quiet.id: "active",
        about_to_close.id: "active",
        stale_call.id: "closed",
        live_call.id: "active",
    }
    assert session.get(Interaction, quiet.id).close_reason == "inactive"
    assert session.get(Interaction, about_to_close.id).state["warned"] is True
    assert session.get(Interaction, fresh.id).state.get("warned") is not True
    sent = telephony_for(telephony).sent
    assert [m["to"] for m in sent] == ["+573001112233"]
    assert "30 minutos" in sent[0]["body"] or "29 minutos" in sent[0]["body"]
    with app.app_context():  # the sweep delivered again: nobody is warned twice
        assert close_idle_interactions.run() == 0
    assert len(telephony_for(telephony).sent) == 1


def test_call_status_marks_end_and_duration(app, session):
    call = _open(session, app, "voice", 1)
    ended = interactions.record_call_status(session, call.twilio_sid, "ringing", None)
    assert ended is None
    ended = interactions.record_call_status(session, call.twilio_sid, "completed", 61)
    assert ended is not None and ended.duration_seconds == 61 and ended.ended_at is not None
    assert interactions.record_call_status(session, "CA" + "f" * 32, "completed", 5) is None
