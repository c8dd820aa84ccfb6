"""One turn of a call or an SMS conversation, from what came in to what the bot answers.

Every function here is idempotent on Twilio's request key: a retried request gets the stored
answer back and writes nothing new.
"""

from __future__ import annotations

import logging
import re
import time
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from contactpro.config import Settings
from contactpro.conversations import interactions
from contactpro.conversations.escalation import call_texted_by_agent, escalate
from contactpro.conversations.language import follow_caption, follow_customer
from contactpro.dialog import after_hours, sms, survey, timeline
from contactpro.dialog.context import (
    CONTINUE,
    ESCALATE,
    HANGUP,
    Decision,
    DialogState,
    TurnContext,
)
from contactpro.dialog.engine import START, decide, listening_for, while_escalated
from contactpro.dialog.handlers import cancellation
from contactpro.dialog.localtime import local_today, zone_of
from contactpro.dialog.replies import spoken_numbers, written_reply
from contactpro.dialog.templates import templates_for
from contactpro.messaging import media
from contactpro.models import Account, Escalation, Interaction, MessageMedia, Turn, utcnow
from contactpro.nlu.cascade import get_cascade
from contactpro.nlu.rules import emoji_answer
from contactpro.phone import to_e164
from contactpro.privacy.redaction import localise
from contactpro.providers.telephony import telephony_for
from contactpro.providers.twilio_forms import IncomingSms, Media
from contactpro.voice import prompts

log = logging.getLogger(__name__)

# The prompt a recorded call plays before the greeting (``voice_recording_notice``).
RECORDING_NOTICE = "recording_notice"


@dataclass(frozen=True)
class Inbound:
    """What the caller said, pressed or wrote, as Twilio delivered it."""

    text: str
    source: str
    twilio_key: str
    asr_confidence: float | None = None
    # Words written with it (an MMS or WhatsApp caption on a voice note): read for meaning
    # together with ``text``, stored on their own turn.
    written: str = ""
    # Said before the answer: the thanks for a survey score sent with a request.
    preface: str = ""


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
    voice_note_id: int | None = None


def _reply_from_turn(interaction: Interaction, turn: Turn, *, replayed: bool) -> BotReply:
    # A retried request is answered in the language its reply was written in.
    answered_in = (turn.entities or {}).get("language")
    return BotReply(
        text=turn.reply or "",
        action=turn.action or CONTINUE,
        language=answered_in or interaction.language or "es",
        interaction_id=interaction.id,
        turn_id=turn.id,
        sequence=turn.sequence,
        replayed=replayed,
    )


def _say(settings: Settings, interaction: Interaction, key: str, **values: Any) -> str:
    return templates_for(settings).render(
        key,
        interaction.language or settings.default_language,
        channel=interaction.channel,
        company=settings.company_name,
        **values,
    )


def _left_out(settings: Settings, interaction: Interaction) -> Callable[[int], str]:
    """Word the note an SMS cut short carries: how many sentences did not fit."""
    return lambda count: _say(settings, interaction, "sms_left_out", count=count)


def _finish(
    session: Session,
    settings: Settings,
    interaction: Interaction,
    decision: Decision,
    **values: Any,
) -> str:
    """Return the text to say, the hand-off announced when handing over (``values`` word it:
    ``count``, the files an agent will review); a text handed over outside business hours is
    told when people answer again."""
    if decision.action != ESCALATE:
        return decision.text
    key = "escalate_voice" if interaction.channel == "voice" else "escalate_sms"
    if decision.reason == "customer_media":
        key = "escalate_media"
    key, closed = after_hours.hand_off_words(session, settings, interaction, key, utcnow())
    handoff = _say(settings, interaction, key, **values, **closed)
    return f"{decision.text} {handoff}".strip() if decision.text else handoff


def _hand_over(
    session: Session, settings: Settings, interaction: Interaction, decision: Decision
) -> None:
    """Write the escalation packet when handing over, once the turn that hands over is stored
    (the packet holds what the customer said last)."""
    if decision.action == ESCALATE:
        escalate(session, settings, interaction, decision.reason)


def _left_waiting(session: Session, interaction: Interaction, state: DialogState) -> str | None:
    """Return the last question of the conversation this one continues, on its first turn; a
    call says a question written for a text with its amounts as the phone says them, and a
    text writes a call's question for reading."""
    if state.continued_from is None or state.caller_turns:
        return None
    previous = session.get(Interaction, state.continued_from)
    if previous is None:
        return None
    asked = interactions.last_question(session, previous)
    language = interaction.language or previous.language or "es"
    if asked and interaction.channel == "voice" and previous.channel != "voice":
        currency = _currency(session, interaction, state)
        asked = prompts.speakable(spoken_numbers(asked), language, currency)
    elif asked and interaction.channel != "voice" and previous.channel == "voice":
        asked = written_reply(asked, language)
    return asked


def _currency(session: Session, interaction: Interaction, state: DialogState) -> str | None:
    """Return the currency of the account the conversation is about (a bare "$" means it)."""
    account = session.get(Account, state.account_id) if state.account_id is not None else None
    if account is None and interaction.customer is not None and interaction.customer.accounts:
        account = interaction.customer.accounts[0]
    return account.currency if account is not None else None


def _resumed(ctx: TurnContext) -> Decision | None:
    """Answer the first turn of a conversation that continues another, when it must be."""
    if ctx.state.continued_from is None or ctx.state.caller_turns:
        return None
    said = interactions.last_question(ctx.session, ctx.interaction)
    return timeline.first_turn(ctx, _left_waiting(ctx.session, ctx.interaction, ctx.state), said)


def _open(
    session: Session,
    settings: Settings,
    *,
    channel: str,
    sid: str,
    from_number: str,
    to_number: str,
    now: datetime,
) -> Interaction:
    """Open an interaction and pick up the customer's unfinished flow, if any."""
    interaction = interactions.open_interaction(
        session,
        settings,
        channel=channel,
        sid=sid,
        from_number=from_number,
        to_number=to_number,
        now=now,
    )
    state = DialogState.load(interaction.state)
    state.customer_id = interaction.customer_id
    interaction.state = state.dump()
    timeline.continue_timeline(session, settings, interaction, now)
    return interaction


def greet_call(
    session: Session,
    settings: Settings,
    *,
    call_sid: str,
    from_number: str,
    to_number: str,
    recorded: bool = False,
) -> BotReply:
    """Open a call's interaction and greet the caller (a retried webhook gets the same greeting);
    a ``recorded`` call stores the recording notice said before the greeting first."""
    key = f"{call_sid}:start"
    interaction = interactions.find_by_sid(session, "voice", call_sid)
    if interaction is not None:
        turn = interactions.find_turn(session, key)
        if turn is not None:
            return _reply_from_turn(interaction, turn, replayed=True)
    else:
        interaction = _open(
            session,
            settings,
            channel="voice",
            sid=call_sid,
            from_number=from_number,
            to_number=to_number,
            now=utcnow(),
        )
    if interaction.language is None:
        interaction.language = settings.default_language
    if recorded:
        played_on_call(
            session,
            interaction,
            prompts.say(RECORDING_NOTICE, interaction.language),
            prompt=RECORDING_NOTICE,
            language=interaction.language,
            twilio_key=f"{call_sid}:notice",
        )
    customer = interaction.customer
    name = customer.first_name if customer else ""
    state = DialogState.load(interaction.state)
    question = None
    if state.continued_from is not None:
        # The question left waiting is asked again: a yes must answer what this call asked.
        asked = _left_waiting(session, interaction, state)
        question = timeline.reopen(session, settings, interaction, asked, datetime.now(UTC))
        text = _say(
            settings,
            interaction,
            "greeting_continue",
            name=name,
            prompt=question or _say(settings, interaction, "how_can_i_help"),
        )
    else:
        text = _say(
            settings, interaction, "greeting_known" if customer else "greeting_unknown", name=name
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
        # The question alone, without "Hola ..., retomemos": what a reprompt asks again.
        entities={interactions.QUESTION: question} if question else {},
    )
    return _reply_from_turn(interaction, turn, replayed=False)


def played_on_call(
    session: Session,
    interaction: Interaction,
    text: str,
    *,
    prompt: str,
    language: str,
    twilio_key: str,
) -> Turn | None:
    """Store ``text``, words a call played in ``language`` beyond the dialog's replies
    (``prompt``: the recording notice, a queue announcement), as the bot's turn, once per
    ``twilio_key``: a repeated request (a retried webhook, the hold music's next loop) stores
    nothing new. The turn has no intent or action, so nothing counts it as an answer."""
    if not text:
        return None
    stored = interactions.find_turn(session, twilio_key)
    if stored is not None:
        return stored
    return interactions.add_turn(
        session,
        interaction,
        speaker="bot",
        text="",
        source="system",
        reply=text,
        twilio_key=twilio_key,
        entities={interactions.PROMPT: prompt, "language": language},
    )


def said_on_call(session: Session, turn_id: int, text: str, **entities: object) -> None:
    """Store ``text`` as the bot's words in turn ``turn_id``: what the call played when it is
    not the reply first written (the language menu instead of the greeting, the voicemail
    prompt instead of "connecting you", the reply with a keypad hint after it), in the
    escalation packet's transcript too; ``entities`` note how the words were put together."""
    turn = session.get(Turn, turn_id)
    if turn is None:
        return
    if entities:
        turn.entities = {**(turn.entities or {}), **entities}
    if turn.reply == text:
        return
    turn.reply = text
    escalation = session.scalars(
        select(Escalation).where(Escalation.interaction_id == turn.interaction_id)
    ).first()
    if escalation is None:
        return
    context = dict(escalation.context or {})
    this_turn = (turn.interaction_id, turn.sequence)
    context["transcript"] = [
        {**said, "reply": text}
        if (said.get("interaction_id"), said.get("sequence")) == this_turn
        else said
        for said in context.get("transcript") or []
    ]
    escalation.context = context


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
    if interaction.status == "closed" and not interactions.call_ended(interaction):
        # A late message on a closed conversation reopens it rather than being lost; a call
        # Twilio reported ended (a turn delivered after the hang-up) stays closed as it ended.
        interaction.status, interaction.outcome, interaction.ended_at = "active", None, None
    state = DialogState.load(interaction.state)
    state.no_input = 0  # the caller answered: only silences in a row lead to a person
    expected, menu = listening_for(state.awaiting, state.slots)
    today = local_today(zone_of(settings, interaction.customer))
    said = f"{inbound.written}\n{inbound.text}" if inbound.written else inbound.text
    understood = get_cascade(settings).understand(
        said,
        channel=interaction.channel,
        source=inbound.source,
        language_hint=interaction.language,
        expected=expected,
        dtmf_menu=menu,
        today=today,  # "mañana", "el 30": the customer's day, not the server's
    )
    if understood.intent == "greeting" and (rest := _after_greeting(said)):
        # "Hola buenas, me regala el saldo": the greeting is not the request.
        request = get_cascade(settings).understand(
            rest,
            channel=interaction.channel,
            source=inbound.source,
            language_hint=understood.language,
            expected=expected,
            today=today,
        )
        if request.intent not in ("greeting", "out_of_scope"):
            # The whole message says its language better than what follows the greeting.
            understood = replace(
                request, language=understood.language, language_clear=understood.language_clear
            )
    language = follow_customer(session, interaction, state, understood)
    ctx = TurnContext(
        session=session,
        settings=settings,
        interaction=interaction,
        state=state,
        understood=understood,
        text=said,
        telephony=telephony_for(settings),
        now=datetime.now(UTC),
        asr_confidence=inbound.asr_confidence,
    )
    if state.escalated:
        # Already with an agent: keep the record, answer questions, never act twice.
        decision = while_escalated(ctx)
    else:
        decision = _resumed(ctx) or decide(ctx)
    interaction.state = state.dump()
    text = _finish(session, settings, interaction, decision)
    if inbound.preface:
        text = f"{inbound.preface} {text}"
    written = text
    text = sms.for_channel(
        text,
        interaction.channel,
        settings.max_sms_segments,
        settings.sms_keep_accents,
        _left_out(settings, interaction),
        keep=decision.keep,
    )
    # What a call picking this question up says: the question as written, before an SMS took
    # its accents or shortened it.
    question = decision.question or (written if text != written else "")
    turn = interactions.add_turn(
        session,
        interaction,
        speaker="caller",
        text=localise(inbound.text, language),
        source=inbound.source,
        asr_confidence=inbound.asr_confidence,
        intent=understood.intent,
        confidence=round(understood.confidence, 4),
        tier=understood.tier,
        entities={
            **_json_safe(understood.entities),
            "language": language,
            # What a reprompt to silence asks again, when the reply says more than it.
            **({interactions.QUESTION: question} if question else {}),
        },
        reply=text,
        action=decision.action,
        twilio_key=inbound.twilio_key,
        latency_ms=round((time.perf_counter() - started) * 1000, 2),
    )
    _hand_over(session, settings, interaction, decision)
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


_GREETING = re.compile(
    r"^\W*((hola|buenas|buenos dias|buenas tardes|buenas noches|buen dia|que tal|hello|hi|hey|"
    r"good morning|good afternoon|good evening)\W+)+",
    re.IGNORECASE,
)


def _after_greeting(text: str) -> str:
    """Return what follows a leading greeting, when it is more than a word or two."""
    folded = unicodedata.normalize("NFKD", text)
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch))
    match = _GREETING.match(folded)
    rest = folded[match.end() :].strip() if match else ""
    return rest if len(rest.split()) >= 2 else ""


# What written words alone may say that asks for nothing: "te mando un audio", "hola", "gracias".
_ASKS_NOTHING = frozenset({"out_of_scope", "greeting", "goodbye"})


def asks_for_something(settings: Settings, interaction: Interaction, text: str) -> bool:
    """Return True when written words say by themselves what the customer wants, or answer
    what they were asked: the caption of a voice note nobody could hear is then answered."""
    if not text.strip():
        return False
    state = DialogState.load(interaction.state)
    expected, menu = listening_for(state.awaiting, state.slots)
    today = local_today(zone_of(settings, interaction.customer))

    def asks(words: str) -> bool:
        understood = get_cascade(settings).understand(
            words,
            channel=interaction.channel,
            source="sms",
            language_hint=interaction.language,
            expected=expected,
            dtmf_menu=menu,
            today=today,
        )
        intent = understood.intent
        return intent not in _ASKS_NOTHING and (
            intent not in ("affirm", "deny") or intent in expected
        )

    if asks(text):
        return True
    # Read whole, "hola, ..." may be only a greeting: what follows it is read on its own.
    rest = _after_greeting(text)
    return bool(rest) and asks(rest)


def _json_safe(entities: Mapping[str, object]) -> dict[str, object]:
    """Entities as JSON: dates and decimals become strings, nested mappings and lists stay
    mappings and lists (an amount is stored as ``{"value": "80000"}``, not its Python text)."""
    return {k: _json_value(v) for k, v in entities.items()}


def _json_value(value: object) -> object:
    if isinstance(value, (str, int, float, bool, type(None))):
        return value
    if isinstance(value, Mapping):
        return _json_safe(value)
    if isinstance(value, (list, tuple)):
        return [_json_value(v) for v in value]
    return str(value)


def no_input(
    session: Session, settings: Settings, interaction: Interaction, twilio_key: str
) -> BotReply:
    """Reprompt a silent caller with varied wording; escalate after ``max_no_input`` silences,
    or, silent at "did that answer your question?", say goodbye and hang up."""
    stored = interactions.find_turn(session, twilio_key)
    if stored is not None:
        return _reply_from_turn(interaction, stored, replayed=True)
    state = DialogState.load(interaction.state)
    state.no_input += 1
    if state.no_input > settings.max_no_input and state.awaiting == "confirm_resolution":
        # Answered, then silent at "did that answer your question?": nothing is left for a
        # person to do, so the call ends with a goodbye instead of waiting in the queue.
        state.finish()
        decision = Decision(_say(settings, interaction, "goodbye"), HANGUP, step="goodbye")
        state.steps.append("silent_after_answer")
    elif state.no_input > settings.max_no_input:
        decision = Decision("", ESCALATE, reason="no_input")
        state.escalated = True
        cancellation.left_waiting(session, interaction.id, state, "escalated")
        state.finish()
    else:
        decision = Decision(_reprompt(session, settings, interaction, state), step="reprompted")
        state.steps.append("reprompted")
    interaction.state = state.dump()
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
        entities={"reprompt": True},
    )
    _hand_over(session, settings, interaction, decision)
    return _reply_from_turn(interaction, turn, replayed=False)


def _reprompt(
    session: Session, settings: Settings, interaction: Interaction, state: DialogState
) -> str:
    """What to say to silence: the question the bot waits an answer to, asked again (a caller
    asked for the last digits of their id hears that question, not "how can I help?"), else
    the general prompt; a caller doing a troubleshooting step is told to take their time."""
    index = state.no_input - 1
    if state.awaiting == "step_result":
        # Silent while doing the step (the modem takes minutes): no "I didn't hear you", and
        # the step is not told again from its start.
        return _say(settings, interaction, "troubleshoot_waiting", index=index)
    if state.awaiting and (asked := interactions.last_question(session, interaction)):
        return _say(settings, interaction, "reprompt_waiting", index=index, question=asked)
    return _say(settings, interaction, "reprompt", index=index)


def _to_agents_line(settings: Settings, to_number: str) -> bool:
    """Return True when a text came to the number agents text customers from
    (``TWILIO_PHONE_NUMBER``; any number when it is not set): a text to another of the
    company's lines is a conversation of its own, never an answer to an agent."""
    line, to = to_e164(settings.twilio_phone_number), to_e164(to_number)
    return line is None or to is None or line == to


def receive_message(session: Session, settings: Settings, message: IncomingSms) -> BotReply:
    """Answer one parsed inbound message (SMS, MMS or WhatsApp), keeping WhatsApp's profile."""
    return receive_sms(
        session,
        settings,
        message_sid=message.message_sid,
        from_number=message.from_number,
        to_number=message.to_number,
        body=message.body,
        channel=message.channel,
        files=message.media,
        profile_name=message.profile_name,
        wa_id=message.wa_id,
        message_type=message.message_type,
        location=message.location,
    )


def receive_sms(
    session: Session,
    settings: Settings,
    *,
    message_sid: str,
    from_number: str,
    to_number: str,
    body: str,
    channel: str = "sms",
    files: tuple[Media, ...] = (),
    profile_name: str | None = None,
    wa_id: str | None = None,
    message_type: str | None = None,
    location: bool = False,
) -> BotReply:
    """Answer one inbound SMS or WhatsApp message, continuing the sender's conversation when
    it is fresh; a text answering an agent who texted from a call is stored on that call and
    not answered. ``from_number`` is E.164 on every channel; ``files`` are its media;
    ``profile_name`` and ``wa_id`` (WhatsApp) are kept on the conversation for the agent;
    ``message_type`` (WhatsApp) tells a sticker, ``location`` a shared location."""
    stored = interactions.find_turn(session, message_sid)
    if stored is not None:
        return _reply_from_turn(stored.interaction, stored, replayed=True)
    if (
        channel == "sms"
        and _to_agents_line(settings, to_number)
        and (call := call_texted_by_agent(session, from_number)) is not None
    ):
        return _for_texting_agent(session, settings, call, message_sid, body)
    now = utcnow()
    if not files and (
        answered := _survey_answer(
            session, settings, message_sid, channel, from_number, to_number, body, now
        )
    ):
        return answered
    interaction = _conversation(
        session, settings, message_sid, channel, from_number, to_number, now
    )
    _keep_profile(interaction, profile_name, wa_id)
    # A sticker is a reaction, not a document for an agent: answered like a wordless message.
    sticker = media.are_stickers(files, channel, message_type)
    if files and not sticker:
        return _with_media(session, settings, interaction, message_sid, body, files)
    problem = _sms_problem(body, settings, sticker=sticker, location=location)
    if problem is None and _is_reaction(interaction, body):
        problem = "emoji_received"
    if problem is None:
        return _new_turn(
            session, settings, interaction, Inbound(body, "sms", twilio_key=message_sid)
        )
    # A reaction in the middle of a flow is answered with the question still waiting.
    question = _pending_question(session, settings, interaction) if problem in REACTIONS else ""
    text = _say(settings, interaction, problem, question=question)
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
        entities={"problem": problem, **({interactions.QUESTION: question} if question else {})},
        twilio_key=message_sid,
    )
    log.info("sms not processed", extra={"interaction_id": interaction.id, "reason": problem})
    return _reply_from_turn(interaction, turn, replayed=False)


def _for_texting_agent(
    session: Session, settings: Settings, call: Interaction, message_sid: str, body: str
) -> BotReply:
    """Store a text answering the agent who texted from a call's escalation on that call, where
    the agent reads it; the bot leaves the exchange to them and answers nothing."""
    turn = interactions.add_turn(
        session,
        call,
        speaker="caller",
        text=localise(body[: settings.max_body_chars * 4], call.language or "es"),
        source="sms",
        intent=None,
        tier="none",
        reply="",
        action=CONTINUE,
        entities={"language": call.language} if call.language else {},
        twilio_key=message_sid,
    )
    log.info("sms for the agent texting from a call", extra={"interaction_id": call.id})
    return _reply_from_turn(call, turn, replayed=False)


# Messages that ask nothing (a sticker, a location, emoji alone): answered kindly, and in a flow
# with the question still waiting.
REACTIONS = ("sticker_received", "location_received", "emoji_received")


def _is_reaction(interaction: Interaction, body: str) -> bool:
    """Return True for emoji or symbols alone ("🙏", "😀😀", "❤️"), unless a 👍 or ❌ answers a
    yes-or-no question: a reaction, like a sticker, never read as a request nobody understood
    (twice would hand the customer to a person)."""
    if not body.strip() or any(ch.isalnum() for ch in body):
        return False
    state = DialogState.load(interaction.state)
    if state.escalated:
        return False  # the agent reads it
    if emoji_answer(body) is None:
        return True
    expected, _ = listening_for(state.awaiting, state.slots)
    return not (state.resolved or {"affirm", "deny"} & set(expected))


def _pending_question(session: Session, settings: Settings, interaction: Interaction) -> str:
    """Return the question the bot still waits an answer to, or empty."""
    awaiting = DialogState.load(interaction.state).awaiting
    if not awaiting:
        return ""
    if awaiting == "confirm_resolution":
        # The answer before it was read already: only "¿Con esto resolví tu consulta?" waits.
        return _say(settings, interaction, "confirm_resolved")
    return interactions.last_question(session, interaction) or ""


def _keep_profile(interaction: Interaction, profile_name: str | None, wa_id: str | None) -> None:
    """Keep the sender's latest WhatsApp profile name (printable, bounded) and WhatsApp ID."""
    if profile_name:
        printable = "".join(c for c in profile_name if c.isprintable())
        interaction.profile_name = " ".join(printable.split())[:100] or interaction.profile_name
    if wa_id and wa_id.isdigit():
        interaction.wa_id = wa_id[:20]


def _with_media(
    session: Session,
    settings: Settings,
    interaction: Interaction,
    message_sid: str,
    body: str,
    files: tuple[Media, ...],
) -> BotReply:
    """Acknowledge a message carrying files: voice notes are transcribed by a worker (the
    answer follows by message); photos and documents go to a person with the escalation. A
    message carrying both gets both: its audio heard and answered, its other files escalated."""
    rows = media.store(session, interaction, message_sid, files)
    notes = [row for row in rows if row.kind == "audio"]
    for note in notes:
        note.status = "queued"  # the task of the first answers the others after it
    references = [media.reference(row) for row in rows]
    # Words sent with the files (a caption) are the customer's and say their language.
    written = body.strip()[: settings.max_body_chars]
    follow_caption(interaction, written, settings.default_language)
    entities: dict[str, object] = {"media": references}
    if notes:
        entities["voice_note"] = notes[0].id
    listening = (
        _say(settings, interaction, "voice_note_listening", count=len(notes)) if notes else ""
    )
    if len(notes) == len(rows):
        turn = interactions.add_turn(
            session,
            interaction,
            speaker="caller" if written else "bot",
            text=written,
            source="sms" if written else "system",
            reply=listening,
            action=CONTINUE,
            entities=entities,
            twilio_key=message_sid,
        )
        _attach(rows, turn)
    else:
        turn = _to_agent(session, settings, interaction, message_sid, written, rows, entities)
    reply = _reply_from_turn(interaction, turn, replayed=False)
    if not notes:
        return reply
    log.info("voice note queued", extra={"interaction_id": interaction.id, "media": notes[0].id})
    return replace(reply, voice_note_id=notes[0].id)


def _to_agent(
    session: Session,
    settings: Settings,
    interaction: Interaction,
    message_sid: str,
    written: str,
    rows: list[MessageMedia],
    entities: dict[str, object],
) -> Turn:
    """Store the turn of a message whose photos or documents go to an agent (escalating
    unless already escalated); its voice notes, if any, are acknowledged as being heard."""
    count = sum(row.kind != "audio" for row in rows)
    state = DialogState.load(interaction.state)
    ack = _say(settings, interaction, "media_received", count=count)
    if state.escalated:
        decision = Decision(ack)
    else:
        # A photographed bill or a payment receipt needs a person's eyes.
        decision = Decision(ack, ESCALATE, reason="customer_media")
        state.escalated = True
        state.finish()
        interaction.state = state.dump()
    # The words sent with the files say what the customer wants: the agent's summary names it.
    caption = (
        get_cascade(settings).understand(
            written,
            channel=interaction.channel,
            source="sms",
            language_hint=interaction.language,
        )
        if written and not any(row.kind == "audio" for row in rows)
        else None
    )
    said = _finish(session, settings, interaction, decision, count=count)
    if len(rows) > count:
        listening = _say(settings, interaction, "voice_note_listening", count=len(rows) - count)
        said = f"{said} {listening}"
    text = sms.for_channel(
        said,
        interaction.channel,
        settings.max_sms_segments,
        settings.sms_keep_accents,
        _left_out(settings, interaction),
    )
    turn = interactions.add_turn(
        session,
        interaction,
        speaker="caller",
        text=written,
        source="sms",
        intent=caption.intent if caption else None,
        confidence=round(caption.confidence, 4) if caption else None,
        tier=caption.tier if caption else "none",
        reply=text,
        action=decision.action,
        entities=entities,
        twilio_key=message_sid,
    )
    _attach(rows, turn)
    _hand_over(session, settings, interaction, decision)
    return turn


def _attach(rows: list[MessageMedia], turn: Turn) -> None:
    for row in rows:
        row.turn_id = turn.id


def _conversation(
    session: Session,
    settings: Settings,
    message_sid: str,
    channel: str,
    from_number: str,
    to_number: str,
    now: datetime,
) -> Interaction:
    """Return the sender's fresh conversation, or open one; a thread a newer call (or other
    channel) left a question after is closed, and the new conversation picks that question up."""
    interaction = interactions.current_conversation(session, channel, from_number, to_number)
    if interaction is not None and timeline.is_fresh(settings, interaction, now):
        if not timeline.superseded(session, settings, interaction, now):
            return interaction
        interactions.close_interaction(session, interaction.id, "superseded", now)
    return _open(
        session,
        settings,
        channel=channel,
        sid=message_sid,
        from_number=from_number,
        to_number=to_number,
        now=now,
    )


def _survey_answer(
    session: Session,
    settings: Settings,
    message_sid: str,
    channel: str,
    from_number: str,
    to_number: str,
    body: str,
    now: datetime,
) -> BotReply | None:
    """Store a reply to a pending survey (its 1-5 score, and the whole reply with any comment
    as the customer's turn) on the surveyed interaction's record. A request after the score
    ("2, quiero pagar mi factura") is then answered as that request alone would be, thanked."""
    answer = survey.answer_in(body)
    phone = to_e164(from_number)
    if answer is None or phone is None:
        return None
    score = answer.score
    pending = survey.pending_survey(session, settings, phone, now)
    if pending is None:
        return None
    pending.score, pending.answered_at = score, now
    interaction = session.get(Interaction, pending.interaction_id)
    assert interaction is not None
    state = DialogState.load(interaction.state)
    state.csat = score  # what conformity scoring and the KPIs read
    interaction.state = state.dump()
    request = _request_after_score(settings, interaction, answer.comment)
    thanks = _say(settings, interaction, "survey_thanks")
    turn = interactions.add_turn(
        session,
        interaction,
        speaker="caller",
        text=body,
        source="sms",
        intent="survey_answer",
        confidence=1.0,
        tier="rules",
        entities={"score": score, **({"comment": answer.comment} if answer.comment else {})},
        action=CONTINUE,
        reply=thanks,
        # The request's turn carries the message's key: a retry replays the answer to it.
        twilio_key=None if request else message_sid,
    )
    if not request:
        return _reply_from_turn(interaction, turn, replayed=False)
    asked = _conversation(session, settings, message_sid, channel, from_number, to_number, now)
    inbound = Inbound(answer.comment, "sms", twilio_key=message_sid, preface=thanks)
    return _new_turn(session, settings, asked, inbound)


def _request_after_score(settings: Settings, interaction: Interaction, comment: str) -> bool:
    """Return True when the words after a survey score are a request the bot answers (not a
    complaint about the service, which stays the survey's comment)."""
    if not comment or not survey.asks(comment):
        return False
    understood = get_cascade(settings).understand(
        comment,
        channel=interaction.channel,
        source="sms",
        language_hint=interaction.language,
    )
    return understood.intent in START and understood.intent != "complaint"


def _sms_problem(
    body: str, settings: Settings, *, sticker: bool = False, location: bool = False
) -> str | None:
    """Return the reply key for a message we cannot process (a sticker or a shared location
    without words among them), or None when it is fine."""
    if not body.strip():
        return "sticker_received" if sticker else "location_received" if location else "empty_sms"
    if len(body) > settings.max_body_chars:
        return "too_long_sms"
    if "\ufffd" in body:
        return "unreadable_sms"
    return None


def technical_fallback(language: str) -> str:
    """Return what to say when something failed: an apology and a hand-off."""
    return templates_for().render("technical_problem", language, channel="voice")


def technical_fallback_turn(
    session: Session,
    settings: Settings,
    interaction: Interaction,
    *,
    twilio_key: str,
    said: Inbound | None = None,
    entities: dict[str, object] | None = None,
) -> Turn:
    """Store the turn answered with :func:`technical_fallback` when a turn cannot be processed.

    ``said`` is what the caller said or pressed (their turn, answered with the apology); without
    it the turn is the bot's own (a call greeted with the apology, a held turn given up on).
    """
    language = interaction.language or settings.default_language
    extra = {} if entities is None else {"entities": entities}
    return interactions.add_turn(
        session,
        interaction,
        speaker="bot" if said is None else "caller",
        text="" if said is None else said.text,
        source="system" if said is None else said.source,
        reply=technical_fallback(language),
        action=ESCALATE,
        twilio_key=twilio_key,
        **extra,
    )
