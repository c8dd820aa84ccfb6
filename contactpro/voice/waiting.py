"""What a caller waiting for an agent hears, in their language: their place in line, the
voicemail offer after a long wait, "stay on the line"; and after the wait, the voicemail
invitation and the goodbyes (:func:`store_prompt`).

The webhooks say these words (:mod:`webhooks.twiml`) and store them with :func:`store` as the
bot's turns of the call, so the conversation page, ``contactpro conversations`` and the
improvement datasets show them in order with the rest of what the caller heard.
"""

from __future__ import annotations

import hashlib

from sqlalchemy.orm import Session

from contactpro.config import Settings
from contactpro.conversations import interactions, turn_service
from contactpro.models import Interaction
from contactpro.voice import prompts

# The prompts stored on the turns (their ``prompt`` entity).
QUEUE, STAY_ON_LINE = "queue_announcement", "stay_on_line"


def queue_announcement(language: str, position: int | None, offer_voicemail: bool) -> str:
    """Return what a queued caller hears before the hold music: their place in line (a long wait
    promises no agent "in a moment") and, after a long wait, the voicemail offer."""
    text = ""
    if position is not None and position > 0:
        key = "queue_next" if position == 1 else "queue_position"
        text = prompts.say(key, language, position=position, long_wait=offer_voicemail)
    if offer_voicemail:
        text = f"{text} {prompts.say('offer_voicemail', language)}".strip()
    return text


def store(session: Session, call_sid: str, prompt: str, text: str, language: str) -> None:
    """Store ``text`` (prompt ``prompt``), heard by the caller of ``call_sid`` in ``language``,
    as the bot's turn of that call, once per wording: the wait URL's next loop over the hold
    music, or a retried request, writes nothing new (a new place in line does)."""
    interaction = interactions.find_by_sid(session, "voice", call_sid)
    if interaction is not None:
        _played(session, interaction, prompt, text, language)


def store_prompt(
    session: Session, settings: Settings, call_sid: str, prompt: str | None, language: str | None
) -> None:
    """Store catalogue prompt ``prompt`` (``voice_<prompt>``), said to the caller of
    ``call_sid`` in ``language`` (None: the call's own, else the default), as in :func:`store`;
    nothing for no prompt."""
    if not prompt:
        return
    interaction = interactions.find_by_sid(session, "voice", call_sid)
    if interaction is None:
        return
    said_in = language or interaction.language or settings.default_language
    _played(session, interaction, prompt, prompts.say(prompt, said_in), said_in)


def _played(
    session: Session, interaction: Interaction, prompt: str, text: str, language: str
) -> None:
    """Store ``text`` as the bot's turn of ``interaction`` once per prompt and wording."""
    if not text:
        return
    digest = hashlib.sha256(text.encode()).hexdigest()[:16]
    turn_service.played_on_call(
        session,
        interaction,
        text,
        prompt=prompt,
        language=language,
        twilio_key=f"{interaction.twilio_sid}:{prompt}:{digest}",
    )
