"""Pools and ATen's special functions, priced by what their kernels do (pool-special-sweep, timed on an H100):
- a pool whose outputs do not fill the GPU leaves few threads each walking its window a load a step, its warp
  waiting on a lane's load nearly every step (`pool_walk`: the bytes, the taps' work, that walk; a global pool's
  thread walks a whole plane);
- adaptive_max_pool2d's walk binds once a wave of resident blocks, a block a plane (`pool_adaptive_max`);
- digamma, polygamma, lgamma, igamma, ndtri and the Bessel functions a regime each: a thread's chain as the fixed
  cost, an element rate 2-25x below an activation's."""

import pytest

from hetsim.calibration.paths import REPO_ROOT
from hetsim.calibration.predict import gpu_model
from hetsim.calibration.trace_cases import load_cases, validate_ops
from hetsim.hardware import launch
from hetsim.hardware.gpu import SPECIAL_KEYS, rate_keys
from hetsim.stacks import aten
from hetsim.stacks.aten_pointwise import SPECIAL_FUNCTIONS
from hetsim.tracing.trace import AtenOp, TensorMeta

RUNS = REPO_ROOT / "calibration" / "profiles" / "runs"
SWEEP = RUNS / "H100-SXM-aten-pool-special-sweep-2026-12-06.parquet"
CHECK30 = RUNS / "H100-SXM-aten-realcode-check30-2026-12-06.parquet"


def pool(name, shape, out_shape, dtype="float32", **args):
    x, out = TensorMeta.dense(shape, dtype), TensorMeta.dense(out_shape, dtype)
    outputs = (out, TensorMeta.dense(out_shape, "int64")) if "max" in name else (out,)
    (op,) = aten.lower_op(AtenOp(f"aten.{name}.default", (x,), outputs, args))
    return op


def test_a_global_pool_walks_its_whole_plane_a_step_a_load_in_one_wave():
    # 14,406 planes of 53 x 53: one thread a plane, one wave of threads, a load a step (its warp's lanes a plane apart)
    op = pool("max_pool2d_with_indices", (49, 294, 53, 53), (49, 294, 1, 1), kernel_size=[53, 53])
    assert op.regime == "pool_walk" and op.operands == 53 * 53 + 1
    assert op.walk == 53 * 53 * launch.ACCUMULATE_BYTES
    # 415,740 outputs, more than the 270,336 threads the GPU holds: they fill it, and the outputs' fixed cost or the
    # taps' issue binds (the floor form, its walk the outputs)
    many = pool("max_pool2d_with_indices", (2, 1066, 240, 208), (2, 1066, 15, 13), "float16",
                kernel_size=[16, 16], stride=[16, 16])
    assert many.regime == "pool" and many.walk == 2 * 1066 * 15 * 13


def test_a_global_3d_pool_runs_a_thread_a_block_missing_only_as_it_leaves_a_sector():
    # AveragePool3d.cu: a block of 32 x 8 threads an output plane, so a 1 x 1 output is one busy thread a block; it
    # walks 2 x 49 rows of 49 bf16 (98 bytes: 4 sectors each), in waves of 1,056 blocks
    op = pool("avg_pool3d", (6, 628, 2, 49, 49), (6, 628, 1, 1, 1), "bfloat16", kernel_size=[2, 49, 49],
              stride=[1, 1, 1])
    rounds = -(-6 * 628 // launch.resident_blocks(256))
    assert op.regime == "pool_walk"
    assert op.walk == rounds * 2 * 49 * 4 * launch.ACCUMULATE_BYTES
    # an output row of 7: a warp of 7 lanes, which waits nearly every step
    row = pool("avg_pool3d", (6, 628, 2, 49, 49), (6, 628, 1, 1, 7), "bfloat16", kernel_size=[2, 49, 7],
               stride=[1, 1, 7])
    assert row.walk == rounds * 2 * 49 * 7 * launch.ACCUMULATE_BYTES


def test_adaptive_max_pooling_walks_once_a_wave_of_planes_a_load_a_busy_lane():
    x = TensorMeta.dense((64, 1024, 14, 14), "float32")
    for side, lanes in ((1, 1), (2, 2)):
        out = TensorMeta.dense((64, 1024, side, side), "float32")
        (op,) = aten.lower_op(AtenOp("aten.adaptive_max_pool2d.default", (x,), (out, out), {"output_size": [side] * 2}))
        window = (14 // side) ** 2
        assert op.regime == "pool_adaptive_max"
        assert op.walk == -(-64 * 1024 // launch.resident_blocks(256)) * window * lanes * launch.ACCUMULATE_BYTES


@pytest.mark.parametrize("name", sorted(SPECIAL_FUNCTIONS))
def test_a_looping_special_function_takes_its_own_regime_and_falls_back_to_the_math_key(name):
    x = TensorMeta.dense((4096, 1000), "float32")
    two = name in {"igamma", "igammac", "special_zeta"}
    (op,) = aten.lower_op(AtenOp(f"aten.{name}.default", (x, x) if two else (x,), (x,), {}))
    assert op.regime == SPECIAL_FUNCTIONS[name] in SPECIAL_KEYS
    # a profile without the key prices it as pointwise_math's element rate
    assert rate_keys(op)[1:3] == ("pointwise_math", "pointwise")


def graph_errors(path, regimes, model=None):
    report = validate_ops(model or gpu_model("H100-SXM"), load_cases(path))
    return {r.case: e for r in report.results if r.regime in regimes and (e := r.error("graph")) is not None}


def test_the_forms_alone_follow_the_h100s_pool_and_special_function_fit_cases(tmp_path):
    # fit data (the H100 profile's fit takes the sweep's pools and special functions), priced by the keys' forms with
    # every table of measured neighbours taken out (a table holds each fit case itself): what the forms follow. One
    # element rate and a window's bytes priced them -71 % (pools) and -69 % (special functions) median before
    import statistics

    import yaml

    profile = yaml.safe_load((REPO_ROOT / "calibration" / "profiles" / "H100-SXM.yaml").read_text())
    for rates in profile["op_classes"].values():
        rates.pop("neighbours", None)
    (bare := tmp_path / "H100-SXM.yaml").write_text(yaml.safe_dump(profile, sort_keys=False))
    model = gpu_model("H100-SXM", profile_path=bare)
    for keys, bound in ((("pool_walk",), 0.3), (("pool_adaptive_max",), 0.1), (SPECIAL_KEYS, 0.1)):
        errors = graph_errors(SWEEP, set(keys), model)
        assert len(errors) >= 6 * len(keys)
        assert statistics.median(abs(e) for e in errors.values()) < bound, keys


def test_check30s_global_pools_and_special_functions_come_within_reach():
    # seen since its blind score (check30's tail called for the sweep): its global avg pool over 16 x 2048 planes of
    # 32 x 32 (532 us) ran -86 % as one element rate, its digamma over 4096 x 1000 -86 %, I3D's head -79 %: 9 of these
    # 21 cases lay beyond 50 % by the H100 profile of 70b55cb, now 2 (the GeM pool -51 %, I3D's head -58 %)
    errors = graph_errors(CHECK30, {"pool", "pool_walk", "pool_adaptive_max", *SPECIAL_KEYS})
    assert len(errors) == 21
    assert sum(abs(e) > 0.5 for e in errors.values()) <= 2, errors
