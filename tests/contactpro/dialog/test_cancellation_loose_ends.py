"""A cancellation's loose ends, as customers leave it, by text and on a call: a customer who stops
answering or hangs up at the retention offer or the confirmation leaves the request recorded
abandoned (account and offer) on the managers' list; a conversation handed to a person by the
turn limit or a yes heard unclearly twice records it escalated; an escalated request's offer is
worded handed over, never refused.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from contactpro.models import CancellationRequest, Interaction
from tasks.interactions import close_interaction
from tests.conftest import wait_for
from tests.contactpro.dialog.conftest import (
    SPANISH,
    agent_views,
    all_rows,
    escalations,
    gathered,
    latest_interaction,
)
from tests.contactpro.dialog.test_cancellation_handed_over import (
    CANCELLED_WORDS,
    CONFIRM,
    OPENING,
    PAGE,
    PHONES,
    REFUSED,
    _customer,
)
from tests.webhooks.console.conftest import add_users, login

SPOKEN_DIGITS = {"es": "cuatro cero cinco cero", "en": "four zero five zero"}


def _one_request(session, customer, offer: str | None, outcome: str) -> CancellationRequest:
    """Assert the one request is on the customer's account with ``offer`` and ``outcome``."""
    [row] = all_rows(session, CancellationRequest)
    assert (row.account_id, row.offer, row.outcome) == (customer.accounts[0].id, offer, outcome)
    return row


def _close_inactive(app, session) -> Interaction:
    """Close the latest conversation as the inactivity sweep does."""
    interaction = latest_interaction(session)
    with app.app_context():
        assert close_interaction.run(interaction.id, "inactive") == "abandoned"
    session.expire_all()
    return session.get(Interaction, interaction.id)


def _page(app, session, language: str, query: str = "") -> str:
    """Return the managers' requests table in ``language``."""
    add_users(session)
    manager = app.test_client()
    login(manager, "max@example.com")
    page = manager.get(f"{PAGE}?lang={language}{query}").text
    return page.split('<table id="requests">', 1)[-1]


# --- 1. left at the offer or the confirmation --------------------------------------------------


@pytest.mark.parametrize("language", ["es", "en"])
def test_silence_at_the_offer_by_sms_records_the_request_abandoned(
    app, sms, customer_factory, session, language
):
    customer = _customer(customer_factory, session, language, "retain")
    thread = sms(PHONES[language])
    thread.send(OPENING[language])
    assert "35 %" in thread.send("4050")
    assert all_rows(session, CancellationRequest) == []
    closed = _close_inactive(app, session)
    row = _one_request(session, customer, "discount_35_3m", "abandoned")
    assert row.interaction_id == closed.id and escalations(session) == []
    table = _page(app, session, language)
    assert {"es": "abandonado sin responder", "en": "abandoned without answering"}[
        language
    ] in table, table
    assert {"es": "rechazada", "en": "refused"}[language] not in table, table
    if language == "es":
        assert "abandoned" not in table, table
    # Closing again writes nothing more.
    with app.app_context():
        close_interaction.run(closed.id, "inactive")
    assert len(all_rows(session, CancellationRequest)) == 1


@pytest.mark.parametrize("language", ["es", "en"])
def test_silence_at_the_confirmation_by_sms_records_the_request_abandoned(
    app, sms, customer_factory, session, language
):
    customer = _customer(customer_factory, session, language, "care")
    thread = sms(PHONES[language])
    thread.send_all(OPENING[language], "4050")
    assert CONFIRM[language] in thread.send(REFUSED[language])
    _close_inactive(app, session)
    _one_request(session, customer, "loyalty_double_speed", "abandoned")


@pytest.mark.parametrize("language", ["es", "en"])
def test_hanging_up_at_the_offer_records_the_request_abandoned(
    app, call, customer_factory, session, language
):
    customer = _customer(customer_factory, session, language, "care")
    line = call(PHONES[language])
    line.start()
    line.say(OPENING[language])
    line.say(SPOKEN_DIGITS[language])
    line.hang_up()
    # On PostgreSQL a worker process closes the call: wait for the request it records.
    wait_for(lambda: all_rows(session, CancellationRequest))
    _one_request(session, customer, "loyalty_double_speed", "abandoned")
    session.expire_all()
    interaction = session.scalars(select(Interaction)).one()
    assert interaction.status == "closed" and interaction.outcome == "abandoned"


def test_a_conversation_closed_after_the_request_was_recorded_keeps_its_outcome(
    app, sms, customer_factory, session
):
    customer = _customer(customer_factory, session, "es", "care")
    thread = sms(SPANISH)
    thread.send_all(OPENING["es"], "4050", REFUSED["es"])
    assert CANCELLED_WORDS["es"] in thread.send("sí")
    interaction = latest_interaction(session)
    with app.app_context():
        close_interaction.run(interaction.id, "inactive")
    _one_request(session, customer, "loyalty_double_speed", "cancelled")


def test_a_conversation_left_outside_a_cancellation_records_none(
    app, sms, customer_factory, session
):
    _customer(customer_factory, session, "es", "care")
    sms(SPANISH).send("hola")
    _close_inactive(app, session)
    assert all_rows(session, CancellationRequest) == []


# --- 2. handed to a person by the turn limit or an unclear yes ---------------------------------


@pytest.fixture
def three_turns(app_config):
    """At most three caller turns before a person takes over (set before the app is built)."""
    app_config["max_dialog_turns"] = 3


@pytest.mark.parametrize("language", ["es", "en"])
def test_the_turn_limit_at_the_offer_records_the_request_escalated(
    three_turns, app, sms, customer_factory, session, language
):
    customer = _customer(customer_factory, session, language, "care")
    thread = sms(PHONES[language])
    thread.send_all(OPENING[language], "4050")
    thread.send({"es": "¿eso me baja la factura?", "en": "does that lower my bill?"}[language])
    reply = thread.send({"es": "¿y cuánto dura?", "en": "and how long does it last?"}[language])
    assert CANCELLED_WORDS[language] not in reply, reply
    [escalation] = escalations(session)
    assert escalation.reason == "turn_limit"
    row = _one_request(session, customer, "loyalty_double_speed", "escalated")
    assert row.interaction_id == escalation.interaction_id


@pytest.mark.parametrize("language", ["es", "en"])
def test_a_yes_heard_unclearly_twice_at_the_offer_records_the_request_escalated(
    app, call, customer_factory, session, language
):
    customer = _customer(customer_factory, session, language, "care")
    line = call(PHONES[language])
    line.start()
    line.say(OPENING[language])
    line.say(SPOKEN_DIGITS[language])
    yes = {"es": "sí", "en": "yes"}[language]
    line._post(SpeechResult=yes, Confidence="0.1")
    line._post(SpeechResult=yes, Confidence="0.2")
    [escalation] = escalations(session)
    assert escalation.reason == "not_understood"
    _one_request(session, customer, "loyalty_double_speed", "escalated")


@pytest.mark.parametrize("language", ["es", "en"])
def test_a_caller_silent_at_the_offer_is_handed_over_with_the_request_recorded(
    app, call, customer_factory, session, language
):
    """Silent at the offer until a person takes the call: the request is on the managers' list
    as escalated, with the account and the offer, and the person is told of it."""
    customer = _customer(customer_factory, session, language, "care")
    line = call(PHONES[language])
    line.start()
    line.say(OPENING[language])
    line.say(SPOKEN_DIGITS[language])
    verbs = [line.say("")[1] for _ in range(3)]
    assert verbs[-1] == "Enqueue"
    [escalation] = escalations(session)
    assert escalation.reason == "no_input"
    row = _one_request(session, customer, "loyalty_double_speed", "escalated")
    assert row.interaction_id == escalation.interaction_id
    assert escalation.context["details"]["cancellation"]["offer"] == "loyalty_double_speed"


# --- 5. "no gracias, el internet funciona bien" at a mobile line's offer ------------------------

MOBILE = {"es": "Móvil 20 GB", "en": "Mobile 20 GB"}
WORKS_FINE = {
    "es": "no gracias, el internet funciona bien",
    "en": "no thanks, the internet works fine",
}
TROUBLESHOOTING = {"es": ("módem", "router", "Ya funciona"), "en": ("modem", "router", "working")}


def _mobile_customer(customer_factory, session, language: str):
    """The customer of ``language`` whose one account is a mobile line, in *care*."""
    customer = _customer(customer_factory, session, language, "care")
    customer.accounts[0].plan = MOBILE[language]
    session.commit()
    return customer


@pytest.mark.parametrize("language", ["es", "en"])
def test_the_internet_working_fine_at_a_mobile_offer_refuses_it_by_sms(
    sms, customer_factory, session, language
):
    customer = _mobile_customer(customer_factory, session, language)
    thread = sms(PHONES[language])
    thread.send_all(OPENING[language], "4050")
    reply = thread.send(WORKS_FINE[language])
    assert CONFIRM[language] in reply, reply
    for words in TROUBLESHOOTING[language]:
        assert words not in reply, reply
    assert CANCELLED_WORDS[language] in thread.send({"es": "sí", "en": "yes"}[language])
    _one_request(session, customer, "loyalty_double_data", "cancelled")
    assert escalations(session) == []


def test_the_internet_working_fine_at_a_mobile_offer_refuses_it_on_a_call(
    call, customer_factory, session
):
    _mobile_customer(customer_factory, session, "es")
    line = call(SPANISH)
    line.start()
    line.say(OPENING["es"])
    line.say(SPOKEN_DIGITS["es"])
    said, verb = line.say(WORKS_FINE["es"])
    assert verb == "Gather" and "cancelar el servicio" in said, said
    assert "módem" not in said and "router" not in said, said


# --- 6. whose service, staying, "la baja" -------------------------------------------------------

SOMEONE_ELSES = {
    "es": "quiero cancelar el servicio de mi mamá",
    "en": "I want to cancel my mom's service",
}
NOT_HOLDER_WORDS = {
    "es": "solo los manejo con el titular",
    "en": "handled only with the holder",
}


@pytest.mark.parametrize("language", ["es", "en"])
def test_cancelling_a_relatives_service_is_told_as_not_the_holder(
    sms, customer_factory, session, language
):
    _customer(customer_factory, session, language, "care")
    reply = sms(PHONES[language]).send(SOMEONE_ELSES[language])
    assert NOT_HOLDER_WORDS[language] in reply, reply
    state = latest_interaction(session).state
    assert state["handoff"].get("not_holder") is True
    assert (state["awaiting"], state["pending_intent"]) == ("verify", "cancellation")
    assert all_rows(session, CancellationRequest) == []


@pytest.mark.parametrize("quadrant", ["care", "let_go"])
def test_me_quedo_alone_at_the_confirmation_keeps_the_service(
    sms, customer_factory, session, quadrant
):
    customer = _customer(customer_factory, session, "es", quadrant)
    thread = sms(SPANISH)
    thread.send_all(OPENING["es"], "4050")
    if quadrant == "care":
        assert CONFIRM["es"] in thread.send(REFUSED["es"])
    reply = thread.send("me quedo")
    assert CANCELLED_WORDS["es"] not in reply and "No te entend" not in reply, reply
    assert "Gracias por quedarte" in reply or "sigue activo" in reply, reply
    _one_request(
        session,
        customer,
        "loyalty_double_speed" if quadrant == "care" else None,
        "retained",
    )


def test_me_quedo_alone_at_the_offer_on_a_call_keeps_the_service(call, customer_factory, session):
    customer = _customer(customer_factory, session, "es", "care")
    line = call(SPANISH)
    line.start()
    line.say(OPENING["es"])
    line.say(SPOKEN_DIGITS["es"])
    said, _ = line.say("me quedo")
    assert "Gracias por quedarte" in said, said
    _one_request(session, customer, "loyalty_double_speed", "retained")


def test_la_baja_at_the_offer_is_leaving_never_a_yes(sms, customer_factory, session):
    customer = _customer(customer_factory, session, "es", "care")
    thread = sms(SPANISH)
    thread.send_all(OPENING["es"], "4050")
    reply = thread.send("baja")
    assert CONFIRM["es"] in reply and "Gracias por quedarte" not in reply, reply
    assert all_rows(session, CancellationRequest) == []
    assert CANCELLED_WORDS["es"] in thread.send("quiero la baja")
    _one_request(session, customer, "loyalty_double_speed", "cancelled")


# --- 3. an escalated request's offer is with a person, not refused ------------------------------


@pytest.mark.parametrize("language", ["es", "en"])
def test_a_request_handed_over_at_the_offer_is_worded_with_a_person(
    app, sms, customer_factory, session, language
):
    customer = _customer(customer_factory, session, language, "care")
    thread = sms(PHONES[language])
    thread.send_all(OPENING[language], "4050")
    thread.send(
        {"es": "no, quiero hablar con un asesor", "en": "no, I want to talk to an agent"}[language]
    )
    _one_request(session, customer, "loyalty_double_speed", "escalated")
    table = _page(app, session, language)
    with_person = {"es": "(pendiente con un asesor)", "en": "(pending with an agent)"}
    assert with_person[language] in table, table
    assert {"es": "rechazada", "en": "refused"}[language] not in table, table
    # The agent taking it reads the offer was not taken, never that it was refused.
    [escalation] = escalations(session)
    spanish, english, _ = agent_views(app, session, escalation.id)
    assert "no aceptó la oferta para quedarse" in gathered(spanish)
    assert "rechaz" not in gathered(spanish)
    assert "did not take the offer to stay" in gathered(english)
    assert "refused" not in gathered(english)


# --- 4. a reason for leaving at the offer -------------------------------------------------------

REASONS = [
    ("es", "me voy a mudar", "que te vas a mudar"),
    ("es", "me voy del país", "que te vas del país"),
    ("en", "I'm moving", "you're moving"),
]
STAY_QUESTION = {"es": "¿Te quedas con nosotros?", "en": "Will you stay with us?"}
NOT_UNDERSTOOD = {"es": "No te entendí", "en": "didn't quite get"}


@pytest.mark.parametrize(("language", "reason", "heard"), REASONS)
def test_a_reason_for_leaving_at_the_offer_is_heard_and_the_offer_asked_again(
    sms, customer_factory, session, language, reason, heard
):
    customer = _customer(customer_factory, session, language, "care")
    thread = sms(PHONES[language])
    thread.send_all(OPENING[language], "4050")
    reply = thread.send(reason)
    assert heard in reply and STAY_QUESTION[language] in reply, reply
    assert NOT_UNDERSTOOD[language] not in reply, reply
    # An unclear answer after it is asked about once more, never handed over at once.
    again = thread.send("mmm")
    assert escalations(session) == [], again
    assert CONFIRM[language] in thread.send({"es": "no", "en": "no"}[language])
    assert CANCELLED_WORDS[language] in thread.send({"es": "sí", "en": "yes"}[language])
    _one_request(session, customer, "loyalty_double_speed", "cancelled")


def test_a_reason_for_leaving_on_a_call_is_heard(call, customer_factory, session):
    _customer(customer_factory, session, "es", "care")
    line = call(SPANISH)
    line.start()
    line.say(OPENING["es"])
    line.say(SPOKEN_DIGITS["es"])
    said, verb = line.say("me voy a mudar")
    assert verb == "Gather" and "que te vas a mudar" in said, said
    assert escalations(session) == []


# --- 7. what cancelling costs -------------------------------------------------------------------

FEE_QUESTION = {"es": "¿cuánto me cobran por cancelar?", "en": "is there a cancellation fee?"}
FEE_ANSWER = {
    "es": "no hay cargo ni multa por cancel",
    "en": "there is no fee or penalty for cancelling",
}


@pytest.mark.parametrize("language", ["es", "en"])
def test_a_cancellation_fee_asked_at_the_offer_is_answered_from_the_article(
    sms, customer_factory, session, language
):
    _customer(customer_factory, session, language, "care")
    thread = sms(PHONES[language])
    thread.send_all(OPENING[language], "4050")
    reply = thread.send(FEE_QUESTION[language])
    assert FEE_ANSWER[language] in reply and STAY_QUESTION[language] in reply, reply
    assert {"es": "devolverlos", "en": "returned"}[language] in reply, reply
    state = latest_interaction(session).state
    assert (state["flow"], state["awaiting"]) == ("cancellation", "retention")
    assert all_rows(session, CancellationRequest) == [] and escalations(session) == []


@pytest.mark.parametrize("language", ["es", "en"])
def test_a_cancellation_fee_asked_first_is_answered_and_cancels_nothing(
    sms, customer_factory, session, language
):
    _customer(customer_factory, session, language, "care")
    reply = sms(PHONES[language]).send(FEE_QUESTION[language])
    assert FEE_ANSWER[language] in reply, reply
    assert all_rows(session, CancellationRequest) == [] and escalations(session) == []
