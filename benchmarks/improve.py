"""Improvement-loop benchmark: replay and indexing speed, similar-question retrieval quality.

* Replay: N conversations (default 2,000) built from the shipped intent corpus (a request, then
  an answer such as "sí" or "gracias"), replayed with the current configuration and with a
  proposal (a lower knowledge-base threshold), through ``contactpro.improve.replay`` exactly as
  ``contactpro improve replay`` does. Prints conversations per second per side and the figures.
* Indexing: the same conversations imported and embedded into the persistent index
  (``index_pending``), per encoder; prints conversations per second.
* Retrieval: CLINC150's in-scope test split (4,500 queries, 150 intents) stored in the index,
  each query searched against all the others: the share of the top 5 with the query's intent.

    .venv/bin/python benchmarks/improve.py [--conversations 2000] [--encoders minilm,hashing]

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


def main() -> None:
    """Run the three measurements and print them as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--conversations", type=int, default=2000)
    parser.add_argument("--encoders", default="minilm,hashing")
    parser.add_argument("--skip-replay", action="store_true")
    args = parser.parse_args()
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
