// C API of inner_product_topk for C-simulation through ctypes (hetsim.fpga_runner.csim).
// Argument conversion only: every call goes through the HLS top function unchanged.
#include "inner_product_topk.h"

#define CSIM_PORTS PES
#define CSIM_ITEM_BEATS KEY_BEATS
#define CSIM_PORT_NAME "keys"
#define CSIM_SCORE_T score_t
#define CSIM_TOP inner_product_topk
#define CSIM_FOR_EACH_PORT FOR_EACH_KEYS_PORT

// The kernel's parameters for csim_info (csim_run.h adds the kernel's name, K_MAX, STATS_WORDS
// and JOB_WORDS).
static void csim_params(std::ostream& s) {
    s << "HEADS=" << HEADS << ";HEAD_DIM=" << HEAD_DIM << ";PES=" << PES
      << ";LANES=" << LANES << ";ITEM_BEATS=" << KEY_BEATS << ";QUERY_BEATS=" << QUERY_BEATS
      << ";BRAM_SLOTS=" << BRAM_SLOTS << ";URAM_SLOTS=" << URAM_SLOTS;
}

#include "csim_run.h"
