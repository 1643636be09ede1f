"""Export a Hugging Face masked-diffusion LM (Dream / DiffuCoder / LLaDA family) to a Diffuse Edit
model package: model.onnx + tokenizer.json + config.json + MODEL_CARD.md.

    python3 models/export_hf.py --src ~/hf/Dream-v0-Base-7B --out ~/diffuse-models/dream-7b

--src is a local folder as `huggingface-cli download` leaves it: config.json, *.safetensors,
tokenizer.json (and tokenizer_config.json / special_tokens_map.json), plus the model's own Python
files, which AutoModel loads with trust_remote_code. Review that code before exporting: it runs.
Needs torch and transformers (the versions the model card asks for). Without transformers, or with
--builtin, the Dream and LLaDA families are built by hf_families.py from the same folder (config.json
keys and safetensors tensor names as the hub ships them). --config-only writes config.json,
tokenizer.json and MODEL_CARD.md without torch, e.g. to fix a config after an export.

The graph takes input_ids and attention_mask (int64, [batch, seq], both axes dynamic) and returns
float32 logits [batch, seq, vocab], where position i holds the prediction for token i (Dream's
logits, which predict the next position as their autoregressive parent did, are shifted in the
graph). Special token ids (mask, pad, eos, bos) come from the model's config.json and tokenizer
files; flags override them. A graph over 2 GB keeps its weights in model.onnx.data next to it.
"""
import argparse
import datetime
import json
import os
import shutil
import sys

from hf_checkpoint import family_of, logits_width

FORMAT_VERSION = 1
# Names under which the families register their [MASK] token, in order of preference.
MASK_NAMES = ["<|mask|>", "<|mdm_mask|>", "[MASK]", "<mask>"]
DEFAULT_MAX_CONTEXT = 2048


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--src", required=True, help="local Hugging Face model folder (config.json, *.safetensors, tokenizer.json)")
    p.add_argument("--out", required=True, help="folder to write the model package to (created if missing)")
    p.add_argument("--name", help="model name shown in the editor (default: the source folder's name)")
    p.add_argument("--max-context", type=int, help=f"context the editor plans with, in tokens (default: the model's max_position_embeddings, at most {DEFAULT_MAX_CONTEXT})")
    p.add_argument("--mask-token-id", type=int, help="id of the [MASK] token (default: config.json mask_token_id, else the tokenizer's mask token)")
    p.add_argument("--pad-token-id", type=int, help="id of the padding token (default: config.json pad_token_id, else the tokenizer's, else eos)")
    p.add_argument("--eos-token-id", type=int, help="id of the end-of-text token (default: config.json eos_token_id, else the tokenizer's)")
    p.add_argument("--bos-token-id", type=int, help="id of the beginning-of-text token (default: config.json bos_token_id, if any)")
    p.add_argument("--attention", choices=["auto", "2d", "4d", "none"], default="auto",
                   help="how the graph passes the attention mask to the model: 2d as given, 4d as a [batch, 1, seq, seq] "
                        "boolean mask with position ids (Dream, DiffuCoder), none (LLaDA); auto picks by model_type")
    p.add_argument("--shift-logits", choices=["auto", "yes", "no"], default="auto",
                   help="shift the logits right by one in the graph, so that position i predicts token i, as Dream's "
                        "generate() does (its logits predict the next position); auto: yes for model_type Dream")
    p.add_argument("--builtin", action="store_true",
                   help="build the model with hf_families.py (Dream, LLaDA) instead of transformers; "
                        "the default when transformers is not installed")
    p.add_argument("--quantize", choices=["none", "int8"], default="none",
                   help="int8: weight-only dynamic int8 MatMuls (onnx_weights.py), about 4x smaller and faster on CPU (default none)")
    p.add_argument("--opset", type=int, default=17, help="ONNX opset (default 17)")
    p.add_argument("--dtype", choices=["float32", "float16", "bfloat16"], default="float32",
                   help="dtype the weights are loaded in for tracing; logits are always float32 (default float32, the CPU-safe choice)")
    p.add_argument("--steps", type=int, default=32, help="recommended denoising steps written to config.json (default 32)")
    p.add_argument("--config-only", action="store_true", help="write config.json, tokenizer.json and MODEL_CARD.md only (no torch needed)")
    return p.parse_args(argv)


def read_json(path, required=True):
    if not os.path.isfile(path):
        if required:
            sys.exit(f"export_hf: missing {os.path.basename(path)} in {os.path.dirname(path)}")
        return {}
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def first_id(value):
    """config.json may give a list of ids (several eos tokens); the first is the canonical one."""
    if isinstance(value, list):
        value = value[0] if value else None
    return value if isinstance(value, int) and value >= 0 else None


def token_content(value):
    """tokenizer_config.json writes special tokens as strings or as {"content": ...} objects."""
    if isinstance(value, dict):
        value = value.get("content")
    return value if isinstance(value, str) else None


def token_ids(tokenizer):
    """Every token's id by its text: the BPE vocabulary and the added (special) tokens."""
    ids = dict(tokenizer.get("model", {}).get("vocab", {}))
    for a in tokenizer.get("added_tokens", []):
        ids[a["content"]] = a["id"]
    return ids


def special_ids(args, hf_config, tok_config, tokenizer):
    ids = token_ids(tokenizer)

    def by_name(key):
        name = token_content(tok_config.get(key))
        return ids.get(name) if name else None

    mask = args.mask_token_id
    if mask is None:
        mask = first_id(hf_config.get("mask_token_id"))
    if mask is None:
        mask = by_name("mask_token")
    if mask is None:
        mask = next((ids[n] for n in MASK_NAMES if n in ids), None)
    eos = args.eos_token_id if args.eos_token_id is not None else first_id(hf_config.get("eos_token_id"))
    if eos is None:
        eos = by_name("eos_token")
    pad = args.pad_token_id if args.pad_token_id is not None else first_id(hf_config.get("pad_token_id"))
    if pad is None:
        pad = by_name("pad_token")
    if pad is None:
        pad = eos
    bos = args.bos_token_id if args.bos_token_id is not None else first_id(hf_config.get("bos_token_id"))
    if bos is None:
        bos = by_name("bos_token")
    missing = [n for n, v in (("mask", mask), ("eos", eos), ("pad", pad)) if v is None]
    if missing:
        sys.exit(f"export_hf: could not find the {', '.join(missing)} token id(s); pass --{missing[0]}-token-id")
    out = {"mask": mask, "pad": pad, "eos": eos}
    if bos is not None:
        out["bos"] = bos
    return out


def attention_style(args, hf_config):
    if args.attention != "auto":
        return args.attention
    kind = str(hf_config.get("model_type", "")).lower()
    if kind == "dream":
        return "4d"
    if kind == "llada":
        return "none"
    return "2d"


def shifts_logits(args, hf_config):
    if args.shift_logits != "auto":
        return args.shift_logits == "yes"
    return family_of(hf_config) == "dream"


def build_config(args, hf_config, tok_config, tokenizer):
    """config.json as src/model/modelPackage.ts reads it."""
    vocab_size = logits_width(hf_config)  # the graph's logits: LLaDA's embedding_size when it is wider
    if not isinstance(vocab_size, int) or vocab_size <= 0:
        sys.exit("export_hf: config.json has no vocab_size")
    ids = token_ids(tokenizer)
    if not ids:
        sys.exit("export_hf: tokenizer.json has no model.vocab")
    top = max(ids.values())
    if top >= vocab_size:
        sys.exit(f"export_hf: tokenizer.json has token id {top}, outside the model's vocab_size {vocab_size}")
    special = special_ids(args, hf_config, tok_config, tokenizer)
    for k, v in special.items():
        if v >= vocab_size:
            sys.exit(f"export_hf: the {k} token id {v} is outside the model's vocab_size {vocab_size}")
    positions = hf_config.get("max_position_embeddings") or hf_config.get("max_sequence_length") or DEFAULT_MAX_CONTEXT
    max_context = args.max_context or min(int(positions), DEFAULT_MAX_CONTEXT)
    style = attention_style(args, hf_config)
    name = args.name or os.path.basename(os.path.normpath(args.src))
    return {
        "format_version": FORMAT_VERSION,
        "name": name,
        "description": f"{name} ({hf_config.get('model_type', 'unknown type')}), exported from a Hugging Face checkpoint by models/export_hf.py.",
        "vocab_size": vocab_size,
        # The embedding matrix is often padded past the tokenizer (e.g. to a multiple of 64).
        "padded_vocab": len(tokenizer.get("model", {}).get("vocab", {})) != vocab_size,
        "max_context": max_context,
        "special_tokens": special,
        "onnx": {
            "inputs": {"input_ids": "input_ids", "attention_mask": "attention_mask"},
            "output": "logits",
            "takes_attention_mask": style != "none",
            "attention": style,
            "logits_shifted": shifts_logits(args, hf_config),
            "quantization": args.quantize,
        },
        "sampler": {"strategy": "threshold", "steps": args.steps, "threshold": 0.9, "temperature": 0.0, "slack": 0.25},
        "source": {"model_type": hf_config.get("model_type"), "architectures": hf_config.get("architectures"),
                   "exported": datetime.date.today().isoformat()},
    }


def write_card(out, config, args):
    with open(os.path.join(out, "MODEL_CARD.md"), "w", encoding="utf-8") as f:
        f.write(f"# {config['name']}\n\n"
                f"Exported by `models/export_hf.py` from `{os.path.basename(os.path.normpath(args.src))}` "
                f"(model_type `{config['source']['model_type']}`) on {config['source']['exported']}.\n\n"
                "Licence, training data and evaluations: see the original model card, which this export does not change.\n\n"
                f"Special tokens: {json.dumps(config['special_tokens'])}; attention: {config['onnx']['attention']}; "
                f"logits shifted in the graph: {'yes' if config['onnx']['logits_shifted'] else 'no'}; "
                f"weights: {config['onnx']['quantization'] if config['onnx']['quantization'] != 'none' else args.dtype}; "
                f"max_context: {config['max_context']}.\n")


def load_model(args, hf_config, dtype):
    """The family's own model through transformers, or the built-in one (hf_families.py)."""
    import torch
    if not args.builtin:
        try:
            from transformers import AutoModel
        except ImportError as e:
            if family_of(hf_config) is None:
                sys.exit(f"export_hf: the ONNX export of model_type {hf_config.get('model_type')!r} needs transformers ({e}); "
                         "--config-only works without it")
            print(f"export_hf: transformers is not installed; using the built-in {hf_config['model_type']} implementation", file=sys.stderr)
        else:
            return AutoModel.from_pretrained(args.src, trust_remote_code=True, torch_dtype=dtype).eval()
    import hf_families
    try:
        return hf_families.build(args.src, hf_config).to(dtype)
    except (ValueError, FileNotFoundError) as e:
        sys.exit(f"export_hf: {e}")


def export_onnx(args, config, hf_config, path):
    # Imported here so that --config-only (and the argument checks) run without torch.
    try:
        import torch
    except ImportError as e:
        sys.exit(f"export_hf: the ONNX export needs torch ({e}); --config-only works without it")

    model = load_model(args, hf_config, getattr(torch, args.dtype))
    style = config["onnx"]["attention"]
    shift = config["onnx"]["logits_shifted"]

    class Wrapper(torch.nn.Module):
        """(input_ids, attention_mask) -> float32 logits, whatever the family's forward() wants."""

        def __init__(self, m):
            super().__init__()
            self.m = m

        def forward(self, input_ids, attention_mask):
            if style == "none":
                out = self.m(input_ids)
            elif style == "4d":
                b, t = input_ids.shape
                keep = attention_mask.bool()
                # Real tokens attend to real tokens, as in Dream's generate(). Only keys are masked: a
                # padding row that saw nothing would be NaN after the softmax, and that NaN reaches the real
                # rows through the next layer's values (0 * NaN); what padding rows compute is never read.
                mask4 = keep[:, None, None, :].expand(b, 1, t, t)
                position_ids = (attention_mask.long().cumsum(-1) - 1).clamp(min=0)
                out = self.m(input_ids, attention_mask=mask4, position_ids=position_ids)
            else:
                out = self.m(input_ids, attention_mask=attention_mask)
            logits = (out.logits if hasattr(out, "logits") else out[0]).float()
            if shift:
                # Dream predicts token i at position i - 1 (generate() shifts the same way); the first
                # position keeps its own logits.
                logits = torch.cat([logits[:, :1], logits[:, :-1]], dim=1)
            return logits

    ids = torch.full((1, 8), config["special_tokens"]["mask"], dtype=torch.long)
    mask = torch.ones_like(ids)
    axes = {0: "batch", 1: "seq"}
    if os.path.exists(path + ".data"):
        os.remove(path + ".data")  # an earlier export's weights
    with torch.no_grad():
        torch.onnx.export(Wrapper(model), (ids, mask), path, input_names=["input_ids", "attention_mask"],
                          output_names=["logits"], dynamic_axes={"input_ids": axes, "attention_mask": axes, "logits": axes},
                          opset_version=args.opset, do_constant_folding=True)
    del model
    try:
        import onnx_weights  # needs the onnx package, which torch.onnx.export itself does not
    except ImportError as e:
        if args.quantize != "none":
            sys.exit(f"export_hf: --quantize needs the onnx package ({e})")
        return  # a graph over 2 GB then keeps torch's layout: one file per tensor next to model.onnx
    onnx_weights.consolidate(path)
    if args.quantize == "int8":
        onnx_weights.quantize_int8(path, path)
    # The LM head and the sampler's summary at the masked positions only (onnx_head.py): a large
    # vocabulary's full logits are the largest tensor of a step by far.
    import onnx
    import onnx_head
    graph = onnx.load(path, load_external_data=False)
    onnx_head.add_position_head(graph, config["special_tokens"]["mask"], config["vocab_size"], shifted=shift)
    onnx.save(graph, path + ".tmp")
    os.replace(path + ".tmp", path)
    config["onnx"]["inputs"]["positions"] = onnx_head.POSITIONS


def main(argv=None):
    args = parse_args(argv)
    if not os.path.isdir(args.src):
        sys.exit(f"export_hf: --src is not a folder: {args.src}")
    hf_config = read_json(os.path.join(args.src, "config.json"))
    tokenizer = read_json(os.path.join(args.src, "tokenizer.json"))
    tok_config = read_json(os.path.join(args.src, "tokenizer_config.json"), required=False)
    tok_config = {**read_json(os.path.join(args.src, "special_tokens_map.json"), required=False), **tok_config}
    config = build_config(args, hf_config, tok_config, tokenizer)
    os.makedirs(args.out, exist_ok=True)
    if not args.config_only:
        # The graph first: a failed export must not leave a config that claims a model.
        export_onnx(args, config, hf_config, os.path.join(args.out, "model.onnx"))
    shutil.copyfile(os.path.join(args.src, "tokenizer.json"), os.path.join(args.out, "tokenizer.json"))
    with open(os.path.join(args.out, "config.json"), "w", encoding="utf-8") as f:
        json.dump(config, f, indent=2)
        f.write("\n")
    write_card(args.out, config, args)
    print(f"export_hf: wrote {args.out} (vocab {config['vocab_size']}, special {config['special_tokens']}, "
          f"attention {config['onnx']['attention']}{'' if not args.config_only else ', config only'})")


if __name__ == "__main__":
    main()
