"""Console loose ends: the customers page agrees with its CSV, the console's strings are spaced
as written Spanish and English are, and a carried-over packet tells this conversation's steps
from the earlier one's."""

from __future__ import annotations

import csv
import io
import re

import pytest
from sqlalchemy import select

from contactpro.console.strings import console_strings
from contactpro.models import Escalation
from devtools.conversations import PhoneCall, SmsThread
from tests.contactpro.dialog.conftest import ENGLISH, SPANISH, make_overdue
from tests.webhooks.console.conftest import add_customer, add_score, csrf_of, login

# name, quadrant, conformity; created in this order (so in this customer id order)
SCORED = [
    ("Zoe Soltar", "let_go", 10.0),
    ("Ana Vigilar", "monitor", 40.0),
    ("Bea Retener", "retain", 60.0),
    ("Zulema Retener", "retain", 30.0),
    ("Alba Retener", "retain", 30.0),
    ("Carla Retener", "retain", 25.0),
    ("Hugo Cuidar", "care", 42.25),
]
# A double space, or a space before . , : ; ) ? ! (a dot opening a word, as in ".md", is not
# punctuation); fragments that start with a space (" el {day}") are appended to a word.
_STRAY_SPACE = re.compile(r"\s{2,}|\s[,:;)?!]|\s\.(?!\w)")
_ROW = re.compile(
    r"<tr><td><a href=\"[^\"]*\">([^<]+)</a></td>.*?<td class=\"num\">([^<]+)</td>", re.S
)


def _scored(session) -> None:
    for number, (name, quadrant, conformity) in enumerate(SCORED):
        customer = add_customer(session, f"+57300114{number:04d}", name)
        add_score(session, customer.id, quadrant, conformity, "89900", interactions=2)


def _page_rows(client, query: str, lang: str) -> list[tuple[str, str]]:
    page = client.get(f"/console/manager/customers?lang={lang}{query}")
    assert page.status_code == 200
    body = page.text.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return _ROW.findall(body)


def _csv_rows(client, query: str) -> list[dict[str, str]]:
    response = client.get(f"/console/manager/customers.csv?{query.lstrip('&')}")
    assert response.mimetype == "text/csv"
    return list(csv.DictReader(io.StringIO(response.text)))


@pytest.mark.parametrize("lang", ["es", "en"])
@pytest.mark.parametrize("query", ["", "&quadrant=retain"])
def test_the_customers_page_lists_the_csv_rows_in_the_csv_order(
    client, session, users, lang, query
):
    _scored(session)
    login(client, "max@example.com")
    page = _page_rows(client, query, lang)
    exported = _csv_rows(client, query)
    assert [name for name, _ in page] == [row["name"] for row in exported]
    retain = ["Carla Retener", "Zulema Retener", "Alba Retener", "Bea Retener"]
    if query:
        assert [name for name, _ in page] == retain
    else:  # top priority quadrant first, then least conforming, then the older customer
        assert [name for name, _ in page] == [*retain, "Ana Vigilar", "Hugo Cuidar", "Zoe Soltar"]
        shown = dict(page)["Hugo Cuidar"]
        assert shown == ("42,3" if lang == "es" else "42.3")  # as the CSV's 42.3, not 42.2
        assert {row["name"]: row["conformity"] for row in exported}["Hugo Cuidar"] == "42.3"


@pytest.mark.parametrize("language", ["es", "en"])
def test_no_console_string_has_a_double_space_or_a_space_before_punctuation(language):
    strings = {key: texts[language] for key, texts in console_strings().items()}
    assert len(strings) > 500 and strings["done_claimed"].endswith(".")
    stray = {key: text for key, text in strings.items() if _STRAY_SPACE.search(text)}
    assert stray == {}
    assert _STRAY_SPACE.search("Escalamiento tomado .") and _STRAY_SPACE.search("{x} , y")
    assert not _STRAY_SPACE.search("no tiene ningún artículo .md")


@pytest.mark.parametrize(
    ("lang", "said"), [("es", "Sesión cerrada."), ("en", "You are logged out.")]
)
def test_a_flash_message_reads_without_stray_spaces(client, users, lang, said):
    login(client, "ana@example.com")
    client.get(f"/console/queue?lang={lang}")
    page = client.post(
        "/console/logout", data={"csrf_token": csrf_of(client)}, follow_redirects=True
    ).text
    flashes = re.findall(r'<p class="flash [^"]*"[^>]*>([^<]+)</p>', page)
    assert flashes == [said]
    assert not _STRAY_SPACE.search(flashes[0])


# --- a carried-over conversation's packet -----------------------------------------------------


def _carried_over(session, customer_factory, twilio, language: str) -> Escalation:
    """A call left at the payment offers, then a text from the same phone asking for a person."""
    phone = SPANISH if language == "es" else ENGLISH
    if language == "es":
        make_overdue(session, customer_factory(phone=phone, balance="540000"), "450000", 75)
    else:
        customer = customer_factory(
            phone=phone, language="en", currency="USD", balance="300", name="Grace Miller"
        )
        make_overdue(session, customer, "240.00", 200)
    call = PhoneCall(twilio, phone)
    call.start()
    call.say("quiero negociar mi deuda" if language == "es" else "I want to settle my debt")
    call.press("4050")
    call.say("mmm déjeme pensarlo" if language == "es" else "hmm let me see")
    call.hang_up(30)
    SmsThread(twilio, phone).send(
        "quiero hablar con un asesor" if language == "es" else "I want to talk to a real person"
    )
    session.expire_all()
    return session.scalars(select(Escalation)).one()


EARLIER_WORDS = {
    "es": (
        "Pasos que completó el bot: ninguno; en la llamada anterior: pidió verificar la "
        "identidad, identidad verificada, ofreció planes de pago",
        "Pasos que intentó el bot en esta conversación",
        "Pasos de la llamada anterior",
        "Pasos que intentó el bot<",
    ),
    "en": (
        "Steps the bot completed: none; in the earlier call: asked to verify identity, "
        "identity verified, offered payment plans",
        "Steps the bot tried in this conversation",
        "Steps of the earlier call",
        "Steps the bot tried<",
    ),
}


def _summary_section(page: str) -> str:
    return page.split('id="h-summary"', 1)[1].split("</section>", 1)[0]


@pytest.mark.parametrize("language", ["es", "en"])
def test_the_packet_tells_this_conversations_steps_from_the_earlier_ones(
    client, session, twilio, customer_factory, users, language
):
    esc = _carried_over(session, customer_factory, twilio, language)
    [earlier] = esc.context["earlier_steps"]
    assert earlier["channel"] == "voice"
    assert {"asked_verification", "verified", "offered_plans"} <= set(earlier["steps"])
    assert esc.context["steps_tried"][: len(earlier["steps"])] == earlier["steps"]
    assert (
        "Steps the bot completed: none. In the earlier conversation by voice:"
        in (esc.context["summary"])
    )
    login(client, "ana@example.com")
    for lang in ("es", "en"):
        summary, this, before, merged = EARLIER_WORDS[lang]
        page = client.get(f"/console/escalations/{esc.id}?lang={lang}").text
        api = client.get(f"/console/api/escalations/{esc.id}?lang={lang}").get_json()
        assert summary in api["context"]["summary"]
        section = _summary_section(page)
        assert summary in section and this in section and before in section
        assert merged not in section
        steps_this = section.split('id="steps-this">', 1)[1].split("</", 1)[0]
        assert steps_this == ("ninguno" if lang == "es" else "none")
        listed = section.split(before, 1)[1]
        assert ("ofreció planes de pago" if lang == "es" else "offered payment plans") in listed


@pytest.mark.parametrize("lang", ["es", "en"])
def test_a_packet_written_before_the_earlier_steps_were_kept_still_shows(
    client, session, twilio, customer_factory, users, lang
):
    esc = _carried_over(session, customer_factory, twilio, "es")
    esc.context = {k: v for k, v in esc.context.items() if k != "earlier_steps"}
    session.commit()
    summary, this, before, merged = EARLIER_WORDS[lang]
    login(client, "ana@example.com")
    page = client.get(f"/console/escalations/{esc.id}?lang={lang}")
    assert page.status_code == 200
    section = _summary_section(page.text)
    assert merged in section and this not in section and before not in section
    offered = "ofreció planes de pago" if lang == "es" else "offered payment plans"
    assert offered in section.split('id="steps-this">', 1)[1]
    completed = "Pasos que completó el bot: " if lang == "es" else "Steps the bot completed: "
    assert f"{completed}{'pidió verificar' if lang == 'es' else 'asked to verify'}" in section
