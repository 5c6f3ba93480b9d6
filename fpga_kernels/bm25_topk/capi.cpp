// C API of bm25_topk for C-simulation through ctypes (hetsim.fpga_runner.csim).
// Argument conversion only: every call goes through the HLS top function unchanged.
#include "bm25_topk.h"

#define CSIM_PORTS CORES
#define CSIM_ITEM_BEATS DOC_BEATS
#define CSIM_PORT_NAME "docs"
#define CSIM_SCORE_T ap_uint<64>
#define CAPI_PORT(i, name) g_ports[i].data(),
#define CSIM_CALL(mode, n_jobs)                                                                                    \
    do {                                                                                                           \
        const std::vector<beat_t> q = csim::to_beats<AXI_WIDTH_BITS>(g_query.data(), g_query.size());            \
        bm25_topk(FOR_EACH_DOCS_PORT(CAPI_PORT) jobs, q.data(), idx.data(), score.data(), st.data(), mode, \
                           n_jobs);                                                                                \
    } while (0)
#include "csim_run.h"

extern "C" const char* csim_info() {
    static std::string text;
    std::ostringstream s;
    s << "kernel=bm25_topk;VOCAB=" << VOCAB << ";DOC_SLOTS=" << DOC_SLOTS << ";CORES=" << CORES << ";LANES=" << LANES
      << ";ITEM_BEATS=" << DOC_BEATS << ";QUERY_BEATS=" << QUERY_BEATS << ";QUERY_TERMS_MAX=" << QUERY_TERMS_MAX
      << ";K_MAX=" << K_MAX << ";STATS_WORDS=" << STATS_WORDS << ";JOB_WORDS=" << JOB_WORDS;
    text = s.str();
    return text.c_str();
}
