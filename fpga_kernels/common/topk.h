// Streaming top-k shared by the kernels (paper section 4, item 3), at one candidate per cycle.
//
// Order: a candidate is better when its score is higher, or the scores tie and its index is
// lower. That is a total order on (score, index), so the k best are one exact set whatever the
// arrival order, and the numpy reference reproduces it bit for bit.
//
// Two units, chosen at build time by K_MAX (topk_unit picks):
//
//  * k_max <= SYSTOLIC_K_MAX: systolic priority queues. The score streams are grouped,
//    TOPK_GROUP streams per queue (a stream delivers one score per item, i.e. one per
//    ITEM_BEATS cycles at best, so a queue fed by up to ITEM_BEATS streams still takes one
//    candidate per cycle). Each queue is a chain of KCAP cells; every cycle each cell keeps the
//    better of what it holds and what arrives from its left neighbour and passes the worse one
//    right. No cell looks further than its neighbour, so the loop closes at II=1 whatever KCAP
//    (no comparator tree, no broadcast), and after KCAP - 1 bubbles the cells hold the KCAP best
//    in order. The per-queue lists then merge: the first k of every list enter one more queue,
//    and its first k cells are the answer, best first.
//    Cycles: rounds + KCAP (collect, drain) + QUEUES x k + KCAP (merge, drain) + k (write).
//
//  * k_max > SYSTOLIC_K_MAX (the DSA indexer's 2048): a systolic queue of 2048 cells per group
//    would not fit, so the scores go into per-stream on-chip buffers and a radix select over the
//    96-bit key (score, ~index) finds the k-th best in a few passes over those buffers (8 bits a
//    pass, starting at the highest bit where the keys differ); the k selected are written in
//    stream-major order (see topk_select.h).
#ifndef HETSIM_TOPK_H
#define HETSIM_TOPK_H

#include <ap_int.h>
#include <hls_stream.h>

typedef ap_uint<32> index_t;
// Written for an index slot that holds no candidate (k larger than the candidates).
static const unsigned NO_INDEX = 0xFFFFFFFFu;
// Largest k_max built as systolic queues (2 x 128 cells of ~100 bits per queue stays small).
static const int SYSTOLIC_K_MAX = 256;

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

// A scored item: what a PE writes on an item's last beat.
template <typename S>
inline cand_t<S> make_cand(index_t idx, S score) {
#pragma HLS inline
    cand_t<S> c;
    c.idx = idx;
    c.score = score;
    c.valid = true;
    return c;
}

template <typename S>
inline cand_t<S> no_cand() {
#pragma HLS inline
    cand_t<S> c;
    c.idx = 0;
    c.score = 0;
    c.valid = false;
    return c;
}

// Counters the top-k unit reports (loop trip counts, so the cycle model can be checked).
struct topk_stats_t {
    ap_uint<32> rounds;     // collect loop: candidates the busiest queue took (or select passes' items)
    ap_uint<32> survivors;  // candidates that beat their queue's last cell on arrival
    ap_uint<32> merged;     // valid entries that entered the merge queue
    ap_uint<32> cycles;     // trip counts of every loop of the unit (collect, drain, merge, write)
    ap_uint<32> levels;     // radix-select passes (select unit only)
};

// Number of the n candidates, dealt round-robin (candidate i to stream i % streams), that
// stream s receives.
inline ap_uint<32> dealt_count(ap_uint<32> n, int streams, int s) {
#pragma HLS inline
    return n > (unsigned)s ? ap_uint<32>((n - 1 - s) / streams + 1) : ap_uint<32>(0);
}

// One cycle of a systolic queue: `in` enters cell 0; each cell keeps the better of its value
// and its input and hands the worse to the next cell's input register (read next cycle).
// Updating from the last cell down makes every cell see last cycle's registers, as hardware does.
template <typename S, int KCAP>
inline void systolic_step(cand_t<S> cell[KCAP], cand_t<S> carry[KCAP], const cand_t<S>& in) {
#pragma HLS inline
    for (int i = KCAP - 1; i >= 0; i--) {
#pragma HLS unroll
        const cand_t<S> x = i == 0 ? in : carry[i];
        cand_t<S> worse = x;
        if (better(x, cell[i])) {
            worse = cell[i];
            cell[i] = x;
        }
        if (i + 1 < KCAP) carry[i + 1] = worse;
    }
}

// Shift a queue's cells one place towards cell 0 and return the old cell 0 (read-out without a
// KCAP-way multiplexer).
template <typename S, int KCAP>
inline cand_t<S> systolic_pop(cand_t<S> cell[KCAP]) {
#pragma HLS inline
    const cand_t<S> head = cell[0];
    for (int i = 0; i + 1 < KCAP; i++) {
#pragma HLS unroll
        cell[i] = cell[i + 1];
    }
    cell[KCAP - 1] = no_cand<S>();
    return head;
}

// n candidates dealt round-robin over the NSTREAMS inputs -> k entries on `out`, best first
// (invalid entries when k > n), then one stats record. Queue q takes streams
// [q * GROUP, min((q + 1) * GROUP, NSTREAMS)) in round-robin order, which is the order their
// candidates were dealt, so every stream's reads match its writes.
template <typename S, int NSTREAMS, int GROUP, int KCAP>
void topk_systolic(hls::stream<cand_t<S> > in[NSTREAMS], ap_uint<32> n, int k, hls::stream<cand_t<S> >& out,
                   hls::stream<topk_stats_t>& stats_out) {
    static const int QUEUES = (NSTREAMS + GROUP - 1) / GROUP;
    cand_t<S> cell[QUEUES][KCAP], carry[QUEUES][KCAP];
#pragma HLS array_partition variable = cell complete dim = 0
#pragma HLS array_partition variable = carry complete dim = 0
    ap_uint<32> count[QUEUES];
    int rr[QUEUES];  // next stream of each queue (a counter, not t % width: no divider)
#pragma HLS array_partition variable = count complete
#pragma HLS array_partition variable = rr complete
    for (int q = 0; q < QUEUES; q++) {
#pragma HLS unroll
        count[q] = 0;
        for (int g = 0; g < GROUP; g++)
            if (q * GROUP + g < NSTREAMS) count[q] += dealt_count(n, NSTREAMS, q * GROUP + g);
        rr[q] = 0;
        for (int i = 0; i < KCAP; i++) cell[q][i] = carry[q][i] = no_cand<S>();
    }
    const ap_uint<32> rounds = count[0];  // queue 0 holds the first streams: the most candidates
    topk_stats_t stats = {rounds, 0, 0, 0, 0};

collect:  // rounds + KCAP - 1 cycles: the last candidate needs KCAP - 1 steps to settle
    for (ap_uint<32> t = 0; t < rounds + KCAP - 1; t++) {
#pragma HLS pipeline II = 1
        for (int q = 0; q < QUEUES; q++) {
#pragma HLS unroll
            const int width = NSTREAMS - q * GROUP < GROUP ? NSTREAMS - q * GROUP : GROUP;
            cand_t<S> x = no_cand<S>();
            if (t < count[q]) {
                for (int g = 0; g < GROUP; g++) {
#pragma HLS unroll
                    if (g < width && g == rr[q]) x = in[q * GROUP + g].read();
                }
                rr[q] = rr[q] + 1 == width ? 0 : rr[q] + 1;
            }
            // The last cell only rises, and once valid the KCAP cells ahead of it are all at
            // least as good: a candidate that does not beat it can never be among the KCAP best.
            const bool pass = better(x, cell[q][KCAP - 1]);
            stats.survivors += pass;
            systolic_step<S, KCAP>(cell[q], carry[q], pass ? x : no_cand<S>());
        }
    }
    stats.cycles += rounds + KCAP - 1;

    // Merge: the first k of every queue's list (only those can be among the k best).
    cand_t<S> fcell[KCAP], fcarry[KCAP];
#pragma HLS array_partition variable = fcell complete
#pragma HLS array_partition variable = fcarry complete
    for (int i = 0; i < KCAP; i++) fcell[i] = fcarry[i] = no_cand<S>();
    int from = k > 0 ? 0 : QUEUES, taken = 0;  // queue being read and entries taken from it (counters: no divider)
merge:
    for (ap_uint<32> t = 0; t < ap_uint<32>(QUEUES * k + KCAP - 1); t++) {
#pragma HLS pipeline II = 1
        cand_t<S> x = no_cand<S>();
        for (int q = 0; q < QUEUES; q++) {
#pragma HLS unroll
            if (q == from) x = systolic_pop<S, KCAP>(cell[q]);
        }
        if (from < QUEUES && ++taken == k) {
            taken = 0;
            from++;
        }
        stats.merged += x.valid;
        systolic_step<S, KCAP>(fcell, fcarry, x);
    }
    stats.cycles += QUEUES * k + KCAP - 1;

write_out:
    for (int i = 0; i < k; i++) {
#pragma HLS pipeline II = 1
        out.write(systolic_pop<S, KCAP>(fcell));
    }
    stats.cycles += k;
    stats_out.write(stats);
}

#endif  // HETSIM_TOPK_H
