// Page min/max relevancy + streaming top-k (LServe / Quest).
//
// score(page) = sum_h sum_c max(q[h][c] * kmin[c], q[h][c] * kmax[c]): an upper bound of the
// page's attention logits for the query heads of one GQA group; returns the k best pages
// (score descending, ties to the lower page index).
//
// Pages are dealt round-robin to the PEs (page g to PE g % PES), each PE with its own HBM port,
// and tiered fastest-first by index: pages below BRAM_PAGES in BRAM, the next URAM_PAGES in
// URAM, the rest streamed from HBM. The HBM buffers hold every page; mode LOAD copies pages
// [first, first + n) into the on-chip tiers, where they stay between invocations.
//
// HBM layout of port p: local page j (global page j * PES + p) occupies PAGE_BEATS beats from
// beat j * PAGE_BEATS: elements 0..HEAD_DIM-1 are kmin, HEAD_DIM..2*HEAD_DIM-1 kmax (int16,
// element e in beat e / ELEMS_PER_BEAT at bit 16 * (e % ELEMS_PER_BEAT)).
//
// stats[0..2]: pages read from BRAM, URAM, HBM; stats[3..5]: top-k rounds, survivors, inserts.
#ifndef PAGE_MINMAX_TOPK_H
#define PAGE_MINMAX_TOPK_H

#include <ap_int.h>
#include <hls_stream.h>

#include "hls_macros.h"
#include "params.h"
#include "tiers.h"
#include "topk.h"

static const int CHUNKS = (HEAD_DIM + LANES - 1) / LANES;  // PE cycles per page
static const int DIM_PAD = CHUNKS * LANES;
static const int ELEMS_PER_BEAT = AXI_WIDTH_BITS / DATA_BITS;
static const int PAGE_BEATS = (2 * HEAD_DIM + ELEMS_PER_BEAT - 1) / ELEMS_PER_BEAT;
// Array depth per PE: PE p holds the pages g = j * PES + p with g below the tier's capacity.
static const int BRAM_PER_PE = (BRAM_PAGES + PES - 1) / PES;
static const int URAM_PER_PE = (BRAM_PAGES + URAM_PAGES + PES - 1) / PES - BRAM_PAGES / PES;

static_assert(PAGES_PORTS == PES, "one HBM port per PE");
static_assert(COMPARE_WIDTH == PES, "the comparator tree takes one candidate per PE");
static_assert(AXI_WIDTH_BITS % DATA_BITS == 0, "a beat holds whole elements");
static_assert(ACC_BITS >= 2 * DATA_BITS, "accumulator narrower than one product");
static_assert(SCORE_BITS <= 64, "scores leave the kernel as int64");

enum { MODE_LOAD = 0, MODE_QUERY = 1 };

typedef ap_int<DATA_BITS> data_t;
typedef ap_int<ACC_BITS> acc_t;
typedef ap_int<SCORE_BITS> score_t;
typedef ap_uint<AXI_WIDTH_BITS> beat_t;

struct chunk_t {  // LANES channels of one page's bounds: what a PE consumes per cycle
    data_t lo[LANES];
    data_t hi[LANES];
};

#define PMT_PAGE_ARG(i, name) const beat_t* name,

extern "C" void page_minmax_topk(FOR_EACH_PAGES_PORT(PMT_PAGE_ARG) const data_t* query, index_t* out_idx,
                                 score_t* out_score, ap_uint<32>* stats, ap_uint<32> mode, ap_uint<32> first,
                                 ap_uint<32> n_pages, ap_uint<32> k);

#endif  // PAGE_MINMAX_TOPK_H
