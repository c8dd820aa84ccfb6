"""The language the bot answers in: the one the customer writes or speaks in.

A conversation starts in the customer's stored preference (a call: the language menu's choice).
A message that clearly says its language (:attr:`Understanding.language_clear`) switches the
conversation to it; a short or ambiguous one ("ok", "si", digits, a name) keeps the current
language. A clear switch also becomes the customer's stored preference when the conversation is
theirs: written from their own number, or verified.
"""

from __future__ import annotations

import logging

from sqlalchemy.orm import Session

from contactpro.dialog.context import DialogState
from contactpro.models import Customer, Interaction
from contactpro.nlu.language import detect_language
from contactpro.nlu.result import Understanding
from contactpro.phone import to_e164

log = logging.getLogger(__name__)


def answer_language(interaction: Interaction, understood: Understanding) -> str:
    """Return the language to answer a turn in: the message's when it is clear, else the
    conversation's (the message's best guess when the conversation has none yet)."""
    if understood.language_clear or interaction.language is None:
        return understood.language
    return interaction.language


def follow_caption(interaction: Interaction, caption: str, default: str) -> str:
    """Set the conversation's language from the words sent with a photo or a document (read
    without the cascade) when they say it clearly, or when the conversation has none yet;
    return the language to answer in."""
    if caption.strip():
        guess = detect_language(caption, hint=interaction.language, default=default)
        if guess.clear or interaction.language is None:
            interaction.language = guess.language
    return interaction.language or default


def follow_customer(
    session: Session, interaction: Interaction, state: DialogState, understood: Understanding
) -> str:
    """Set the conversation's language after a customer turn, update the owner's preference on
    a clear switch, and return the language to answer in."""
    language = answer_language(interaction, understood)
    if interaction.language != language:  # an unchanged value would still cost a flush
        interaction.language = language
    if understood.language_clear:
        owner = _owner(session, interaction, state)
        if owner is not None and owner.preferred_language != language:
            owner.preferred_language = language
            log.info(
                "preferred language follows the customer",
                extra={
                    "interaction_id": interaction.id,
                    "customer_id": owner.id,
                    "language": language,
                },
            )
    return language


def _owner(session: Session, interaction: Interaction, state: DialogState) -> Customer | None:
    """Return the customer this conversation speaks for: the owner of the number it comes from,
    or the customer who passed verification in it."""
    customer_id = state.customer_id or interaction.customer_id
    customer = session.get(Customer, customer_id) if customer_id is not None else None
    if customer is None:
        return None
    if state.verified or customer.phone == to_e164(interaction.from_number):
        return customer
    return None
