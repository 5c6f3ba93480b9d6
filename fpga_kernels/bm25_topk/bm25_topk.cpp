// BM25 + streaming top-k: the dataflow design (see the header for semantics).
//
//   load_query ──────────────────────────► score 0 ◄── doc_len 0 ◄── read 0 (HBM port docs0)
//   (idf lookup)                       ──► ...                                            ──► top-k ──► write
//                                      ──► score C-1 ◄── doc_len C-1 ◄── read C-1
#include "bm25_topk.h"

// Query terms and their idf (looked up in the on-chip table), one copy per core.
static void load_query(const ap_uint<32>* query, const idf_t idf_table[VOCAB], ap_uint<32> n_terms,
                       hls::stream<qterm_t> qs[CORES]) {
    for (int i = 0; i < QUERY_TERMS_MAX; i++) {
#pragma HLS pipeline II = 1
        qterm_t q;
        q.valid = ap_uint<32>(i) < n_terms;
        q.term = q.valid ? term_t(query[i]) : term_t(0);
        q.idf = q.valid && q.term < VOCAB ? idf_table[q.term] : idf_t(0);
        for (int c = 0; c < CORES; c++) qs[c].write(q);
    }
}

// Stream core c's document records from HBM, one beat per cycle.
static void read_docs(int c, const beat_t* port, ap_uint<32> n, hls::stream<beat_t>& out) {
    const ap_uint<32> beats = dealt_count(n, CORES, c) * DOC_BEATS;
    for (ap_uint<32> i = 0; i < beats; i++) {
#pragma HLS pipeline II = 1
        out.write(port[i]);
    }
}

static tf_t slot_tf(const beat_t& beat, int lane) {
#pragma HLS inline
    return beat.range(SLOT_BITS * lane + SLOT_BITS - 1, SLOT_BITS * lane + TERM_BITS);
}

// First pass over a record: dl = sum of tf. The record is forwarded unchanged behind its dl,
// so the scoring stage sees the length before the slots (the beats FIFO holds one record).
static void doc_len(int c, ap_uint<32> n, hls::stream<beat_t>& in, hls::stream<beat_t>& fwd,
                    hls::stream<dl_t>& dl_out) {
    const ap_uint<32> count = dealt_count(n, CORES, c);
    for (ap_uint<32> j = 0; j < count; j++) {
        dl_t dl = 0;
        for (int b = 0; b < DOC_BEATS; b++) {
#pragma HLS pipeline II = 1
            const beat_t beat = in.read();
            for (int l = 0; l < LANES; l++) {
                if (b * LANES + l < DOC_SLOTS) dl += slot_tf(beat, l);
            }
            fwd.write(beat);
        }
        dl_out.write(dl);
    }
}

// BM25 term weight, Q.16: tf (k1 + 1) / (tf + K), K in Q.16: a pipelined divider per lane,
// sized to the operands (numerator < 2^(TF_BITS + 11 + 24), denominator < 2^(TF_BITS + 16 + 17)
// for documents under 2^17 x avgdl tokens) rather than 64/64 bits.
typedef ap_uint<TF_BITS + 11 + 2 * WEIGHT_FRAC_BITS - KB_FRAC_BITS> wnum_t;
typedef ap_uint<TF_BITS + WEIGHT_FRAC_BITS + 17> wden_t;
static ap_uint<32> term_weight(tf_t tf, ap_uint<64> k_q16) {
#pragma HLS inline
    const wnum_t num = (wnum_t(tf) * (K1_Q + ONE_Q)) << (2 * WEIGHT_FRAC_BITS - KB_FRAC_BITS);
    const wden_t den = (wden_t(tf) << WEIGHT_FRAC_BITS) + wden_t(k_q16);
    return ap_uint<32>(num / den);
}

// Score core c's documents: LANES slots per cycle, each compared against every query term.
static void score_docs(int c, ap_uint<32> n, ap_uint<32> avgdl_q8, hls::stream<qterm_t>& qin,
                       hls::stream<beat_t>& in, hls::stream<dl_t>& dl_in, hls::stream<cand_t<score_t> >& out) {
    qterm_t q[QUERY_TERMS_MAX];
#pragma HLS array_partition variable = q complete
    for (int i = 0; i < QUERY_TERMS_MAX; i++) q[i] = qin.read();
    const ap_uint<64> avgdl = avgdl_q8 == 0 ? ap_uint<64>(1) : ap_uint<64>(avgdl_q8);  // host checks > 0

    const ap_uint<32> count = dealt_count(n, CORES, c);
doc_loop:
    for (ap_uint<32> j = 0; j < count; j++) {
        const dl_t dl = dl_in.read();
        // K_q16 = k1 (1 - b + b dl / avgdl), one divider per core per document.
        const ap_uint<64> k_q16 =
            (ap_uint<64>(K1_Q) * ((ONE_Q - B_Q) * avgdl + (ap_uint<64>(B_Q) * dl << KB_FRAC_BITS))) / avgdl;
        score_t score = 0;
    beat_loop:
        for (int b = 0; b < DOC_BEATS; b++) {
#pragma HLS pipeline II = PE_II
            const beat_t beat = in.read();
            score_t beat_sum = 0;  // adder tree over the lanes
            for (int l = 0; l < LANES; l++) {
                const term_t term = beat.range(SLOT_BITS * l + TERM_BITS - 1, SLOT_BITS * l);
                const tf_t tf = slot_tf(beat, l);
                idf_t idf = 0;
                bool hit = false;
                for (int i = 0; i < QUERY_TERMS_MAX; i++) {  // QUERY_TERMS_MAX comparators per lane
                    if (q[i].valid && q[i].term == term && !hit) {
                        idf = q[i].idf;
                        hit = true;
                    }
                }
                if (hit && tf != 0 && b * LANES + l < DOC_SLOTS)
                    beat_sum += score_t(idf) * term_weight(tf, k_q16);
            }
            score += beat_sum;
        }
        cand_t<score_t> cand;
        cand.idx = j * CORES + c;
        cand.score = score;
        cand.valid = true;
        out.write(cand);
    }
}

static void write_results(hls::stream<cand_t<score_t> >& res, hls::stream<topk_stats_t>& tstats, int k,
                          ap_uint<32> n, index_t* out_idx, ap_uint<64>* out_score, ap_uint<32>* stats) {
    for (int i = 0; i < k; i++) {  // k entries, best first; invalid ones when k > n
#pragma HLS pipeline II = 1
        cand_t<score_t> c = res.read();
        out_idx[i] = c.valid ? c.idx : index_t(NO_INDEX);
        out_score[i] = c.valid ? ap_uint<64>(c.score) : ap_uint<64>(0);
    }
    const topk_stats_t t = tstats.read();
    stats[0] = 0;  // the corpus streams from HBM: no on-chip tiers
    stats[1] = 0;
    stats[2] = n;
    stats[3] = t.rounds;
    stats[4] = t.survivors;
    stats[5] = t.inserts;
    stats[6] = 0;
    stats[7] = 0;
}

static void query_dataflow(FOR_EACH_DOCS_PORT(BM25_DOC_ARG) const ap_uint<32>* query, const idf_t idf_table[VOCAB],
                           index_t* out_idx, ap_uint<64>* out_score, ap_uint<32>* stats, ap_uint<32> n,
                           ap_uint<32> n_terms, ap_uint<32> avgdl_q8, int k) {
#pragma HLS dataflow
    hls::stream<qterm_t> qs[CORES];
#pragma HLS stream variable = qs depth = QUERY_TERMS_MAX
    hls::stream<beat_t> raw[CORES];
#pragma HLS stream variable = raw depth = 2 * DOC_BEATS
    hls::stream<beat_t> fwd[CORES];
#pragma HLS stream variable = fwd depth = 2 * DOC_BEATS
    hls::stream<dl_t> dls[CORES];
#pragma HLS stream variable = dls depth = 2
    hls::stream<cand_t<score_t> > cands[CORES];
#pragma HLS stream variable = cands depth = 8
    hls::stream<cand_t<score_t>, K_MAX> res;
    hls::stream<topk_stats_t, 2> tstats;

    load_query(query, idf_table, n_terms, qs);
#define BM25_READ(i, name) read_docs(i, name, n, raw[i]);
    FOR_EACH_DOCS_PORT(BM25_READ)
#define BM25_LEN(i, name) doc_len(i, n, raw[i], fwd[i], dls[i]);
    FOR_EACH_DOCS_PORT(BM25_LEN)
#define BM25_SCORE(i, name) score_docs(i, n, avgdl_q8, qs[i], fwd[i], dls[i], cands[i]);
    FOR_EACH_DOCS_PORT(BM25_SCORE)
    topk_unit<score_t, CORES, K_MAX>(cands, n, k, res, tstats);
    write_results(res, tstats, k, n, out_idx, out_score, stats);
}

#define BM25_DOC_PRAGMA(i, name) \
    HLS_PRAGMA(HLS interface m_axi port = name offset = slave bundle = gmem_##name max_read_burst_length = 64)

extern "C" void bm25_topk(FOR_EACH_DOCS_PORT(BM25_DOC_ARG) const ap_uint<32>* query, const idf_t* idf,
                          index_t* out_idx, ap_uint<64>* out_score, ap_uint<32>* stats, ap_uint<32> mode,
                          ap_uint<32> n_docs, ap_uint<32> n_terms, ap_uint<32> avgdl_q8, ap_uint<32> k) {
    FOR_EACH_DOCS_PORT(BM25_DOC_PRAGMA)
#pragma HLS interface m_axi port = query offset = slave bundle = gmem_io
#pragma HLS interface m_axi port = idf offset = slave bundle = gmem_io
#pragma HLS interface m_axi port = out_idx offset = slave bundle = gmem_io
#pragma HLS interface m_axi port = out_score offset = slave bundle = gmem_io
#pragma HLS interface m_axi port = stats offset = slave bundle = gmem_io
#pragma HLS interface s_axilite port = mode
#pragma HLS interface s_axilite port = n_docs
#pragma HLS interface s_axilite port = n_terms
#pragma HLS interface s_axilite port = avgdl_q8
#pragma HLS interface s_axilite port = k
#pragma HLS interface s_axilite port = return

    // idf of every vocabulary term, kept on chip between invocations (read QUERY_TERMS_MAX
    // times per query, so one BRAM copy suffices).
    static idf_t idf_table[VOCAB];
#pragma HLS bind_storage variable = idf_table type = ram_2p impl = bram

    const int kk = k > K_MAX ? K_MAX : int(k);  // the host checks k; clamp so HW never overruns
    const ap_uint<32> nt = n_terms > QUERY_TERMS_MAX ? ap_uint<32>(QUERY_TERMS_MAX) : n_terms;
    if (mode == MODE_LOAD) {
        for (int t = 0; t < VOCAB; t++) {
#pragma HLS pipeline II = 1
            idf_table[t] = idf[t];
        }
    } else {
#define BM25_DOC_NAME(i, name) name,
        query_dataflow(FOR_EACH_DOCS_PORT(BM25_DOC_NAME) query, idf_table, out_idx, out_score, stats, n_docs, nt,
                       avgdl_q8, kk);
    }
}
