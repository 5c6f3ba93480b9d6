// The last dataflow process of every kernel: a row's k results and its stats record
// (stats_words.h) into slot `row` of the output buffers (`job`: the job the row belongs to).
#ifndef HETSIM_JOB_RESULTS_H
#define HETSIM_JOB_RESULTS_H

#include <ap_int.h>
#include <hls_stream.h>

#include "stats_words.h"
#include "tiers.h"
#include "topk.h"

// N: the PEs (one fetch_stats_t and one trip count each); OUT: the score type of the out_score
// port (the top-k's score widened where the port is wider). Kernels without on-chip tiers report
// zero BRAM and URAM items, so the sums hold for them too.
template <int N, int K_MAX, typename SCORE, typename OUT>
void write_results(hls::stream<cand_t<SCORE> >& res, hls::stream<topk_stats_t>& tstats,
                   hls::stream<fetch_stats_t> fstats[N], hls::stream<ap_uint<32> > trips[N], int k,
                   ap_uint<32> job, ap_uint<32> row, index_t* out_idx, OUT* out_score, ap_uint<32>* stats) {
    const ap_uint<32> at = row * K_MAX;
results:
    for (int i = 0; i < k; i++) {  // k entries in the top-k's order; invalid ones when k > n
#pragma HLS pipeline II = 1
        const cand_t<SCORE> c = res.read();
        out_idx[at + i] = c.valid ? c.idx : index_t(NO_INDEX);
        out_score[at + i] = c.valid ? OUT(c.score) : OUT(0);
    }
    ap_uint<32> st[STATS_WORDS];
    for (int i = 0; i < STATS_WORDS; i++) st[i] = 0;
    for (int p = 0; p < N; p++) {
        const fetch_stats_t f = fstats[p].read();
        const ap_uint<32> t = trips[p].read();
        st[ST_BRAM] += f.bram;
        st[ST_URAM] += f.uram;
        st[ST_HBM] += f.hbm;
        if (f.hbm_beats > st[ST_HBM_BEATS]) st[ST_HBM_BEATS] = f.hbm_beats;
        if (t > st[ST_PE_TRIPS]) st[ST_PE_TRIPS] = t;
    }
    const topk_stats_t t = tstats.read();
    st[ST_ROUNDS] = t.rounds;
    st[ST_SURVIVORS] = t.survivors;
    st[ST_MERGED] = t.merged;
    st[ST_TOPK_CYCLES] = t.cycles;
    st[ST_LEVELS] = t.levels;
    st[ST_JOB] = job;
    st[ST_ROW] = row;
    for (int i = 0; i < STATS_WORDS; i++) stats[row * STATS_WORDS + i] = st[i];
}

#endif  // HETSIM_JOB_RESULTS_H
