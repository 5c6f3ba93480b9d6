// C-simulation testbench of page_minmax_topk: random page bounds against a plain C++ reference
// (int64 arithmetic + std::sort on (score desc, index asc)). Small value ranges make many ties;
// the cases cover k = 1, k = n, n not a multiple of PES, pages spilling BRAM -> URAM -> HBM, and
// launches of one job over two rows and of two jobs over three rows (one launch per token, one job
// per layer covering the batch's rows, each row its own region).
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
    bool unused;
};

static std::vector<beat_t> g_hbm[PES];
#define TB_TOP page_minmax_topk
#define TB_FOR_EACH_PORT FOR_EACH_PAGES_PORT
#include "tb_tiered.h"
static const unsigned CHIP = PES * (BRAM_SLOTS + URAM_SLOTS);  // pages on chip

static void put(beat_t& beat, int lane, int value) {
    beat.range(DATA_BITS * lane + DATA_BITS - 1, DATA_BITS * lane) = ap_int<DATA_BITS>(value);
}

// Append n pages (kmin then kmax per page) as a region to every port; returns its beat offset.
static unsigned append_region(const std::vector<int16_t>& bounds, unsigned n) {
    const unsigned base = g_hbm[0].size();
    for (int p = 0; p < PES; p++) g_hbm[p].resize(base + size_t(dealt_count(n, PES, 0)) * PAGE_BEATS, beat_t(0));
    for (unsigned g = 0; g < n; g++)
        for (int c = 0; c < HEAD_DIM; c++) {
            beat_t& beat = g_hbm[g % PES][base + (g / PES) * PAGE_BEATS + c / HALF];
            put(beat, c % HALF, bounds[size_t(g) * 2 * HEAD_DIM + c]);
            put(beat, HALF + c % HALF, bounds[size_t(g) * 2 * HEAD_DIM + HEAD_DIM + c]);
        }
    return base;
}

static std::vector<std::pair<int64_t, unsigned> > reference(const std::vector<int16_t>& bounds, unsigned n,
                                                             const std::vector<int16_t>& q) {
    std::vector<std::pair<int64_t, unsigned> > ref(n);
    for (unsigned g = 0; g < n; g++) {
        int64_t score = 0;
        for (int h = 0; h < HEADS; h++)
            for (int c = 0; c < HEAD_DIM; c++) {
                const int64_t a = int64_t(q[h * HEAD_DIM + c]) * bounds[size_t(g) * 2 * HEAD_DIM + c];
                const int64_t b = int64_t(q[h * HEAD_DIM + c]) * bounds[size_t(g) * 2 * HEAD_DIM + HEAD_DIM + c];
                score += std::max(a, b);
            }
        ref[g] = {score, g};
    }
    tb_rank(ref);
    return ref;
}

// Run `cases` as the jobs of one launch, each over its own region; true when all match.
static bool run_launch(const std::vector<Case>& cases, std::mt19937& rng, unsigned rows_per_job = 1) {
    for (int p = 0; p < PES; p++) g_hbm[p].clear();
    const unsigned J = cases.size();
    std::vector<tb_row> rows;
    std::vector<beat_t> query(J * QUERY_BEATS, beat_t(0));
    std::vector<std::vector<std::pair<int64_t, unsigned> > > refs;
    unsigned chip_first = 0;
    for (unsigned j = 0; j < J; j++) {
        const Case& c = cases[j];
        std::uniform_int_distribution<int> val(-c.range, c.range), spread(0, c.range);
        std::vector<int16_t> keys(size_t(c.n) * 2 * HEAD_DIM), q(HEADS * HEAD_DIM);
        for (unsigned g = 0; g < c.n; g++)
            for (int e = 0; e < HEAD_DIM; e++) {
                const int lo = val(rng);
                keys[size_t(g) * 2 * HEAD_DIM + e] = int16_t(lo);
                keys[size_t(g) * 2 * HEAD_DIM + HEAD_DIM + e] = int16_t(std::min(lo + spread(rng), 32767));
            }
        for (auto& v : q) v = int16_t(val(rng));
        for (int h = 0; h < HEADS; h++)
            for (int e = 0; e < HEAD_DIM; e++) put(query[j * QUERY_BEATS + h * PAGE_BEATS + e / HALF], e % HALF, q[h * HEAD_DIM + e]);
        const tb_row row = {c.n, c.k, append_region(keys, c.n), chip_first, std::min(c.n, CHIP - chip_first), unsigned(0)};
        rows.push_back(row);
        chip_first += (row.chip_n + PES - 1) / PES * PES;
        refs.push_back(reference(keys, c.n, q));
    }
    return run_and_check(cases, refs, rows, query, rows_per_job);
}

int main(int argc, char** argv) {
    std::mt19937 rng(argc > 1 ? std::atoi(argv[1]) : 1);
    const unsigned spill = CHIP + 2 * PES + 3;  // reaches HBM, not a multiple of PES
    bool ok = true;
    ok = run_launch({{1, 1, 2, true}}, rng) && ok;
    ok = run_launch({{PES + 3, 1, 2, false}}, rng) && ok;
    ok = run_launch({{K_MAX, K_MAX, 1, true}}, rng) && ok;
    ok = run_launch({{K_MAX / 2, K_MAX, 1, true}}, rng) && ok;
    ok = run_launch({{3 * PES + 1, 5, 32767, false}}, rng) && ok;
    ok = run_launch({{spill, K_MAX, 1, true}}, rng) && ok;
    // one job (layer) covering two rows (requests), then three rows in jobs of two
    ok = run_launch({{5 * PES + 2, 7, 3, true}, {4 * PES + 1, K_MAX, 2, false}}, rng, 2) && ok;
    ok = run_launch({{2 * PES + 1, 3, 3, true}, {PES, 9, 2, false}, {7, 4, 5, true}}, rng, 2) && ok;
    const long leftovers = hls::stream_leftovers().load();
    if (leftovers) std::printf("%ld stream(s) left holding data\n", leftovers);
    std::printf("%s\n", ok && !leftovers ? "PASS" : "FAIL");
    return ok && !leftovers ? 0 : 1;
}
