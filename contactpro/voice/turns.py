"""How a caller's turn is heard: Twilio's speech recognition, or a recording for Whisper."""

from __future__ import annotations

from contactpro.config import Settings
from contactpro.phone import to_e164


def record_mode(settings: Settings, language: str, to_number: str) -> bool:
    """Return True when turns are recorded and transcribed instead of Twilio's recogniser.

    Configured per language (``CONTACTPRO_VOICE_RECORD_LANGUAGES``) or per called number
    (``CONTACTPRO_VOICE_RECORD_NUMBERS``).
    """
    if language in settings.voice_record_languages:
        return True
    numbers = {to_e164(n) or n for n in settings.voice_record_numbers}
    return bool(numbers) and (to_e164(to_number) or to_number) in numbers
