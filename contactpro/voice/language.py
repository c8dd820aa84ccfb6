"""The language menu for callers the bot does not know: keys or a spoken language name.

A caller who answers the menu with their request ("quiero negociar mi deuda") gets the language
it is said in, and the request is then taken as their first turn rather than lost. Silence or
an answer that is no choice (a wrong key) hears the menu once more; then the call goes on in the
default language.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping

from sqlalchemy.orm import Session

from contactpro.config import LANGUAGES, Settings
from contactpro.conversations import interactions
from contactpro.conversations.escalation import escalate
from contactpro.conversations.turn_service import BotReply
from contactpro.dialog.engine import CONTINUE, ESCALATE
from contactpro.models import Interaction
from contactpro.nlu.language import detect_language
from contactpro.voice import prompts

AGENT = "agent"
KEYS = {"1": "es", "2": "en", "0": AGENT}
WORDS = {
    "es": ("espanol", "castellano", "spanish"),
    "en": ("english", "ingles", "inglis"),
    AGENT: ("asesor", "agente", "agent", "operador", "operator", "persona", "person"),
}
# Words that only frame a language choice ("en español por favor", "English please").
_MENU_FILLER = frozenset(
    "en in el la de a por favor please i would like to quiero prefiero hablar speak talk "
    "idioma language opcion option numero number uno dos one two si yes ok okay bueno hola hello "
    "hi buenas buenos dias tardes noches good morning afternoon evening".split()
)
# Content words beyond the menu that make an answer a request worth keeping.
MIN_REQUEST_WORDS = 2
# Times the menu is asked before an unclear answer keeps the default language.
MENU_ATTEMPTS = 2


def _words(text: str) -> set[str]:
    text = unicodedata.normalize("NFKD", text.lower())
    return set(re.findall(r"[a-z]+", "".join(c for c in text if not unicodedata.combining(c))))


def choice_key(interaction: Interaction) -> str:
    """Return the Twilio request key of a call's language choice."""
    return f"{interaction.twilio_sid}:language"


def again_key(interaction: Interaction, attempt: int) -> str:
    """Return the Twilio request key of an unclear answer to the menu's ``attempt``-th asking."""
    return f"{choice_key(interaction)}:again:{attempt}"


def menu_attempt(args: Mapping[str, str]) -> int:
    """Return which asking of the menu a choice answers (``?attempt=`` of its URL; 1 without)."""
    value = args.get("attempt", "1")
    return min(int(value), MENU_ATTEMPTS) if value.isdigit() and int(value) > 0 else 1


def menu_texts(settings: Settings, *, again: bool, unheard: bool = False) -> list[tuple[str, str]]:
    """Return the menu in each language, as (language, text), asked again or for the first time;
    asked again after silence (``unheard``) it says so instead of "I didn't get that"."""
    return [
        (
            language,
            prompts.say(
                "language_menu",
                language,
                company=settings.company_name,
                again=again,
                unheard=unheard,
            ),
        )
        for language in LANGUAGES
    ]


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


def request_key(interaction: Interaction) -> str:
    """Return the Twilio request key of a request said at the language menu."""
    return f"{interaction.twilio_sid}:language:request"


def carries_request(digits: str | None, speech: str | None) -> bool:
    """Return True when the menu answer says more than a language: a request to keep."""
    if digits or not speech or parse_choice(None, speech) == AGENT:
        return False
    names = {name for group in WORDS.values() for name in group}
    rest = _words(speech) - names - _MENU_FILLER
    return len(rest) >= MIN_REQUEST_WORDS


def _spoken_language(settings: Settings, speech: str | None) -> str:
    """Return the language a sentence is said in (the default when it gives no evidence)."""
    return detect_language(speech or "", default=settings.default_language).language


def choose(
    session: Session,
    settings: Settings,
    interaction: Interaction,
    *,
    twilio_key: str,
    digits: str | None,
    speech: str | None,
    attempt: int = 1,
) -> BotReply | None:
    """Store the caller's language choice and greet them in it (a retry gets the same answer).

    Silence or an answer that is no choice returns None (ask the menu again) until the menu was
    asked ``MENU_ATTEMPTS`` times, then keeps the default language; 0 or asking for a person
    hands over. A request said instead of a language picks the language it is said in and
    stores no prompt: the caller's turn (:func:`request_key`) answers it.
    """
    choice = parse_choice(digits, speech)
    carried = carries_request(digits, speech)
    stored = interactions.find_turn(session, twilio_key)
    if stored is None and attempt < MENU_ATTEMPTS:
        unclear = choice is None and not carried
        if interactions.find_turn(session, again_key(interaction, attempt)) is not None:
            return None  # a retry of the answer that had the menu asked again
        if unclear:
            interactions.add_turn(
                session,
                interaction,
                speaker="caller",
                text=digits or speech or "",
                source="dtmf" if digits else "speech" if speech else "system",
                entities={"language_choice": "none", "menu_attempt": attempt},
                reply=" ".join(
                    text
                    for _, text in menu_texts(
                        settings, again=True, unheard=not digits and not speech
                    )
                ),
                action=CONTINUE,
                twilio_key=again_key(interaction, attempt),
            )
            return None
    replayed = stored is not None
    if stored is None:
        if choice in LANGUAGES:
            language = choice
        else:
            language = _spoken_language(settings, speech) if carried else settings.default_language
        interaction.language = language
        if choice == AGENT:
            interaction.state = {**(interaction.state or {}), "escalated": True}
            text, action = prompts.say("connecting", language), ESCALATE
        elif carried:
            text, action = "", CONTINUE
        elif choice is None:
            # Asked twice without a choice: go on in the default language, saying so.
            text, action = prompts.say("language_default", language), CONTINUE
        else:
            text, action = prompts.say("how_can_i_help", language), CONTINUE
        stored = interactions.add_turn(
            session,
            interaction,
            speaker="caller",
            text=digits or speech or "",
            source="dtmf" if digits else "speech" if speech else "system",
            intent="agent_request" if choice == AGENT else None,
            entities={"language_choice": choice or "none", "carried_request": carried},
            reply=text,
            action=action,
            twilio_key=twilio_key,
        )
        if choice == AGENT:  # the packet holds the turn that hands over
            escalate(session, settings, interaction, "agent_request")
    return BotReply(
        text=stored.reply or "",
        action=stored.action or CONTINUE,
        language=interaction.language or settings.default_language,
        interaction_id=interaction.id,
        turn_id=stored.id,
        sequence=stored.sequence,
        replayed=replayed,
    )
