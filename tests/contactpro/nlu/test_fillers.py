"""Speech fillers carry nothing: "pues este quiero cancelar" is read as "quiero cancelar"."""

from __future__ import annotations

import pytest

from contactpro.nlu.text import without_fillers


@pytest.mark.parametrize(
    ("said", "meant"),
    [
        ("pues este quiero cancelar", "quiero cancelar"),
        ("eh cómo activo el roaming", "cómo activo el roaming"),
        ("Ehh, mi internet no sirve", "mi internet no sirve"),
        ("este... cuánto debo", "cuánto debo"),
        ("o sea no tengo señal", "no tengo señal"),
        ("so uh roaming how does that work", "roaming how does that work"),
        ("um I want to check my balance", "I want to check my balance"),
        ("well, like, my internet is down", "my internet is down"),
        ("I paid um fifty dollars", "I paid fifty dollars"),
    ],
)
def test_fillers_are_dropped(said: str, meant: str) -> None:
    assert without_fillers(said) == meant


@pytest.mark.parametrize(
    "said",
    [
        "este mes no pude pagar",  # "este" is "this" before a noun
        "ok",
        "bueno",
        "bueno, cancélalo",  # answers, not fillers
        "okay I'll take it",
        "hmm",  # only fillers: kept as said
        "pues",
        "like",
        "emma rojas",  # a name is no "em"
    ],
)
def test_words_that_mean_something_stay(said: str) -> None:
    assert without_fillers(said) == said
