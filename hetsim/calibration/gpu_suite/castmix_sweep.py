"""The aten sweep's mixed-dtype elementwise group: `castmix-sweep`, binary ops over contiguous operands of two dtypes,
which TensorIterator runs with a cast per load and store (its unrolled kernel, not the vectorised one).

`pointwise_cast` prices them at the bytes or an element rate, whichever binds; its fit cases write fp32 outputs
mostly. The checks' 16-bit outputs ran below that element rate: an int8 weight times its fp16 scale (a weight-only
dequantisation, 10 cases of 50-870 us) -33 % on an H100 and -21 % on an H200, a bool mask times bf16 scores -29 %,
while fp32 outputs held (-1 %, 16 cases). This group draws pairs of dtypes as dequantisation, masking and mixed
precision code writes them (int8 / uint8 / bool / int32 with fp16 or bf16 into a 16-bit output; bf16 / fp16 / int8
with fp32 into an fp32 one), mul, add and sub, each over 1 M to 256 M elements of one shape (a scale broadcast
would take the strided kernel: not here), sizes log-uniform (none taken from a check). Fit data for the element rate
by the output's width. The builder drops a case equal to any earlier group's.
"""

from __future__ import annotations

import random

from hetsim.calibration.gpu_suite.rare_sweep import _log, drawn_specs

CASTMIX_SWEEP = "castmix-sweep"
SEED = 20261215
DRAWS = 72
MAX_ELEMENTS = 1 << 28


def _draws(rng: random.Random):
    """(name, builder(m, i, f32) -> (callable, meta inputs)) for each draw: two dtypes, an op and a shape."""
    import torch

    narrow = [(torch.int8, torch.float16), (torch.int8, torch.bfloat16), (torch.uint8, torch.float16),
              (torch.bool, torch.bfloat16), (torch.bool, torch.float16), (torch.int32, torch.bfloat16)]
    wide = [(torch.bfloat16, torch.float32), (torch.float16, torch.float32), (torch.int8, torch.float32),
            (torch.bool, torch.float32)]
    ops = {"mul": torch.mul, "add": torch.add, "sub": torch.sub}

    def draw(k):
        a, b = (narrow if k % 2 == 0 else wide)[rng.randrange(len(narrow if k % 2 == 0 else wide))]
        name = sorted(ops)[k % 3]
        if a is torch.bool and name == "sub":
            name = "mul"  # ATen refuses a bool operand to sub
        n = _log(rng, 1 << 20, MAX_ELEMENTS)
        cols = _log(rng, 256, 32768)
        shape = (max(1, n // cols), cols)
        first = rng.random() < 0.5  # the narrow operand first or second

        def build(m, i, f, a=a, b=b, shape=shape, fn=ops[name], first=first):
            x, y = m(*shape, dt=a), m(*shape, dt=b)
            return fn, ((x, y) if first else (y, x))
        return f"{name}_{str(a).split('.')[-1]}_{str(b).split('.')[-1]}", build

    return [draw(k) for k in range(DRAWS)]


def specs():
    """(group, label, callable, meta inputs, positive), as aten_cases' spec functions yield them."""
    yield from drawn_specs(CASTMIX_SWEEP, _draws, SEED)
