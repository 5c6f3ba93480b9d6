"""Host costs the op cases cannot identify, measured on the GPU machine (torch only, no pydantic).

    python -m hetsim.calibration.gpu_suite.host_calls [--out host_calls.json]

- `view_method` / `view_opoverload`: `x.view(...)` from Python vs `torch.ops.aten._unsafe_view.default(**kw)`
  (how the op cases in calibration/e2e called every op): the difference is the op cases' harness
  overhead, to take out of host costs fitted from them (hetsim.calibration.trace_fit);
- `mul_binding` / `mul_opoverload`: the same for a small elementwise kernel; `cast_method` /
  `cast_opoverload` (`x.float()` vs `aten._to_copy.default`) and `embedding_function` /
  `embedding_opoverload` (`F.embedding` vs `aten.embedding.default`) check that the pair carries;
- `add_binding` / `add_suite_runner`: `torch.add(x, y)` vs the calibration suite's own call of the same
  op (`hetsim.calibration.torch_ops.build(Elementwise(n, 2))`, an `OpRunner` cycling input sets):
  the suite's harness overhead, which the primitive keys' dispatch_s carry (hetsim validate ops);
- `module_call`: an `nn.Module` whose forward returns its input, called through `__call__`, minus a
  plain function doing the same: the Python overhead per module call (`host_module`);
- `sdpa_plan_build`: a cuDNN SDPA call at a K/V length never seen before in the process minus the
  same call once cached (PyTorch builds one cuDNN graph per shape: `host_sdpa_plan`);
- `nonzero_call` / `nonzero_static_call`: `torch.nonzero(mask)` vs `torch.nonzero_static(mask, size=...)` on a
  small mask (the same selection kernels): the difference, `nonzero_sync`, is what the host spends learning a
  data-dependent count (the count copied to the host and the stream synchronised: `host_sync`).

Each figure is the median of `reps` timings of `inner` calls, in seconds per call. The trace fit
(hetsim.calibration.trace_fit) takes the pairs' harness overheads and the measured host keys from these files.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import torch


def _per_call(fn, inner: int = 2000, reps: int = 7, sync=None) -> float:
    for _ in range(inner // 10 + 1):
        fn()
    out = []
    for _ in range(reps):
        if sync:
            sync()
        t0 = time.perf_counter()
        for _ in range(inner):
            fn()
        out.append((time.perf_counter() - t0) / inner)
    if sync:
        sync()
    return statistics.median(out)


class _Identity(torch.nn.Module):
    def forward(self, x):
        return x


def kernel_call_s(device: torch.device, inner: int = 200, reps: int = 5) -> float:
    """Host seconds per `torch.mul(x, y)` on small tensors of `device`, issued back to back (the GPU never
    catches up): the host's speed right now, the same call as `mul_binding`. The methods' runner takes it
    before each step of each pass (`host_probe_s`), so a pass's timings carry the host's state."""
    # no random draw: a failed CUDA-graph capture before it (a step that synchronises) can leave the default
    # generator unusable outside capture ("Offset increment outside graph capture")
    x = torch.full((8, 1, 4096), 1.5, device=device, dtype=torch.bfloat16)
    sync = torch.cuda.synchronize if device.type == "cuda" else None
    return _per_call(lambda: torch.mul(x, x), inner=inner, reps=reps, sync=sync)


def measure(device: str = "cuda") -> dict[str, Any]:
    dev = torch.device(device)
    sync = torch.cuda.synchronize if dev.type == "cuda" else None
    x = torch.randn(8, 1, 4096, device=dev, dtype=torch.bfloat16)
    y = torch.randn(8, 1, 4096, device=dev, dtype=torch.bfloat16)
    uv, mul = torch.ops.aten._unsafe_view.default, torch.ops.aten.mul.Tensor
    mod = _Identity()

    def plain(t):
        return t

    from hetsim.calibration.torch_ops import build
    from hetsim.ops import Elementwise

    runner = build(Elementwise(8 * 4096, 2, dtype="bf16"), dev, rotate=False)
    a, b = runner.sets[0]
    table = torch.randn(32000, 4096, device=dev, dtype=torch.bfloat16)
    ids = torch.randint(0, 32000, (8, 1), device=dev)
    cast, emb = torch.ops.aten._to_copy.default, torch.ops.aten.embedding.default
    out: dict[str, Any] = {
        "add_binding": _per_call(lambda: torch.add(a, b), sync=sync),
        "add_suite_runner": _per_call(runner, sync=sync),
        "cast_method": _per_call(lambda: x.float(), sync=sync),
        "cast_opoverload": _per_call(lambda: cast(self=x, dtype=torch.float32), sync=sync),
        "embedding_function": _per_call(lambda: torch.nn.functional.embedding(ids, table), sync=sync),
        "embedding_opoverload": _per_call(lambda: emb(weight=table, indices=ids), sync=sync),
        "view_method": _per_call(lambda: x.view(8, 4096)),
        "view_opoverload": _per_call(lambda: uv(self=x, size=[8, 4096])),
        "mul_binding": _per_call(lambda: torch.mul(x, y), sync=sync),
        "mul_opoverload": _per_call(lambda: mul(self=x, other=y), sync=sync),
        "module_call": _per_call(lambda: mod(x)) - _per_call(lambda: plain(x)),
    }
    if dev.type == "cuda":
        import torch.nn.functional as F

        builds, cached = [], []
        for n in range(5):
            # a length no call in this process used before: e2e measure runs this after its decode loops, whose
            # K/V lengths are a grid context plus a few steps (4097.. was cached there: a 62 us "build")
            kv = 12_345 + n
            q = torch.randn(8, 32, 1, 128, device=dev, dtype=torch.bfloat16)
            k = torch.randn(8, 8, kv, 128, device=dev, dtype=torch.bfloat16)

            def call(q=q, k=k):
                return F.scaled_dot_product_attention(q, k, k, enable_gqa=True)

            sync()
            t0 = time.perf_counter()
            call()
            sync()
            builds.append(time.perf_counter() - t0)
            cached.append(_per_call(call, inner=50, reps=3, sync=sync))
        out["sdpa_first_call"] = statistics.median(builds)
        out["sdpa_cached_call"] = statistics.median(cached)
        out["sdpa_plan_build"] = out["sdpa_first_call"] - out["sdpa_cached_call"]
        # a few hundred elements (a gate's block mask at batch 1): the kernels are tiny, the sync is what differs
        mask = torch.rand(8, 64, device=dev) > 0.9
        count = int(mask.sum())
        out["nonzero_call"] = _per_call(lambda: torch.nonzero(mask), inner=500, sync=sync)
        out["nonzero_static_call"] = _per_call(lambda: torch.nonzero_static(mask, size=count), inner=500, sync=sync)
        out["nonzero_sync"] = out["nonzero_call"] - out["nonzero_static_call"]
    out["torch"] = torch.__version__
    out["device"] = torch.cuda.get_device_name(dev) if dev.type == "cuda" else "cpu"
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m hetsim.calibration.gpu_suite.host_calls", description=__doc__)
    ap.add_argument("--device", default="cuda")
    ap.add_argument("--out", help="JSON file to write (default: print)")
    args = ap.parse_args(argv)
    check_out(args.out)
    res = measure(args.device)
    res["provenance"] = {"source": "measured", "command": "python -m hetsim.calibration.gpu_suite.host_calls",
                         "date_utc": time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime()),
                         "units": "seconds per call (median of reps x inner calls)"}
    emit(res, args.out)
    return 0


def check_out(out: str | None) -> None:
    """Refuse, before measuring, to write over a file that is not a host measurement of ours (a JSON
    whose provenance says measured): exit 2 with one line."""
    if not out or not Path(out).exists():
        return
    try:
        prov = json.loads(Path(out).read_text()).get("provenance", {})
        ours = str(prov.get("source", "")).startswith("measured")
    except (OSError, ValueError, AttributeError):
        ours = False
    if not ours:
        print(f"error: {out}: exists and is not a host measurement hetsim wrote; not overwritten "
              "(choose another --out)", file=sys.stderr)
        raise SystemExit(2)


def emit(res: dict[str, Any], out: str | None) -> None:
    """Print a measurement's JSON, and write it to `out` when given."""
    text = json.dumps(res, indent=2)
    if out:
        with open(out, "w") as f:
            f.write(text + "\n")
    print(text)


if __name__ == "__main__":
    raise SystemExit(main())
