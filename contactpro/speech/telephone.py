"""Shape narrowband phone audio (8 kHz G.711) for Whisper: level, pace and, optionally, band.

A phone line carries 300-3,400 Hz at 8 kHz, at whatever level the caller's handset and the
mu-law companding left. Before voice activity detection the signal is brought to a steady peak
level (and high-passed when ``CONTACTPRO_WHISPER_PHONE_HIGHPASS_HZ`` is set: mains hum, DC);
after it, the speech is played slightly slower, which on the shared 8 kHz clips let the small
multilingual model separate fast Spanish words it otherwise ran together. docs/transcription.md
has the figures, including why the high-pass is off by default.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from contactpro.config import Settings
from contactpro.speech.audio import PHONE_RATE, TARGET_RATE, FloatArray

_FILTER_ORDER = 4
_MAX_DENOMINATOR = 20  # 0.9 -> 9/10: a short polyphase filter, not a long rational one


@dataclass(frozen=True)
class PhoneShaping:
    """How narrowband audio is shaped: high-pass corner (0: off), peak level, tempo (1: off)."""

    highpass_hz: float = 0.0
    peak: float = 0.9
    tempo: float = 0.9  # below 1: slower

    @classmethod
    def from_settings(cls, settings: Settings) -> PhoneShaping:
        """Return the configured shaping."""
        return cls(
            highpass_hz=settings.whisper_phone_highpass_hz,
            peak=settings.whisper_phone_peak,
            tempo=settings.whisper_phone_tempo,
        )


def is_narrowband(sample_rate: int) -> bool:
    """Return True for audio recorded at phone rate or below (Twilio calls: 8 kHz)."""
    return 0 < sample_rate <= PHONE_RATE


def condition(signal: FloatArray, shaping: PhoneShaping) -> FloatArray:
    """Return a 16 kHz signal high-passed and brought to the configured peak level."""
    out = signal
    if shaping.highpass_hz > 0 and signal.size > 3 * 2 * _FILTER_ORDER:
        from scipy.signal import butter, sosfiltfilt

        sos = butter(
            _FILTER_ORDER, shaping.highpass_hz, btype="highpass", fs=TARGET_RATE, output="sos"
        )
        out = sosfiltfilt(sos, out).astype(np.float32)
    peak = float(np.max(np.abs(out))) if out.size else 0.0
    if shaping.peak > 0 and peak > 1e-4:  # near-silence stays silence, never amplified noise
        out = (out * (shaping.peak / peak)).astype(np.float32)
    return out


def slow_down(speech: FloatArray, tempo: float) -> FloatArray:
    """Return ``speech`` played at ``tempo`` (0.9: 10 % slower and lower), 16 kHz kept."""
    if tempo == 1.0 or speech.size == 0:
        return speech
    from scipy.signal import resample_poly

    ratio = Fraction(tempo).limit_denominator(_MAX_DENOMINATOR)
    slowed: FloatArray = resample_poly(speech, ratio.denominator, ratio.numerator).astype(
        np.float32
    )
    return slowed
