"""Reply texts in Spanish and English, and how money and dates read in each language."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

MONTHS_ES = (
    "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre"
).split()
CURRENCY_WORDS = {
    "COP": {"es": "pesos", "en": "Colombian pesos"},
    "MXN": {"es": "pesos mexicanos", "en": "Mexican pesos"},
    "USD": {"es": "dólares", "en": "dollars"},
}

REPLIES: dict[str, dict[str, str]] = {
    "greeting_known": {
        "es": "Hola {name}, gracias por comunicarte con {company}. ¿En qué te puedo ayudar?",
        "en": "Hi {name}, thanks for contacting {company}. How can I help you today?",
    },
    "greeting_unknown": {
        "es": "Hola, gracias por comunicarte con {company}. ¿En qué te puedo ayudar?",
        "en": "Hi, thanks for contacting {company}. How can I help you today?",
    },
    "how_can_i_help": {
        "es": "¿En qué más te puedo ayudar?",
        "en": "What else can I help you with?",
    },
    "reprompt": {
        "es": "No te escuché. Puedes preguntarme por tu saldo o decir asesor para hablar con "
        "una persona.",
        "en": "I didn't hear you. You can ask about your balance, or say agent to talk to a "
        "person.",
    },
    "clarify": {
        "es": "Disculpa, no entendí. Puedo ayudarte con tu saldo y tu factura, o comunicarte "
        "con un asesor. ¿Qué necesitas?",
        "en": "Sorry, I didn't get that. I can help with your balance and your bill, or put "
        "you through to an agent. What do you need?",
    },
    "balance": {
        "es": "Tu saldo en la cuenta {account} es de {balance}, con fecha límite de pago el "
        "{due_date}.",
        "en": "The balance on account {account} is {balance}, due on {due_date}.",
    },
    "balance_zero": {
        "es": "Tu cuenta {account} está al día: no tienes saldo pendiente.",
        "en": "Your account {account} is up to date: there is nothing to pay.",
    },
    "no_account": {
        "es": "No encontré una cuenta asociada a este número. Te comunico con un asesor para "
        "ayudarte.",
        "en": "I couldn't find an account linked to this number. Let me connect you with an agent.",
    },
    "escalate_voice": {
        "es": "Te comunico con un asesor. Por favor espera en línea.",
        "en": "I'm connecting you with an agent. Please stay on the line.",
    },
    "escalate_sms": {
        "es": "Un asesor revisará tu caso y te contactará pronto.",
        "en": "An agent will review your case and contact you shortly.",
    },
    "goodbye": {
        "es": "Gracias por comunicarte con {company}. ¡Que tengas un buen día!",
        "en": "Thanks for contacting {company}. Have a great day!",
    },
    "empty_sms": {
        "es": "Recibimos tu mensaje sin texto. Escríbenos tu consulta, por ejemplo: saldo.",
        "en": "We got your message without any text. Please write your question, e.g. balance.",
    },
    "too_long_sms": {
        "es": "Tu mensaje es muy largo. Envíanos una consulta más corta, por favor.",
        "en": "Your message is too long. Please send us a shorter question.",
    },
    "unreadable_sms": {
        "es": "No pudimos leer tu mensaje. Por favor escríbelo de nuevo.",
        "en": "We couldn't read your message. Please write it again.",
    },
    "technical_problem": {
        "es": "Lo sentimos, tenemos un problema técnico. Te comunicamos con un asesor.",
        "en": "Sorry, we're having a technical problem. Connecting you with an agent.",
    },
}


def render(key: str, language: str, **values: object) -> str:
    """Return reply ``key`` in ``language`` (Spanish when unknown) with ``values`` filled in."""
    texts = REPLIES[key]
    return texts.get(language, texts["es"]).format(**values)


def format_money(amount: Decimal, currency: str, language: str) -> str:
    """Read an amount the way a customer says it: ``125.000 pesos`` / ``125,000 Colombian pesos``.

    Pesos are whole; cents are kept for dollars.
    """
    cents = currency == "USD"
    quantum = Decimal("0.01") if cents else Decimal("1")
    value = amount.quantize(quantum, rounding=ROUND_HALF_UP)
    text = f"{value:,.2f}" if cents else f"{value:,.0f}"
    if language == "es":
        text = text.replace(",", "_").replace(".", ",").replace("_", ".")
    words = CURRENCY_WORDS.get(currency, {"es": currency, "en": currency})[language]
    return f"{text} {words}"


def format_date(day: date, language: str) -> str:
    """Read a date naturally: ``15 de diciembre`` / ``December 15``."""
    if language == "es":
        return f"{day.day} de {MONTHS_ES[day.month - 1]}"
    return f"{day:%B} {day.day}"
