// BM25 over a forward document-term index + streaming top-k.
//
// score(d) = sum over slots (t, w) of d with t in the query: idf[t] * w, where the host built
// the index with w = tf (k1 + 1) / (tf + K_d), K_d = k1 (1 - b + b dl_d / avgdl) (exact fixed
// point, all divisions floor; the numpy reference uses the same formulas):
//   K_q16 = k1_q8 ((256 - b_q8) avgdl_q8 + b_q8 dl 256) / avgdl_q8
//   w_q14 = (tf (k1_q8 + 256)) 2^22 / (tf 2^16 + K_q16)
//   score = sum idf_q12 * w_q14   (Q26)
// So no divider sits in the kernel (avgdl and the document lengths are the index's). Returns
// the k best documents (score descending, ties to the lower document index).
//
// One core per HBM port (pseudo-channel), each one flat loop over beats at II=1 (LANES slots
// a cycle). Documents are dealt round-robin (doc d to core d % CORES as its local doc d / CORES).
// HBM layout of port c: local doc j occupies DOC_BEATS beats from beat index_beat + j *
// DOC_BEATS; slot s is the 32-bit word s of the record: term in bits 0..15, weight in bits
// 16..31; weight 0 marks an empty slot; words past DOC_SLOTS are ignored.
// Query buffer (io): row r at beat r * ROW_BEATS: its record (jobs.h), then its query:
// QUERY_TERMS_MAX words (term | idf << 16),
// idf 0 for unused entries; a repeated term counts once (its first entry).
// There is no on-chip tier: mode LOAD does nothing; stats[ST_HBM] counts the documents.
#ifndef BM25_TOPK_H
#define BM25_TOPK_H

#include <ap_int.h>
#include <hls_stream.h>

#include "hls_macros.h"
#include "job_results.h"
#include "jobs.h"
#include "params.h"
#include "stats_words.h"
#include "tiers.h"
#include "topk_select.h"

static const int SLOT_BITS = TERM_BITS + WEIGHT_BITS;
static const int LANES = AXI_WIDTH_BITS / SLOT_BITS;  // slots per beat = per core cycle
static const int DOC_BEATS = (DOC_SLOTS + LANES - 1) / LANES;
static const int QUERY_BEATS = (QUERY_TERMS_MAX * SLOT_BITS + AXI_WIDTH_BITS - 1) / AXI_WIDTH_BITS;
static const int REC_BEATS = ROW_REC_BEATS(AXI_WIDTH_BITS);
static const int ROW_BEATS = REC_BEATS + QUERY_BEATS;  // a row's record and query in the query buffer

static_assert(AXI_WIDTH_BITS % SLOT_BITS == 0, "a lane takes one slot of each beat");
static_assert(DOCS_PORTS == CORES, "one HBM port per core");
static_assert(IDF_BITS <= SLOT_BITS - TERM_BITS, "(term, idf) packs into one query word");
static_assert((1 << TERM_BITS) >= VOCAB, "term ids must fit the term field");
static_assert(SCORE_BITS <= 64, "scores leave the kernel as int64");

typedef ap_uint<AXI_WIDTH_BITS> beat_t;
typedef ap_uint<TERM_BITS> term_t;
typedef ap_uint<WEIGHT_BITS> weight_t;
typedef ap_uint<IDF_BITS> idf_t;
typedef ap_uint<SCORE_BITS> score_t;

extern "C" void bm25_topk(FOR_EACH_DOCS_PORT(ITEM_PORT_ARG) volatile unsigned* jobs, const beat_t* query,
                          index_t* out_idx, ap_uint<64>* out_score, ap_uint<32>* stats, ap_uint<32> mode,
                          ap_uint<32> n_jobs);

#endif  // BM25_TOPK_H
