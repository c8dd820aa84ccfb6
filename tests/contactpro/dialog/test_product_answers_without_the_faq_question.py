"""An article paragraph written as a FAQ ("¿Funciona el celular en Europa...? Sí: ...") answers
with its answer, never by asking the customer its own question back; by text and by call."""

from __future__ import annotations

import pytest

from contactpro.nlu.text import normalise
from tests.contactpro.dialog.conftest import ENGLISH, SPANISH

ASKED = {"es": "mi celular funciona en europa?", "en": "does my phone work in europe?"}
ANSWER = {
    "es": "Sí: tu celular funciona en el exterior con el roaming activado",
    "en": "Yes: your phone works abroad once roaming is on",
}
ECHO = {"es": "Funciona el celular en Europa", "en": "Does my phone work in Europe"}


@pytest.mark.parametrize("language", ["es", "en"])
@pytest.mark.parametrize("channel", ["sms", "call"])
def test_a_faq_paragraph_answers_without_its_question(
    sms, call, customer_factory, language, channel
):
    if language == "es":
        customer_factory()
        phone = SPANISH
    else:
        customer_factory(phone=ENGLISH, language="en", currency="USD", name="Grace Miller")
        phone = ENGLISH
    if channel == "sms":
        reply = sms(phone).send(ASKED[language])
    else:
        line = call(phone)
        line.start()
        reply, _ = line.say(ASKED[language])
    assert normalise(ANSWER[language]) in normalise(reply), reply
    assert normalise(ECHO[language]) not in normalise(reply), reply
