// The C API shared by the kernels' C-simulation libraries. Include once, after the kernel's
// header and after defining
//   CSIM_TOP            the HLS top function
//   CSIM_FOR_EACH_PORT  its generated item-port list (params.h)
//   CSIM_PORTS, CSIM_ITEM_BEATS, CSIM_PORT_NAME, CSIM_SCORE_T
//                       item ports, beats per item, the ports' name, the out_score element type
//   csim_params(std::ostream&)  the kernel's parameters for csim_info
//
//   csim_info()                      "kernel=<top>;<csim_params>;K_MAX=..;STATS_WORDS=..;JOB_WORDS=.."
//   csim_hbm_write(port, bytes, n)   the item port's HBM image (as XRT bo.write + sync would)
//   csim_query_write(bytes, n)       the io query buffer (every row's record and query, jobs.h)
//   csim_run(mode, n_jobs, n_rows, jobs, out_idx, out_score, stats)
//                                    one invocation: LOAD (job 0 describes it) or QUERY (n_jobs jobs
//                                    over rows 0 .. n_rows - 1); outputs hold n_rows x K_MAX entries
//                                    and n_rows x STATS_WORDS words
#ifndef HETSIM_CSIM_RUN_H
#define HETSIM_CSIM_RUN_H

#include "csim_capi.h"

static std::vector<beat_t> g_ports[CSIM_PORTS];  // simulated HBM behind the item ports
static std::vector<uint8_t> g_query;              // the io query buffer

// Word w of row r's record in the query buffer (little-endian, word w at bit 32 w of its first beat).
static uint32_t record_word(uint32_t r, int w) {
    const uint64_t at = uint64_t(r) * ROW_BEATS * (AXI_WIDTH_BITS / 8) + 4 * w;
    uint32_t word = 0;
    std::memcpy(&word, g_query.data() + at, 4);
    return word;
}

// The rows the jobs name and the HBM regions they read must exist (reading past a buffer is a
// host bug); a job covers at most ROWS_MAX rows.
static void check_regions(const uint32_t* jobs, uint32_t mode, uint32_t n_jobs, uint32_t n_rows) {
    const uint64_t rows_held = g_query.size() / (uint64_t(ROW_BEATS) * (AXI_WIDTH_BITS / 8));
    for (uint32_t j = 0; j < (mode == MODE_LOAD ? 1u : n_jobs); j++) {
        const uint32_t* d = jobs + j * JOB_WORDS;
        const uint32_t rows = mode == MODE_LOAD ? 1 : d[1];
        if (rows > uint32_t(ROWS_MAX))
            throw csim::error("job " + std::to_string(j) + " has " + std::to_string(rows) + " rows; ROWS_MAX is " +
                              std::to_string(ROWS_MAX));
        if (uint64_t(d[2]) + rows > rows_held || (mode != MODE_LOAD && uint64_t(d[2]) + rows > n_rows))
            throw csim::error("job " + std::to_string(j) + " names rows " + std::to_string(d[2]) + ".." +
                              std::to_string(d[2] + rows) + "; the query buffer holds " + std::to_string(rows_held) +
                              ", the outputs " + std::to_string(n_rows));
        for (uint32_t r = d[2]; r < d[2] + rows; r++) {
            if (record_word(r, 1) > K_MAX && mode != MODE_LOAD)
                throw csim::error("k must be in 1.." + std::to_string(K_MAX));
            const uint32_t last = mode == MODE_LOAD ? d[4] + d[3] : record_word(r, 0);
            for (int p = 0; p < CSIM_PORTS; p++) {
                const uint64_t need =
                    uint64_t(record_word(r, 2)) + uint64_t(dealt_count(last, CSIM_PORTS, p)) * CSIM_ITEM_BEATS;
                if (g_ports[p].size() < need)
                    throw csim::error(std::string("HBM port ") + CSIM_PORT_NAME + std::to_string(p) + " holds " +
                                      std::to_string(g_ports[p].size()) + " beats; row " + std::to_string(r) +
                                      " needs " + std::to_string(need));
            }
        }
    }
}

extern "C" {

int csim_hbm_write(int port, const uint8_t* bytes, uint64_t nbytes) {
    return csim::guarded([&] {
        if (port < 0 || port >= CSIM_PORTS)
            throw csim::error(std::string("no HBM port ") + CSIM_PORT_NAME + std::to_string(port));
        g_ports[port] = csim::to_beats<AXI_WIDTH_BITS>(bytes, nbytes);
    });
}

int csim_query_write(const uint8_t* bytes, uint64_t nbytes) {
    return csim::guarded([&] { g_query.assign(bytes, bytes + nbytes); });
}

int csim_run(uint32_t mode, uint32_t n_jobs, uint32_t n_rows, uint32_t* jobs, uint32_t* out_idx, int64_t* out_score,
             uint32_t* stats) {
    return csim::guarded([&] {
        check_regions(jobs, mode, n_jobs, n_rows);
        const uint32_t slots = mode == MODE_LOAD ? 1 : n_rows;
        std::vector<index_t> idx(size_t(slots) * K_MAX);
        std::vector<CSIM_SCORE_T> score(size_t(slots) * K_MAX);
        std::vector<ap_uint<32> > st(size_t(slots) * STATS_WORDS);
        const std::vector<beat_t> q = csim::to_beats<AXI_WIDTH_BITS>(g_query.data(), g_query.size());
#define CSIM_PORT_DATA(i, name) g_ports[i].data(),
        CSIM_TOP(CSIM_FOR_EACH_PORT(CSIM_PORT_DATA) jobs, q.data(), idx.data(), score.data(), st.data(), mode, n_jobs);
        if (mode == MODE_LOAD) return;
        for (size_t i = 0; i < idx.size(); i++) {
            out_idx[i] = idx[i].to_uint();
            out_score[i] = int64_t(score[i].to_int64());
        }
        for (size_t i = 0; i < st.size(); i++) stats[i] = st[i].to_uint();
    });
}

#define CSIM_STR_(x) #x
#define CSIM_STR(x) CSIM_STR_(x)
const char* csim_info() {
    static std::string text;
    std::ostringstream s;
    s << "kernel=" << CSIM_STR(CSIM_TOP) << ";";
    csim_params(s);
    s << ";K_MAX=" << K_MAX << ";STATS_WORDS=" << STATS_WORDS << ";JOB_WORDS=" << JOB_WORDS << ";ROW_WORDS=" << ROW_WORDS
      << ";REC_BEATS=" << REC_BEATS << ";ROW_BEATS=" << ROW_BEATS << ";ROWS_MAX=" << ROWS_MAX;
    text = s.str();
    return text.c_str();
}

}  // extern "C"

#endif  // HETSIM_CSIM_RUN_H
