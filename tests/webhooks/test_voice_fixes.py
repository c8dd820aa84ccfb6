"""Phone-line fixes: typed numbers, amounts read aloud, voice locales, the language menu and the
hand-off wording, over signed voice webhooks in Spanish and English."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest
from sqlalchemy import select

from contactpro.config import Settings
from contactpro.dialog.replies import format_money
from contactpro.models import Customer, Escalation, Interaction
from contactpro.voice import prompts
from contactpro.voice.locale import recognition_locale, say_voice
from devtools.conversations import SmsThread
from tests.webhooks.test_voice import Call, spoken

UNKNOWN_CO = "+573009998877"
UNKNOWN_US = "+13055550199"
MEXICAN = "+525512345678"


@pytest.fixture
def app_settings() -> dict[str, object]:
    """Settings a test changes (parametrize ``app_settings`` to change them)."""
    return {}


@pytest.fixture
def app_config(app_config: dict[str, object], app_settings: dict[str, object]):
    """The app's settings with the test's changes applied before the app is built."""
    app_config.update(app_settings)
    return app_config


def owe(session, customer: Customer, debt: str, days: int) -> Customer:
    """Put the customer's account ``days`` past due on ``debt``."""
    account = customer.accounts[0]
    account.debt_amount, account.days_past_due, account.status = Decimal(debt), days, "delinquent"
    session.commit()
    return customer


def gather_of(root: ET.Element) -> ET.Element:
    gather = root.find("Gather")
    assert gather is not None, ET.tostring(root)
    return gather


def assert_number_gather(root: ET.Element) -> None:
    """The caller may type several digits ending with # (or speak them)."""
    gather = gather_of(root)
    assert gather.get("numDigits") is None
    assert gather.get("finishOnKey") == "#"
    assert gather.get("input") == "speech dtmf"
    assert int(gather.get("timeout")) >= 6


def assert_menu_gather(root: ET.Element) -> None:
    """One key is the whole answer."""
    assert gather_of(root).get("numDigits") == "1"


# --- 1. Numbers typed on the keypad ---------------------------------------------------------------


def test_spanish_stranger_types_the_cedula_and_birth_year(twilio, customer_factory, session):
    customer_factory(balance="106981")
    call = Call(twilio, UNKNOWN_CO)
    assert_menu_gather(call.start())
    assert_menu_gather(call.press("1"))
    asked = call.say("cuál es mi saldo")
    assert "cédula" in spoken(asked) and "termina con numeral" in spoken(asked)
    assert_number_gather(asked)
    verify = call.press("1020304050")
    assert "año naciste" in spoken(verify) and "termina con numeral" in spoken(verify)
    assert_number_gather(verify)
    answer = call.press("1988")
    assert "106981 pesos" in spoken(answer) and "106.981" not in spoken(answer)
    assert "numeral" not in spoken(answer)
    assert_menu_gather(answer)  # "¿algo más?" is no number
    assert session.scalars(select(Escalation)).all() == []


def test_english_stranger_types_an_account_number_starting_with_zero(
    twilio, customer_factory, session
):
    customer_factory(phone="+13055550123", language="en", currency="USD", balance="1227.28")
    call = Call(twilio, UNKNOWN_US)
    call.start()
    call.press("2")
    asked = call.say("what is my balance")
    assert "followed by the pound key" in spoken(asked)
    assert_number_gather(asked)
    verify = call.press("0000120451")  # not the 0 that asks for a person
    assert "born" in spoken(verify) and "pound key" in spoken(verify)
    assert_number_gather(verify)
    answer = call.press("1988")
    assert "1,227 dollars and 28 cents" in spoken(answer)
    assert session.scalars(select(Escalation)).all() == []


@pytest.mark.parametrize(
    ("caller", "menu", "question", "connecting"),
    [
        (UNKNOWN_CO, "1", "quiero hacer un acuerdo de pago", "Te comunico con un asesor"),
        (UNKNOWN_US, "2", "I want to negotiate my debt", "connecting you with an agent"),
    ],
)
def test_zero_alone_at_the_id_question_still_reaches_a_person(
    twilio, customer_factory, session, caller, menu, question, connecting
):
    customer_factory()
    call = Call(twilio, caller)
    call.start()
    call.press(menu)
    assert_number_gather(call.say(question))
    root = call.press("0")  # 0 then # (or the time-out): Digits=0
    assert connecting in spoken(root) and root.find("Enqueue") is not None
    assert [e.reason for e in session.scalars(select(Escalation))] == ["agent_request"]


def test_known_caller_verifies_with_typed_digits(twilio, customer_factory, session):
    customer_factory(balance="98500")
    call = Call(twilio, "+573001112233")
    call.start()
    asked = call.say("cuál es mi saldo")
    assert "cuatro dígitos" in spoken(asked) and "termina con numeral" in spoken(asked)
    assert_number_gather(asked)
    assert "98500 pesos" in spoken(call.press("4050"))


# --- 2. Amounts and percentages read aloud -----------------------------------------------------


def test_spanish_offers_are_read_without_grouping_dots_or_percent_sign(
    twilio, customer_factory, session
):
    owe(session, customer_factory(balance="540000"), "450000", 75)
    call = Call(twilio, "+573001112233")
    call.start()
    call.say("quiero negociar mi deuda")
    offers = spoken(call.press("4050"))
    assert "450000 pesos" in offers and "416250 pesos" in offers
    assert "7 coma 5 por ciento" in offers
    assert "%" not in offers and "450.000" not in offers and "416.250" not in offers


def test_english_offers_are_read_in_dollars_and_percent(twilio, customer_factory, session):
    customer = customer_factory(
        phone="+13055550123", language="en", currency="USD", balance="300", name="Grace Miller"
    )
    owe(session, customer, "240.00", 200)
    call = Call(twilio, "+13055550123")
    call.start()
    call.say("I want to negotiate my debt")
    offers = spoken(call.press("4050"))
    assert "240 dollars" in offers and "156 dollars" in offers and "35 percent off" in offers
    assert "%" not in offers and ".00" not in offers


def test_cents_are_read_as_cents_in_spanish(twilio, customer_factory):
    customer_factory(currency="USD", balance="58.85")
    call = Call(twilio, "+573001112233")
    call.start()
    call.say("cuál es mi saldo")
    answer = spoken(call.press("4050"))
    assert "58 dólares con 85 centavos" in answer and "58,85" not in answer


@pytest.mark.parametrize(
    ("phone", "language", "currency", "balance", "written"),
    [
        ("+573001112233", "es", "COP", "106981", "106.981 pesos"),
        ("+13055550123", "en", "USD", "58.85", "58.85 dollars"),
    ],
)
def test_sms_keeps_the_written_amounts(
    twilio, customer_factory, phone, language, currency, balance, written
):
    customer_factory(phone=phone, language=language, currency=currency, balance=balance)
    thread = SmsThread(twilio, phone)
    thread.send("cuánto debo" if language == "es" else "what is my balance")
    assert written in thread.send("4050")


# --- 3. Voice locales --------------------------------------------------------------------------


def test_mexican_customer_is_heard_in_es_mx_and_spoken_to_by_a_valid_voice(
    twilio, customer_factory
):
    customer_factory(phone=MEXICAN, currency="MXN")
    root = Call(twilio, MEXICAN).start()
    gather = gather_of(root)
    assert gather.get("language") == "es-MX"
    say = gather.find("Say")
    assert (say.get("voice"), say.get("language")) == ("Polly.Lupe", "es-US")


def test_colombian_caller_is_heard_in_es_co(twilio, customer_factory):
    customer_factory()
    gather = gather_of(Call(twilio, "+573001112233").start())
    assert gather.get("language") == "es-CO"
    assert (gather.find("Say").get("voice"), gather.find("Say").get("language")) == (
        "Polly.Lupe",
        "es-US",
    )


def test_american_caller_is_heard_in_en_us(twilio, customer_factory):
    customer_factory(phone="+13055550123", language="en", currency="USD", name="Grace Miller")
    gather = gather_of(Call(twilio, "+13055550123").start())
    assert gather.get("language") == "en-US"
    assert (gather.find("Say").get("voice"), gather.find("Say").get("language")) == (
        "Polly.Joanna",
        "en-US",
    )


def test_mexican_stranger_at_the_language_menu_is_heard_in_es_mx(twilio):
    menu = gather_of(Call(twilio, MEXICAN).start())
    assert menu.get("language") == "es-MX"
    assert [s.get("language") for s in menu.findall("Say")] == ["es-US", "en-US"]


@pytest.mark.parametrize(
    "app_settings", [{"voice_name_es": "Polly.Mia", "voice_locale_es": "es-MX"}]
)
def test_settings_override_the_voice_and_the_fallback_locale(twilio):
    menu = gather_of(Call(twilio, "+447700900123").start())  # a market we do not serve
    assert menu.get("language") == "es-MX"
    spanish, english = menu.findall("Say")
    assert (spanish.get("voice"), spanish.get("language")) == ("Polly.Mia", "es-MX")
    assert (english.get("voice"), english.get("language")) == ("Polly.Joanna", "en-US")


# --- 4. The language menu ------------------------------------------------------------------------


@pytest.mark.parametrize("first", ["", "7"])
def test_menu_is_asked_again_once_then_the_default_language_without_perfecto(
    twilio, session, first
):
    call = Call(twilio, UNKNOWN_CO)
    menu = spoken(call.start())
    assert "oprime 0" in menu and "press 0" in menu
    again = call.press(first) if first else call.silence()
    assert_menu_gather(again)
    assert gather_of(again).get("action").startswith("/twilio/voice/language")
    assert "oprime 1" in spoken(again) and "press 2" in spoken(again)
    assert "Perfecto" not in spoken(again) and "Great" not in spoken(again)
    greeted = call.silence()
    words = spoken(greeted)
    assert "Perfecto" not in words and "ayudar" in words
    assert gather_of(greeted).get("action").startswith("/twilio/voice/gather")
    session.expire_all()
    assert session.scalars(select(Interaction)).one().language == "es"


def test_wrong_key_then_english(twilio, session):
    call = Call(twilio, UNKNOWN_US)
    call.start()
    call.press("7")
    root = call.press("2")
    assert "How can I help" in spoken(root) and gather_of(root).get("language") == "en-US"
    session.expire_all()
    assert session.scalars(select(Interaction)).one().language == "en"


@pytest.mark.parametrize("app_settings", [{"default_language": "en"}])
def test_english_default_after_two_silences(twilio, session):
    call = Call(twilio, UNKNOWN_US)
    call.start()
    assert "press 2" in spoken(call.silence())
    words = spoken(call.silence())
    assert "Great" not in words and "help" in words
    session.expire_all()
    assert session.scalars(select(Interaction)).one().language == "en"


def test_a_retried_menu_answer_gets_the_same_answer(twilio, session):
    call = Call(twilio, UNKNOWN_CO)
    call.start()
    path = call.next_path
    first = call.press("7")
    call.next_path = path
    assert ET.tostring(call.press("7")) == ET.tostring(first)
    assert spoken(call.press("1")).startswith("Perfecto")


# --- 5. Hand-off wording --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "unavailable"),
    [("es", "ningún asesor"), ("en", "no agent")],
)
@pytest.mark.parametrize(
    ("path", "form"),
    [
        ("/twilio/voice/queue-result", {"QueueResult": "queue-full", "QueueTime": "3"}),
        ("/twilio/voice/queue-result", {"QueueResult": "error", "QueueTime": "3"}),
        ("/twilio/voice/dial-result", {"DialCallStatus": "no-answer"}),
        ("/twilio/voice/dial-result", {"DialCallStatus": "busy"}),
    ],
)
def test_voicemail_after_a_failed_hand_off_says_nobody_is_available(
    twilio, language, unavailable, path, form
):
    call = Call(twilio, UNKNOWN_CO)
    root = call.post(f"{path}?lang={language}", **form)
    assert unavailable in spoken(root) and root.find("Record") is not None


@pytest.mark.parametrize(
    ("language", "words", "leave"),
    [("es", "Deja tu mensaje", "ningún"), ("en", "Leave", "no agent")],
)
def test_voicemail_the_caller_chose_does_not_say_nobody_is_available(
    twilio, language, words, leave
):
    root = Call(twilio, UNKNOWN_CO).post(
        f"/twilio/voice/queue-result?lang={language}", QueueResult="leave", QueueTime="200"
    )
    assert words in spoken(root) and leave not in spoken(root)


@pytest.mark.parametrize("app_settings", [{"voice_max_queue_wait_seconds": 60}])
@pytest.mark.parametrize(
    ("language", "next_words", "promise"),
    [("es", "siguiente en la fila", "enseguida"), ("en", "next in line", "in a moment")],
)
def test_next_in_line_after_a_long_wait_promises_nothing_it_cannot_keep(
    twilio, language, next_words, promise
):
    call = Call(twilio, UNKNOWN_CO)
    form = {"QueuePosition": "1", "QueueTime": "90", "AvgQueueTime": "30"}
    words = spoken(call.post(f"/twilio/voice/queue-wait?lang={language}", **form))
    assert next_words in words and promise not in words and "1" in words
    short = spoken(call.post(f"/twilio/voice/queue-wait?lang={language}", QueuePosition="1"))
    assert next_words in short and promise in short


# --- Units: voices, locales, spoken amounts and percentages ---------------------------------------


@pytest.mark.parametrize(
    ("name", "locale"),
    [
        ("Polly.Lupe", "es-US"),
        ("Polly.Lupe-Neural", "es-US"),
        ("Polly.Mia", "es-MX"),
        ("Polly.Andrés-Neural", "es-MX"),
        ("Google.es-US-Standard-A", "es-US"),
        ("woman", "es-CO"),  # a voice not listed here speaks the locale setting
    ],
)
def test_say_voice_speaks_its_own_locale(name, locale):
    voice = say_voice(Settings(voice_name_es=name), "es")
    assert (voice.name, voice.locale) == (name, locale)


@pytest.mark.parametrize(
    ("language", "market", "locale"),
    [
        ("es", "mx", "es-MX"),
        ("es", "co", "es-CO"),
        ("es", "us", "es-US"),
        ("en", "us", "en-US"),
        ("es", None, "es-PE"),
        ("en", "co", "en-GB"),
    ],
)
def test_recognition_follows_the_market_else_the_setting(language, market, locale):
    settings = Settings(voice_locale_es="es-PE", voice_locale_en="en-GB")
    assert recognition_locale(settings, language, market) == locale


@pytest.mark.parametrize(
    ("amount", "currency", "language", "said", "written"),
    [
        ("106981", "COP", "es", "106981 pesos", "106.981 pesos"),
        ("1227284", "COP", "es", "1227284 pesos", "1.227.284 pesos"),
        ("58.85", "USD", "es", "58 dólares con 85 centavos", "58,85 dólares"),
        ("1.00", "USD", "es", "1 dólar", "1,00 dólares"),
        ("0.50", "USD", "en", "50 cents", "0.50 dollars"),
        ("1227.28", "USD", "en", "1,227 dollars and 28 cents", "1,227.28 dollars"),
        ("106981", "COP", "en", "106,981 Colombian pesos", "106,981 Colombian pesos"),
        ("250000", "MXN", "es", "250000 pesos mexicanos", "250.000 pesos mexicanos"),
    ],
)
def test_money_is_spoken_on_the_phone_and_written_elsewhere(
    amount, currency, language, said, written
):
    assert format_money(Decimal(amount), currency, language, "voice") == said
    assert format_money(Decimal(amount), currency, language) == written


@pytest.mark.parametrize(
    ("text", "language", "said"),
    [
        ("descuento del 7,5 %", "es", "descuento del 7 coma 5 por ciento"),
        ("un 35 % de descuento", "es", "un 35 por ciento de descuento"),
        ("(17.5 % off)", "en", "(17 point 5 percent off)"),
        ("35 % off", "en", "35 percent off"),
    ],
)
def test_percentages_are_said_in_words(text, language, said):
    assert prompts.speakable(text, language) == said
