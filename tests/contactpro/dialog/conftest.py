"""Conversation drivers for dialog tests: an SMS thread and a phone call, signed as Twilio does."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from contactpro.models import Customer, Invoice, Payment
from devtools.simulator import new_sid
from tests.conftest import TwilioClient

BUSINESS = "+15550001000"


class SmsThread:
    """Text the bot from one number; ``send`` returns the reply."""

    def __init__(self, twilio: TwilioClient, phone: str) -> None:
        self.twilio, self.phone = twilio, phone

    def send(self, body: str) -> str:
        params = {
            "MessageSid": new_sid("SM"),
            "AccountSid": "AC" + "1" * 32,
            "From": self.phone,
            "To": BUSINESS,
            "Body": body,
            "NumMedia": "0",
            "ApiVersion": "2010-04-01",
        }
        response = self.twilio.post("/twilio/sms", params)
        assert response.status_code == 200, response.data
        return " ".join(el.text or "" for el in ET.fromstring(response.data).iter("Message"))


class PhoneCall:
    """Call the bot from one number; ``say``/``press`` return (spoken text, final verb)."""

    def __init__(self, twilio: TwilioClient, phone: str) -> None:
        self.twilio, self.phone, self.sid = twilio, phone, new_sid("CA")
        self.path = "/twilio/voice"

    def _post(self, **extra: str) -> tuple[str, str]:
        params = {
            "CallSid": self.sid,
            "AccountSid": "AC" + "1" * 32,
            "From": self.phone,
            "To": BUSINESS,
            "CallStatus": "in-progress",
            "Direction": "inbound",
            "ApiVersion": "2010-04-01",
            **extra,
        }
        response = self.twilio.post(self.path, params)
        assert response.status_code == 200, response.data
        root = ET.fromstring(response.data)
        gather = root.find("Gather")
        if gather is not None:
            self.path = gather.get("action")
        verbs = [child.tag for child in root]
        return " ".join(el.text or "" for el in root.iter("Say")), verbs[-1] if verbs else ""

    def start(self) -> tuple[str, str]:
        return self._post(CallStatus="ringing")

    def say(self, speech: str) -> tuple[str, str]:
        return self._post(SpeechResult=speech, Confidence="0.9")

    def press(self, digits: str) -> tuple[str, str]:
        return self._post(Digits=digits)

    def hang_up(self, duration: int = 60) -> None:
        self.path = "/twilio/voice/status"
        params = {
            "CallSid": self.sid,
            "AccountSid": "AC" + "1" * 32,
            "From": self.phone,
            "To": BUSINESS,
            "CallStatus": "completed",
            "CallDuration": str(duration),
        }
        assert self.twilio.post("/twilio/voice/status", params).status_code == 204


@pytest.fixture
def sms(twilio: TwilioClient) -> Callable[[str], SmsThread]:
    """Open an SMS thread from a number."""
    return lambda phone: SmsThread(twilio, phone)


@pytest.fixture
def call(twilio: TwilioClient) -> Callable[[str], PhoneCall]:
    """Place a call from a number."""
    return lambda phone: PhoneCall(twilio, phone)


@pytest.fixture
def debtor(session, customer_factory) -> Customer:
    """A Colombian customer 75 days past due on 450.000 pesos."""
    customer = customer_factory(phone="+573001112233", balance="540000")
    account = customer.accounts[0]
    account.debt_amount, account.days_past_due, account.status = Decimal("450000"), 75, "delinquent"
    session.commit()
    return customer


@pytest.fixture
def billed(session, customer_factory) -> Callable[..., Customer]:
    """A customer with two invoices (the last one higher) and a recent payment."""

    def make(phone: str = "+573001112233", language: str = "es") -> Customer:
        currency = "COP" if language == "es" else "USD"
        customer = customer_factory(
            phone=phone,
            language=language,
            currency=currency,
            balance="107000" if language == "es" else "64.00",
            name="Camila Rojas Pérez" if language == "es" else "Grace Miller",
        )
        account = customer.accounts[0]
        base = Decimal("89900") if language == "es" else Decimal("55")
        extra = Decimal("17100") if language == "es" else Decimal("9")
        october, november = date(2026, 10, 1), date(2026, 11, 1)
        plan = "Cargo fijo mensual" if language == "es" else "Monthly plan"
        calls = "Llamadas a larga distancia" if language == "es" else "Long-distance calls"
        session.add_all(
            [
                Invoice(
                    account=account,
                    number=f"F{phone[-6:]}10",
                    period_start=october,
                    period_end=date(2026, 10, 31),
                    issued_on=date(2026, 11, 1),
                    due_date=date(2026, 11, 15),
                    total=base,
                    status="paid",
                    items=[{"description": plan, "amount": str(base)}],
                ),
                Invoice(
                    account=account,
                    number=f"F{phone[-6:]}11",
                    period_start=november,
                    period_end=date(2026, 11, 30),
                    issued_on=date(2026, 12, 1),
                    due_date=date(2026, 12, 15),
                    total=base + extra,
                    status="open",
                    items=[
                        {"description": plan, "amount": str(base)},
                        {"description": calls, "amount": str(extra)},
                    ],
                ),
                Payment(
                    account=account,
                    amount=base,
                    method="pse",
                    reference=f"P{phone[-6:]}",
                    paid_at=datetime.now(UTC) - timedelta(days=3),
                ),
            ]
        )
        session.commit()
        return customer

    return make
