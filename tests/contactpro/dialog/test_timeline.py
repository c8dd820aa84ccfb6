"""Conversations survive restarts and channel switches, time out by segment, and get surveyed."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from contactpro.models import Interaction, PaymentAgreement, SurveyResponse, Turn
from contactpro.providers.telephony import telephony_for
from tasks.interactions import close_interaction
from tests.conftest import TwilioClient, wait_for
from tests.contactpro.dialog.conftest import PhoneCall, SmsThread
from webhooks import create_app


def test_sms_an_hour_after_a_call_continues_the_negotiation(call, sms, debtor, session):
    phone = call("+573001112233")
    phone.start()
    phone.say("quiero un acuerdo de pago")
    offers, _ = phone.press("4050")
    assert "Cuál opción prefieres" in offers
    phone.hang_up(80)
    voice = session.scalars(select(Interaction).where(Interaction.channel == "voice")).one()
    voice.last_activity_at -= timedelta(hours=1)
    session.commit()
    thread = sms("+573001112233")
    restated = thread.send("acepto la opción 3")
    assert "3 cuotas" in restated and "registré" not in restated
    reply = thread.send("sí")
    assert "registré tu acuerdo" in reply and "3 cuotas" in reply
    session.expire_all()
    text_thread = session.scalars(select(Interaction).where(Interaction.channel == "sms")).one()
    assert text_thread.state["continued_from"] == voice.id
    assert session.scalars(select(PaymentAgreement)).one().instalments == 3


def test_conversation_resumes_on_a_restarted_server(app_config, app, customer_factory, session):
    customer_factory()
    first = SmsThread(TwilioClient(app.test_client()), "+573001112233")
    assert "cuatro dígitos" in first.send("cuánto debo")
    restarted = create_app(app_config)  # a new process: nothing kept in memory
    second = SmsThread(TwilioClient(restarted.test_client()), "+573001112233")
    assert "125.000 pesos" in second.send("4050")
    restarted.extensions["contactpro"].db.dispose()
    assert session.scalars(select(Interaction)).one().state["verified"] is True


def test_sms_thread_stays_open_within_the_segment_limit(sms, customer_factory, session):
    customer_factory()
    thread = sms("+573001112233")
    thread.send("hola")
    interaction = session.scalars(select(Interaction)).one()
    interaction.last_activity_at -= timedelta(hours=11)
    session.commit()
    thread.send("qué planes tienen")
    session.expire_all()
    assert session.scalars(select(Interaction)).one().id == interaction.id
    interaction.last_activity_at -= timedelta(hours=13)
    session.commit()
    thread.send("hola de nuevo")
    session.expire_all()
    assert len(session.scalars(select(Interaction)).all()) == 2


def test_survey_after_a_resolved_conversation(app, sms, billed, session):
    billed()
    thread = sms("+573001112233")
    thread.send("dónde puedo pagar")
    interaction = session.scalars(select(Interaction)).one()
    with app.app_context():
        close_interaction.delay(interaction.id, "test")

    def surveyed():
        session.expire_all()
        return session.scalars(select(SurveyResponse)).first()

    survey = wait_for(surveyed)
    assert survey.phone == "+573001112233" and survey.score is None
    sent = telephony_for(app.extensions["contactpro"].settings).sent
    if sent:  # eager mode: the fake sits in this process
        assert "del 1 (mala) al 5 (excelente)" in sent[-1]["body"]
    assert thread.send("5") == "¡Gracias por tu calificación!"
    session.expire_all()
    survey = session.scalars(select(SurveyResponse)).one()
    assert survey.score == 5 and survey.answered_at is not None
    answer = session.scalars(select(Turn).where(Turn.intent == "survey_answer")).one()
    assert answer.interaction_id == interaction.id
    assert session.get(Interaction, interaction.id).state["csat"] == 5


def test_turn_limit_hands_over(app, app_config, customer_factory, session):
    app_config["max_dialog_turns"] = 3
    limited = create_app(app_config)
    customer_factory()
    phone = PhoneCall(TwilioClient(limited.test_client()), "+573001112233")
    phone.start()
    for _ in range(3):
        spoken, verb = phone.say("hola")
        assert verb == "Gather"
    spoken, verb = phone.say("hola")
    assert verb == "Enqueue" and "asesor" in spoken
    limited.extensions["contactpro"].db.dispose()
