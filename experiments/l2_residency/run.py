"""How much faster does an op run when its operands sit in the GPU's L2? A measurement on a GPU, fitting data for
hetsim.hardware.residency (ops only; never a composite or an end-to-end point).

    python experiments/l2_residency/run.py --out DIR

Every op case of the aten sweep and of the model-trace validation is timed as hetsim.calibration.measure.Timer
times it: the same call replayed on the same buffers, so a working set the L2 holds is read from the L2 after the
first call. A model's forward reads its weights once (from HBM) and the activations the op before it wrote. This
times each op at working sets from 0.5 MB to 256 MB three ways, with the same Timer (CUDA-graph device time):

    hot      the same buffers every call (as the op cases are timed)
    cold     rotating among input sets that together exceed 3x the L2 (every call reads HBM)
    w_cold   linear only: the weight rotated, the activations and output the same every call

Writes DIR/l2_residency.parquet (one row per op, size, way) and DIR/l2_residency.json (device, driver, torch,
L2 size, command) and prints hot/cold per size.
"""

from __future__ import annotations

import argparse
import json
import math
import platform
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import torch
import torch.nn.functional as F

from hetsim.calibration.measure import Timer

MB = 1 << 20
SIZES_MB = [0.5, 1, 2, 4, 8, 12, 16, 20, 24, 28, 32, 36, 40, 44, 48, 52, 56, 60, 64, 72, 80, 96, 128, 192, 256]
LINEAR_WEIGHT_MB = [2, 4, 8, 12, 16, 24, 32, 40, 48, 56, 64, 80, 128, 256]
ROTATE_FACTOR = 3  # cold: the rotated sets together exceed 3x the L2


def _sets(make, set_bytes: float, l2: int, cold: bool) -> list:
    n = max(2, math.ceil(ROTATE_FACTOR * l2 / set_bytes)) if cold else 1
    return [make() for _ in range(n)]


def _rotating(sets, call):
    state = {"i": 0}

    def fn():
        s = sets[state["i"]]
        state["i"] = (state["i"] + 1) % len(sets)
        return call(*s)
    return fn, len(sets)


def _elementwise_cases(dev):
    bf, f32 = torch.bfloat16, torch.float32
    out = []
    for mb in SIZES_MB:
        n = int(mb * MB / 6)  # mul bf16: two inputs + output, 6 B an element
        out.append(("mul_bf16", mb, n * 6,
                    lambda n=n: (torch.randn(n, device=dev, dtype=bf), torch.randn(n, device=dev, dtype=bf),
                                 torch.empty(n, device=dev, dtype=bf)),
                    lambda a, b, c: torch.mul(a, b, out=c)))
        n4 = int(mb * MB / 4)  # copy bf16: read + write, 4 B an element
        out.append(("copy_bf16", mb, n4 * 4,
                    lambda n=n4: (torch.randn(n, device=dev, dtype=bf), torch.empty(n, device=dev, dtype=bf)),
                    lambda a, c: c.copy_(a)))
        n12 = int(mb * MB / 12)  # add fp32: 12 B an element
        out.append(("add_fp32", mb, n12 * 12,
                    lambda n=n12: (torch.randn(n, device=dev, dtype=f32), torch.randn(n, device=dev, dtype=f32),
                                   torch.empty(n, device=dev, dtype=f32)),
                    lambda a, b, c: torch.add(a, b, out=c)))
        rows = max(1, int(mb * MB / (4096 * 2)))  # sum over the last dim of rows of 4096 bf16
        out.append(("sum_last_bf16", mb, rows * 4096 * 2,
                    lambda r=rows: (torch.randn(r, 4096, device=dev, dtype=bf),),
                    lambda x: x.sum(-1)))
        half = max(1, rows // 2)  # softmax reads and writes its rows
        out.append(("softmax_4096_bf16", mb, half * 4096 * 4,
                    lambda r=half: (torch.randn(r, 4096, device=dev, dtype=bf),),
                    lambda x: torch.softmax(x, -1)))
        hw = max(1, int(mb * MB / (2 * 2 * 128)))  # GroupNorm 1 x 128 x hw fp16, 32 groups: in + out
        out.append(("group_norm_fp16", mb, hw * 128 * 4,
                    lambda hw=hw: (torch.randn(1, 128, hw, device=dev, dtype=torch.float16),
                                   torch.randn(128, device=dev, dtype=torch.float16),
                                   torch.randn(128, device=dev, dtype=torch.float16)),
                    lambda x, w, b: F.group_norm(x, 32, w, b)))
    return out


def _linear_cases(dev):
    """x[m, k] @ w[k, k]^T at weights of 2-256 MB: hot, cold, and the weight alone rotated (w_cold: x and the
    output are the same tensors in every set)."""
    bf = torch.bfloat16
    out = []
    for m in (16, 256):
        for wmb in LINEAR_WEIGHT_MB:
            k = int(math.sqrt(wmb * MB / 2) // 64 * 64)
            wbytes, abytes = k * k * 2, 2 * m * k * 2
            x, y = torch.randn(m, k, device=dev, dtype=bf), torch.empty(m, k, device=dev, dtype=bf)
            extra = {"m": m, "k": k}

            def whole(k=k, m=m):
                return (torch.randn(m, k, device=dev, dtype=bf), torch.randn(k, k, device=dev, dtype=bf),
                        torch.empty(m, k, device=dev, dtype=bf))

            def weight(k=k, x=x, y=y):
                return (x, torch.randn(k, k, device=dev, dtype=bf), y)

            for way, make, set_bytes in (("hot", whole, wbytes + abytes), ("cold", whole, wbytes + abytes),
                                         ("w_cold", weight, wbytes)):
                out.append((f"linear_m{m}_bf16", wmb, wbytes + abytes, way, make,
                            lambda a, w, c: torch.mm(a, w.t(), out=c), set_bytes, extra))
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args(argv)
    dev = torch.device("cuda")
    props = torch.cuda.get_device_properties(dev)
    l2 = int(getattr(props, "L2_cache_size", 0) or 50 * MB)
    timer = Timer(dev, point_s=0.03)
    rows = []
    t0 = time.time()

    def timed(op, mb, nbytes, way, make, call, set_bytes, **extra):
        sets = _sets(make, set_bytes, l2, way != "hot")
        fn, n = _rotating(sets, call)
        s = timer.measure(fn, n)
        rows.append(dict(op=op, size_mb=mb, bytes=nbytes, way=way, n_sets=n, graph_s=s.graph.median,
                         graph_p10_s=s.graph.p10, graph_p90_s=s.graph.p90, stream_s=s.t.median,
                         graph_error=s.graph_error, **extra))
        del sets, fn
        torch.cuda.empty_cache()

    for op, mb, nbytes, make, call in _elementwise_cases(dev):
        for way in ("hot", "cold"):
            timed(op, mb, nbytes, way, make, call, nbytes)
    for op, mb, nbytes, way, make, call, set_bytes, extra in _linear_cases(dev):
        timed(op, mb, nbytes, way, make, call, set_bytes, **extra)
    args.out.mkdir(parents=True, exist_ok=True)
    df = pd.DataFrame(rows)
    df.to_parquet(args.out / "l2_residency.parquet", index=False)
    smi = subprocess.run(["nvidia-smi", "--query-gpu=name,driver_version,clocks.max.sm,clocks.max.mem",
                          "--format=csv,noheader"], capture_output=True, text=True).stdout.strip()
    meta = {"date": time.strftime("%Y-%m-%d"), "device": props.name, "nvidia_smi": smi, "l2_bytes": l2,
            "sm_count": props.multi_processor_count, "torch": torch.__version__, "cuda": torch.version.cuda,
            "python": platform.python_version(), "command": " ".join(["python", *sys.argv]),
            "rows": len(df), "wall_s": round(time.time() - t0, 1)}
    (args.out / "l2_residency.json").write_text(json.dumps(meta, indent=2))
    piv = df.pivot_table(index=["op", "size_mb"], columns="way", values="graph_s")
    piv["hot/cold"] = piv["hot"] / piv["cold"]
    print(piv.to_string())
    return 0


if __name__ == "__main__":
    sys.exit(main())
