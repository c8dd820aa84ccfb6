"""TwiML answers: what Twilio says, gathers, queues or sends next."""

from __future__ import annotations

from flask import Response, url_for
from twilio.twiml.messaging_response import MessagingResponse
from twilio.twiml.voice_response import VoiceResponse

from contactpro.config import Settings

TWIML_MIMETYPE = "application/xml"

# Words Twilio's recogniser should expect; the understanding cascade can widen these.
SPEECH_HINTS = {
    "es": "saldo, factura, pagar, asesor, agente, deuda, internet, cancelar, cuánto debo",
    "en": "balance, bill, pay, agent, representative, debt, internet, cancel, how much do I owe",
}


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


def _say(node: VoiceResponse, text: str, language: str, settings: Settings) -> None:
    node.say(text, voice=settings.voice_name(language), language=settings.voice_locale(language))


def gather(text: str, language: str, settings: Settings, *, step: int) -> Response:
    """Say ``text`` and listen for speech or keys; silence also posts back (no-input)."""
    response = VoiceResponse()
    node = response.gather(
        input="speech dtmf",
        action=url_for("voice.gather", step=step),
        method="POST",
        language=settings.voice_locale(language),
        speech_timeout="auto",
        timeout=6,
        num_digits=1,
        hints=SPEECH_HINTS.get(language, ""),
        action_on_empty_result=True,
    )
    _say(node, text, language, settings)
    return twiml(response)


def enqueue(text: str, language: str, settings: Settings) -> Response:
    """Say ``text`` and put the caller in the agent queue."""
    response = VoiceResponse()
    if text:
        _say(response, text, language, settings)
    response.enqueue(settings.agent_queue, action=url_for("voice.queue_result"), method="POST")
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
