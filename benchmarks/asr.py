"""Speech recognition benchmark: accuracy, speed, load time and memory per backend and config.

For each backend (faster-whisper, openai-whisper), each model available offline (the
packaged tiny.en and base, or each ``--model NAME|PATH`` given) and each decoding config
(``CONFIGS``: today's plain decoding against the call-center prompt and the 8 kHz phone
shaping, in int8 and float32), on the shared clips in ``../shared/data/speech``:

- word error rate (normalised text) per language, on the clip as recorded ("16 kHz") and
  converted to 8 kHz G.711 mu-law as a phone call reaches Twilio ("8 kHz mu-law");
- real-time factor (processing / audio seconds, warm model, whole pipeline: VAD, decoding);
- cold-start load time and peak resident memory, each (backend, model) in a fresh process;
- faster-whisper against openai-whisper on the same clips and the same weights (openai-whisper
  runs the packaged CTranslate2 weights converted exactly to a PyTorch checkpoint);
- WhatsApp voice notes end to end (``--voice-notes``): each mono clip encoded as Ogg/Opus,
  served by a local media server and posted as a signed WhatsApp webhook to the app on a
  temporary SQLite database (tasks eager, the configured model): word error rate of the stored
  transcript and seconds from the webhook to the answer handed to Twilio.

RTF is given twice: wall clock (what a caller waits, noisy on a shared machine) and CPU
seconds per audio second (what the decoding costs, steadier when other jobs share the cores).

Run: ``.venv/bin/python benchmarks/asr.py [--threads 2] [--config NAME] [--lang es]
[--voice-notes] [--json out.json]``. Not a test.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import av
import numpy as np
from twilio.request_validator import RequestValidator

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from sqlalchemy import select  # noqa: E402

from contactpro import migrate  # noqa: E402
from contactpro.config import load_settings  # noqa: E402
from contactpro.models import MessageMedia  # noqa: E402
from contactpro.speech.audio import Audio, decode_audio, to_phone_wav  # noqa: E402
from contactpro.speech.backends import load_transcriber  # noqa: E402
from contactpro.speech.pipeline import transcribe_audio  # noqa: E402
from contactpro.speech.quality import corpus_word_error_rate, word_error_rate  # noqa: E402
from webhooks import create_app  # noqa: E402

DEFAULT_DATA = REPO.parent / "shared" / "data" / "speech"
TOKEN = "bench-token-0123456789abcdef"
PUBLIC = "https://bench.example.com"
BACKENDS = ("faster-whisper", "openai-whisper")
_PLAIN = {
    "whisper_prompt": False,
    "whisper_phone_highpass_hz": 0.0,
    "whisper_phone_peak": 0.0,
    "whisper_phone_tempo": 1.0,
}
CONFIGS: dict[str, dict[str, Any]] = {
    # name: settings overrides. "plain" is how transcription ran before the phone shaping.
    "plain": {**_PLAIN, "whisper_compute_type": "int8"},
    "prompt": {**_PLAIN, "whisper_prompt": True, "whisper_compute_type": "int8"},
    "phone": {"whisper_compute_type": "int8"},
    "phone-hp": {"whisper_compute_type": "int8", "whisper_phone_highpass_hz": 80.0},
    "phone-f32": {"whisper_compute_type": "float32"},
    "phone-f32-greedy": {"whisper_compute_type": "float32", "whisper_beam_size": 1},
    "phone-greedy": {"whisper_compute_type": "int8", "whisper_beam_size": 1},
}
DEFAULT_CONFIGS = ("plain", "phone")  # the others on request: --config NAME
TARGETS = {
    # (language, condition, model): (max WER, max real-time factor)
    ("en", "8k_mulaw", "tiny.en"): (0.05, 0.3),
    ("es", "16k", "base"): (0.30, 0.3),
    ("es", "8k_mulaw", "base"): (0.30, 0.3),
}


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def load_clips(data: Path) -> list[dict[str, Any]]:
    """Return the clips of transcripts.tsv, stereo references grouped under their file."""
    clips: dict[str, dict[str, Any]] = {}
    with (data / "transcripts.tsv").open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            name, _, channel = row["file"].partition("#")
            clip = clips.setdefault(name, {"file": name, "lang": row["lang"], "refs": {}})
            clip["refs"][{"left": "caller", "right": "agent"}.get(channel, "")] = row["reference"]
    return list(clips.values())


def run_worker(
    backend: str, model: str, config: str, threads: int, data: Path, langs: list[str]
) -> dict[str, Any]:
    """Load one model in this (fresh) process and transcribe every clip it can handle."""
    baseline_mb = _peak_mb()
    settings = load_settings(
        {
            "env": "test",
            "validate_twilio_signature": False,
            "transcriber": backend,
            "whisper_model": model,
            "whisper_threads": threads,
            "var_dir": str(REPO / "var"),
            **CONFIGS[config],
        },
        environ={},
        dotenv_path=None,
    )
    began = time.perf_counter()
    transcriber = load_transcriber(settings, model)
    load_seconds = time.perf_counter() - began
    clips = [
        c
        for c in load_clips(data)
        if (transcriber.multilingual or c["lang"] == "en") and c["lang"] in langs
    ]
    if not clips:
        return {"backend": backend, "model": model, "config": config, "results": []}
    warm = decode_audio((data / clips[0]["file"]).read_bytes())
    transcribe_audio(warm, settings=settings, language=clips[0]["lang"], transcriber=transcriber)
    results = []
    for clip in clips:
        original = decode_audio((data / clip["file"]).read_bytes())
        conditions: dict[str, Audio] = {
            "16k": original,
            "8k_mulaw": decode_audio(to_phone_wav(original)),
        }
        for condition, audio in conditions.items():
            cpu = time.process_time()
            transcript = transcribe_audio(
                audio, settings=settings, language=clip["lang"], transcriber=transcriber
            )
            cpu = time.process_time() - cpu
            pairs = [
                (ref, transcript.text_by(who) if who else transcript.text)
                for who, ref in clip["refs"].items()
            ]
            results.append(
                {
                    "file": clip["file"],
                    "lang": clip["lang"],
                    "condition": condition,
                    "pairs": pairs,
                    "duration": audio.duration,
                    "seconds": transcript.processing_seconds,
                    "cpu_seconds": cpu,
                }
            )
    detection = []
    if transcriber.multilingual and config == "phone":
        for clip in clips:
            phone = decode_audio(to_phone_wav(decode_audio((data / clip["file"]).read_bytes())))
            detected = transcribe_audio(
                phone, settings=replace(settings), transcriber=transcriber
            ).language
            detection.append((clip["file"], clip["lang"], detected))
    return {
        "backend": backend,
        "model": model,
        "config": config,
        "load_seconds": load_seconds,
        "baseline_mb": baseline_mb,
        "peak_mb": _peak_mb(),
        "results": results,
        "detection": detection,
    }


def summarise(run: dict[str, Any]) -> list[dict[str, Any]]:
    """Return one row per language and condition: WER, real-time factor, audio seconds."""
    rows = []
    keys = sorted({(r["lang"], r["condition"]) for r in run["results"]})
    for lang, condition in keys:
        chosen = [r for r in run["results"] if (r["lang"], r["condition"]) == (lang, condition)]
        pairs = [p for r in chosen for p in r["pairs"]]
        audio = sum(r["duration"] for r in chosen)
        rows.append(
            {
                "lang": lang,
                "condition": condition,
                "wer": corpus_word_error_rate(pairs, lang),
                "rtf": sum(r["seconds"] for r in chosen) / audio,
                "cpu_rtf": sum(r["cpu_seconds"] for r in chosen) / audio,
                "audio_seconds": audio,
                "clips": len(chosen),
            }
        )
    return rows


def ogg_opus(audio: Audio) -> bytes:
    """Encode the first channel as Ogg/Opus at the clip's rate (16 kHz: WhatsApp's own)."""
    buffer = io.BytesIO()
    rate = audio.sample_rate if audio.sample_rate in (8000, 12000, 16000, 24000, 48000) else 48000
    with av.open(buffer, "w", format="ogg") as out:
        stream = out.add_stream("libopus", rate=rate)
        stream.layout = "mono"
        frame = av.AudioFrame.from_ndarray(
            np.ascontiguousarray(audio.samples[:1].astype(np.float32)), format="fltp", layout="mono"
        )
        frame.sample_rate = audio.sample_rate
        for packet in stream.encode(frame):
            out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    return buffer.getvalue()


def serve(files: dict[str, bytes]) -> tuple[ThreadingHTTPServer, str]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            body = files.get(self.path, b"")
            self.send_response(200 if body else 404)
            self.send_header("Content-Type", "audio/ogg")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd, f"127.0.0.1:{httpd.server_address[1]}"


def mono_clips(data: Path) -> list[dict[str, str]]:
    with (data / "transcripts.tsv").open(encoding="utf-8", newline="") as fh:
        rows = [r for r in csv.DictReader(fh, delimiter="\t") if "#" not in r["file"]]
    return [r for r in rows if r["channels"] == "1"]


def voice_note_figures(data: Path, threads: int, langs: list[str]) -> list[dict[str, Any]]:
    """Post each mono clip as a WhatsApp voice note; print and return WER and seconds."""
    rows = [r for r in mono_clips(data) if r["lang"] in langs]
    files = {
        f"/Media/ME{i}": ogg_opus(decode_audio((data / r["file"]).read_bytes()))
        for i, r in enumerate(rows)
    }
    httpd, host = serve(files)
    tmp = Path(tempfile.mkdtemp(prefix="voice-notes-bench-"))
    url = f"sqlite:///{tmp / 'bench.sqlite3'}"
    migrate.upgrade(url)
    app = create_app(
        {
            "env": "test",
            "database_url": url,
            "var_dir": str(tmp / "var"),
            "task_always_eager": True,
            "twilio_auth_token": TOKEN,
            "public_url": PUBLIC,
            "voice_recording_hosts": (host,),
            "whisper_threads": threads,
        }
    )
    client, validator = app.test_client(), RequestValidator(TOKEN)
    results: list[dict[str, Any]] = []
    for i, row in enumerate(rows):
        sid = f"MM{i:032x}"
        params = {
            "MessageSid": sid,
            "AccountSid": "AC" + "0" * 32,
            "From": f"whatsapp:+5730000000{i:02d}",
            "To": "whatsapp:+14155238886",
            "Body": "",
            "NumMedia": "1",
            "MediaUrl0": f"http://{host}/Media/ME{i}",
            "MediaContentType0": "audio/ogg",
            "WaId": f"5730000000{i:02d}",
            "ProfileName": "Bench",
        }
        signature = validator.compute_signature(PUBLIC + "/twilio/sms", params)
        started = time.perf_counter()
        response = client.post(
            "/twilio/sms", data=params, headers={"X-Twilio-Signature": signature}
        )
        answered = time.perf_counter() - started
        assert response.status_code == 200, response.data
        with app.extensions["contactpro"].db.session() as session:
            note = session.scalars(
                select(MessageMedia).where(MessageMedia.message_sid == sid)
            ).one()
            results.append(
                {
                    "file": row["file"],
                    "lang": row["lang"],
                    "seconds": float(row["duration_s"]),
                    "status": note.status,
                    "wer": word_error_rate(row["reference"], note.transcript or "", row["lang"]),
                    "asr_confidence": note.asr_confidence,
                    "processing": note.processing_seconds,
                    "to_answer": answered,
                    "transcript": note.transcript,
                }
            )
    httpd.shutdown()
    print("\nWhatsApp voice notes (Ogg/Opus, signed webhook to answer, eager tasks, SQLite):")
    header = ("clip", "lang", "audio s", "status", "WER", "conf", "ASR s", "answer s")
    print("{:32} {:4} {:>7} {:9} {:>5} {:>5} {:>6} {:>8}".format(*header))
    for r in results:
        print(
            f"{r['file']:32} {r['lang']:4} {r['seconds']:7.2f} {r['status']:9} {r['wer']:5.2f} "
            f"{(r['asr_confidence'] or 0):5.2f} {(r['processing'] or 0):6.2f} {r['to_answer']:8.2f}"
        )
    for lang in ("es", "en"):
        mine = [r for r in results if r["lang"] == lang]
        if mine:
            warm = [r["to_answer"] for r in mine[1:]] or [mine[0]["to_answer"]]
            print(
                f"{lang}: mean WER {sum(r['wer'] for r in mine) / len(mine):.3f}, "
                f"median seconds to answer (warm) {sorted(warm)[len(warm) // 2]:.2f}"
            )
    print(f"first note (includes loading the model): {results[0]['to_answer']:.2f} s")
    return results


def _print_table(runs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    header = (
        f"{'backend':15} {'model':8} {'config':9} {'lang':4} {'audio':9} {'WER':>6} "
        f"{'RTF':>6} {'CPU RTF':>7} {'sec':>5} {'load s':>6} {'peak MB':>7}"
    )
    print(header)
    print("-" * len(header))
    table = []
    for run in runs:
        for row in summarise(run):
            table.append(
                {"backend": run["backend"], "model": run["model"], "config": run["config"], **row}
            )
            print(
                f"{run['backend']:15} {run['model']:8} {run['config']:9} {row['lang']:4} "
                f"{row['condition']:9} {row['wer']:6.1%} {row['rtf']:6.3f} {row['cpu_rtf']:7.3f} "
                f"{row['audio_seconds']:5.0f} {run['load_seconds']:6.2f} {run['peak_mb']:7.0f}"
            )
    return table


def _print_targets(table: list[dict[str, Any]], config: str) -> None:
    print(f"\nTargets (faster-whisper, config {config}):")
    for (lang, condition, model), (max_wer, max_rtf) in TARGETS.items():
        key = ("faster-whisper", model, config, lang, condition)
        row = next(
            (
                t
                for t in table
                if (t["backend"], t["model"], t["config"], t["lang"], t["condition"]) == key
            ),
            None,
        )
        if row is None:
            print(f"  {lang} {condition} {model}: not measured")
            continue
        verdict = "met" if row["wer"] <= max_wer and row["rtf"] <= max_rtf else "MISSED"
        print(
            f"  {lang} {condition} {model}: WER {row['wer']:.1%} (target <= {max_wer:.0%}), "
            f"RTF {row['rtf']:.3f}, CPU RTF {row['cpu_rtf']:.3f} (target <= {max_rtf}): "
            f"{verdict}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument(
        "--model", action="append", help="model name or path (repeatable; default tiny.en, base)"
    )
    parser.add_argument("--backend", action="append", choices=BACKENDS)
    parser.add_argument("--config", action="append", choices=tuple(CONFIGS))
    parser.add_argument("--lang", action="append", choices=("es", "en"))
    parser.add_argument(
        "--voice-notes", action="store_true", help="add the WhatsApp voice-note figures"
    )
    parser.add_argument("--json", type=Path, help="write the raw figures here")
    parser.add_argument(
        "--worker", nargs=3, metavar=("BACKEND", "MODEL", "CONFIG"), help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    langs = args.lang or ["es", "en"]
    if args.worker:
        print(json.dumps(run_worker(*args.worker, args.threads, args.data, langs)))
        return

    models = args.model or ["tiny.en", "base"]
    configs = args.config or list(DEFAULT_CONFIGS)
    runs = []
    for backend in args.backend or BACKENDS:
        for model in models:
            for config in configs:
                command = [sys.executable, __file__, "--worker", backend, model, config]
                command += ["--threads", str(args.threads), "--data", str(args.data)]
                command += [arg for lang in langs for arg in ("--lang", lang)]
                env = {**os.environ, "PYTHONWARNINGS": "ignore"}
                done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
                if done.returncode != 0:
                    reason = (done.stderr.strip().splitlines() or ["?"])[-1]
                    print(f"skipped {backend} {model} {config}: {reason}")
                    continue
                run = json.loads(done.stdout.strip().splitlines()[-1])
                if run["results"]:
                    runs.append(run)

    print(f"\nASR benchmark: {args.threads} threads, clips from {args.data}")
    print("WER after normalisation; RTF = processing / audio seconds (warm, VAD included)")
    for name, overrides in CONFIGS.items():
        if name in configs:
            print(f"  {name}: {overrides}")
    print()
    table = _print_table(runs)
    print("\nPer clip (8 kHz mu-law):")
    for run in runs:
        for r in run["results"]:
            if r["condition"] != "8k_mulaw":
                continue
            wer = corpus_word_error_rate(r["pairs"], r["lang"])
            hyp = " | ".join(h for _, h in r["pairs"])
            print(
                f"  {run['backend']:15} {run['model']:8} {run['config']:9} {r['file']:30} "
                f"{wer:6.1%}  {hyp[:80]}"
            )

    print("\nLanguage detection among es/en on 8 kHz mu-law (no language given):")
    for run in runs:
        if run["detection"]:
            right = sum(expected == got for _, expected, got in run["detection"])
            print(f"  {run['backend']:15} {run['model']:8} {right}/{len(run['detection'])} right")

    print("\nfaster-whisper vs openai-whisper, same clips, weights and config:")
    by_key = {(r["backend"], r["model"], r["config"]): r for r in runs}
    ratios = {}
    for model in models:
        for config in configs:
            fast = by_key.get(("faster-whisper", model, config))
            slow = by_key.get(("openai-whisper", model, config))
            if not (fast and slow):
                continue
            fast_s = sum(r["seconds"] for r in fast["results"])
            slow_s = sum(r["seconds"] for r in slow["results"])
            ratios[f"{model}/{config}"] = slow_s / fast_s
            print(
                f"  {model:8} {config:9} faster-whisper {fast_s:6.2f} s, openai-whisper "
                f"{slow_s:6.2f} s: faster-whisper is {slow_s / fast_s:4.1f}x faster "
                f"(load {fast['load_seconds']:.2f} s vs {slow['load_seconds']:.2f} s, "
                f"peak {fast['peak_mb']:.0f} MB vs {slow['peak_mb']:.0f} MB)"
            )
    for config in configs:
        _print_targets(table, config)
    notes = voice_note_figures(args.data, args.threads, langs) if args.voice_notes else []
    if args.json:
        figures = {"runs": runs, "table": table, "ratios": ratios, "voice_notes": notes}
        args.json.write_text(json.dumps(figures, indent=1))


if __name__ == "__main__":
    main()
