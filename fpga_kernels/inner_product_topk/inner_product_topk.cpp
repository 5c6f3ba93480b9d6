// Inner-product relevancy + streaming top-k: the dataflow design (see the header for semantics).
//
//   load_query ──► PE 0 ◄── fetch 0 (on-chip slots, then a burst over HBM port keys0)
//              ──► ...                                              ──► top-k ──► write_results
//              ──► PE P-1 ◄── fetch P-1
//
// The top function is started once per token (mode QUERY, n_jobs jobs: one per layer); a job
// reads its rows (requests) in one burst when its descriptor arrives and runs one dataflow pass
// per row (jobs.h).
#include "inner_product_topk.h"

#ifndef SELECT_ITEMS
#define SELECT_ITEMS 0
#endif

// One PE: a flat loop over its beats (KEY_BEATS per key), LANES x HEADS MACs per beat into one
// accumulator per head; on a key's last beat the ReLU + weighted head sum leaves as a score.
static void pe(int p, hls::stream<beat_t>& qin, ap_uint<32> count, bool relu, hls::stream<beat_t>& in,
               hls::stream<cand_t<score_t> >& out, hls::stream<ap_uint<32> >& trips_out) {
    // q[h][b][l]: element b * LANES + l of head h, zero past HEAD_DIM so padding lanes add nothing.
    // Lanes and heads are registers; the KEY_BEATS rows are picked by the beat counter.
    data_t q[HEADS][KEY_BEATS][LANES];
#pragma HLS array_partition variable = q complete dim = 1
#pragma HLS array_partition variable = q complete dim = 3
    weight_t w[HEADS];
#pragma HLS array_partition variable = w complete
    for (int h = 0; h < HEADS; h++)
        for (int b = 0; b < KEY_BEATS; b++) {
#pragma HLS pipeline II = 1
            const beat_t beat = qin.read();
            for (int l = 0; l < LANES; l++)
                q[h][b][l] = b * LANES + l < HEAD_DIM ? data_t(beat.range(DATA_BITS * l + DATA_BITS - 1, DATA_BITS * l))
                                                      : data_t(0);
        }
    const beat_t wbeat = qin.read();
    for (int h = 0; h < HEADS; h++) w[h] = wbeat.range(WEIGHT_BITS * h + WEIGHT_BITS - 1, WEIGHT_BITS * h);

    acc_t acc[HEADS];
#pragma HLS array_partition variable = acc complete
    int b = 0;             // beat of the current key
    ap_uint<32> j = 0;     // local key
    ap_uint<32> trips = 0;
    const ap_uint<32> beats = count * KEY_BEATS;
beat_loop:
    for (ap_uint<32> i = 0; i < beats; i++) {
#pragma HLS pipeline II = PE_II
        const beat_t beat = in.read();
        score_t score = 0;
        for (int h = 0; h < HEADS; h++) {
            acc_t sum = 0;  // adder tree over the lanes
            for (int l = 0; l < LANES; l++)
                sum += q[h][b][l] * data_t(beat.range(DATA_BITS * l + DATA_BITS - 1, DATA_BITS * l));
            acc[h] = (b == 0 ? acc_t(0) : acc[h]) + sum;
            const acc_t a = (relu && acc[h] < 0) ? acc_t(0) : acc[h];
            score += score_t(a) * w[h];
        }
        if (b == KEY_BEATS - 1) {
            out.write(make_cand<score_t>(j * PES + p, score));
            j++;
            b = 0;
        } else {
            b++;
        }
        trips++;
    }
    trips_out.write(trips);
}

typedef beat_t bram_t[BRAM_SLOTS * KEY_BEATS + 1];
typedef beat_t uram_t[URAM_SLOTS * KEY_BEATS + 1];

typedef beat_t rowbuf_t[ROWS_MAX * ROW_BEATS];

static void query_dataflow(FOR_EACH_KEYS_PORT(ITEM_PORT_ARG) const beat_t rowbuf[ROWS_MAX * ROW_BEATS],
                           ap_uint<32> at, bram_t bram[PES], uram_t uram[PES], index_t* out_idx, score_t* out_score,
                           ap_uint<32>* stats, const row_t& row, ap_uint<32> j, ap_uint<32> r) {
#pragma HLS dataflow
    hls::stream<beat_t> qs[PES];
#pragma HLS stream variable = qs depth = 2
    // One AXI burst of slack between each port and its PE.
    hls::stream<beat_t> beats[PES];
#pragma HLS stream variable = beats depth = MAX_READ_BURST
    hls::stream<cand_t<score_t> > cands[PES];
#pragma HLS stream variable = cands depth = 8
    hls::stream<fetch_stats_t> fstats[PES];
#pragma HLS stream variable = fstats depth = 2
    hls::stream<ap_uint<32> > trips[PES];
#pragma HLS stream variable = trips depth = 2
    hls::stream<cand_t<score_t>, K_MAX> res;
    hls::stream<topk_stats_t, 2> tstats;
    const int k = row_k<K_MAX>(row);
    const ap_uint<32> slot0 = row.chip_first / PES;

    broadcast_query<QUERY_BEATS, PES>(rowbuf, at, qs);
#define IPT_FETCH(i, name)                                                                                           \
    fetch_tiered<beat_t, KEY_BEATS, BRAM_SLOTS, URAM_SLOTS>(bram[i], uram[i], name, dealt_count(row.n, PES, i),     \
                                                            dealt_count(row.chip_n, PES, i), slot0, row.index_beat, \
                                                            beats[i], fstats[i]);
    FOR_EACH_KEYS_PORT(IPT_FETCH)
#define IPT_PE(i, name) pe(i, qs[i], dealt_count(row.n, PES, i), row.flags[0], beats[i], cands[i], trips[i]);
    FOR_EACH_KEYS_PORT(IPT_PE)
    topk_unit<score_t, PES, TOPK_GROUP, K_MAX, SELECT_ITEMS / PES>(cands, row.n, k, res, tstats);
    write_results<PES, K_MAX>(res, tstats, fstats, trips, k, j, r, out_idx, out_score, stats);
}

#define IPT_KEY_PRAGMA(i, name)                                                                          \
    HLS_PRAGMA(HLS interface m_axi port = name offset = slave bundle = gmem_##name max_read_burst_length = \
                   MAX_READ_BURST num_read_outstanding = READ_OUTSTANDING num_write_outstanding = 1)

extern "C" void inner_product_topk(FOR_EACH_KEYS_PORT(ITEM_PORT_ARG) volatile unsigned* jobs, const beat_t* query,
                                   index_t* out_idx, score_t* out_score, ap_uint<32>* stats, ap_uint<32> mode,
                                   ap_uint<32> n_jobs) {
    FOR_EACH_KEYS_PORT(IPT_KEY_PRAGMA)
#pragma HLS interface m_axi port = jobs offset = slave bundle = gmem_io
#pragma HLS interface m_axi port = query offset = slave bundle = gmem_io
#pragma HLS interface m_axi port = out_idx offset = slave bundle = gmem_io
#pragma HLS interface m_axi port = out_score offset = slave bundle = gmem_io
#pragma HLS interface m_axi port = stats offset = slave bundle = gmem_io
#pragma HLS interface s_axilite port = mode
#pragma HLS interface s_axilite port = n_jobs
#pragma HLS interface s_axilite port = return

    // The on-chip slots persist between invocations (LOAD fills them). +1 keeps a zero-capacity
    // tier legal C++.
    static bram_t key_bram[PES];
#pragma HLS array_partition variable = key_bram complete dim = 1
#pragma HLS bind_storage variable = key_bram type = ram_2p impl = bram
    static uram_t key_uram[PES];
#pragma HLS array_partition variable = key_uram complete dim = 1
#pragma HLS bind_storage variable = key_uram type = ram_2p impl = uram

    static rowbuf_t rowbuf;  // the job's row records and queries

    if (mode == MODE_LOAD) {  // copy items [first, first + n) of row row0's region on chip
        const job_t job = wait_job(jobs, 0);
        read_rows<ROW_BEATS, ROWS_MAX>(query, job.row0, 1, rowbuf);
        const row_t row = unpack_row<AXI_WIDTH_BITS>(rowbuf, 0);
        const ap_uint<32> slot0 = row.chip_first / PES;
#define IPT_LOAD(i, name)                                                                                   \
    load_tier<beat_t, KEY_BEATS, BRAM_SLOTS, URAM_SLOTS>(name, row.index_beat, dealt_count(job.first, PES, i), \
                                                         dealt_count(job.first + job.n, PES, i), slot0,        \
                                                         key_bram[i], key_uram[i]);
        FOR_EACH_KEYS_PORT(IPT_LOAD)
        return;
    }
jobs_loop:
    for (ap_uint<32> j = 0; j < n_jobs; j++) {
        const job_t job = wait_job(jobs, j);
        const ap_uint<32> rows = job_rows<ROWS_MAX>(job);
        read_rows<ROW_BEATS, ROWS_MAX>(query, job.row0, rows, rowbuf);
    rows_loop:
        for (ap_uint<32> r = 0; r < rows; r++) {
            const row_t row = unpack_row<AXI_WIDTH_BITS>(rowbuf, r * ROW_BEATS);
            query_dataflow(FOR_EACH_KEYS_PORT(ITEM_PORT_NAME) rowbuf, r * ROW_BEATS + REC_BEATS, key_bram, key_uram,
                           out_idx, out_score, stats, row, j, job.row0 + r);
        }
    }
}
