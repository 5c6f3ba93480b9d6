"""The aten sweep's strided-cat group: `cat-sweep`, torch.cat of strided inputs on ATen's batched kernel, one input
holding most of the bytes or the inputs alike, along a row dim and along the last dim.

The `cat_strided` key was fitted on ten cases, two of which had one input holding most of the bytes. The checks ran
dozens of those (StreamingLLM's sinks before its window of a cache, a cache's slice before the new token, a score
matrix with a broadcast column appended): 46 of them over 20 us ran a median -19 % under the key, 18 beyond -25 %,
while cats of alike inputs held (-1 %). The batched kernel gives each input 2 x SMs blocks (Shape.cu's getCatGrid), so
one input holding the bytes runs on half the GPU's threads, and the strided kernel, an offset a dim an element, is
bound by its threads more than a vectorised copy is. This group draws, in bf16, fp16 and fp32, from 1 MB to 512 MB:
- a cat along dim 2 of [batch, heads, seq, dim] caches: a slice of a longer buffer (strided) with one to a few dozen
  rows of another, two or three inputs (the dominated form), or two slices alike (the balanced one);
- a cat along the last dim of a strided [batch, heads, rows, cols] and an expanded column (dominated), or of two
  strided halves (rotate_half's, balanced);
sizes log-uniform (none taken from a check). Fit data for the dominated form's own key beside `cat_strided`. The
builder drops a case equal to any earlier group's.
"""

from __future__ import annotations

import random

from hetsim.calibration.gpu_suite.rare_sweep import _log, drawn_specs

CAT_SWEEP = "cat-sweep"
SEED = 20261213
DRAWS = 96
MAX_BYTES = 1 << 29  # the output


def _draws(rng: random.Random):
    """(name, builder(m, i, f32) -> (callable, meta inputs)) for each draw: a form, a shape and a dtype."""
    import torch

    def fit(shape, item, axis):
        """`shape` with its `axis` halved until the output fits MAX_BYTES."""
        shape = list(shape)
        while shape[axis] > 2 and item * shape[0] * shape[1] * shape[2] * shape[3] > MAX_BYTES:
            shape[axis] //= 2
        return tuple(shape)

    def draw(k):
        dt = (torch.bfloat16, torch.float32, torch.float16)[k % 3]
        item = torch.empty((), dtype=dt).element_size()
        form = ("rows_dominated", "rows_dominated", "rows_balanced", "last_dominated", "last_balanced")[k % 5]
        batch, heads = _log(rng, 1, 64), _log(rng, 1, 64)
        if form.startswith("rows"):
            dim = rng.choice((64, 128, 128, 256))
            b, h, seq, _ = fit((batch, heads, _log(rng, 256, 32768), dim), item, 2)
            extra = _log(rng, 16, 1024)  # the buffer's rows beyond the slice: a strided view of it
            if form == "rows_dominated":
                few = [_log(rng, 1, 64) for _ in range(rng.choice((1, 2)))]

                def build(m, i, f, b=b, h=h, seq=seq, dim=dim, extra=extra, few=few, dt=dt):
                    def cat(buf, *small):
                        return torch.cat((*small[:1], buf[:, :, extra:], *small[1:]), dim=2)
                    return cat, (m(b, h, seq + extra, dim, dt=dt), *(m(b, h, n, dim, dt=dt) for n in few))
            else:
                def build(m, i, f, b=b, h=h, seq=seq, dim=dim, extra=extra, dt=dt):
                    return (lambda x, y: torch.cat((x[:, :, extra:], y[:, :, extra:]), dim=2),
                            (m(b, h, seq // 2 + extra, dim, dt=dt), m(b, h, seq // 2 + extra, dim, dt=dt)))
        else:
            rows = _log(rng, 64, 8192)
            b, h, rows, cols = fit((batch, heads, rows, _log(rng, 64, 8192)), item, 3)
            cols = max(cols - cols % 2, 2)
            if form == "last_dominated":
                def build(m, i, f, b=b, h=h, rows=rows, cols=cols, dt=dt):
                    def cat(x, col):
                        return torch.cat((x[..., 1:], col.expand(b, h, rows, 1)), dim=-1)
                    return cat, (m(b, h, rows, cols + 1, dt=dt), m(b, h, 1, 1, dt=dt))
            else:
                def build(m, i, f, b=b, h=h, rows=rows, cols=cols, dt=dt):
                    def rotate_half(x):
                        return torch.cat((-x[..., cols // 2:], x[..., : cols // 2]), dim=-1)
                    return rotate_half, (m(b, h, rows, cols, dt=dt),)
        return f"cat_{form}", build

    return [draw(k) for k in range(DRAWS)]


def specs():
    """(group, label, callable, meta inputs, positive), as aten_cases' spec functions yield them."""
    yield from drawn_specs(CAT_SWEEP, _draws, SEED)
