"""Console settings someone can change change what agents see."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from contactpro.console import agent_queue
from contactpro.improve import index
from contactpro.models import Escalation, Interaction, utcnow
from tests.contactpro.console.test_agent_queue import sms_escalation
from tests.webhooks.test_sms import sms_params


def test_the_sla_setting_moves_a_wait_from_ok_to_late(app, twilio, session) -> None:
    esc = sms_escalation(twilio, session, "+573001190001", "Sara Lenta")
    settings = app.extensions["contactpro"].settings
    now = utcnow() + timedelta(minutes=4)
    relaxed = agent_queue.queue_entries(session, replace(settings, console_sla_seconds=3600), now)
    strict = agent_queue.queue_entries(session, replace(settings, console_sla_seconds=120), now)
    assert [e.sla for e in relaxed if e.id == esc.id] == ["ok"]
    assert [e.sla for e in strict if e.id == esc.id] == ["late"]


def test_the_similarity_cut_off_setting_drops_weak_matches(app, twilio, session) -> None:
    for n, words in enumerate(["cuánto debo de la factura", "mi internet no funciona nada"]):
        phone = f"+57300119100{n}"
        twilio.post("/twilio/sms", sms_params(phone, words))
    session.expire_all()
    esc = sms_escalation(twilio, session, "+573001191009", "Tomás", words="quiero un asesor ya")
    session.query(Escalation).filter(Escalation.id != esc.id).delete()
    session.query(Interaction).filter(Interaction.id != esc.interaction_id).update(
        {"status": "closed"}
    )
    session.commit()
    settings = replace(app.extensions["contactpro"].settings, improve_case_encoder="hashing")
    assert index.index_pending(session, index.encoder_for("hashing")) == 2
    session.commit()
    # No earlier case shares the request (a person), so only the cut-off decides what shows.
    loose = agent_queue.similar_cases(session, replace(settings, similar_min_similarity=0.0), esc)
    strict = agent_queue.similar_cases(session, replace(settings, similar_min_similarity=0.99), esc)
    assert loose["kind"] == "text" and loose["cases"]
    assert all(case.similarity >= 0.0 for case in loose["cases"])
    assert strict["kind"] == "reason"  # nothing that alike: the same-reason fallback instead
