"""What a calibration run is set to: its modes (timer settings and time budget), the suite's
version (written into every profile) and the default validation cases."""

from __future__ import annotations

from hetsim.calibration.paths import REPO_ROOT

SUITE_VERSION = "4"
DEFAULT_CASES = REPO_ROOT / "calibration" / "cases" / "validation.yaml"
MODES = {  # timer settings and time budget per mode
    "full": dict(reps=21, point_s=0.15, loop_s=2e-3, budget_s=480.0, reserve_s=60.0, power_s=1.5, idle_s=2.0,
                 rounds=6, mixes=12),
    "quick": dict(reps=7, point_s=0.05, loop_s=1e-3, budget_s=150.0, reserve_s=30.0, power_s=1.0, idle_s=1.0,
                  rounds=2, mixes=4),
    "tiny": dict(reps=5, point_s=0.005, loop_s=2e-4, budget_s=60.0, reserve_s=10.0, power_s=0.0, idle_s=0.0,
                 rounds=2, mixes=2),
}
MODEL_TEXT = ("device_s = overhead_s + roof(flops / flop_rate, bytes / bw_bytes_per_s; roof_p) "
              "[+ ceil(rows / wave_slots) * (wave_s + item_s * row length)]; "
              "op in an eager stream: max(dispatch_s, device_s + eager_gap_s); "
              "ops back to back: max(host.mix_factor * sum dispatch_s, sum (device_s + eager_gap_s)); "
              "CUDA graph: sum device_s (hetsim.hardware.gpu)")
