"""Personal data never reaches an LLM prompt."""

from __future__ import annotations

from contactpro.nlu.masking import mask_pii


def test_typed_ids_cards_phones_and_emails_are_masked() -> None:
    masked = mask_pii(
        "cédula 1.023.456.789, tarjeta 4111 1111 1111 1111, cel 310-987-6543, juan.p@mail.com"
    )
    for secret in ("1.023.456.789", "4111", "6543", "juan.p@mail.com"):
        assert secret not in masked
    assert masked.count("[NUMBER]") == 3 and "[EMAIL]" in masked


def test_dictated_ids_and_alphanumeric_ids_are_masked() -> None:
    assert mask_pii("es uno cero dos tres cuatro cinco") == "es [NUMBER]"
    assert mask_pii("my id is seven nine one two") == "my id is [NUMBER]"
    assert mask_pii("curp abcd900101hdfrrn09 gracias") == "curp [ID] gracias"


def test_short_numbers_and_words_stay() -> None:
    text = "quiero pagar en 3 cuotas, una persona por favor"
    assert mask_pii(text) == text
