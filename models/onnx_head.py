"""The position head of an exported model.onnx: the LM head and the sampler's summary computed only at
the positions asked for, inside the graph.

    python3 models/onnx_head.py PKG          # rewrites PKG/model.onnx and PKG/config.json in place

A fill reads the model's output at its masked positions only, a fraction of the rows. A graph that
returns `logits` [batch, seq, vocab] multiplies every position with the vocabulary matrix and hands
over tensors of batch x seq x vocab floats (64 MB for eight rows of 256 over 8,192 tokens), which the
caller then copies and summarises. This pass keeps the graph as it is and adds:

    input  positions    int64 [n]        flat indices b * seq + t of the positions to read
    output logits_at    float32 [n, V]   the logits there, [MASK] set to -inf
    output top_values   float32 [n, K]   the K best of them, best first
    output top_indices  int64 [n, K]
    output lse          float32 [n]      log of the softmax denominator

The head's nodes (from the final hidden state to `logits`) are copied onto the gathered rows. When
the head starts with a dynamic quantization of the activations (models/onnx_weights.py int8), the
rows are gathered after it, so that they keep the scale of the whole tensor: `logits_at` equals
`logits` at those positions. onnxruntime computes only what is fetched, so a caller that fetches
the new outputs never pays for the full head. `logits` stays; onnxruntime wants every input fed,
so a caller that fetches only `logits` passes any positions (one, say). A graph that shifts its
logits along the sequence (Dream's, `onnx.logits_shifted`) gets the head before the shift: position
i's logits are read at i - 1.
config.json gets `onnx.inputs.positions`, which tells the engine the graph has these outputs.
"""
import argparse
import copy
import json
import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

POSITIONS = "positions"
OUTPUTS = ("logits_at", "top_values", "top_indices", "lse")
TOP_K = 3
HEAD_OPS = {"MatMul", "MatMulInteger", "Gemm"}


def _producers(graph):
    return {o: n for n in graph.node for o in n.output}


def _ancestors(graph, tensor):
    """Every node `tensor` depends on."""
    prod = _producers(graph)
    seen, stack = set(), [tensor]
    out = set()
    while stack:
        n = prod.get(stack.pop())
        if n is None or id(n) in seen:
            continue
        seen.add(id(n))
        out.add(id(n))
        stack.extend(n.input)
    return out


# Operators between the head's matmul and the logits that act on each logit alone (scales, biases,
# soft-capping): copied onto the gathered rows. Anything else (a Slice or Concat that shifts the
# sequence) ends the head.
ELEMENTWISE = {"Cast", "Mul", "Add", "Sub", "Div", "Tanh", "Identity"}


def _head_input(graph, output):
    """The tensor the head gathers from: the activation input of the matmul closest to `output`
    (after its dynamic quantization, when there is one); the nodes from it through the matmul and
    the elementwise operators after it; and the tensor they end in (`output`, or the logits before
    a shift of the sequence)."""
    prod = _producers(graph)
    inits = {t.name for t in graph.initializer}
    consumers = {}
    for n in graph.node:
        for i in n.input:
            consumers.setdefault(i, []).append(n)
    # Breadth-first back from the output to the first matmul whose first input is an activation.
    frontier, seen = [output], set()
    head = None
    while frontier and head is None:
        nxt = []
        for t in frontier:
            n = prod.get(t)
            if n is None or id(n) in seen:
                continue
            seen.add(id(n))
            if n.op_type in HEAD_OPS and n.input[0] not in inits:
                head = n
                break
            nxt.extend(i for i in n.input if i and i not in inits)
        frontier = nxt
    if head is None:
        raise ValueError(f"no matmul found behind {output!r}")
    # Forward from the matmul while one elementwise operator takes its result.
    end = head.output[0]
    while end != output:
        users = consumers.get(end, [])
        if len(users) != 1 or users[0].op_type not in ELEMENTWISE:
            break
        end = users[0].output[0]
    act = head.input[0]
    q = prod.get(act)
    gather_from = act if q is None or q.op_type != "DynamicQuantizeLinear" else q.output[0]
    # The nodes that lie on a path from gather_from to the end.
    downstream = {gather_from}
    path = []
    for n in graph.node:
        if any(i in downstream for i in n.input):
            downstream.update(n.output)
            path.append(n)
    needed = _ancestors(graph, end)
    path = [n for n in path if id(n) in needed]
    return gather_from, path, end


def add_position_head(model, mask_id, vocab, output="logits", k=TOP_K, shifted=False):
    """Adds the position head. `shifted`: the graph moves each position's logits one place on (Dream's
    shift, position i predicting token i + 1 back at i + 1); the head then reads the logits before the
    shift, and the engine asks for position i - 1 to read position i (config.json says
    onnx.logits_shifted)."""
    g = model.graph
    if any(i.name == POSITIONS for i in g.input):
        return model
    gather_from, path, end = _head_input(g, output)
    if end != output and not shifted:
        raise ValueError(f"the logits are rearranged after the head ({end!r} is not {output!r}) and the package does not say they are shifted")
    nodes = [
        helper.make_node("Flatten", [gather_from], ["position_head/rows"], axis=2, name="position_head/flatten"),
        helper.make_node("Gather", ["position_head/rows", POSITIONS], ["position_head/at"], axis=0, name="position_head/gather"),
    ]
    renamed = {gather_from: "position_head/at", end: "position_head/logits"}
    for n in path:
        c = copy.deepcopy(n)
        c.name = f"position_head/{n.name or n.op_type}"
        c.input[:] = [renamed.get(i, i) for i in n.input]
        c.output[:] = [renamed.setdefault(o, f"position_head/{o}") for o in n.output]
        nodes.append(c)
    ban = np.zeros(vocab, np.float32)
    ban[mask_id] = -np.inf
    g.initializer.extend([numpy_helper.from_array(ban, "position_head/ban"),
                          numpy_helper.from_array(np.array([k], np.int64), "position_head/k")])
    nodes += [
        helper.make_node("Add", ["position_head/logits", "position_head/ban"], ["logits_at"], name="position_head/ban_mask"),
        helper.make_node("TopK", ["logits_at", "position_head/k"], ["top_values", "top_indices"], axis=-1, largest=1, sorted=1, name="position_head/topk"),
        helper.make_node("ReduceLogSumExp", ["logits_at"], ["lse"], axes=[-1], keepdims=0, name="position_head/lse"),
    ]
    g.node.extend(nodes)
    g.input.append(helper.make_tensor_value_info(POSITIONS, TensorProto.INT64, ["positions"]))
    g.output.extend([
        helper.make_tensor_value_info("logits_at", TensorProto.FLOAT, ["positions", vocab]),
        helper.make_tensor_value_info("top_values", TensorProto.FLOAT, ["positions", k]),
        helper.make_tensor_value_info("top_indices", TensorProto.INT64, ["positions", k]),
        helper.make_tensor_value_info("lse", TensorProto.FLOAT, ["positions"]),
    ])
    return model


def add_to_package(pkg):
    """Adds the position head to PKG/model.onnx (external weights stay where they are) and declares
    it in PKG/config.json."""
    cfg_path = os.path.join(pkg, "config.json")
    with open(cfg_path) as f:
        cfg = json.load(f)
    path = os.path.join(pkg, "model.onnx")
    model = onnx.load(path, load_external_data=False)
    onnx_cfg = cfg.get("onnx", {})
    add_position_head(model, cfg["special_tokens"]["mask"], cfg["vocab_size"], onnx_cfg.get("output", "logits"),
                      shifted=bool(onnx_cfg.get("logits_shifted")))
    tmp = path + ".tmp"
    onnx.save(model, tmp)
    os.replace(tmp, path)
    cfg.setdefault("onnx", {}).setdefault("inputs", {})[POSITIONS] = POSITIONS
    with open(cfg_path, "w") as f:
        json.dump(cfg, f, indent=2)
        f.write("\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("pkg", help="model package folder (model.onnx, config.json)")
    args = ap.parse_args()
    add_to_package(args.pkg)
    print(f"added the position head to {os.path.join(args.pkg, 'model.onnx')}")


if __name__ == "__main__":
    main()
