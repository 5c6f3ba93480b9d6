// Streaming top-k unit shared by the three kernels (paper section 4, item 3).
//
// Order: a candidate is better when its score is higher, or the scores tie and its index is
// lower. That is a total order on (score, index), so the k best are one exact set whatever the
// arrival order, and the numpy reference can reproduce it bit for bit.
//
// Structure: each round reads one candidate from each of NSTREAMS score streams (the comparator
// tree is NSTREAMS comparators against the current threshold, the worst of the k kept);
// survivors enter a KCAP-entry min-replacement tree one at a time: the survivor overwrites the
// worst entry and a log2(KCAP)-level tree finds the new worst. The threshold only rises, so a
// survivor of a stale threshold is re-checked before insertion and the result stays exact.
// At the end an odd-even transposition network sorts the KCAP entries, best first.
#ifndef HETSIM_TOPK_H
#define HETSIM_TOPK_H

#include <ap_int.h>
#include <hls_stream.h>

typedef ap_uint<32> index_t;
// Written for an index slot that holds no candidate (k larger than the candidates).
static const unsigned NO_INDEX = 0xFFFFFFFFu;

template <typename S>
struct cand_t {
    index_t idx;
    S score;
    bool valid;
};

template <typename S>
inline bool better(const cand_t<S>& a, const cand_t<S>& b) {
#pragma HLS inline
    if (!b.valid) return a.valid;
    if (!a.valid) return false;
    if (a.score != b.score) return a.score > b.score;
    return a.idx < b.idx;
}

// Counters the kernels report back through their `stats` output (used to fit the model).
struct topk_stats_t {
    ap_uint<32> rounds;     // rounds of NSTREAMS candidates
    ap_uint<32> survivors;  // candidates that beat the round's threshold (each costs an insert slot)
    ap_uint<32> inserts;    // candidates that were still better at insertion
};

// Index of the worst of the first k entries, as a balanced tree of comparators (KCAP a power of 2).
template <typename S, int KCAP>
int worst_slot(const cand_t<S> slots[KCAP], int k) {
#pragma HLS inline
    int idx[KCAP];
#pragma HLS array_partition variable = idx complete
    for (int i = 0; i < KCAP; i++) idx[i] = i;
    for (int width = KCAP / 2; width >= 1; width /= 2) {
        for (int i = 0; i < width; i++) {
#pragma HLS unroll
            int a = idx[2 * i], b = idx[2 * i + 1];
            // Slots at or beyond k are disabled: never the worst.
            bool b_worse = b < k && (a >= k || better(slots[a], slots[b]));
            idx[i] = b_worse ? b : a;
        }
    }
    return idx[0];
}

// Number of the n candidates, dealt round-robin (candidate i to stream i % NSTREAMS), that
// stream s receives.
inline ap_uint<32> dealt_count(ap_uint<32> n, int streams, int s) {
#pragma HLS inline
    return n > (unsigned)s ? ap_uint<32>((n - 1 - s) / streams + 1) : ap_uint<32>(0);
}

// n candidates dealt round-robin over the NSTREAMS inputs -> k entries on `out`, best first
// (invalid entries when k > n), then one stats record.
template <typename S, int NSTREAMS, int KCAP>
void topk_unit(hls::stream<cand_t<S> > in[NSTREAMS], ap_uint<32> n, int k, hls::stream<cand_t<S> >& out,
               hls::stream<topk_stats_t>& stats_out) {
    static_assert((KCAP & (KCAP - 1)) == 0, "KCAP must be a power of two (tree of comparators)");
    cand_t<S> slots[KCAP];
#pragma HLS array_partition variable = slots complete
    for (int i = 0; i < KCAP; i++) {
#pragma HLS unroll
        slots[i].valid = false;
        slots[i].idx = 0;
        slots[i].score = 0;
    }
    const ap_uint<32> rounds = dealt_count(n, NSTREAMS, 0);
    topk_stats_t stats = {rounds, 0, 0};
    int worst = 0;

round_loop:
    for (ap_uint<32> r = 0; r < rounds; r++) {
#pragma HLS pipeline II = 1
        cand_t<S> c[NSTREAMS];
        bool pass[NSTREAMS];
        const cand_t<S> threshold = slots[worst];
        for (int s = 0; s < NSTREAMS; s++) {  // the comparator tree: all against one threshold
#pragma HLS unroll
            c[s].valid = false;
            if (r * NSTREAMS + s < n) c[s] = in[s].read();
            pass[s] = k > 0 && better(c[s], threshold);
            stats.survivors += pass[s];
        }
        for (int s = 0; s < NSTREAMS; s++) {  // min-replacement: one survivor after the other
            if (pass[s] && better(c[s], slots[worst])) {
                slots[worst] = c[s];
                worst = worst_slot<S, KCAP>(slots, k);
                stats.inserts++;
            }
        }
    }

sort_network:  // odd-even transposition: KCAP stages, best first
    for (int stage = 0; stage < KCAP; stage++) {
#pragma HLS pipeline II = 1
        for (int i = stage % 2; i + 1 < KCAP; i += 2) {
#pragma HLS unroll
            if (better(slots[i + 1], slots[i])) {
                cand_t<S> t = slots[i];
                slots[i] = slots[i + 1];
                slots[i + 1] = t;
            }
        }
    }
    for (int i = 0; i < KCAP; i++) {
#pragma HLS pipeline II = 1
        if (i < k) out.write(slots[i]);
    }
    stats_out.write(stats);
}

#endif  // HETSIM_TOPK_H
