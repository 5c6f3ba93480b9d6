"""GPU energy follows the work: an op draws its busy power over its working time (device time less
its fixed overhead), not over launch overheads and gaps; an energy point measured in another regime
than its timed point is not held against the target."""

import pytest

from hetsim.calibration.e2e.compare import energy_regime_note
from hetsim.config.load import Catalogue
from hetsim.hardware.gpu import GpuModel, OpClassRates
from hetsim.ops import Elementwise


class _Profile:
    """1 GB/s elementwise with a 10 us fixed overhead, 2 us launch gaps, 100 W busy."""

    rates = {"elementwise": OpClassRates(10e-6, 1e9, 1e30, active_w=100.0, dispatch_s=0.0, eager_gap_s=2e-6)}
    host_mix = 1.0
    idle_w = None


@pytest.fixture(scope="module")
def gpu():
    return GpuModel(Catalogue.load().devices["H100-SXM"], _Profile())


def test_an_ops_energy_is_its_busy_power_over_its_working_time(gpu):
    big = Elementwise(2_500_000, 1)  # 10 MB at 1 GB/s: 10 ms of work, 10 us of overhead
    tiny = Elementwise(250, 1)  # 1 kB: 1 us of work behind 10 us of overhead
    assert gpu.energy_j(big, gpu.device_time_s(big)) == pytest.approx(100.0 * 10e-3)
    assert gpu.energy_j(tiny, gpu.device_time_s(tiny)) == pytest.approx(100.0 * 1e-6)
    # the eager stream's launch gap adds time, not energy
    assert gpu.energy_j(tiny, gpu.stream_device_s(tiny)) == gpu.energy_j(tiny, gpu.device_time_s(tiny))
    # a share of its time: at most that share's energy
    assert gpu.energy_j(big, 1e-3) == pytest.approx(100.0 * 1e-3)
    # the average power above idle over an eager op's time: the tiny op is mostly overhead
    assert gpu.active_w(tiny) == pytest.approx(100.0 * 1e-6 / gpu.op_time_s(tiny))
    assert gpu.active_w(big) > 0.99 * 100.0 * 10e-3 / gpu.op_time_s(big)


def test_an_energy_loop_much_faster_than_its_timed_loop_is_another_regime():
    assert energy_regime_note(None, 0.06) is None
    assert energy_regime_note(0.058, 0.06) is None
    note = energy_regime_note(0.024, 0.062)
    assert note and "24.0 ms/call" in note and "62.0" in note
