"""Intent benchmark per sentence encoder: CLINC150 (with out-of-scope), es_mtod, shipped held-out.

Runs the same code path as ``contactpro intents train|evaluate`` (``train_model`` and
``evaluate_model``) for each encoder (e5, e5-static, minilm, none) and prints accuracy,
macro-F1, out-of-scope recall, training time and the model tier's per-message latency (p50/p99
wall and CPU, one message at a time, as in production), then one line per encoder.

    .venv/bin/python benchmarks/intents.py [--encoder e5 --encoder none] \
        [--only clinc150|es_mtod|shipped] [--json FILE]

Data sets are read from ../shared/data relative to the repository root (see SOURCES.md there), or
from the folder CONTACTPRO_BENCH_DATA names (a git worktree sits elsewhere).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("CONTACTPRO_BENCH_DATA", REPO.parent / "shared" / "data"))
sys.path.insert(0, str(REPO))

from contactpro.config import load_settings  # noqa: E402
from contactpro.nlu.cascade import Cascade, load_model  # noqa: E402
from contactpro.nlu.classifier import IntentModel, TrainConfig, train_model  # noqa: E402
from contactpro.nlu.datasets import Example, shipped_split  # noqa: E402
from contactpro.nlu.encoders import ENCODERS, encoder_available  # noqa: E402
from contactpro.nlu.evaluation import evaluate_model  # noqa: E402
from contactpro.nlu.stats import TierStats  # noqa: E402
from contactpro.nlu.taxonomy import OUT_OF_SCOPE  # noqa: E402
from contactpro.runtime import limit_numeric_threads  # noqa: E402

LATENCY_SAMPLE = 1000
TARGETS = {
    "clinc150_in_scope_accuracy": 0.95,
    "clinc150_oos_recall": 0.85,
    "es_mtod_accuracy": 0.98,
    "shipped_accuracy": 0.90,
    "model_p99_ms": 5.0,
}
# Chosen on CLINC150's validation split: with 150 intents e5's block earns a larger weight than
# on the shipped corpus, where 4 loses against the default 2 (see docs/intents.md).
CLINC150_CONFIG: dict[str, dict[str, Any]] = {"e5": {"embedding_weight": 4.0}}


def _progress(stage: str, done: int, total: int) -> None:
    if done == total or done % 5120 == 0:
        print(f"  {stage}: {done}/{total}", file=sys.stderr, flush=True)


def latency(model: IntentModel, texts: list[str]) -> dict[str, float]:
    """Return p50/p99 milliseconds of ``model.predict`` on single messages.

    Wall-clock figures include waiting for a CPU when other processes load the machine; the
    CPU-time figures (this thread only: single-message inference runs on one thread) do not.
    """
    for text in texts[:20]:
        model.predict(text)  # warm-up
    wall, cpu = [], []
    for text in texts:
        started, started_cpu = time.perf_counter(), time.thread_time()
        model.predict(text)
        cpu.append((time.thread_time() - started_cpu) * 1000)
        wall.append((time.perf_counter() - started) * 1000)
    return {
        "p50_ms": round(float(np.percentile(wall, 50)), 2),
        "p99_ms": round(float(np.percentile(wall, 99)), 2),
        "cpu_p50_ms": round(float(np.percentile(cpu, 50)), 2),
        "cpu_p99_ms": round(float(np.percentile(cpu, 99)), 2),
        "n": len(wall),
    }


def clinc150(encoder: str) -> dict[str, Any]:
    """Train on train (+oos_train), threshold on val (+oos_val), report on test (+oos_test)."""
    raw = json.loads((DATA / "clinc150" / "data_full.json").read_text(encoding="utf-8"))

    def rows(split: str) -> list[Example]:
        return [Example(t, label) for t, label in raw[split]] + [
            Example(t, OUT_OF_SCOPE) for t, _ in raw[f"oos_{split}"]
        ]

    train, val, test = rows("train"), rows("val"), rows("test")
    started = time.perf_counter()
    config = TrainConfig(encoder=encoder, **CLINC150_CONFIG.get(encoder, {}))
    model = train_model(train, validation=val, config=config, progress=_progress)
    seconds = time.perf_counter() - started
    report = evaluate_model(model, test)
    rng = np.random.default_rng(0)
    sample = [test[i].text for i in rng.choice(len(test), LATENCY_SAMPLE, replace=False)]
    return {
        "n_train": len(train),
        "n_val": len(val),
        "n_test": len(test),
        "threshold": model.threshold,
        "config": {k: v for k, v in asdict(config).items() if k != "oos_label"},
        "val": model.metadata["metrics"],
        "in_scope_accuracy": report["in_scope_accuracy"],
        "oos_recall": report["oos_recall"],
        "top_intent_accuracy": report["top_intent_accuracy"],
        "accuracy": report["accuracy"],
        "macro_f1": report["macro_f1"],
        "training_seconds": round(seconds, 1),
        "latency": latency(model, sample),
    }


def es_mtod(encoder: str) -> dict[str, Any]:
    """Train on train-es (threshold on a carved-out fifth), report on eval-es."""
    config = TrainConfig(encoder=encoder)

    def rows(name: str) -> list[Example]:
        with (DATA / "es_mtod" / name).open(encoding="utf-8") as fh:
            return [
                Example(r[2].strip(), r[0])
                for r in csv.reader(fh, delimiter="\t")
                if len(r) >= 3 and r[2].strip()
            ]

    train, test = rows("train-es.tsv"), rows("eval-es.tsv")
    started = time.perf_counter()
    model = train_model(train, config=config, progress=_progress)
    seconds = time.perf_counter() - started
    report = evaluate_model(model, test)
    rng = np.random.default_rng(0)
    sample = [test[i].text for i in rng.choice(len(test), LATENCY_SAMPLE, replace=False)]
    return {
        "n_train": len(train),
        "n_test": len(test),
        "threshold": model.threshold,
        "accuracy": report["accuracy"],
        "macro_f1": report["macro_f1"],
        "top_intent_accuracy": report["top_intent_accuracy"],
        "training_seconds": round(seconds, 1),
        "latency": latency(model, sample),
    }


def shipped(encoder: str) -> dict[str, Any]:
    """The encoder's shipped model, and the cascade without an LLM, on the held-out fifth."""
    settings = load_settings(
        {"env": "test", "validate_twilio_signature": False, "intent_encoder": encoder},
        environ={},
        dotenv_path=None,
    )
    model = load_model(settings)
    _, held_out = shipped_split()
    report = evaluate_model(model, held_out)
    stats = TierStats()
    cascade = Cascade(settings, model=model, stats=stats)
    cascade_right: dict[str, list[bool]] = {}
    for ex in held_out:
        result = cascade.understand(ex.text, channel="sms", source="sms")
        cascade_right.setdefault(ex.language or "", []).append(result.intent == ex.label)
    snap = stats.snapshot()
    return {
        "model_version": model.metadata["version"],
        "threshold": model.threshold,
        "n_held_out": len(held_out),
        "model_accuracy": report["accuracy"],
        "model_macro_f1": report["macro_f1"],
        "model_oos_recall": report["oos_recall"],
        "model_by_language": report["by_language"],
        "cascade_accuracy_by_language": {
            lang: round(sum(v) / len(v), 4) for lang, v in cascade_right.items()
        },
        "cascade_tier_shares": {t: round(s["share"], 3) for t, s in snap["tiers"].items()},
        "confusions": report["confusions"][:5],
        "latency": latency(model, [ex.text for ex in held_out]),
    }


def main() -> None:
    """Run the benchmarks per encoder and print a summary against the targets."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=("clinc150", "es_mtod", "shipped"))
    parser.add_argument(
        "--encoder",
        action="append",
        choices=list(ENCODERS),
        help="Encoder to measure (repeatable; default: every installed one).",
    )
    parser.add_argument("--json", type=Path, help="Also write the figures to this file.")
    args = parser.parse_args()
    limit_numeric_threads(1)  # as a web worker runs (CONTACTPRO_NUMERIC_THREADS' default)
    encoders = args.encoder or [e for e in ENCODERS if encoder_available(e)]
    results: dict[str, Any] = {
        "machine": {"cpus": os.cpu_count(), "load_average": os.getloadavg()},
    }
    runs = (("shipped", shipped), ("es_mtod", es_mtod), ("clinc150", clinc150))
    for encoder in encoders:
        figures: dict[str, Any] = results.setdefault(encoder, {})
        for name, run in runs:
            if args.only in (None, name):
                print(f"== {encoder} {name}", file=sys.stderr, flush=True)
                figures[name] = run(encoder)
                print(json.dumps({encoder: {name: figures[name]}}, indent=2), flush=True)
    results["machine"]["load_average_after"] = os.getloadavg()
    print(f"targets: {json.dumps(TARGETS)}")
    for encoder in encoders:
        print(summary(encoder, results[encoder]))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, ensure_ascii=False), encoding="utf-8")


def summary(encoder: str, figures: dict[str, Any]) -> str:
    """Return one line of the headline figures of one encoder."""
    parts = [f"{encoder:10}"]
    if "shipped" in figures:
        s, lat = figures["shipped"], figures["shipped"]["latency"]
        parts.append(
            f"shipped {s['model_accuracy']:.4f} (oos recall {s['model_oos_recall']:.4f}), "
            f"p50/p99 {lat['p50_ms']}/{lat['p99_ms']} ms wall, "
            f"{lat['cpu_p50_ms']}/{lat['cpu_p99_ms']} ms CPU"
        )
    if "es_mtod" in figures:
        e = figures["es_mtod"]
        parts.append(f"es_mtod {e['accuracy']:.4f} (top {e['top_intent_accuracy']:.4f})")
    if "clinc150" in figures:
        c = figures["clinc150"]
        parts.append(
            f"CLINC150 in-scope {c['in_scope_accuracy']:.4f} oos recall {c['oos_recall']:.4f}"
        )
    return " | ".join(parts)


if __name__ == "__main__":
    main()
