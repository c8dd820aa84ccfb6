"""Alerts: raised past a threshold, kept while it lasts, cleared, and shown to managers."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from contactpro.models import Alert, Escalation, Interaction, Turn, utcnow
from contactpro.observability import alerts
from devtools.simulator import new_sid
from tasks.alerts import check_alerts
from tests.webhooks.console.conftest import login


def _contact(session, *, latency: float, confidence: float, minutes_ago: int = 1) -> Interaction:
    at = utcnow() - timedelta(minutes=minutes_ago)
    interaction = Interaction(
        channel="sms",
        twilio_sid=new_sid("SM"),
        from_number="+573001112233",
        to_number="+15550001000",
        started_at=at,
        last_activity_at=at,
        status="active",
        state={},
    )
    session.add(interaction)
    session.flush()
    session.add(
        Turn(
            interaction_id=interaction.id,
            sequence=1,
            speaker="caller",
            text="x",
            source="sms",
            intent="billing_inquiry",
            confidence=confidence,
            tier="model",
            latency_ms=latency,
            created_at=at,
        )
    )
    session.commit()
    return interaction


def test_slow_turns_raise_then_clear(app, session):
    settings = app.extensions["contactpro"].settings
    for _ in range(20):
        _contact(session, latency=40.0, confidence=0.9)
    assert alerts.check(session, settings, utcnow()) == []
    for _ in range(5):
        _contact(session, latency=2500.0, confidence=0.9)
    [alert] = alerts.check(session, settings, utcnow())
    session.commit()
    assert alert.key == "response_p95_ms" and alert.value == 2500.0
    assert alert.threshold == settings.alert_response_p95_ms
    # Still past the threshold: the same alert is updated, not raised twice.
    assert [a.id for a in alerts.check(session, settings, utcnow())] == [alert.id]
    # Later the window holds only fast turns again: the alert clears.
    later = utcnow() + timedelta(minutes=settings.alert_window_minutes + 1)
    assert alerts.check(session, settings, later) == []
    session.commit()
    assert session.get(Alert, alert.id).cleared_at is not None


def test_low_confidence_errors_and_queue_wait(app, session):
    settings = app.extensions["contactpro"].settings
    contacts = [_contact(session, latency=10.0, confidence=0.2) for _ in range(4)]
    session.add(
        Escalation(
            interaction_id=contacts[0].id,
            reason="technical_error",
            queue="support",
            status="open",
            context={},
            created_at=utcnow() - timedelta(minutes=9),
        )
    )
    session.add(
        Escalation(
            interaction_id=contacts[1].id,
            reason="agent_request",
            queue="support",
            status="resolved",
            context={},
            queue_seconds=30,
            created_at=utcnow() - timedelta(minutes=2),
        )
    )
    session.commit()
    with app.app_context():
        keys = check_alerts.run()
    assert sorted(keys) == ["classifier_confidence", "error_rate", "queue_wait_seconds"]
    reading = {r.key: r for r in alerts.readings(session, settings, utcnow())}
    assert reading["error_rate"].value == 0.25
    assert reading["queue_wait_seconds"].value >= 9 * 60


def test_managers_see_open_alerts(app, client, session, users):
    settings = app.extensions["contactpro"].settings
    session.add(
        Alert(key="queue_wait_seconds", value=612.0, threshold=settings.alert_queue_wait_seconds)
    )
    session.commit()
    login(client, "max@example.com")
    page = client.get("/console/manager/")
    assert page.status_code == 200
    assert 'data-alert="queue_wait_seconds"' in page.text
    assert (
        "wait in the agent queue (mean of those answered, or the longest still waiting)"
        in page.text
        and "10 min" in page.text
        and "(threshold 5 min)" in page.text
    )
    assert session.scalars(select(Alert)).one().cleared_at is None
