"""The aten sweep's twenty-fifth real-code fit group: `realcode-more25`, the copies the pooled checks' kernel profiles
showed running other kernels than hetsim priced.

Looked at after scoring (realcode-check .. realcode-check21, case-kernels diagnostics):
- copy_ between dense tensors of one layout and dtype is one cudaMemcpyAsync device to device (Copy.cu's
  memcpy_eligible; all 13 such copy_ cases profiled), a memcpy node in a CUDA graph: 0.8 us for 16 KB, where the
  copy kernels' floor said 1.4; a clone of a dense tensor takes the same path;
- Tensor.repeat copies the input viewed expanded over the repeats with the strided kernel (elementwise_kernel<128, 2>
  direct_copy), 2-7x slower than copy_cat's rate priced it;
- torch.flip runs flip_kernel_impl on index_elementwise_kernel, an offset per element, never vectorised.
Each timed here from the launch floor to hundreds of MB, in the dtypes models use.
"""

from __future__ import annotations

REALCODE_MORE25 = "realcode-more25"

# (elements, dtype name) of the dense copies
COPIES = ((256, "float32"), (16384, "bfloat16"), (262144, "float32"), (1 << 20, "uint8"), (1 << 22, "bfloat16"),
          (1 << 22, "int64"), (1 << 24, "float32"), (1 << 26, "bfloat16"), (1 << 20, "float16"), (3 << 20, "float32"))
# (shape, repeats, dtype name)
REPEATS = (((256, 256), (4, 4), "float32"), ((1, 64, 16, 16), (1, 1, 8, 8), "bfloat16"), ((4096,), (64,), "int64"),
           ((8, 128), (128, 1), "float32"), ((512, 1024), (1, 3), "bfloat16"), ((1, 4096, 128), (16, 1, 1), "float16"),
           ((2048, 1, 64), (1, 32, 1), "float32"), ((96,), (4096,), "float32"))
# (shape, dims, dtype name)
FLIPS = (((1 << 20,), (0,), "float32"), ((64, 1024, 1024), (-1,), "bfloat16"), ((16, 3, 224, 224), (2, 3), "float32"),
         ((8, 4096, 128), (1,), "float16"), ((4, 256), (0, 1), "float32"), ((2, 64, 8192), (-1,), "int64"))


def _more25():
    import torch

    from hetsim.calibration.gpu_suite.aten_cases import _meta_makers

    m, _ = _meta_makers()

    def t(shape, name):
        return m(*shape, dt=getattr(torch, name))

    out = []
    for n, dt in COPIES:
        out.append(("copy_", lambda dst, src: dst.copy_(src), (t((n,), dt), t((n,), dt))))
    for shape, dt in (((4096, 4096), "bfloat16"), ((64, 1000), "float32"), ((8, 32, 2048, 64), "float16")):
        out.append(("clone", lambda x: x.clone(), (t(shape, dt),)))
    for shape, reps, dt in REPEATS:
        out.append(("repeat", lambda x, r=reps: x.repeat(*r), (t(shape, dt),)))
    for shape, dims, dt in FLIPS:
        out.append(("flip", lambda x, d=dims: torch.flip(x, d), (t(shape, dt),)))
    return out


def specs():
    """(group, label, callable, meta inputs, positive) of the group, as aten_cases' spec functions yield them."""
    from hetsim.calibration.gpu_suite.aten_cases import _labelled

    yield from _labelled(((REALCODE_MORE25, _more25()),))
