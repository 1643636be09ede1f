"""The weights of an exported model.onnx: one external data file for graphs over protobuf's 2 GB, and
weight-only dynamic int8, both streamed tensor by tensor so that a 1.5B model is rewritten in a few
GB of memory.

    python3 models/onnx_weights.py int8 --src PKG/model.onnx --out PKG-int8/model.onnx

int8: every MatMul whose second input is a 2-D float initializer (the projections and the LM head)
becomes DynamicQuantizeLinear (activations to uint8, per tensor, at run time) -> MatMulInteger with
the weight in int8 (symmetric, one scale per output column) -> Cast -> Mul by the two scales. This
is the pattern onnxruntime's dynamic quantization writes and its CPU optimizer fuses into
DynamicQuantizeMatMul. Embeddings, norms and biases stay float32.
"""
import argparse
import json
import os
import shutil
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

DATA_SUFFIX = ".data"
# A model whose weights fit protobuf's 2 GB limit (with room for the graph) stays one file; above it,
# tensors of at least EXTERNAL_MIN_BYTES go to the data file and smaller ones stay in model.onnx.
INLINE_MAX_BYTES = 1_800_000_000
EXTERNAL_MIN_BYTES = 1024
INT8_MIN_ELEMENTS = 4096


def _external(t):
    return t.data_location == TensorProto.EXTERNAL


def read_initializer(t, base):
    """A tensor's values, whether inline or in an external file next to the model (memory-mapped)."""
    if not _external(t):
        return numpy_helper.to_array(t)
    info = {e.key: e.value for e in t.external_data}
    dtype = onnx.mapping.TENSOR_TYPE_TO_NP_TYPE[t.data_type]
    offset = int(info.get("offset", 0))
    count = int(np.prod(t.dims)) if t.dims else 1
    arr = np.memmap(os.path.join(base, info["location"]), dtype=dtype, mode="r", offset=offset, shape=(count,))
    return arr.reshape(tuple(t.dims))


def external_files(model):
    return sorted({e.value for t in model.graph.initializer if _external(t) for e in t.external_data if e.key == "location"})


def _nbytes(value):
    if isinstance(value, TensorProto):
        return int(np.prod(value.dims)) * np.dtype(onnx.mapping.TENSOR_TYPE_TO_NP_TYPE[value.data_type]).itemsize
    return value.nbytes


def save(model, path, tensors, base):
    """Writes `model` to `path` with `tensors` ({name: array or TensorProto}, in order) as its initializers;
    over INLINE_MAX_BYTES, the large ones go to one file, path + '.data', written one tensor at a time.
    `base` is where the tensors' own external files are (they may be the files being replaced:
    everything is written under temporary names first)."""
    out_dir = os.path.dirname(os.path.abspath(path))
    data_name = os.path.basename(path) + DATA_SUFFIX
    tmp_data = os.path.join(out_dir, data_name + ".tmp")
    inline_all = sum(_nbytes(v) for v in tensors.values()) < INLINE_MAX_BYTES
    new_inits, offset = [], 0
    with open(tmp_data, "wb") as f:
        for name, value in tensors.items():
            arr = read_initializer(value, base) if isinstance(value, TensorProto) else value
            arr = np.ascontiguousarray(arr)
            if inline_all or arr.nbytes < EXTERNAL_MIN_BYTES:
                new_inits.append(numpy_helper.from_array(np.array(arr), name))
                continue
            t = TensorProto(name=name, data_type=onnx.mapping.NP_TYPE_TO_TENSOR_TYPE[arr.dtype], dims=arr.shape)
            pad = -offset % 4096  # page-aligned, so that onnxruntime can map tensors in place
            f.write(b"\0" * pad)
            offset += pad
            f.write(arr.tobytes())
            t.data_location = TensorProto.EXTERNAL
            for k, v in (("location", data_name), ("offset", str(offset)), ("length", str(arr.nbytes))):
                t.external_data.add(key=k, value=v)
            offset += arr.nbytes
            new_inits.append(t)
    # The files this model read its tensors from, when they are being replaced (same folder).
    old_files = [os.path.join(base, f) for f in external_files(model)] if os.path.abspath(base) == out_dir else []
    del model.graph.initializer[:]
    model.graph.initializer.extend(new_inits)
    onnx.save(model, path + ".tmp")
    data_path = os.path.join(out_dir, data_name)
    if offset:
        os.replace(tmp_data, data_path)
    else:
        os.remove(tmp_data)
        old_files.append(data_path)  # a data file left from an earlier export would be stale
    os.replace(path + ".tmp", path)
    for f in old_files:
        if (f != data_path or not offset) and os.path.exists(f):
            os.remove(f)


def consolidate(path):
    """torch.onnx.export writes a graph over 2 GB as one file per tensor next to model.onnx: gather them
    into model.onnx.data. A graph without external data is left as it is."""
    model = onnx.load(path, load_external_data=False)
    if not external_files(model):
        return False
    base = os.path.dirname(os.path.abspath(path))
    save(model, path, {t.name: t for t in model.graph.initializer}, base)
    return True


# Weights take 7 bits (-63..63), not 8. onnxruntime multiplies uint8 activations by int8 weights on
# CPUs without VNNI (AVX2 alone) with an instruction that adds two products in 16 bits and saturates:
# 255 * 127 * 2 overflows, 255 * 63 * 2 does not. With 8-bit weights a graph gave other logits on such
# a CPU than on one with VNNI (a tiny random model's logits off by 0.15, against 0.05); with 7-bit
# weights it computes the same everywhere. On an AVX2 CPU the bundled model (exported with 127)
# predicts held-out masked tokens about as well either way: 68.4% with 8-bit and 67.9% with 7-bit
# weights of 1,890 at t = 0.15, 44.0% of 6,164 both at t = 0.5 (fp32: 68.0%, 44.0%).
INT8_WEIGHT_LEVELS = 63


def quantize_int8(src, out):
    """Rewrites src's weight MatMuls to dynamic int8 and writes the result to out (which may be src)."""
    model = onnx.load(src, load_external_data=False)
    base = os.path.dirname(os.path.abspath(src))
    inits = {t.name: t for t in model.graph.initializer}
    tensors = dict(inits)  # name -> TensorProto (kept) or array (new)
    nodes, replaced = [], 0
    for node in model.graph.node:
        w = inits.get(node.input[1]) if node.op_type == "MatMul" and len(node.input) == 2 else None
        if w is None or len(w.dims) != 2 or w.data_type != TensorProto.FLOAT or w.dims[0] * w.dims[1] < INT8_MIN_ELEMENTS:
            nodes.append(node)
            continue
        W = read_initializer(w, base)
        scale = np.maximum(np.abs(W).max(axis=0), 1e-8).astype(np.float32) / np.float32(INT8_WEIGHT_LEVELS)  # per output column
        tensors[f"{w.name}_int8"] = np.clip(np.rint(W / scale), -INT8_WEIGHT_LEVELS, INT8_WEIGHT_LEVELS).astype(np.int8)
        tensors[f"{w.name}_scale"] = scale
        del W
        b = f"{node.output[0]}_q"
        x = node.input[0]
        nodes += [
            helper.make_node("DynamicQuantizeLinear", [x], [f"{b}_x", f"{b}_xs", f"{b}_xzp"], name=f"{b}/DynamicQuantizeLinear"),
            helper.make_node("MatMulInteger", [f"{b}_x", f"{w.name}_int8", f"{b}_xzp"], [f"{b}_i32"], name=f"{b}/MatMulInteger"),
            helper.make_node("Cast", [f"{b}_i32"], [f"{b}_f"], to=TensorProto.FLOAT, name=f"{b}/Cast"),
            helper.make_node("Mul", [f"{b}_xs", f"{w.name}_scale"], [f"{b}_s"], name=f"{b}/Scale"),
            helper.make_node("Mul", [f"{b}_f", f"{b}_s"], list(node.output), name=f"{b}/Mul"),
        ]
        replaced += 1
    used = {i for n in nodes for i in n.input}
    tensors = {k: v for k, v in tensors.items() if k in used}
    del model.graph.node[:]
    model.graph.node.extend(nodes)
    if os.path.abspath(out) != os.path.abspath(src):
        os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    save(model, out, tensors, base)
    return replaced


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    q = sub.add_parser("int8", help="weight-only dynamic int8 of every weight MatMul")
    q.add_argument("--src", required=True, help="model.onnx to read (its external data next to it)")
    q.add_argument("--out", required=True, help="model.onnx to write (may be --src); the package's other files are copied")
    args = p.parse_args(argv)
    n = quantize_int8(args.src, args.out)
    src_dir, out_dir = os.path.dirname(os.path.abspath(args.src)), os.path.dirname(os.path.abspath(args.out))
    if src_dir != out_dir:
        for f in ("tokenizer.json", "MODEL_CARD.md"):
            if os.path.exists(os.path.join(src_dir, f)):
                shutil.copyfile(os.path.join(src_dir, f), os.path.join(out_dir, f))
    config_path = os.path.join(src_dir, "config.json")
    if os.path.exists(config_path):
        with open(config_path, encoding="utf-8") as f:
            config = json.load(f)
        config.setdefault("onnx", {})["quantization"] = "int8"
        with open(os.path.join(out_dir, "config.json"), "w", encoding="utf-8") as f:
            json.dump(config, f, indent=2)
            f.write("\n")
    print(f"onnx_weights: {n} MatMuls to int8 in {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
