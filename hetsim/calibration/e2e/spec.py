"""The catalogue's model YAML as the spec-like object `hetsim.tracing.hfspec` builds a config from.

The catalogue loader needs pydantic, which the device image lacks; hfspec only reads attributes,
so a namespace with the same fields builds the same transformers config.
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import yaml

from hetsim.calibration.paths import REPO_ROOT
from hetsim.errors import ConfigError

MODELS_DIR = REPO_ROOT / "configs" / "models"
REQUIRED = ("name", "layers", "hidden", "q_heads", "kv_heads", "head_dim", "intermediate", "vocab", "dtype")
ITEMSIZE = {"bf16": 2, "fp16": 2}


def model_path(model: str) -> Path:
    """A model argument as a file: a path to a YAML, or a catalogue name under configs/models/."""
    p = Path(model)
    if p.suffix in (".yaml", ".yml"):
        return p
    return MODELS_DIR / f"{model}.yaml"


def load_spec(model: str) -> SimpleNamespace:
    path = model_path(model)
    if not path.is_file():
        known = ", ".join(sorted(q.stem for q in MODELS_DIR.glob("*.yaml")))
        raise ConfigError(f"model {model!r} not found (a YAML path or one of: {known})", field="model")
    data = yaml.safe_load(path.read_text()) or {}
    missing = [k for k in REQUIRED if k not in data]
    if missing:
        raise ConfigError(f"missing field(s) {', '.join(missing)}", file=str(path))
    if data.get("mla") or data.get("moe") or data.get("indexer"):
        raise ConfigError("end-to-end measurement builds dense models only (no MLA/MoE/indexer)", file=str(path))
    if data["dtype"] not in ITEMSIZE:
        raise ConfigError(f"dtype must be one of {', '.join(ITEMSIZE)}, got {data['dtype']!r}", file=str(path))
    data.setdefault("max_position_embeddings", None)
    for k in ("mla", "moe", "indexer"):
        data.setdefault(k, None)
    return SimpleNamespace(**data)


def kv_bytes_per_token(spec) -> int:
    """K and V of every layer for one token (what a cache slot costs)."""
    return spec.layers * 2 * spec.kv_heads * spec.head_dim * ITEMSIZE[spec.dtype]


def weight_bytes(spec) -> int:
    h, kv = spec.hidden, spec.kv_heads * spec.head_dim
    attn = h * spec.q_heads * spec.head_dim * 2 + h * kv * 2
    mlp = 3 * h * spec.intermediate
    return ITEMSIZE[spec.dtype] * (spec.layers * (attn + mlp + 2 * h) + 2 * spec.vocab * h + h)
