"""The twelfth real-code fit group (realcode-more12, in realcode_twentyfirst): the kernels realcode-check14's tail ran
(SDPA through float masks per head, cuDNN over odd and wide heads, casts of a packed weight's parts, an expert's
index_add_, log-softmax over vocabularies, top-k of large k, LoRA's expand, GroupNorm of few blocks, a few embedding
ids); its structure."""

from __future__ import annotations

from collections import Counter

from hetsim.calibration.paths import REPO_ROOT

MORE12 = "realcode-more12"
IDS = REPO_ROOT / "experiments" / "kernel_dispatch" / "more12_ids.txt"


def test_every_case_names_its_group_and_the_group_spans_regimes(assert_names_its_group):
    assert_names_its_group(MORE12, regimes=10)


def test_the_twelfth_fit_group_shares_no_case_with_any_other_group(assert_disjoint):
    assert_disjoint(MORE12, range(60, 71))


def test_the_twelfth_fit_group_is_appended_after_the_fourteenth_check_as_one_block(committed_cases):
    from hetsim.calibration.gpu_suite import realcode_twentieth, realcode_twentyfirst
    from hetsim.calibration.gpu_suite.aten_cases import realcode_pairs

    cases = committed_cases
    mine = [i for i, c in enumerate(cases) if c.get("group") == MORE12]
    earlier = [i for i, c in enumerate(cases) if c.get("group") == realcode_twentieth.REALCODE_CHECK14]
    # after every earlier case (realcode-check14, ids 3230-3391, included), one block (its ids as timed: 3392-3457);
    # the sweep's id list names exactly its cases
    assert earlier[-1] == 3391 and mine == list(range(3392, 3458))
    assert [int(n) for n in IDS.read_text().strip().split(",")] == mine
    order = [groups for groups, _ in realcode_pairs()]
    at = order.index((MORE12,))
    assert realcode_pairs()[at] == ((MORE12,), realcode_twentyfirst.specs)
    assert order[at - 1] == (realcode_twentieth.REALCODE_CHECK14,)


def test_the_group_covers_the_tails_kernels(committed_cases):
    cases = [c for c in committed_cases if c.get("group") == MORE12]
    atens = Counter(c["aten"] for c in cases)
    assert atens["scaled_dot_product_attention"] >= 20
    assert atens["aten._to_copy.default"] >= 12 and atens["aten.index_add_.default"] >= 4
    assert atens["aten.topk.default"] >= 4 and atens["aten.native_group_norm.default"] >= 4
    sdpa = [c["spec"] for c in cases if c["kind"] == "sdpa"]
    # float masks per head (3-D and 4-D), shared by the heads and per row; heads of 80 to 256
    masks = [tuple(s["attn_mask"][0]) for s in sdpa if s["attn_mask"]]
    assert any(len(shape) == 3 for shape in masks) and any(len(shape) == 4 and shape[1] > 1 for shape in masks)
    assert any(shape[:2] == (1, 1) for shape in masks)
    assert {s["query"][0][-1] for s in sdpa} >= {80, 96, 160, 192, 256}


def test_the_group_traces_on_the_meta_device():
    from hetsim.calibration.gpu_suite import realcode_twentyfirst
    from hetsim.tracing.fake import trace_callable

    specs = list(realcode_twentyfirst.specs())
    assert {group for group, *_ in specs} == {MORE12}
    assert len({label for _, label, *_ in specs}) == len(specs)
    for _, label, fn, args, _ in specs:
        assert trace_callable(fn, *args).ops, label


def test_casts_copy_does_not_vectorise_run_the_dynamic_casting_kernel():
    from hetsim.stacks import aten
    from hetsim.tracing.trace import AtenOp, TensorMeta

    def regime(src, dst):
        (op,) = aten.lower_op(AtenOp("aten._to_copy.default", (TensorMeta.dense((1 << 20,), src),),
                                     (TensorMeta.dense((1 << 20,), dst),), {"dtype": dst}))
        return op.regime

    # profiled (realcode-more12): int8 -> bf16 and fp16 -> bf16 ran the unrolled kernel at ~0.39 G elements a ms,
    # fp32 -> bf16 the vectorised one at ~0.7 (4.3 TB/s)
    assert regime("int8", "bfloat16") == regime("uint8", "float16") == regime("float16", "bfloat16") == "cast_unrolled"
    assert regime("float32", "bfloat16") == "cast" and regime("bfloat16", "float32") == "cast_fp32"
    assert regime("uint8", "int8") == regime("int32", "int8") == "cast_int"  # between integers: their own key
    assert regime("bool", "float16") == "cast_bool" and regime("int8", "int64") == "cast_int64"


def test_the_small_index_kernels_are_timed_per_index():
    from hetsim.calibration.predict import gpu_model
    from hetsim.hardware.gpu import rate_key, rate_keys, wave_shape
    from hetsim.stacks import aten
    from hetsim.tracing.trace import AtenOp, TensorMeta

    model = gpu_model("H200")

    def index_add(rows):
        buf, src = TensorMeta.dense((4096, 4096)), TensorMeta.dense((rows, 4096))
        (op,) = aten.lower_op(AtenOp("aten.index_add_.default", (buf, TensorMeta.dense((rows,), "int64"), src),
                                     (buf,), {"dim": 0}))
        return op

    # <= 16 source rows: indexFuncSmallIndex walks them (profiled: 1, 4, 16 rows took 1.8, 3.2, 9.1 us); more: the
    # large-index kernel's element rate
    few, many = index_add(16), index_add(64)
    assert rate_keys(few)[:2] == ("index_add_few", "index_add") and rate_keys(many)[0] == "index_add"
    assert wave_shape(few) == (1.0, 16.0) and wave_shape(many) == (1.0, 0.0)
    assert rate_key(few, model.rates) == "index_add_few"
    r = model.rates["index_add_few"]
    assert model.device_time_s(few) == r.overhead_s + 16 * r.item_s
    assert model.device_time_s(index_add(4)) < model.device_time_s(few)
    # nn.Embedding's lookup of <= 16 ids is index_select's small-index walk too
    (emb,) = aten.lower_op(AtenOp("aten.embedding.default", (TensorMeta.dense((4096, 1024)),
                                                              TensorMeta.dense((16,), "int64")),
                                  (TensorMeta.dense((16, 1024)),), {}))
    assert rate_keys(emb)[0] == "embedding_few" and wave_shape(emb) == (1.0, 16.0)


def test_cudnn_wide_heads_take_their_own_key_only_through_a_mask():
    from hetsim.hardware.gpu import rate_keys
    from hetsim.ops import SdpaAttention

    def call(head, mask):
        return SdpaAttention(1, 16, 16, 2048, 2048, head, causal=not mask, backend="cudnn",
                             mask_bytes=2048 * 2048 if mask else 0)

    # profiled (realcode-more12): unmasked heads of 160-256 run the 64x128x192 / x256 kernels at the narrow pace a
    # head step (1 x 16 x 2048 x 256 plain: 101 us); through a mask ~3x slower (realcode-more8)
    assert rate_keys(call(256, False))[0] == "attention_cudnn_prefill"
    assert rate_keys(call(256, True))[0] == "attention_cudnn_wide"
    assert rate_keys(call(128, True))[0] == "attention_masked_prefill"


def test_the_memory_efficient_kernel_works_at_its_padded_head():
    from hetsim.hardware import launch
    from hetsim.hardware.gpu import compute_work
    from hetsim.ops import SdpaAttention

    def call(head):
        return SdpaAttention(1, 16, 16, 2048, 2048, head, backend="efficient", mask_bytes=2048 * 2048 * 2)

    # heads of 80 run the 64x128 kernel: the work of a 128 head (profiled: ~75 TFLOP/s of their own flops where
    # heads of 128 ran ~115); each key tile's fixed share beside
    fixed = launch.SDPA_KV_TILE_FIXED_STEPS * launch.SDPA_HEAD_STEP
    assert compute_work(call(80)) == call(80).flops * (128 + fixed) / 80
    assert compute_work(call(128)) == call(128).flops * (128 + fixed) / 128
    assert compute_work(call(64)) == call(64).flops * (64 + fixed) / 64
    assert compute_work(call(384)) == call(384).flops * (384 + fixed) / 384
