"""Language detection on short utterances, with the IVR choice and earlier turns."""

from __future__ import annotations

import pytest

from contactpro.nlu.datasets import shipped_split
from contactpro.nlu.language import detect_language


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("cuánto debo", "es"),
        ("how much do I owe", "en"),
        ("sí señor", "es"),
        ("yes please", "en"),
        ("se me cayó el internet", "es"),
        ("my internet is down", "en"),
        ("gracias chao", "es"),
        ("thanks bye", "en"),
        ("¿me manda el link?", "es"),
        ("I'm done", "en"),
    ],
)
def test_short_utterances(text: str, language: str) -> None:
    assert detect_language(text, default="xx").language == language


@pytest.mark.parametrize("text", ["no", "ok", "internet", "1023456789", ""])
def test_words_both_languages_share_keep_the_conversation_language(text: str) -> None:
    assert detect_language(text, hint="en").language == "en"
    assert detect_language(text, previous=["es", "es"]).language == "es"
    assert detect_language(text, default="en").language == "en"


def test_utterance_evidence_beats_a_weak_prior() -> None:
    guess = detect_language("quiero pagar mi factura por favor", hint="en", previous=["en"])
    assert guess.language == "es"
    assert guess.confidence > 0.8


def test_latest_turn_weighs_most() -> None:
    assert detect_language("ok", previous=["en", "en", "es"]).language == "es"
    assert detect_language("ok", previous=["es", "en"]).language == "en"


def test_held_out_corpus_language_accuracy() -> None:
    _, held_out = shipped_split()
    right = sum(detect_language(ex.text, default="xx").language == ex.language for ex in held_out)
    assert right / len(held_out) >= 0.93


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("hi, how much do I owe?", "en"),
        ("u charged me twice", "en"),
        ("pls call me asap", "en"),
        ("I\u2019m not paying that", "en"),
        ("how much is unlimited mobile?", "en"),
        ("hola buenas, cuanto debo?", "es"),
        ("q paso con mi internet", "es"),
        ("me cobraron dos veces", "es"),
    ],
)
def test_a_clear_message_wins_over_the_hint(text: str, language: str) -> None:
    other = "es" if language == "en" else "en"
    guess = detect_language(text, hint=other, previous=[other, other, other])
    assert guess.clear and guess.language == language


@pytest.mark.parametrize(
    "text", ["ok", "si", "sí", "yes", "no thanks", "no gracias", "4050", "Carlos Perez", "gracias"]
)
def test_short_or_ambiguous_messages_are_not_clear(text: str) -> None:
    assert not detect_language(text, hint="en").clear
    assert not detect_language(text, hint="es").clear
