"""Turn a CTranslate2 Whisper model back into an openai-whisper checkpoint.

The packaged offline models are CTranslate2 files; openai-whisper needs a PyTorch checkpoint.
Whisper's CTranslate2 layout is a plain renaming of the same tensors (query, key and value
fused into one matrix, the key with a zero bias), so the conversion is exact: float16 in,
float16 out, as in OpenAI's own checkpoints. It reads CTranslate2's documented binary format
(version 6) without loading the model.
"""

from __future__ import annotations

import re
import struct
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from contactpro.errors import ConfigError

_DTYPES = ("float32", "int8", "int16", "int32", "float16", "bfloat16")  # CTranslate2's order
_SUPPORTED_VERSIONS = (5, 6)


def read_ctranslate2(path: Path) -> tuple[str, dict[str, npt.NDArray[Any]]]:
    """Return the spec name and variables of a CTranslate2 ``model.bin`` (aliases resolved)."""
    buf = memoryview(path.read_bytes())
    offset = 0

    def take(fmt: str) -> Any:
        nonlocal offset
        (value,) = struct.unpack_from(fmt, buf, offset)
        offset += struct.calcsize(fmt)
        return value

    def text() -> str:
        nonlocal offset
        length = take("H")
        value = bytes(buf[offset : offset + length - 1]).decode()
        offset += length
        return value

    version = take("I")
    if version not in _SUPPORTED_VERSIONS:
        raise ConfigError(f"{path}: CTranslate2 binary version {version} is not supported")
    spec = text()
    take("I")  # spec revision
    variables: dict[str, npt.NDArray[Any]] = {}
    for _ in range(take("I")):
        name = text()
        shape = [take("I") for _ in range(take("B"))]
        dtype = _DTYPES[take("B")]
        size = take("I")
        if dtype == "bfloat16":
            raise ConfigError(f"{path}: bfloat16 weights are not supported")
        data = np.frombuffer(
            buf, dtype=dtype, count=size // np.dtype(dtype).itemsize, offset=offset
        )
        variables[name] = data.reshape(shape)
        offset += size
    for _ in range(take("I")):
        alias, target = text(), text()
        variables[alias] = variables[target]
    return spec, variables


def _layer_count(variables: dict[str, Any], prefix: str) -> int:
    pattern = re.compile(rf"{prefix}/layer_(\d+)/")
    return len({m.group(1) for k in variables if (m := pattern.match(k))})


def ctranslate2_to_openai(model_dir: Path) -> dict[str, Any]:
    """Return an openai-whisper checkpoint (``dims`` and ``model_state_dict``) for a model dir."""
    import torch

    spec, v = read_ctranslate2(model_dir / "model.bin")
    if spec != "WhisperSpec":
        raise ConfigError(f"{model_dir} holds a {spec}, not a Whisper model")
    t = {k: torch.from_numpy(np.array(a)) for k, a in v.items() if a.ndim > 0}
    state: dict[str, Any] = {}

    def linear(target: str, source: str, bias: bool = True) -> None:
        state[f"{target}.weight"] = t[f"{source}/weight"]
        if bias:
            state[f"{target}.bias"] = t[f"{source}/bias"]

    def norm(target: str, source: str) -> None:
        state[f"{target}.weight"] = t[f"{source}/gamma"]
        state[f"{target}.bias"] = t[f"{source}/beta"]

    def fused(target: str, source: str, names: tuple[str, ...]) -> None:
        weights = t[f"{source}/weight"].chunk(len(names))
        biases = t[f"{source}/bias"].chunk(len(names))
        for name, weight, bias in zip(names, weights, biases, strict=True):
            state[f"{target}.{name}.weight"] = weight.clone()
            if name != "key":  # Whisper's key projection has no bias (CTranslate2 stores zeros)
                state[f"{target}.{name}.bias"] = bias.clone()

    n_audio, n_text = _layer_count(v, "encoder"), _layer_count(v, "decoder")
    linear("encoder.conv1", "encoder/conv1")
    linear("encoder.conv2", "encoder/conv2")
    state["encoder.positional_embedding"] = t["encoder/position_encodings/encodings"]
    for i in range(n_audio):
        src, dst = f"encoder/layer_{i}", f"encoder.blocks.{i}"
        fused(f"{dst}.attn", f"{src}/self_attention/linear_0", ("query", "key", "value"))
        linear(f"{dst}.attn.out", f"{src}/self_attention/linear_1")
        norm(f"{dst}.attn_ln", f"{src}/self_attention/layer_norm")
        linear(f"{dst}.mlp.0", f"{src}/ffn/linear_0")
        linear(f"{dst}.mlp.2", f"{src}/ffn/linear_1")
        norm(f"{dst}.mlp_ln", f"{src}/ffn/layer_norm")
    norm("encoder.ln_post", "encoder/layer_norm")
    state["decoder.token_embedding.weight"] = t["decoder/embeddings/weight"]
    state["decoder.positional_embedding"] = t["decoder/position_encodings/encodings"]
    for i in range(n_text):
        src, dst = f"decoder/layer_{i}", f"decoder.blocks.{i}"
        fused(f"{dst}.attn", f"{src}/self_attention/linear_0", ("query", "key", "value"))
        linear(f"{dst}.attn.out", f"{src}/self_attention/linear_1")
        norm(f"{dst}.attn_ln", f"{src}/self_attention/layer_norm")
        linear(f"{dst}.cross_attn.query", f"{src}/attention/linear_0")
        fused(f"{dst}.cross_attn", f"{src}/attention/linear_1", ("key", "value"))
        linear(f"{dst}.cross_attn.out", f"{src}/attention/linear_2")
        norm(f"{dst}.cross_attn_ln", f"{src}/attention/layer_norm")
        linear(f"{dst}.mlp.0", f"{src}/ffn/linear_0")
        linear(f"{dst}.mlp.2", f"{src}/ffn/linear_1")
        norm(f"{dst}.mlp_ln", f"{src}/ffn/layer_norm")
    norm("decoder.ln", "decoder/layer_norm")

    dims = {
        "n_mels": int(v["encoder/conv1/weight"].shape[1]),
        "n_audio_ctx": int(v["encoder/position_encodings/encodings"].shape[0]),
        "n_audio_state": int(v["encoder/conv1/weight"].shape[0]),
        "n_audio_head": int(v["encoder/num_heads"]),
        "n_audio_layer": n_audio,
        "n_vocab": int(v["decoder/embeddings/weight"].shape[0]),
        "n_text_ctx": int(v["decoder/position_encodings/encodings"].shape[0]),
        "n_text_state": int(v["decoder/embeddings/weight"].shape[1]),
        "n_text_head": int(v["decoder/num_heads"]),
        "n_text_layer": n_text,
    }
    return {"dims": dims, "model_state_dict": state}


def convert_to_openai_checkpoint(model_dir: Path, target: Path) -> Path:
    """Write the openai-whisper checkpoint for ``model_dir`` to ``target`` (atomically)."""
    import torch

    checkpoint = ctranslate2_to_openai(model_dir)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(target.suffix + ".partial")
    torch.save(checkpoint, partial)
    partial.replace(target)
    return target
