// Product-quantised lookup-table indexer + top-k: the dataflow design (see the header for semantics).
//
//   load_query ──► PE 0 ◄── read 0 (one burst over HBM port codes0) ──► KPB score streams
//              ──► ...                                                         ──► top-k ──► write_results
//              ──► PE P-1 ◄── read P-1
//
// The top function is started once per token (mode QUERY, n_jobs jobs: one per layer); a job
// reads its rows (requests) in one burst when its descriptor arrives and runs one dataflow pass
// per row (jobs.h).
#include "pq_lut_topk.h"

#ifndef SELECT_ITEMS
#define SELECT_ITEMS 0
#endif

// Beats of PE p: as many as its lane 0 has keys (lane 0 holds the most).
static ap_uint<32> pe_beats(ap_uint<32> n, int p) { return dealt_count(n, STREAMS, p * KPB); }

// Keys of PE p: the sum over its lanes.
static ap_uint<32> pe_keys(ap_uint<32> n, int p) {
    ap_uint<32> keys = 0;
    for (int l = 0; l < KPB; l++) keys += dealt_count(n, STREAMS, p * KPB + l);
    return keys;
}

// One PE: per beat, KPB keys; per key and head SUBSPACES table lookups summed by an adder tree,
// ReLU, times the head weight, summed over heads; lane l's score goes to its own stream.
static void pe(int p, hls::stream<beat_t>& qin, ap_uint<32> n, bool relu, hls::stream<beat_t>& in,
               hls::stream<cand_t<score_t> > out[KPB], hls::stream<ap_uint<32> >& trips_out) {
    // One table copy per key lane (each copy serves one lookup per row and cycle): ROWS x KPB
    // LUTRAMs of CODEBOOK x LUT_BITS.
    lut_t lut[KPB][ROWS][CODEBOOK];
#pragma HLS array_partition variable = lut complete dim = 1
#pragma HLS array_partition variable = lut complete dim = 2
#pragma HLS bind_storage variable = lut type = ram_1p impl = lutram
    weight_t w[HEADS];
#pragma HLS array_partition variable = w complete
    static const int RPB = EPB / CODEBOOK;  // table rows per beat
table_beats:
    for (int b = 0; b < TABLE_BEATS; b++) {
#pragma HLS pipeline II = 1
        const beat_t beat = qin.read();
        for (int r = 0; r < RPB; r++) {
            const int row = b * RPB + r;
            if (row < ROWS)
                for (int c = 0; c < CODEBOOK; c++) {
                    const int e = r * CODEBOOK + c;
                    const lut_t v = beat.range(LUT_BITS * e + LUT_BITS - 1, LUT_BITS * e);
                    for (int l = 0; l < KPB; l++) lut[l][row][c] = v;
                }
        }
    }
    const beat_t wbeat = qin.read();
    for (int h = 0; h < HEADS; h++) w[h] = wbeat.range(WEIGHT_BITS * h + WEIGHT_BITS - 1, WEIGHT_BITS * h);

    ap_uint<32> lane_keys[KPB];  // keys of each lane (the last beat may hold fewer)
#pragma HLS array_partition variable = lane_keys complete
    for (int l = 0; l < KPB; l++) lane_keys[l] = dealt_count(n, STREAMS, p * KPB + l);
    const ap_uint<32> beats = pe_beats(n, p);
    ap_uint<32> trips = 0;
beat_loop:
    for (ap_uint<32> j = 0; j < beats; j++) {
#pragma HLS pipeline II = PE_II
        const beat_t beat = in.read();
        for (int l = 0; l < KPB; l++) {
            score_t score = 0;
            for (int h = 0; h < HEADS; h++) {
                sum_t sum = 0;  // adder tree over the subspaces
                for (int m = 0; m < SUBSPACES; m++) {
                    const int bit = CODE_BITS * (l * SUBSPACES + m);
                    const code_t code = beat.range(bit + CODE_BITS - 1, bit);
                    sum += lut[l][h * SUBSPACES + m][code];
                }
                const sum_t a = (relu && sum < 0) ? sum_t(0) : sum;
                score += score_t(a) * w[h];
            }
            if (j < lane_keys[l]) out[l].write(make_cand<score_t>(j * STREAMS + p * KPB + l, score));
        }
        trips++;
    }
    trips_out.write(trips);
}

typedef beat_t rowbuf_t[ROWS_MAX * ROW_BEATS];

static void query_dataflow(FOR_EACH_CODES_PORT(ITEM_PORT_ARG) const beat_t rowbuf[ROWS_MAX * ROW_BEATS],
                           ap_uint<32> at, index_t* out_idx, score_t* out_score, ap_uint<32>* stats,
                           const row_t& row, ap_uint<32> j, ap_uint<32> r) {
#pragma HLS dataflow
    hls::stream<beat_t> qs[PES];
#pragma HLS stream variable = qs depth = 2
    hls::stream<beat_t> beats[PES];  // one AXI burst of slack between each port and its PE
#pragma HLS stream variable = beats depth = MAX_READ_BURST
    hls::stream<cand_t<score_t> > cands[STREAMS];
#pragma HLS stream variable = cands depth = 8
    hls::stream<fetch_stats_t> fstats[PES];
#pragma HLS stream variable = fstats depth = 2
    hls::stream<ap_uint<32> > trips[PES];
#pragma HLS stream variable = trips depth = 2
    hls::stream<cand_t<score_t>, K_MAX> res;
    hls::stream<topk_stats_t, 2> tstats;
    const int k = row_k<K_MAX>(row);

    broadcast_query<QUERY_BEATS, PES>(rowbuf, at, qs);
#define PQ_READ(i, name) fetch_hbm(name, row.index_beat, pe_beats(row.n, i), pe_keys(row.n, i), beats[i], fstats[i]);
    FOR_EACH_CODES_PORT(PQ_READ)
#define PQ_PE(i, name) pe(i, qs[i], row.n, row.flags[0], beats[i], &cands[(i) * KPB], trips[i]);
    FOR_EACH_CODES_PORT(PQ_PE)
    topk_unit<score_t, STREAMS, TOPK_GROUP, K_MAX, SELECT_ITEMS / STREAMS>(cands, row.n, k, res, tstats);
    write_results<PES, K_MAX>(res, tstats, fstats, trips, k, j, r, out_idx, out_score, stats);
}

#define PQ_CODE_PRAGMA(i, name)                                                                          \
    HLS_PRAGMA(HLS interface m_axi port = name offset = slave bundle = gmem_##name max_read_burst_length = \
                   MAX_READ_BURST num_read_outstanding = READ_OUTSTANDING num_write_outstanding = 1)

extern "C" void pq_lut_topk(FOR_EACH_CODES_PORT(ITEM_PORT_ARG) volatile unsigned* jobs, const beat_t* query,
                            index_t* out_idx, score_t* out_score, ap_uint<32>* stats, ap_uint<32> mode,
                            ap_uint<32> n_jobs) {
    FOR_EACH_CODES_PORT(PQ_CODE_PRAGMA)
#pragma HLS interface m_axi port = jobs offset = slave bundle = gmem_io
#pragma HLS interface m_axi port = query offset = slave bundle = gmem_io
#pragma HLS interface m_axi port = out_idx offset = slave bundle = gmem_io
#pragma HLS interface m_axi port = out_score offset = slave bundle = gmem_io
#pragma HLS interface m_axi port = stats offset = slave bundle = gmem_io
#pragma HLS interface s_axilite port = mode
#pragma HLS interface s_axilite port = n_jobs
#pragma HLS interface s_axilite port = return
    static rowbuf_t rowbuf;  // the job's row records and queries

    if (mode == MODE_LOAD) return;  // nothing lives on chip: the codes stream from HBM
jobs_loop:
    for (ap_uint<32> j = 0; j < n_jobs; j++) {
        const job_t job = wait_job(jobs, j);
        const ap_uint<32> rows = job_rows<ROWS_MAX>(job);
        read_rows<ROW_BEATS, ROWS_MAX>(query, job.row0, rows, rowbuf);
    rows_loop:
        for (ap_uint<32> r = 0; r < rows; r++) {
            const row_t row = unpack_row<AXI_WIDTH_BITS>(rowbuf, r * ROW_BEATS);
            query_dataflow(FOR_EACH_CODES_PORT(ITEM_PORT_NAME) rowbuf, r * ROW_BEATS + REC_BEATS, out_idx, out_score,
                           stats, row, j, job.row0 + r);
        }
    }
}
