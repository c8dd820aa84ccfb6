"""From audio to a Transcript: split legs, cut silence, pick the language, decode, re-time.

These are the functions a Celery task calls: :func:`transcribe_recording_url` for a Twilio
``RecordingUrl``, :func:`transcribe_audio_bytes` for bytes already at hand. Both raise
AudioFetchError / AudioDecodeError (``contactpro.errors``) with a ``reason`` for the task to
retry or give up on, and ConfigError when the configured model cannot be used.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace

from contactpro.config import Settings
from contactpro.errors import ConfigError
from contactpro.speech.audio import Audio, FloatArray, decode_audio, prepare
from contactpro.speech.backends import Transcriber, load_transcriber
from contactpro.speech.fetch import TWILIO_ALLOW_LIST, AllowList, fetch_recording
from contactpro.speech.telephone import PhoneShaping, condition, is_narrowband, slow_down
from contactpro.speech.transcript import Segment, Transcript, merge_segments
from contactpro.speech.vad import SpeechRegions, VadParameters, detect_speech
from contactpro.speech.vocabulary import initial_prompt

log = logging.getLogger(__name__)

# Twilio's dual-channel recordings put the parent leg (the caller, on inbound calls) first.
DUAL_CHANNEL_SPEAKERS: tuple[str, str] = ("caller", "agent")
# Whisper's own rule for "this window is silence": both conditions together.
NO_SPEECH_PROB = 0.6
LOW_AVG_LOGPROB = -1.0
# A language hint (the call's language) gives way to the detected language only when the
# detection is at least this sure, among the configured languages.
CONFIDENT_DETECTION = 0.8


@dataclass
class _Clock:
    """Wall time of a transcription, minus time spent loading models."""

    started: float
    loading: float = 0.0

    def load(self, settings: Settings, model: str) -> Transcriber:
        began = time.perf_counter()
        try:
            return load_transcriber(settings, model)
        finally:
            self.loading += time.perf_counter() - began

    def elapsed(self) -> float:
        return time.perf_counter() - self.started - self.loading


def model_for_language(settings: Settings, language: str | None) -> str:
    """Return the model configured for a language (per-language override, else the default)."""
    override = {"es": settings.whisper_model_es, "en": settings.whisper_model_en}.get(
        language or "", ""
    )
    return override or settings.whisper_model


def default_speakers(channels: int) -> tuple[str | None, ...]:
    """Label channels: one unknown speaker for mono, caller and agent for dual-channel calls."""
    if channels == 1:
        return (None,)
    if channels == 2:
        return DUAL_CHANNEL_SPEAKERS
    return tuple(f"channel_{i + 1}" for i in range(channels))


def _detect_language(
    speech: FloatArray,
    settings: Settings,
    clock: _Clock,
    transcriber: Transcriber | None,
) -> tuple[str, float | None]:
    candidates = settings.transcription_languages
    if len(candidates) == 1:
        return candidates[0], None
    if transcriber is not None:
        return transcriber.detect_language(speech, candidates)
    configured = (settings.whisper_model, settings.whisper_model_es, settings.whisper_model_en)
    names = dict.fromkeys(m for m in configured if m)
    for name in names:
        detector = clock.load(settings, name)
        if detector.multilingual:
            return detector.detect_language(speech, candidates)
    if "en" in candidates:
        return "en", None  # only English-only models configured: nothing else can be decoded
    raise ConfigError(
        "no multilingual model is configured to detect the language; set "
        "CONTACTPRO_WHISPER_MODEL to a multilingual model such as 'base'",
        reason="model_language_mismatch",
    )


def _choose_language(
    speech: FloatArray,
    settings: Settings,
    clock: _Clock,
    transcriber: Transcriber | None,
    hint: str | None,
) -> tuple[str, float | None]:
    """Return the language to decode in and the detection's probability.

    Without a hint the detected language is used. With one (the conversation's language), the
    detected language replaces it only when the detection is confident: English said in a
    Spanish call is transcribed as English, never translated into Spanish.
    """
    if hint is None:
        return _detect_language(speech, settings, clock, transcriber)
    try:
        detected, probability = _detect_language(speech, settings, clock, transcriber)
    except ConfigError:
        return hint, None  # no model can tell languages apart: the hint it is
    if detected == hint:
        return detected, probability
    if probability is None or probability < CONFIDENT_DETECTION:
        return hint, probability
    log.info(
        "speech is not in the conversation's language",
        extra={"hint": hint, "detected": detected, "probability": round(probability, 3)},
    )
    return detected, probability


def _keep(segment: Segment) -> bool:
    if not segment.text:
        return False
    if not (math.isfinite(segment.avg_logprob) and math.isfinite(segment.no_speech_prob)):
        log.warning("dropping a segment with non-finite confidence (broken model output)")
        return False
    return not (segment.no_speech_prob > NO_SPEECH_PROB and segment.avg_logprob < LOW_AVG_LOGPROB)


def transcribe_audio(
    audio: Audio,
    *,
    settings: Settings,
    language: str | None = None,
    speakers: Sequence[str | None] | None = None,
    transcriber: Transcriber | None = None,
    vad: VadParameters | None = None,
    language_hint: str | None = None,
) -> Transcript:
    """Transcribe decoded audio: one speaker per call leg, silence dropped, times in seconds.

    ``language`` forces the language; otherwise it is detected among
    ``settings.transcription_languages`` only, and ``language_hint`` (the conversation's
    language: IVR choice, customer preference) is used unless the detection confidently says
    another (:data:`CONFIDENT_DETECTION`). The Transcript carries the language used. ``transcriber``
    overrides the configured backend and model (tests, benchmarks). Silence and line noise
    give a Transcript with no segments. Phone-rate audio (8 kHz) is shaped for Whisper first
    (``contactpro.speech.telephone``).
    """
    clock = _Clock(time.perf_counter())
    channels = prepare(audio)
    shaping = PhoneShaping.from_settings(settings) if is_narrowband(audio.sample_rate) else None
    if shaping is not None:
        channels = [condition(channel, shaping) for channel in channels]
    labels = tuple(speakers) if speakers is not None else default_speakers(len(channels))
    if len(labels) < len(channels):
        raise ValueError(f"{len(channels)} channels but only {len(labels)} speaker labels")
    if language_hint not in settings.transcription_languages:
        language_hint = None
    if language is not None and language not in settings.transcription_languages:
        raise ConfigError(
            f"language {language!r} is not among CONTACTPRO_TRANSCRIPTION_LANGUAGES",
            reason="language_not_configured",
        )
    regions = [detect_speech(channel, vad) for channel in channels]
    backend = transcriber.backend if transcriber else settings.transcriber
    if not any(regions):
        language = language or language_hint
        return Transcript(
            segments=(),
            language=language,
            model=transcriber.model if transcriber else model_for_language(settings, language),
            backend=backend,
            duration=audio.duration,
            processing_seconds=clock.elapsed(),
        )
    speech = [r.collect(c) for r, c in zip(regions, channels, strict=True)]
    probability: float | None = None
    if language is None:
        loudest = max(range(len(speech)), key=lambda i: speech[i].size)
        language, probability = _choose_language(
            speech[loudest], settings, clock, transcriber, language_hint
        )
    model = transcriber or clock.load(settings, model_for_language(settings, language))
    tempo = shaping.tempo if shaping is not None else 1.0
    decode = _Decode(model, language, initial_prompt(settings, language), tempo)
    per_channel: list[list[Segment]] = []
    for label, region, samples in zip(labels, regions, speech, strict=False):
        per_channel.append(decode.channel(samples, region, label))
    return Transcript(
        segments=merge_segments(per_channel),
        language=language,
        language_probability=probability,
        model=model.model,
        backend=model.backend,
        duration=audio.duration,
        processing_seconds=clock.elapsed(),
    )


@dataclass(frozen=True)
class _Decode:
    """One model, language, prompt and tempo, applied to each leg's speech."""

    model: Transcriber
    language: str
    prompt: str
    tempo: float

    def channel(
        self, samples: FloatArray, regions: SpeechRegions, speaker: str | None
    ) -> list[Segment]:
        """Decode one leg's joined speech; times map back to the original recording."""
        if not regions:
            return []
        slowed = slow_down(samples, self.tempo)
        segments = self.model.transcribe(slowed, language=self.language, prompt=self.prompt)
        return [
            replace(
                s,
                start=round(regions.original_time(s.start * self.tempo), 3),
                end=round(regions.original_time(s.end * self.tempo), 3),
                speaker=speaker,
            )
            for s in segments
            if _keep(s)
        ]


def transcribe_audio_bytes(
    data: bytes,
    *,
    settings: Settings,
    language: str | None = None,
    content_type: str | None = None,
    speakers: Sequence[str | None] | None = None,
    transcriber: Transcriber | None = None,
    language_hint: str | None = None,
) -> Transcript:
    """Decode audio bytes (WAV, MP3, FLAC, mu-law) and transcribe them.

    Raises AudioDecodeError for empty, corrupt or non-audio bytes.
    """
    audio = decode_audio(data, content_type=content_type)
    return transcribe_audio(
        audio,
        settings=settings,
        language=language,
        speakers=speakers,
        transcriber=transcriber,
        language_hint=language_hint,
    )


def transcribe_recording_url(
    url: str,
    *,
    settings: Settings,
    language: str | None = None,
    speakers: Sequence[str | None] | None = None,
    allow_list: AllowList = TWILIO_ALLOW_LIST,
    transcriber: Transcriber | None = None,
    fetch_time_limit: float | None = None,
    language_hint: str | None = None,
) -> Transcript:
    """Download a Twilio recording and transcribe it.

    ``fetch_time_limit`` bounds the download (retries included) when a caller is waiting.
    Raises AudioFetchError (check ``retryable``: retry the task with back-off, or give up) and
    AudioDecodeError (never retried: mark the recording failed with ``reason``).
    """
    fetched = fetch_recording(
        url, settings=settings, allow_list=allow_list, time_limit=fetch_time_limit
    )
    log.info(
        "fetched recording: %d bytes, %s, %d attempt(s)",
        len(fetched.data),
        fetched.content_type,
        fetched.attempts,
    )
    return transcribe_audio_bytes(
        fetched.data,
        settings=settings,
        language=language,
        content_type=fetched.content_type,
        speakers=speakers,
        transcriber=transcriber,
        language_hint=language_hint,
    )
