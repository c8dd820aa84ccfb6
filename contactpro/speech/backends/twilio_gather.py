"""Twilio's own speech recognition: the ``SpeechResult`` of a live ``<Gather>`` turn."""

from __future__ import annotations

import math

from contactpro.speech.transcript import Segment, Transcript

MODEL = "twilio-gather"


def transcript_from_gather(
    speech_result: str | None,
    confidence: float | str | None,
    *,
    language: str,
    duration: float = 0.0,
    speaker: str | None = "caller",
) -> Transcript:
    """Wrap a ``<Gather input="speech">`` result in a Transcript, passing the text through.

    Twilio's ``Confidence`` (0 to 1) becomes ``avg_logprob = ln(confidence)`` so downstream
    thresholds read every backend the same way; a missing confidence maps to 0 (no penalty).
    """
    text = (speech_result or "").strip()
    try:
        value = float(confidence) if confidence not in (None, "") else 1.0
    except (TypeError, ValueError):
        value = 1.0
    value = min(max(value, 1e-6), 1.0)
    segments = (
        (Segment(0.0, duration, text, speaker=speaker, avg_logprob=math.log(value)),)
        if text
        else ()
    )
    return Transcript(
        segments=segments, language=language, model=MODEL, backend="twilio", duration=duration
    )
