// Testbench plumbing shared by every kernel's tb.cpp: turn per-row descriptions into what the
// kernel reads (jobs.h): the query buffer with each row's record before its query, and the ring
// of job descriptors, `rows_per_job` rows a job (the last job takes the rest).
// Include after the kernel's header (it uses beat_t, QUERY_BEATS, REC_BEATS, ROW_BEATS,
// AXI_WIDTH_BITS).
#ifndef HETSIM_TB_ROWS_H
#define HETSIM_TB_ROWS_H

#include <algorithm>
#include <utility>
#include <vector>

// A reference ranking in the kernels' order: best score first, ties to the lower item index.
template <typename S>
static void tb_rank(std::vector<std::pair<S, unsigned> >& ref) {
    std::sort(ref.begin(), ref.end(), [](const std::pair<S, unsigned>& a, const std::pair<S, unsigned>& b) {
        return a.first != b.first ? a.first > b.first : a.second < b.second;
    });
}

// A row as the testbench describes it (the record's words, jobs.h).
struct tb_row {
    unsigned n, k, index_beat, chip_first, chip_n, flags;
};

struct tb_launch {
    std::vector<beat_t> query;  // R x ROW_BEATS beats
    std::vector<unsigned> jobs;  // n_jobs x JOB_WORDS words
    unsigned n_jobs;
    std::vector<unsigned> job_of;  // row -> its job
};

// queries: R x QUERY_BEATS beats, row r's at beat r * QUERY_BEATS.
static tb_launch tb_pack(const std::vector<tb_row>& rows, const std::vector<beat_t>& queries, unsigned rows_per_job) {
    const unsigned R = rows.size();
    tb_launch l;
    l.query.assign(size_t(R) * ROW_BEATS, beat_t(0));
    for (unsigned r = 0; r < R; r++) {
        const unsigned words[ROW_WORDS] = {rows[r].n,      rows[r].k,      rows[r].index_beat,
                                           rows[r].chip_first, rows[r].chip_n, rows[r].flags};
        for (int w = 0; w < ROW_WORDS; w++) {
            const int bit = 32 * w;
            l.query[size_t(r) * ROW_BEATS + bit / AXI_WIDTH_BITS].range(bit % AXI_WIDTH_BITS + 31, bit % AXI_WIDTH_BITS) =
                words[w];
        }
        for (int b = 0; b < QUERY_BEATS; b++)
            l.query[size_t(r) * ROW_BEATS + REC_BEATS + b] = queries[size_t(r) * QUERY_BEATS + b];
    }
    l.n_jobs = (R + rows_per_job - 1) / rows_per_job;
    l.jobs.assign(size_t(l.n_jobs) * JOB_WORDS, 0);
    for (unsigned j = 0; j < l.n_jobs; j++) {
        unsigned* d = &l.jobs[j * JOB_WORDS];
        d[0] = j + 1;
        d[2] = j * rows_per_job;
        d[1] = (j + 1 == l.n_jobs) ? R - d[2] : rows_per_job;
        for (unsigned r = d[2]; r < d[2] + d[1]; r++) l.job_of.push_back(j);
    }
    return l;
}

// The one-descriptor ring of a LOAD: items [first, first + n) of row `row`'s region on chip.
static std::vector<unsigned> tb_load_job(unsigned row, unsigned first, unsigned n) {
    std::vector<unsigned> d(JOB_WORDS, 0);
    d[0] = 1;
    d[1] = 1;
    d[2] = row;
    d[3] = n;
    d[4] = first;
    return d;
}

#endif  // HETSIM_TB_ROWS_H
