"""The intent taxonomy of ContactPro, in one place (docs/intents.md renders the same table).

Every tier answers with one of these names. ``out_of_scope`` is what the cascade returns when no
tier is sure enough: the dialog asks once for clarification and then hands over to a person.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Intent:
    """One intent: its name, what it covers, and one example per language."""

    name: str
    description: str
    example_es: str
    example_en: str


INTENTS: tuple[Intent, ...] = (
    Intent(
        "billing_inquiry",
        "Balance, amount due, due date, charges on the bill.",
        "cuánto debo este mes",
        "how much do I owe",
    ),
    Intent(
        "payment_how",
        "Where and how to pay: channels, banks, stores, accepted methods.",
        "dónde puedo pagar la factura",
        "how can I pay my bill",
    ),
    Intent(
        "payment_made",
        "The caller already paid (or reports a payment) and wants it applied.",
        "ya pagué ayer por nequi",
        "I already paid yesterday",
    ),
    Intent(
        "payment_link",
        "Asks for a payment link or reference by SMS, WhatsApp or email.",
        "mándeme el link de pago",
        "text me the payment link",
    ),
    Intent(
        "debt_negotiation",
        "Cannot pay in full: payment plan, instalments, extension.",
        "puedo pagar en cuotas",
        "can I set up a payment plan",
    ),
    Intent(
        "connection_problem",
        "Service not working: no internet, slow, no signal, outage.",
        "no tengo internet desde ayer",
        "my internet is down",
    ),
    Intent(
        "cancellation",
        "Wants to cancel, terminate or port out the service.",
        "quiero cancelar el servicio",
        "I want to cancel my service",
    ),
    Intent(
        "product_info",
        "Plans, prices, speeds, coverage, upgrades, new services.",
        "qué planes tienen",
        "what plans do you have",
    ),
    Intent(
        "agent_request",
        "Explicitly asks for a person: agent, adviser, operator, human.",
        "quiero hablar con un asesor",
        "let me talk to a person",
    ),
    Intent(
        "complaint",
        "Dissatisfaction with service, staff, charges or a previous call.",
        "quiero poner una queja",
        "I want to file a complaint",
    ),
    Intent(
        "identification",
        "Gives a national id, account or contract number to be identified.",
        "mi cédula es 1.023.456.789",
        "my account number is 55123478",
    ),
    Intent("affirm", "Yes, confirms what the bot said.", "sí señor", "yes that's right"),
    Intent("deny", "No, rejects what the bot said.", "no gracias", "nope"),
    Intent("greeting", "Hello, good morning, only a greeting.", "buenas tardes", "hi there"),
    Intent("goodbye", "Ends the conversation, thanks and bye.", "gracias chao", "that's all bye"),
    Intent(
        "out_of_scope",
        "Anything the product does not handle, or nobody understood.",
        "qué hora es en japón",
        "what's the weather like",
    ),
)

INTENT_NAMES: tuple[str, ...] = tuple(i.name for i in INTENTS)
OUT_OF_SCOPE = "out_of_scope"

# What a single DTMF digit means in the main IVR menu when the dialog passes no menu of its own.
DEFAULT_DTMF_MENU: tuple[tuple[str, str], ...] = (
    ("1", "billing_inquiry"),
    ("2", "payment_how"),
    ("3", "connection_problem"),
    ("4", "debt_negotiation"),
    ("5", "product_info"),
    ("9", "cancellation"),
    ("0", "agent_request"),
)


def describe(name: str) -> Intent:
    """Return the taxonomy entry of ``name``; raise KeyError for an unknown intent."""
    for intent in INTENTS:
        if intent.name == name:
            return intent
    raise KeyError(name)
