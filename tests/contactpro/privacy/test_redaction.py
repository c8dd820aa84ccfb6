"""Card numbers, security codes and passwords never get past the door; other numbers do."""

from __future__ import annotations

import random
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from contactpro.privacy.redaction import (
    is_card_number,
    localise,
    luhn_valid,
    redact,
    redact_segments,
)

# (message, language, expected after redaction)
REDACTED = [
    # typed cards, Spanish
    (
        "mi tarjeta es 4111 1111 1111 1111 cvv 123",
        "es",
        "mi tarjeta es [tarjeta ****1111] cvv [código]",
    ),
    ("pago con 4111-1111-1111-1111 por favor", "es", "pago con [tarjeta ****1111] por favor"),
    ("4111111111111111", "es", "[tarjeta ****1111]"),
    ("tarjeta: 4111.1111.1111.1111.", "es", "tarjeta: [tarjeta ****1111]."),
    (
        "Mastercard 5500 0000 0000 0004, vence 12/27",
        "es",
        "Mastercard [tarjeta ****0004], vence [vencimiento]",
    ),
    ("amex 3782 822463 10005", "es", "amex [tarjeta ****0005]"),
    ("amex 378282246310005", "es", "amex [tarjeta ****0005]"),
    ("diners 3056 930902 5904", "es", "diners [tarjeta ****5904]"),
    ("visa de 13 dígitos 4222222222222", "es", "visa de 13 dígitos [tarjeta ****2222]"),
    ("discover 6011 1111 1111 1117", "es", "discover [tarjeta ****1117]"),
    ("mastercard 2 series 2223 0031 2200 3222", "es", "mastercard 2 series [tarjeta ****3222]"),
    # a card followed by its expiry and an unlabelled code
    ("4111 1111 1111 1111 12/27 123", "es", "[tarjeta ****1111] [vencimiento] [código]"),
    ("4111 1111 1111 1111, 123", "es", "[tarjeta ****1111], [código]"),
    # spoken cards (speech results and transcriptions)
    (
        "cuatro uno uno uno uno uno uno uno uno uno uno uno uno uno uno uno",
        "es",
        "[tarjeta ****1111]",
    ),
    (
        "el número es cuatro, uno, uno, uno, uno uno uno uno, uno uno uno uno, uno uno uno uno.",
        "es",
        "el número es [tarjeta ****1111].",
    ),
    (
        "cuarenta y uno once once once once once once once "
        "y el código de seguridad es uno dos tres",
        "es",
        "[tarjeta ****1111] y el código de seguridad es [código]",
    ),
    (
        "Cinco cinco cero cero cero cero cero cero cero cero cero cero cero cero cero cuatro",
        "es",
        "[tarjeta ****0004]",
    ),
    (
        "my card is four one one one one one one one one one one one one one one one",
        "en",
        "my card is [card ****1111]",
    ),
    (
        "it's five five oh oh oh oh oh oh oh oh oh oh oh oh oh four and the cvv is one two three",
        "en",
        "it's [card ****0004] and the cvv is [code]",
    ),
    (
        "cuatro uno uno uno uno uno uno uno uno uno uno uno uno uno uno uno, siete tres siete",
        "es",
        "[tarjeta ****1111], [código]",
    ),
    # mixed typed and spoken (speech engines do both)
    ("4111 1111 uno uno uno uno 1111", "es", "[tarjeta ****1111]"),
    # security codes
    ("cvv 123", "es", "cvv [código]"),
    ("CVV: 1234", "es", "CVV: [código]"),
    ("el cvc es 987", "es", "el cvc es [código]"),
    ("código de seguridad 123", "es", "código de seguridad [código]"),
    ("codigo de seguridad: 456", "es", "codigo de seguridad: [código]"),
    ("los tres números de atrás son 321", "es", "los tres números de atrás son [código]"),
    ("el código de verificación es 482913", "es", "el código de verificación es [código]"),
    ("security code 123", "en", "security code [code]"),
    ("the security code is seven eight nine", "en", "the security code is [code]"),
    ("the 3 digits on the back are 555", "en", "the 3 digits on the back are [code]"),
    # PINs and passwords
    ("mi clave es 9876", "es", "mi clave es [clave]"),
    ("Mi clave del cajero es 4321 gracias", "es", "Mi clave del cajero es [clave] gracias"),
    ("mi clave es nueve ocho siete seis", "es", "mi clave es [clave]"),
    ("la contraseña: Gato2024!", "es", "la contraseña: [clave]"),
    ("mi contraseña es 'perrito'", "es", "mi contraseña es [clave]"),
    ("clave de internet 123456", "es", "clave de internet [clave]"),
    ("mi nip es 0000", "es", "mi nip es [clave]"),
    ("password 987", "en", "password [password]"),
    ("my password is hunter22", "en", "my password is [password]"),
    ("pin 1234", "en", "pin [password]"),
    ("my PIN is 1 2 3 4", "en", "my PIN is [password]"),
    ("cvv 123 y clave 987", "es", "cvv [código] y clave [clave]"),
]

# Written with nothing before the card, glued to words and signs, or odd groupings; codes after
# abbreviations, slashes and "de atrás"; passwords after short labels. Case and accents vary.
WRITTEN_EVERY_WAY = [
    ("tarjeta:4111111111111111", "es", "tarjeta:[tarjeta ****1111]"),
    ("tarj.4111111111111111", "es", "tarj.[tarjeta ****1111]"),
    ("mi tarjeta es la #4111111111111111", "es", "mi tarjeta es la #[tarjeta ****1111]"),
    ("tarjeta=4111 1111 1111 1111", "es", "tarjeta=[tarjeta ****1111]"),
    ("card:4111111111111111", "en", "card:[card ****1111]"),
    ("card# 5500 0000 0000 0004", "en", "card# [card ****0004]"),
    ("4111_1111_1111_1111", "es", "[tarjeta ****1111]"),
    ("4111 11111111 1111", "es", "[tarjeta ****1111]"),
    ("41111111 11111111", "es", "[tarjeta ****1111]"),
    ("41 11 11 11 11 11 11 11", "es", "[tarjeta ****1111]"),
    ("tarjeta 4111111111111111exp1227", "es", "tarjeta [tarjeta ****1111]exp1227"),
    ("4111111111111111/123", "es", "[tarjeta ****1111]/[código]"),
    ("4111 1111 1111 1111 / 12/27 / 123", "en", "[card ****1111] / [expiry] / [code]"),
    ("4111111111111111\n123", "es", "[tarjeta ****1111]\n[código]"),
    (
        "4111 1111 1111 1111 vence 12/27 codigo 123",
        "es",
        "[tarjeta ****1111] vence [vencimiento] codigo [código]",
    ),
    (
        "te paso la 5500-0000-0000-0004 y el código es 321",
        "es",
        "te paso la [tarjeta ****0004] y el código es [código]",
    ),
    (
        "Card: 4111-1111-1111-1111, exp: 12/27, CVV: 123",
        "en",
        "Card: [card ****1111], exp: [expiry], CVV: [code]",
    ),
    ("el cod de seguridad 456", "es", "el cod de seguridad [código]"),
    ("CÓD. SEG. 456", "es", "CÓD. SEG. [código]"),
    ("cod seg 123", "es", "cod seg [código]"),
    ("Cód de verificación: 789", "es", "Cód de verificación: [código]"),
    ("ccv 123", "es", "ccv [código]"),
    ("CVV2:4321", "es", "CVV2:[código]"),
    ("cvv123", "es", "cvv[código]"),
    ("los 3 de atras 789", "es", "los 3 de atras [código]"),
    ("los tres de atrás son siete ocho nueve", "es", "los tres de atrás son [código]"),
    ("el de atrás es 555", "es", "el de atrás es [código]"),
    ("código 123 de atrás", "es", "código [código] de atrás"),
    ("sec code 321", "en", "sec code [code]"),
    ("sec. code: 654", "en", "sec. code: [code]"),
    ("the code on the back is 321", "en", "the code on the back is [code]"),
    ("the 3 digit security code is 876", "en", "the 3 digit security code is [code]"),
    (
        "the numbers on the back of the card are 9 8 7",
        "en",
        "the numbers on the back of the card are [code]",
    ),
    ("my code is 321 on the back", "en", "my code is [code] on the back"),
    ("pass: Gato2024", "es", "pass: [clave]"),
    ("pass Gato2024", "es", "pass [clave]"),
    ("PWD: Gato2024", "es", "PWD: [clave]"),
    ("pwd=hunter", "en", "pwd=[password]"),
    ("my pw is Hunter22", "en", "my pw is [password]"),
    ("password: hunter", "en", "password: [password]"),
    ("Mi Contraseña Es: Perrito", "es", "Mi Contraseña Es: [clave]"),
    ("mi clave secreta es 5678", "es", "mi clave secreta es [clave]"),
    ("PIN=4321", "en", "PIN=[password]"),
]

UNTOUCHED = [
    "cédula 1.020.345.678",
    "mi cédula es 1020345678",
    "cedula uno cero dos cero tres cuatro cinco seis siete ocho",
    "debo 125.000 pesos",
    "quiero pagar $1.250.000 el 15/03/2025",
    "pagué 89.900 el 2024-05-12",
    "mi número es +57 300 111 2233",
    "llámenme al 300 111 2233 o al 300 444 5566",
    "+57 300 111 2233 300 444 5566",
    "(555) 123-4567",
    "factura F00000101712606",
    "factura FAC-2024000123",
    "mi cuenta es 0000010171",
    "cuenta:0000010171 y #0000020174",
    "contrato 80000000010 cuenta 0000010171",
    "cédula: 1019673750, celular: 3001112233",
    "1019673750 3001112233",
    "mi cedula 52123456 y mi cel 3001112233",
    "debo 2.500.000 y pago 1.250.000 en 2 cuotas",
    "I can pay $1,250 on 12/15/2026",
    "pagué 450.000 el 03/12/2026 ref 123456789",
    "3001112233/1.250.000",
    "+52 55 1234 5678",
    "555-123-4567",
    "me quedé atrás en 3 pagos",
    "los de atrás del bus",
    "the code didn't arrive",
    "the code on the back is worn out",
    "mi contraseña es incorrecta",
    "pass",
    "I forgot my password",
    "factura número 0012345678901234",
    "la factura 2024000123 de marzo",
    "cuenta 1234567890123",  # fails Luhn and starts with 1
    "4111 1111 1111 1112",  # fails Luhn
    "NIT 900.123.456-7",
    "pedido 4111111111111112",  # 16 digits that fail Luhn
    "quiero pagar en 3 cuotas de 41.666",
    "olvidé mi clave y no puedo entrar",
    "necesito cambiar mi contraseña",
    "my password is wrong",
    "the pin code doesn't work",
    "el código de cliente es 12345",
    "tengo cuatro facturas de dos meses",
    "doscientos mil pesos",
    "I paid once, twice, three times",
    "",
]


@pytest.mark.parametrize(("text", "language", "expected"), REDACTED)
def test_secrets_are_replaced_by_placeholders(text: str, language: str, expected: str) -> None:
    assert redact(text, language) == expected


@pytest.mark.parametrize(("text", "language", "expected"), WRITTEN_EVERY_WAY)
def test_secrets_are_found_however_they_are_written(
    text: str, language: str, expected: str
) -> None:
    assert redact(text, language) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("card:4111111111111111 sec code 321", "card:[card ****1111] sec code [code]"),
        ("the code on the back is 321", "the code on the back is [code]"),
        ("my pw is Hunter22", "my pw is [password]"),
        ("tarjeta:4111111111111111 cod seg 321", "tarjeta:[tarjeta ****1111] cod seg [código]"),
        ("mi clave es 9876", "mi clave es [clave]"),
        ("4111 1111 1111 1111", "[tarjeta ****1111]"),  # no words: the default language
    ],
)
def test_placeholders_follow_the_message_language_when_none_is_given(
    text: str, expected: str
) -> None:
    assert redact(text) == expected


def test_placeholders_are_put_in_the_conversation_language() -> None:
    redacted = redact("4111 1111 1111 1111 / 12/27 / 123 pin 4321")
    assert redacted == "[tarjeta ****1111] / [vencimiento] / [código] pin [clave]"
    english = localise(redacted, "en")
    assert english == "[card ****1111] / [expiry] / [code] pin [password]"
    assert localise(english, "es") == redacted
    assert localise("cuenta 0000010171", "en") == "cuenta 0000010171"


def test_typed_ids_phones_and_amounts_side_by_side_are_not_a_card() -> None:
    """Account numbers, ids, phones and amounts typed one after another, with any separator:
    any 13-19 of their digits together would often pass Luhn, none is a card."""
    generator = random.Random(5)
    separators = [" ", ", ", "-", "/", " - ", "\n", "_"]
    for _ in range(3000):
        numbers = [
            generator.choice(["1", "52", "3", "79"]) + f"{generator.randrange(10**8):08d}",
            f"3{generator.randrange(10**9):09d}",
            f"0000{generator.randrange(10**6):06d}",
            str(generator.randrange(1000, 99999999)),
            f"{generator.randrange(1, 999)}.{generator.randrange(1000):03d}",
        ]
        generator.shuffle(numbers)
        text = generator.choice(separators).join(numbers[: generator.randrange(2, 5)])
        assert redact(text) == text


@pytest.mark.parametrize("text", UNTOUCHED)
def test_ids_amounts_dates_and_phones_are_left_alone(text: str) -> None:
    assert redact(text, "es") == text
    assert redact(text, "en") == text


def test_an_id_and_a_phone_dictated_in_one_breath_are_not_a_card() -> None:
    """20 digit words in a row: any 16 of them would often pass Luhn, so none are a card."""
    generator = random.Random(17)
    words = SPOKEN["es"]
    for _ in range(300):
        cedula = "1" + "".join(generator.choice("0123456789") for _ in range(9))
        celular = "3" + "".join(generator.choice("0123456789") for _ in range(9))
        for digits in (cedula + celular, celular + cedula):
            text = "mi cédula y celular son " + " ".join(words[int(d)] for d in digits)
            assert redact(text) == text


def test_no_card_digits_survive_in_a_long_mixed_message() -> None:
    message = (
        "Buenas, soy cliente, cédula 1.020.345.678. Debo 125.000 pesos de la factura 2024000123. "
        "Quiero pagar con la tarjeta 4111 1111 1111 1111, vence 09/28, cvv 737. Mi clave del "
        "portal es Sol2024* y mi celular +57 300 111 2233."
    )
    redacted = redact(message)
    assert "4111 1111" not in redacted and "737" not in redacted and "Sol2024" not in redacted
    assert "09/28" not in redacted and "vence [vencimiento]" in redacted  # the card's expiry
    for kept in ("1.020.345.678", "125.000", "2024000123", "+57 300 111 2233"):
        assert kept in redacted
    assert redacted.count("[tarjeta ****1111]") == 1


def test_luhn_and_card_shape() -> None:
    assert luhn_valid("4111111111111111") and luhn_valid("79927398713")
    assert not luhn_valid("4111111111111112")
    assert is_card_number("378282246310005")
    assert not is_card_number("1111111111111117")  # no card starts with 1
    assert not is_card_number("41111111111")  # too short


def test_unknown_language_uses_spanish_placeholders() -> None:
    assert redact("pin 1234", "fr") == "pin [clave]"


def test_a_long_body_is_redacted_quickly() -> None:
    body = ("uno dos tres cuatro " * 100) + ("4111 1111 1111 1111 debo 125.000 pesos " * 20)
    started = time.perf_counter()
    redacted = redact(body[:1600])
    assert time.perf_counter() - started < 0.5
    assert "4111 1111 1111 1111" not in redacted
    huge = "uno " * 5000
    started = time.perf_counter()
    redact(huge)
    assert time.perf_counter() - started < 2.0


def test_transcript_segments_are_redacted_as_one_text() -> None:
    segments = [
        "mi tarjeta es cuatro uno uno uno uno uno uno uno",
        "uno uno uno uno uno uno uno uno y el",
        "cvv es uno dos tres gracias",
        "debo 125.000 pesos",
    ]
    assert redact_segments(segments) == [
        "mi tarjeta es [tarjeta ****1111]",
        "y el",
        "cvv es [código] gracias",
        "debo 125.000 pesos",
    ]
    assert redact_segments([]) == []
    assert redact_segments(["4111 1111", "1111 1111"], "en") == ["[card ****1111]", ""]


def _with_check_digit(body: str) -> str:
    for check in "0123456789":
        if luhn_valid(body + check):
            return body + check
    raise AssertionError("one check digit always fits")


SPOKEN = {
    "es": "cero uno dos tres cuatro cinco seis siete ocho nueve".split(),
    "en": "zero one two three four five six seven eight nine".split(),
}


@settings(max_examples=200, deadline=None)
@given(
    first=st.sampled_from("23456"),
    body=st.text("0123456789", min_size=14, max_size=14),
    layout=st.sampled_from(["plain", "spaces", "dashes", "spoken"]),
    language=st.sampled_from(["es", "en"]),
    before=st.sampled_from(["", "mi tarjeta es ", "card number: ", "pago con la "]),
    after=st.sampled_from(["", " gracias", ", thanks", " y debo 125.000 pesos"]),
)
def test_any_valid_card_in_any_layout_is_redacted(
    first: str, body: str, layout: str, language: str, before: str, after: str
) -> None:
    number = _with_check_digit(first + body)
    groups = [number[i : i + 4] for i in range(0, 16, 4)]
    typed = {
        "plain": number,
        "spaces": " ".join(groups),
        "dashes": "-".join(groups),
        "spoken": " ".join(SPOKEN[language][int(d)] for d in number),
    }[layout]
    redacted = redact(f"{before}{typed}{after}", language)
    word = "tarjeta" if language == "es" else "card"
    assert redacted == f"{before}[{word} ****{number[-4:]}]{after}"
