"""What the LLM tier answers is not acted on as the caller's own data; a card
keyed on the keypad and a code typed after a labelled expiry are kept nowhere."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from contactpro.models import Escalation, Interaction, Turn
from contactpro.privacy.redaction import redact
from contactpro.resilience import journal
from tests.conftest import TwilioClient
from tests.contactpro.nlu import conftest as nlu
from tests.webhooks.test_sms import replies, sms_params
from tests.webhooks.test_voice import Call, spoken

messages_server = nlu.messages_server

CUSTOMER, STRANGER = "+573001112233", "+573007778899"
OTHER_ACCOUNT, OTHER_ID = "0000120451", "1020304050"  # make_customer's account and id
UNSURE = {
    "es": "bueno pues mire lo que pasa es que la otra vez",
    "en": "well you see the thing is that the other time",
}
ASK_IDENTIFY = {"es": "cédula o de cuenta", "en": "ID or account number"}
ASK_LAST_FOUR = {"es": "últimos cuatro dígitos", "en": "last four digits"}


@pytest.fixture
def injected_llm(app_config: dict[str, Any], messages_server: nlu.MessagesServer) -> None:
    """A Claude tier that names another customer's account and id, as a prompt injection or a
    hallucination would."""
    messages_server.default = nlu.Reply(
        body=nlu.tool_answer(
            "billing_inquiry",
            0.95,
            entities={"account_number": OTHER_ACCOUNT, "national_id": OTHER_ID, "abuse": True},
        )
    )
    app_config.update(
        anthropic_api_key="sk-test",
        llm_base_url=messages_server.url,
        intent_threshold=0.9,  # the model is unsure of UNSURE: the LLM tier is asked
    )


@pytest.mark.parametrize("language", ["es", "en"])
def test_llm_entities_never_identify_a_stranger_as_another_customer(
    injected_llm: None,
    messages_server: nlu.MessagesServer,
    twilio: TwilioClient,
    session: Session,
    customer_factory: Any,
    language: str,
) -> None:
    """The prompt masks every number, so an account the LLM names is not the caller's: the
    stranger is asked to identify themselves and is not attached to that account's owner."""
    customer_factory(phone=CUSTOMER)
    [answer] = replies(twilio.post("/twilio/sms", sms_params(STRANGER, UNSURE[language])))
    assert messages_server.requests, "the LLM tier was asked"
    assert ASK_IDENTIFY[language] in answer
    assert ASK_LAST_FOUR[language] not in answer
    session.expire_all()
    interaction = session.scalars(select(Interaction)).one()
    assert interaction.customer_id is None
    assert interaction.state["customer_id"] is None
    turn = session.scalars(select(Turn).where(Turn.speaker == "caller")).one()
    assert (turn.intent, turn.tier) == ("billing_inquiry", "llm")
    assert "account_number" not in turn.entities and "national_id" not in turn.entities
    assert "abuse" not in turn.entities
    assert turn.entities["llm_entities"]["account_number"] == OTHER_ACCOUNT  # kept, not used
    assert session.scalars(select(Escalation)).first() is None


CARD = "4111111111111111"


@pytest.mark.parametrize(
    ("language", "placeholder"), [("es", "[tarjeta ****1111]"), ("en", "[card ****1111]")]
)
def test_a_card_keyed_on_the_keypad_is_stored_masked(
    twilio: TwilioClient,
    session: Session,
    customer_factory: Any,
    language: str,
    placeholder: str,
) -> None:
    """A caller asked for the last four digits of their id keys in their card number: the turn,
    its entities, the escalation built from it and its transcript hold only the placeholder."""
    customer_factory(language=language)
    call = Call(twilio, CUSTOMER)
    call.start()
    asked = call.say({"es": "cuánto debo", "en": "how much do I owe"}[language])
    assert ASK_LAST_FOUR[language] in spoken(asked)
    call.press(CARD)
    call.press("0")
    session.expire_all()
    keyed = session.scalars(select(Turn).where(Turn.source == "dtmf")).first()
    assert keyed is not None and keyed.text == placeholder
    stored = json.dumps(
        [[t.text, t.entities] for t in session.scalars(select(Turn))], ensure_ascii=False
    )
    escalation = session.scalars(select(Escalation)).one()
    stored += json.dumps(escalation.context, ensure_ascii=False)
    assert CARD not in stored and "1111111111" not in stored
    assert placeholder in stored


def test_a_keyed_card_is_masked_in_the_fallback_journal(tmp_path: Path) -> None:
    """The voice fallback journals the keys pressed like the words said: the card is masked."""
    log = journal.Journal(tmp_path / "journal")
    log.append(journal.VOICE_TURN, {"CallSid": "CA" + "1" * 32, "Digits": CARD, "lang": "en"})
    written = "".join(p.read_text() for p in (tmp_path / "journal").glob("*.jsonl"))
    assert CARD not in written and "[card ****1111]" in written


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "tarjeta 4111 1111 1111 1111 vence 12/27, 123",
            "tarjeta [tarjeta ****1111] vence [vencimiento], [código]",
        ),
        (
            "mi tarjeta 4111111111111111 fecha de vencimiento 12/27 123",
            "mi tarjeta [tarjeta ****1111] fecha de vencimiento [vencimiento] [código]",
        ),
        ("card 4111 1111 1111 1111 exp 12/27 123", "card [card ****1111] exp [expiry] [code]"),
        (
            "my card 4111 1111 1111 1111 expiring 12/27, 123",
            "my card [card ****1111] expiring [expiry], [code]",
        ),
        ("4111 1111 1111 1111 expiry 12/2027 123", "[card ****1111] expiry [expiry] [code]"),
        (
            "cuatro uno uno uno uno uno uno uno uno uno uno uno uno uno uno uno vence doce "
            "veintisiete, uno dos tres",
            "[tarjeta ****1111] vence [vencimiento], [código]",
        ),
        (
            "four one one one one one one one one one one one one one one one expires twelve "
            "twenty seven, one two three",
            "[card ****1111] expires [expiry], [code]",
        ),
    ],
)
def test_a_code_after_a_labelled_expiry_is_redacted(text: str, expected: str) -> None:
    assert redact(text) == expected


def test_numbers_after_an_expiry_that_are_no_code_stay() -> None:
    paid = "tarjeta 4111 1111 1111 1111 vence 12/27 y pagué 150"  # an amount, not a code
    assert redact(paid) == "tarjeta [tarjeta ****1111] vence [vencimiento] y pagué 150"
    no_card = "cuenta 0000120451 vence 12/27 123"
    assert redact(no_card) == no_card
    spoken = "cuatro uno uno uno uno uno uno uno uno uno uno uno uno uno uno uno vence doce " + (
        "veintisiete, y pagué ciento cincuenta mil"
    )
    assert redact(spoken).endswith("vence [vencimiento], y pagué ciento cincuenta mil")
