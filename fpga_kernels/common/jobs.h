// One launch per token: the kernel is started once with n_jobs and serves a queue of jobs, one
// per layer, from a ring of descriptors on the io channel. A job covers every row (request) of
// the batch: the kernel reads all its rows' records and queries in one burst, then runs the rows
// one after another (each row still one flat II=1 read loop per port), writing per-row results.
//
// The host (or the GPU, by peer-to-peer writes into the FPGA's HBM) writes the job's row records
// and queries into the query buffer, then its descriptor, the sequence word last; the kernel
// waits until word 0 of descriptor j reads j + 1. So XRT's start/wait (~50 us on the U55C) is
// paid once per token, and a layer pays one doorbell (one HBM round trip) and one query burst
// for all its rows, not one of each per request.
//
// Descriptor (JOB_WORDS x 32 bit, in `jobs`):
//   0 seq          job j is ready when seq == j + 1
//   1 rows         rows of the job (clamped to ROWS_MAX; the host splits larger batches)
//   2 row0         the job's first row: rows row0 .. row0 + rows - 1 of the query buffer, and of
//                  the result and stats slots
//   3 n            LOAD only: items to copy
//   4 first        LOAD only: first item to copy (of row row0's region)
//
// Row r in the query buffer: ROW_BEATS = REC_BEATS + QUERY_BEATS beats from beat r * ROW_BEATS:
// its record (ROW_WORDS x 32 bit from bit 0: word w at bit 32 w, REC_BEATS = one beat at 512 bit),
// then its query:
//   0 n            items of the row
//   1 k            results wanted (clamped to K_MAX)
//   2 index_beat   beat offset of the row's region in every item port (rows live side by side)
//   3 chip_first   on-chip slot of the region's item 0 (a multiple of the stream count)
//   4 chip_n       items [0, chip_n) of the row are read from the on-chip slots
//   5 flags        kernel specific (inner product: bit 0 = ReLU)
// Mode LOAD copies items [first, first + n) of row row0's region into on-chip slots
// chip_first + g (any `first`, any number of LOADs).
#ifndef HETSIM_JOBS_H
#define HETSIM_JOBS_H

#include <ap_int.h>

#ifndef __SYNTHESIS__
#include <stdexcept>
#include <string>
#endif

static const int JOB_WORDS = 8;
static const int ROW_WORDS = 6;
enum { MODE_LOAD = 0, MODE_QUERY = 1 };

struct job_t {
    ap_uint<32> rows, row0, n, first;
};

struct row_t {
    ap_uint<32> n, k, index_beat, chip_first, chip_n, flags;
};

// Wait for descriptor j, then read it. `jobs` is volatile so that every poll is a fresh read of
// HBM (no burst, no caching by the adapter). C-simulation runs without a concurrent writer, so
// an unposted job there is a host bug and throws instead of spinning forever.
inline job_t wait_job(volatile unsigned* jobs, unsigned j) {
#pragma HLS inline off
    volatile unsigned* d = jobs + j * JOB_WORDS;
#ifdef __SYNTHESIS__
    while (d[0] != j + 1) {
    }
#else
    if (d[0] != j + 1)
        throw std::runtime_error("job " + std::to_string(j) + " was not posted (seq " + std::to_string(d[0]) + ")");
#endif
    job_t job;
    job.rows = d[1];
    job.row0 = d[2];
    job.n = d[3];
    job.first = d[4];
    return job;
}

// Beats of a row record at W bits a beat.
#define ROW_REC_BEATS(W) ((ROW_WORDS * 32 + (W)-1) / (W))

// Row record word w of the record at beat `at` of buf (W-bit beats).
template <int W, typename BEAT>
ap_uint<32> row_word(const BEAT* buf, ap_uint<32> at, int w) {
#pragma HLS inline
    const int bit = 32 * w;
    return buf[at + bit / W].range(bit % W + 31, bit % W);
}

template <int W, typename BEAT>
row_t unpack_row(const BEAT* buf, ap_uint<32> at) {
#pragma HLS inline
    row_t row;
    row.n = row_word<W>(buf, at, 0);
    row.k = row_word<W>(buf, at, 1);
    row.index_beat = row_word<W>(buf, at, 2);
    row.chip_first = row_word<W>(buf, at, 3);
    row.chip_n = row_word<W>(buf, at, 4);
    row.flags = row_word<W>(buf, at, 5);
    return row;
}

// The job's rows, clamped to the on-chip row buffer (the host never posts more).
template <int ROWS_MAX>
ap_uint<32> job_rows(const job_t& job) {
#pragma HLS inline
    return job.rows > ap_uint<32>(ROWS_MAX) ? ap_uint<32>(ROWS_MAX) : job.rows;
}

// The job head: every row's record and query in one flat burst over the io port into the
// on-chip row buffer (ROW_BEATS beats a row).
template <int ROW_BEATS, int ROWS_MAX, typename BEAT>
void read_rows(const BEAT* query, ap_uint<32> row0, ap_uint<32> rows, BEAT buf[ROWS_MAX * ROW_BEATS]) {
    const ap_uint<32> base = row0 * ROW_BEATS;
row_burst:
    for (ap_uint<32> i = 0; i < rows * ROW_BEATS; i++) {
#pragma HLS pipeline II = 1
        buf[i] = query[base + i];
    }
}

// The row's k, clamped to K_MAX: the host checks k; the clamp keeps the hardware from overrunning.
template <int K_MAX>
int row_k(const row_t& row) {
    return row.k > K_MAX ? K_MAX : int(row.k);
}

#endif  // HETSIM_JOBS_H
