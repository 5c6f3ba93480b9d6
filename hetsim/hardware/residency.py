"""Where an op's bytes come from: the GPU's L2 or its HBM.

An op replayed on the same buffers (every op case of the aten sweep and of the model-trace validation is timed
so, hetsim.calibration.measure.Timer) finds its working set in the L2 after the first call when the set is small
enough; a model's forward reads each weight once a step, from HBM. Measured on an H200 (60 MB L2;
experiments/l2_residency/run.py, calibration/profiles/runs/l2-residency-2026-12-02{,b}/): an elementwise op, a copy and
GroupNorm's walk run the same as from HBM above ~50 MB of working set (input + output) and about twice as fast
below ~30 MB, with a linear fall between. `python -m hetsim.calibration.l2_fit` refits the three constants below
from those runs (a test checks they agree); they are fractions of the L2's size. A GPU with runs of its own has its
own ramp (RAMPS: the H100's, whose ends lie at nearly the H200's bytes, not its fractions); any other takes the H200's
fractions of its L2 (transferred, as a device without a profile takes its efficiencies).

An op carries the share of its bytes the L2 serves (`Op.l2_share`, 0 unless set: a forward's ops read HBM);
gpu.hbm_bytes prices that share at L2_GAIN (a tensor-core kernel: L2_GAIN_MATRIX) times the rate its key was fitted
for; the GPU model and the trace fit first scale the share by the key's rate over the HBM's (bound_share: an
issue-bound kernel keeps its rate).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from hetsim.ops import Copy, HostCall, Op

MEASURED_ON = "H200"  # the GPU the constants below were fitted on; others take them as fractions of their L2

# below this share of the L2 a replayed working set is read from the L2 whole; above L2_COLD_SHARE, from HBM whole
# (a set little more than half the L2 already spills; the H200's L2 is two partitions, which may be why, not
# checked): fitted by hetsim.calibration.l2_fit on the two 2026-12-02 runs pooled
# (each alone: 0.49 / 0.81, gain 1.9; 0.56 / 0.78, gain 2.05)
L2_HOT_SHARE = 0.51
L2_COLD_SHARE = 0.80
# the L2's read rate over the HBM's, for the bytes it serves: the same fit (elementwise ops, a copy, GroupNorm's
# moments, each against its own HBM rate measured on rotated inputs)
L2_GAIN = 2.05
# a kernel on the tensor cores (cuBLAS GEMMs: bf16 linears of 16 and 256 rows pooled; SDPA's kernels taken alike) gains
# less from the L2 (its tiles' loads overlap the math): the same fit, on the same ramp (each run alone: 1.35). The
# 16-row linears alone gained more (their bytes ~1.6-1.8x at 16-40 MB): a skinny product takes L2_GAIN
# (gpu.skinny_streams)
L2_GAIN_MATRIX = 1.35


# the L2's rate over the HBM's for a batched product's items re-reading one weight broadcast over the batch (nvjet's
# skinny tiles, TMA loads; hetsim.hardware.gpu.broadcast_rereads): ~9-16 TB/s on an H200, above the elementwise
# kernels' L2_GAIN; `python -m hetsim.calibration.l2_fit` refits it (reread_gain) from realcode-more11's 8
# re-read-bound products (a test checks they agree)
L2_GAIN_REREAD = 2.5


# kernels whose threads reach the HBM's rate but not the L2's: a batched cat mostly of one input copies it with half
# the grid (replayed appends of 8-13 MB ran ~3 TB/s, as from HBM; hetsim.stacks.aten.dominated_cat)
# Nor do kernels that only store (a fill, arange's and the distribution kernels): replayed zeros of 20 and 36 MB ran
# 3.6-4.0 TB/s, the HBM's rate, where an L2 gain priced them 25-30 % fast (realcode-check21 and earlier checks)
NO_L2_GAIN = frozenset({"cat_dominated", "pointwise_fill", "pointwise_arange", "random"})
# kernels whose bytes are the lines their warps move from the L2 (an interpolating resize's taps,
# hetsim.stacks.aten_image._interpolate): L2 traffic already, priced at the L2's rate, never shortened by it nor bounded
# by the HBM's
L2_TRAFFIC = frozenset({"upsample_bilinear", "upsample_bicubic"})

# kernels whose walk (Pointwise.walk) is a chain of dependent loads, each waiting on where its bytes lie: GroupNorm's
# moments (a 512-thread block per (sample, group), a load a step) ran ~0.29 us a step with its input in the L2 and
# ~0.45 us from HBM (H200, the aten sweep's 60 group_norm cases: 16.8 MB inputs replayed the first, 33.5 MB the
# second), whatever the dtype; the walk takes the share its working set leaves in the L2 at L2_GAIN. An outer-dim scan
# alike (scan_outer_dim: a thread a column, a load a step): 150-240 ns a step over 4-16 MB replayed from the L2,
# 370-425 over 32-64 MB (realcode-more21 / -more22, one wave of blocks each); the spatial softmax's column walks alike
# (~120 ns a load over a 13 MB bf16 tensor, 300-480 over 50-160 MB: realcode-check28 and -check22 to -27, H200)
WALK_L2_GAIN = frozenset({"group_norm", "scan_outer", "pool_walk", "softmax_spatial", "log_softmax_spatial"})


@dataclass(frozen=True)
class L2:
    """A GPU's L2 as a replayed op case finds it: its bytes and the two ends of l2_share's ramp, fractions of them."""

    nbytes: float
    hot_share: float = L2_HOT_SHARE
    cold_share: float = L2_COLD_SHARE

    def __bool__(self) -> bool:
        return self.nbytes > 0


# each GPU's ramp (hot share, cold share), fitted by hetsim.calibration.l2_fit on that GPU's runs of
# experiments/l2_residency/run.py; a GPU without runs takes the H200's fractions of its own L2 (transferred). The
# H100's (two runs of one lease, 2026-12-06, its ramp fitted under the H200's gain, which every GPU shares: `l2_fit
# --gain 2.05`; hot times' p90 13.3 % where the H200's fractions gave 21.6 %): its ends lie at 29.5 and 48 MB of its
# 50 MB, the H200's at 30.6 and 48 MB of 60, nearly the same bytes, not the same fractions. Left free, the H100's
# runs fit 0.50 / 0.88 with a gain of 2.75 (p90 11.7 %), and each run alone moved its cold end by 0.05-0.1
RAMPS: dict[str, tuple[float, float]] = {MEASURED_ON: (L2_HOT_SHARE, L2_COLD_SHARE), "H100-SXM": (0.59, 0.96)}


def l2_of(device: str, nbytes: float) -> L2:
    """The L2 of `device` (a catalogue name), `nbytes` large, with its own ramp where one was fitted."""
    hot, cold = RAMPS.get(device, RAMPS[MEASURED_ON])
    return L2(nbytes, hot, cold)


def l2_share(working_bytes: float, l2: float | L2) -> float:
    """The share of a replayed op's bytes read from an L2 (`l2`: an L2, or its bytes, taking the H200's ramp): 1 for a
    working set up to its hot share of it, 0 from its cold share on, linear between."""
    l2 = l2 if isinstance(l2, L2) else L2(l2)
    if l2.nbytes <= 0:
        return 0.0
    hot, cold = l2.hot_share * l2.nbytes, l2.cold_share * l2.nbytes
    return min(1.0, max(0.0, (cold - working_bytes) / (cold - hot)))


def hbm_equivalent(nbytes: float, share: float, gain: float = L2_GAIN) -> float:
    """`nbytes` of which `share` the L2 serves at `gain` times the HBM's rate, as the bytes HBM would move in the same
    time."""
    return nbytes * (1.0 - share * (1.0 - 1.0 / gain))


def bound_share(share: float, bw: float, hbm_bw: float) -> float:
    """The L2 share that shortens a kernel whose key runs at `bw` on a GPU whose HBM streams at `hbm_bw`: all of it
    for a kernel at the HBM's rate, less in proportion for one below it, which its own issue binds (an expand copy
    at 1.2 TB/s on an H200 ran 10.5 MB in 9.9 us from the L2, what its HBM rate gives; a plain copy ran twice as fast
    from it)."""
    return share * min(1.0, bw / hbm_bw) if share and hbm_bw > 0 else share


def merged_share(op: Op, l2: float | L2) -> Op:
    """A scatter (Pointwise.scattered_bytes) or an op touching sectors in part (Pointwise.sector_span: a copy's
    partial writes, a gather's picks) with the share of those sectors that the L2 holds while it runs (l2_share of
    their bytes): partial-sector writes merge there, and picks hit, whether or not the data was warm, so this holds
    in a forward as in a replayed case; other ops unchanged."""
    held = merged_sectors(op)
    return replace(op, scattered_share=l2_share(held, l2)) if held else op


def merged_sectors(op: Op) -> int:
    """Bytes of the sectors whose merging in the L2 an op's price depends on (a scatter's destination sectors, or a
    partial-sector op's span: Pointwise.scattered_bytes / sector_span); 0 for any other op."""
    return getattr(op, "scattered_bytes", 0) or getattr(op, "sector_span", 0)


def replayed(ops, l2: float | L2) -> tuple[Op, ...]:
    """The ops as an op case runs them: each on its own buffers, call after call, so its working set (its bytes:
    what it reads and writes) sits in the L2 as far as l2_share says. Host work and host copies stay."""
    out = []
    for op in ops:
        host = isinstance(op, HostCall) or (isinstance(op, Copy) and op.crosses_host)
        regime = getattr(op, "regime", "")
        share = 0.0 if host or regime in NO_L2_GAIN | L2_TRAFFIC else l2_share(working_bytes(op), l2)
        walk = {"walk_share": share} if regime in WALK_L2_GAIN else {}
        out.append(merged_share(replace(op, l2_share=share, **walk) if share else op, l2))
    return tuple(out)


def working_bytes(op: Op) -> float:
    """The bytes a replayed op holds: what it reads and writes, a tensor it reads twice counted once."""
    return op.bytes - getattr(op, "reread", 0)
