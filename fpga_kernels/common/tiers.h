// Helpers for kernels whose items (keys, pages) are tiered fastest-first: BRAM, URAM, HBM.
#ifndef HETSIM_TIERS_H
#define HETSIM_TIERS_H

#include <ap_int.h>

// How many of `count` items (in index order) each tier holds.
struct tier_split_t {
    ap_uint<32> bram, uram, hbm;
};

inline tier_split_t split_tiers(ap_uint<32> count, ap_uint<32> bram_cap, ap_uint<32> uram_cap) {
#pragma HLS inline
    tier_split_t t;
    t.bram = count < bram_cap ? count : bram_cap;
    const ap_uint<32> rest = count - t.bram;
    t.uram = rest < uram_cap ? rest : uram_cap;
    t.hbm = rest - t.uram;
    return t;
}

// Read BEATS beats starting at `first_beat` and unpack the first N elements of BITS bits each
// (element e: beat e / (WIDTH / BITS), bit BITS * (e % (WIDTH / BITS)), two's complement).
template <int BITS, int WIDTH, int N, int BEATS>
void unpack_elems(const ap_uint<WIDTH>* port, ap_uint<32> first_beat, ap_int<BITS> out[N]) {
#pragma HLS inline
    const int per_beat = WIDTH / BITS;
    static_assert(BEATS * per_beat >= N, "BEATS too few for N elements");
    for (int b = 0; b < BEATS; b++) {
#pragma HLS pipeline II = 1
        const ap_uint<WIDTH> beat = port[first_beat + b];
        for (int l = 0; l < per_beat; l++) {
            const int e = b * per_beat + l;
            if (e < N) out[e].range() = beat.range(BITS * l + BITS - 1, BITS * l);
        }
    }
}

#endif  // HETSIM_TIERS_H
