// C-simulation testbench of bm25_topk against a plain C++ reference written from the formulas in
// bm25_topk.h with uint64_t arithmetic (no ap_int), then std::sort on (score desc, index asc).
// The host side (weights from tf, document length and avgdl) is computed here as the runner does.
// Documents draw terms from a small part of the vocabulary so that queries hit, and every third
// document copies an earlier one so that scores tie. Cases cover k = 1, k = n, n not a multiple
// of CORES, an empty query, a query longer than any document, one job over two rows and two jobs over
// three rows.
// Usage: csim_tb [seed]. Exit status 0 and "PASS" when every case matches.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <set>
#include <vector>

#include "bm25_topk.h"
#include "tb_rows.h"

struct Case {
    unsigned n, k, n_terms;
};

struct Doc {
    std::vector<std::pair<unsigned, unsigned> > slots;  // (term, tf), distinct terms
};

static std::vector<beat_t> g_hbm[CORES];
static const unsigned TERM_POOL = 200 < VOCAB ? 200 : VOCAB;
static const uint64_t ONE = 1u << KB_FRAC_BITS;
static const uint64_t K1_Q = uint64_t(K1 * ONE + 0.5), B_Q = uint64_t(B * ONE + 0.5);  // gen_params.quantize

static uint64_t weight(uint64_t tf, uint64_t dl, uint64_t avgdl_q8) {
    const uint64_t k_q16 = (K1_Q * ((ONE - B_Q) * avgdl_q8 + ((B_Q * dl) << KB_FRAC_BITS))) / avgdl_q8;
    return ((tf * (K1_Q + ONE)) << (WEIGHT_FRAC_BITS + 16 - KB_FRAC_BITS)) / ((tf << 16) + k_q16);
}

// Run `cases` as the jobs of one launch, each over its own region; true when all match.
static bool run_launch(const std::vector<Case>& cases, const std::vector<uint16_t>& idf, std::mt19937& rng,
                       unsigned rows_per_job = 1) {
    for (int p = 0; p < CORES; p++) g_hbm[p].clear();
    const unsigned J = cases.size();
    std::vector<tb_row> rows;
    std::vector<beat_t> query(J * QUERY_BEATS, beat_t(0));
    std::vector<std::vector<std::pair<uint64_t, unsigned> > > refs;
    for (unsigned j = 0; j < J; j++) {
        const Case& c = cases[j];
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
        std::set<unsigned> qset;
        std::vector<unsigned> qterms;
        while (qset.size() < c.n_terms) {
            const unsigned t = term(rng);
            if (qset.insert(t).second) qterms.push_back(t);
        }
        for (unsigned i = 0; i < qterms.size(); i++) {
            beat_t& beat = query[j * QUERY_BEATS + i / LANES];
            const int l = i % LANES;
            beat.range(SLOT_BITS * l + TERM_BITS - 1, SLOT_BITS * l) = qterms[i];
            beat.range(SLOT_BITS * l + SLOT_BITS - 1, SLOT_BITS * l + TERM_BITS) = idf[qterms[i]];
        }
        uint64_t total = 0;
        for (auto& d : docs)
            for (auto& s : d.slots) total += s.second;
        const uint64_t avgdl_q8 = std::max<uint64_t>(1, (total << KB_FRAC_BITS) / std::max(1u, c.n));

        const unsigned base = g_hbm[0].size();
        for (int p = 0; p < CORES; p++) g_hbm[p].resize(base + size_t(dealt_count(c.n, CORES, 0)) * DOC_BEATS, beat_t(0));
        std::vector<std::pair<uint64_t, unsigned> > ref(c.n);
        for (unsigned d = 0; d < c.n; d++) {
            uint64_t dl = 0, score = 0;
            for (auto& s : docs[d].slots) dl += s.second;
            for (size_t s = 0; s < docs[d].slots.size(); s++) {
                const uint64_t w = weight(docs[d].slots[s].second, dl, avgdl_q8);
                beat_t& beat = g_hbm[d % CORES][base + (d / CORES) * DOC_BEATS + s / LANES];
                const int l = s % LANES;
                beat.range(SLOT_BITS * l + TERM_BITS - 1, SLOT_BITS * l) = docs[d].slots[s].first;
                beat.range(SLOT_BITS * l + SLOT_BITS - 1, SLOT_BITS * l + TERM_BITS) = w;
                if (qset.count(docs[d].slots[s].first)) score += uint64_t(idf[docs[d].slots[s].first]) * w;
            }
            ref[d] = {score, d};
        }
        tb_rank(ref);
        refs.push_back(ref);
        const tb_row row = {c.n, c.k, base, 0, 0, 0};
        rows.push_back(row);
    }
    const tb_launch launch = tb_pack(rows, query, rows_per_job);
    std::vector<unsigned> jobs = launch.jobs;
    std::vector<index_t> idx(J * K_MAX);
    std::vector<ap_uint<64> > score(J * K_MAX);
    std::vector<ap_uint<32> > stats(J * STATS_WORDS);
#define TB_PORT(i, name) g_hbm[i].data(),
    bm25_topk(FOR_EACH_DOCS_PORT(TB_PORT) jobs.data(), launch.query.data(), idx.data(), score.data(), stats.data(),
              MODE_QUERY, launch.n_jobs);
    bool ok = true;
    for (unsigned j = 0; j < J; j++) {
        const Case& c = cases[j];
        int errors = 0;
        for (unsigned i = 0; i < c.k; i++) {
            const bool valid = i < c.n;
            const unsigned want_idx = valid ? refs[j][i].second : NO_INDEX;
            const uint64_t want_score = valid ? refs[j][i].first : 0;
            if (idx[j * K_MAX + i] != want_idx || score[j * K_MAX + i] != want_score) {
                if (errors++ < 5)
                    std::printf("  slot %u: got (%u, %llu) want (%u, %llu)\n", i, idx[j * K_MAX + i].to_uint(),
                                (unsigned long long)score[j * K_MAX + i].to_uint64(), want_idx,
                                (unsigned long long)want_score);
            }
        }
        const ap_uint<32>* st = &stats[j * STATS_WORDS];
        if (st[ST_HBM] != c.n || st[ST_ROW] != j || st[ST_JOB] != launch.job_of[j]) errors++;
        std::printf("%s n=%u k=%u terms=%u top=%llu survivors=%u row=%u/%u job=%u/%u\n", errors ? "FAIL" : "ok  ", c.n,
                    c.k, c.n_terms, (unsigned long long)(c.n ? refs[j][0].first : 0), st[ST_SURVIVORS].to_uint(), j, J,
                    st[ST_JOB].to_uint(), launch.n_jobs);
        ok = ok && errors == 0;
    }
    return ok;
}

int main(int argc, char** argv) {
    std::mt19937 rng(argc > 1 ? std::atoi(argv[1]) : 1);
    std::vector<uint16_t> idf(VOCAB);
    std::uniform_int_distribution<unsigned> idf_val(0, (1u << IDF_BITS) - 1);
    for (auto& v : idf) v = uint16_t(idf_val(rng));
    bool ok = true;
    ok = run_launch({{1, 1, 3}}, idf, rng) && ok;
    ok = run_launch({{CORES + 3, 1, 5}}, idf, rng) && ok;
    ok = run_launch({{K_MAX, K_MAX, 8}}, idf, rng) && ok;
    ok = run_launch({{K_MAX / 2, K_MAX, 4}}, idf, rng) && ok;
    ok = run_launch({{5 * CORES + 1, 7, 0}}, idf, rng) && ok;
    ok = run_launch({{301, K_MAX, QUERY_TERMS_MAX}}, idf, rng) && ok;
    // one job covering two rows (queries), then three rows in jobs of two
    ok = run_launch({{301, 3, 2}, {4 * CORES + 1, K_MAX, 6}}, idf, rng, 2) && ok;
    ok = run_launch({{2 * CORES + 1, 3, 3}, {CORES, 9, 2}, {7, 4, 5}}, idf, rng, 2) && ok;
    const long leftovers = hls::stream_leftovers().load();
    if (leftovers) std::printf("%ld stream(s) left holding data\n", leftovers);
    std::printf("%s\n", ok && !leftovers ? "PASS" : "FAIL");
    return ok && !leftovers ? 0 : 1;
}
