"""Improvement-loop benchmark: replay and indexing speed, similar-question retrieval quality.

* Replay: N conversations (default 2,000) built from the shipped intent corpus (a request, then
  an answer such as "sí" or "gracias"), replayed with the current configuration and with a
  proposal (a lower knowledge-base threshold), through ``contactpro.improve.replay`` exactly as
  ``contactpro improve replay`` does. Prints conversations per second per side and the figures.
* Indexing: the same conversations imported and embedded into the persistent index
  (``index_pending``), per encoder; prints conversations per second.
* Retrieval: CLINC150's in-scope test split (4,500 queries, 150 intents) stored in the index,
  each query searched against all the others: the share of the top 5 with the query's intent.
* Retrieval in both languages (``--bilingual``): precision@5 of same-intent matches, each text
  stored through the index and searched against all the others, for Spanish and for English
  queries of the shipped contact-center corpus, for Spanish queries against English cases only
  (cross-language), and on the Spanish es_mtod evaluation split. These figures choose what
  ``CONTACTPRO_IMPROVE_CASE_ENCODER=auto`` means (docs/improve.md).

    .venv/bin/python benchmarks/improve.py [--conversations 2000] [--encoders e5,minilm,hashing]
    .venv/bin/python benchmarks/improve.py --bilingual --encoders e5,minilm,hashing

Data sets are read from ../shared/data relative to the repository root, or from
``CONTACTPRO_SHARED_DATA`` (see SOURCES.md there).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from sqlalchemy import select

REPO = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("CONTACTPRO_SHARED_DATA", REPO.parent / "shared" / "data"))
sys.path.insert(0, str(REPO))

from contactpro import migrate  # noqa: E402
from contactpro.config import load_settings  # noqa: E402
from contactpro.db import Database  # noqa: E402
from contactpro.improve import index, replay, store  # noqa: E402
from contactpro.improve.dataset import Conversation, Message  # noqa: E402
from contactpro.improve.proposed import Proposed  # noqa: E402
from contactpro.models import CaseVector  # noqa: E402

FOLLOW_UPS = {"es": ["sí", "no", "gracias", "sí, gracias"], "en": ["yes", "no", "thanks", "ok"]}


def conversations(count: int, seed: int = 7) -> list[Conversation]:
    """Build ``count`` two-turn conversations from the shipped intent corpus."""
    corpus = REPO / "contactpro" / "data" / "intents" / "corpus.csv"
    with corpus.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    rng = random.Random(seed)
    built = []
    for i in range(count):
        row = rng.choice(rows)
        language = row["language"] if row["language"] in FOLLOW_UPS else "es"
        built.append(
            Conversation(
                conversation_id=f"b{i}",
                transcript=[
                    Message("user", row["text"]),
                    Message("user", rng.choice(FOLLOW_UPS[language])),
                ],
                channel="sms",
                language=language,
                resolved=False,
                intents=[row["label"]],
            )
        )
    return built


def bench_replay(db: Database, url: str, convs: list[Conversation]) -> dict[str, object]:
    """Replay both sides; return conversations per second and the side-by-side figures."""
    settings = load_settings({"database_url": url, "env": "test", "twilio_auth_token": "x"})
    proposal = Proposed(Path("."), {"knowledge_min_score": 0.2})
    started = time.perf_counter()
    comparison = replay.replay(db, settings, convs, proposal)
    seconds = time.perf_counter() - started
    return {
        "conversations": len(convs),
        "seconds_both_sides": round(seconds, 1),
        "conversations_per_second": round(2 * len(convs) / seconds, 1),
        "summary": comparison.summary,
        "changed": len(comparison.changed),
    }


def bench_indexing(db: Database, convs: list[Conversation], name: str) -> dict[str, object]:
    """Embed every imported conversation with one encoder; return conversations per second."""
    encoder = index.encoder_for(name)
    encoder.encode(["warm up"])
    started = time.perf_counter()
    total = 0
    while True:
        with db.session() as session:
            added = index.index_pending(session, encoder, batch=256)
        if not added:
            break
        total += added
    seconds = time.perf_counter() - started
    return {
        "encoder": encoder.name,
        "conversations": total,
        "conversations_per_second": round(total / seconds, 1),
    }


def bench_retrieval(name: str) -> dict[str, object]:
    """Top-5 same-intent precision on CLINC150's test split, leave-one-out, via the index."""
    split = json.loads((DATA / "clinc150" / "data_full.json").read_text(encoding="utf-8"))["test"]
    texts, labels = [t for t, _ in split], np.array([label for _, label in split])
    encoder = index.encoder_for(name)
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/clinc.sqlite3"
        migrate.upgrade(url)
        db = Database(url)
        cases = [
            index.Case("dataset", i, text, None, None, None, None, None, label, None)
            for i, (text, label) in enumerate(split)
        ]
        started = time.perf_counter()
        for start in range(0, len(cases), 512):
            with db.session() as session:
                index.add_cases(session, encoder, cases[start : start + 512])
        seconds = time.perf_counter() - started
        with db.session() as session:
            stored = session.scalars(select(CaseVector).order_by(CaseVector.ref_id))
            vectors = np.vstack([np.frombuffer(r.vector, dtype=np.float32) for r in stored])
        db.dispose()
    scores = vectors @ vectors.T
    np.fill_diagonal(scores, -np.inf)
    top = np.argsort(-scores, axis=1)[:, :5]
    precision = float((labels[top] == labels[:, None]).mean())
    return {
        "encoder": encoder.name,
        "queries": len(texts),
        "intents": len(set(labels)),
        "top5_same_intent_precision": round(precision, 4),
        "indexing_per_second": round(len(texts) / seconds, 1),
    }


def _embed_through_index(name: str, texts: list[str]) -> tuple[np.ndarray, float]:
    """Store ``texts`` in a fresh index with encoder ``name``; return the vectors and seconds."""
    encoder = index.encoder_for(name)
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/retrieval.sqlite3"
        migrate.upgrade(url)
        db = Database(url)
        cases = [
            index.Case("dataset", i, text, None, None, None, None, None, None, None)
            for i, text in enumerate(texts)
        ]
        started = time.perf_counter()
        for start in range(0, len(cases), 256):
            with db.session() as session:
                index.add_cases(session, encoder, cases[start : start + 256])
        seconds = time.perf_counter() - started
        with db.session() as session:
            stored = session.scalars(select(CaseVector).order_by(CaseVector.ref_id))
            vectors = np.vstack([np.frombuffer(r.vector, dtype=np.float32) for r in stored])
        db.dispose()
    return vectors, seconds


def precision_at_k(
    vectors: np.ndarray, labels: np.ndarray, queries: np.ndarray, pool: np.ndarray, k: int = 5
) -> float:
    """Share of the ``k`` nearest pool items with the query's label (the query itself left out)."""
    scores = vectors[queries] @ vectors[pool].T
    scores[pool[None, :] == queries[:, None]] = -np.inf
    top = np.argsort(-scores, axis=1)[:, :k]
    return float((labels[pool][top] == labels[queries][:, None]).mean())


def bilingual_sets() -> dict[str, tuple[list[str], np.ndarray, np.ndarray]]:
    """Return name -> (texts, intent labels, languages) of the data the figures run on."""
    with (REPO / "contactpro" / "data" / "intents" / "corpus.csv").open(encoding="utf-8") as f:
        corpus = [row for row in csv.DictReader(f) if row["text"].strip()]
    sets = {
        "contact_center": (
            [r["text"] for r in corpus],
            np.array([r["label"] for r in corpus]),
            np.array([r["language"] for r in corpus]),
        )
    }
    mtod = DATA / "es_mtod" / "eval-es.tsv"
    if mtod.is_file():
        rows = [line.split("\t") for line in mtod.read_text(encoding="utf-8").splitlines()]
        rows = [r for r in rows if len(r) > 2 and r[2].strip()]
        sets["es_mtod_eval"] = (
            [r[2].strip() for r in rows],
            np.array([r[0] for r in rows]),
            np.array(["es"] * len(rows)),
        )
    clinc = DATA / "clinc150" / "data_full.json"
    if clinc.is_file():
        split = json.loads(clinc.read_text(encoding="utf-8"))["test"]
        per_intent: dict[str, int] = {}
        rows = []
        for text, label in split:
            if per_intent.get(label, 0) < 10:
                per_intent[label] = per_intent.get(label, 0) + 1
                rows.append((text, label))
        sets["clinc150_test_10_per_intent"] = (
            [r[0] for r in rows],
            np.array([r[1] for r in rows]),
            np.array(["en"] * len(rows)),
        )
    return sets


def bench_bilingual(name: str) -> dict[str, object]:
    """Precision@5 of same-intent matches for Spanish and English queries through the index."""
    figures: dict[str, object] = {"encoder": index.encoder_for(name).name}
    for set_name, (texts, labels, languages) in bilingual_sets().items():
        vectors, seconds = _embed_through_index(name, texts)
        everyone = np.arange(len(texts))
        for language in sorted(set(languages)):
            queries = everyone[languages == language]
            figures[f"{set_name}_{language}_p@5"] = round(
                precision_at_k(vectors, labels, queries, everyone), 4
            )
        if {"es", "en"} <= set(languages):
            figures[f"{set_name}_es_to_en_p@5"] = round(
                precision_at_k(
                    vectors, labels, everyone[languages == "es"], everyone[languages == "en"]
                ),
                4,
            )
        figures[f"{set_name}_per_second"] = round(len(texts) / seconds, 1)
    return figures


def main() -> None:
    """Run the three measurements and print them as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--conversations", type=int, default=2000)
    parser.add_argument("--encoders", default="e5,minilm,hashing")
    parser.add_argument("--skip-replay", action="store_true")
    parser.add_argument(
        "--bilingual", action="store_true", help="Only the Spanish/English retrieval figures."
    )
    args = parser.parse_args()
    if args.bilingual:
        for name in args.encoders.split(","):
            print(json.dumps(bench_bilingual(name)), flush=True)
        return
    convs = conversations(args.conversations)
    results: dict[str, object] = {}
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/bench.sqlite3"
        migrate.upgrade(url)
        db = Database(url)
        with db.session() as session:
            store.save(session, "bench", convs)
        if not args.skip_replay:
            results["replay"] = bench_replay(db, url, convs)
            print(json.dumps({"replay": results["replay"]}, indent=2), flush=True)
        for name in args.encoders.split(","):
            results[f"indexing_{name}"] = bench_indexing(db, convs, name)
            print(json.dumps(results[f"indexing_{name}"]), flush=True)
        db.dispose()
    for name in args.encoders.split(","):
        results[f"clinc150_{name}"] = bench_retrieval(name)
        print(json.dumps(results[f"clinc150_{name}"]), flush=True)


if __name__ == "__main__":
    main()
