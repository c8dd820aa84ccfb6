"""What reaches an LLM prompt: no secrets, ids, names or street addresses; the request stays."""

from __future__ import annotations

import pytest

from contactpro.privacy import mask_for_llm, mask_identifier

MASKED = [
    (
        "Hola, me llamo Juan Pérez y vivo en la Calle 45 # 12-34 apto 301, Bogotá",
        "Hola, me llamo [NAME] y vivo en la [ADDRESS], Bogotá",
    ),
    ("me llamo maría fernanda y quiero pagar", "me llamo [NAME] y quiero pagar"),
    ("Mi nombre es Carlos Andrés Ruiz, quiero mi saldo", "Mi nombre es [NAME], quiero mi saldo"),
    ("Soy Ana María Gómez de la Torre", "Soy [NAME]"),
    ("a nombre de Luis Fernando Díaz", "a nombre de [NAME]"),
    (
        "my name is Mary Ann Smith, I live at 123 Main Street Apt 4",
        "my name is [NAME], I live at [ADDRESS]",
    ),
    ("This is John Miller calling about my bill", "This is [NAME] calling about my bill"),
    ("la dirección es Cra. 7 No. 45-10 interior 2", "la dirección es [ADDRESS]"),
    ("envíenla a la carrera 15 #88-64 torre 2 apto 501", "envíenla a la [ADDRESS]"),
    ("Kr 15 #88-64", "[ADDRESS]"),
    ("Diagonal 23 Bis Sur # 4-56", "[ADDRESS]"),
    ("Av. Reforma 222, Col. Juárez", "[ADDRESS]"),
    ("ship it to 4500 Oak Avenue, Suite 210", "ship it to [ADDRESS]"),
    ("cvv 123 y clave 987", "cvv [código] y clave [clave]"),
    ("tarjeta 4111 1111 1111 1111", "tarjeta [CARD]"),
    ("cédula 1.020.345.678", "cédula [NUMBER]"),
    (
        "my security code is 123 and my pin is 4455",
        "my security code is [code] and my pin is [password]",
    ),
]

UNTOUCHED = [
    "soy cliente hace años y quiero cancelar",
    "I am calling about my bill",
    "estoy en la calle, no puedo hablar",
    "the street is noisy, call me later",
    "quiero pagar en 3 cuotas",
    "Quiero Cancelar El Servicio",
    "vivo en la calle 80 con 30",  # no house number: not enough to find anyone
]


@pytest.mark.parametrize(("text", "expected"), MASKED)
def test_names_addresses_and_secrets_are_masked(text: str, expected: str) -> None:
    assert (
        mask_for_llm(text, "en" if text.isascii() and " my " in f" {text} " else "es") == expected
    )


@pytest.mark.parametrize("text", UNTOUCHED)
def test_ordinary_requests_are_left_alone(text: str) -> None:
    assert mask_for_llm(text) == text


def test_the_customers_name_on_file_is_masked_wherever_it_appears() -> None:
    masked = mask_for_llm(
        "hola soy pedro, el titular es Pedro Ramírez y mi mamá es Ana",
        known_names=["Pedro Ramírez"],
    )
    assert masked == "hola soy [NAME], el titular es [NAME] y mi mamá es Ana"
    assert mask_for_llm("ramirez pidió el paz y salvo", known_names=["Pedro Ramírez"]) == (
        "[NAME] pidió el paz y salvo"
    )


def test_the_existing_llm_masks_still_apply() -> None:
    masked = mask_for_llm("escríbanme a juan.p@mail.com, cel 310-987-6543, curp abcd900101hdfrrn09")
    assert masked == "escríbanme a [EMAIL], cel [NUMBER], curp [ID]"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1.020.345.678", "******5678"),
        ("1020345678", "******5678"),
        ("900.123.456-7", "******4567"),
        ("ABCD900101HDFRRN09", "**************RN09"),
        ("123", "***"),
        ("", ""),
        (None, ""),
    ],
)
def test_identifiers_are_masked_for_display(value: str | None, expected: str) -> None:
    assert mask_identifier(value) == expected
