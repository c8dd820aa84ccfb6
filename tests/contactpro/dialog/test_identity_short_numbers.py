"""A short number inside a request, at an identity question, is no wrong answer.

"hola, cuánto debo 2" while the bot waits for the last four digits of the id does not spend an
attempt nor read "Ese dato no coincide"; a bare wrong number still does.
"""

from __future__ import annotations

import pytest

from tests.contactpro.dialog.conftest import ENGLISH, SPANISH, latest_state

ASK = {"es": "cuánto debo", "en": "how much do I owe"}
ASKED = {"es": "últimos cuatro dígitos", "en": "last four digits"}
WRONG = {"es": "no coincide", "en": "doesn't match"}
REQUESTS = {
    "es": ["hola, cuánto debo 2", "cuanto debo x 2", "hola cuánto debo dos"],
    "en": ["hi, how much do I owe 2", "how much do i owe for 2", "hi how much do i owe two"],
}


@pytest.mark.parametrize(
    ("language", "text"), [(lang, text) for lang, texts in REQUESTS.items() for text in texts]
)
def test_short_number_inside_a_request_is_not_an_id_attempt(sms, request, session, language, text):
    request.getfixturevalue("debtor" if language == "es" else "english_debtor")
    thread = sms(SPANISH if language == "es" else ENGLISH)
    assert ASKED[language] in thread.send(ASK[language])
    answer = thread.send(text)
    assert WRONG[language] not in answer
    assert ASKED[language] in answer
    assert latest_state(session)["verify_attempts"] == 0


@pytest.mark.parametrize("language", ["es", "en"])
def test_bare_wrong_digits_are_still_a_failed_attempt(sms, request, session, language):
    request.getfixturevalue("debtor" if language == "es" else "english_debtor")
    thread = sms(SPANISH if language == "es" else ENGLISH)
    assert ASKED[language] in thread.send(ASK[language])
    assert WRONG[language] in thread.send("12")
    assert latest_state(session)["verify_attempts"] == 1
