"""x[idx] through ATen's element index kernel (launch_kernel<128, 4>): a thread's dependent index-then-element trips
are a step term beside the elements (gpu.op_steps), so a few dozen outputs cost one trip and 512 or more four."""

import pytest

from hetsim.hardware import launch
from hetsim.hardware.gpu import op_steps
from hetsim.stacks.aten import lower_op
from hetsim.tracing.trace import AtenOp, TensorMeta

T = TensorMeta.dense


@pytest.mark.parametrize(("elements", "trips"), [(1, 1), (16, 1), (128, 1), (129, 2), (300, 3), (512, 4),
                                                 (4096, 4), (10**8, 4)])
def test_a_thread_takes_four_elements_at_most(elements, trips):
    assert launch.index_element_trips(elements) == trips


def _index(table, index):
    out = T(tuple(index) + tuple(table[1:]), "float32")
    (op,) = lower_op(AtenOp("aten.index.Tensor", (T(table, "float32"), T(index, "int64")), (out,)))
    return op


def test_the_element_kernel_steps_by_its_trips_and_the_row_gather_does_not():
    few, many = _index((1000,), (16,)), _index((2_097_152,), (4096,))
    assert few.elementwise and many.elementwise
    assert (op_steps(few), op_steps(many)) == (1.0, 4.0)
    rows = _index((4096, 64), (300,))  # 256-byte rows, one index tensor: the vectorised row gather
    assert not rows.elementwise and op_steps(rows) is None
