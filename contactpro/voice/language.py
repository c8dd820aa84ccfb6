"""The language menu for callers the bot does not know: keys or a spoken language name."""

from __future__ import annotations

import re
import unicodedata

from sqlalchemy.orm import Session

from contactpro.config import LANGUAGES, Settings
from contactpro.conversations import interactions
from contactpro.conversations.escalation import escalate
from contactpro.conversations.turn_service import BotReply
from contactpro.dialog.engine import CONTINUE, ESCALATE
from contactpro.models import Interaction
from contactpro.voice import prompts

AGENT = "agent"
KEYS = {"1": "es", "2": "en", "0": AGENT}
WORDS = {
    "es": ("espanol", "castellano", "spanish"),
    "en": ("english", "ingles", "inglis"),
    AGENT: ("asesor", "agente", "agent", "operador", "operator", "persona", "person"),
}


def _words(text: str) -> set[str]:
    text = unicodedata.normalize("NFKD", text.lower())
    return set(re.findall(r"[a-z]+", "".join(c for c in text if not unicodedata.combining(c))))


def choice_key(interaction: Interaction) -> str:
    """Return the Twilio request key of a call's language choice."""
    return f"{interaction.twilio_sid}:language"


def needs_choice(session: Session, settings: Settings, interaction: Interaction) -> bool:
    """Return True when the caller should pick a language before the bot greets them."""
    return (
        settings.voice_language_menu
        and interaction.customer is None
        and interactions.find_turn(session, choice_key(interaction)) is None
    )


def parse_choice(digits: str | None, speech: str | None) -> str | None:
    """Return ``es``, ``en`` or ``agent`` from a key or a spoken word; None when unclear."""
    if digits:
        return KEYS.get(digits.strip()[:1])
    words = _words(speech or "")
    for choice, names in WORDS.items():
        if words & set(names):
            return choice
    return None


def choose(
    session: Session,
    settings: Settings,
    interaction: Interaction,
    *,
    twilio_key: str,
    digits: str | None,
    speech: str | None,
) -> BotReply:
    """Store the caller's language choice and greet them in it (a retry gets the same answer).

    Silence or an unclear answer keeps the default language rather than asking again; 0 or
    asking for a person hands over.
    """
    stored = interactions.find_turn(session, twilio_key)
    replayed = stored is not None
    if stored is None:
        choice = parse_choice(digits, speech)
        language = choice if choice in LANGUAGES else settings.default_language
        interaction.language = language
        if choice == AGENT:
            interaction.state = {**(interaction.state or {}), "escalated": True}
            escalate(session, settings, interaction, "agent_request")
            text, action = prompts.say("connecting", language), ESCALATE
        else:
            text, action = prompts.say("how_can_i_help", language), CONTINUE
        stored = interactions.add_turn(
            session,
            interaction,
            speaker="caller",
            text=digits or speech or "",
            source="dtmf" if digits else "speech" if speech else "system",
            intent="agent_request" if choice == AGENT else None,
            entities={"language_choice": choice or "none"},
            reply=text,
            action=action,
            twilio_key=twilio_key,
        )
    return BotReply(
        text=stored.reply or "",
        action=stored.action or CONTINUE,
        language=interaction.language or settings.default_language,
        interaction_id=interaction.id,
        turn_id=stored.id,
        sequence=stored.sequence,
        replayed=replayed,
    )
