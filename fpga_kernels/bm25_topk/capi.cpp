// C API of bm25_topk for C-simulation through ctypes (hetsim.fpga_runner.csim).
// Argument conversion only: every call goes through the HLS top function unchanged.
#include "bm25_topk.h"

#define CSIM_PORTS CORES
#define CSIM_ITEM_BEATS DOC_BEATS
#define CSIM_PORT_NAME "docs"
#define CSIM_SCORE_T ap_uint<64>
#define CSIM_TOP bm25_topk
#define CSIM_FOR_EACH_PORT FOR_EACH_DOCS_PORT

// The kernel's parameters for csim_info (csim_run.h adds the kernel's name, K_MAX, STATS_WORDS
// and JOB_WORDS).
static void csim_params(std::ostream& s) {
    s << "VOCAB=" << VOCAB << ";DOC_SLOTS=" << DOC_SLOTS << ";CORES=" << CORES << ";LANES=" << LANES
      << ";ITEM_BEATS=" << DOC_BEATS << ";QUERY_BEATS=" << QUERY_BEATS << ";QUERY_TERMS_MAX=" << QUERY_TERMS_MAX;
}

#include "csim_run.h"
