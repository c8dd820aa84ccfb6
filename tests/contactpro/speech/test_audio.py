"""Decoding, G.711 mu-law, channel splitting and resampling."""

from __future__ import annotations

import io
from collections.abc import Callable

import av
import numpy as np
import pytest
import soundfile as sf

from contactpro.errors import AudioDecodeError
from contactpro.speech.audio import (
    Audio,
    decode_audio,
    mulaw_decode,
    mulaw_encode,
    prepare,
    resample,
    split_channels,
    to_phone_wav,
)


def _libsndfile_mulaw(samples: np.ndarray) -> bytes:
    buf = io.BytesIO()
    sf.write(buf, samples, 8000, format="RAW", subtype="ULAW")
    return buf.getvalue()


def _mp3(audio: Audio) -> bytes:
    out = io.BytesIO()
    with av.open(out, "w", format="mp3") as container:
        stream = container.add_stream("mp3", rate=audio.sample_rate)
        stream.layout = "mono"
        frame = av.AudioFrame.from_ndarray(audio.samples[:1], format="fltp", layout="mono")
        frame.sample_rate = audio.sample_rate
        for packet in [*stream.encode(frame), *stream.encode(None)]:
            container.mux(packet)
    return out.getvalue()


def test_mulaw_decode_matches_libsndfile_for_every_code() -> None:
    codes = bytes(range(256))
    expected, _ = sf.read(
        io.BytesIO(codes),
        format="RAW",
        subtype="ULAW",
        samplerate=8000,
        channels=1,
        dtype="float32",
    )
    np.testing.assert_array_equal(mulaw_decode(codes), expected)


def test_mulaw_encode_is_g711() -> None:
    rng = np.random.default_rng(7)
    x = rng.uniform(-1, 1, 20_000).astype(np.float32)
    ours = np.frombuffer(mulaw_encode(x), dtype=np.uint8).astype(int)
    theirs = np.frombuffer(_libsndfile_mulaw(x), dtype=np.uint8).astype(int)
    # Encoders differ only in how they round at a segment step: never by more than one code.
    assert np.max(np.abs(ours - theirs)) <= 1
    assert np.mean(ours == theirs) > 0.99
    # Known codes: silence is 0xFF, full scale positive 0x80, full scale negative 0x00.
    assert mulaw_encode([0.0, 1.0, -1.0]) == b"\xff\x80\x00"
    # Round trip: mu-law keeps about 2 % relative error on loud samples.
    back = mulaw_decode(mulaw_encode(x))
    loud = np.abs(x) > 0.1
    assert np.max(np.abs(back[loud] - x[loud]) / np.abs(x[loud])) < 0.04


def test_decodes_pcm_wav(clip: Callable[[str], bytes]) -> None:
    audio = decode_audio(clip("en_cheetah_platforms.wav"))
    assert (audio.channels, audio.sample_rate) == (1, 16000)
    assert audio.duration == pytest.approx(4.46, abs=0.01)
    assert audio.samples.dtype == np.float32 and np.max(np.abs(audio.samples)) <= 1.0


def test_decodes_mulaw_wav_as_twilio_sends_it(clip_audio: Callable[[str], Audio]) -> None:
    source = clip_audio("en_cheetah_platforms.wav")
    phone = to_phone_wav(source)
    assert phone[:4] == b"RIFF" and int.from_bytes(phone[20:22], "little") == 7  # WAVE_FORMAT_MULAW
    audio = decode_audio(phone)
    assert (audio.channels, audio.sample_rate) == (1, 8000)
    assert audio.duration == pytest.approx(source.duration, abs=0.01)
    # Same signal: the 8 kHz version correlates with the band-limited original.
    reference = resample(resample(source.channel(0), 16000, 8000), 8000, 16000)
    again = resample(audio.channel(0), 8000, 16000)[: reference.size]
    assert np.corrcoef(reference, again)[0, 1] > 0.99


def test_decodes_raw_mulaw_by_content_type(clip_audio: Callable[[str], Audio]) -> None:
    eight_k = resample(clip_audio("en_cheetah_platforms.wav").channel(0), 16000, 8000)
    raw = mulaw_encode(eight_k)
    audio = decode_audio(raw, content_type="audio/x-mulaw;rate=8000")
    assert (audio.channels, audio.sample_rate) == (1, 8000)
    assert audio.samples.shape[1] == len(raw)
    np.testing.assert_allclose(audio.channel(0), eight_k, atol=0.02)


def test_decodes_mp3(clip_audio: Callable[[str], Audio]) -> None:
    source = clip_audio("en_cheetah_platforms.wav")
    audio = decode_audio(_mp3(source), content_type="audio/mpeg")
    assert (audio.channels, audio.sample_rate) == (1, 16000)
    assert audio.duration == pytest.approx(source.duration, abs=0.1)  # encoder padding


def test_dual_channel_recording_splits_into_two_legs(clip_audio: Callable[[str], Audio]) -> None:
    audio = clip_audio("en_stereo_diarization.wav")
    legs = split_channels(audio)
    assert len(legs) == 2
    np.testing.assert_array_equal(legs[1], audio.channel(1))


def test_stereo_copy_of_one_signal_is_mono(clip_audio: Callable[[str], Audio]) -> None:
    mono = clip_audio("en_cheetah_platforms.wav").channel(0)
    noisy_copy = mono + np.random.default_rng(1).normal(0, 1e-3, mono.size).astype(np.float32)
    legs = split_channels(Audio(np.stack([mono, noisy_copy]), 16000))
    assert len(legs) == 1


def test_prepare_resamples_to_16k(clip_audio: Callable[[str], Audio]) -> None:
    phone = decode_audio(to_phone_wav(clip_audio("en_stereo_diarization.wav")))
    legs = prepare(phone)
    assert len(legs) == 2
    assert all(leg.dtype == np.float32 and leg.size == 2 * phone.samples.shape[1] for leg in legs)


def test_zero_bytes_fail_with_a_reason() -> None:
    with pytest.raises(AudioDecodeError, match="empty") as info:
        decode_audio(b"")
    assert info.value.reason == "audio_empty"


def test_corrupt_wav_fails_with_a_reason(clip: Callable[[str], bytes]) -> None:
    wav = clip("en_cheetah_platforms.wav")
    corrupt = wav[:12] + bytes(np.random.default_rng(3).integers(0, 256, 4000, dtype=np.uint8))
    with pytest.raises(AudioDecodeError) as info:
        decode_audio(corrupt)
    assert info.value.reason == "audio_undecodable"
    assert "not audio" in info.value.message


@pytest.mark.parametrize(
    "payload",
    [
        b"<Response><Say>Hello</Say></Response>",
        b'{"code": 20404, "message": "The requested resource was not found"}',
        b"%PDF-1.4\n" + bytes(range(256)) * 8,
    ],
    ids=["twiml", "json-error", "pdf"],
)
def test_non_audio_fails_with_a_reason(payload: bytes) -> None:
    with pytest.raises(AudioDecodeError) as info:
        decode_audio(payload, content_type="audio/x-wav")
    assert info.value.reason in ("audio_undecodable", "audio_no_stream")
