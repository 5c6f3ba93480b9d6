// C API of pq_lut_topk for C-simulation through ctypes (hetsim.fpga_runner.csim).
// Argument conversion only: every call goes through the HLS top function unchanged.
#include "pq_lut_topk.h"

#define CSIM_PORTS PES
#define CSIM_ITEM_BEATS 1
#define CSIM_PORT_NAME "codes"
#define CSIM_SCORE_T score_t
#define CAPI_PORT(i, name) g_ports[i].data(),
#define CSIM_CALL(mode, n_jobs)                                                                                \
    do {                                                                                                       \
        const std::vector<beat_t> q = csim::to_beats<AXI_WIDTH_BITS>(g_query.data(), g_query.size());        \
        pq_lut_topk(FOR_EACH_CODES_PORT(CAPI_PORT) jobs, q.data(), idx.data(), score.data(), st.data(), mode, \
                    n_jobs);                                                                                   \
    } while (0)
#include "csim_run.h"

extern "C" const char* csim_info() {
    static std::string text;
    std::ostringstream s;
    s << "kernel=pq_lut_topk;HEADS=" << HEADS << ";SUBSPACES=" << SUBSPACES << ";CODEBOOK=" << CODEBOOK
      << ";PES=" << PES << ";KPB=" << KPB << ";STREAMS=" << STREAMS << ";ITEM_BEATS=1;QUERY_BEATS=" << QUERY_BEATS
      << ";K_MAX=" << K_MAX << ";STATS_WORDS=" << STATS_WORDS << ";JOB_WORDS=" << JOB_WORDS;
    text = s.str();
    return text.c_str();
}
