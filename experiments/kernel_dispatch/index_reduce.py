"""Where do the constants of hetsim.hardware.launch.index_reduce_walk come from? A least-squares fit on the fit groups.

    python experiments/kernel_dispatch/index_reduce.py [--profile calibration/profiles/H200.yaml]

Takes every last-dim argmax / argmin / max.dim / min.dim over contiguous rows in the sweeps the profile was fitted on
(its provenance lists them; never a check group), lays each out as Reduce.cuh does (launch.reduce_layout: a lane's
values, the blocks, the blocks sharing a row), and fits its CUDA-graph time, weighted by 1 / time, as

    t = a + b x values + b' x values x shared + c x shared + g x split

with `shared` the blocks beyond one an SM in SMs' worth and `split` 1 where a row is split over blocks. It prints
the fit, its error, and the constants as index_reduce_walk takes them, in elements of a lane's walk: b' / b
(SHARED_LANE_SHARE), c / b (BLOCK_FIXED_ELEMENTS), g / b (GLOBAL_REDUCE_ELEMENTS). The key's overhead and walk rate
are the trace fit's, not these.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from hetsim.hardware import launch

INDEX_OPS = ("aten.argmax.default", "aten.argmin.default", "aten.max.dim", "aten.min.dim")


def cases(files: list[Path]) -> pd.DataFrame:
    rows = []
    for path in files:
        frame = pd.read_parquet(path, columns=["spec", "graph_s"])
        for spec, graph_s in zip(frame.spec, frame.graph_s, strict=True):
            op = json.loads(spec) if isinstance(spec, str) else {}
            if op.get("op") not in INDEX_OPS or not graph_s == graph_s:
                continue
            shape, stride = op["in"][0][0], op["in"][0][1]
            if op.get("dims") != [len(shape) - 1] or stride[-1] != 1:
                continue  # over another dim, or rows not contiguous
            cols, rows_ = shape[-1], int(np.prod(shape[:-1]))
            layout = launch.reduce_layout(rows_, cols, launch.INDEX_REDUCE_VEC if cols > 128 else 1)
            rows.append({"file": path.name, "rows": rows_, "cols": cols, "values": layout.values,
                         "shared": max(0.0, layout.blocks / launch.SMS - 1.0), "split": float(layout.ctas > 1),
                         "t_us": graph_s * 1e6})
    return pd.DataFrame(rows)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--profile", type=Path, default=Path("calibration/profiles/H200.yaml"))
    args = ap.parse_args(argv)
    profile = yaml.safe_load(args.profile.read_text())
    files = [Path(f) for f in profile["provenance"]["trace_fit"]["cases"] if "check" not in Path(f).name]
    data = cases([f if f.exists() else args.profile.parent / "runs" / f.name for f in files])
    x = np.column_stack([np.ones(len(data)), data["values"], data["values"] * data["shared"], data["shared"],
                         data["split"]])
    weight = 1.0 / data["t_us"].to_numpy()
    coef, *_ = np.linalg.lstsq(x * weight[:, None], data["t_us"].to_numpy() * weight, rcond=None)
    err = np.abs(x @ coef / data["t_us"] - 1.0)
    a, b, b_shared, c, g = coef
    print(f"{len(data)} cases from {data.file.nunique()} files: t = {a:.3f} + {b:.4f} x values "
          f"+ {b_shared:.4f} x values x shared + {c:.3f} x shared + {g:.3f} x split (us)")
    print(f"error: median {np.median(err):.1%}, p90 {np.quantile(err, 0.9):.1%}, max {err.max():.1%}")
    print(f"SHARED_LANE_SHARE {b_shared / b:.2f}  BLOCK_FIXED_ELEMENTS {c / b:.0f}  GLOBAL_REDUCE_ELEMENTS {g / b:.0f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
