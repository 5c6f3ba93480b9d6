// C API of bm25_topk for C-simulation through ctypes (hetsim.fpga_runner.csim).
// Argument conversion only: every call goes through the HLS top function unchanged.
#include "bm25_topk.h"
#include "csim_capi.h"

static std::vector<beat_t> g_docs[CORES];  // simulated HBM behind ports docs0..docs{CORES-1}

extern "C" {

// Derived constants of this build, so the host lays out buffers exactly as the kernel reads them.
const char* csim_info() {
    static std::string text;
    std::ostringstream s;
    s << "kernel=bm25_topk;VOCAB=" << VOCAB << ";DOC_SLOTS=" << DOC_SLOTS << ";CORES=" << CORES << ";LANES=" << LANES
      << ";DOC_BEATS=" << DOC_BEATS << ";QUERY_TERMS_MAX=" << QUERY_TERMS_MAX << ";K1_Q=" << K1_Q << ";B_Q=" << B_Q
      << ";K_MAX=" << K_MAX << ";STATS_WORDS=" << STATS_WORDS;
    text = s.str();
    return text.c_str();
}

int csim_hbm_write(int port, const uint8_t* bytes, uint64_t nbytes) {
    return csim::guarded([&] {
        if (port < 0 || port >= CORES) throw csim::error("no HBM port docs" + std::to_string(port));
        g_docs[port] = csim::to_beats<AXI_WIDTH_BITS>(bytes, nbytes);
    });
}

#define CAPI_PORT(i, name) g_docs[i].data(),

// mode LOAD: the idf table, VOCAB x uint16 (Q4.12).
int csim_load(const uint16_t* idf) {
    return csim::guarded([&] {
        std::vector<idf_t> table(idf, idf + VOCAB);
        index_t idx[1];
        ap_uint<64> score[1];
        ap_uint<32> stats[STATS_WORDS];
        bm25_topk(FOR_EACH_DOCS_PORT(CAPI_PORT) nullptr, table.data(), idx, score, stats, MODE_LOAD, 0, 0, 1, 0);
    });
}

int csim_query(const uint32_t* terms, uint32_t n_terms, uint32_t n, uint32_t avgdl_q8, uint32_t k,
               uint32_t* out_idx, int64_t* out_score, uint32_t* stats) {
    return csim::guarded([&] {
        if (k < 1 || k > K_MAX) throw csim::error("k must be in 1.." + std::to_string(K_MAX));
        if (n_terms > QUERY_TERMS_MAX) throw csim::error("at most " + std::to_string(QUERY_TERMS_MAX) + " query terms");
        if (avgdl_q8 == 0) throw csim::error("avgdl_q8 must be positive");
        for (int c = 0; c < CORES; c++) {
            const uint64_t need = uint64_t(dealt_count(n, CORES, c)) * DOC_BEATS;
            if (g_docs[c].size() < need)
                throw csim::error("HBM port docs" + std::to_string(c) + " holds " + std::to_string(g_docs[c].size()) +
                                  " beats; " + std::to_string(n) + " documents need " + std::to_string(need));
        }
        std::vector<ap_uint<32> > q(QUERY_TERMS_MAX, 0);
        for (uint32_t i = 0; i < n_terms; i++) q[i] = terms[i];
        std::vector<index_t> idx(k);
        std::vector<ap_uint<64> > score(k);
        ap_uint<32> st[STATS_WORDS];
        bm25_topk(FOR_EACH_DOCS_PORT(CAPI_PORT) q.data(), nullptr, idx.data(), score.data(), st, MODE_QUERY, n, n_terms,
                  avgdl_q8, k);
        for (uint32_t i = 0; i < k; i++) {
            out_idx[i] = idx[i].to_uint();
            out_score[i] = int64_t(score[i].to_uint64());
        }
        for (int i = 0; i < STATS_WORDS; i++) stats[i] = st[i].to_uint();
    });
}

}  // extern "C"
