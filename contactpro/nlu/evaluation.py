"""Quality figures of an intent model on labelled data, as a plain dict and as text."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Sequence
from typing import Any

import numpy as np
from sklearn.metrics import accuracy_score, f1_score, precision_recall_fscore_support

from contactpro.nlu.classifier import IntentModel
from contactpro.nlu.datasets import Example

TOP_CONFUSIONS = 10
BATCH = 256


def metrics(gold: Sequence[str], pred: Sequence[str], oos_label: str) -> dict[str, Any]:
    """Return accuracy, macro-F1, per-intent figures, confusions and out-of-scope figures."""
    labels = sorted(set(gold) | set(pred))
    precision, recall, f1, support = precision_recall_fscore_support(
        gold, pred, labels=labels, zero_division=0
    )
    per_intent = {
        label: {
            "precision": round(float(p), 4),
            "recall": round(float(r), 4),
            "f1": round(float(f), 4),
            "support": int(s),
        }
        for label, p, r, f, s in zip(labels, precision, recall, f1, support, strict=True)
        if s or label in pred
    }
    confusions = Counter((g, p) for g, p in zip(gold, pred, strict=True) if g != p)
    gold_arr, pred_arr = np.array(gold), np.array(pred)
    in_scope = gold_arr != oos_label
    result: dict[str, Any] = {
        "n": len(gold),
        "accuracy": round(float(accuracy_score(gold, pred)), 4),
        "macro_f1": round(
            float(f1_score(gold, pred, labels=sorted(set(gold)), average="macro", zero_division=0)),
            4,
        ),
        "in_scope_accuracy": round(float((pred_arr[in_scope] == gold_arr[in_scope]).mean()), 4)
        if in_scope.any()
        else None,
        "oos_recall": round(float((pred_arr[~in_scope] == oos_label).mean()), 4)
        if (~in_scope).any()
        else None,
        "per_intent": per_intent,
        "confusions": [
            {"gold": g, "predicted": p, "count": n}
            for (g, p), n in confusions.most_common(TOP_CONFUSIONS)
        ],
    }
    return result


def evaluate_model(model: IntentModel, examples: Sequence[Example]) -> dict[str, Any]:
    """Predict every example and return :func:`metrics`, per language when languages are known."""
    started = time.perf_counter()
    texts = [ex.text for ex in examples]
    pred: list[str] = []
    top: list[str] = []
    for i in range(0, len(texts), BATCH):
        probs, similarity = model.scores(texts[i : i + BATCH])
        pred.extend(model.decide(probs, similarity, model.threshold))
        top.extend(model.classes[j] for j in probs.argmax(axis=1))
    seconds = time.perf_counter() - started
    gold = [ex.label for ex in examples]
    report = metrics(gold, pred, model.config.oos_label)
    # What the threshold costs: accuracy of the top-scoring intent, nothing sent out of scope.
    report["top_intent_accuracy"] = round(
        sum(g == t for g, t in zip(gold, top, strict=True)) / max(1, len(gold)), 4
    )
    report["threshold"] = model.threshold
    report["model_version"] = model.metadata.get("version")
    report["batch_ms_per_message"] = round(seconds * 1000 / max(1, len(examples)), 3)
    languages = sorted({ex.language for ex in examples if ex.language})
    if len(languages) > 1:
        report["by_language"] = {}
        for language in languages:
            idx = [i for i, ex in enumerate(examples) if ex.language == language]
            sub = metrics([gold[i] for i in idx], [pred[i] for i in idx], model.config.oos_label)
            report["by_language"][language] = {
                k: sub[k] for k in ("n", "accuracy", "macro_f1", "in_scope_accuracy", "oos_recall")
            }
    return report


def format_report(report: dict[str, Any]) -> str:
    """Render an evaluation report for a terminal."""
    lines = [
        f"examples        {report['n']}",
        f"accuracy        {report['accuracy']:.4f}",
        f"macro-F1        {report['macro_f1']:.4f}",
    ]
    if report.get("in_scope_accuracy") is not None and report.get("oos_recall") is not None:
        lines.append(f"in-scope acc.   {report['in_scope_accuracy']:.4f}")
    if report.get("oos_recall") is not None:
        lines.append(f"out-of-scope recall {report['oos_recall']:.4f}")
    if "threshold" in report:
        lines.append(
            f"threshold       {report['threshold']:.3f} (accuracy without it: "
            f"{report['top_intent_accuracy']:.4f})"
        )
    for language, sub in report.get("by_language", {}).items():
        lines.append(
            f"[{language}] n={sub['n']} accuracy={sub['accuracy']:.4f} "
            f"macro-F1={sub['macro_f1']:.4f}"
        )
    lines.append("")
    lines.append(f"{'intent':32} {'precision':>9} {'recall':>7} {'support':>7}")
    for label, row in report["per_intent"].items():
        lines.append(f"{label:32} {row['precision']:9.3f} {row['recall']:7.3f} {row['support']:7d}")
    if report["confusions"]:
        lines.append("")
        lines.append("most frequent confusions (gold -> predicted)")
        for c in report["confusions"]:
            lines.append(f"  {c['count']:4d}  {c['gold']} -> {c['predicted']}")
    return "\n".join(lines)
