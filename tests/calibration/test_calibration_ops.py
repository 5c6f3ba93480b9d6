"""One op, three views: every primitive op reads back from a cases file, has a real PyTorch
implementation of its shapes, and the validation composites are the simulator's own ops."""

import pytest

from hetsim.calibration.cases import dump_cases, load_cases, parse_cases
from hetsim.ops import (
    PRIMITIVE_OPS,
    Attention,
    Copy,
    Elementwise,
    Gather,
    Matmul,
    Reduction,
    Softmax,
    TopK,
    op_from_dict,
)

EXAMPLES = [
    Matmul(3, 40, 24, name="linear"), Matmul(2, 40, 24, batch=3, shared_b=False), Elementwise(96, 1),
    Elementwise(96, 2, "fp32"), Elementwise(96, 3), Elementwise(96, 1, broadcast_numel=32),
    Elementwise(96, 2, broadcast_numel=32), Elementwise(96, 0), Reduction(6, 40, kind="max"),
    Reduction(6, 40, kind="min"), Softmax(6, 40), TopK(5, 300, 7), Gather(9, 64, 50), Gather(9, 33, 50),
    Attention(2, 8, 2, 1, 64, 16), Attention(1, 4, 4, 32, 32, 16, causal=True),
    Attention(1, 4, 2, 8, 48, 16, causal=True), Copy(4096, "d2d"), Copy(4096, "h2d"), Copy(4096, "d2h"),
]


def test_examples_cover_the_whole_vocabulary():
    assert {type(op).__name__.lower() for op in EXAMPLES} == set(PRIMITIVE_OPS)


@pytest.mark.parametrize("op", EXAMPLES, ids=lambda op: f"{type(op).__name__}")
def test_op_reads_back_from_its_cases_entry(op):
    back = op_from_dict(op.to_dict())
    assert back == op and back.name == op.name and back.bytes == op.bytes


def test_cases_file_round_trip_keeps_ops_and_measurements(tmp_path):
    text = dump_cases(parse_cases({"cases": [{"name": "all", "measured_s": 1e-3,
                                              "ops": [dict(op.to_dict(), measured_s=1e-5) for op in EXAMPLES]}]}).cases)
    path = tmp_path / "c.yaml"
    path.write_text(text)
    (case,) = load_cases(path).cases
    assert case.plain_ops == EXAMPLES and case.measured_s == 1e-3
    assert all(c.measured_s == 1e-5 for c in case.ops)


torch = pytest.importorskip("torch")


def expected_shape(op):
    if isinstance(op, Matmul):
        return (op.batch * op.m, op.n) if op.shared_b or op.batch == 1 else (op.batch, op.m, op.n)
    if isinstance(op, Elementwise):
        b = op.broadcast_numel
        return (op.numel // b, b) if b else (op.numel,)
    if isinstance(op, Reduction):
        return (op.rows,)
    if isinstance(op, Softmax):
        return (op.rows, op.cols)
    if isinstance(op, TopK):
        return (op.rows, op.k)
    if isinstance(op, Gather):
        return (op.rows, op.row_bytes // 2 if op.row_bytes % 2 == 0 else op.row_bytes)
    if isinstance(op, Attention):
        return (op.batch, op.q_heads, op.q_len, op.head_dim)
    return (op.nbytes,)


@pytest.mark.parametrize("op", EXAMPLES, ids=lambda op: f"{type(op).__name__}")
def test_torch_implementation_runs_the_op_on_never_zero_inputs(op):
    from hetsim.calibration.torch_ops import build

    runner = build(op, "cpu", l2_bytes=1 << 16)
    for args in runner.sets:
        for t in args:
            if isinstance(t, torch.Tensor) and t.dtype != torch.int64:  # int64: gather indices
                assert bool((t != 0).all())
    out = runner()
    out = out[0] if isinstance(out, tuple) else out
    assert tuple(out.shape) == expected_shape(op)
    assert bool(torch.isfinite(out.float()).all())


def test_small_inputs_rotate_until_they_exceed_l2_and_large_ones_do_not():
    from hetsim.calibration.torch_ops import build

    small = build(Elementwise(1024, 2), "cpu", l2_bytes=1 << 20)
    assert small.n_sets > 1 and small.n_sets * small.set_bytes >= min(3 << 20, 32 * small.set_bytes)
    assert build(Elementwise(1 << 20, 2), "cpu", l2_bytes=1 << 16).n_sets == 1
    seen = {id(small.sets[i][0]) for i in range(small.n_sets)}
    for _ in range(small.n_sets):
        small()
    assert len(seen) == small.n_sets


def test_torch_results_match_the_op_semantics():
    from hetsim.calibration.torch_ops import build

    r = build(TopK(3, 50, 4), "cpu", l2_bytes=0)
    (x,) = r.sets[0]
    values, idx = r()
    assert torch.equal(values, torch.sort(x, dim=-1, descending=True).values[:, :4])
    g = build(Gather(5, 16, 40), "cpu", l2_bytes=0)
    src, ix = g.sets[0]
    assert torch.equal(g(), src[ix]) and len(set(ix.tolist())) == 5
    a = build(Attention(1, 4, 2, 8, 8, 16, "fp32", causal=True), "cpu", l2_bytes=0)
    q, k, v = a.sets[0]
    ref = torch.nn.functional.scaled_dot_product_attention(q, k.repeat_interleave(2, 1), v.repeat_interleave(2, 1),
                                                           is_causal=True)
    assert torch.allclose(a(), ref, atol=1e-5)


def test_ops_without_a_torch_kernel_are_refused_clearly():
    from hetsim.calibration.torch_ops import UnsupportedOp, build

    with pytest.raises(UnsupportedOp, match="not one torch kernel"):
        build(Elementwise(96, 3, broadcast_numel=32), "cpu")
    with pytest.raises(UnsupportedOp, match="no torch implementation"):
        build(Matmul(4, 4, 4, dtype="fp8"), "cpu")


def test_committed_validation_composites_are_the_simulators_own_ops():
    """calibration/cases/validation.yaml is what the GPU suite measures; it must be exactly what
    hetsim.workloads builds today (regenerate: python -m hetsim.calibration.composites)."""
    from hetsim.calibration.composites import OUT, render

    assert OUT.read_text() == render()
    names = [c.name for c in load_cases(OUT).cases]
    assert any(n.startswith("lserve_decode") for n in names) and any(n.startswith("dsa_step") for n in names)
    assert any(n.startswith("rag_flat") for n in names) and any(n.startswith("ivf") for n in names)
