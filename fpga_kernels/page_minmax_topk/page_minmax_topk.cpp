// Page min/max relevancy + streaming top-k: the dataflow design (see the header for semantics).
//
//   load_query ──► PE 0 ◄── fetch 0 (BRAM → URAM → HBM port pages0)
//              ──► ...                                               ──► top-k ──► write_results
//              ──► PE P-1 ◄── fetch P-1
#include "page_minmax_topk.h"

// Unpack one page's bounds into CHUNKS chunks; lanes beyond HEAD_DIM are zero (score 0).
static void unpack_page(const beat_t* port, ap_uint<32> local, chunk_t page[CHUNKS]) {
#pragma HLS inline
    data_t elems[2 * HEAD_DIM];
#pragma HLS array_partition variable = elems complete
    unpack_elems<DATA_BITS, AXI_WIDTH_BITS, 2 * HEAD_DIM, PAGE_BEATS>(port, local * PAGE_BEATS, elems);
    for (int e = 0; e < DIM_PAD; e++) {
        page[e / LANES].lo[e % LANES] = e < HEAD_DIM ? elems[e] : data_t(0);
        page[e / LANES].hi[e % LANES] = e < HEAD_DIM ? elems[HEAD_DIM + e] : data_t(0);
    }
}

// mode LOAD: copy pages [first, first + n) of the HBM index into the on-chip tiers.
static void load_pages(FOR_EACH_PAGES_PORT(PMT_PAGE_ARG) chunk_t bram[PES][BRAM_PER_PE * CHUNKS + 1],
                       chunk_t uram[PES][URAM_PER_PE * CHUNKS + 1], ap_uint<32> first, ap_uint<32> n) {
    for (ap_uint<32> g = first; g < first + n; g++) {
        const int p = g % PES;
        const ap_uint<32> j = g / PES;
        if (g >= BRAM_PAGES + URAM_PAGES) continue;  // lives in HBM only
        const ap_uint<32> bram_cap = dealt_count(BRAM_PAGES, PES, p);
        chunk_t page[CHUNKS];
#define PMT_READ_PAGE(i, name) \
    if (p == i) unpack_page(name, j, page);
        FOR_EACH_PAGES_PORT(PMT_READ_PAGE)
        for (int c = 0; c < CHUNKS; c++) {
#pragma HLS pipeline II = 1
            if (g < BRAM_PAGES)
                bram[p][j * CHUNKS + c] = page[c];
            else
                uram[p][(j - bram_cap) * CHUNKS + c] = page[c];
        }
    }
}

// Broadcast the query heads to every PE (each keeps its own copy in registers).
static void load_query(const data_t* query, hls::stream<data_t> qs[PES]) {
    for (int h = 0; h < HEADS; h++) {
        for (int e = 0; e < DIM_PAD; e++) {
#pragma HLS pipeline II = 1
            data_t v = e < HEAD_DIM ? query[h * HEAD_DIM + e] : data_t(0);
            for (int p = 0; p < PES; p++) qs[p].write(v);
        }
    }
}

// Stream this PE's pages fastest tier first: BRAM, then URAM, then its HBM port.
static void fetch_pages(int p, const chunk_t bram[BRAM_PER_PE * CHUNKS + 1],
                        const chunk_t uram[URAM_PER_PE * CHUNKS + 1], const beat_t* port, ap_uint<32> n,
                        hls::stream<chunk_t>& out) {
    const ap_uint<32> bram_cap = dealt_count(BRAM_PAGES, PES, p);
    const ap_uint<32> onchip_cap = dealt_count(BRAM_PAGES + URAM_PAGES, PES, p);
    const tier_split_t t = split_tiers(dealt_count(n, PES, p), bram_cap, onchip_cap - bram_cap);
bram_tier:
    for (ap_uint<32> i = 0; i < t.bram * CHUNKS; i++) {
#pragma HLS pipeline II = 1
        out.write(bram[i]);
    }
uram_tier:
    for (ap_uint<32> i = 0; i < t.uram * CHUNKS; i++) {
#pragma HLS pipeline II = 1
        out.write(uram[i]);
    }
hbm_tier:
    for (ap_uint<32> j = 0; j < t.hbm; j++) {
        chunk_t page[CHUNKS];
#pragma HLS array_partition variable = page complete dim = 0
        unpack_page(port, onchip_cap + j, page);
        for (int c = 0; c < CHUNKS; c++) {
#pragma HLS pipeline II = 1
            out.write(page[c]);
        }
    }
}

// One PE: 2 x HEADS x LANES multiplies per cycle, CHUNKS cycles per page.
static void pe(int p, hls::stream<data_t>& qin, ap_uint<32> n, hls::stream<chunk_t>& in,
               hls::stream<cand_t<score_t> >& out) {
    data_t q[HEADS][DIM_PAD];
#pragma HLS array_partition variable = q complete dim = 1
#pragma HLS array_partition variable = q cyclic factor = LANES dim = 2
    for (int h = 0; h < HEADS; h++)
        for (int e = 0; e < DIM_PAD; e++) q[h][e] = qin.read();

    const ap_uint<32> count = dealt_count(n, PES, p);
page_loop:
    for (ap_uint<32> j = 0; j < count; j++) {
        score_t score = 0;
    chunk_loop:
        for (int c = 0; c < CHUNKS; c++) {
#pragma HLS pipeline II = PE_II
            chunk_t page = in.read();
            for (int h = 0; h < HEADS; h++) {
                acc_t sum = 0;  // adder tree over the lanes
                for (int l = 0; l < LANES; l++) {
                    const acc_t a = q[h][c * LANES + l] * page.lo[l];
                    const acc_t b = q[h][c * LANES + l] * page.hi[l];
                    sum += a > b ? a : b;
                }
                score += sum;
            }
        }
        cand_t<score_t> cand;
        cand.idx = j * PES + p;
        cand.score = score;
        cand.valid = true;
        out.write(cand);
    }
}

static void write_results(hls::stream<cand_t<score_t> >& res, hls::stream<topk_stats_t>& tstats, int k,
                          ap_uint<32> n, index_t* out_idx, score_t* out_score, ap_uint<32>* stats) {
    for (int i = 0; i < k; i++) {  // k entries, best first; invalid ones when k > n
#pragma HLS pipeline II = 1
        cand_t<score_t> c = res.read();
        out_idx[i] = c.valid ? c.idx : index_t(NO_INDEX);
        out_score[i] = c.valid ? c.score : score_t(0);
    }
    const topk_stats_t t = tstats.read();
    const tier_split_t tiers = split_tiers(n, BRAM_PAGES, URAM_PAGES);
    stats[0] = tiers.bram;
    stats[1] = tiers.uram;
    stats[2] = tiers.hbm;
    stats[3] = t.rounds;
    stats[4] = t.survivors;
    stats[5] = t.inserts;
    stats[6] = 0;
    stats[7] = 0;
}

static void query_dataflow(FOR_EACH_PAGES_PORT(PMT_PAGE_ARG) const data_t* query,
                           chunk_t bram[PES][BRAM_PER_PE * CHUNKS + 1],
                           chunk_t uram[PES][URAM_PER_PE * CHUNKS + 1], index_t* out_idx, score_t* out_score,
                           ap_uint<32>* stats, ap_uint<32> n, int k) {
#pragma HLS dataflow
    hls::stream<data_t> qs[PES];
#pragma HLS stream variable = qs depth = 2
    hls::stream<chunk_t> chunks[PES];
#pragma HLS stream variable = chunks depth = 4 * CHUNKS
    hls::stream<cand_t<score_t> > cands[PES];
#pragma HLS stream variable = cands depth = 8
    hls::stream<cand_t<score_t>, K_MAX> res;
    hls::stream<topk_stats_t, 2> tstats;

    load_query(query, qs);
#define PMT_FETCH(i, name) fetch_pages(i, bram[i], uram[i], name, n, chunks[i]);
    FOR_EACH_PAGES_PORT(PMT_FETCH)
#define PMT_PE(i, name) pe(i, qs[i], n, chunks[i], cands[i]);
    FOR_EACH_PAGES_PORT(PMT_PE)
    topk_unit<score_t, PES, K_MAX>(cands, n, k, res, tstats);
    write_results(res, tstats, k, n, out_idx, out_score, stats);
}

#define PMT_PAGE_PRAGMA(i, name) \
    HLS_PRAGMA(HLS interface m_axi port = name offset = slave bundle = gmem_##name max_read_burst_length = 64)

extern "C" void page_minmax_topk(FOR_EACH_PAGES_PORT(PMT_PAGE_ARG) const data_t* query, index_t* out_idx,
                                 score_t* out_score, ap_uint<32>* stats, ap_uint<32> mode, ap_uint<32> first,
                                 ap_uint<32> n_pages, ap_uint<32> k) {
    FOR_EACH_PAGES_PORT(PMT_PAGE_PRAGMA)
#pragma HLS interface m_axi port = query offset = slave bundle = gmem_io
#pragma HLS interface m_axi port = out_idx offset = slave bundle = gmem_io
#pragma HLS interface m_axi port = out_score offset = slave bundle = gmem_io
#pragma HLS interface m_axi port = stats offset = slave bundle = gmem_io
#pragma HLS interface s_axilite port = mode
#pragma HLS interface s_axilite port = first
#pragma HLS interface s_axilite port = n_pages
#pragma HLS interface s_axilite port = k
#pragma HLS interface s_axilite port = return

    // The page index persists on chip between invocations. +1 keeps a zero-capacity tier legal C++.
    static chunk_t page_bram[PES][BRAM_PER_PE * CHUNKS + 1];
#pragma HLS aggregate variable = page_bram
#pragma HLS array_partition variable = page_bram complete dim = 1
#pragma HLS bind_storage variable = page_bram type = ram_2p impl = bram
    static chunk_t page_uram[PES][URAM_PER_PE * CHUNKS + 1];
#pragma HLS aggregate variable = page_uram
#pragma HLS array_partition variable = page_uram complete dim = 1
#pragma HLS bind_storage variable = page_uram type = ram_2p impl = uram

    const int kk = k > K_MAX ? K_MAX : int(k);  // the host checks k; clamp so HW never overruns
#define PMT_PAGE_NAME(i, name) name,
    if (mode == MODE_LOAD) {
        load_pages(FOR_EACH_PAGES_PORT(PMT_PAGE_NAME) page_bram, page_uram, first, n_pages);
    } else {
        query_dataflow(FOR_EACH_PAGES_PORT(PMT_PAGE_NAME) query, page_bram, page_uram, out_idx, out_score, stats,
                       n_pages, kk);
    }
}
