// The `stats` record every kernel writes per job (STATS_WORDS x 32 bit). Loop trip counts are
// counted inside the loops, so they are what the code ran; the cycle model
// (hetsim/hardware/fpga_kernels/cycles.py) predicts the same counts and is checked against them.
#ifndef HETSIM_STATS_WORDS_H
#define HETSIM_STATS_WORDS_H

enum {
    ST_BRAM = 0,        // items read from BRAM
    ST_URAM = 1,        // items read from URAM
    ST_HBM = 2,         // items read from HBM
    ST_ROUNDS = 3,      // top-k: candidates the busiest queue took (select: items per pass)
    ST_SURVIVORS = 4,   // top-k: candidates that beat their queue's last cell (select: items selected)
    ST_MERGED = 5,      // top-k: valid entries into the merge queue
    ST_PE_TRIPS = 6,    // trips of the busiest PE's beat loop
    ST_HBM_BEATS = 7,   // trips of the busiest port's HBM burst loop
    ST_TOPK_CYCLES = 8, // trips of every top-k loop after the last score (collect tail, merge, write)
    ST_LEVELS = 9,      // radix-select passes (select unit), else 0
    ST_JOB = 10,        // the job's index in its launch
    ST_ROW = 11,        // the row's index in its launch (its result and stats slot)
    STATS_WORDS = 16
};

#endif  // HETSIM_STATS_WORDS_H
