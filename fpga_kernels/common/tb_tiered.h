// The launch and the check the tiered kernels' testbenches share (inner_product_topk,
// page_minmax_topk): LOAD each job's on-chip items, run the jobs in one QUERY launch, then compare
// every job's top-k slot by slot with its reference (sorted by (score desc, index asc)) and its
// stats (the tiers' counts sum to n, the job index). Prints one "ok"/"FAIL" line a job.
// Include in a testbench after defining
//   TB_TOP              the HLS top function
//   TB_FOR_EACH_PORT    its generated item-port list (params.h)
// and after its Case (n, k, range) and g_hbm[PES] (the simulated HBM behind the item ports).
#ifndef HETSIM_TB_TIERED_H
#define HETSIM_TB_TIERED_H

#include <algorithm>
#include <cstdio>
#include <vector>

static bool run_and_check(const std::vector<Case>& cases,
                          std::vector<std::vector<std::pair<int64_t, unsigned> > >& refs, std::vector<unsigned>& jobs,
                          const std::vector<beat_t>& query) {
    const unsigned J = cases.size();
    std::vector<index_t> idx(J * K_MAX);
    std::vector<score_t> score(J * K_MAX);
    std::vector<ap_uint<32> > stats(J * STATS_WORDS);
#define TB_PORT(i, name) g_hbm[i].data(),
    for (unsigned j = 0; j < J; j++) {  // LOAD each job's on-chip items (job 0 of a LOAD describes it)
        std::vector<unsigned> load(jobs.begin() + j * JOB_WORDS, jobs.begin() + (j + 1) * JOB_WORDS);
        load[0] = 1;
        load[1] = load[5];
        load[7] = 0;
        TB_TOP(TB_FOR_EACH_PORT(TB_PORT) load.data(), query.data(), idx.data(), score.data(), stats.data(),
               MODE_LOAD, 1);
    }
    TB_TOP(TB_FOR_EACH_PORT(TB_PORT) jobs.data(), query.data(), idx.data(), score.data(), stats.data(), MODE_QUERY,
           J);

    bool ok = true;
    for (unsigned j = 0; j < J; j++) {
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
        if (st[ST_BRAM] + st[ST_URAM] + st[ST_HBM] != c.n || st[ST_JOB] != j) errors++;
        std::printf("%s n=%u k=%u range=%d tiers=%u/%u/%u survivors=%u job=%u/%u\n", errors ? "FAIL" : "ok  ", c.n,
                    c.k, c.range, st[ST_BRAM].to_uint(), st[ST_URAM].to_uint(), st[ST_HBM].to_uint(),
                    st[ST_SURVIVORS].to_uint(), j, J);
        ok = ok && errors == 0;
    }
    return ok;
}

#endif  // HETSIM_TB_TIERED_H
