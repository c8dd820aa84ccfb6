"""Intent benchmark: CLINC150 (with out-of-scope), es_mtod, and the shipped corpus's held-out part.

Runs the same code path as ``contactpro intents train|evaluate`` (``train_model`` and
``evaluate_model``) and prints accuracy, macro-F1, out-of-scope recall, training time and the
model tier's per-message latency (p50/p99, one message at a time, as in production).

    .venv/bin/python benchmarks/intents.py [--only clinc150|es_mtod|shipped] [--json FILE]

Data sets are read from ../shared/data relative to the repository root (see SOURCES.md there).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "data"
sys.path.insert(0, str(REPO))

from contactpro.config import load_settings  # noqa: E402
from contactpro.nlu.cascade import Cascade  # noqa: E402
from contactpro.nlu.classifier import (  # noqa: E402
    SHIPPED_MODEL_DIR,
    IntentModel,
    TrainConfig,
    train_model,
)
from contactpro.nlu.datasets import Example, shipped_split  # noqa: E402
from contactpro.nlu.embeddings import get_encoder  # noqa: E402
from contactpro.nlu.evaluation import evaluate_model  # noqa: E402
from contactpro.nlu.stats import TierStats  # noqa: E402
from contactpro.nlu.taxonomy import OUT_OF_SCOPE  # noqa: E402

LATENCY_SAMPLE = 1000
TARGETS = {
    "clinc150_in_scope_accuracy": 0.95,
    "clinc150_oos_recall": 0.75,
    "es_mtod_accuracy": 0.98,
    "model_p99_ms": 10.0,
    "clinc150_training_seconds": 180.0,
}


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


def clinc150() -> dict[str, Any]:
    """Train on train (+oos_train), threshold on val (+oos_val), report on test (+oos_test)."""
    raw = json.loads((DATA / "clinc150" / "data_full.json").read_text(encoding="utf-8"))

    def rows(split: str) -> list[Example]:
        return [Example(t, label) for t, label in raw[split]] + [
            Example(t, OUT_OF_SCOPE) for t, _ in raw[f"oos_{split}"]
        ]

    train, val, test = rows("train"), rows("val"), rows("test")
    started = time.perf_counter()
    model = train_model(train, validation=val, progress=_progress)
    seconds = time.perf_counter() - started
    report = evaluate_model(model, test)
    rng = np.random.default_rng(0)
    sample = [test[i].text for i in rng.choice(len(test), LATENCY_SAMPLE, replace=False)]
    return {
        "n_train": len(train),
        "n_val": len(val),
        "n_test": len(test),
        "threshold": model.threshold,
        "val": model.metadata["metrics"],
        "in_scope_accuracy": report["in_scope_accuracy"],
        "oos_recall": report["oos_recall"],
        "accuracy": report["accuracy"],
        "macro_f1": report["macro_f1"],
        "training_seconds": round(seconds, 1),
        "latency": latency(model, sample),
    }


def es_mtod() -> dict[str, Any]:
    """Train on train-es (threshold on a carved-out fifth), report on eval-es.

    Run twice: as shipped (n-grams + the English MiniLM embeddings) and with ``--no-embeddings``,
    the configuration docs/intents.md recommends for Spanish-only traffic.
    """
    with_embeddings = _es_mtod(TrainConfig())
    return {**with_embeddings, "no_embeddings": _es_mtod(TrainConfig(embeddings=False))}


def _es_mtod(config: TrainConfig) -> dict[str, Any]:

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


def shipped() -> dict[str, Any]:
    """The shipped model, and the whole cascade without an LLM, on the held-out fifth."""
    model = IntentModel.load(SHIPPED_MODEL_DIR)
    model.encoder = get_encoder()
    _, held_out = shipped_split()
    report = evaluate_model(model, held_out)
    settings = load_settings(
        {"env": "test", "validate_twilio_signature": False}, environ={}, dotenv_path=None
    )
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
    """Run the benchmarks and print a summary against the targets."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=("clinc150", "es_mtod", "shipped"))
    parser.add_argument("--json", type=Path, help="Also write the figures to this file.")
    parser.add_argument(
        "--latency-only",
        action="store_true",
        help="Only time the shipped model on single messages.",
    )
    args = parser.parse_args()
    results: dict[str, Any] = {
        "machine": {"cpus": os.cpu_count(), "load_average": os.getloadavg()},
    }
    if args.latency_only:
        model = IntentModel.load(SHIPPED_MODEL_DIR)
        model.encoder = get_encoder()
        raw = json.loads((DATA / "clinc150" / "data_full.json").read_text(encoding="utf-8"))
        texts = [t for t, _ in raw["test"][:LATENCY_SAMPLE]]
        print(json.dumps({"shipped_model_latency": latency(model, texts), **results}))
        return
    for name, run in (("shipped", shipped), ("es_mtod", es_mtod), ("clinc150", clinc150)):
        if args.only in (None, name):
            print(f"== {name}", file=sys.stderr, flush=True)
            results[name] = run()
            print(json.dumps({name: results[name]}, indent=2, ensure_ascii=False), flush=True)
    results["machine"]["load_average_after"] = os.getloadavg()
    if "clinc150" in results:
        c = results["clinc150"]
        print(
            f"CLINC150 in-scope accuracy {c['in_scope_accuracy']:.4f} (target "
            f"{TARGETS['clinc150_in_scope_accuracy']}), OOS recall {c['oos_recall']:.4f} "
            f"(target {TARGETS['clinc150_oos_recall']}), macro-F1 {c['macro_f1']:.4f}, "
            f"training {c['training_seconds']}s, p50/p99 {c['latency']['p50_ms']}/"
            f"{c['latency']['p99_ms']} ms (CPU time {c['latency']['cpu_p50_ms']}/"
            f"{c['latency']['cpu_p99_ms']} ms)"
        )
    if "es_mtod" in results:
        e = results["es_mtod"]
        print(
            f"es_mtod accuracy {e['accuracy']:.4f} with the out-of-scope threshold, "
            f"{e['top_intent_accuracy']:.4f} without (target {TARGETS['es_mtod_accuracy']}), "
            f"macro-F1 {e['macro_f1']:.4f}, p50/p99 {e['latency']['p50_ms']}/"
            f"{e['latency']['p99_ms']} ms"
        )
        n = e["no_embeddings"]
        print(
            f"es_mtod with --no-embeddings: accuracy {n['accuracy']:.4f} with the threshold, "
            f"{n['top_intent_accuracy']:.4f} without, macro-F1 {n['macro_f1']:.4f}, "
            f"p50/p99 {n['latency']['p50_ms']}/{n['latency']['p99_ms']} ms"
        )
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, ensure_ascii=False), encoding="utf-8")


if __name__ == "__main__":
    main()
