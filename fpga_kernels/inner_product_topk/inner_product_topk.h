// Inner-product relevancy + streaming top-k (SeerAttention-R gate / DSA lightning indexer).
//
// score(key) = sum_h w[h] * f(q[h] . key), f = ReLU when the job's flags bit 0 is set, else
// identity; returns the k best keys (score descending, ties to the lower index).
//
// One PE per HBM port (pseudo-channel), each sized to one AXI beat per cycle: LANES =
// AXI_WIDTH_BITS / DATA_BITS elements of every head per cycle, KEY_BEATS cycles per key. Keys
// are dealt round-robin (key g to PE g % PES as its local key g / PES) and tiered as tiers.h
// says: on-chip slots (BRAM, then URAM) filled by mode LOAD, then the PE's HBM region.
//
// HBM layout of port p: local key j occupies KEY_BEATS beats from beat index_beat + j *
// KEY_BEATS; element e sits in beat e / LANES at bit DATA_BITS * (e % LANES), two's complement;
// padding elements are ignored (their query lanes are zero).
// Query buffer (io): row r at beat r * ROW_BEATS: its record (jobs.h), then its query: head h in
// beats h * KEY_BEATS .., laid out as a key; then one beat of head weights (int16, weight h at bit 16 h).
// Outputs: row r's results at out_idx / out_score + r * K_MAX, its stats at stats + r * STATS_WORDS.
//
// stats: see stats_words.h (items per tier, top-k counters, loop trip counts).
#ifndef INNER_PRODUCT_TOPK_H
#define INNER_PRODUCT_TOPK_H

#include <ap_int.h>
#include <hls_stream.h>

#include "hls_macros.h"
#include "job_results.h"
#include "jobs.h"
#include "params.h"
#include "stats_words.h"
#include "tiers.h"
#include "topk_select.h"

static const int LANES = AXI_WIDTH_BITS / DATA_BITS;  // elements per beat = per PE cycle
static const int KEY_BEATS = (HEAD_DIM + LANES - 1) / LANES;
static const int QUERY_BEATS = HEADS * KEY_BEATS + 1;
static const int REC_BEATS = ROW_REC_BEATS(AXI_WIDTH_BITS);
static const int ROW_BEATS = REC_BEATS + QUERY_BEATS;  // a row's record and query in the query buffer
static const int BRAM_SLOTS = BRAM_KEYS / PES;  // on-chip keys per PE
static const int URAM_SLOTS = URAM_KEYS / PES;

static_assert(KEYS_PORTS == PES, "one HBM port per PE");
static_assert(AXI_WIDTH_BITS % DATA_BITS == 0, "a beat holds whole elements");
static_assert(HEADS * WEIGHT_BITS <= AXI_WIDTH_BITS, "the head weights fit one beat");
static_assert(ACC_BITS >= 2 * DATA_BITS, "accumulator narrower than one product");
static_assert(SCORE_BITS <= 64, "scores leave the kernel as int64");

typedef ap_int<DATA_BITS> data_t;
typedef ap_int<WEIGHT_BITS> weight_t;
typedef ap_int<ACC_BITS> acc_t;
typedef ap_int<SCORE_BITS> score_t;
typedef ap_uint<AXI_WIDTH_BITS> beat_t;

extern "C" void inner_product_topk(FOR_EACH_KEYS_PORT(ITEM_PORT_ARG) volatile unsigned* jobs, const beat_t* query,
                                   index_t* out_idx, score_t* out_score, ap_uint<32>* stats, ap_uint<32> mode,
                                   ap_uint<32> n_jobs);

#endif  // INNER_PRODUCT_TOPK_H
