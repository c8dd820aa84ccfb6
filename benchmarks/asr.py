"""Speech recognition benchmark: accuracy, speed, load time and memory per backend and model.

For each backend (faster-whisper, openai-whisper) and each model available offline (the
packaged tiny.en and base, or each ``--model NAME|PATH`` given), on the shared clips in
``../shared/data/speech``:

- word error rate (normalised text) per language, on the clip as recorded ("16 kHz") and
  converted to 8 kHz G.711 mu-law as a phone call reaches Twilio ("8 kHz mu-law");
- real-time factor (processing / audio seconds, warm model, whole pipeline: VAD, decoding);
- cold-start load time and peak resident memory, each (backend, model) in a fresh process;
- faster-whisper against openai-whisper on the same clips and the same weights (openai-whisper
  runs the packaged CTranslate2 weights converted exactly to a PyTorch checkpoint).

Run: ``.venv/bin/python benchmarks/asr.py [--threads 2] [--json out.json]``. Not a test.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from contactpro.config import load_settings  # noqa: E402
from contactpro.speech.audio import Audio, decode_audio, to_phone_wav  # noqa: E402
from contactpro.speech.backends import load_transcriber  # noqa: E402
from contactpro.speech.pipeline import transcribe_audio  # noqa: E402
from contactpro.speech.quality import corpus_word_error_rate  # noqa: E402

DEFAULT_DATA = REPO.parent / "shared" / "data" / "speech"
BACKENDS = ("faster-whisper", "openai-whisper")
TARGETS = {
    # (language, condition, model): (max WER, max real-time factor)
    ("en", "8k_mulaw", "tiny.en"): (0.05, 0.1),
    ("es", "16k", "base"): (0.30, 0.2),
    ("es", "8k_mulaw", "base"): (0.30, 0.2),
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


def run_worker(backend: str, model: str, threads: int, data: Path) -> dict[str, Any]:
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
        },
        environ={},
        dotenv_path=None,
    )
    began = time.perf_counter()
    transcriber = load_transcriber(settings, model)
    load_seconds = time.perf_counter() - began
    clips = [c for c in load_clips(data) if transcriber.multilingual or c["lang"] == "en"]
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
            transcript = transcribe_audio(
                audio, settings=settings, language=clip["lang"], transcriber=transcriber
            )
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
                }
            )
    detection = []
    if transcriber.multilingual:
        for clip in load_clips(data):
            phone = decode_audio(to_phone_wav(decode_audio((data / clip["file"]).read_bytes())))
            detected = transcribe_audio(
                phone, settings=replace(settings), transcriber=transcriber
            ).language
            detection.append((clip["file"], clip["lang"], detected))
    return {
        "backend": backend,
        "model": model,
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
                "audio_seconds": audio,
                "clips": len(chosen),
            }
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument(
        "--model", action="append", help="model name or path (repeatable; default tiny.en, base)"
    )
    parser.add_argument("--backend", action="append", choices=BACKENDS)
    parser.add_argument("--json", type=Path, help="write the raw figures here")
    parser.add_argument("--worker", nargs=2, metavar=("BACKEND", "MODEL"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(run_worker(*args.worker, args.threads, args.data)))
        return

    models = args.model or ["tiny.en", "base"]
    runs = []
    for backend in args.backend or BACKENDS:
        for model in models:
            command = [sys.executable, __file__, "--worker", backend, model]
            command += ["--threads", str(args.threads), "--data", str(args.data)]
            env = {**os.environ, "PYTHONWARNINGS": "ignore"}
            done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
            if done.returncode != 0:
                reason = (done.stderr.strip().splitlines() or ["?"])[-1]
                print(f"skipped {backend} {model}: {reason}")
                continue
            runs.append(json.loads(done.stdout.strip().splitlines()[-1]))

    print(f"\nASR benchmark: {args.threads} threads, clips from {args.data}")
    print("WER after normalisation; RTF = processing / audio seconds (warm, VAD included)\n")
    header = (
        f"{'backend':15} {'model':8} {'lang':4} {'audio':9} {'WER':>6} {'RTF':>6} "
        f"{'sec':>5} {'load s':>6} {'peak MB':>7}"
    )
    print(header)
    print("-" * len(header))
    table = []
    for run in runs:
        for row in summarise(run):
            table.append({"backend": run["backend"], "model": run["model"], **row})
            print(
                f"{run['backend']:15} {run['model']:8} {row['lang']:4} {row['condition']:9} "
                f"{row['wer']:6.1%} {row['rtf']:6.3f} {row['audio_seconds']:5.0f} "
                f"{run['load_seconds']:6.2f} {run['peak_mb']:7.0f}"
            )
    print("\nPer clip (8 kHz mu-law):")
    for run in runs:
        for r in run["results"]:
            if r["condition"] != "8k_mulaw":
                continue
            wer = corpus_word_error_rate(r["pairs"], r["lang"])
            hyp = " | ".join(h for _, h in r["pairs"])
            print(f"  {run['backend']:15} {run['model']:8} {r['file']:30} {wer:6.1%}  {hyp[:90]}")

    print("\nLanguage detection among es/en on 8 kHz mu-law (no language given):")
    for run in runs:
        if run["detection"]:
            right = sum(expected == got for _, expected, got in run["detection"])
            print(f"  {run['backend']:15} {run['model']:8} {right}/{len(run['detection'])} right")

    print("\nfaster-whisper vs openai-whisper, same clips and weights (8 kHz mu-law and 16 kHz):")
    by_key = {(r["backend"], r["model"]): r for r in runs}
    ratios = {}
    for model in models:
        fast, slow = by_key.get(("faster-whisper", model)), by_key.get(("openai-whisper", model))
        if not (fast and slow):
            continue
        fast_s = sum(r["seconds"] for r in fast["results"])
        slow_s = sum(r["seconds"] for r in slow["results"])
        ratios[model] = slow_s / fast_s
        print(
            f"  {model:8} faster-whisper {fast_s:6.2f} s, openai-whisper {slow_s:6.2f} s: "
            f"faster-whisper is {slow_s / fast_s:4.1f}x faster "
            f"(load {fast['load_seconds']:.2f} s vs {slow['load_seconds']:.2f} s, "
            f"peak {fast['peak_mb']:.0f} MB vs {slow['peak_mb']:.0f} MB)"
        )

    print("\nTargets (faster-whisper, int8):")
    for (lang, condition, model), (max_wer, max_rtf) in TARGETS.items():
        row = next(
            (
                t
                for t in table
                if (t["backend"], t["model"], t["lang"], t["condition"])
                == ("faster-whisper", model, lang, condition)
            ),
            None,
        )
        if row is None:
            print(f"  {lang} {condition} {model}: not measured")
            continue
        verdict = "met" if row["wer"] <= max_wer and row["rtf"] <= max_rtf else "MISSED"
        print(
            f"  {lang} {condition} {model}: WER {row['wer']:.1%} (target <= {max_wer:.0%}), "
            f"RTF {row['rtf']:.3f} (target <= {max_rtf}): {verdict}"
        )
    if args.json:
        args.json.write_text(json.dumps({"runs": runs, "table": table, "ratios": ratios}, indent=1))


if __name__ == "__main__":
    main()
