// The launch and the check the tiered kernels' testbenches share (inner_product_topk,
// page_minmax_topk): LOAD each row's on-chip items, run the rows in one QUERY launch (`rows_per_job`
// rows a job: a job covers a layer's whole batch), then compare every row's top-k slot by slot
// with its reference (sorted by (score desc, index asc)) and its stats (the tiers' counts sum to
// n, the row and job index). Prints one "ok"/"FAIL" line a row.
// Include in a testbench after defining
//   TB_TOP              the HLS top function
//   TB_FOR_EACH_PORT    its generated item-port list (params.h)
// and after its Case (n, k, range) and g_hbm[PES] (the simulated HBM behind the item ports).
#ifndef HETSIM_TB_TIERED_H
#define HETSIM_TB_TIERED_H

#include <algorithm>
#include <cstdio>
#include <vector>

#include "tb_rows.h"

static bool run_and_check(const std::vector<Case>& cases,
                          std::vector<std::vector<std::pair<int64_t, unsigned> > >& refs, const std::vector<tb_row>& rows,
                          const std::vector<beat_t>& queries, unsigned rows_per_job) {
    const unsigned R = cases.size();
    const tb_launch launch = tb_pack(rows, queries, rows_per_job);
    std::vector<index_t> idx(R * K_MAX);
    std::vector<score_t> score(R * K_MAX);
    std::vector<ap_uint<32> > stats(R * STATS_WORDS);
#define TB_PORT(i, name) g_hbm[i].data(),
    for (unsigned r = 0; r < R; r++) {  // LOAD each row's on-chip items
        std::vector<unsigned> load = tb_load_job(r, 0, rows[r].chip_n);
        TB_TOP(TB_FOR_EACH_PORT(TB_PORT) load.data(), launch.query.data(), idx.data(), score.data(), stats.data(),
               MODE_LOAD, 1);
    }
    std::vector<unsigned> jobs = launch.jobs;
    TB_TOP(TB_FOR_EACH_PORT(TB_PORT) jobs.data(), launch.query.data(), idx.data(), score.data(), stats.data(),
           MODE_QUERY, launch.n_jobs);

    bool ok = true;
    for (unsigned j = 0; j < R; j++) {
        const Case& c = cases[j];
        int errors = 0;
        if (K_MAX > SYSTOLIC_K_MAX) {  // the select unit writes the set stream by stream (topk_select.h)
            const unsigned m = std::min(c.n, c.k);
            std::sort(refs[j].begin(), refs[j].begin() + m,
                      [](const std::pair<int64_t, unsigned>& a, const std::pair<int64_t, unsigned>& b) {
                          return a.second % PES != b.second % PES ? a.second % PES < b.second % PES : a.second < b.second;
                      });
        }
        for (unsigned i = 0; i < c.k; i++) {
            const bool valid = i < c.n;
            const unsigned want_idx = valid ? refs[j][i].second : NO_INDEX;
            const int64_t want_score = valid ? refs[j][i].first : 0;
            const index_t got_idx = idx[j * K_MAX + i];
            const int64_t got_score = score[j * K_MAX + i].to_int64();
            if (got_idx != want_idx || got_score != want_score) {
                if (errors++ < 5)
                    std::printf("  slot %u: got (%u, %lld) want (%u, %lld)\n", i, got_idx.to_uint(),
                                (long long)got_score, want_idx, (long long)want_score);
            }
        }
        const ap_uint<32>* st = &stats[j * STATS_WORDS];
        if (st[ST_BRAM] + st[ST_URAM] + st[ST_HBM] != c.n || st[ST_ROW] != j || st[ST_JOB] != launch.job_of[j]) errors++;
        std::printf("%s n=%u k=%u range=%d tiers=%u/%u/%u survivors=%u row=%u/%u job=%u/%u\n", errors ? "FAIL" : "ok  ",
                    c.n, c.k, c.range, st[ST_BRAM].to_uint(), st[ST_URAM].to_uint(), st[ST_HBM].to_uint(),
                    st[ST_SURVIVORS].to_uint(), j, R, st[ST_JOB].to_uint(), launch.n_jobs);
        ok = ok && errors == 0;
    }
    return ok;
}

#endif  // HETSIM_TB_TIERED_H
