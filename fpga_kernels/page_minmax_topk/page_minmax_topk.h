// Page min/max relevancy + streaming top-k (LServe / Quest).
//
// score(page) = sum_h sum_c max(q[h][c] * kmin[c], q[h][c] * kmax[c]): an upper bound of the
// page's attention logits for the query heads of one GQA group; returns the k best pages
// (score descending, ties to the lower page index).
//
// One PE per HBM port (pseudo-channel), each sized to one AXI beat per cycle: a beat holds
// HALF = AXI_WIDTH_BITS / (2 DATA_BITS) channels of kmin and the same channels of kmax, so the
// max of the two products is taken within the beat; PAGE_BEATS cycles per page. Pages are
// dealt round-robin (page g to PE g % PES as its local page g / PES) and tiered as tiers.h says.
//
// HBM layout of port p: local page j occupies PAGE_BEATS beats from beat index_beat + j *
// PAGE_BEATS; in beat b, lane l < HALF holds kmin[b * HALF + l] (int16 at bit 16 l) and lane
// HALF + l holds kmax[b * HALF + l]; channels past HEAD_DIM are ignored (zero query).
// Query buffer (io): row r at beat r * ROW_BEATS: its record (jobs.h), then its query: head h in
// beats h * PAGE_BEATS ..,
// beat b holding q[h][b * HALF + l] in lane l < HALF.
// Outputs: row r's results at out_idx / out_score + r * K_MAX, its stats at stats + r * STATS_WORDS.
#ifndef PAGE_MINMAX_TOPK_H
#define PAGE_MINMAX_TOPK_H

#include <ap_int.h>
#include <hls_stream.h>

#include "hls_macros.h"
#include "job_results.h"
#include "jobs.h"
#include "params.h"
#include "stats_words.h"
#include "tiers.h"
#include "topk_select.h"

static const int LANES = AXI_WIDTH_BITS / DATA_BITS;
static const int HALF = LANES / 2;  // channels per beat
static const int PAGE_BEATS = (HEAD_DIM + HALF - 1) / HALF;
static const int QUERY_BEATS = HEADS * PAGE_BEATS;
static const int REC_BEATS = ROW_REC_BEATS(AXI_WIDTH_BITS);
static const int ROW_BEATS = REC_BEATS + QUERY_BEATS;  // a row's record and query in the query buffer
static const int BRAM_SLOTS = BRAM_PAGES / PES;  // on-chip pages per PE
static const int URAM_SLOTS = URAM_PAGES / PES;

static_assert(PAGES_PORTS == PES, "one HBM port per PE");
static_assert(AXI_WIDTH_BITS % (2 * DATA_BITS) == 0, "a beat holds whole (kmin, kmax) pairs");
static_assert(ACC_BITS >= 2 * DATA_BITS, "accumulator narrower than one product");
static_assert(SCORE_BITS <= 64, "scores leave the kernel as int64");

typedef ap_int<DATA_BITS> data_t;
typedef ap_int<ACC_BITS> acc_t;
typedef ap_int<SCORE_BITS> score_t;
typedef ap_uint<AXI_WIDTH_BITS> beat_t;

extern "C" void page_minmax_topk(FOR_EACH_PAGES_PORT(ITEM_PORT_ARG) volatile unsigned* jobs, const beat_t* query,
                                 index_t* out_idx, score_t* out_score, ap_uint<32>* stats, ap_uint<32> mode,
                                 ap_uint<32> n_jobs);

#endif  // PAGE_MINMAX_TOPK_H
