"""gpu_suite.harness_pairs: the op cases' call, the same overload called positionally and the torch binding compute the
same thing on the case's own tensors, and each is timed for every case it can be built for."""

import pytest

torch = pytest.importorskip("torch")

from hetsim.calibration.gpu_suite import harness_pairs  # noqa: E402
from hetsim.tracing.trace import AtenOp, TensorMeta  # noqa: E402

T = TensorMeta.dense


def _case(op: AtenOp, bound: int | None = None) -> dict:
    return {"kind": "aten", "aten": op.name, "module": "", "spec": op.to_json(), "sources": [["test", 0, 1]],
            "regime": "gather", "group": "test", **({"int_bound": bound} if bound else {})}


def test_the_three_calls_of_an_index_select_agree():
    from hetsim.calibration.gpu_suite.aten_sweep import case_callable

    op = AtenOp("aten.index_select.default", (T((64, 16), "float32"), T((8,), "int64")), (T((8, 16), "float32"),),
                {"dim": 0})
    calls = harness_pairs.variants(case_callable(_case(op, 64), torch.device("cpu")))
    assert set(calls) == set(harness_pairs.VARIANTS)
    first = calls["opoverload_kw"]()
    for name in ("opoverload_pos", "binding"):
        assert torch.equal(calls[name](), first), name


def test_an_op_whose_binding_takes_other_arguments_keeps_its_overload_readings():
    from hetsim.calibration.gpu_suite.aten_sweep import case_callable

    # aten._to_copy has no torch._to_copy binding (a model calls x.to(dtype)): the two overload readings only
    op = AtenOp("aten._to_copy.default", (T((32,), "float32"),), (T((32,), "bfloat16"),), {"dtype": "torch.bfloat16"})
    calls = harness_pairs.variants(case_callable(_case(op), torch.device("cpu")))
    assert set(calls) == {"opoverload_kw", "opoverload_pos"}
    assert calls["opoverload_pos"]().dtype == torch.bfloat16


def test_a_run_times_every_variant_of_every_case_in_its_rounds():
    add = AtenOp("aten.add.Tensor", (T((256,), "float32"), T((256,), "float32")), (T((256,), "float32"),))
    res = harness_pairs.run([(0, _case(add)), (1, {"kind": "sdpa"})], torch.device("cpu"), rounds=2, inner=5, reps=3,
                            budget_s=60, log=lambda *_: None)
    assert res["rounds"] == 2 and len(res["host_probe_s"]) == 2
    (row,) = res["rows"]  # the SDPA case is not an aten call: left out
    assert row["case"] == 0
    assert all(row[f"{v}_s"] > 0 for v in harness_pairs.VARIANTS)


def test_the_command_refuses_to_overwrite_a_file(tmp_path, capsys):
    out = tmp_path / "pairs"
    (tmp_path / "pairs.json").write_text("{}")
    assert harness_pairs.main(["--out", str(out), "--device", "cpu"]) == 2
    assert "exists" in capsys.readouterr().err
    assert (tmp_path / "pairs.json").read_text() == "{}"
