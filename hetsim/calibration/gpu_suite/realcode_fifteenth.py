"""The aten sweep's ninth real-code fit group: `realcode-more9`, kernels the eleventh check's tail ran.

The eleventh check (realcode-check11), scored once blind, then looked at, priced these with no case of their own:

- a language-model head over an odd vocabulary (Granite's 49155, GPT-2's 50257) at decode rows: cuBLAS's 2-byte
  aligned kernels stream the weight far below the HBM's rate;
- integer shifts and masks (NF4 / GPTQ unpacking: `w >> 4`, `w & 15`) that the mapping did not know;
- integer and float division with rounding (`//`, `%`: a box's class and its query from a flat top-k index);
- `ones_like` / `zeros_like` / `full_like` of another dtype (a mask built beside bf16 scores), which write and read
  nothing;
- `masked_scatter` (LLaVA's image features into the prompt's embeddings).

Fitted, never validated against (the builder drops a case equal to any earlier group's, so the checks stay apart).
"""

from __future__ import annotations

REALCODE_MORE9 = "realcode-more9"


def _more9():
    import torch

    from hetsim.calibration.gpu_suite.aten_cases import _layer_makers, _meta_makers

    m, i = _meta_makers()
    linear = _layer_makers(1e-6)[0]
    bf, f16, f32, u8, i32, b8 = torch.bfloat16, torch.float16, torch.float32, torch.uint8, torch.int32, torch.bool

    def ints(*shape, dt=u8):
        return torch.empty(*shape, dtype=dt, device="meta")

    out = []
    # lm heads over odd vocabularies: decode rows and a prefill's last rows
    out += [("odd_vocab_head", linear, (m(rows, k, dt=dt), m(n, k, dt=dt)))
            for rows, n, k, dt in ((2, 50257, 768, f16), (8, 50257, 1024, f16), (32, 49155, 2048, bf),
                                   (4, 32001, 4096, bf), (64, 32001, 4096, bf), (16, 100277, 4096, bf),
                                   (1, 49155, 2048, bf), (128, 50257, 768, f16))]
    # integer unpacking: shifts and masks over packed weights
    out += [("unpack_shift", lambda w: w >> 4, (ints(n),)) for n in (1 << 20, 1 << 24, 3 << 25)]
    out += [("unpack_mask", lambda w: w & 15, (ints(n),)) for n in (1 << 22, 3 << 24)]
    out += [("unpack_shift_int32", lambda w: (w >> 8) & 255, (ints(4096, 1024, dt=i32),))]
    # division with rounding: flat top-k indices back to (query, class), a position's bucket
    out += [("floor_div", lambda x: x // 80, (i(*s),)) for s in ((16, 300), (64, 4096), (8, 1 << 20))]
    out += [("remainder", lambda x: x % 80, (i(*s),)) for s in ((64, 4096), (8, 1 << 20))]
    out += [("floor_div_float", lambda x: torch.floor_divide(x, 7.0), (m(*s, dt=f32),)) for s in ((4096, 4096),)]
    # factory-like ops of another dtype: a write of the output alone
    out += [("ones_like_bool", lambda x: torch.ones_like(x, dtype=b8), (m(*s),)) for s in ((1, 1, 4096, 4096),
                                                                                          (8, 1, 1024, 1024))]
    out += [("zeros_like_fp32", lambda x: torch.zeros_like(x, dtype=f32), (m(*s),)) for s in ((32, 4096, 1024),)]
    out += [("full_like", lambda x: torch.full_like(x, -1e4), (m(*s, dt=f16),)) for s in ((16, 2048, 2048),)]
    # masked_scatter: features into the rows a mask marks (as many feature rows as tokens: the replay's random mask
    # may mark most of them)
    out += [("merge_features", lambda e, mask, f: e.masked_scatter(mask.unsqueeze(-1).expand_as(e), f),
             (m(1, t, h, dt=f16), torch.empty(1, t, dtype=b8, device="meta"), m(n, h, dt=f16)))
            for t, h, n in ((1200, 4096, 1200), (4000, 3584, 4000))]
    return out


def specs():
    """(group, label, callable, meta inputs, positive), as aten_cases' spec functions yield them."""
    from hetsim.calibration.gpu_suite.aten_cases import _labelled

    yield from _labelled(((REALCODE_MORE9, _more9()),))
