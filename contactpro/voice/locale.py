"""Which locale Twilio listens in and which voice speaks, per language and market.

Speech recognition (``<Gather language>``) follows the caller's market when it is known: a
Mexican customer is heard as ``es-MX``, a Colombian one as ``es-CO``, an American one as
``es-US`` or ``en-US``; otherwise ``CONTACTPRO_VOICE_LOCALE_ES`` / ``_EN``. Text-to-speech
(``<Say voice language>``) uses ``CONTACTPRO_VOICE_NAME_ES`` / ``_EN`` with the locale that voice
speaks (Polly has no ``es-CO`` voice: ``Polly.Lupe`` speaks ``es-US``, ``Polly.Mia`` ``es-MX``),
because Twilio may fail a ``<Say>`` whose voice and language do not match.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy.orm import Session

from contactpro.config import Settings
from contactpro.markets import market_of
from contactpro.models import Account, Customer, Interaction

# Speech recognition locale of each (language, market).
RECOGNITION_LOCALES = {
    ("es", "co"): "es-CO",
    ("es", "mx"): "es-MX",
    ("es", "us"): "es-US",
    ("en", "us"): "en-US",
}
# The locale each Amazon Polly voice Twilio offers for Spanish and English speaks.
POLLY_LOCALES = {
    **dict.fromkeys(("Lupe", "Penelope", "Miguel", "Pedro"), "es-US"),
    **dict.fromkeys(("Mia", "Andres"), "es-MX"),
    **dict.fromkeys(("Conchita", "Lucia", "Enrique", "Sergio"), "es-ES"),
    **dict.fromkeys(
        (
            "Joanna",
            "Salli",
            "Kimberly",
            "Kendra",
            "Ivy",
            "Ruth",
            "Danielle",
            "Joey",
            "Justin",
            "Kevin",
            "Matthew",
            "Stephen",
            "Gregory",
        ),
        "en-US",
    ),
    **dict.fromkeys(("Amy", "Emma", "Brian", "Arthur"), "en-GB"),
}
# Polly.Lupe-Neural, Polly.Mia-Generative...: the engine does not change the locale.
_POLLY = re.compile(r"^Polly\.(?P<name>[^\W\d_]+)(-[A-Za-z0-9]+)?$")
# Google.es-US-Standard-A, Google.en-US-Neural2-C...: the locale is in the name.
_GOOGLE = re.compile(r"^Google\.(?P<locale>[a-z]{2}-[A-Z]{2})-")


@dataclass(frozen=True)
class Voice:
    """The text-to-speech voice of a language and the locale it speaks."""

    name: str
    locale: str


def say_voice(settings: Settings, language: str) -> Voice:
    """Return the configured voice of ``language`` with the locale it speaks; a voice whose
    locale is not known here (``woman``, another vendor's) speaks the configured locale."""
    name = settings.voice_name(language)
    locale = None
    if polly := _POLLY.match(name):
        locale = POLLY_LOCALES.get(polly["name"].replace("é", "e").replace("á", "a"))
    elif google := _GOOGLE.match(name):
        locale = google["locale"]
    return Voice(name, locale or settings.voice_locale(language))


def recognition_locale(settings: Settings, language: str, market: str | None) -> str:
    """Return the locale Twilio's recogniser listens in: the market's, else the setting."""
    return RECOGNITION_LOCALES.get((language, market or "")) or settings.voice_locale(language)


def call_market(session: Session, interaction: Interaction) -> str | None:
    """Return the market of the caller: their account's currency, else their number's."""
    state = interaction.state or {}
    customer = interaction.customer
    if customer is None and state.get("customer_id") is not None:
        customer = session.get(Customer, state["customer_id"])
    account = None
    if state.get("account_id") is not None:
        account = session.get(Account, state["account_id"])
    elif customer is not None:
        account = next((a for a in customer.accounts if a.status != "cancelled"), None)
    number = customer.phone if customer is not None else interaction.from_number
    return market_of(account, number)


def call_locale(
    session: Session, settings: Settings, interaction: Interaction, language: str
) -> str:
    """Return the recognition locale of a call's next question in ``language``."""
    return recognition_locale(settings, language, call_market(session, interaction))
