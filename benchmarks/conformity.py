"""Benchmark the conformity text model: UMSAB macro-F1, held-apart ROC AUC, time per text.

Not a test. Prints, for the shipped model (trained only on the project's utterances):

1. macro-F1 on the UMSAB tweet sentiment test split, Spanish and English (evaluation only: UMSAB
   is research data that the product never ships or trains on), next to a TF-IDF logistic
   regression trained on UMSAB train+val (the reference a model fitted to tweets reaches);
2. ROC AUC of the text score separating the clearly negative from the clearly positive
   customer-service texts of ``contactpro/data/conformity/heldout`` (kept apart from training);
3. the scoring time per text: one text at a time (p50/p99, as an SMS would be scored) and in
   batches (as the analysis run scores a backlog), with the n-gram fallback for comparison.

Usage: python benchmarks/conformity.py [--umsab DIR] [--timing-texts 200]
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

import numpy as np
from sklearn.metrics import f1_score, roc_auc_score

from contactpro.analytics import sentiment

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


def main() -> None:
    """Parse arguments and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--umsab", type=Path, default=UMSAB, help="the umsab_sentiment folder")
    parser.add_argument("--timing-texts", type=int, default=200)
    args = parser.parse_args()
    if not (args.umsab / "spanish" / "test_text.txt").is_file():
        parser.error(f"no UMSAB data in {args.umsab}; pass --umsab DIR")
    model = sentiment.load_model()
    fallback = sentiment.train_ngram(sentiment.load_utterances())
    print(f"shipped model: {model.version}; n-gram fallback: {fallback.version}", flush=True)
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
    for name, scored in (("shipped", model), ("n-gram fallback", fallback)):
        p50, p99, batch = per_text_ms(scored, timing_texts)
        print(
            f"scoring time per text ({name}, {len(timing_texts)} tweets, 1 thread, load average "
            f"{os.getloadavg()[0]:.1f}): one at a time p50 {p50:.1f} ms, p99 {p99:.1f} ms; in "
            f"one batch {batch:.2f} ms",
            flush=True,
        )


if __name__ == "__main__":
    main()
