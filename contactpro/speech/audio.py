"""Decode call audio (WAV, MP3, FLAC, G.711 mu-law) into float samples, split and resample it.

Twilio delivers phone audio as 8 kHz G.711 mu-law: inside WAV files (format 7), as raw bytes
(Media Streams, ``audio/basic``), or as 16-bit PCM WAV and MP3 recordings. Whisper wants
16 kHz mono float32, one array per speaker.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from math import gcd
from typing import Any

import numpy as np
import numpy.typing as npt

from contactpro.errors import AudioDecodeError

TARGET_RATE = 16_000
PHONE_RATE = 8_000
MULAW_CONTENT_TYPES = frozenset(
    {"audio/basic", "audio/mulaw", "audio/x-mulaw", "audio/pcmu", "audio/x-ulaw", "audio/ulaw"}
)
# Two call legs never correlate this well (even with echo); one microphone stored twice does.
_SAME_SIGNAL_CORRELATION = 0.98

FloatArray = npt.NDArray[np.float32]


@dataclass(frozen=True, eq=False)
class Audio:
    """Decoded audio: ``samples`` has shape (channels, frames), float32 in [-1, 1]."""

    samples: FloatArray
    sample_rate: int

    @property
    def channels(self) -> int:
        """Return the number of channels."""
        return int(self.samples.shape[0])

    @property
    def duration(self) -> float:
        """Return the length in seconds."""
        return self.samples.shape[1] / self.sample_rate if self.sample_rate else 0.0

    def channel(self, index: int) -> FloatArray:
        """Return one channel as a 1-D array."""
        row: FloatArray = self.samples[index]
        return row


# -- G.711 mu-law ---------------------------------------------------------------------------

_MULAW_BIAS = 0x84
_MULAW_CLIP = 32635


def _mulaw_table() -> npt.NDArray[np.int16]:
    u = ~np.arange(256, dtype=np.int32) & 0xFF
    exponent = (u >> 4) & 0x07
    magnitude = (((u & 0x0F) << 3) + _MULAW_BIAS) << exponent
    magnitude -= _MULAW_BIAS
    return np.where(u & 0x80, -magnitude, magnitude).astype(np.int16)


_MULAW_TO_PCM = _mulaw_table()


def mulaw_decode(data: bytes) -> FloatArray:
    """Decode raw G.711 mu-law bytes to float32 samples in [-1, 1]."""
    codes = np.frombuffer(data, dtype=np.uint8)
    return (_MULAW_TO_PCM[codes].astype(np.float32) / 32768.0).astype(np.float32)


def mulaw_encode(samples: npt.ArrayLike) -> bytes:
    """Encode float samples in [-1, 1] as raw G.711 mu-law bytes (what a phone line carries)."""
    pcm = np.clip(np.round(np.asarray(samples, dtype=np.float64) * 32768.0), -32768, 32767)
    pcm = pcm.astype(np.int32)
    sign = np.where(pcm < 0, 0x80, 0x00)
    magnitude = np.minimum(np.abs(pcm), _MULAW_CLIP) + _MULAW_BIAS
    exponent = np.clip(np.floor(np.log2(magnitude)).astype(np.int32) - 7, 0, 7)
    mantissa = (magnitude >> (exponent + 3)) & 0x0F
    encoded: bytes = (~(sign | (exponent << 4) | mantissa) & 0xFF).astype(np.uint8).tobytes()
    return encoded


# -- decoding -------------------------------------------------------------------------------


def _media_type(content_type: str | None) -> tuple[str, dict[str, str]]:
    if not content_type:
        return "", {}
    main, *params = content_type.split(";")
    parsed = {}
    for param in params:
        key, _, value = param.partition("=")
        parsed[key.strip().lower()] = value.strip().strip('"')
    return main.strip().lower(), parsed


def _decode_soundfile(data: bytes) -> Audio:
    import soundfile as sf

    samples, rate = sf.read(io.BytesIO(data), dtype="float32", always_2d=True)
    return Audio(np.ascontiguousarray(samples.T), int(rate))


def _decode_av(data: bytes) -> Audio:
    import av

    chunks: list[npt.NDArray[Any]] = []  # planar float frames; made float32 once joined
    with av.open(io.BytesIO(data), mode="r") as container:
        if not container.streams.audio:
            raise AudioDecodeError("the file holds no audio stream", reason="audio_no_stream")
        stream = container.streams.audio[0]
        rate = stream.codec_context.sample_rate or stream.rate
        channels = stream.codec_context.channels
        resampler = av.AudioResampler(format="fltp", layout=stream.codec_context.layout, rate=rate)
        for frame in container.decode(stream):
            for out in resampler.resample(frame):
                chunks.append(out.to_ndarray())
        for out in resampler.resample(None):
            chunks.append(out.to_ndarray())
    if not chunks or not rate:
        raise AudioDecodeError("the audio stream holds no samples", reason="audio_empty")
    samples = np.concatenate(chunks, axis=1).astype(np.float32)
    return Audio(samples.reshape(channels or samples.shape[0], -1), int(rate))


def decode_audio(data: bytes, *, content_type: str | None = None) -> Audio:
    """Decode audio bytes to float samples, whatever the container.

    Raw mu-law has no header, so it is recognised only by ``content_type`` (``audio/basic``,
    ``audio/x-mulaw;rate=8000``, ...). Everything else is sniffed: RIFF/WAV (PCM, float, mu-law,
    A-law), FLAC and Ogg through libsndfile, MP3 and other codecs through FFmpeg (PyAV).

    Raises AudioDecodeError (``audio_empty``, ``audio_no_stream``, ``audio_undecodable``).
    """
    if not data:
        raise AudioDecodeError("the recording is empty (0 bytes)", reason="audio_empty")
    media, params = _media_type(content_type)
    if media in MULAW_CONTENT_TYPES and not data.startswith((b"RIFF", b".snd")):
        rate = int(params.get("rate", PHONE_RATE))
        channels = int(params.get("channels", 1))
        samples = mulaw_decode(data[: len(data) - len(data) % channels])
        return Audio(np.ascontiguousarray(samples.reshape(-1, channels).T), rate)

    errors: list[str] = []
    if data.startswith((b"RIFF", b"RIFX", b"fLaC", b"OggS", b".snd", b"FORM")):
        try:
            audio = _decode_soundfile(data)
        except Exception as exc:  # libsndfile raises its own and RuntimeError types
            errors.append(f"libsndfile: {exc}")
        else:
            return _checked(audio)
    try:
        audio = _decode_av(data)
    except AudioDecodeError:
        raise
    except Exception as exc:  # PyAV raises FFmpegError subclasses, ValueError and OSError
        errors.append(f"ffmpeg: {exc}")
    else:
        return _checked(audio)
    raise AudioDecodeError(
        "the bytes are not audio in a format we can decode (" + "; ".join(errors) + ")",
        reason="audio_undecodable",
    )


def _checked(audio: Audio) -> Audio:
    if audio.samples.size == 0 or audio.sample_rate <= 0:
        raise AudioDecodeError("the recording holds no samples", reason="audio_empty")
    if not np.all(np.isfinite(audio.samples)):
        raise AudioDecodeError("the recording holds invalid samples", reason="audio_undecodable")
    return audio


# -- shaping for the model ------------------------------------------------------------------


def resample(samples: npt.ArrayLike, rate: int, target: int = TARGET_RATE) -> FloatArray:
    """Resample a 1-D signal with a polyphase anti-aliasing filter."""
    x = np.asarray(samples, dtype=np.float32)
    if rate == target:
        return x
    from scipy.signal import resample_poly

    g = gcd(int(rate), int(target))
    resampled: FloatArray = resample_poly(x, target // g, rate // g).astype(np.float32)
    return resampled


def split_channels(audio: Audio) -> list[FloatArray]:
    """Return one signal per call leg; channels carrying the same signal merge into one.

    A dual-channel call recording keeps each leg on its own channel, and the legs are nearly
    uncorrelated; a stereo file made from one microphone has channels that correlate almost
    perfectly and is averaged to mono.
    """
    if audio.channels == 1:
        return [audio.channel(0)]
    first = audio.channel(0)
    if all(_same_signal(first, audio.channel(i)) for i in range(1, audio.channels)):
        return [audio.samples.mean(axis=0).astype(np.float32)]
    return [audio.channel(i) for i in range(audio.channels)]


def _same_signal(a: FloatArray, b: FloatArray) -> bool:
    if not np.any(a) and not np.any(b):
        return True
    if not np.any(a) or not np.any(b):
        return False
    return bool(np.corrcoef(a, b)[0, 1] >= _SAME_SIGNAL_CORRELATION)


def prepare(audio: Audio) -> list[FloatArray]:
    """Return 16 kHz float32 signals, one per distinct channel, ready for VAD and Whisper."""
    return [resample(channel, audio.sample_rate) for channel in split_channels(audio)]


def to_phone_wav(audio: Audio) -> bytes:
    """Return the audio as a phone line carries it: 8 kHz G.711 mu-law in a WAV file."""
    import soundfile as sf

    channels = np.stack([resample(c, audio.sample_rate, PHONE_RATE) for c in audio.samples])
    buf = io.BytesIO()
    sf.write(buf, np.clip(channels.T, -1.0, 1.0), PHONE_RATE, format="WAV", subtype="ULAW")
    return buf.getvalue()


_MULAW_SUFFIXES = (".ul", ".ulaw", ".mulaw", ".pcmu")


def content_type_for(filename: str) -> str | None:
    """Return ``audio/basic`` for a raw mu-law file name (``.ul``, ``.ulaw``, ...), else None."""
    return "audio/basic" if filename.lower().endswith(_MULAW_SUFFIXES) else None
