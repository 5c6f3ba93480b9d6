"""In-place divisions replayed as the aten sweep replays them, with the divisor drawn at magnitude 1 (the harness since
2026-12-04, hetsim.calibration.e2e.opcases.STEADY_DIVISORS) and at random as before, in one session: each case's
CUDA-graph time both ways and the share of subnormal, zero and non-finite dividends the replays leave.

    python experiments/kernel_dispatch/inplace_divisors.py IDS_FILE OUT.csv

IDS_FILE: case indices of hetsim/calibration/gpu_suite/aten_cases.json.gz, whitespace- or comma-separated. Needs a
CUDA GPU (torch, pandas). A diagnostic: its readings are never fitted.
"""

import inspect
import sys

import pandas as pd
import torch

from hetsim.calibration.e2e import opcases
from hetsim.calibration.gpu_suite.aten_cases import read_cases
from hetsim.calibration.gpu_suite.aten_sweep import case_callable
from hetsim.calibration.measure import Timer


def main(ids_file: str, out: str) -> None:
    ids = [int(x) for x in open(ids_file).read().replace(",", " ").split()]
    cases = read_cases()
    dev = torch.device("cuda")
    timer = Timer(dev, loop_s=1e-3, point_s=0.05, reps=5, min_reps=3)
    steady = opcases.STEADY_DIVISORS
    rows = []
    for fixed in (True, False):
        opcases.STEADY_DIVISORS = steady if fixed else frozenset()
        for i in ids:
            fn = case_callable(cases[i], dev)
            x = inspect.getclosurevars(fn).nonlocals["kwargs"]["self"]
            s = timer.measure(fn, 1, graph=True)
            a = x.float().abs()
            tiny = torch.finfo(x.dtype).tiny
            rows.append({"case": i, "divisor": "unit" if fixed else "random", "dtype": str(x.dtype),
                         "graph_s": s.graph.median, "stream_s": s.t.median,
                         "subnormal_share": float(((a > 0) & (a < tiny)).float().mean()),
                         "zero_share": float((a == 0).float().mean()),
                         "nonfinite_share": float((~torch.isfinite(x)).float().mean())})
            del fn, x
            torch.cuda.empty_cache()
    opcases.STEADY_DIVISORS = steady
    pd.DataFrame(rows).to_csv(out, index=False)
    print(pd.DataFrame(rows).to_string())


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
