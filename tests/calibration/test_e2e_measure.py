"""The end-to-end measuring script's CPU path on a tiny random-weight model, its grid and its op cases.

Nothing here is timed against a number: the tests check what was measured (which points, which
contexts and cache lengths, which files), not how fast."""

import gzip
import json
import statistics
from dataclasses import replace

import pytest

from hetsim.calibration.e2e.grid import GRIDS, K, decode_bytes, decode_points
from hetsim.calibration.e2e.spec import kv_bytes_per_token, load_spec, weight_bytes

TINY = """name: Llama-tiny
layers: 2
hidden: 64
q_heads: 4
kv_heads: 2
head_dim: 16
intermediate: 128
vocab: 256
dtype: bf16
"""


@pytest.fixture
def tiny(tmp_path):
    path = tmp_path / "tiny.yaml"
    path.write_text(TINY)
    return path


def test_spec_sizes_by_hand():
    spec = load_spec("Llama-3.1-8B")
    assert kv_bytes_per_token(spec) == 32 * 2 * 8 * 128 * 2  # 128 KiB
    assert weight_bytes(spec) == pytest.approx(16.06e9, rel=0.01)  # 8.03 B bf16 parameters


@pytest.mark.parametrize("text, msg", [("name: x\nlayers: 2\n", "missing field"),
                                       (TINY.replace("bf16", "fp8"), "dtype must be"),
                                       (TINY + "moe: {experts: 8}\n", "dense models only")])
def test_bad_model_yaml_is_a_config_error(tmp_path, text, msg):
    from hetsim.errors import ConfigError

    path = tmp_path / "m.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=msg):
        load_spec(str(path))


def test_unknown_model_exits_2_with_one_line(capsys):
    from hetsim.calibration.e2e.cli import main

    assert main(["measure", "--out", "x", "--model", "No-Such-Model"]) == 2
    err = capsys.readouterr().err
    assert "No-Such-Model" in err and len(err.strip().splitlines()) == 1


def test_decode_points_keep_what_fits_cheapest_first():
    spec, grid = load_spec("Llama-3.1-8B"), GRIDS["full"]
    kept, skipped = decode_points(spec, grid, None)
    assert len(kept) == 36 and not skipped
    free = 130e9  # about what an H200 has left beside the 16 GB of weights
    kept, skipped = decode_points(spec, grid, free)
    assert (4, 128 * K) in kept and (8, 128 * K) in skipped and (64, 4 * K) in kept and (64, 16 * K) in skipped
    assert all(decode_bytes(spec, b, c, grid) <= 0.85 * free for b, c in kept)
    assert [b * c for b, c in kept] == sorted(b * c for b, c in kept)
    # the static cache holds context + one loop's steps; repeated K/V heads double it again x group
    b, c = 1, 1024
    length = c + grid.steps
    assert decode_bytes(spec, b, c, grid) == length * kv_bytes_per_token(spec) + 2 * length * 32 * 128 * 2


def test_cpu_run_on_a_tiny_model_measures_every_point_and_writes_the_files(tiny, tmp_path):
    pytest.importorskip("transformers")
    import pandas as pd
    import yaml

    from hetsim.calibration.e2e.measure import E2ERun
    from hetsim.calibration.e2e.spec import load_spec

    grid = replace(GRIDS["tiny"], op_traces=(("decode", "hf-static", 2, 16),))
    out = tmp_path / "out"
    E2ERun(out, load_spec(str(tiny)), grid, "cpu", "test", log=lambda _: None).run()
    rows = pd.read_parquet(out / "e2e.parquet")
    assert (rows["error"] == "").all()
    pre = rows[rows.phase == "prefill"]
    assert sorted(zip(pre["stack"], pre.context, strict=True)) == [("hf-dynamic", 16), ("hf-dynamic", 32),
                                                                ("hf-static", 16), ("hf-static", 32)]
    assert (pre[pre["stack"] == "hf-static"].cache_len == pre[pre["stack"] == "hf-static"].context).all()
    dec = rows[rows.phase == "decode"]
    assert len(dec) == 8 and set(dec["mode"]) == {"eager"}  # no CUDA graphs on a CPU
    assert (dec.t_median_s > 0).all() and (dec.loops == grid.loops).all()
    static, dynamic = dec[dec["stack"] == "hf-static"], dec[dec["stack"] == "hf-dynamic"]
    # the static counter is reset before each loop: every loop runs at context .. context + steps - 1
    assert (static.context_first == static.context).all()
    assert (static.context_last == static.context + grid.steps - 1).all()
    assert (static.cache_len == static.context + grid.steps).all()
    # DynamicCache grows as in a real generation: one warm-up loop, then the timed loops
    assert (dynamic.context_first == dynamic.context + grid.steps).all()
    assert (dynamic.context_last == dynamic.context_first + grid.steps * grid.loops - 1).all()
    # every eager point probed the host before each of its timed loops; the row keeps their median
    for r in pd.concat([pre, dec]).itertuples():
        probes = json.loads(r.host_probe_rounds_s)
        assert len(probes) == r.loops and all(x > 0 for x in probes) and r.host_probe_s == statistics.median(probes)
    summary = yaml.safe_load((out / "summary.yaml").read_text())
    from hetsim.tracing.hf import CALL

    assert summary["provenance"]["call"] == CALL  # the measured call is the traced call
    assert summary["counts"]["time_points"] == 12
    ops = pd.read_parquet(out / "ops.parquet")
    assert len(ops) > 20 and (ops["error"] == "").all()
    assert (ops.t_stream_s > 0).all() and (ops.t_idle_s > 0).all()
    # every case streamed in each interleaved pass; the row keeps the median over the passes
    for _, r in ops.iterrows():
        passes, hosts = json.loads(r.t_stream_rounds_s), json.loads(r.cpu_rounds_s)
        assert len(passes) == len(hosts) == grid.op_rounds
        assert r.t_stream_s == statistics.median(passes) and r.cpu_s == statistics.median(hosts)
    assert summary["provenance"]["host_cpu"] and summary["provenance"]["host_cpus"] >= 1
    assert "scaled_dot_product_attention" in set(ops.aten) and "aten.index_copy_.default" in set(ops.aten)
    assert not any("flash_attention_for_cpu" in a for a in ops.aten)  # SDPA replayed from its Python call
    with gzip.open(out / "traces.json.gz", "rt") as f:
        traces = json.load(f)
    assert list(traces) == ["decode/hf-static/B2/C16"]
    # the host figures of the same session, beside the points
    calls, plans = (json.loads((out / f).read_text()) for f in ("host_calls.json", "sdpa_plans.json"))
    assert calls["mul_binding"] > 0 and calls["provenance"]["source"] == "measured"
    assert plans["loop"] and all(r["fixed_step_s"] > 0 for r in plans["loop"])
    # every distinct non-view op of the trace is one case, and the counts add up to the trace's ops
    trace_ops = traces["decode/hf-static/B2/C16"]["ops"]
    sdpa = traces["decode/hf-static/B2/C16"]["sdpa"]
    inside = {i for s in sdpa for i in range(s["first_op"], s["end_op"])}
    expected = sum(1 for i, o in enumerate(trace_ops) if not o.get("alias") and i not in inside) + len(sdpa)
    assert sum(json.loads(s)[0][2] for s in ops.sources) == expected


def test_op_cases_rebuild_layouts_and_keep_indices_in_bounds():
    torch = pytest.importorskip("torch")
    from hetsim.calibration.e2e.opcases import op_callable
    from hetsim.tracing.trace import AtenOp, TensorMeta

    bf = "bfloat16"
    # a broadcast multiply: the weight row has stride 0 over the rows, as transformers' RMSNorm scale
    mul = AtenOp("aten.mul.Tensor", (TensorMeta((4, 8), (8, 1), bf), TensorMeta((4, 8), (0, 1), bf, True, False)),
                 (TensorMeta((4, 8), (8, 1), bf),))
    out = op_callable(mul, torch.device("cpu"))()
    assert out.shape == (4, 8)
    # index_copy_ into a cache: every index must be below the cache's length along dim 2
    cache = TensorMeta((2, 2, 5, 4), (40, 20, 4, 1), bf)
    idx = TensorMeta((1,), (1,), "int64")
    src = TensorMeta((2, 2, 1, 4), (8, 4, 4, 1), bf)
    op = AtenOp("aten.index_copy_.default", (cache, idx, src), (cache,), {"dim": 2}, inplace=True)
    for _ in range(5):
        op_callable(op, torch.device("cpu"))()  # an out-of-bounds index would raise
    # a tensor list (cat) takes all inputs; plain arguments keep their names
    cat = AtenOp("aten.cat.default", (TensorMeta((2, 3), (3, 1), bf), TensorMeta((2, 5), (5, 1), bf)),
                 (TensorMeta((2, 8), (8, 1), bf),), {"dim": -1})
    assert op_callable(cat, torch.device("cpu"))().shape == (2, 8)
    arange = AtenOp("aten.arange.default", (), (TensorMeta((7,), (1,), "int64"),),
                    {"end": 7, "device": "cpu", "pin_memory": False})
    assert op_callable(arange, torch.device("cpu"))().tolist() == list(range(7))


def test_an_in_place_division_replays_at_one_magnitude_and_optional_tensors_stay_none():
    """x /= y replayed thousands of times with random y drives x subnormal (CUDA's fp32 division then takes its slow
    path): the divisor is drawn at magnitude 1, its broadcast layout kept. An optional tensor the trace left out
    (bce_with_logits' weight) is passed as its default, None."""
    torch = pytest.importorskip("torch")
    import inspect

    from hetsim.calibration.e2e.opcases import op_callable
    from hetsim.tracing.trace import AtenOp, TensorMeta

    f32 = "float32"
    x, row = TensorMeta((64, 32), (32, 1), f32), TensorMeta((64, 32), (1, 0), f32, True, False)
    div = op_callable(AtenOp("aten.div_.Tensor", (x, row), (x,), {}, inplace=True), torch.device("cpu"))
    kwargs = inspect.getclosurevars(div).nonlocals["kwargs"]
    start = kwargs["self"].abs().clone()
    for _ in range(2000):
        div()
    assert torch.equal(kwargs["self"].abs(), start)  # no drift toward zero however often it is replayed
    assert kwargs["other"].stride() == (1, 0) and set(kwargs["other"].abs().unique().tolist()) == {1.0}
    plain = op_callable(AtenOp("aten.div.Tensor", (x, x), (x,), {}), torch.device("cpu"))
    assert not set(inspect.getclosurevars(plain).nonlocals["kwargs"]["other"].abs().unique().tolist()) <= {1.0}
    bce = AtenOp("aten.binary_cross_entropy_with_logits.default", (x, x), (TensorMeta((), (), f32),), {})
    assert op_callable(bce, torch.device("cpu"))().shape == ()


def test_ops_whose_kernels_assert_on_their_values_get_valid_inputs():
    """A CUDA kernel's device-side assertion loses the GPU for every case after it (realcode-check27's first two
    runs): repeat_interleave's counts must sum to its output_size, binary_cross_entropy's probabilities and targets
    lie in [0, 1], masked_scatter's mask holds no more ones than its source has elements, index_copy_'s
    indices lie within its table. The CPU kernels raise
    where the CUDA ones assert, so each replaying on the CPU is the check."""
    torch = pytest.importorskip("torch")
    import inspect

    from hetsim.calibration.e2e.opcases import op_callable
    from hetsim.tracing.trace import AtenOp, TensorMeta

    cpu, f32 = torch.device("cpu"), "float32"
    counts = TensorMeta((148,), (1,), "int64")
    rep = op_callable(AtenOp("aten.repeat_interleave.Tensor", (counts,), (TensorMeta((870,), (1,), "int64"),),
                             {"output_size": 870}), cpu)
    assert rep().shape == (870,)
    assert int(inspect.getclosurevars(rep).nonlocals["kwargs"]["repeats"].sum()) == 870
    p = TensorMeta((64, 10), (10, 1), f32)
    assert op_callable(AtenOp("aten.binary_cross_entropy.default", (p, p), (TensorMeta((), (), f32),), {}), cpu)() \
        .isfinite()
    dest, mask = TensorMeta((2, 50, 64), (3200, 64, 1), f32), TensorMeta((2, 50, 1), (50, 1, 1), "bool")
    source = TensorMeta((30, 64), (64, 1), f32)
    out = op_callable(AtenOp("aten.masked_scatter.default", (dest, mask, source), (dest,), {}), cpu)()
    assert out.shape == (2, 50, 64)
    # realcode-check30's first run lost the GPU at a multinomial over normal draws; bernoulli's probabilities,
    # fractional_max_pool2d's samples and max_unpool2d's indices assert alike
    probs = TensorMeta((1279,), (1,), f32)
    draw = op_callable(AtenOp("aten.multinomial.default", (probs,), (TensorMeta((128,), (1,), "int64"),),
                              {"num_samples": 128, "replacement": True}), cpu)
    assert draw().shape == (128,) and bool((draw.kwargs["self"] > 0).all())
    coin = op_callable(AtenOp("aten.bernoulli.default", (p,), (p,), {}), cpu)
    assert coin().shape == (64, 10) and 0 <= float(coin.kwargs["self"].min()) <= float(coin.kwargs["self"].max()) <= 1
    x, samples = TensorMeta((2, 3, 32, 32), (3072, 1024, 32, 1), f32), TensorMeta((2, 3, 2), (6, 2, 1), f32)
    pooled, where = TensorMeta((2, 3, 22, 22), (1452, 484, 22, 1), f32), TensorMeta((2, 3, 22, 22), (1452, 484, 22, 1),
                                                                                   "int64")
    frac = op_callable(AtenOp("aten.fractional_max_pool2d.default", (x, samples), (pooled, where),
                              {"kernel_size": [3, 3], "output_size": [22, 22]}), cpu)
    assert frac()[0].shape == (2, 3, 22, 22)
    small, idx = TensorMeta((2, 3, 16, 16), (768, 256, 16, 1), f32), TensorMeta((2, 3, 16, 16), (768, 256, 16, 1),
                                                                                 "int64")
    unpool = op_callable(AtenOp("aten.max_unpool2d.default", (small, idx), (x,), {"output_size": [32, 32]}), cpu)
    assert unpool().shape == (2, 3, 32, 32)
    # one input a window, spread over the plane as a pool's indices are
    assert len(unpool.kwargs["indices"].unique()) == 256 and int(unpool.kwargs["indices"].max()) < 1024
    # realcode-check34's first run lost the GPU at a block table's index_copy_: an integer table has no float dim to
    # bound the index draw (1000 by default), so each index is taken within the table's rows
    table, rows = TensorMeta((256, 2048), (2048, 1), "int32"), TensorMeta((32,), (1,), "int64")
    moved = op_callable(AtenOp("aten.index_copy_.default", (table, rows, TensorMeta((32, 2048), (2048, 1), "int32")),
                               (table,), {"dim": 0}), cpu)
    assert moved().shape == (256, 2048) and int(moved.kwargs["index"].max()) < 256
    picked = op_callable(AtenOp("aten.index_select.default", (TensorMeta((128,), (1,), "int32"), rows),
                                (TensorMeta((32,), (1,), "int32"),), {"dim": -1}), cpu)
    assert picked().shape == (32,) and int(picked.kwargs["index"].max()) < 128


def test_a_histogram_is_timed_over_its_declared_range():
    """histc's atomic adds contend as its values fall: drawn in [0, 1), a [0, 63] histogram piles them into one bin."""
    torch = pytest.importorskip("torch")

    from hetsim.calibration.e2e.opcases import op_callable
    from hetsim.tracing.trace import AtenOp, TensorMeta

    x, bins = TensorMeta((24576,), (1,), "float32"), TensorMeta((64,), (1,), "float32")
    counts = op_callable(AtenOp("aten.histc.default", (x,), (bins,), {"bins": 64, "min": 0, "max": 63}),
                         torch.device("cpu"))()
    assert int(counts.sum()) == 24576 and int((counts > 0).sum()) == 64 and int(counts.max()) < 24576 // 32


def test_host_profile_counts_every_aten_op_and_sdpa_call_per_decode_step(tiny, tmp_path):
    """The host-time diagnostic on a CPU: per stack, the profiled steps' wall times and, per aten op, its
    calls per step (a DynamicCache step of a 2-layer model: one SDPA call per layer)."""
    pytest.importorskip("transformers")
    from hetsim.calibration.e2e import host_profile

    out = tmp_path / "hp.json"
    assert host_profile.main(["--model", str(tiny), "--device", "cpu", "--points", "1x16", "--prefill", "24",
                              "--out", str(out)]) == 0
    data = json.loads(out.read_text())
    (point,) = data["points"]
    (prefill,) = data["prefill"]
    assert prefill["prompt"] == 24
    for stack in ("hf-dynamic", "hf-static"):  # a fresh cache per forward: one SDPA call per layer each
        assert len(prefill[stack]["sdpa_call_cpu_s"]) == 2 * host_profile.STEPS
    assert (point["batch"], point["context"]) == (1, 16)
    for stack in ("hf-dynamic", "hf-static"):
        p = point[stack]
        assert len(p["wall_s"]) == host_profile.STEPS and all(w > 0 for w in p["wall_s"])
        assert len(p["sdpa_call_cpu_s"]) == 2 * host_profile.STEPS  # two layers, every profiled step
        assert p["ops"]["aten::mm"]["calls"] >= 2 * 7  # q, k, v, o, gate, up, down per layer (+ the LM head)
    assert data["provenance"]["source"] == "measured (diagnostic)"


def test_sdpa_plan_loop_times_growing_and_fixed_lengths():
    import torch

    from hetsim.calibration.gpu_suite import sdpa_plans

    res = sdpa_plans.measure(torch.device("cpu"), small=True)
    (loop,) = res["loop"]
    assert loop["fixed_step_s"] > 0 and loop["growing_step_s"] > 0
    assert loop["build_per_step_s"] == pytest.approx(loop["growing_step_s"] - loop["fixed_step_s"])
    assert len(res["repeat"][0]["calls_s"]) == 10 and res["patterns"]["layers"] == sdpa_plans.LAYERS


def test_host_measurements_refuse_to_overwrite_a_file_they_did_not_write(tmp_path, capsys):
    from hetsim.calibration.gpu_suite import sdpa_plans

    mine = tmp_path / "notes.json"
    mine.write_text('{"my": "data"}')
    with pytest.raises(SystemExit) as info:
        sdpa_plans.main(["--device", "cpu", "--small", "--out", str(mine)])
    assert info.value.code == 2 and mine.read_text() == '{"my": "data"}'
    assert "not overwritten" in capsys.readouterr().err
    ours = tmp_path / "plans.json"
    assert sdpa_plans.main(["--device", "cpu", "--small", "--out", str(ours)]) == 0
    assert sdpa_plans.main(["--device", "cpu", "--small", "--out", str(ours)]) == 0  # its own file: replaced
    assert json.loads(ours.read_text())["provenance"]["source"] == "measured"


def test_decode_points_in_interleaved_passes_compare_by_their_median(tiny, tmp_path):
    """A grid with decode_passes > 1 (e.g. `dynamic-passes`) times every point once per pass, the
    order reversed every other pass, and `validate e2e` reads a point as the median of its passes."""
    pytest.importorskip("transformers")
    import pandas as pd

    from hetsim.calibration.e2e.compare import load_measured
    from hetsim.calibration.e2e.measure import E2ERun
    from hetsim.calibration.e2e.spec import load_spec

    assert GRIDS["dynamic-passes"].modes == (("hf-dynamic", "eager"),) and not GRIDS["dynamic-passes"].prompts
    grid = replace(GRIDS["tiny"], prompts=(), op_traces=(), modes=(("hf-dynamic", "eager"),), decode_passes=3)
    out = tmp_path / "out"
    E2ERun(out, load_spec(str(tiny)), grid, "cpu", "test", log=lambda _: None).run()
    rows = pd.read_parquet(out / "e2e.parquet")
    dec = rows[(rows.kind == "time") & (rows.phase == "decode")]
    assert set(dec["stack"]) == {"hf-dynamic"} and (dec["error"] == "").all()
    per_point = dec.groupby(["batch", "context"])["decode_pass"].apply(sorted)
    assert len(per_point) == 4 and all(p == [0, 1, 2] for p in per_point)
    order = [(int(r.batch), int(r.context)) for r in dec.itertuples()]
    assert order[4:8] == order[:4][::-1]  # the second pass runs the points backwards
    # each pass grows the cache from past every length an earlier pass reached (no cached SDPA plan)
    span = grid.steps * (grid.loops + 1)
    assert (dec.context_first == dec.context + dec.decode_pass * span + grid.steps).all()
    times, _, _, _ = load_measured("H200", out)
    assert len(times) == 4
    for r in times.itertuples():
        mine = dec[(dec.batch == r.batch) & (dec.context == r.context)]
        assert r.t_median_s == pytest.approx(mine["t_median_s"].median())


def test_measure_never_writes_into_a_folder_it_does_not_own(tmp_path, capsys):
    from hetsim.calibration.e2e.cli import main

    (tmp_path / "e2e.parquet").write_text("someone's file")
    assert main(["measure", "--out", str(tmp_path), "--grid", "tiny", "--torch-device", "cpu"]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "did not write" in err
    assert (tmp_path / "e2e.parquet").read_text() == "someone's file" and len(list(tmp_path.iterdir())) == 1


def test_case_inputs_never_draw_from_the_default_generator():
    # a random op whose graph capture fails can leave the device's default generator refusing draws outside a capture;
    # the op cases' inputs come from a seeded generator of their own, so later cases still build (and repeat)
    import torch

    from hetsim.calibration.e2e.opcases import _materialise
    from hetsim.tracing.trace import TensorMeta

    torch.manual_seed(123)
    before = torch.get_rng_state()
    x = _materialise(TensorMeta.dense((4, 8), "float32"), torch.device("cpu"), 10)
    assert torch.equal(torch.get_rng_state(), before) and x.shape == (4, 8)


def test_narrow_integer_inputs_stay_within_their_dtype():
    # an int8 / uint8-only op (a quantised weight's unpacking) could not be replayed while integer inputs were drawn
    # below the bound alone (1000 by default)
    import torch

    from hetsim.calibration.e2e.opcases import _materialise
    from hetsim.tracing.trace import TensorMeta

    for dtype, top in (("int8", 127), ("uint8", 255)):
        x = _materialise(TensorMeta.dense((4096,), dtype), torch.device("cpu"), 1000)
        assert x.dtype == getattr(torch, dtype) and 0 <= int(x.min()) and int(x.max()) <= top



def test_replays_of_traced_code_make_the_traced_outputs():
    """The harness replays what real code traced: x[:, idx] and x[..., idx] = v (the trace records the index
    tensors, not the Nones before them), a _foreach op over several lists, in-place transpose_ / unsqueeze_ (the
    trace records their input as it was before the call; each replay starts from that shape again), a complex
    scalar. Each replay's output has the traced shape, and indices stay within the dim they address."""
    torch = pytest.importorskip("torch")
    from hetsim.calibration.e2e.opcases import op_callable
    from hetsim.tracing import trace_callable

    def code(x, idx, cache, rows, params, grads, spec):
        a = x[:, idx]  # [4, 3] of [4, 100]: the index addresses dim 1
        b = x[..., None, idx]
        cache[:, :, idx[:2]] = rows
        torch._foreach_lerp_(params, grads, 0.1)
        torch._foreach_addcmul_(params, grads, grads, value=0.5)
        s = spec.clone()
        s.transpose_(1, 2)
        s.unsqueeze_(1)
        return a, b, s * 1j

    tr = trace_callable(code, torch.randn(4, 100), torch.tensor([97, 5, 60]), torch.randn(2, 8, 50, 16),
                        torch.randn(2, 8, 2, 16), [torch.randn(5, 7) for _ in range(3)],
                        [torch.randn(5, 7) for _ in range(3)], torch.randn(2, 9, 4, dtype=torch.complex64))
    ran = set()
    for op in tr.ops:
        if op.alias:
            continue
        call = op_callable(op, torch.device("cpu"), bound=50 if op.base.startswith("index") else None)
        for _ in range(3):  # a replay repeated keeps its shape (unsqueeze_ would otherwise grow a dim a call)
            out = call()
        first = out[0] if isinstance(out, tuple | list) else out
        if op.outputs and isinstance(first, torch.Tensor):
            assert tuple(first.shape) == tuple(op.outputs[0].shape), op.name
        ran.add(op.base)
    assert {"index", "index_put_", "_foreach_lerp_", "_foreach_addcmul_", "transpose_", "unsqueeze_", "mul"} <= ran
    transpose = next(op for op in tr.ops if op.base == "transpose_")
    assert transpose.inputs[0].shape == (2, 9, 4) and transpose.outputs[0].shape == (2, 4, 9)
    # x[:, idx] with its indices drawn below 100 but bounded by the dim they address (4 rows would not do)
    index = next(op for op in tr.ops if op.base == "index")
    assert op_callable(index, torch.device("cpu"), bound=100)().shape == (4, 3)
