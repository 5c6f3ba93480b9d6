// C API of page_minmax_topk for C-simulation through ctypes (hetsim.fpga_runner.csim).
// Argument conversion only: every call goes through the HLS top function unchanged.
#include "page_minmax_topk.h"

#define CSIM_PORTS PES
#define CSIM_ITEM_BEATS PAGE_BEATS
#define CSIM_PORT_NAME "pages"
#define CSIM_SCORE_T score_t
#define CSIM_TOP page_minmax_topk
#define CSIM_FOR_EACH_PORT FOR_EACH_PAGES_PORT

// The kernel's parameters for csim_info (csim_run.h adds the kernel's name, K_MAX, STATS_WORDS
// and JOB_WORDS).
static void csim_params(std::ostream& s) {
    s << "HEADS=" << HEADS << ";HEAD_DIM=" << HEAD_DIM << ";PES=" << PES
      << ";LANES=" << LANES << ";HALF=" << HALF << ";ITEM_BEATS=" << PAGE_BEATS << ";QUERY_BEATS=" << QUERY_BEATS
      << ";BRAM_SLOTS=" << BRAM_SLOTS << ";URAM_SLOTS=" << URAM_SLOTS;
}

#include "csim_run.h"
