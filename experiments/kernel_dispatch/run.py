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
    } | _more_calls(dev) | _third_calls(dev) | _fourth_calls(dev)


def _more_calls(dev):
    """The kernels the first real-code check mispriced (hetsim.calibration.gpu_suite.realcode_more's ops)."""
    bf, f32 = torch.bfloat16, torch.float32
    r = lambda *s, dt=bf: torch.randn(*s, device=dev, dtype=dt)  # noqa: E731
    g, gi = r(64, 32000), torch.randint(0, 32000, (64, 100), device=dev)
    v1, v16, v512 = r(1, 128256, dt=f32), r(16, 32000, dt=f32), r(512, 8192, dt=f32)
    p = torch.rand(2, 152064, device=dev)
    n, s0, big = r(65536, 128), r(4096, 4096, dt=f32), r(8192, 8192)
    x3, y3, mask = r(64, 1024, 1024), r(64, 1, 1024), torch.ones(2048, 2048, device=dev, dtype=torch.bool)
    ln = r(8192, 1024, dt=f32)
    return {
        "torch.gather last dim 64x32000 bf16, 64x100": lambda: torch.gather(g, 1, gi),
        "cumsum 1x128256 fp32": lambda: v1.cumsum(-1),
        "cumsum 16x32000 fp32": lambda: v16.cumsum(-1),
        "sort 1x128256 fp32": lambda: torch.sort(v1, -1, descending=True),
        "sort 16x32000 fp32": lambda: torch.sort(v16, -1, descending=True),
        "sort 512x8192 fp32": lambda: torch.sort(v512, -1, descending=True),
        "topk 1x32000 bf16 k40": lambda: torch.topk(g[:1], 40),
        "multinomial 2x152064": lambda: torch.multinomial(p, 1),
        "norm 65536x128 bf16": lambda: n.norm(dim=-1),
        "sum dim0 4096x4096 fp32": lambda: s0.sum(0),
        "div broadcast 64x1024x1024 / 64x1x1024 bf16": lambda: x3 / y3,
        "to fp32 8192x8192 bf16": lambda: big.float(),
        "tril bool 2048": lambda: mask.tril(),
        "F.layer_norm fp32 8192x1024": lambda: F.layer_norm(ln, (1024,)),
    }


def _third_calls(dev):
    """The launches the second real-code check showed mispriced (hetsim.calibration.gpu_suite.realcode_third's ops)."""
    bf, f32 = torch.bfloat16, torch.float32
    r = lambda *s, dt=bf: torch.randn(*s, device=dev, dtype=dt)  # noqa: E731
    x4, k4 = r(4, 32, 512, 512), torch.rand(1, 1, 512, 512, device=dev) > 0.5
    heads, router, att = r(4, 2048, 32, 96), r(2048, 8, dt=f32), r(16, 12, 197, 197, dt=torch.float16)
    wide, tall = r(1024, 4544), r(4096, 64, dt=f32)
    return {
        "masked_fill 4x32x512x512 bf16 by 1x1x512x512 bool": lambda: x4.masked_fill(k4, float("-inf")),
        "where 1x1x512x512 bool, 4x32x512x512 bf16": lambda: torch.where(k4, x4, x4),
        "transpose(1, 2).contiguous() 4x2048x32x96 bf16": lambda: heads.transpose(1, 2).contiguous(),
        "transpose(-1, -2).contiguous() 4x2048x32x96 bf16": lambda: heads.transpose(-1, -2).contiguous(),
        "topk 2048x8 fp32 k2": lambda: torch.topk(router, 2),
        "softmax 16x12x197x197 fp16": lambda: torch.softmax(att, -1),
        "amax dim0 1024x4544 bf16": lambda: wide.amax(0),
        "sum dim0 4096x64 fp32": lambda: tall.sum(0),
    }


def _fourth_calls(dev):
    """The launches the third to sixth real-code checks showed mispriced (the fit group of
    hetsim.calibration.gpu_suite.realcode_seventh): softmax over rows not a power of two and over long rows,
    GroupNorm's moments, index_add_, an element scatter, fp32 batched GEMMs, x[b, t]."""
    bf, f16, f32 = torch.bfloat16, torch.float16, torch.float32
    r = lambda *s, dt=bf: torch.randn(*s, device=dev, dtype=dt)  # noqa: E731
    ri = lambda hi, *s: torch.randint(0, hi, s, device=dev)  # noqa: E731
    s577, s1370, s4096 = r(8, 16, 577, 577, dt=f16), r(4, 16, 1370, 1370, dt=f16), r(4, 4096, 4096, dt=f16)
    g16, g32 = r(1, 256, 256, 256, dt=f16), r(2, 256, 100, 168, dt=f32)
    gw16, gw32 = r(256, dt=f16), r(256, dt=f32)
    dest, src, idx = r(4096, 2048), r(291, 2048), ri(4096, 291)
    mask, perm = torch.rand(8, 100352, device=dev) > 0.5, ri(100352, 8, 100352)
    q32, k32 = r(48, 499, 64, dt=f32), r(48, 499, 64, dt=f32)
    x3, b, t = r(16, 1024, 4096), ri(16, 16), ri(1024, 16)
    return {
        "softmax 8x16x577x577 fp16": lambda: torch.softmax(s577, -1),
        "softmax 4x16x1370x1370 fp16": lambda: torch.softmax(s1370, -1),
        "softmax 4x4096x4096 fp16": lambda: torch.softmax(s4096, -1),
        "group_norm 1x256x256x256 fp16 g32": lambda: F.group_norm(g16, 32, gw16, gw16),
        "group_norm 2x256x100x168 fp32 g32": lambda: F.group_norm(g32, 32, gw32, gw32),
        "index_add_ 4096x2048 bf16, 291 rows": lambda: dest.index_add_(0, idx, src),
        "scatter 8x100352 bool by int64": lambda: mask.scatter(1, perm, mask),
        "bmm fp32 48x499x64 @ 48x64x499": lambda: torch.bmm(q32, k32.transpose(1, 2)),
        "x[b, t] 16x1024x4096 bf16": lambda: x3[b, t],
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
    aten, kernels, us = [], [], []
    for ev in prof.events():
        if ev.name.startswith("aten::"):
            aten.append(ev.name)
        elif ev.device_type == torch.autograd.DeviceType.CUDA:
            kernels.append(ev.name)
            us.append(round(ev.device_time, 2))  # one profiled call: a kernel's share, not a timing
    return {"aten": aten, "kernels": kernels, "kernel_us": us}


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
