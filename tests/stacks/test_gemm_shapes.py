"""The GEMM grid (gemm-shapes) and what it fits: cuBLAS's split contraction for traced products (matmul_splitk), and
16-bit products whose row strides are 2-byte aligned (odd widths) apart from 4- or 8-byte aligned ones (even)."""

from __future__ import annotations

import json
import math

import pandas as pd

from hetsim.calibration.gpu_suite.aten_cases import read_cases
from hetsim.calibration.paths import REPO_ROOT
from hetsim.calibration.predict import gpu_model
from hetsim.hardware import launch
from hetsim.hardware.gpu import rate_keys
from hetsim.ops import Matmul
from hetsim.stacks import aten
from hetsim.tracing.trace import AtenOp, TensorMeta

RUNS = REPO_ROOT / "calibration" / "profiles" / "runs"
KERNELS = REPO_ROOT / "calibration" / "e2e" / "diagnostics"


def _linear(m, n, k, dtype="bfloat16"):
    """F.linear's product as traced: x [m, k] @ w.t() [k, n]."""
    x = TensorMeta.dense((m, k), dtype)
    wt = TensorMeta((k, n), (1, k), dtype, view=True, contiguous=False)
    (op,) = aten.lower_op(AtenOp("aten.mm.default", (x, wt), (TensorMeta.dense((m, n), dtype),), {}))
    return op


def test_a_traced_product_cublas_splits_takes_its_own_key_a_hand_formula_does_not():
    split, whole = _linear(4, 4096, 4096), _linear(4, 14336, 4096)
    assert isinstance(split, Matmul) and split.aten == "aten.mm.default"
    assert rate_keys(split)[0] == "matmul_splitk" and rate_keys(whole)[:2] == ("matmul_skinny", "matmul")
    assert rate_keys(Matmul(4, 4096, 4096))[0] == "matmul"  # a serving engine's GEMM (no aten) keeps its key
    assert not launch.cublas_splits_k(4, 4096, 2048, 1)  # a short contraction is not split
    assert not launch.cublas_splits_k(1, 4096, 4096, 8)  # nor a batch of products


def test_the_split_rule_follows_the_profiled_kernels():
    """Every 16-bit product run by cuBLAS's sm90 kernels in the kernel diagnostics: the rule says split exactly where
    a ..._splitK kernel ran, for nearly all of them (its bounds were read off the fit groups' kernels)."""
    cases = read_cases()
    kernels = {}
    for folder in ("case-kernels-matmul-2026-12-02", "case-kernels-gemm-more-2026-12-02"):
        kernels.update(json.loads((KERNELS / folder / "case_kernels.json").read_text())["cases"])
    agree = total = 0
    for case_id, entry in kernels.items():
        names = [k["kernel"] for k in entry["kernels"]]
        case = cases[int(case_id)]
        if not any("nvjet" in n for n in names) or case["kind"] != "aten":
            continue
        ops = [op for op in aten.lower_op(AtenOp.from_json(case["spec"])) if isinstance(op, Matmul)]
        if len(ops) != 1 or ops[0].dtype not in ("bf16", "fp16"):
            continue
        op = ops[0]
        total += 1
        agree += launch.cublas_splits_k(op.m, op.n, op.k, op.batch) == any("splitK" in n for n in names)
    assert total > 250 and agree / total >= 0.97


def test_odd_and_even_widths_take_the_keys_of_their_kernels():
    assert rate_keys(_linear(333, 4096, 4095))[0] == "matmul_odd_width"  # 2-byte aligned: sm75 kernels
    assert rate_keys(_linear(1032, 4096, 2700))[0] == "matmul_even_width"  # 8-byte aligned: sm80 kernels
    # one output column: nothing to align; 75 output tiles, too many to split: a skinny product cuBLAS streams
    assert rate_keys(_linear(4800, 1, 4608))[0] == "matmul_skinny"
    model = gpu_model("H200")
    # odd widths run slower than even ones of the same size (~95 against ~150 TFLOP/s, profiled)
    assert model.device_time_s(_linear(4096, 4095, 4096)) > model.device_time_s(_linear(4096, 4094, 4096))


def test_the_grid_is_fitted_and_its_two_leases_agree():
    profile = gpu_model("H200").profile
    cases = profile.provenance["trace_fit"]["cases"]
    assert "calibration/profiles/runs/H200-aten-gemm-shapes-2026-12-02b.parquet" in cases
    assert profile.rates["matmul_splitk"].source == "calibrated"
    a, b = (pd.read_parquet(RUNS / f"H200-aten-gemm-shapes-2026-12-02{s}.parquet") for s in ("", "b"))
    both = a.merge(b, on="case")
    both = both[both["aten_x"] != "aten.t.default"]
    both = both[both["graph_s_x"] > 1e-6]  # views: an empty graph's replay
    ratio = (both["graph_s_y"] / both["graph_s_x"] - 1).abs().sort_values()
    assert len(ratio) > 100 and ratio.median() < 0.03 and ratio.iloc[math.floor(0.9 * (len(ratio) - 1))] < 0.15


def test_the_tenth_checks_split_router_is_priced_as_two_kernels():
    from hetsim.calibration.trace_cases import load_cases, validate_ops

    report = validate_ops(gpu_model("H200"), load_cases(RUNS / "H200-aten-realcode-check10-2026-12-02b.parquet"))
    # the router's 900 x 16 x 4096 product (a split product and its reduction, profiled) was -35 % as one kernel
    routers = [r for r in report.results if "router/900x4096" in r.sources[0]]
    assert routers and all(abs(r.error("graph")) < 0.25 for r in routers)
    # the check's p90 was 39.8 % before the grid (kernels no group has remain: the note)
    assert report.stats("graph")["p90_abs"] < 0.36
