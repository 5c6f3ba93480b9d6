// C-simulation testbench of bm25_topk against a plain C++ reference written from the formula in
// bm25_topk.h with uint64_t arithmetic (no ap_int), then std::sort on (score desc, index asc).
// Documents draw terms from a small part of the vocabulary so that queries hit, and every
// third document copies an earlier one so that scores tie. Cases cover k = 1, k = n, n not a
// multiple of CORES, an empty query and a query longer than any document.
// Usage: csim_tb [seed]. Exit status 0 and "PASS" when every case matches.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <set>
#include <vector>

#include "bm25_topk.h"

struct Case {
    unsigned n, k, n_terms;
};

struct Doc {
    std::vector<std::pair<unsigned, unsigned> > slots;  // (term, tf), distinct terms
};

static std::vector<beat_t> g_hbm[CORES];
static const unsigned TERM_POOL = 200 < VOCAB ? 200 : VOCAB;

static uint64_t ref_score(const Doc& d, const std::set<unsigned>& query, const std::vector<uint16_t>& idf,
                          uint64_t avgdl_q8) {
    uint64_t dl = 0;
    for (auto& s : d.slots) dl += s.second;
    const uint64_t one = 1u << KB_FRAC_BITS;
    const uint64_t k_q16 = (uint64_t(K1_Q) * ((one - B_Q) * avgdl_q8 + ((uint64_t(B_Q) * dl) << KB_FRAC_BITS))) / avgdl_q8;
    uint64_t score = 0;
    for (auto& s : d.slots) {
        if (!query.count(s.first)) continue;
        const uint64_t tf = s.second;
        const uint64_t w = ((tf * (K1_Q + one)) << (2 * WEIGHT_FRAC_BITS - KB_FRAC_BITS)) / ((tf << WEIGHT_FRAC_BITS) + k_q16);
        score += uint64_t(idf[s.first]) * w;
    }
    return score;
}

static bool run_case(const Case& c, const std::vector<uint16_t>& idf, std::mt19937& rng) {
    std::uniform_int_distribution<unsigned> term(0, TERM_POOL - 1), tf(1, 5), len(0, DOC_SLOTS);
    std::vector<Doc> docs(c.n);
    for (unsigned d = 0; d < c.n; d++) {
        if (d % 3 == 2) {
            docs[d] = docs[d - 2];  // a tie with an earlier document
            continue;
        }
        std::set<unsigned> seen;
        const unsigned slots = std::min(len(rng), TERM_POOL);
        while (docs[d].slots.size() < slots) {
            const unsigned t = term(rng);
            if (seen.insert(t).second) docs[d].slots.push_back({t, tf(rng)});
        }
    }
    std::set<unsigned> query;
    std::vector<ap_uint<32> > qterms;
    while (query.size() < c.n_terms) {
        const unsigned t = term(rng);
        if (query.insert(t).second) qterms.push_back(t);
    }
    qterms.resize(QUERY_TERMS_MAX, 0);
    uint64_t total = 0;
    for (auto& d : docs)
        for (auto& s : d.slots) total += s.second;
    const uint64_t avgdl_q8 = std::max<uint64_t>(1, (total << KB_FRAC_BITS) / std::max(1u, c.n));

    for (int p = 0; p < CORES; p++) g_hbm[p].assign(size_t(dealt_count(c.n, CORES, p)) * DOC_BEATS + 1, beat_t(0));
    for (unsigned d = 0; d < c.n; d++)
        for (size_t s = 0; s < docs[d].slots.size(); s++) {
            beat_t& beat = g_hbm[d % CORES][(d / CORES) * DOC_BEATS + s / LANES];
            const int l = s % LANES;
            beat.range(SLOT_BITS * l + TERM_BITS - 1, SLOT_BITS * l) = docs[d].slots[s].first;
            beat.range(SLOT_BITS * l + SLOT_BITS - 1, SLOT_BITS * l + TERM_BITS) = docs[d].slots[s].second;
        }

    std::vector<std::pair<uint64_t, unsigned> > ref(c.n);
    for (unsigned d = 0; d < c.n; d++) ref[d] = {ref_score(docs[d], query, idf, avgdl_q8), d};
    std::sort(ref.begin(), ref.end(), [](const std::pair<uint64_t, unsigned>& a, const std::pair<uint64_t, unsigned>& b) {
        return a.first != b.first ? a.first > b.first : a.second < b.second;
    });

    std::vector<index_t> idx(c.k);
    std::vector<ap_uint<64> > score(c.k);
    ap_uint<32> stats[STATS_WORDS];
#define TB_PORT(i, name) g_hbm[i].data(),
    bm25_topk(FOR_EACH_DOCS_PORT(TB_PORT) qterms.data(), nullptr, idx.data(), score.data(), stats, MODE_QUERY, c.n,
              c.n_terms, avgdl_q8, c.k);

    int errors = 0;
    for (unsigned i = 0; i < c.k; i++) {
        const bool valid = i < c.n;
        const unsigned want_idx = valid ? ref[i].second : NO_INDEX;
        const uint64_t want_score = valid ? ref[i].first : 0;
        if (idx[i] != want_idx || score[i] != want_score) {
            if (errors++ < 5)
                std::printf("  slot %u: got (%u, %llu) want (%u, %llu)\n", i, idx[i].to_uint(),
                            (unsigned long long)score[i].to_uint64(), want_idx, (unsigned long long)want_score);
        }
    }
    std::printf("%s n=%u k=%u terms=%u top=%llu inserts=%u\n", errors ? "FAIL" : "ok  ", c.n, c.k, c.n_terms,
                (unsigned long long)(c.n ? ref[0].first : 0), stats[5].to_uint());
    return errors == 0;
}

int main(int argc, char** argv) {
    std::mt19937 rng(argc > 1 ? std::atoi(argv[1]) : 1);
    std::vector<uint16_t> idf(VOCAB);
    std::uniform_int_distribution<unsigned> idf_val(0, (1u << IDF_BITS) - 1);
    for (auto& v : idf) v = uint16_t(idf_val(rng));
    std::vector<idf_t> table(idf.begin(), idf.end());
    index_t idx[1];
    ap_uint<64> score[1];
    ap_uint<32> stats[STATS_WORDS];
    bm25_topk(FOR_EACH_DOCS_PORT(TB_PORT) nullptr, table.data(), idx, score, stats, MODE_LOAD, 0, 0, 1, 0);

    const Case cases[] = {
        {1, 1, 3}, {CORES + 3, 1, 5}, {K_MAX, K_MAX, 8}, {K_MAX / 2, K_MAX, 4}, {5 * CORES + 1, 7, 0},
        {301, K_MAX, QUERY_TERMS_MAX}, {301, 3, 2},
    };
    bool ok = true;
    for (const Case& c : cases) ok = run_case(c, idf, rng) && ok;
    const long leftovers = hls::stream_leftovers().load();
    if (leftovers) std::printf("%ld stream(s) left holding data\n", leftovers);
    std::printf("%s\n", ok && !leftovers ? "PASS" : "FAIL");
    return ok && !leftovers ? 0 : 1;
}
