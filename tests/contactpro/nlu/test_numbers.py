"""Spoken numbers in both languages: values, hundreds the English way, and dictated digits."""

from __future__ import annotations

import pytest

from contactpro.nlu.numbers import spoken_value, words_to_digits


@pytest.mark.parametrize(
    ("said", "value"),
    [
        ("twelve hundred", 1200),
        ("a hundred", 100),
        ("hundred", 100),
        ("nineteen hundred and fifty nine", 1959),
        ("eleven hundred fifty six", 1156),
        ("twenty five hundred", 2500),
        ("two thousand five hundred", 2500),
        ("a thousand two hundred", 1200),
        ("one hundred and five", 105),
        ("three hundred forty two", 342),
        ("two hundred thousand", 200000),
        ("a million", 1000000),
    ],
)
def test_english_values(said: str, value: int) -> None:
    assert spoken_value(said) == value


@pytest.mark.parametrize(
    ("said", "value"),
    [
        ("cien", 100),
        ("ciento cinco", 105),
        ("mil doscientos", 1200),
        ("mil novecientos cincuenta y nueve", 1959),
        ("ciento veinte mil", 120000),
        ("dos millones trescientos mil", 2300000),
        ("quinientos cincuenta", 550),
        ("un millon", 1000000),
    ],
)
def test_spanish_values(said: str, value: int | None) -> None:
    assert spoken_value(said) == value


@pytest.mark.parametrize(
    ("text", "digits"),
    [
        ("twelve hundred dollars", "1200 dollars"),
        ("a hundred dollars", "100 dollars"),
        ("i paid a hundred and twenty dollars", "i paid 120 dollars"),
        ("the eleven hundred fifty six dollar one", "the 1156 dollar one"),
        ("i was born in nineteen hundred and fifty nine", "i was born in 1959"),
        ("one four five seven", "1457"),  # dictated digits stay a digit string
        ("one zero two three", "1023"),
        ("a plan please", "a plan please"),  # "a" is a number only before hundred/thousand
        ("", ""),
        ("pagué mil doscientos pesos", "pagué 1200 pesos"),
        ("diez veinte treinta y cuatro", "102034"),
        ("uno cero dos", "102"),
        ("quiero hablar con una persona", "quiero hablar con una persona"),
    ],
)
def test_words_to_digits_in_both_languages(text: str, digits: str) -> None:
    assert words_to_digits(text) == digits
