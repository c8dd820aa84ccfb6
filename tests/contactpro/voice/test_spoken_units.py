"""Units an article writes ("100 Mb", "2 GB", "7-day") reach a caller as words in their
language ("100 megas", "2 gigabytes", "7 day"); a text keeps them as written, with its source."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from contactpro.models import Turn
from contactpro.voice import prompts
from devtools.conversations import PhoneCall, SmsThread

COLOMBIA, USA = "+573001112233", "+13055550123"


@pytest.fixture
def caller(twilio, customer_factory):
    """A known caller of ``language``: Colombian in Spanish, American in English."""

    def place(language: str) -> PhoneCall:
        if language == "es":
            customer_factory(phone=COLOMBIA, language="es")
        else:
            customer_factory(phone=USA, language="en", currency="USD")
        call = PhoneCall(twilio, COLOMBIA if language == "es" else USA)
        call.start()
        return call

    return place


@pytest.mark.parametrize(
    ("language", "question", "said", "written"),
    [
        (
            "es",
            "qué planes de internet tienen?",
            ("100 megas por 89900 pesos", "300 megas", "500 megas"),
            ("100 Mb por 89.900 pesos", "(Fuente: "),
        ),
        (
            "en",
            "what home internet plans do you have?",
            ("200 megabits for 55 dollars", "500 megabits", "1 gigabit for 85 dollars"),
            ("200 Mb for 55 dollars", "1 Gb", "(Source: "),
        ),
        (
            "es",
            "cuánto cuesta el roaming?",
            ("incluye 2 gigas y 100 minutos", "cada mega cuesta 1500 pesos", "de 7 días"),
            ("incluye 2 GB", "cada MB cuesta 1.500 pesos", "(Fuente: "),
        ),
        (
            "en",
            "how much does international roaming cost?",
            ("The 7 day roaming pass", "includes 2 gigabytes", "per 100 megabytes"),
            ("The 7-day roaming pass", "2 GB", "100 MB", "(Source: "),
        ),
    ],
)
def test_a_caller_hears_units_as_words_and_a_texter_reads_them_as_written(
    caller, twilio, session, language, question, said, written
):
    spoken, _ = caller(language).say(question)
    for words in said:
        assert words in spoken, spoken
    for unit in (" Mb", " MB", " GB", " Gb", "7-day", "(Fuente", "(Source"):
        assert unit not in spoken, spoken
    # The stored turn keeps the article's words, as the agent's page reads them.
    stored = session.scalars(select(Turn).where(Turn.speaker == "caller")).all()[-1]
    assert written[0] in (stored.reply or "")

    texted = SmsThread(twilio, COLOMBIA if language == "es" else USA).send(question)
    for words in written:
        assert words in texted, texted
    for words in said:
        assert words not in texted, texted


@pytest.mark.parametrize(
    ("language", "question", "network"),
    [
        ("es", "tienen cobertura 4G?", "cobertura móvil 4G"),
        ("en", "do you have 4G coverage?", "4G mobile coverage"),
    ],
)
def test_a_network_name_is_said_as_written(caller, language, question, network):
    spoken, _ = caller(language).say(question)
    assert network in spoken, spoken


@pytest.mark.parametrize(
    ("text", "language", "said"),
    [
        ("Plan de 300 Mbps con 50 GB/mes", "es", "Plan de 300 megas con 50 gigas por mes"),
        ("1 TB en la nube, 1 Gb de fibra, 5G", "es", "1 terabyte en la nube, 1 giga de fibra, 5G"),
        ("paquete de 1,5 GB por 7 días", "es", "paquete de 1,5 gigas por 7 días"),
        (
            "300 Mbps, 50 GB/month, 4GB and 5G",
            "en",
            "300 megabits per second, 50 gigabytes per month, 4 gigabytes and 5G",
        ),
        ("a 7-day pass at 40 dollars/month", "en", "a 7 day pass at 40 dollars per month"),
        ("24/7, y/o, 2026-05-01, X1-Pro", "es", "24/7, y/o, 2026-05-01, X1-Pro"),
    ],
)
def test_units_are_written_for_text_to_speech(text, language, said):
    assert prompts.speakable(text, language) == said
