// C API of pq_lut_topk for C-simulation through ctypes (hetsim.fpga_runner.csim).
// Argument conversion only: every call goes through the HLS top function unchanged.
#include "pq_lut_topk.h"

#define CSIM_PORTS PES
#define CSIM_ITEM_BEATS 1
#define CSIM_PORT_NAME "codes"
#define CSIM_SCORE_T score_t
#define CSIM_TOP pq_lut_topk
#define CSIM_FOR_EACH_PORT FOR_EACH_CODES_PORT

// The kernel's parameters for csim_info (csim_run.h adds the kernel's name, K_MAX, STATS_WORDS
// and JOB_WORDS).
static void csim_params(std::ostream& s) {
    s << "HEADS=" << HEADS << ";SUBSPACES=" << SUBSPACES << ";CODEBOOK=" << CODEBOOK
      << ";PES=" << PES << ";KPB=" << KPB << ";STREAMS=" << STREAMS << ";ITEM_BEATS=1;QUERY_BEATS=" << QUERY_BEATS;
}

#include "csim_run.h"
