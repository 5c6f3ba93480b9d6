// Product-quantised lookup-table indexer + top-k (the paper's DSA lightning indexer, LUT variant).
//
// A key is SUBSPACES codes (one CODE_BITS byte each: the nearest of CODEBOOK centroids of its
// sub-vector). Per job the host (or GPU) writes a table T[h][m][c] of LUT_BITS signed entries,
// the dot product of head h's query sub-vector m with centroid c (or, with the query quantised
// too, the precomputed product of its centroid with c), and HEADS head weights. Then
//   score(key) = sum_h w[h] * f(sum_m T[h][m][code_m(key)]),  f = ReLU when flags bit 0 is set,
// and the k best keys leave (radix select for K_MAX > 256: the set, ordered (index % streams,
// index / streams); systolic queues otherwise: best first, ties to the lower index).
//
// No multiplier per element: a PE looks up HEADS x SUBSPACES table entries per key (LUTRAM, one
// table copy per key lane) and adds them; only the head weighting uses DSPs (HEADS per lane).
//
// One PE per HBM port, one 512-bit beat per cycle = KPB keys (KPB score streams per PE, so the
// top-k takes KPB candidates a cycle per PE). Key g lives in stream s = g % STREAMS (STREAMS =
// PES x KPB): PE s / KPB, lane s % KPB, beat g / STREAMS of that PE's region, i.e. beat j of
// port p holds keys j * STREAMS + p * KPB + l, l < KPB; code m of lane l at bit
// CODE_BITS * (l * SUBSPACES + m). Keys past n in the last beat are padding and never scored.
// Query buffer (io): row r at beat r * ROW_BEATS: its record (jobs.h), then its table: row
// (h, m) = CODEBOOK entries at
// linear entry (h * SUBSPACES + m) * CODEBOOK + c, entry e in beat e / EPB at bit LUT_BITS *
// (e % EPB); then one beat of head weights (int16, weight h at bit 16 h).
// Everything streams from HBM (no on-chip tier: a 128K-token layer is 2 MB of codes); mode LOAD
// does nothing.
#ifndef PQ_LUT_TOPK_H
#define PQ_LUT_TOPK_H

#include <ap_int.h>
#include <hls_stream.h>

#include "hls_macros.h"
#include "job_results.h"
#include "jobs.h"
#include "params.h"
#include "stats_words.h"
#include "tiers.h"
#include "topk_select.h"

static const int KEY_BITS = SUBSPACES * CODE_BITS;
static const int KPB = AXI_WIDTH_BITS / KEY_BITS;  // keys per beat = score streams per PE
static const int STREAMS = PES * KPB;              // top-k input streams
static const int EPB = AXI_WIDTH_BITS / LUT_BITS;  // table entries per beat
static const int ROWS = HEADS * SUBSPACES;         // table rows (h, m) of CODEBOOK entries
static const int TABLE_BEATS = (ROWS * CODEBOOK + EPB - 1) / EPB;
static const int QUERY_BEATS = TABLE_BEATS + 1;
static const int REC_BEATS = ROW_REC_BEATS(AXI_WIDTH_BITS);
static const int ROW_BEATS = REC_BEATS + QUERY_BEATS;  // a row's record and query in the query buffer

static_assert(CODES_PORTS == PES, "one HBM port per PE");
static_assert(AXI_WIDTH_BITS % KEY_BITS == 0, "a beat holds whole keys");
static_assert(AXI_WIDTH_BITS % LUT_BITS == 0, "a beat holds whole table entries");
static_assert(EPB % CODEBOOK == 0, "a beat holds whole table rows");
static_assert((1 << CODE_BITS) >= CODEBOOK, "a code indexes the codebook");
static_assert(HEADS * WEIGHT_BITS <= AXI_WIDTH_BITS, "the head weights fit one beat");
static_assert(SCORE_BITS <= 64, "scores leave the kernel as int64");

static const int SUM_BITS = LUT_BITS + 8;  // sum of up to 256 entries of one head
typedef ap_int<LUT_BITS> lut_t;
typedef ap_uint<CODE_BITS> code_t;
typedef ap_int<SUM_BITS> sum_t;
typedef ap_int<WEIGHT_BITS> weight_t;
typedef ap_int<SCORE_BITS> score_t;
typedef ap_uint<AXI_WIDTH_BITS> beat_t;

extern "C" void pq_lut_topk(FOR_EACH_CODES_PORT(ITEM_PORT_ARG) volatile unsigned* jobs, const beat_t* query,
                            index_t* out_idx, score_t* out_score, ap_uint<32>* stats, ap_uint<32> mode,
                            ap_uint<32> n_jobs);

#endif  // PQ_LUT_TOPK_H
