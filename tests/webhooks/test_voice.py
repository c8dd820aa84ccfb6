"""Voice calls: greeting, gathered turns, no-input, hand-off, hang-up, status and fallback."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from sqlalchemy import func, select

from contactpro.models import Escalation, Interaction, Turn
from devtools.simulator import new_sid
from tests.conftest import TwilioClient, wait_for
from webhooks import create_app

BUSINESS = "+15550001000"


class Call:
    """One simulated call: posts exactly the parameters Twilio sends, signed."""

    def __init__(self, twilio: TwilioClient, caller: str) -> None:
        self.twilio, self.caller, self.sid = twilio, caller, new_sid("CA")
        self.next_path = "/twilio/voice"

    def params(self, **extra: str) -> dict[str, str]:
        return {
            "CallSid": self.sid,
            "AccountSid": "AC" + "1" * 32,
            "From": self.caller,
            "To": BUSINESS,
            "CallStatus": "in-progress",
            "Direction": "inbound",
            "ApiVersion": "2010-04-01",
            "Caller": self.caller,
            "Called": BUSINESS,
            "FromCountry": "CO",
            **extra,
        }

    def post(self, path: str, **extra: str) -> ET.Element:
        response = self.twilio.post(path, self.params(**extra))
        assert response.status_code == 200, response.data
        assert response.mimetype == "application/xml"
        root = ET.fromstring(response.data)
        gather = root.find("Gather")
        if gather is not None:
            self.next_path = gather.get("action")
        return root

    def start(self) -> ET.Element:
        return self.post("/twilio/voice", CallStatus="ringing")

    def say(self, speech: str, confidence: str = "0.91") -> ET.Element:
        return self.post(self.next_path, SpeechResult=speech, Confidence=confidence)

    def press(self, digits: str) -> ET.Element:
        return self.post(self.next_path, Digits=digits)

    def silence(self) -> ET.Element:
        return self.post(self.next_path)

    def end(self, duration: int) -> int:
        params = self.params(CallStatus="completed", CallDuration=str(duration))
        return self.twilio.post("/twilio/voice/status", params).status_code


def spoken(root: ET.Element) -> str:
    return " ".join(el.text or "" for el in root.iter("Say"))


def test_known_caller_is_greeted_by_name_and_gathered(twilio, customer_factory, session):
    customer_factory(phone="+573001112233")
    root = Call(twilio, "+573001112233").start()
    gather = root.find("Gather")
    assert gather is not None
    assert gather.get("input") == "speech dtmf"
    assert gather.get("language") == "es-CO"
    assert gather.get("speechTimeout") == "auto"
    assert gather.get("action") == "/twilio/voice/gather?step=1&lang=es"
    assert "saldo" in gather.get("hints")
    assert gather.find("Say").get("language") == "es-US"  # Polly.Lupe's locale
    assert "Hola Camila" in spoken(root)
    interaction = session.scalars(select(Interaction)).one()
    assert interaction.channel == "voice" and interaction.customer is not None


def test_resolved_billing_call_in_spanish(twilio, customer_factory, session):
    customer_factory(phone="+573001112233", balance="98500")
    call = Call(twilio, "+573001112233")
    call.start()
    assert "cuatro dígitos" in spoken(call.say("cuál es mi saldo"))
    root = call.say("cuatro cero cinco cero")
    assert "98500 pesos" in spoken(root)  # no grouping dot read as a decimal point
    assert root.find("Gather").get("action") == "/twilio/voice/gather?step=3&lang=es"
    root = call.say("eso es todo gracias")
    assert root.find("Hangup") is not None
    assert call.end(41) == 204
    interaction = wait_for(
        lambda: (
            session.scalars(select(Interaction).where(Interaction.status == "closed")).first()
            or session.expire_all()
        )
    )
    assert (interaction.outcome, interaction.duration_seconds, interaction.close_reason) == (
        "auto_resolved",
        41,
        "auto_resolved",
    )
    turns = session.scalars(select(Turn).order_by(Turn.sequence)).all()
    assert [(t.speaker, t.source, t.intent) for t in turns] == [
        ("bot", "system", None),
        ("caller", "speech", "billing_inquiry"),
        ("caller", "speech", turns[2].intent),
        ("caller", "speech", "goodbye"),
    ]
    assert turns[1].asr_confidence == pytest.approx(0.91)


def test_resolved_billing_call_in_english(twilio, customer_factory):
    customer_factory(
        phone="+13055550123", language="en", balance="42.5", currency="USD", name="Grace Miller"
    )
    call = Call(twilio, "+13055550123")
    root = call.start()
    assert root.find("Gather").get("language") == "en-US"
    assert "Hi Grace" in spoken(root)
    assert "last four digits" in spoken(call.say("how much do I owe"))
    assert "42 dollars and 50 cents" in spoken(call.press("4050"))


def test_three_silences_escalate_to_the_queue(twilio, customer_factory, session):
    customer_factory()
    call = Call(twilio, "+573001112233")
    call.start()
    first, second = call.silence(), call.silence()
    assert "No te escuché" in spoken(first) and first.find("Gather") is not None
    assert spoken(second) != spoken(first)
    assert second.find("Gather") is not None
    third = call.silence()
    enqueue = third.find("Enqueue")
    assert enqueue is not None and enqueue.text == "support"
    assert enqueue.get("action") == "/twilio/voice/queue-result?lang=es"
    assert session.scalars(select(Escalation)).one().reason == "no_input"


def test_asking_for_an_agent_mid_flow_hands_over_with_context(twilio, customer_factory, session):
    customer_factory()
    call = Call(twilio, "+573001112233")
    call.start()
    call.say("mi saldo por favor")
    root = call.say("quiero hablar con un asesor")
    assert root.find("Enqueue") is not None and "asesor" in spoken(root)
    escalation = session.scalars(select(Escalation)).one()
    assert escalation.context["channel"] == "voice"
    assert [t["intent"] for t in escalation.context["transcript"] if t["intent"]] == [
        "billing_inquiry",
        "agent_request",
    ]
    result = twilio.post(
        "/twilio/voice/queue-result",
        call.params(QueueResult="bridged", QueueTime="37", QueueSid="QU" + "2" * 32),
    )
    assert result.status_code == 200
    session.expire_all()
    escalation = session.scalars(select(Escalation)).one()
    assert (escalation.queue_result, escalation.queue_seconds) == ("bridged", 37)


def test_pressing_zero_escalates(twilio, customer_factory, session):
    customer_factory()
    call = Call(twilio, "+573001112233")
    call.start()
    assert call.press("0").find("Enqueue") is not None
    assert session.scalars(select(Turn).where(Turn.source == "dtmf")).one().intent == (
        "agent_request"
    )


def test_repeated_request_gets_same_answer_and_no_duplicate_rows(twilio, customer_factory, session):
    customer_factory()
    call = Call(twilio, "+573001112233")
    first_greeting = ET.tostring(call.start())
    assert ET.tostring(call.start()) == first_greeting
    path = call.next_path
    once = ET.tostring(call.say("saldo"))
    call.next_path = path
    assert ET.tostring(call.say("saldo")) == once
    assert session.scalar(select(func.count(Turn.id))) == 2
    assert session.scalar(select(func.count(Interaction.id))) == 1


def test_unknown_caller_who_cannot_identify_reaches_an_agent(twilio, session):
    call = Call(twilio, "+573005556666")
    assert "oprime 1" in spoken(call.start())  # unknown callers choose a language
    assert "ayudar" in spoken(call.press("1"))
    assert "cédula o de cuenta" in spoken(call.say("mi factura"))
    assert "No encontré" in spoken(call.say("nueve nueve nueve nueve nueve nueve"))
    root = call.say("no me acuerdo")
    assert root.find("Enqueue") is not None
    assert session.scalars(select(Escalation)).one().reason == "identification_failed"


def test_caller_hangs_up_mid_flow_is_abandoned(twilio, customer_factory, session):
    customer_factory()
    call = Call(twilio, "+573001112233")
    call.start()
    assert call.end(9) == 204
    interaction = wait_for(
        lambda: (
            session.scalars(select(Interaction).where(Interaction.status == "closed")).first()
            or session.expire_all()
        )
    )
    assert interaction.outcome == "abandoned" and interaction.duration_seconds == 9


def test_unsigned_voice_request_is_refused(twilio, session):
    call = Call(twilio, "+573001112233")
    response = twilio.post("/twilio/voice", call.params(), signature="")
    assert response.status_code == 403
    assert session.scalar(select(func.count(Interaction.id))) == 0


def test_malformed_call_sid_still_gets_safe_twiml(twilio):
    params = Call(twilio, "+573001112233").params(CallSid="not-a-sid")
    response = twilio.post("/twilio/voice", params)
    assert response.status_code == 200
    root = ET.fromstring(response.data)
    assert root.find("Enqueue") is not None and "problema técnico" in spoken(root)


def test_database_down_caller_hears_apology_and_queue(app_config, backend):
    if backend is not None:
        pytest.skip("one database-down check is enough")
    app_config["database_url"] = "postgresql+psycopg://nobody@127.0.0.1:1/none"
    app = create_app(app_config)
    twilio = TwilioClient(app.test_client())
    call = Call(twilio, "+573001112233")
    for path in ("/twilio/voice", "/twilio/voice/fallback"):
        response = twilio.post(path, call.params())
        assert response.status_code == 200
        root = ET.fromstring(response.data)
        assert root.find("Enqueue") is not None, path
        assert "Lo sentimos" in spoken(root)
