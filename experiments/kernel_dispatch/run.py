"""Which CUDA kernels does PyTorch launch for a call? A diagnostic on a GPU, never fitting data.

    python experiments/kernel_dispatch/run.py --out DIR

hetsim's tracer records ops on fake CPU tensors and its lowering (hetsim.stacks.aten) names the kernel a GPU runs
for each; where the CPU and the GPU dispatch differently (F.rms_norm: one fused kernel on a GPU, a composite on
the CPU) the tracer records the GPU's op. This runs each call of CALLS on the GPU under torch.profiler (CPU and
CUDA activity) and writes, per call, the aten ops dispatched and the CUDA kernels launched, with whether
`_fused_rms_norm` has a CUDA kernel in this build. Writes DIR/kernel_dispatch.json and prints a summary.
"""

from __future__ import annotations

import argparse
import json
import platform
import time
from pathlib import Path

import torch
import torch.nn.functional as F


def _calls(dev):
    bf, f32, fp8 = torch.bfloat16, torch.float32, torch.float8_e4m3fn
    x = torch.randn(2048, 4096, device=dev, dtype=bf)
    w = torch.randn(4096, device=dev, dtype=bf)
    a8 = torch.randn(256, 4096, device=dev).to(fp8)
    b8 = torch.randn(4096, 4096, device=dev).to(fp8).t()
    one = torch.ones((), device=dev, dtype=f32)
    mat, vec = torch.randn(4096, 4096, device=dev, dtype=bf), torch.randn(4096, device=dev, dtype=bf)
    x32, w32 = torch.randn(64, 1024, device=dev), torch.randn(1024, 1024, device=dev)
    norm = torch.nn.RMSNorm(4096, device=dev, dtype=bf)
    return {
        "F.rms_norm bf16, bf16 weight": lambda: F.rms_norm(x, (4096,), w, 1e-6),
        "F.rms_norm bf16, fp32 weight": lambda: F.rms_norm(x, (4096,), w.float(), 1e-6),
        "nn.RMSNorm bf16": lambda: norm(x),
        "F.layer_norm bf16": lambda: F.layer_norm(x, (4096,), w, w),
        "torch._scaled_mm fp8 per-tensor": lambda: torch._scaled_mm(a8, b8, one, one, out_dtype=bf),
        "torch.mv bf16": lambda: torch.mv(mat, vec),
        "F.linear fp32": lambda: F.linear(x32, w32),
    }


def dispatch(fn, dev) -> dict:
    from torch.profiler import ProfilerActivity, profile

    with torch.no_grad():
        for _ in range(3):
            fn()
        torch.cuda.synchronize(dev)
        with profile(activities=[ProfilerActivity.CPU, ProfilerActivity.CUDA]) as prof:
            fn()
            torch.cuda.synchronize(dev)
    aten, kernels = [], []
    for ev in prof.events():
        if ev.name.startswith("aten::"):
            aten.append(ev.name)
        elif ev.device_type == torch.autograd.DeviceType.CUDA:
            kernels.append(ev.name)
    return {"aten": aten, "kernels": kernels}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args(argv)
    dev = torch.device("cuda:0")
    has = torch._C._dispatch_has_kernel_for_dispatch_key
    res = {"provenance": {"source": "measured (diagnostic)", "command": "python experiments/kernel_dispatch/run.py",
                          "date_utc": time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime()),
                          "device": torch.cuda.get_device_name(dev), "torch": torch.__version__,
                          "cuda": torch.version.cuda, "python": platform.python_version()},
           "fused_rms_norm_kernels": {k: has("aten::_fused_rms_norm", k) for k in
                                      ("CUDA", "CPU", "CompositeImplicitAutograd", "CompositeExplicitAutograd")},
           "calls": {}}
    for name, fn in _calls(dev).items():
        res["calls"][name] = dispatch(fn, dev)
        print(f"{name}: {len(res['calls'][name]['kernels'])} kernels: {res['calls'][name]['kernels']}", flush=True)
    print("_fused_rms_norm kernels:", res["fused_rms_norm_kernels"])
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "kernel_dispatch.json").write_text(json.dumps(res, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
