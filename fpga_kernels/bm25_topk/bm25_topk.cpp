// BM25 + streaming top-k: the dataflow design (see the header for semantics).
//
//   load_query ──► core 0 ◄── read 0 (one burst over HBM port docs0)
//              ──► ...                                    ──► top-k ──► write_results
//              ──► core C-1 ◄── read C-1
//
// The top function is started once per token (mode QUERY, n_jobs jobs: one per query batch); a
// job reads its rows (queries) in one burst when its descriptor arrives and runs one dataflow
// pass per row (jobs.h).
#include "bm25_topk.h"

#ifndef SELECT_ITEMS
#define SELECT_ITEMS 0
#endif

// One core: LANES slots a beat, each compared with every query term; the matched idf times the
// slot's weight, summed over the lanes and the record's beats; a score on the record's last beat.
static void score_docs(int c, hls::stream<beat_t>& qin, ap_uint<32> count, hls::stream<beat_t>& in,
                       hls::stream<cand_t<score_t> >& out, hls::stream<ap_uint<32> >& trips_out) {
    term_t qterm[QUERY_TERMS_MAX];
    idf_t qidf[QUERY_TERMS_MAX];
#pragma HLS array_partition variable = qterm complete
#pragma HLS array_partition variable = qidf complete
    for (int b = 0; b < QUERY_BEATS; b++) {
        const beat_t beat = qin.read();
        for (int l = 0; l < LANES; l++) {
            const int i = b * LANES + l;
            if (i < QUERY_TERMS_MAX) {
                qterm[i] = beat.range(SLOT_BITS * l + TERM_BITS - 1, SLOT_BITS * l);
                qidf[i] = beat.range(SLOT_BITS * l + TERM_BITS + IDF_BITS - 1, SLOT_BITS * l + TERM_BITS);
            }
        }
    }

    score_t acc = 0;
    int b = 0;          // beat of the current record
    ap_uint<32> j = 0;  // local document
    ap_uint<32> trips = 0;
    const ap_uint<32> beats = count * DOC_BEATS;
beat_loop:
    for (ap_uint<32> i = 0; i < beats; i++) {
#pragma HLS pipeline II = PE_II
        const beat_t beat = in.read();
        score_t sum = 0;  // adder tree over the lanes
        for (int l = 0; l < LANES; l++) {
            const term_t term = beat.range(SLOT_BITS * l + TERM_BITS - 1, SLOT_BITS * l);
            const weight_t w = beat.range(SLOT_BITS * l + SLOT_BITS - 1, SLOT_BITS * l + TERM_BITS);
            idf_t idf = 0;
            bool hit = false;
            for (int t = 0; t < QUERY_TERMS_MAX; t++) {  // QUERY_TERMS_MAX comparators, first match wins
                if (qterm[t] == term && !hit) {
                    idf = qidf[t];
                    hit = true;
                }
            }
            if (b * LANES + l < DOC_SLOTS) sum += score_t(idf) * w;  // an empty slot has w = 0
        }
        acc = (b == 0 ? score_t(0) : acc) + sum;
        if (b == DOC_BEATS - 1) {
            out.write(make_cand<score_t>(j * CORES + c, acc));
            j++;
            b = 0;
        } else {
            b++;
        }
        trips++;
    }
    trips_out.write(trips);
}

typedef beat_t rowbuf_t[ROWS_MAX * ROW_BEATS];

static void query_dataflow(FOR_EACH_DOCS_PORT(ITEM_PORT_ARG) const beat_t rowbuf[ROWS_MAX * ROW_BEATS],
                           ap_uint<32> at, index_t* out_idx, ap_uint<64>* out_score, ap_uint<32>* stats,
                           const row_t& row, ap_uint<32> j, ap_uint<32> r) {
#pragma HLS dataflow
    hls::stream<beat_t> qs[CORES];
#pragma HLS stream variable = qs depth = QUERY_BEATS
    // One AXI burst of slack between each port and its core.
    hls::stream<beat_t> beats[CORES];
#pragma HLS stream variable = beats depth = MAX_READ_BURST
    hls::stream<cand_t<score_t> > cands[CORES];
#pragma HLS stream variable = cands depth = 8
    hls::stream<fetch_stats_t> fstats[CORES];
#pragma HLS stream variable = fstats depth = 2
    hls::stream<ap_uint<32> > trips[CORES];
#pragma HLS stream variable = trips depth = 2
    hls::stream<cand_t<score_t>, K_MAX> res;
    hls::stream<topk_stats_t, 2> tstats;
    const int k = row_k<K_MAX>(row);

    broadcast_query<QUERY_BEATS, CORES>(rowbuf, at, qs);
#define BM25_READ(i, name)                                                                                  \
    fetch_hbm(name, row.index_beat, dealt_count(row.n, CORES, i) * DOC_BEATS, dealt_count(row.n, CORES, i), \
              beats[i], fstats[i]);
    FOR_EACH_DOCS_PORT(BM25_READ)
#define BM25_SCORE(i, name) score_docs(i, qs[i], dealt_count(row.n, CORES, i), beats[i], cands[i], trips[i]);
    FOR_EACH_DOCS_PORT(BM25_SCORE)
    topk_unit<score_t, CORES, TOPK_GROUP, K_MAX, SELECT_ITEMS / CORES>(cands, row.n, k, res, tstats);
    write_results<CORES, K_MAX>(res, tstats, fstats, trips, k, j, r, out_idx, out_score, stats);
}

#define BM25_DOC_PRAGMA(i, name)                                                                          \
    HLS_PRAGMA(HLS interface m_axi port = name offset = slave bundle = gmem_##name max_read_burst_length = \
                   MAX_READ_BURST num_read_outstanding = READ_OUTSTANDING num_write_outstanding = 1)

extern "C" void bm25_topk(FOR_EACH_DOCS_PORT(ITEM_PORT_ARG) volatile unsigned* jobs, const beat_t* query,
                          index_t* out_idx, ap_uint<64>* out_score, ap_uint<32>* stats, ap_uint<32> mode,
                          ap_uint<32> n_jobs) {
    FOR_EACH_DOCS_PORT(BM25_DOC_PRAGMA)
#pragma HLS interface m_axi port = jobs offset = slave bundle = gmem_io
#pragma HLS interface m_axi port = query offset = slave bundle = gmem_io
#pragma HLS interface m_axi port = out_idx offset = slave bundle = gmem_io
#pragma HLS interface m_axi port = out_score offset = slave bundle = gmem_io
#pragma HLS interface m_axi port = stats offset = slave bundle = gmem_io
#pragma HLS interface s_axilite port = mode
#pragma HLS interface s_axilite port = n_jobs
#pragma HLS interface s_axilite port = return

    static rowbuf_t rowbuf;  // the job's row records and queries

    if (mode == MODE_LOAD) return;  // nothing lives on chip: the corpus streams from HBM
jobs_loop:
    for (ap_uint<32> j = 0; j < n_jobs; j++) {
        const job_t job = wait_job(jobs, j);
        const ap_uint<32> rows = job_rows<ROWS_MAX>(job);
        read_rows<ROW_BEATS, ROWS_MAX>(query, job.row0, rows, rowbuf);
    rows_loop:
        for (ap_uint<32> r = 0; r < rows; r++) {
            const row_t row = unpack_row<AXI_WIDTH_BITS>(rowbuf, r * ROW_BEATS);
            query_dataflow(FOR_EACH_DOCS_PORT(ITEM_PORT_NAME) rowbuf, r * ROW_BEATS + REC_BEATS, out_idx, out_score,
                           stats, row, j, job.row0 + r);
        }
    }
}
