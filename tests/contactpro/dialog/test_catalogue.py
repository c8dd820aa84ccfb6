"""The text catalogues (callers', console's): complete in both languages, read by one loader."""

from __future__ import annotations

from pathlib import Path

import pytest

from contactpro.config import LANGUAGES
from contactpro.console.strings import STRINGS_DIR, console_strings
from contactpro.dialog.templates import DEFAULTS_DIR, Templates, load_catalogue, texts
from contactpro.voice import prompts
from webhooks.console.i18n import translate

PROMPTS = (
    "language_menu",
    "recording_notice",
    "how_can_i_help",
    "connecting",
    "still_working",
    "queue_next",
    "offer_voicemail",
    "stay_on_line",
    "voicemail_closed",
    "voicemail_busy",
    "voicemail_chosen",
    "language_default",
    "keypad_number",
    "voicemail_thanks",
    "voicemail_empty",
    "agent_finished",
)


def _catalogue(language: str, folder: Path = DEFAULTS_DIR) -> dict[str, object]:
    return load_catalogue(folder / f"{language}.toml")


@pytest.mark.parametrize("folder", [DEFAULTS_DIR, STRINGS_DIR], ids=["callers", "console"])
def test_every_key_exists_in_spanish_and_english_with_the_same_shape(folder: Path) -> None:
    es, en = _catalogue("es", folder), _catalogue("en", folder)
    assert sorted(es) == sorted(en)
    for key in es:
        assert type(es[key]) is type(en[key]), key
        if isinstance(es[key], list):
            assert len(es[key]) == len(en[key]), key  # type: ignore[arg-type]


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_phone_prompt_and_constant_text_reads_from_the_catalogue(language: str) -> None:
    catalogue = _catalogue(language)
    for key in PROMPTS:
        assert prompts.catalogue_key(key) in catalogue
        assert prompts.say(key, language, company="Acme").strip()
    assert prompts.say("queue_position", language, position=3).count("3") == 1
    fillers = {prompts.filler(language, turn) for turn in range(3)}
    assert fillers == set(catalogue["voice_fillers"])  # type: ignore[arg-type]
    for key in ("sms_acknowledgement", "voice_rate_limited"):
        assert texts(key)[language] == catalogue[key]


def test_connecting_is_the_dialog_hand_off_text() -> None:
    """The hand-off promise is one text, so the voicemail path can strip it from a reply."""
    templates = Templates()
    for language in LANGUAGES:
        assert prompts.say("connecting", language) == templates.render("escalate_voice", language)


def test_texts_by_language_know_only_the_catalogue_languages() -> None:
    acknowledgement = texts("sms_acknowledgement")
    assert list(acknowledgement) == list(LANGUAGES) and "fr" not in acknowledgement
    with pytest.raises(KeyError):
        acknowledgement["fr"]
    assert prompts.say("stay_on_line", "fr") == prompts.say("stay_on_line", "es")


def test_console_strings_come_from_their_catalogue() -> None:
    strings = console_strings()
    assert strings["queue_title"] == {"es": "Cola de escalamientos", "en": "Escalation queue"}
    assert translate("logout", "es") == "Cerrar sesión" and translate("logout", "fr") == "Log out"
    assert translate("no_such_key", "es") == "no_such_key"
