"""TwiML answers: what Twilio says, gathers, records, queues, dials or sends next."""

from __future__ import annotations

from flask import Response, url_for
from twilio.twiml.messaging_response import MessagingResponse
from twilio.twiml.voice_response import Dial, Gather, VoiceResponse

from contactpro.config import Settings
from contactpro.voice import prompts
from contactpro.voice.decide import HandOff, HangUp, Held, LanguageMenu, Step
from contactpro.voice.handoff import (
    AGENT_FINISHED,
    DIAL,
    VOICEMAIL,
    after_dial_prompt,
    after_queue_prompt,
    after_voicemail_prompt,
)
from contactpro.voice.language import menu_texts
from contactpro.voice.locale import say_voice

TWIML_MIMETYPE = "application/xml"

# Words Twilio's recogniser should expect; the understanding cascade can widen these.
SPEECH_HINTS = {
    "es": "saldo, factura, pagar, asesor, agente, deuda, internet, cancelar, cuánto debo",
    "en": "balance, bill, pay, agent, representative, debt, internet, cancel, how much do I owe",
}
MENU_HINTS = "español, English, inglés, asesor, agent"
# Words a yes-or-no question expects, in the language it is asked in.
YES_NO_HINTS = {
    "es": "sí, no, claro, dale, correcto, no gracias, asesor",
    "en": "yes, no, sure, okay, correct, no thanks, agent",
}
HOLD_PAUSE_SECONDS = 1
GATHER_TIMEOUT_SECONDS = 6
# Seconds Twilio waits for the next key of a typed number before posting what it has (a lone
# 0 then reaches a person without the #).
NUMBER_TIMEOUT_SECONDS = 8
# Seconds Twilio waits for an answer after the caller was asked to do something first (a
# troubleshooting step: restart the modem, wait for its lights).
TASK_TIMEOUT_SECONDS = 60
RECORD_TURN_MAX_SECONDS = 30
DIAL_TIMEOUT_SECONDS = 25


def twiml(response: VoiceResponse | MessagingResponse, status: int = 200) -> Response:
    """Wrap a TwiML document in a Flask response."""
    return Response(str(response), status=status, mimetype=TWIML_MIMETYPE)


def message(text: str, *, status_url: str | None = None) -> Response:
    """Reply to an SMS with one message (nothing at all when ``text`` is empty)."""
    response = MessagingResponse()
    if text:
        if status_url:
            response.message(text, action=status_url, method="POST")
        else:
            response.message(text)
    return twiml(response)


def _say(node: VoiceResponse | Gather, text: str, language: str, settings: Settings) -> None:
    voice = say_voice(settings, language)
    node.say(prompts.speakable(text, language), voice=voice.name, language=voice.locale)


def start_call(response: VoiceResponse, language: str, settings: Settings) -> None:
    """Start recording the call (both legs, announced) when call recording is on."""
    if not settings.voice_record_calls:
        return
    response.start().recording(
        recording_status_callback=url_for("voice.recording", kind="call"),
        recording_status_callback_method="POST",
        recording_status_callback_event="completed absent",
        channels="dual",
        track="both",
        trim="do-not-trim",
    )
    _say(response, prompts.say("recording_notice", language), language, settings)


def gather(
    text: str,
    language: str,
    settings: Settings,
    *,
    step: int,
    locale: str,
    number: bool = False,
    task: bool = False,
    yes_no: bool = False,
    response: VoiceResponse | None = None,
) -> Response:
    """Say ``text`` (the caller may talk over it) and listen in ``locale`` for speech or keys.

    One key answers a menu; a ``number`` (an id, the last four digits, a birth year) is typed
    key by key and ends with ``#`` or a pause. After a ``task`` (a troubleshooting step) the
    caller gets time to do it before silence counts; a ``yes_no`` question hints yes and no to
    the recogniser. Silence also posts back (``actionOnEmptyResult``), which is how no-input
    is counted.
    """
    response = response or VoiceResponse()
    wait = TASK_TIMEOUT_SECONDS if task else GATHER_TIMEOUT_SECONDS
    keys: dict[str, object] = (
        {"finish_on_key": "#", "timeout": NUMBER_TIMEOUT_SECONDS}
        if number
        else {"num_digits": 1, "timeout": wait}
    )
    node = response.gather(
        input="speech dtmf",
        action=url_for("voice.gather", step=step, lang=language),
        method="POST",
        language=locale,
        speech_timeout="auto",
        hints=None if number else (YES_NO_HINTS if yes_no else SPEECH_HINTS).get(language, ""),
        action_on_empty_result=True,
        barge_in=True,
        **keys,
    )
    _say(node, text, language, settings)
    return twiml(response)


def record_turn(
    text: str,
    language: str,
    settings: Settings,
    *,
    step: int,
    response: VoiceResponse | None = None,
) -> Response:
    """Say ``text`` and record the caller's answer for transcription (record mode).

    ``#`` ends the answer and ``0`` asks for a person; an empty recording falls through to the
    redirect, which counts as no input.
    """
    response = response or VoiceResponse()
    _say(response, text, language, settings)
    response.record(
        action=url_for("voice.record", step=step, lang=language),
        method="POST",
        max_length=RECORD_TURN_MAX_SECONDS,
        timeout=3,
        play_beep=False,
        finish_on_key="#0",
        trim="trim-silence",
    )
    response.redirect(url_for("voice.gather", step=step, lang=language), method="POST")
    return twiml(response)


def language_menu(
    settings: Settings,
    *,
    locale: str,
    attempt: int = 1,
    unheard: bool = False,
    response: VoiceResponse | None = None,
) -> Response:
    """Ask an unknown caller to choose Spanish or English (or 0 for a person), by key or by
    voice, listening in ``locale``; the second asking starts "I didn't get that", or after
    silence (``unheard``) "I didn't hear you"."""
    response = response or VoiceResponse()
    action = (
        url_for("voice.language_choice", attempt=attempt)
        if attempt > 1
        else url_for("voice.language_choice")
    )
    node = response.gather(
        input="speech dtmf",
        action=action,
        method="POST",
        language=locale,
        speech_timeout="auto",
        timeout=5,
        num_digits=1,
        hints=MENU_HINTS,
        action_on_empty_result=True,
        barge_in=True,
    )
    for language, text in menu_texts(settings, again=attempt > 1, unheard=unheard):
        _say(node, text, language, settings)
    return twiml(response)


def hold(text: str, language: str, settings: Settings, *, job_id: int) -> Response:
    """Say a short filler (or pause) and come back to the poll endpoint for the result."""
    response = VoiceResponse()
    if text:
        _say(response, text, language, settings)
    else:
        response.pause(length=HOLD_PAUSE_SECONDS)
    response.redirect(url_for("voice.hold_poll", job=job_id, lang=language), method="POST")
    return twiml(response)


def handoff(text: str, language: str, settings: Settings, mode: str, opens: str = "") -> Response:
    """Say ``text`` and reach a person: the queue, a dialled agent, or voicemail (telling when
    people answer again, ``opens``, when known)."""
    response = VoiceResponse()
    if mode == VOICEMAIL:
        if text:
            _say(response, text, language, settings)
        return voicemail(language, settings, reason="closed", response=response, opens=opens)
    if text:
        _say(response, text, language, settings)
    if mode == DIAL:
        dial = Dial(
            action=url_for("voice.dial_result", lang=language),
            method="POST",
            timeout=DIAL_TIMEOUT_SECONDS,
            answer_on_bridge=True,
        )
        target = settings.voice_dial_target
        if target.startswith("sip"):
            dial.sip(target)
        else:
            dial.number(target)
        response.append(dial)
    else:
        response.enqueue(
            settings.agent_queue,
            action=url_for("voice.queue_result", lang=language),
            method="POST",
            wait_url=url_for("voice.queue_wait", lang=language),
            wait_url_method="POST",
        )
    return twiml(response)


def voicemail(
    language: str,
    settings: Settings,
    *,
    reason: str,
    response: VoiceResponse | None = None,
    opens: str = "",
) -> Response:
    """Invite the caller to leave a message after the tone, and record it.

    ``reason`` words the invitation: ``closed`` (outside business hours, saying when people
    answer again, ``opens``, on the caller's clock), ``busy`` (the queue or the agent's line
    failed: nobody is available) or ``chosen`` (the caller left the queue for it). Twilio
    skips the action URL when nothing was recorded and goes on to the redirect, which is how
    an empty voicemail is noticed.
    """
    response = response or VoiceResponse()
    _say(response, prompts.say(f"voicemail_{reason}", language, opens=opens), language, settings)
    response.record(
        action=url_for("voice.voicemail_left", lang=language),
        method="POST",
        max_length=settings.voice_voicemail_max_seconds,
        timeout=5,
        play_beep=True,
        finish_on_key="#",
        trim="trim-silence",
        recording_status_callback=url_for("voice.recording", kind="voicemail"),
        recording_status_callback_method="POST",
        recording_status_callback_event="completed absent",
    )
    response.redirect(url_for("voice.voicemail_left", empty=1, lang=language), method="POST")
    return twiml(response)


def queue_wait(text: str, language: str, settings: Settings, *, offer_voicemail: bool) -> Response:
    """What a queued caller hears: ``text`` (their place in line and any voicemail offer,
    :func:`contactpro.voice.waiting.queue_announcement`), then hold music; with the offer, 1
    leaves the queue."""
    response = VoiceResponse()
    if offer_voicemail:
        node = response.gather(
            input="dtmf",
            num_digits=1,
            timeout=3,
            action=url_for("voice.queue_leave", lang=language),
            method="POST",
        )
        _say(node, text, language, settings)
    elif text:
        _say(response, text, language, settings)
    if settings.voice_hold_music_url:
        response.play(settings.voice_hold_music_url)
    else:
        response.pause(length=20)
    return twiml(response)


def leave_queue() -> Response:
    """Take the caller out of the queue (the Enqueue action then gets QueueResult=leave)."""
    response = VoiceResponse()
    response.leave()
    return twiml(response)


def say_then(text: str, language: str, settings: Settings, *, play_music: bool) -> Response:
    """Say ``text``, then hold music (back in the queue's wait loop) or nothing more."""
    response = VoiceResponse()
    _say(response, text, language, settings)
    if play_music and settings.voice_hold_music_url:
        response.play(settings.voice_hold_music_url)
    return twiml(response)


def hangup(text: str, language: str, settings: Settings) -> Response:
    """Say ``text`` and end the call."""
    response = VoiceResponse()
    _say(response, text, language, settings)
    response.hangup()
    return twiml(response)


def empty_voice() -> Response:
    """An empty TwiML document, for callbacks that need no instructions."""
    return twiml(VoiceResponse())


def enqueue(text: str, language: str, settings: Settings) -> Response:
    """Say ``text`` and reach a person the configured way, touching no database."""
    return handoff(text, language, settings, settings.voice_handoff)


def render(step: Step, settings: Settings, *, response: VoiceResponse | None = None) -> Response:
    """Render the call's next step; a prompt or the menu goes on after ``response``'s verbs."""
    if isinstance(step, Held):
        return hold(step.text, step.language, settings, job_id=step.job_id)
    if isinstance(step, HandOff):
        return handoff(step.text, step.language, settings, step.mode, step.opens)
    if isinstance(step, HangUp):
        return hangup(step.text, step.language, settings)
    if isinstance(step, LanguageMenu):
        return language_menu(
            settings,
            locale=step.locale,
            attempt=step.attempt,
            unheard=step.unheard,
            response=response,
        )
    if step.record:
        return record_turn(
            step.text, step.language, settings, step=step.sequence, response=response
        )
    return gather(
        step.text,
        step.language,
        settings,
        step=step.sequence,
        locale=step.locale,
        number=step.number,
        task=step.task,
        yes_no=step.yes_no,
        response=response,
    )


def after_queue(queue_result: str, language: str, settings: Settings) -> Response:
    """Answer a caller out of the queue: voicemail if they chose it or it failed them (saying
    that nobody is available); the words are those stored (:func:`handoff.after_queue_prompt`)."""
    prompt = after_queue_prompt(queue_result)
    if prompt is None:
        return empty_voice()
    return voicemail(language, settings, reason=prompt.removeprefix("voicemail_"))


def after_dial(dial_status: str, language: str, settings: Settings) -> Response:
    """Answer after the agent leg: goodbye once a person talked to them, else voicemail
    saying that nobody is available (:func:`handoff.after_dial_prompt`)."""
    prompt = after_dial_prompt(dial_status)
    if prompt == AGENT_FINISHED:
        return hangup(prompts.say(prompt, language), language, settings)
    return voicemail(language, settings, reason=prompt.removeprefix("voicemail_"))


def after_voicemail(empty: bool, language: str, settings: Settings) -> Response:
    """Say goodbye after voicemail: thanks for the message, or that none was heard."""
    return hangup(prompts.say(after_voicemail_prompt(empty), language), language, settings)
