"""What the bot says on the phone beyond the dialog's replies, in Spanish and English."""

from __future__ import annotations

PROMPTS: dict[str, dict[str, str]] = {
    "language_menu": {
        "es": "Bienvenido a {company}. Para español, oprima 1 o diga español.",
        "en": "For English, press 2 or say English.",
    },
    "recording_notice": {
        "es": "Esta llamada será grabada para mejorar nuestro servicio.",
        "en": "This call will be recorded to improve our service.",
    },
    "how_can_i_help": {
        "es": "Perfecto. ¿En qué te puedo ayudar?",
        "en": "Great. How can I help you today?",
    },
    "connecting": {
        "es": "Te comunico con un asesor. Por favor espera en línea.",
        "en": "I'm connecting you with an agent. Please stay on the line.",
    },
    "filler_0": {"es": "Un momento, por favor.", "en": "One moment, please."},
    "filler_1": {"es": "Déjame revisar.", "en": "Let me check."},
    "filler_2": {"es": "Dame un segundo.", "en": "Give me a second."},
    "still_working": {
        "es": "Sigo revisando, gracias por esperar.",
        "en": "Still checking, thanks for waiting.",
    },
    "queue_position": {
        "es": "Eres el número {position} en la fila. Un asesor te atenderá pronto.",
        "en": "You are number {position} in line. An agent will be with you shortly.",
    },
    "queue_next": {
        "es": "Eres el siguiente en la fila. Un asesor te atenderá enseguida.",
        "en": "You are next in line. An agent will be with you in a moment.",
    },
    "offer_voicemail": {
        "es": "La espera es más larga de lo normal. Para dejar un mensaje y que te llamemos, "
        "oprime 1. O sigue en línea.",
        "en": "The wait is longer than usual. To leave a message and get a call back, press 1. "
        "Or stay on the line.",
    },
    "stay_on_line": {
        "es": "Muy bien, sigue en línea.",
        "en": "All right, please stay on the line.",
    },
    "voicemail_closed": {
        "es": "En este momento nuestros asesores no están disponibles. Deja tu mensaje después "
        "del tono y te responderemos pronto. Al terminar, oprime numeral.",
        "en": "Our agents are not available right now. Leave your message after the tone and "
        "we'll get back to you soon. Press pound when you're done.",
    },
    "voicemail_busy": {
        "es": "Deja tu mensaje después del tono y te responderemos pronto. Al terminar, oprime "
        "numeral.",
        "en": "Leave your message after the tone and we'll get back to you soon. Press pound "
        "when you're done.",
    },
    "voicemail_thanks": {
        "es": "Recibimos tu mensaje. Te responderemos pronto. ¡Hasta luego!",
        "en": "We got your message. We'll get back to you soon. Goodbye!",
    },
    "voicemail_empty": {
        "es": "No recibimos ningún mensaje. Un asesor te devolverá la llamada. ¡Hasta luego!",
        "en": "We didn't get a message. An agent will call you back. Goodbye!",
    },
    "agent_finished": {
        "es": "Gracias por comunicarte con nosotros. ¡Hasta luego!",
        "en": "Thanks for calling. Goodbye!",
    },
}
FILLERS = ("filler_0", "filler_1", "filler_2")


def say(key: str, language: str, **values: object) -> str:
    """Return prompt ``key`` in ``language`` (Spanish when unknown) with ``values`` filled in."""
    texts = PROMPTS[key]
    return texts.get(language, texts["es"]).format(**values)


def filler(language: str, turn: int) -> str:
    """Return a short filler for a held turn; consecutive turns hear different words."""
    return say(FILLERS[turn % len(FILLERS)], language)
