"""Transcription of call audio: backends behind one interface, offline models, audio decoding.

A Celery task calls :func:`transcribe_recording_url` (a Twilio ``RecordingUrl``) or
:func:`transcribe_audio_bytes` and stores the :class:`Transcript` it returns; live ``<Gather>``
turns go through :func:`transcript_from_gather`. Errors are AudioFetchError (``retryable``) and
AudioDecodeError from :mod:`contactpro.errors`, and ConfigError for an unusable model.
"""

from contactpro.speech.audio import Audio, decode_audio
from contactpro.speech.backends import Transcriber, load_transcriber
from contactpro.speech.backends.twilio_gather import transcript_from_gather
from contactpro.speech.fetch import TWILIO_ALLOW_LIST, AllowList, fetch_recording
from contactpro.speech.pipeline import (
    transcribe_audio,
    transcribe_audio_bytes,
    transcribe_recording_url,
)
from contactpro.speech.transcript import Segment, Transcript

__all__ = [
    "TWILIO_ALLOW_LIST",
    "AllowList",
    "Audio",
    "Segment",
    "Transcriber",
    "Transcript",
    "decode_audio",
    "fetch_recording",
    "load_transcriber",
    "transcribe_audio",
    "transcribe_audio_bytes",
    "transcribe_recording_url",
    "transcript_from_gather",
]
