"""The result of a transcription: timed segments with speaker and confidence."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any


@dataclass(frozen=True)
class Segment:
    """One stretch of speech: times in seconds from the start of the recording.

    ``avg_logprob`` is the mean log-probability of the decoded tokens (closer to 0 is more
    confident); ``no_speech_prob`` is the model's probability that the stretch holds no speech.
    """

    start: float
    end: float
    text: str
    speaker: str | None = None
    avg_logprob: float = 0.0
    no_speech_prob: float = 0.0

    def shifted(self, offset: float) -> Segment:
        """Return the segment moved ``offset`` seconds later."""
        return replace(self, start=self.start + offset, end=self.end + offset)


@dataclass(frozen=True)
class Transcript:
    """A whole recording's transcript, with what produced it and how fast.

    ``duration`` is the audio length in seconds; ``processing_seconds`` the wall time spent on
    voice activity detection, language detection and decoding (model loading excluded).
    """

    segments: tuple[Segment, ...]
    language: str | None
    model: str
    backend: str
    duration: float
    processing_seconds: float = 0.0
    language_probability: float | None = None

    @property
    def text(self) -> str:
        """Return the plain text of every segment, in order."""
        return " ".join(s.text for s in self.segments if s.text).strip()

    @property
    def is_empty(self) -> bool:
        """Return True when no speech was transcribed."""
        return not self.text

    @property
    def speakers(self) -> tuple[str, ...]:
        """Return the distinct speakers in order of first appearance."""
        seen: dict[str, None] = {}
        for s in self.segments:
            if s.speaker is not None:
                seen.setdefault(s.speaker, None)
        return tuple(seen)

    @property
    def real_time_factor(self) -> float:
        """Return processing time divided by audio duration (below 1 is faster than real time)."""
        return self.processing_seconds / self.duration if self.duration > 0 else 0.0

    def text_by(self, speaker: str) -> str:
        """Return what one speaker said."""
        return " ".join(s.text for s in self.segments if s.speaker == speaker).strip()

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready mapping (segments as dicts, derived figures included)."""
        return {
            "text": self.text,
            "language": self.language,
            "language_probability": self.language_probability,
            "model": self.model,
            "backend": self.backend,
            "duration": round(self.duration, 3),
            "processing_seconds": round(self.processing_seconds, 3),
            "real_time_factor": round(self.real_time_factor, 4),
            "segments": [asdict(s) for s in self.segments],
        }


def merge_segments(channels: Sequence[Sequence[Segment]]) -> tuple[Segment, ...]:
    """Interleave the segments of several channels by start time (stable for ties)."""
    merged = [s for segments in channels for s in segments]
    merged.sort(key=lambda s: (s.start, s.end))
    return tuple(merged)
