"""Write src/model/topk.onnx: the sampler's per-position summary of a model's logits, computed by
onnxruntime instead of JavaScript loops over the vocabulary.

    /usr/bin/python3 scripts/topk_graph.py   # needs python3-onnx; the output is committed

Input `logits` float32 [batch, seq, vocab] (the [MASK] entries already set to -inf by the caller);
outputs `top_values` float32 [batch, seq, K] and `top_indices` int64 [batch, seq, K] (the K best
tokens, best first) and `lse` float32 [batch, seq] (log of the softmax denominator). With them the
greedy sampler needs no pass over the vocabulary: p(best) = exp(top_value - lse).
"""
import argparse
import os

import onnx
from onnx import TensorProto, helper


def build(k: int) -> onnx.ModelProto:
    logits = helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["batch", "seq", "vocab"])
    values = helper.make_tensor_value_info("top_values", TensorProto.FLOAT, ["batch", "seq", k])
    indices = helper.make_tensor_value_info("top_indices", TensorProto.INT64, ["batch", "seq", k])
    lse = helper.make_tensor_value_info("lse", TensorProto.FLOAT, ["batch", "seq"])
    kconst = helper.make_tensor("k", TensorProto.INT64, [1], [k])
    nodes = [
        helper.make_node("TopK", ["logits", "k"], ["top_values", "top_indices"], axis=-1, largest=1, sorted=1),
        helper.make_node("ReduceLogSumExp", ["logits"], ["lse"], axes=[-1], keepdims=0),
    ]
    graph = helper.make_graph(nodes, "sampler_topk", [logits], [values, indices, lse], initializer=[kconst])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], producer_name="diffuse-edit")
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--k", type=int, default=3, help="best tokens kept per position (the best, the best other than padding, one spare for a banned repeat)")
    ap.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "..", "src", "model", "topk.onnx"), help="where to write the graph")
    args = ap.parse_args()
    onnx.save(build(args.k), args.out)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
