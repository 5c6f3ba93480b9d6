// C-simulation testbench of pq_lut_topk against a plain C++ reference (int64 sums of the table
// entries, ReLU, head weights; std::sort on (score desc, index asc), then the kernel's output
// order: best first for the systolic top-k, (index % STREAMS, index / STREAMS) for the select).
// Small table entries make scores tie. Cases cover k = 1, k = k_max, n not a multiple of the
// streams, n = 0, ReLU on and off, one job over two rows and two jobs over three rows.
// Usage: csim_tb [seed]. Exit status 0 and "PASS" when every case matches.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <vector>

#include "pq_lut_topk.h"
#include "tb_rows.h"

struct Case {
    unsigned n, k;
    bool relu;
};

static std::vector<beat_t> g_hbm[PES];

static bool run_launch(const std::vector<Case>& cases, std::mt19937& rng, unsigned rows_per_job = 1) {
    for (int p = 0; p < PES; p++) g_hbm[p].clear();
    const unsigned J = cases.size();
    std::vector<tb_row> rows;
    std::vector<beat_t> query(J * QUERY_BEATS, beat_t(0));
    std::vector<std::vector<std::pair<int64_t, unsigned> > > refs;
    unsigned region = 0;
    for (unsigned j = 0; j < J; j++) {
        const Case& c = cases[j];
        std::uniform_int_distribution<int> entry(-3, 3), weight(-3, 3), code(0, CODEBOOK - 1);
        std::vector<int> table(ROWS * CODEBOOK), w(HEADS);
        for (int& t : table) t = entry(rng);
        for (int& x : w) x = weight(rng);
        for (int e = 0; e < ROWS * CODEBOOK; e++)
            query[j * QUERY_BEATS + e / EPB].range(LUT_BITS * (e % EPB) + LUT_BITS - 1, LUT_BITS * (e % EPB)) =
                ap_int<LUT_BITS>(table[e]);
        for (int h = 0; h < HEADS; h++)
            query[j * QUERY_BEATS + TABLE_BEATS].range(16 * h + 15, 16 * h) = ap_int<16>(w[h]);
        const unsigned beats = (c.n + STREAMS - 1) / STREAMS;
        for (int p = 0; p < PES; p++) g_hbm[p].resize(region + beats, beat_t(0));
        std::vector<std::pair<int64_t, unsigned> > ref;
        for (unsigned g = 0; g < c.n; g++) {
            const unsigned s = g % STREAMS, p = s / KPB, l = s % KPB, b = g / STREAMS;
            int64_t score = 0;
            std::vector<int64_t> sums(HEADS, 0);
            for (int m = 0; m < SUBSPACES; m++) {
                const int cd = code(rng);
                const int bit = CODE_BITS * (l * SUBSPACES + m);
                g_hbm[p][region + b].range(bit + CODE_BITS - 1, bit) = cd;
                for (int h = 0; h < HEADS; h++) sums[h] += table[(h * SUBSPACES + m) * CODEBOOK + cd];
            }
            for (int h = 0; h < HEADS; h++) score += (c.relu && sums[h] < 0 ? 0 : sums[h]) * w[h];
            ref.push_back({score, g});
        }
        tb_rank(ref);
        if (ref.size() > c.k) ref.resize(c.k);
        if (K_MAX > 256)
            std::sort(ref.begin(), ref.end(), [](const std::pair<int64_t, unsigned>& a,
                                                 const std::pair<int64_t, unsigned>& b) {
                const unsigned sa = a.second % STREAMS, sb = b.second % STREAMS;
                return sa != sb ? sa < sb : a.second < b.second;
            });
        refs.push_back(ref);
        const tb_row row = {c.n, c.k, region, 0, 0, unsigned(c.relu)};
        rows.push_back(row);
        region += beats;
    }
    const tb_launch launch = tb_pack(rows, query, rows_per_job);
    std::vector<unsigned> jobs = launch.jobs;
    std::vector<index_t> idx(J * K_MAX);
    std::vector<score_t> score(J * K_MAX);
    std::vector<ap_uint<32> > st(J * STATS_WORDS);
    pq_lut_topk(
#define TB_PORT(i, name) g_hbm[i].empty() ? nullptr : g_hbm[i].data(),
        FOR_EACH_CODES_PORT(TB_PORT) jobs.data(), launch.query.data(), idx.data(), score.data(), st.data(), MODE_QUERY,
        launch.n_jobs);
    bool all = true;
    for (unsigned j = 0; j < J; j++) {
        const Case& c = cases[j];
        bool ok = st[j * STATS_WORDS + ST_HBM] == c.n && st[j * STATS_WORDS + ST_ROW] == j &&
                  st[j * STATS_WORDS + ST_JOB] == launch.job_of[j];
        for (unsigned i = 0; i < c.k; i++) {
            const bool have = i < refs[j].size();
            ok = ok && idx[j * K_MAX + i] == (have ? refs[j][i].second : NO_INDEX) &&
                 score[j * K_MAX + i] == (have ? refs[j][i].first : 0);
        }
        std::printf("%s n=%u k=%u relu=%d row=%u/%u job=%u/%u\n", ok ? "ok" : "FAIL", c.n, c.k, int(c.relu), j, J,
                    launch.job_of[j], launch.n_jobs);
        all = all && ok;
    }
    return all;
}

int main(int argc, char** argv) {
    std::mt19937 rng(argc > 1 ? std::atoi(argv[1]) : 1);
    const unsigned kmax = K_MAX, odd = 3 * STREAMS + 7;
    bool ok = true;
    ok = run_launch({{1, 1, true}}, rng) && ok;
    ok = run_launch({{odd, 1, true}}, rng) && ok;
    ok = run_launch({{odd, 5, false}}, rng) && ok;
    ok = run_launch({{kmax + STREAMS + 3, kmax, true}}, rng) && ok;
    ok = run_launch({{0, 4, true}}, rng) && ok;
    ok = run_launch({{10, 20 < kmax ? 20 : kmax, true}}, rng) && ok;
    // one job covering two rows (requests), then three rows in jobs of two
    ok = run_launch({{odd, 9, true}, {2 * STREAMS, 3, true}}, rng, 2) && ok;
    ok = run_launch({{2 * STREAMS + 1, 3, false}, {STREAMS, 9, true}, {7, 4, true}}, rng, 2) && ok;
    std::printf(ok ? "PASS\n" : "FAIL\n");
    return ok ? 0 : 1;
}
