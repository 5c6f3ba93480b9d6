// Page min/max relevancy + streaming top-k: the dataflow design (see the header for semantics).
//
//   load_query ──► PE 0 ◄── fetch 0 (on-chip slots, then a burst over HBM port pages0)
//              ──► ...                                              ──► top-k ──► write_results
//              ──► PE P-1 ◄── fetch P-1
//
// The top function is started once per token (mode QUERY, n_jobs jobs: one per layer); a job
// reads its rows (requests) in one burst when its descriptor arrives and runs one dataflow pass
// per row (jobs.h).
#include "page_minmax_topk.h"

#ifndef SELECT_ITEMS
#define SELECT_ITEMS 0
#endif

// One PE: a flat loop over its beats (PAGE_BEATS per page), 2 x HALF x HEADS multiplies per beat,
// the max of each (kmin, kmax) pair summed into one accumulator; on a page's last beat it leaves
// as a score.
static void pe(int p, hls::stream<beat_t>& qin, ap_uint<32> count, hls::stream<beat_t>& in,
               hls::stream<cand_t<score_t> >& out, hls::stream<ap_uint<32> >& trips_out) {
    // q[h][b][l]: channel b * HALF + l of head h, zero past HEAD_DIM so padding adds nothing.
    data_t q[HEADS][PAGE_BEATS][HALF];
#pragma HLS array_partition variable = q complete dim = 1
#pragma HLS array_partition variable = q complete dim = 3
    for (int h = 0; h < HEADS; h++)
        for (int b = 0; b < PAGE_BEATS; b++) {
#pragma HLS pipeline II = 1
            const beat_t beat = qin.read();
            for (int l = 0; l < HALF; l++)
                q[h][b][l] = b * HALF + l < HEAD_DIM ? data_t(beat.range(DATA_BITS * l + DATA_BITS - 1, DATA_BITS * l))
                                                     : data_t(0);
        }

    score_t acc = 0;
    int b = 0;          // beat of the current page
    ap_uint<32> j = 0;  // local page
    ap_uint<32> trips = 0;
    const ap_uint<32> beats = count * PAGE_BEATS;
beat_loop:
    for (ap_uint<32> i = 0; i < beats; i++) {
#pragma HLS pipeline II = PE_II
        const beat_t beat = in.read();
        score_t sum = 0;  // adder tree over heads and channels
        for (int h = 0; h < HEADS; h++)
            for (int l = 0; l < HALF; l++) {
                const data_t lo = beat.range(DATA_BITS * l + DATA_BITS - 1, DATA_BITS * l);
                const data_t hi = beat.range(DATA_BITS * (HALF + l) + DATA_BITS - 1, DATA_BITS * (HALF + l));
                const acc_t a = q[h][b][l] * lo;
                const acc_t c = q[h][b][l] * hi;
                sum += a > c ? a : c;
            }
        acc = (b == 0 ? score_t(0) : acc) + sum;
        if (b == PAGE_BEATS - 1) {
            out.write(make_cand<score_t>(j * PES + p, acc));
            j++;
            b = 0;
        } else {
            b++;
        }
        trips++;
    }
    trips_out.write(trips);
}

typedef beat_t bram_t[BRAM_SLOTS * PAGE_BEATS + 1];
typedef beat_t uram_t[URAM_SLOTS * PAGE_BEATS + 1];

typedef beat_t rowbuf_t[ROWS_MAX * ROW_BEATS];

static void query_dataflow(FOR_EACH_PAGES_PORT(ITEM_PORT_ARG) const beat_t rowbuf[ROWS_MAX * ROW_BEATS],
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
#define PMT_FETCH(i, name)                                                                                           \
    fetch_tiered<beat_t, PAGE_BEATS, BRAM_SLOTS, URAM_SLOTS>(bram[i], uram[i], name, dealt_count(row.n, PES, i),     \
                                                            dealt_count(row.chip_n, PES, i), slot0, row.index_beat, \
                                                            beats[i], fstats[i]);
    FOR_EACH_PAGES_PORT(PMT_FETCH)
#define PMT_PE(i, name) pe(i, qs[i], dealt_count(row.n, PES, i), beats[i], cands[i], trips[i]);
    FOR_EACH_PAGES_PORT(PMT_PE)
    topk_unit<score_t, PES, TOPK_GROUP, K_MAX, SELECT_ITEMS / PES>(cands, row.n, k, res, tstats);
    write_results<PES, K_MAX>(res, tstats, fstats, trips, k, j, r, out_idx, out_score, stats);
}

#define PMT_PAGE_PRAGMA(i, name)                                                                          \
    HLS_PRAGMA(HLS interface m_axi port = name offset = slave bundle = gmem_##name max_read_burst_length = \
                   MAX_READ_BURST num_read_outstanding = READ_OUTSTANDING num_write_outstanding = 1)

extern "C" void page_minmax_topk(FOR_EACH_PAGES_PORT(ITEM_PORT_ARG) volatile unsigned* jobs, const beat_t* query,
                                   index_t* out_idx, score_t* out_score, ap_uint<32>* stats, ap_uint<32> mode,
                                   ap_uint<32> n_jobs) {
    FOR_EACH_PAGES_PORT(PMT_PAGE_PRAGMA)
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
    static bram_t page_bram[PES];
#pragma HLS array_partition variable = page_bram complete dim = 1
#pragma HLS bind_storage variable = page_bram type = ram_2p impl = bram
    static uram_t page_uram[PES];
#pragma HLS array_partition variable = page_uram complete dim = 1
#pragma HLS bind_storage variable = page_uram type = ram_2p impl = uram

    static rowbuf_t rowbuf;  // the job's row records and queries

    if (mode == MODE_LOAD) {  // copy items [first, first + n) of row row0's region on chip
        const job_t job = wait_job(jobs, 0);
        read_rows<ROW_BEATS, ROWS_MAX>(query, job.row0, 1, rowbuf);
        const row_t row = unpack_row<AXI_WIDTH_BITS>(rowbuf, 0);
        const ap_uint<32> slot0 = row.chip_first / PES;
#define PMT_LOAD(i, name)                                                                                   \
    load_tier<beat_t, PAGE_BEATS, BRAM_SLOTS, URAM_SLOTS>(name, row.index_beat, dealt_count(job.first, PES, i), \
                                                         dealt_count(job.first + job.n, PES, i), slot0,        \
                                                         page_bram[i], page_uram[i]);
        FOR_EACH_PAGES_PORT(PMT_LOAD)
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
            query_dataflow(FOR_EACH_PAGES_PORT(ITEM_PORT_NAME) rowbuf, r * ROW_BEATS + REC_BEATS, page_bram, page_uram,
                           out_idx, out_score, stats, row, j, job.row0 + r);
        }
    }
}
