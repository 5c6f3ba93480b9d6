"""The aten sweep's twenty-sixth real-code fit group: `realcode-more26`, copies out of expanded views in every dtype,
and the small index, integer-division and int64-cast kernels, across the sizes the pooled checks ran them at.

Looked at after scoring (realcode-check .. realcode-check21): copy_expand had been fitted on four clones of a model's
expanded K/V heads (bf16, 16-134 MB), so the checks' expanded clones of bool masks and int8 codes ran 2x slower than
its bytes' rate said (the strided kernel's cost is its elements, ~1 byte each there) and their small clones 1.4x
faster than its floor; a few-element gather, floor division or int64 cast ran ~1.5 us where the keys' floors, fitted
on larger cases, said 2. Each timed here from a few elements to hundreds of MB, in bool, int8, bf16, fp32 and int64.
"""

from __future__ import annotations

REALCODE_MORE26 = "realcode-more26"

# (shape of the stored tensor, the dim expanded (inserted before it), its size, dtype name)
EXPANDS = (((64, 1024), 1, 16, "bool"), ((16, 2048, 64), 2, 8, "int8"), ((8, 256, 128), 1, 4, "bfloat16"),
           ((4, 64, 64), 0, 32, "float32"), ((2048,), 0, 4096, "bool"), ((32, 16, 1, 64), 2, 512, "float32"),
           ((1, 8, 512, 128), 2, 4, "bfloat16"), ((1, 128), 0, 64, "int64"), ((16, 64), 1, 3, "float32"),
           ((4, 8, 2048, 256), 2, 2, "float16"), ((128, 4096), 1, 32, "int8"), ((8, 8), 0, 8, "bfloat16"),
           ((1024, 512), 1, 96, "bool"), ((512, 64, 32), 1, 16, "float32"))
# (shape of the source, index width on the last dim, dtype name) of torch.gather over the last dim
GATHERS = (((8, 64), 8, "int64"), ((64, 512), 16, "float32"), ((4, 1000), 1000, "int64"), ((2, 30000), 1, "float32"),
           ((256, 256), 32, "bfloat16"), ((16, 4096), 512, "int64"), ((1024, 2048), 4, "float32"))
INT_DIVS = (16, 256, 4096, 65536, 1 << 20, 1 << 23)  # int64 elements floor-divided and taken modulo


def _more26():
    import torch

    from hetsim.calibration.gpu_suite.aten_cases import _meta_makers

    m, i = _meta_makers()

    def t(shape, name):
        return m(*shape, dt=getattr(torch, name))

    out = []
    for shape, dim, n, dt in EXPANDS:
        def expanded_clone(x, dim=dim, n=n):
            view = x.unsqueeze(dim)
            sizes = list(view.shape)
            sizes[dim] = n
            return view.expand(*sizes).contiguous()

        out.append(("expand_clone", expanded_clone, (t(shape, dt),)))
    for shape, k, dt in GATHERS:
        out.append(("gather_last", lambda x, idx: torch.gather(x, -1, idx), (t(shape, dt), i(shape[0], k))))
    for n in INT_DIVS:
        out.append(("floor_divide", lambda x: torch.div(x, 7, rounding_mode="floor"), (i(n),)))
        out.append(("remainder", lambda x: x % 5, (i(n),)))
        out.append(("to_int64", lambda x: x.long(), (t((n,), "int32"),)))
        out.append(("mask_to_int64", lambda x: x.to(torch.int64), (t((n,), "bool"),)))
    # int64 casts of expanded views (a position or mask broadcast over heads before a cast)
    for shape, n in (((1, 2048, 1), 32), ((1, 8, 512), 64), ((1, 4096), 16)):
        out.append(("expanded_to_int64", lambda x, n=n: x.expand(n, *x.shape[1:]).to(torch.int64),
                    (t(shape, "int32"),)))
    return out


def specs():
    """(group, label, callable, meta inputs, positive) of the group, as aten_cases' spec functions yield them."""
    from hetsim.calibration.gpu_suite.aten_cases import _labelled

    yield from _labelled(((REALCODE_MORE26, _more26()),))
