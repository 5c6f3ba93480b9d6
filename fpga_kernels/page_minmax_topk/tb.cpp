// C-simulation testbench of page_minmax_topk: random page bounds against a plain C++ reference
// (int64 arithmetic + std::sort on (score desc, index asc)). Small value ranges make many ties;
// the cases cover k = 1, k = n, n not a multiple of PES, and pages spilling BRAM -> URAM -> HBM.
// Usage: csim_tb [seed]. Exit status 0 and "PASS" when every case matches.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <vector>

#include "page_minmax_topk.h"

struct Case {
    unsigned n, k;
    int range;  // bounds and query drawn from [-range, range]
};

static std::vector<beat_t> g_hbm[PES];

// bounds[g][0..HEAD_DIM) = kmin, [HEAD_DIM..2*HEAD_DIM) = kmax, as the HBM layout.
static void write_hbm(const std::vector<int16_t>& bounds, unsigned n) {
    for (int p = 0; p < PES; p++) g_hbm[p].assign(size_t(dealt_count(n, PES, p)) * PAGE_BEATS + 1, beat_t(0));
    for (unsigned g = 0; g < n; g++) {
        for (int e = 0; e < 2 * HEAD_DIM; e++) {
            beat_t& beat = g_hbm[g % PES][(g / PES) * PAGE_BEATS + e / ELEMS_PER_BEAT];
            const int l = e % ELEMS_PER_BEAT;
            beat.range(DATA_BITS * l + DATA_BITS - 1, DATA_BITS * l) = ap_int<DATA_BITS>(bounds[size_t(g) * 2 * HEAD_DIM + e]);
        }
    }
}

static bool run_case(const Case& c, std::mt19937& rng) {
    std::uniform_int_distribution<int> val(-c.range, c.range), spread(0, c.range);
    std::vector<int16_t> bounds(size_t(c.n) * 2 * HEAD_DIM), q(HEADS * HEAD_DIM);
    for (unsigned g = 0; g < c.n; g++)
        for (int e = 0; e < HEAD_DIM; e++) {
            const int lo = val(rng);
            bounds[size_t(g) * 2 * HEAD_DIM + e] = int16_t(lo);
            bounds[size_t(g) * 2 * HEAD_DIM + HEAD_DIM + e] = int16_t(std::min(lo + spread(rng), 32767));
        }
    for (auto& v : q) v = int16_t(val(rng));
    write_hbm(bounds, c.n);

    std::vector<std::pair<int64_t, unsigned> > ref(c.n);
    for (unsigned g = 0; g < c.n; g++) {
        int64_t score = 0;
        for (int h = 0; h < HEADS; h++)
            for (int e = 0; e < HEAD_DIM; e++) {
                const int64_t a = int64_t(q[h * HEAD_DIM + e]) * bounds[size_t(g) * 2 * HEAD_DIM + e];
                const int64_t b = int64_t(q[h * HEAD_DIM + e]) * bounds[size_t(g) * 2 * HEAD_DIM + HEAD_DIM + e];
                score += std::max(a, b);
            }
        ref[g] = {score, g};
    }
    std::sort(ref.begin(), ref.end(), [](const std::pair<int64_t, unsigned>& a, const std::pair<int64_t, unsigned>& b) {
        return a.first != b.first ? a.first > b.first : a.second < b.second;
    });

    std::vector<data_t> qd(q.begin(), q.end());
    std::vector<index_t> idx(c.k);
    std::vector<score_t> score(c.k);
    ap_uint<32> stats[STATS_WORDS];
#define TB_PORT(i, name) g_hbm[i].data(),
    page_minmax_topk(FOR_EACH_PAGES_PORT(TB_PORT) qd.data(), idx.data(), score.data(), stats, MODE_LOAD, 0, c.n, 0);
    page_minmax_topk(FOR_EACH_PAGES_PORT(TB_PORT) qd.data(), idx.data(), score.data(), stats, MODE_QUERY, 0, c.n, c.k);

    int errors = 0;
    for (unsigned i = 0; i < c.k; i++) {
        const bool valid = i < c.n;
        const unsigned want_idx = valid ? ref[i].second : NO_INDEX;
        const int64_t want_score = valid ? ref[i].first : 0;
        if (idx[i] != want_idx || score[i].to_int64() != want_score) {
            if (errors++ < 5)
                std::printf("  slot %u: got (%u, %lld) want (%u, %lld)\n", i, idx[i].to_uint(),
                            (long long)score[i].to_int64(), want_idx, (long long)want_score);
        }
    }
    const unsigned onchip = BRAM_PAGES + URAM_PAGES;
    const unsigned want_tiers[3] = {std::min(c.n, unsigned(BRAM_PAGES)),
                                    std::min(c.n, onchip) - std::min(c.n, unsigned(BRAM_PAGES)),
                                    c.n > onchip ? c.n - onchip : 0};
    for (int t = 0; t < 3; t++)
        if (stats[t] != want_tiers[t]) {
            std::printf("  tier %d read %u pages, want %u\n", t, stats[t].to_uint(), want_tiers[t]);
            errors++;
        }
    std::printf("%s n=%u k=%u range=%d tiers=%u/%u/%u inserts=%u\n", errors ? "FAIL" : "ok  ", c.n, c.k, c.range,
                stats[0].to_uint(), stats[1].to_uint(), stats[2].to_uint(), stats[5].to_uint());
    return errors == 0;
}

int main(int argc, char** argv) {
    std::mt19937 rng(argc > 1 ? std::atoi(argv[1]) : 1);
    const unsigned spill = BRAM_PAGES + URAM_PAGES + 2 * PES + 3;  // reaches HBM, not a multiple of PES
    const Case cases[] = {
        {1, 1, 2},    {PES + 3, 1, 2}, {K_MAX, K_MAX, 1}, {K_MAX / 2, K_MAX, 1}, {3 * PES + 1, 5, 32767},
        {spill, K_MAX, 1}, {spill, 1, 3},
    };
    bool ok = true;
    for (const Case& c : cases) ok = run_case(c, rng) && ok;
    const long leftovers = hls::stream_leftovers().load();
    if (leftovers) std::printf("%ld stream(s) left holding data\n", leftovers);
    std::printf("%s\n", ok && !leftovers ? "PASS" : "FAIL");
    return ok && !leftovers ? 0 : 1;
}
