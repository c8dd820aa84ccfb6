"""The openai-whisper backend.

Loading by path is exercised with a one-layer Whisper with random weights that the test builds
and saves the way openai-whisper does (its output is noise: only structure is asserted); real
accuracy with the packaged tiny.en, converted from CTranslate2 into a PyTorch checkpoint.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import asdict, replace
from pathlib import Path

import pytest

from contactpro.config import Settings
from contactpro.speech.audio import decode_audio, prepare
from contactpro.speech.backends import load_transcriber
from contactpro.speech.backends.torch_whisper import OpenAIWhisperTranscriber
from contactpro.speech.pipeline import transcribe_audio_bytes
from contactpro.speech.quality import word_error_rate

# openai-whisper's beam search calls np.argsort on a torch tensor (whisper/decoding.py).
pytestmark = pytest.mark.filterwarnings(
    "ignore:__array_wrap__ must accept context and return_scalar:DeprecationWarning"
)


@pytest.fixture(scope="module", autouse=True)
def _tokenizers_loaded() -> None:
    from whisper.tokenizer import get_tokenizer

    with warnings.catch_warnings():
        # whisper.tokenizer reads its vocabularies without closing the files (cached after).
        warnings.simplefilter("ignore", ResourceWarning)
        for multilingual in (True, False):
            get_tokenizer(multilingual, num_languages=99)  # the call (and cache key) whisper makes


@pytest.fixture(scope="session")
def random_checkpoint(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import torch
    from whisper.model import ModelDimensions, Whisper

    torch.manual_seed(0)
    dims = ModelDimensions(
        n_mels=80,
        n_audio_ctx=1500,
        n_audio_state=32,
        n_audio_head=2,
        n_audio_layer=1,
        n_vocab=51865,  # multilingual vocabulary: language detection is exercised too
        n_text_ctx=448,
        n_text_state=32,
        n_text_head=2,
        n_text_layer=1,
    )
    path = tmp_path_factory.mktemp("openai-whisper") / "random-tiny.pt"
    model = Whisper(dims)
    with torch.no_grad():  # whisper leaves the text positions uninitialised (torch.empty)
        model.decoder.positional_embedding.normal_(0.0, 0.02)
    torch.save({"dims": asdict(dims), "model_state_dict": model.state_dict()}, path)
    return path


@pytest.fixture(scope="session")
def openai_settings(speech_settings: Settings, random_checkpoint: Path) -> Settings:
    return replace(
        speech_settings,
        transcriber="openai-whisper",
        whisper_model=str(random_checkpoint),
        whisper_beam_size=1,
    )


def test_loads_a_checkpoint_by_path(openai_settings: Settings, random_checkpoint: Path) -> None:
    transcriber = load_transcriber(openai_settings)
    assert isinstance(transcriber, OpenAIWhisperTranscriber)
    assert transcriber.backend == "openai-whisper"
    assert transcriber.model == str(random_checkpoint)
    assert transcriber.multilingual is True
    assert load_transcriber(openai_settings) is transcriber  # loaded once


def test_detects_only_among_candidates(
    openai_settings: Settings, phone_clip: Callable[[str], bytes]
) -> None:
    transcriber = load_transcriber(openai_settings)
    speech = prepare(decode_audio(phone_clip("es_cheetah_numero.wav")))[0]
    language, probability = transcriber.detect_language(speech, ("es", "en"))
    assert language in ("es", "en") and 0.0 <= probability <= 1.0


def test_transcript_structure_through_the_pipeline(
    openai_settings: Settings, random_checkpoint: Path, phone_clip: Callable[[str], bytes]
) -> None:
    # One temperature: random weights never pass the fallback checks, and 6 tries are slow.
    transcriber = OpenAIWhisperTranscriber.from_settings(
        str(random_checkpoint), openai_settings, temperature=(0.0,)
    )
    transcript = transcribe_audio_bytes(
        phone_clip("en_stereo_diarization.wav"), settings=openai_settings, transcriber=transcriber
    )
    assert transcript.backend == "openai-whisper"
    assert transcript.language in ("es", "en")
    assert transcript.duration == pytest.approx(5.0, abs=0.01)
    for segment in transcript.segments:
        assert segment.speaker in ("caller", "agent")
        assert 0.0 <= segment.start <= segment.end <= transcript.duration + 0.5
        assert isinstance(segment.text, str) and segment.text
        assert segment.avg_logprob <= 0.0 and 0.0 <= segment.no_speech_prob <= 1.0


@pytest.mark.slow
def test_packaged_tiny_en_runs_on_openai_whisper(
    speech_settings: Settings, phone_clip: Callable[[str], bytes], references: dict[str, str]
) -> None:
    settings = replace(speech_settings, transcriber="openai-whisper", whisper_model="tiny.en")
    transcript = transcribe_audio_bytes(
        phone_clip("en_cheetah_platforms.wav"), settings=settings, language="en"
    )
    assert (transcript.backend, transcript.model) == ("openai-whisper", "tiny.en")
    wer = word_error_rate(references["en_cheetah_platforms.wav"], transcript.text, "en")
    assert wer <= 0.10, transcript.text
