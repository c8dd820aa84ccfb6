"""Console steps that name a knowledge-base article show its title, in the page's language."""

from __future__ import annotations

import pytest

from contactpro.console import wording
from contactpro.console.strings import translate
from devtools.conversations import SmsThread
from tests.webhooks.console.conftest import add_customer, login
from tests.webhooks.console.test_agent_fixes import ASK_AGENT, escalation_of

QUESTION = {
    "es": "cuánto cuesta el roaming internacional para usar mi celular en el exterior",
    "en": "how much is international roaming to use my phone abroad",
}
TITLE = {
    "es": "Roaming internacional: tu celular en el exterior",
    "en": "International roaming: your phone abroad",
}
SLUG = {"es": "roaming", "en": "international-roaming"}


@pytest.mark.parametrize("language", ["es", "en"])
def test_an_answered_article_is_named_by_its_title(client, session, twilio, users, language):
    number = {"es": "+573001110201", "en": "+573001110202"}[language]
    add_customer(session, number, "Camila Rojas")
    thread = SmsThread(twilio, number)
    assert TITLE[language] in thread.send(QUESTION[language])
    thread.send(ASK_AGENT[language])
    esc = escalation_of(session, number)
    assert f"answered_{SLUG[language]}" in esc.context["steps_tried"]
    login(client, "ana@example.com")
    page = client.get(f"/console/escalations/{esc.id}?lang={language}").text
    said = "respondió con el artículo «" if language == "es" else "answered with the article “"
    assert said + TITLE[language] in page
    assert said + SLUG[language] not in page and f"answered_{SLUG[language]}" not in page


def test_a_step_names_the_article_title_and_falls_back_when_it_is_gone():
    def es(key: str) -> str:
        return translate(key, "es")

    titles = {"roaming": TITLE["es"]}.get
    assert wording.step(es, "answered_roaming", "es", titles) == (
        f"respondió con el artículo «{TITLE['es']}»"
    )
    # An article since removed keeps its file name rather than nothing.
    assert wording.step(es, "answered_old-page", "es", titles) == (
        "respondió con el artículo «old-page»"
    )
