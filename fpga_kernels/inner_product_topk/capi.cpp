// C API of inner_product_topk for C-simulation through ctypes (hetsim.fpga_runner.csim).
// Argument conversion only: every call goes through the HLS top function unchanged.
#include <sstream>

#include "csim_capi.h"
#include "inner_product_topk.h"

static std::vector<beat_t> g_keys[PES];  // simulated HBM behind ports keys0..keys{PES-1}

extern "C" {

// Derived constants of this build, so the host lays out buffers exactly as the kernel reads them.
const char* csim_info() {
    static std::string text;
    std::ostringstream s;
    s << "kernel=inner_product_topk;HEADS=" << HEADS << ";HEAD_DIM=" << HEAD_DIM << ";PES=" << PES
      << ";LANES=" << LANES << ";CHUNKS=" << CHUNKS << ";KEY_BEATS=" << KEY_BEATS
      << ";ELEMS_PER_BEAT=" << ELEMS_PER_BEAT << ";BRAM_KEYS=" << BRAM_KEYS << ";URAM_KEYS=" << URAM_KEYS
      << ";K_MAX=" << K_MAX << ";STATS_WORDS=" << STATS_WORDS;
    text = s.str();
    return text.c_str();
}

int csim_hbm_write(int port, const uint8_t* bytes, uint64_t nbytes) {
    return csim::guarded([&] {
        if (port < 0 || port >= PES) throw csim::error("no HBM port keys" + std::to_string(port));
        g_keys[port] = csim::to_beats<AXI_WIDTH_BITS>(bytes, nbytes);
    });
}

static void check_hbm_holds(uint32_t last_key) {
    for (int p = 0; p < PES; p++) {
        const uint64_t need = uint64_t(dealt_count(last_key, PES, p)) * KEY_BEATS;
        if (g_keys[p].size() < need)
            throw csim::error("HBM port keys" + std::to_string(p) + " holds " + std::to_string(g_keys[p].size()) +
                              " beats; keys up to " + std::to_string(last_key) + " need " + std::to_string(need));
    }
}

int csim_load(uint32_t first, uint32_t n) {
    return csim::guarded([&] {
        check_hbm_holds(first + n);
        index_t idx[1];
        score_t score[1];
        ap_uint<32> stats[STATS_WORDS];
#define CAPI_PORT(i, name) g_keys[i].data(),
        inner_product_topk(FOR_EACH_KEYS_PORT(CAPI_PORT) nullptr, nullptr, idx, score, stats, MODE_LOAD, first, n, 0,
                           0);
    });
}

int csim_query(const int16_t* query, const int16_t* head_w, uint32_t n, uint32_t k, uint32_t relu,
               uint32_t* out_idx, int64_t* out_score, uint32_t* stats) {
    return csim::guarded([&] {
        if (k < 1 || k > K_MAX) throw csim::error("k must be in 1.." + std::to_string(K_MAX));
        check_hbm_holds(n);
        std::vector<data_t> q(HEADS * HEAD_DIM), w(HEADS);
        for (int i = 0; i < HEADS * HEAD_DIM; i++) q[i] = query[i];
        for (int h = 0; h < HEADS; h++) w[h] = head_w[h];
        std::vector<index_t> idx(k);
        std::vector<score_t> score(k);
        ap_uint<32> st[STATS_WORDS];
        inner_product_topk(FOR_EACH_KEYS_PORT(CAPI_PORT) q.data(), w.data(), idx.data(), score.data(), st,
                           MODE_QUERY, 0, n, k, relu);
        for (uint32_t i = 0; i < k; i++) {
            out_idx[i] = idx[i].to_uint();
            out_score[i] = score[i].to_int64();
        }
        for (int i = 0; i < STATS_WORDS; i++) stats[i] = st[i].to_uint();
    });
}

}  // extern "C"
