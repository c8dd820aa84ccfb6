"""Times, dates and letters as the customer reads them: their own time zone (else their number's
or account's, else the company's) for outage times and due dates, and accents kept whenever the
SMS budget or the operator allows.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from contactpro.dialog.localtime import local_today
from contactpro.dialog.replies import format_date
from contactpro.dialog.sms import segments
from contactpro.models import Account, Customer, PaymentAgreement, ServiceOutage, Turn, utcnow

OWN = "+573001112233"
OWN_EN = "+13055550123"
ABROAD = "+34911222333"


def _outage(session, city: str, hours_ahead: int = 3) -> datetime:
    end = (utcnow() + timedelta(hours=hours_ahead)).replace(second=0, microsecond=0)
    session.add(
        ServiceOutage(
            city=city,
            description_es="corte de fibra.",
            description_en="a fiber cut.",
            starts_at=utcnow() - timedelta(hours=1),
            expected_end_at=end,
        )
    )
    session.commit()
    return end


def _clock(moment: datetime, zone: str, language: str = "es") -> str:
    local = moment.astimezone(ZoneInfo(zone))
    return f"{local:%H:%M}" if language == "es" else f"{local:%-I:%M %p}"


def _live_in(session, customer: Customer, city: str, zone: str | None) -> None:
    customer.city, customer.timezone = city, zone
    session.commit()


# --- outage times --------------------------------------------------------------------------------


def test_outage_time_by_sms_on_the_customers_own_clock(sms, customer_factory, session):
    customer = customer_factory(phone=OWN)
    _live_in(session, customer, "Ciudad de México", "America/Mexico_City")
    end = _outage(session, "Ciudad de México")
    reply = sms(OWN).send("no tengo internet")
    assert f"hacia las {_clock(end, 'America/Mexico_City')}" in reply
    assert _clock(end, "America/Bogota") not in reply and _clock(end, "UTC") not in reply


def test_outage_time_on_a_call_in_english_on_the_customers_own_clock(
    call, customer_factory, session
):
    customer = customer_factory(phone=OWN_EN, language="en", currency="USD", name="Grace Miller")
    _live_in(session, customer, "Los Angeles", "America/Los_Angeles")
    end = _outage(session, "Los Angeles")
    phone = call(OWN_EN)
    phone.start()
    spoken, _ = phone.say("my internet is not working")
    assert f"fixed by {_clock(end, 'America/Los_Angeles', 'en')}" in spoken
    assert _clock(end, "America/Bogota", "en") not in spoken


def test_outage_restored_tomorrow_says_the_day(sms, customer_factory, session):
    customer_factory(phone=OWN)
    end = _outage(session, "Bogotá", hours_ahead=30)
    reply = sms(OWN).send("no tengo internet")
    local = end.astimezone(ZoneInfo("America/Bogota"))
    assert f"hacia las {local:%H:%M} del {format_date(local.date(), 'es')}" in reply


@pytest.fixture(params=["America/Bogota", "Europe/Madrid"])
def company_zone(request, app_config) -> str:
    """The company's time zone as an operator sets it (CONTACTPRO_COMPANY_TIMEZONE)."""
    app_config["company_timezone"] = request.param
    return request.param


def test_company_time_zone_setting_moves_the_time_said_to_someone_from_elsewhere(
    company_zone, sms, customer_factory, session
):
    # No time zone of their own, and neither their number nor their account names a market.
    customer_factory(phone=ABROAD, currency="EUR")
    end = _outage(session, "Bogotá")
    reply = sms(ABROAD).send("no tengo internet")
    assert f"hacia las {_clock(end, company_zone)}" in reply


def test_a_customer_with_no_time_zone_hears_their_numbers_clock(
    company_zone, sms, customer_factory, session
):
    customer_factory(phone=OWN)  # no time zone of their own: their Colombian number's
    end = _outage(session, "Bogotá")
    reply = sms(OWN).send("no tengo internet")
    assert f"hacia las {_clock(end, 'America/Bogota')}" in reply


# --- due dates -----------------------------------------------------------------------------------


def _zone_on_another_date() -> str:
    """A time zone whose calendar date differs from UTC's right now (one always does)."""
    now = datetime.now(UTC)
    for zone in ("Pacific/Kiritimati", "Pacific/Pago_Pago"):
        if now.astimezone(ZoneInfo(zone)).date() != now.date():
            return zone
    raise AssertionError("unreachable: UTC+14 or UTC-11 is always on another date")


@pytest.mark.parametrize(("language", "phone"), [("es", OWN), ("en", OWN_EN)])
def test_due_dates_count_from_the_customers_own_today(
    sms, customer_factory, session, language, phone
):
    zone = _zone_on_another_date()
    customer = customer_factory(
        phone=phone, language=language, currency="COP" if language == "es" else "USD"
    )
    customer.timezone = zone
    account = customer.accounts[0]
    account.debt_amount, account.days_past_due, account.status = Decimal("450000"), 75, "delinquent"
    session.commit()
    thread = sms(phone)
    thread.send("quiero negociar mi deuda" if language == "es" else "I want to negotiate my debt")
    offers = thread.send("4050")
    own_today = local_today(ZoneInfo(zone))
    utc_today = datetime.now(UTC).date()
    assert format_date(own_today + timedelta(days=3), language) in offers
    assert format_date(utc_today + timedelta(days=3), language) not in offers
    assert session.scalars(select(PaymentAgreement)).first() is None


def test_a_bad_stored_time_zone_falls_back_to_the_companys(sms, customer_factory, session):
    customer = customer_factory(phone=OWN)
    _live_in(session, customer, "Bogotá", "Mars/Olympus")
    end = _outage(session, "Bogotá")
    assert f"hacia las {_clock(end, 'America/Bogota')}" in sms(OWN).send("no tengo internet")


# --- accents in SMS ------------------------------------------------------------------------------


def _with_accounts(session, customer: Customer, count: int) -> None:
    for index in range(1, count):
        session.add(
            Account(
                customer=customer,
                number=f"000012045{index + 1}",
                plan="Hogar Internet 100 Mb",
                monthly_charge=Decimal("89900"),
                currency="COP",
                balance=Decimal("89900"),
                due_date=customer.accounts[0].due_date,
                debt_amount=Decimal("179800"),
                days_past_due=40,
                status="delinquent",
            )
        )
    session.commit()


def _balance_reply(sms, customer_factory, session, accounts: int) -> str:
    customer = customer_factory(phone=OWN)
    _with_accounts(session, customer, accounts)
    thread = sms(OWN)
    thread.send("cuál es mi saldo")
    reply = thread.send("4050")
    stored = session.scalars(select(Turn).order_by(Turn.id.desc())).first()
    assert stored.reply == reply  # the transcript holds what was sent
    return reply


def test_reply_that_fits_as_ucs2_keeps_its_accents(sms, customer_factory, session):
    reply = _balance_reply(sms, customer_factory, session, accounts=1)
    assert "límite" in reply and "resolví" in reply and segments(reply) <= 3


def test_longer_reply_is_sent_in_gsm7_letters_by_default(sms, customer_factory, session):
    reply = _balance_reply(sms, customer_factory, session, accounts=4)
    assert "limite" in reply and "límite" not in reply
    assert segments(reply) <= 3 and "…" not in reply


@pytest.fixture
def keep_accents(app_config) -> None:
    """The operator pays for accented segments (CONTACTPRO_SMS_KEEP_ACCENTS=true)."""
    app_config["sms_keep_accents"] = True


def test_operator_setting_keeps_accents_in_longer_replies(
    keep_accents, sms, customer_factory, session
):
    reply = _balance_reply(sms, customer_factory, session, accounts=4)
    assert "límite" in reply and "días" in reply and segments(reply) > 3
    assert segments(reply.replace("í", "i").replace("á", "a")) <= 3


# --- numbers and letters as each language writes them ----------------------------------------


@pytest.fixture
def half_point_discounts(app_config) -> None:
    """Debt discounts with a decimal: 2.5 % at every tier."""
    app_config["debt_discount_tiers"] = "30:2.5,90:2.5,180:2.5,99999:2.5"


@pytest.mark.parametrize(
    ("language", "phone", "written", "wrong"),
    [("es", OWN, "2,5 %", "2.5 %"), ("en", OWN_EN, "2.5 %", "2,5 %")],
)
def test_discount_percent_reads_as_the_language_writes_it(
    half_point_discounts, sms, customer_factory, session, language, phone, written, wrong
):
    customer = customer_factory(
        phone=phone, language=language, currency="COP" if language == "es" else "USD"
    )
    account = customer.accounts[0]
    account.debt_amount, account.days_past_due, account.status = Decimal("450000"), 75, "delinquent"
    session.commit()
    thread = sms(phone)
    request = "quiero negociar mi deuda" if language == "es" else "I want to negotiate my debt"
    offers = thread.send_all(request, "4050")
    assert written in offers and wrong not in offers


@pytest.mark.parametrize(
    ("language", "phone", "question", "accented"),
    [
        ("es", OWN, "qué canales tiene la televisión", ["televisión", "definición"]),
        ("en", OWN_EN, "what channels does the TV plan have", ["channels"]),
    ],
)
def test_knowledge_answers_keep_their_accents_on_a_call(
    call, customer_factory, language, phone, question, accented
):
    customer_factory(phone=phone, language=language)
    spoken_call = call(phone)
    spoken_call.start()
    spoken, _ = spoken_call.say(question)
    assert all(word in spoken for word in accented), spoken
    assert "television " not in spoken and "definicion" not in spoken
