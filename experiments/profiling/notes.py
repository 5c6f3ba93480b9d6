"""The reading of every disagreement between hetsim's profiling study and the paper. Written after
inspecting the runs (per-op times in the results, the no-launch-gap ablation column); no
constant was changed to move a number."""

DISAGREEMENTS = """\
**Sparse attention at 4K (hetsim 9-15% vs paper 1-11%).** hetsim lowers each step to the ops eager
PyTorch would launch (LServe: 8 memory ops per layer, DSA: 11, SeerAttention-R: 5-6), and without a
calibration profile every GPU op costs at least the assumed 10 us launch gap. At 4K the memory ops
move almost nothing, so their time is that floor: 30 layers x 8 ops x 10 us = 2.4 ms against
~14 ms of weight streaming for Llama-3.1-8B on an MI210. The column "no launch gap" reruns the same
ops with a zero launch gap (an ablation, as fused kernels or HIP/CUDA graphs would run them): the 4K
shares fall to 0.2-2.5%, inside the paper's range. The paper's implementations (vLLM with DeepGEMM /
FlashMLA kernels, TileLang, LServe's fused kernels) are not eager chains of small ops. A measured
MI210 profile (`hetsim calibrate`) decides which of the two hetsim should believe.

**Sparse attention at 1M (hetsim 14-39% vs paper 22-81%).** DSA (39%) and LServe (29%) fall in the
paper's range; SeerAttention-R (14%, 8% without launch gaps) falls below it. hetsim runs the
memory-bound steps at its assumed streaming efficiency (~0.8-0.9 of the MI210's HBM bandwidth for
elementwise, bmm and reduction ops), while the paper observes GPUs under 30% of peak on these
irregular steps. At a third of the bandwidth the relevancy steps would take ~3x longer and the 1M
shares would be ~60% (DSA), ~50% (LServe), ~20% (SeerAttention-R). SeerAttention-R stays low for a
structural reason: its gate scores pooled 64-token blocks, so its index is 1/64 of the keys per KV
head (33 MB per layer at 1M tokens), while DSA's indexer reads a 128-dim key of every token and
writes 64 heads of scores per token (~0.8 GB per layer at 1M). DSA's share is also held down by what
the rest of the model costs: all 61 layers stream the 37B active parameters in bf16 (~77 ms per
token on an MI210, against 44 ms of indexer scoring at 1M), which the paper's single MI210 could
not even hold; it must have profiled a reduced model or the attention path alone, where the share
is far higher.

**Single-stage RAG at 20M documents (hetsim 4-5% vs paper 40-61%).** hetsim's GPU BM25 scans a
10 GB forward index as three streaming eager ops (isin, masked weight, row sum: ~30 GB of traffic)
in 26 ms per query on an MI210; with FS-RAG retrieving before each 32-token sentence, the LLM spends
~0.5 s (Llama-2-7B, 32 decode steps + a re-prefill) per retrieval. The paper's 40-61% needs
0.35-0.8 s per query, i.e. the index read at 13-30 GB/s: a CPU BM25 (the FLARE / DRAGIN code
retrieve with Elasticsearch / Pyserini BM25 on the host) or a scatter-heavy inverted-index kernel
far from roofline, not a bandwidth-bound GPU scan. The inverted-index lowering (`index: inverted`)
is faster still in hetsim (postings of 16 query terms only). Until the retriever is calibrated,
hetsim's RAG shares are a lower bound for a GPU-resident BM25.

**Two-stage RAG (hetsim 3-7% vs paper 40-61%; reranker dominance).** As in the paper, the
cross-encoder (64 candidates x 160 tokens through a BERT-base: ~1.8 TFLOP, 17 ms per retrieval on an
MI210) dominates the memory processing up to ~5M documents, and the share stays flat there
("saturates"). Past that, hetsim's flat first stage (a 20M x 768 bf16 matrix, 31 GB per query) takes
over and the share climbs again; with an IVF or graph index the first stage is sublinear and the
share would stay saturated. The absolute level is low for the same reason as BM25: everything runs
at roofline on the GPU. The paper's 40-61% is likely dominated by a slower retrieval stack.

**MemAgent (hetsim 92% by step, 96-97% by phase vs paper up to 97%).** Agrees. The step share counts
the memory-writing decode's attention as Apply (it runs where the KV cache lives); the phase share
(time in the memory-writing phases) counts it as Prepare, as the paper does, and reaches 96-97%:
each 5000-token chunk costs one prefill (~0.6 s) and 1024 decode steps (~16 ms each).

**Memory as Context and TTT (hetsim 18-32% and 19-28% vs paper "costly even at short contexts").**
Agrees: HMT's memory module runs the whole LLM over half of every segment (Prepare, ~350 FLOP/B),
and LaCT's fast-weight update is dense matmuls over 2048-token chunks (~300 FLOP/B): both are
compute-bound and cost a fixed fraction of the segment prefill from 4K tokens on.

**Arithmetic intensity.** hetsim's Relevancy (1-22), Retrieval (0.1-1), MemAgent, Memory as Context
and RAG Apply agree with the paper's table. Sparse-attention Prepare in *decode* is 0.2-1 FLOP/B in
hetsim (one token's GEMV projections or a running min/max), not the paper's 10-100: the paper's
figure matches Prepare over a *prefilled prompt* (DSA's indexer projections: ~400 FLOP/B; LServe's
page min/max stays ~0.5 as it is pure reductions). Sparse-attention Apply depends on how many query
heads share a key: 4 for GQA (LServe, SeerAttention-R: below the paper's 10-100), 216 for DSA's MLA
with 128 heads on one latent. RAG Prepare is ~0 for BM25 (an idf lookup) and ~30 for an embedding
model, inside the paper's 1-100; the cross-encoder is ~270 FLOP/B, far above the paper's 1-10 for
Relevancy, which describes only the first-stage scan (~1).
"""
