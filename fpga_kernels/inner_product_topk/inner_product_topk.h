// Inner-product relevancy + streaming top-k (SeerAttention-R gate / DSA lightning indexer).
//
// score(key) = sum_h w[h] * f(q[h] . key), f = ReLU when `relu` is set, else identity;
// returns the k best keys (score descending, ties to the lower index).
//
// Keys are dealt round-robin to the PEs (key g to PE g % PES) and each PE has its own HBM port.
// Keys are tiered fastest-first by index: the first BRAM_KEYS keys of the whole
// index live in BRAM, the next URAM_KEYS in URAM, the rest are streamed from HBM. The HBM
// buffers hold every key (the host writes the whole index); mode LOAD copies keys
// [first, first + n) into the on-chip tiers, where they stay between invocations.
//
// HBM layout of port p: local key j (global key j * PES + p) occupies KEY_BEATS beats of
// AXI_WIDTH_BITS starting at beat j * KEY_BEATS; element e sits in beat e / ELEMS_PER_BEAT at
// bit 16 * (e % ELEMS_PER_BEAT), two's complement; padding elements are ignored.
//
// stats[0..2]: keys read from BRAM, URAM, HBM; stats[3..5]: top-k rounds, survivors, inserts.
#ifndef INNER_PRODUCT_TOPK_H
#define INNER_PRODUCT_TOPK_H

#include <ap_int.h>
#include <hls_stream.h>

#include "hls_macros.h"
#include "params.h"
#include "tiers.h"
#include "topk.h"

static const int CHUNKS = (HEAD_DIM + LANES - 1) / LANES;  // PE cycles per key
static const int DIM_PAD = CHUNKS * LANES;
static const int ELEMS_PER_BEAT = AXI_WIDTH_BITS / DATA_BITS;
static const int KEY_BEATS = (HEAD_DIM + ELEMS_PER_BEAT - 1) / ELEMS_PER_BEAT;
// Array depth per PE: PE p holds the keys g = j * PES + p with g below the tier's capacity.
static const int BRAM_PER_PE = (BRAM_KEYS + PES - 1) / PES;
static const int URAM_PER_PE = (BRAM_KEYS + URAM_KEYS + PES - 1) / PES - BRAM_KEYS / PES;
static_assert(KEYS_PORTS == PES, "one HBM port per PE");
static_assert(COMPARE_WIDTH == PES, "the comparator tree takes one candidate per PE");
static_assert(AXI_WIDTH_BITS % DATA_BITS == 0, "a beat holds whole elements");
static_assert(ACC_BITS >= 2 * DATA_BITS, "accumulator narrower than one product");
static_assert(SCORE_BITS <= 64, "scores leave the kernel as int64");

enum { MODE_LOAD = 0, MODE_QUERY = 1 };

typedef ap_int<DATA_BITS> data_t;
typedef ap_int<ACC_BITS> acc_t;
typedef ap_int<SCORE_BITS> score_t;
typedef ap_uint<AXI_WIDTH_BITS> beat_t;

struct chunk_t {  // LANES elements of one key: what a PE consumes per cycle
    data_t v[LANES];
};

#define IPT_KEY_ARG(i, name) const beat_t* name,

extern "C" void inner_product_topk(FOR_EACH_KEYS_PORT(IPT_KEY_ARG) const data_t* query, const data_t* head_w,
                                   index_t* out_idx, score_t* out_score, ap_uint<32>* stats,
                                   ap_uint<32> mode, ap_uint<32> first, ap_uint<32> n_keys, ap_uint<32> k,
                                   ap_uint<32> relu);

#endif  // INNER_PRODUCT_TOPK_H
