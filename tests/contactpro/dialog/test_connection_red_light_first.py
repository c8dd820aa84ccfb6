"""A red light said in the first message ("el módem tiene la luz roja", "the modem light is
red") starts the guide at the fibre's step, as a red light said during the guide does; when the
guide ends, the customer hears how many steps were really asked, never the ones skipped."""

from __future__ import annotations

import pytest

from contactpro.nlu.text import normalise
from tests.contactpro.dialog.conftest import escalations, latest_state
from tests.contactpro.dialog.test_connection_visit_asked import _texter

FIBRE = {
    "es": "Mira las luces del módem: si la luz de internet o LOS está roja",
    "en": "Look at the modem lights: if the internet or LOS light is red",
}
RESTART = {"es": "Apaga tu módem o router", "en": "Turn your modem or router off"}
LEAD = {"es": "Con la luz roja, empecemos por la fibra.", "en": "With a red light, let's start"}
BY_CABLE = {"es": "Conecta un computador al módem", "en": "Connect a computer to the modem"}
FAILED = {"es": "Ya probamos 2 pasos", "en": "We've tried 2 steps"}
STILL = {"es": "sigue igual", "en": "still the same"}


def _has(words: str, reply: str) -> bool:
    """An SMS spells some accents plainly: compare as the rules read."""
    return normalise(words) in normalise(reply)


@pytest.mark.parametrize(
    ("language", "said"),
    [
        ("es", "no tengo internet y el módem tiene la luz roja"),
        ("es", "el internet no funciona, la luz LOS está en rojo"),
        ("en", "my internet is down and the modem light is red"),
        ("en", "no internet, the LOS light is red"),
    ],
)
def test_a_red_light_in_the_request_starts_at_the_fibre(
    sms, customer_factory, session, language, said
):
    thread = _texter(sms, customer_factory, language)
    reply = thread.send(said)
    assert _has(LEAD[language], reply) and _has(FIBRE[language], reply), reply
    assert not _has(RESTART[language], reply), reply
    reply = thread.send(STILL[language])
    assert _has(BY_CABLE[language], reply), reply
    reply = thread.send(STILL[language])
    assert _has(FAILED[language], reply), reply
    [escalation] = escalations(session)
    assert escalation.reason == "troubleshooting_failed"


@pytest.mark.parametrize(
    ("language", "said"),
    [
        ("es", "no tengo internet, la luz no está roja"),
        ("en", "no internet and the light isn't red"),
    ],
)
def test_a_light_said_not_red_starts_at_the_restart(sms, customer_factory, session, language, said):
    thread = _texter(sms, customer_factory, language)
    reply = thread.send(said)
    assert _has(RESTART[language], reply) and not _has(LEAD[language], reply), reply
    assert latest_state(session)["awaiting"] == "step_result"
