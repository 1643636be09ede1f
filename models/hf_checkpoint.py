"""Hugging Face checkpoint folders of the Dream and LLaDA families without transformers: safetensors
reading and writing (numpy only), the families' tensor names, and randomly initialised checkpoints
with the hub's config.json keys, for testing and timing the export.

    python3 models/hf_checkpoint.py random --preset dream-tiny --out /tmp/dream-tiny
    python3 models/hf_checkpoint.py random --preset qwen2.5-0.5b --out /tmp/dream-0.5b

writes config.json, tokenizer.json (bytes plus the family's special tokens), tokenizer_config.json
and model.safetensors (bfloat16, as the hub ships them). numpy is imported where it is needed, so
export_hf.py --config-only runs without it.
"""
import argparse
import json
import math
import os
import struct
from collections.abc import Mapping

# The hub's config.json of each family (Dream-org/Dream-v0-Base-7B, GSAI-ML/LLaDA-8B-Base), every key
# kept; presets below override the sizes and the special ids.
DREAM_7B = {
    "architectures": ["DreamModel"], "attention_dropout": 0.0,
    "auto_map": {"AutoConfig": "configuration_dream.DreamConfig", "AutoModel": "modeling_dream.DreamModel"},
    "bos_token_id": 151643, "eos_token_id": 151643, "hidden_act": "silu", "hidden_size": 3584,
    "initializer_range": 0.02, "intermediate_size": 18944, "mask_token_id": 151666, "max_position_embeddings": 131072,
    "max_window_layers": 28, "model_type": "Dream", "num_attention_heads": 28, "num_hidden_layers": 28,
    "num_key_value_heads": 4, "pad_token_id": 151643, "rms_norm_eps": 1e-06, "rope_scaling": None,
    "rope_theta": 1000000.0, "sliding_window": None, "tie_word_embeddings": False, "torch_dtype": "bfloat16",
    "transformers_version": "4.46.2", "use_cache": True, "use_sliding_window": False, "vocab_size": 152064,
}
LLADA_8B = {
    "activation_type": "silu", "alibi": False, "alibi_bias_max": 8.0, "architectures": ["LLaDAModelLM"],
    "attention_dropout": 0.0, "attention_layer_norm": False, "attention_layer_norm_with_affine": True,
    "auto_map": {"AutoConfig": "configuration_llada.LLaDAConfig", "AutoModelForCausalLM": "modeling_llada.LLaDAModelLM",
                 "AutoModel": "modeling_llada.LLaDAModelLM"},
    "bias_for_layer_norm": False, "block_group_size": 1, "block_type": "llama", "d_model": 4096,
    "embedding_dropout": 0.0, "embedding_size": 126464, "eos_token_id": 126081, "flash_attention": False,
    "include_bias": False, "include_qkv_bias": False, "init_cutoff_factor": None, "init_device": "meta",
    "init_fn": "mitchell", "init_std": 0.02, "input_emb_norm": False, "layer_norm_type": "rms",
    "layer_norm_with_affine": True, "mask_token_id": 126336, "max_sequence_length": 4096, "mlp_hidden_size": 12288,
    "mlp_ratio": 4, "model_type": "llada", "multi_query_attention": None, "n_heads": 32, "n_kv_heads": 32,
    "n_layers": 32, "pad_token_id": 126081, "precision": "amp_bf16", "residual_dropout": 0.0, "rms_norm_eps": 1e-05,
    "rope": True, "rope_full_precision": True, "rope_theta": 500000.0, "scale_logits": False,
    "transformers_version": "4.46.3", "use_cache": False, "vocab_size": 126464, "weight_tying": False,
}
# Token ids -> text of the special tokens each preset's tokenizer carries (the rest are the 256 bytes).
_DREAM_TINY_SPECIALS = {256: "<|endoftext|>", 257: "<|im_start|>", 258: "<|mask|>"}
_LLADA_TINY_SPECIALS = {256: "<|startoftext|>", 257: "<|endoftext|>", 258: "<|mdm_mask|>"}
_QWEN_SPECIALS = {151643: "<|endoftext|>", 151644: "<|im_start|>", 151645: "<|im_end|>", 151666: "<|mask|>"}
_TINY_DREAM_IDS = {"bos_token_id": 256, "eos_token_id": 256, "pad_token_id": 256, "mask_token_id": 258}
PRESETS = {
    # Small widths for the tests: GQA (4 query heads on 2 KV heads), a vocabulary padded past the tokenizer.
    "dream-tiny": ({**DREAM_7B, **_TINY_DREAM_IDS, "hidden_size": 64, "intermediate_size": 160, "num_attention_heads": 4,
                    "num_key_value_heads": 2, "num_hidden_layers": 2, "max_window_layers": 2, "vocab_size": 320},
                   _DREAM_TINY_SPECIALS),
    "llada-tiny": ({**LLADA_8B, "bos_token_id": 256, "eos_token_id": 257, "pad_token_id": 257, "mask_token_id": 258,
                    "d_model": 64, "n_heads": 4, "n_kv_heads": 4, "n_layers": 2, "mlp_hidden_size": 160,
                    "embedding_size": 320, "vocab_size": 320}, _LLADA_TINY_SPECIALS),
    # Qwen2.5-0.5B and -1.5B shapes in Dream's layout (tied embeddings, as those two ship), for timing.
    "qwen2.5-0.5b": ({**DREAM_7B, "hidden_size": 896, "intermediate_size": 4864, "num_attention_heads": 14,
                      "num_key_value_heads": 2, "num_hidden_layers": 24, "max_window_layers": 24, "vocab_size": 151936,
                      "tie_word_embeddings": True, "max_position_embeddings": 32768}, _QWEN_SPECIALS),
    "qwen2.5-1.5b": ({**DREAM_7B, "hidden_size": 1536, "intermediate_size": 8960, "num_attention_heads": 12,
                      "num_key_value_heads": 2, "num_hidden_layers": 28, "max_window_layers": 28, "vocab_size": 151936,
                      "tie_word_embeddings": True, "max_position_embeddings": 32768}, _QWEN_SPECIALS),
}

# ---------------------------------------------------------------------------------------------------
# safetensors: an 8-byte little-endian header length, a JSON header {name: {dtype, shape,
# data_offsets}}, then the raw little-endian tensor bytes.

_ST_DTYPES = {"F64": "float64", "F32": "float32", "F16": "float16", "BF16": "uint16", "I64": "int64",
              "I32": "int32", "I16": "int16", "I8": "int8", "U8": "uint8", "BOOL": "bool"}


def bf16_to_f32(raw):
    """bfloat16 is the top half of a float32: widen the bits (numpy has no bfloat16)."""
    import numpy as np
    return (raw.astype(np.uint32) << 16).view(np.float32)


def f32_to_bf16(x):
    """Round to nearest even, as torch does when it casts to bfloat16 (no overflow for finite values)."""
    import numpy as np
    bits = np.ascontiguousarray(x, dtype=np.float32).view(np.uint32)
    return ((bits + np.uint32(0x7FFF) + ((bits >> 16) & np.uint32(1))) >> 16).astype(np.uint16)


class Checkpoint(Mapping):
    """The tensors of a checkpoint folder by name: model.safetensors, or the shards its index names.
    Files are memory-mapped and a tensor is read (bfloat16 widened to float32) only when asked for,
    so a model can be built from a checkpoint larger than what memory holds twice."""

    def __init__(self, src):
        index = os.path.join(src, "model.safetensors.index.json")
        if os.path.isfile(index):
            with open(index, encoding="utf-8") as f:
                files = sorted(set(json.load(f)["weight_map"].values()))
        else:
            files = sorted(f for f in os.listdir(src) if f.endswith(".safetensors"))
        if not files:
            raise FileNotFoundError(f"no *.safetensors in {src}")
        self._raw = {}
        for name in files:
            self._raw.update(_map_safetensors(os.path.join(src, name)))

    def __getitem__(self, name):
        raw, dtype = self._raw[name]
        return bf16_to_f32(raw) if dtype == "BF16" else raw

    def __iter__(self):
        return iter(self._raw)

    def __len__(self):
        return len(self._raw)


def _map_safetensors(path):
    import numpy as np
    with open(path, "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(n))
    data = np.memmap(path, dtype=np.uint8, mode="r", offset=8 + n)
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        if info["dtype"] not in _ST_DTYPES:
            raise ValueError(f"{os.path.basename(path)}: tensor {name} has dtype {info['dtype']}, which this reader does not handle")
        a, b = info["data_offsets"]
        out[name] = (data[a:b].view(_ST_DTYPES[info["dtype"]]).reshape(info["shape"]), info["dtype"])
    return out


def write_safetensors(path, shapes, tensor, dtype="BF16"):
    """Writes tensor(name) for each name of {name: shape}, one at a time, as `dtype` (BF16, F16 or F32)."""
    import numpy as np
    header, offset = {}, 0
    for name, shape in shapes.items():
        size = math.prod(shape) * (4 if dtype == "F32" else 2)
        header[name] = {"dtype": dtype, "shape": list(shape), "data_offsets": [offset, offset + size]}
        offset += size
    header["__metadata__"] = {"format": "pt"}
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)  # the reference writer aligns the data to 8 bytes
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for name, shape in shapes.items():
            arr = tensor(name)
            assert tuple(arr.shape) == tuple(shape), (name, arr.shape, shape)
            if dtype == "BF16":
                f.write(f32_to_bf16(arr).tobytes())
            else:
                f.write(np.ascontiguousarray(arr, dtype=np.float16 if dtype == "F16" else np.float32).tobytes())


# ---------------------------------------------------------------------------------------------------
# The families: which config.json they are recognised by, and their tensors.

def family_of(hf_config):
    kind = str(hf_config.get("model_type", "")).lower()
    return kind if kind in ("dream", "llada") else None


def logits_width(hf_config):
    """LLaDA's embedding matrix (and so its logits) may be wider than vocab_size: embedding_size."""
    if family_of(hf_config) == "llada" and hf_config.get("embedding_size"):
        return int(hf_config["embedding_size"])
    return hf_config.get("vocab_size")


def tensor_shapes(c):
    """{tensor name: shape} of a checkpoint of config.json `c`, by the names the hub's files use."""
    if family_of(c) == "dream":
        h, inter = c["hidden_size"], c["intermediate_size"]
        kv = c.get("num_key_value_heads", c["num_attention_heads"]) * (h // c["num_attention_heads"])
        shapes = {"model.embed_tokens.weight": (c["vocab_size"], h), "model.norm.weight": (h,)}
        if not c.get("tie_word_embeddings", False):
            shapes["lm_head.weight"] = (c["vocab_size"], h)
        for i in range(c["num_hidden_layers"]):
            p = f"model.layers.{i}."
            shapes.update({
                p + "input_layernorm.weight": (h,), p + "post_attention_layernorm.weight": (h,),
                p + "self_attn.q_proj.weight": (h, h), p + "self_attn.q_proj.bias": (h,),
                p + "self_attn.k_proj.weight": (kv, h), p + "self_attn.k_proj.bias": (kv,),
                p + "self_attn.v_proj.weight": (kv, h), p + "self_attn.v_proj.bias": (kv,),
                p + "self_attn.o_proj.weight": (h, h), p + "mlp.gate_proj.weight": (inter, h),
                p + "mlp.up_proj.weight": (inter, h), p + "mlp.down_proj.weight": (h, inter)})
        return shapes
    if family_of(c) == "llada":
        d, width = c["d_model"], logits_width(c)
        hidden = c.get("mlp_hidden_size") or c.get("mlp_ratio", 4) * d
        kv = (c.get("n_kv_heads") or c["n_heads"]) * (d // c["n_heads"])
        qkv_bias, bias = bool(c.get("include_bias") or c.get("include_qkv_bias")), bool(c.get("include_bias"))
        shapes = {"model.transformer.wte.weight": (width, d), "model.transformer.ln_f.weight": (d,)}
        if not c.get("weight_tying", False):
            shapes["model.transformer.ff_out.weight"] = (width, d)
        for i in range(c["n_layers"]):
            p = f"model.transformer.blocks.{i}."
            shapes.update({p + "attn_norm.weight": (d,), p + "ff_norm.weight": (d,), p + "q_proj.weight": (d, d),
                           p + "k_proj.weight": (kv, d), p + "v_proj.weight": (kv, d), p + "attn_out.weight": (d, d),
                           p + "ff_proj.weight": (hidden, d), p + "up_proj.weight": (hidden, d),
                           p + "ff_out.weight": (d, hidden)})
            if qkv_bias:
                shapes.update({p + "q_proj.bias": (d,), p + "k_proj.bias": (kv,), p + "v_proj.bias": (kv,)})
            if bias:
                shapes.update({p + "attn_out.bias": (d,), p + "ff_proj.bias": (hidden,),
                               p + "up_proj.bias": (hidden,), p + "ff_out.bias": (d,)})
        return shapes
    raise ValueError(f"model_type {c.get('model_type')!r} is not a built-in family (Dream, llada)")


def random_tensor(name, shape, rng, std=0.02):
    """Random weights of the real shapes, as the families initialise them: normal(0, 0.02) for the
    matrices and embeddings (their initializer_range / init_std); norm weights near 1 and small
    biases, so that those are not trivially 1 and 0."""
    import numpy as np
    if name.endswith(("norm.weight", "ln_f.weight")):
        return (1.0 + 0.1 * rng.standard_normal(shape)).astype(np.float32)
    if name.endswith(".bias"):
        return (0.1 * rng.standard_normal(shape)).astype(np.float32)
    return rng.standard_normal(shape, dtype=np.float32) * np.float32(std)


def byte_level_chars():
    """GPT-2's map from the 256 bytes to printable characters (the base vocabulary of byte-level BPE)."""
    keep = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    chars, extra = {}, 0
    for b in range(256):
        if b in keep:
            chars[b] = chr(b)
        else:
            chars[b] = chr(256 + extra)
            extra += 1
    return chars


def tokenizer_json(specials):
    """A byte-level BPE tokenizer.json with no merges: the 256 bytes, then the special tokens."""
    return {
        "version": "1.0", "truncation": None, "padding": None,
        "added_tokens": [{"id": i, "content": t, "single_word": False, "lstrip": False, "rstrip": False,
                          "normalized": False, "special": True} for i, t in sorted(specials.items())],
        "normalizer": None,
        "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": True},
        "post_processor": None,
        "decoder": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True, "use_regex": True},
        "model": {"type": "BPE", "dropout": None, "unk_token": None, "continuing_subword_prefix": None,
                  "end_of_word_suffix": None, "fuse_unk": False, "byte_fallback": False,
                  "vocab": {ch: b for b, ch in byte_level_chars().items()}, "merges": []},
    }


def write_random(preset, out, seed=0):
    """A checkpoint folder as the hub ships one, with random weights; returns its config.json."""
    import numpy as np
    config, specials = PRESETS[preset]
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "config.json"), "w", encoding="utf-8") as f:
        json.dump(config, f, indent=2)
    with open(os.path.join(out, "tokenizer.json"), "w", encoding="utf-8") as f:
        json.dump(tokenizer_json(specials), f)
    tok_config = {key: specials[config[f"{key}_id"]] for key in ("bos_token", "eos_token", "pad_token", "mask_token")
                  if config.get(f"{key}_id") in specials}
    with open(os.path.join(out, "tokenizer_config.json"), "w", encoding="utf-8") as f:
        json.dump(tok_config, f, indent=2)
    rng = np.random.default_rng(seed)
    shapes = tensor_shapes(config)
    write_safetensors(os.path.join(out, "model.safetensors"), shapes, lambda name: random_tensor(name, shapes[name], rng))
    return config


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("random", help="write a randomly initialised checkpoint folder")
    r.add_argument("--preset", required=True, choices=sorted(PRESETS), help="family and size")
    r.add_argument("--out", required=True, help="folder to write (created if missing)")
    r.add_argument("--seed", type=int, default=0, help="random seed of the weights (default 0)")
    args = p.parse_args(argv)
    config = write_random(args.preset, args.out, args.seed)
    n = sum(math.prod(s) for s in tensor_shapes(config).values())
    print(f"hf_checkpoint: wrote {args.out} ({args.preset}, {n / 1e6:.1f}M parameters, seed {args.seed})")


if __name__ == "__main__":
    main()
