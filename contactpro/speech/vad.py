"""Voice activity detection: keep only the stretches of a signal that hold speech.

Whisper invents text for silence and line noise ("Thank you.", "Subtítulos por..."); cutting
those stretches out before decoding is what makes an empty line give an empty transcript. The
detector is Silero VAD (ONNX) as shipped inside faster-whisper.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

import numpy as np

from contactpro.speech.audio import TARGET_RATE, FloatArray


@dataclass(frozen=True)
class VadParameters:
    """Silero VAD settings tuned for phone calls (short turns, short pauses)."""

    threshold: float = 0.5
    min_speech_ms: int = 250
    min_silence_ms: int = 700
    speech_pad_ms: int = 200


@dataclass(frozen=True)
class SpeechRegions:
    """Speech stretches of one signal as (start, end) sample indices at 16 kHz."""

    regions: tuple[tuple[int, int], ...]

    @property
    def speech_seconds(self) -> float:
        """Return the total length of speech in seconds."""
        return sum(end - start for start, end in self.regions) / TARGET_RATE

    def __bool__(self) -> bool:
        return bool(self.regions)

    def collect(self, audio: FloatArray) -> FloatArray:
        """Return the speech stretches of ``audio`` joined end to end."""
        if not self.regions:
            return np.zeros(0, dtype=np.float32)
        return np.concatenate([audio[start:end] for start, end in self.regions])

    def original_time(self, seconds: float) -> float:
        """Map a time in the joined speech back to a time in the original signal."""
        sample = seconds * TARGET_RATE
        ends = self._joined_ends()
        index = min(bisect.bisect_left(ends, sample), len(self.regions) - 1)
        joined_start = ends[index - 1] if index else 0
        start, end = self.regions[index]
        return min(start + (sample - joined_start), end) / TARGET_RATE

    def _joined_ends(self) -> list[int]:
        ends, total = [], 0
        for start, end in self.regions:
            total += end - start
            ends.append(total)
        return ends


def detect_speech(audio: FloatArray, parameters: VadParameters | None = None) -> SpeechRegions:
    """Return the speech stretches of a 16 kHz mono signal (empty for silence and noise)."""
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    p = parameters or VadParameters()
    if audio.size == 0:
        return SpeechRegions(())
    chunks = get_speech_timestamps(
        audio,
        VadOptions(
            threshold=p.threshold,
            min_speech_duration_ms=p.min_speech_ms,
            min_silence_duration_ms=p.min_silence_ms,
            speech_pad_ms=p.speech_pad_ms,
        ),
        sampling_rate=TARGET_RATE,
    )
    return SpeechRegions(tuple((int(c["start"]), int(c["end"])) for c in chunks))
