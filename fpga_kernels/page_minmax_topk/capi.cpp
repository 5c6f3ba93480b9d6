// C API of page_minmax_topk for C-simulation through ctypes (hetsim.fpga_runner.csim).
// Argument conversion only: every call goes through the HLS top function unchanged.
#include "csim_capi.h"
#include "page_minmax_topk.h"

static std::vector<beat_t> g_pages[PES];  // simulated HBM behind ports pages0..pages{PES-1}

extern "C" {

// Derived constants of this build, so the host lays out buffers exactly as the kernel reads them.
const char* csim_info() {
    static std::string text;
    std::ostringstream s;
    s << "kernel=page_minmax_topk;HEADS=" << HEADS << ";HEAD_DIM=" << HEAD_DIM << ";PES=" << PES
      << ";LANES=" << LANES << ";CHUNKS=" << CHUNKS << ";PAGE_BEATS=" << PAGE_BEATS
      << ";ELEMS_PER_BEAT=" << ELEMS_PER_BEAT << ";BRAM_PAGES=" << BRAM_PAGES << ";URAM_PAGES=" << URAM_PAGES
      << ";K_MAX=" << K_MAX << ";STATS_WORDS=" << STATS_WORDS;
    text = s.str();
    return text.c_str();
}

int csim_hbm_write(int port, const uint8_t* bytes, uint64_t nbytes) {
    return csim::guarded([&] {
        if (port < 0 || port >= PES) throw csim::error("no HBM port pages" + std::to_string(port));
        g_pages[port] = csim::to_beats<AXI_WIDTH_BITS>(bytes, nbytes);
    });
}

static void check_hbm_holds(uint32_t last_page) {
    for (int p = 0; p < PES; p++) {
        const uint64_t need = uint64_t(dealt_count(last_page, PES, p)) * PAGE_BEATS;
        if (g_pages[p].size() < need)
            throw csim::error("HBM port pages" + std::to_string(p) + " holds " + std::to_string(g_pages[p].size()) +
                              " beats; pages up to " + std::to_string(last_page) + " need " + std::to_string(need));
    }
}

#define CAPI_PORT(i, name) g_pages[i].data(),

int csim_load(uint32_t first, uint32_t n) {
    return csim::guarded([&] {
        check_hbm_holds(first + n);
        index_t idx[1];
        score_t score[1];
        ap_uint<32> stats[STATS_WORDS];
        page_minmax_topk(FOR_EACH_PAGES_PORT(CAPI_PORT) nullptr, idx, score, stats, MODE_LOAD, first, n, 0);
    });
}

int csim_query(const int16_t* query, uint32_t n, uint32_t k, uint32_t* out_idx, int64_t* out_score,
               uint32_t* stats) {
    return csim::guarded([&] {
        if (k < 1 || k > K_MAX) throw csim::error("k must be in 1.." + std::to_string(K_MAX));
        check_hbm_holds(n);
        std::vector<data_t> q(query, query + HEADS * HEAD_DIM);
        std::vector<index_t> idx(k);
        std::vector<score_t> score(k);
        ap_uint<32> st[STATS_WORDS];
        page_minmax_topk(FOR_EACH_PAGES_PORT(CAPI_PORT) q.data(), idx.data(), score.data(), st, MODE_QUERY, 0, n,
                         k);
        for (uint32_t i = 0; i < k; i++) {
            out_idx[i] = idx[i].to_uint();
            out_score[i] = score[i].to_int64();
        }
        for (int i = 0; i < STATS_WORDS; i++) stats[i] = st[i].to_uint();
    });
}

}  // extern "C"
