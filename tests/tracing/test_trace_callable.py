"""Any Python callable traced with example inputs: real or meta tensors in, fake tensors run, nothing computed."""

import pytest

torch = pytest.importorskip("torch")

from hetsim.tracing import trace_callable  # noqa: E402


def test_a_function_on_meta_inputs():
    def score(x, w):
        return torch.softmax(x @ w, dim=-1).sum(dim=1)

    x = torch.empty(1024, 4096, device="meta", dtype=torch.bfloat16)
    w = torch.empty(4096, 100_000, device="meta", dtype=torch.bfloat16)
    tr = trace_callable(score, x, w)
    assert [o.base for o in tr.ops] == ["mm", "_softmax", "sum"]
    mm, softmax, total = tr.ops
    assert mm.outputs[0].shape == (1024, 100_000) and mm.outputs[0].dtype == "bfloat16"
    assert softmax.dims == (1,) and total.dims == (1,)
    assert tr.meta["source"] == "callable" and "score" in tr.meta["name"]


def test_views_and_non_contiguous_inputs_are_marked():
    def f(x):
        return x.t().contiguous()

    tr = trace_callable(f, torch.zeros(4, 8))
    t, clone = tr.ops
    assert t.alias and t.base == "t"
    assert clone.base == "clone" and clone.inputs[0].view and not clone.inputs[0].contiguous
    assert clone.inputs[0].stride == (1, 8)


def test_a_module_records_its_submodule_calls_and_sdpa():
    class Block(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.proj = torch.nn.Linear(64, 64, bias=False)

        def forward(self, q, k):
            out = torch.nn.functional.scaled_dot_product_attention(q, k, k, is_causal=True)
            return self.proj(out)

    with torch.device("meta"):
        block = Block()
    q = torch.empty(1, 4, 32, 64)
    tr = trace_callable(block, q, q)
    assert [m.path for m in tr.modules] == ["", "proj"]
    assert len(tr.sdpa) == 1 and tr.sdpa[0].is_causal and tr.sdpa[0].query.shape == (1, 4, 32, 64)
    proj = tr.modules[1]
    assert [tr.ops[i].base for i in range(proj.first_op, proj.end_op) if not tr.ops[i].alias][0] in ("mm", "bmm")


def test_a_data_dependent_nonzero_is_recorded_as_the_op_the_code_runs():
    from hetsim.method_code.base import nonzero
    from hetsim.ops import HostCall
    from hetsim.stacks.aten import lower_op

    # fake tensors cannot count: the helper runs nonzero_static at the assumed count, the trace says nonzero
    tr = trace_callable(lambda m: nonzero(m, assumed=12), torch.empty(8, 64, dtype=torch.bool, device="meta"))
    (op,) = [o for o in tr.ops if "nonzero" in o.name]
    assert op.name == "aten.nonzero.default" and op.outputs[0].shape == (12, 2)
    select, sync = lower_op(op)
    assert select.regime == "select" and isinstance(sync, HostCall) and sync.kind == "sync"
    # a real nonzero_static (a fixed size, no sync) lowers to the select alone
    plain = trace_callable(lambda m: torch.nonzero_static(m, size=12), torch.empty(8, 64, dtype=torch.bool,
                                                                                  device="meta"))
    (op,) = [o for o in plain.ops if "nonzero" in o.name]
    assert op.name == "aten.nonzero_static.default" and [o.regime for o in lower_op(op)] == ["select"]
    # outside the helper's block the recorder names ops as dispatched again
    assert trace_callable(lambda m: m.sum(), torch.empty(4, device="meta")).ops[0].base == "sum"


def test_rms_norm_is_recorded_as_the_one_fused_kernel_a_gpu_runs():
    # on a GPU, rms_norm calls _fused_rms_norm (one vectorized_layer_norm_kernel, checked with torch.profiler on an
    # H200: calibration/e2e/diagnostics/kernel-dispatch-2026-12-02); fake CPU tensors would run its composite
    x = torch.empty(8, 4096, device="meta", dtype=torch.bfloat16)
    w = torch.empty(4096, device="meta", dtype=torch.bfloat16)
    tr = trace_callable(lambda x, w: torch.nn.functional.rms_norm(x, (4096,), w, 1e-6), x, w)
    (op,) = tr.ops
    assert op.name == "aten._fused_rms_norm.default" and op.args["normalized_shape"] == [4096]
    assert [t.shape for t in op.inputs] == [(8, 4096), (4096,)]
    assert [(t.shape, t.dtype) for t in op.outputs] == [((8, 4096), "bfloat16"), ((8, 1), "float32")]
    norm = torch.nn.RMSNorm(4096, device="meta", dtype=torch.bfloat16)
    assert [o.base for o in trace_callable(norm, x).ops] == ["_fused_rms_norm"]
    assert [o.base for o in trace_callable(lambda x, w: torch.rms_norm(x, (4096,), w), x, w).ops] == [
        "_fused_rms_norm"]
    # channels-last strides (a sliced channels-last view too): ATen's composite, as on a GPU
    image = torch.empty(2, 8, 16, 16, device="meta", dtype=torch.bfloat16).to(memory_format=torch.channels_last)
    sliced = trace_callable(lambda x: torch.nn.functional.rms_norm(x[..., :8], (8,)), image)
    assert "_fused_rms_norm" not in [o.base for o in sliced.ops]
    # a weight of another dtype: PyTorch falls back to the composite on a GPU too
    w32 = torch.empty(4096, device="meta", dtype=torch.float32)
    chain = trace_callable(lambda x, w: torch.nn.functional.rms_norm(x, (4096,), w, 1e-6), x, w32)
    assert "_fused_rms_norm" not in [o.base for o in chain.ops] and len(chain.ops) > 3
