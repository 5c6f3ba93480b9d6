// One launch per token: the kernel is started once with n_jobs and serves a queue of jobs (one
// per layer and request) from a ring of descriptors on the io channel.
//
// The host (or the GPU, by peer-to-peer writes into the FPGA's HBM) writes job j's query and
// then its descriptor, the sequence word last; the kernel waits until word 0 of descriptor j
// reads j + 1, runs the job, writes its k results and stats into slot j of the output buffers,
// and moves on. So XRT's start/wait (~50 us on the U55C) is paid once per token, and a layer
// pays only the doorbell (one HBM round trip) and its query read.
//
// Descriptor (JOB_WORDS x 32 bit):
//   0 seq          job j is ready when seq == j + 1
//   1 n            items of the job
//   2 k            results wanted (clamped to K_MAX)
//   3 index_beat   beat offset of the job's region in every item port (layers live side by side)
//   4 chip_first   on-chip slot of the region's item 0 (a multiple of the stream count)
//   5 chip_n       items [0, chip_n) of the job are read from the on-chip slots
//   6 flags        kernel specific (inner product: bit 0 = ReLU)
//   7 first        LOAD only: first item to copy
#ifndef HETSIM_JOBS_H
#define HETSIM_JOBS_H

#include <ap_int.h>

#ifndef __SYNTHESIS__
#include <stdexcept>
#include <string>
#endif

static const int JOB_WORDS = 8;
enum { MODE_LOAD = 0, MODE_QUERY = 1 };

struct job_t {
    ap_uint<32> n, k, index_beat, chip_first, chip_n, flags, first;
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
    job.n = d[1];
    job.k = d[2];
    job.index_beat = d[3];
    job.chip_first = d[4];
    job.chip_n = d[5];
    job.flags = d[6];
    job.first = d[7];
    return job;
}

// The job's k, clamped to K_MAX: the host checks k; the clamp keeps the hardware from overrunning.
template <int K_MAX>
int job_k(const job_t& job) {
    return job.k > K_MAX ? K_MAX : int(job.k);
}

#endif  // HETSIM_JOBS_H
