"""The aten sweep's elementwise-math group: `math-sweep`, activations and transcendental functions one op at a time
over sizes from a few thousand elements to a gigabyte, the spread no fit case covers.

`pointwise_math` is one element rate beside the bytes for every activation, each op then corrected by its measured
neighbours (hetsim.hardware.product_table, `pointwise <op>`); the fit holds few cases of the heavier ones, and the
checks ran them off: x ** 0.7 over 97-259 M fp32 elements (powf per element, ~130 G elements/s) -29..-30 %, other
general exponents -34..-57 %, softplus and mish -26..-44 % (a log1p of an exp, a tanh of that), exponential_ (the
Philox draws of torch.multinomial's and Gumbel sampling's noise) -32..-52 %, small softpluses at 2.3-2.8 us -26..-30 %
(realcode-check19 to -36).

This group draws pow with a general exponent (0.7, 1.5, 2.5, -0.3, 0.25, 4, 6, 7), softplus, mish, exponential_,
silu, gelu (erf and tanh), sigmoid, tanh, exp, log, erf and log1p over contiguous tensors of 1 K to 256 M elements
(fp32, bf16 and fp16; log-uniform, none taken from a check). Its cases feed only the measured neighbours' tables
(trace_fit's --table-cases), never a key's fit: a key's few-term form fitted across every op would average their
costs. The builder drops a case equal to any earlier group's.
"""

from __future__ import annotations

import functools
import random

from hetsim.calibration.gpu_suite.rare_sweep import _log, drawn_specs

MATH_SWEEP = "math-sweep"
SEED = 20261209
DRAWS = 160
MAX_BYTES = 1 << 30  # a case's input and output together
EXPONENTS = (0.7, 1.5, 2.5, -0.3, 0.25, 4.0, 6.0, 7.0)


def _draws(rng: random.Random):
    """(name, builder(m, i, f32) -> (callable, meta inputs)) for each draw: an op and a size."""
    import torch
    import torch.nn.functional as F

    ops = {
        "softplus": F.softplus,
        "mish": F.mish,
        "exponential": lambda t: t.exponential_(),
        "silu": F.silu,
        "gelu": F.gelu,
        "gelu_tanh": lambda t: F.gelu(t, approximate="tanh"),
        "sigmoid": torch.sigmoid,
        "tanh": torch.tanh,
        "exp": torch.exp,
        "log": torch.log,
        "erf": torch.erf,
        "log1p": torch.log1p,
    }
    names = ["pow", "pow", "pow", *sorted(ops)]  # pow's exponents are drawn too

    def draw():
        name = rng.choice(names)
        dt = rng.choice((torch.float32, torch.bfloat16, torch.float16))
        item = torch.empty((), dtype=dt).element_size()
        numel = min(_log(rng, 1024, 1 << 28), MAX_BYTES // (2 * item))
        fn = ops.get(name) or functools.partial(torch.pow, exponent=rng.choice(EXPONENTS))

        def build(m, i, f, numel=numel, dt=dt, fn=fn):
            return fn, (m(numel, dt=dt),)
        return name, build

    return [draw() for _ in range(DRAWS)]


def specs():
    """(group, label, callable, meta inputs, positive), as aten_cases' spec functions yield them."""
    yield from drawn_specs(MATH_SWEEP, _draws, SEED)
