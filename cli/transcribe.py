"""``contactpro transcribe FILE``: transcribe a local recording and show timings and speed."""

from __future__ import annotations

import json
import time
from dataclasses import replace
from pathlib import Path

import click

from cli.errors import stop_on_config_error
from contactpro.config import LANGUAGES, TRANSCRIBERS, Settings, load_settings
from contactpro.errors import AudioDecodeError, ConfigError, ContactProError
from contactpro.speech.audio import content_type_for
from contactpro.speech.backends import load_transcriber
from contactpro.speech.pipeline import model_for_language, transcribe_audio_bytes


def offline_settings() -> Settings:
    """Read the settings of a command that answers no webhook, without needing the Twilio secret.

    ``load_settings`` stops a server that could not verify Twilio's signatures; a command that
    verifies none may run without TWILIO_AUTH_TOKEN. Every other setting is checked as usual.
    """
    try:
        return load_settings()
    except ConfigError:
        # Retried with a stand-in secret: what still fails is a real error, and is raised.
        settings = load_settings({"twilio_auth_token": "offline-command"})
    return replace(settings, twilio_auth_token="")


def _settings(ctx: click.Context) -> Settings:
    found = ctx.find_object(Settings)
    if found is not None:
        return found
    try:
        return offline_settings()
    except ConfigError as exc:  # said as every other command says a bad setting
        stop_on_config_error(exc)


def _clock(seconds: float) -> str:
    minutes, rest = divmod(seconds, 60)
    return f"{int(minutes):02d}:{rest:06.3f}"


@click.command("transcribe")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--language", type=click.Choice(LANGUAGES), help="Skip language detection.")
@click.option("--model", help="Model name (tiny.en, base, small, ...) or local path.")
@click.option("--backend", type=click.Choice(TRANSCRIBERS), help="Override CONTACTPRO_TRANSCRIBER.")
@click.option("--json", "as_json", is_flag=True, help="Print the transcript as JSON.")
@click.pass_context
def transcribe(
    ctx: click.Context,
    file: Path,
    language: str | None,
    model: str | None,
    backend: str | None,
    as_json: bool,
) -> None:
    """Transcribe an audio FILE (WAV, MP3, FLAC, raw mu-law .ul) with timings and speed."""
    settings = _settings(ctx)
    if model:
        settings = replace(settings, whisper_model=model, whisper_model_es="", whisper_model_en="")
    if backend:
        settings = replace(settings, transcriber=backend)
    try:
        began = time.perf_counter()
        # Load up front so the real-time factor shows decoding alone and the load time apart.
        load_transcriber(settings, model_for_language(settings, language))
        load_seconds = time.perf_counter() - began
        transcript = transcribe_audio_bytes(
            file.read_bytes(),
            settings=settings,
            language=language,
            content_type=content_type_for(file.name),
        )
    except AudioDecodeError as exc:  # the file, as every command names one it cannot read
        raise click.ClickException(f"cannot read {file}: {exc.message} [{exc.reason}]") from None
    except ContactProError as exc:
        raise click.ClickException(f"{exc.message} [{exc.reason}]") from None

    if as_json:
        click.echo(json.dumps({**transcript.to_dict(), "load_seconds": round(load_seconds, 3)}))
        return
    for s in transcript.segments:
        who = f"{s.speaker}: " if s.speaker else ""
        click.echo(f"[{_clock(s.start)} -> {_clock(s.end)}] {who}{s.text}")
    if transcript.is_empty:
        click.echo("(no speech)")
    probability = (
        f" (p={transcript.language_probability:.2f})"
        if transcript.language_probability is not None
        else ""
    )
    click.echo(
        f"model: {transcript.model} ({transcript.backend}), language: "
        f"{transcript.language or '-'}{probability}, audio {transcript.duration:.2f} s, "
        f"processing {transcript.processing_seconds:.2f} s, "
        f"real-time factor {transcript.real_time_factor:.3f}, model load {load_seconds:.2f} s"
    )
