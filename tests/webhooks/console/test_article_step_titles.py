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


@pytest.mark.parametrize("sent,page", [("es", "en"), ("en", "es")])
def test_an_article_sent_in_one_language_is_named_by_its_translation_on_the_other(
    client, session, twilio, users, sent, page
):
    number = {"es": "+573001110203", "en": "+573001110204"}[sent]
    add_customer(session, number, "Camila Rojas")
    thread = SmsThread(twilio, number)
    assert TITLE[sent] in thread.send(QUESTION[sent])
    thread.send(ASK_AGENT[sent])
    esc = escalation_of(session, number)
    login(client, "ana@example.com")
    html = client.get(f"/console/escalations/{esc.id}?lang={page}").text
    said = "respondió con el artículo «" if page == "es" else "answered with the article “"
    # The transcript keeps what the customer was sent; the bot's steps are in the page's words.
    assert said + TITLE[page] in html and said + TITLE[sent] not in html
    api = client.get(f"/console/api/escalations/{esc.id}").get_json()
    assert said + TITLE[page] in api["context"]["summary"]
    assert TITLE[sent] not in api["context"]["summary"]
