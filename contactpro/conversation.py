"""One turn of a call or an SMS conversation, from what came in to what the bot answers.

Every function here is idempotent on Twilio's request key: a retried request gets the stored
answer back and writes nothing new.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from sqlalchemy.orm import Session

from contactpro import interactions
from contactpro.config import Settings
from contactpro.dialog.engine import CONTINUE, ESCALATE, Decision, decide
from contactpro.dialog.replies import render
from contactpro.escalation import escalate
from contactpro.models import Interaction, Turn, utcnow
from contactpro.nlu import get_cascade

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Inbound:
    """What the caller said, pressed or wrote, as Twilio delivered it."""

    text: str
    source: str
    twilio_key: str
    asr_confidence: float | None = None


@dataclass(frozen=True)
class BotReply:
    """What the bot answers and what the call should do next."""

    text: str
    action: str
    language: str
    interaction_id: int
    turn_id: int
    sequence: int
    replayed: bool = False


def _reply_from_turn(interaction: Interaction, turn: Turn, *, replayed: bool) -> BotReply:
    return BotReply(
        text=turn.reply or "",
        action=turn.action or CONTINUE,
        language=interaction.language or "es",
        interaction_id=interaction.id,
        turn_id=turn.id,
        sequence=turn.sequence,
        replayed=replayed,
    )


def _update_state(interaction: Interaction, decision: Decision) -> None:
    state = dict(interaction.state or {})
    if decision.step:
        steps = list(state.get("steps", []))
        steps.append(decision.step)
        state["steps"] = steps
    if decision.step == "asked_clarification":
        state["clarifications"] = state.get("clarifications", 0) + 1
    if decision.resolved:
        state["resolved"] = True
    if decision.action == ESCALATE:
        state["escalated"] = True
    interaction.state = state


def _finish(
    session: Session,
    settings: Settings,
    interaction: Interaction,
    decision: Decision,
) -> str:
    """Apply an escalation and return the text to say."""
    language = interaction.language or settings.default_language
    if decision.action != ESCALATE:
        return decision.text
    escalate(session, settings, interaction, decision.reason)
    handoff = render(
        "escalate_voice" if interaction.channel == "voice" else "escalate_sms", language
    )
    return f"{decision.text} {handoff}".strip() if decision.text else handoff


def greet_call(
    session: Session, settings: Settings, *, call_sid: str, from_number: str, to_number: str
) -> BotReply:
    """Open a call's interaction and greet the caller (a retried webhook gets the same greeting)."""
    key = f"{call_sid}:start"
    interaction = interactions.find_by_sid(session, "voice", call_sid)
    if interaction is not None:
        turn = interactions.find_turn(session, key)
        if turn is not None:
            return _reply_from_turn(interaction, turn, replayed=True)
    else:
        interaction = interactions.open_interaction(
            session,
            settings,
            channel="voice",
            sid=call_sid,
            from_number=from_number,
            to_number=to_number,
        )
    if interaction.language is None:
        interaction.language = settings.default_language
    customer = interaction.customer
    text = render(
        "greeting_known" if customer else "greeting_unknown",
        interaction.language,
        name=customer.first_name if customer else "",
        company=settings.company_name,
    )
    turn = interactions.add_turn(
        session,
        interaction,
        speaker="bot",
        text="",
        source="system",
        reply=text,
        action=CONTINUE,
        twilio_key=key,
    )
    return _reply_from_turn(interaction, turn, replayed=False)


def take_turn(
    session: Session, settings: Settings, interaction: Interaction, inbound: Inbound
) -> BotReply:
    """Understand one caller turn, decide, store it, and return the bot's answer."""
    stored = interactions.find_turn(session, inbound.twilio_key)
    if stored is not None:
        return _reply_from_turn(interaction, stored, replayed=True)
    return _new_turn(session, settings, interaction, inbound)


def _new_turn(
    session: Session, settings: Settings, interaction: Interaction, inbound: Inbound
) -> BotReply:
    """Handle a turn known not to be a retry."""
    started = time.perf_counter()
    if interaction.status == "closed":
        # A late message on a closed conversation reopens it rather than being lost.
        interaction.status, interaction.outcome, interaction.ended_at = "active", None, None
    understood = get_cascade(settings).understand(
        inbound.text,
        channel=interaction.channel,
        source=inbound.source,
        language_hint=interaction.language,
    )
    if interaction.language is None or interaction.customer is None:
        interaction.language = understood.language
    if (interaction.state or {}).get("escalated"):
        # Already with an agent: keep the record, remind the customer, do not act twice.
        decision = Decision(render("escalate_sms", interaction.language), CONTINUE)
    else:
        decision = decide(settings, interaction, understood)
    _update_state(interaction, decision)
    text = _finish(session, settings, interaction, decision)
    turn = interactions.add_turn(
        session,
        interaction,
        speaker="caller",
        text=inbound.text,
        source=inbound.source,
        asr_confidence=inbound.asr_confidence,
        intent=understood.intent,
        confidence=round(understood.confidence, 4),
        tier=understood.tier,
        entities=dict(understood.entities),
        reply=text,
        action=decision.action,
        twilio_key=inbound.twilio_key,
        latency_ms=round((time.perf_counter() - started) * 1000, 2),
    )
    log.info(
        "turn",
        extra={
            "interaction_id": interaction.id,
            "sequence": turn.sequence,
            "intent": understood.intent,
            "tier": understood.tier,
            "action": decision.action,
        },
    )
    return _reply_from_turn(interaction, turn, replayed=False)


def no_input(
    session: Session, settings: Settings, interaction: Interaction, twilio_key: str
) -> BotReply:
    """Reprompt a silent caller, and escalate after ``max_no_input`` silences."""
    stored = interactions.find_turn(session, twilio_key)
    if stored is not None:
        return _reply_from_turn(interaction, stored, replayed=True)
    state = dict(interaction.state or {})
    state["no_input"] = state.get("no_input", 0) + 1
    interaction.state = state
    language = interaction.language or settings.default_language
    if state["no_input"] > settings.max_no_input:
        decision = Decision("", ESCALATE, reason="no_input")
    else:
        decision = Decision(render("reprompt", language), CONTINUE, step="reprompted")
    _update_state(interaction, decision)
    text = _finish(session, settings, interaction, decision)
    turn = interactions.add_turn(
        session,
        interaction,
        speaker="bot",
        text="",
        source="system",
        reply=text,
        action=decision.action,
        twilio_key=twilio_key,
    )
    return _reply_from_turn(interaction, turn, replayed=False)


def receive_sms(
    session: Session,
    settings: Settings,
    *,
    message_sid: str,
    from_number: str,
    to_number: str,
    body: str,
) -> BotReply:
    """Answer one inbound SMS, continuing the sender's conversation when it is fresh."""
    stored = interactions.find_turn(session, message_sid)
    if stored is not None:
        return _reply_from_turn(stored.interaction, stored, replayed=True)
    now = utcnow()
    interaction = interactions.current_sms_conversation(
        session, settings, from_number, to_number, now
    ) or interactions.open_interaction(
        session,
        settings,
        channel="sms",
        sid=message_sid,
        from_number=from_number,
        to_number=to_number,
        now=now,
    )
    problem = _sms_problem(body, settings)
    if problem is None:
        return _new_turn(
            session, settings, interaction, Inbound(body, "sms", twilio_key=message_sid)
        )
    language = interaction.language or settings.default_language
    text = render(problem, language)
    turn = interactions.add_turn(
        session,
        interaction,
        speaker="caller",
        text=body[: settings.max_body_chars * 4],
        source="sms",
        intent=None,
        tier="none",
        reply=text,
        action=CONTINUE,
        entities={"problem": problem},
        twilio_key=message_sid,
    )
    log.info("sms not processed", extra={"interaction_id": interaction.id, "reason": problem})
    return _reply_from_turn(interaction, turn, replayed=False)


def _sms_problem(body: str, settings: Settings) -> str | None:
    """Return the reply key for a message we cannot process, or None when it is fine."""
    if not body.strip():
        return "empty_sms"
    if len(body) > settings.max_body_chars:
        return "too_long_sms"
    if "\ufffd" in body:
        return "unreadable_sms"
    return None


def technical_fallback(language: str) -> str:
    """Return what to say when something failed: an apology and a hand-off."""
    return render("technical_problem", language)
