// BM25 over a forward document-term index + streaming top-k.
//
// score(d) = sum over slots (t, tf) of d with t in the query: idf[t] * tf (k1 + 1) / (tf + K_d),
// K_d = k1 (1 - b + b dl_d / avgdl), dl_d = sum of tf over d's slots (the forward index lists
// every distinct term of a document, so this is its length). Exact fixed point, so the numpy
// reference matches bit for bit (Q formats in params.yaml, all divisions floor):
//   K_q16 = k1_q8 ((256 - b_q8) avgdl_q8 + b_q8 dl 256) / avgdl_q8
//   w_q16 = (tf (k1_q8 + 256)) 2^24 / (tf 2^16 + K_q16)
//   score = sum idf_q12 * w_q16   (Q28)
// Returns the k best documents (score descending, ties to the lower document index).
//
// Documents are dealt round-robin to the cores (doc d to core d % CORES), each core streaming
// its own HBM port. HBM layout of port c: local doc j (global j * CORES + c) occupies DOC_BEATS
// beats from beat j * DOC_BEATS; slot s is the 32-bit word s of the record: term in bits 0..15,
// tf in bits 16..31; tf = 0 marks an empty slot; words past DOC_SLOTS are ignored.
// The query is a list of n_terms distinct term ids (a repeated term counts once). mode LOAD
// copies the idf table (VOCAB x uint16, Q4.12) into on-chip memory, where it stays.
//
// stats[0..2]: documents read from BRAM, URAM, HBM (always 0, 0, n); stats[3..5]: top-k rounds,
// survivors, inserts.
#ifndef BM25_TOPK_H
#define BM25_TOPK_H

#include <ap_int.h>
#include <hls_stream.h>

#include "hls_macros.h"
#include "params.h"
#include "topk.h"

static const int SLOT_BITS = TERM_BITS + TF_BITS;
static const int DOC_BEATS = (DOC_SLOTS * SLOT_BITS + AXI_WIDTH_BITS - 1) / AXI_WIDTH_BITS;
static const int K1_Q = int(K1 * (1 << KB_FRAC_BITS) + 0.5);  // round half up, as gen_params.quantize
static const int B_Q = int(B * (1 << KB_FRAC_BITS) + 0.5);
static const int ONE_Q = 1 << KB_FRAC_BITS;

static_assert(LANES * SLOT_BITS == AXI_WIDTH_BITS, "a lane takes one slot of each beat");
static_assert(DOCS_PORTS == CORES, "one HBM port per core");
static_assert(COMPARE_WIDTH == CORES, "the comparator tree takes one candidate per core");
static_assert((1 << TERM_BITS) >= VOCAB, "term ids must fit the term field");
static_assert(B_Q <= ONE_Q, "b must be in [0, 1]");
static_assert(K1_Q + ONE_Q < (1 << 11), "k1 + 1 must stay below 8 (11-bit numerator factor)");
static_assert(SCORE_BITS <= 64, "scores leave the kernel as int64");

enum { MODE_LOAD = 0, MODE_QUERY = 1 };

typedef ap_uint<AXI_WIDTH_BITS> beat_t;
typedef ap_uint<TERM_BITS> term_t;
typedef ap_uint<TF_BITS> tf_t;
typedef ap_uint<IDF_BITS> idf_t;
typedef ap_uint<TF_BITS + 8> dl_t;  // sum of up to 256 tf values
typedef ap_uint<SCORE_BITS> score_t;

struct qterm_t {  // one query term with its idf, held in registers by every lane
    term_t term;
    idf_t idf;
    bool valid;
};

#define BM25_DOC_ARG(i, name) const beat_t* name,

extern "C" void bm25_topk(FOR_EACH_DOCS_PORT(BM25_DOC_ARG) const ap_uint<32>* query, const idf_t* idf,
                          index_t* out_idx, ap_uint<64>* out_score, ap_uint<32>* stats, ap_uint<32> mode,
                          ap_uint<32> n_docs, ap_uint<32> n_terms, ap_uint<32> avgdl_q8, ap_uint<32> k);

#endif  // BM25_TOPK_H
