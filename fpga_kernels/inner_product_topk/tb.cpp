// C-simulation testbench of inner_product_topk: random keys against a plain C++ reference
// (int64 arithmetic + std::sort on (score desc, index asc)). Small value ranges make many ties;
// the cases cover k = 1, k = n, n not a multiple of PES, and keys spilling BRAM -> URAM -> HBM.
// Usage: csim_tb [seed]. Exit status 0 and "PASS" when every case matches.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <vector>

#include "inner_product_topk.h"

struct Case {
    unsigned n, k;
    bool relu;
    int range;  // keys and query drawn from [-range, range]
};

static std::vector<beat_t> g_hbm[PES];

static void write_hbm(const std::vector<int16_t>& keys, unsigned n) {
    for (int p = 0; p < PES; p++) g_hbm[p].assign(size_t(dealt_count(n, PES, p)) * KEY_BEATS + 1, beat_t(0));
    for (unsigned g = 0; g < n; g++) {
        std::vector<beat_t>& port = g_hbm[g % PES];
        for (int e = 0; e < HEAD_DIM; e++) {
            beat_t& beat = port[(g / PES) * KEY_BEATS + e / ELEMS_PER_BEAT];
            const int l = e % ELEMS_PER_BEAT;
            beat.range(DATA_BITS * l + DATA_BITS - 1, DATA_BITS * l) = ap_int<DATA_BITS>(keys[size_t(g) * HEAD_DIM + e]);
        }
    }
}

static bool run_case(const Case& c, std::mt19937& rng) {
    std::uniform_int_distribution<int> val(-c.range, c.range), wdist(-3, 3);
    std::vector<int16_t> keys(size_t(c.n) * HEAD_DIM), q(HEADS * HEAD_DIM), w(HEADS);
    for (auto& v : keys) v = int16_t(val(rng));
    for (auto& v : q) v = int16_t(val(rng));
    for (auto& v : w) v = int16_t(wdist(rng));
    write_hbm(keys, c.n);

    // Reference: plain integer arithmetic, then a full sort.
    std::vector<std::pair<int64_t, unsigned> > ref(c.n);
    for (unsigned g = 0; g < c.n; g++) {
        int64_t score = 0;
        for (int h = 0; h < HEADS; h++) {
            int64_t dot = 0;
            for (int e = 0; e < HEAD_DIM; e++) dot += int64_t(q[h * HEAD_DIM + e]) * keys[size_t(g) * HEAD_DIM + e];
            if (c.relu && dot < 0) dot = 0;
            score += dot * w[h];
        }
        ref[g] = {score, g};
    }
    std::sort(ref.begin(), ref.end(), [](const std::pair<int64_t, unsigned>& a, const std::pair<int64_t, unsigned>& b) {
        return a.first != b.first ? a.first > b.first : a.second < b.second;
    });

    std::vector<data_t> qd(q.begin(), q.end()), wd(w.begin(), w.end());
    std::vector<index_t> idx(c.k);
    std::vector<score_t> score(c.k);
    ap_uint<32> stats[STATS_WORDS];
#define TB_PORT(i, name) g_hbm[i].data(),
    inner_product_topk(FOR_EACH_KEYS_PORT(TB_PORT) qd.data(), wd.data(), idx.data(), score.data(), stats, MODE_LOAD,
                       0, c.n, 0, 0);
    inner_product_topk(FOR_EACH_KEYS_PORT(TB_PORT) qd.data(), wd.data(), idx.data(), score.data(), stats,
                       MODE_QUERY, 0, c.n, c.k, c.relu);

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
    const unsigned onchip = BRAM_KEYS + URAM_KEYS;
    const unsigned want_tiers[3] = {std::min(c.n, unsigned(BRAM_KEYS)),
                                    std::min(c.n, onchip) - std::min(c.n, unsigned(BRAM_KEYS)),
                                    c.n > onchip ? c.n - onchip : 0};
    for (int t = 0; t < 3; t++)
        if (stats[t] != want_tiers[t]) {
            std::printf("  tier %d read %u keys, want %u\n", t, stats[t].to_uint(), want_tiers[t]);
            errors++;
        }
    std::printf("%s n=%u k=%u relu=%d range=%d tiers=%u/%u/%u inserts=%u\n", errors ? "FAIL" : "ok  ", c.n, c.k,
                int(c.relu), c.range, stats[0].to_uint(), stats[1].to_uint(), stats[2].to_uint(), stats[5].to_uint());
    return errors == 0;
}

int main(int argc, char** argv) {
    std::mt19937 rng(argc > 1 ? std::atoi(argv[1]) : 1);
    const unsigned spill = BRAM_KEYS + URAM_KEYS + 2 * PES + 3;  // reaches HBM, not a multiple of PES
    const Case cases[] = {
        {1, 1, false, 2},           {PES + 3, 1, true, 2},          {K_MAX, K_MAX, false, 1},
        {K_MAX / 2, K_MAX, true, 1}, {3 * PES + 1, 5, false, 32767}, {spill, K_MAX, true, 1},
        {spill, 1, false, 3},
    };
    bool ok = true;
    for (const Case& c : cases) ok = run_case(c, rng) && ok;
    const long leftovers = hls::stream_leftovers().load();
    if (leftovers) std::printf("%ld stream(s) left holding data\n", leftovers);
    std::printf("%s\n", ok && !leftovers ? "PASS" : "FAIL");
    return ok && !leftovers ? 0 : 1;
}
