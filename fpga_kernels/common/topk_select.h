// Top-k for large k (k_max > SYSTOLIC_K_MAX, the DSA indexer's 2048): radix select over
// on-chip score buffers, and `topk_unit`, which picks this or the systolic queues of topk.h.
//
// Every candidate has a unique 96-bit key: its score in offset binary (order-preserving for
// signed scores) above the complement of its index (a lower index is better). The k best are
// the keys >= the k-th largest key, found digit by digit, 8 bits a pass:
//   collect: each stream's scores go to its own buffer (URAM), tracking the largest and
//            smallest key, so the first pass starts at the top digit where keys differ;
//   level:   one pass over the buffers (all streams in parallel, II=1) histograms the next
//            digit of the keys that match the prefix fixed so far into ONE histogram shared by
//            all streams: each stream decodes its digit one-hot (256 wires), and every bin's
//            counter (registers) adds the popcount of its wire across the streams each cycle, so
//            the counters never read-modify-write a memory and the pass stays at II=1; then 256
//            cycles scan from the top bin for the bin that holds the k-th key. It ends when that
//            bin holds exactly the keys still needed (at the last digit every bin holds at most
//            one key: keys are unique). A histogram per stream would cost 256 counters and their
//            incrementers per stream (the LUT bound of wide builds); the shared one costs a
//            decoder per stream and one popcount adder per bin;
//   gather:  one more pass keeps the keys >= the prefix in per-stream lists, written out
//            stream by stream: the k best as a set, in order (index % streams, index / streams),
//            not by score (the DSA consumer gathers the selected tokens; order is free).
// Cycles: rounds (collect) + levels x (rounds + 2 x 256) + rounds (gather) + k (write).
#ifndef HETSIM_TOPK_SELECT_H
#define HETSIM_TOPK_SELECT_H

#include "topk.h"

typedef ap_uint<96> selkey_t;
static const int SEL_BINS = 256;
static const int SEL_COUNT_BITS = 24;  // a shared bin counts up to every buffered key of every stream
typedef ap_uint<SEL_COUNT_BITS> selcount_t;

template <typename S>
inline selkey_t sel_key(const S& score, index_t idx) {
#pragma HLS inline
    const bool is_signed = S(-1) < S(0);
    ap_uint<64> hi = ap_uint<64>(ap_int<64>(score));
    if (!is_signed) hi = ap_uint<64>(score);
    if (is_signed) hi[63] = !hi[63];  // offset binary: order as unsigned
    selkey_t key = 0;
    key.range(95, 32) = hi;
    key.range(31, 0) = ~idx;
    return key;
}

template <typename S, int NSTREAMS, int KCAP, int SLOTS>
void topk_select(hls::stream<cand_t<S> > in[NSTREAMS], ap_uint<32> n, int k, hls::stream<cand_t<S> >& out,
                 hls::stream<topk_stats_t>& stats_out) {
    static_assert(SLOTS > 0 && (long long)SLOTS * NSTREAMS < (1LL << SEL_COUNT_BITS), "shared histogram counters");
    static S buf[NSTREAMS][SLOTS];
#pragma HLS array_partition variable = buf complete dim = 1
#pragma HLS bind_storage variable = buf type = ram_2p impl = uram
    static cand_t<S> sel[NSTREAMS][KCAP];
#pragma HLS array_partition variable = sel complete dim = 1
    ap_uint<32> count[NSTREAMS];
#pragma HLS array_partition variable = count complete
    for (int s = 0; s < NSTREAMS; s++) {
#pragma HLS unroll
        count[s] = dealt_count(n, NSTREAMS, s);
    }
    const ap_uint<32> rounds = count[0];
    topk_stats_t stats = {rounds, 0, 0, 0, 0};

    selkey_t kmax = 0, kmin = ~selkey_t(0);
collect:
    for (ap_uint<32> j = 0; j < rounds; j++) {
#pragma HLS pipeline II = 1
        for (int s = 0; s < NSTREAMS; s++) {
#pragma HLS unroll
            if (j < count[s] && j < ap_uint<32>(SLOTS)) {  // the host keeps n within the buffers
                const cand_t<S> c = in[s].read();
                buf[s][j] = c.score;
                const selkey_t key = sel_key(c.score, c.idx);
                if (key > kmax) kmax = key;
                if (key < kmin) kmin = key;
            }
        }
    }

    // Digit d covers key bits [8d, 8d + 8). Start at the digit of the highest differing bit.
    const ap_uint<32> want = n < ap_uint<32>(k) ? n : ap_uint<32>(k);
    int digit = 0;
    const selkey_t diff = kmax ^ kmin;
    for (int b = 0; b < 96; b++) {
#pragma HLS unroll
        if (diff[b]) digit = b / 8;
    }
    ap_uint<32> need = want;  // keys still to take at or below the prefix
    bool done = want == n;    // everything is selected: no pass needed (empty prefix matches all)
    // Key bits above digit `digit` that the k-th best has (all keys share those above the start).
    selkey_t prefix = done || digit == 11 ? selkey_t(0) : selkey_t(kmax >> (8 * (digit + 1)));
    int last = 12;            // digit boundary the final prefix ends at (12: empty prefix)
levels:
    while (!done) {
        selcount_t hist[SEL_BINS];  // shared by every stream
#pragma HLS array_partition variable = hist complete
        for (int b = 0; b < SEL_BINS; b++) hist[b] = 0;
    histogram:
        for (ap_uint<32> j = 0; j < rounds; j++) {
#pragma HLS pipeline II = 1
            ap_uint<SEL_BINS> onehot[NSTREAMS];  // each stream's digit, decoded (0 when it does not match)
#pragma HLS array_partition variable = onehot complete
            for (int s = 0; s < NSTREAMS; s++) {
#pragma HLS unroll
                onehot[s] = 0;
                if (j < count[s]) {
                    const selkey_t key = sel_key(buf[s][j], index_t(j * NSTREAMS + s));
                    const bool match = digit == 11 || (key >> (8 * (digit + 1))) == prefix;
                    if (match) onehot[s][ap_uint<8>(key >> (8 * digit))] = 1;
                }
            }
            for (int b = 0; b < SEL_BINS; b++) {
#pragma HLS unroll
                ap_uint<16> hits = 0;  // popcount of bin b's wire across the streams
                for (int s = 0; s < NSTREAMS; s++) hits += onehot[s][b];
                hist[b] += hits;
            }
        }
        ap_uint<32> above = 0, in_bin = 0;
        int bin = 0;
        bool found = false;
    scan:  // from the top bin, find the bin holding the need-th key
        for (int b = SEL_BINS - 1; b >= 0; b--) {
#pragma HLS pipeline II = 1
            const ap_uint<32> total = hist[b];
            if (!found && above + total >= need) {
                found = true;
                bin = b;
                in_bin = total;
            } else if (!found) {
                above += total;
            }
        }
        need -= above;
        prefix = (prefix << 8) | selkey_t(bin);
        last = digit;
        stats.levels++;
        stats.cycles += rounds + SEL_BINS;
        done = in_bin == need || digit == 0;
        digit--;
    }

    // Gather: keys whose bits above `last` are > prefix, or == prefix (the boundary bin, whole).
    ap_uint<32> taken[NSTREAMS];
#pragma HLS array_partition variable = taken complete
    for (int s = 0; s < NSTREAMS; s++) taken[s] = 0;
gather:
    for (ap_uint<32> j = 0; j < rounds; j++) {
#pragma HLS pipeline II = 1
        for (int s = 0; s < NSTREAMS; s++) {
#pragma HLS unroll
            if (j < count[s]) {
                const cand_t<S> c = make_cand<S>(j * NSTREAMS + s, buf[s][j]);
                const selkey_t top = last == 12 ? selkey_t(0) : selkey_t(sel_key(c.score, c.idx) >> (8 * last));
                if (top >= prefix && taken[s] < ap_uint<32>(KCAP)) sel[s][taken[s]++] = c;
            }
        }
    }
    stats.cycles += rounds;
    ap_uint<32> start[NSTREAMS];  // where each stream's list begins in the output
#pragma HLS array_partition variable = start complete
    ap_uint<32> written = 0;
    for (int q = 0; q < NSTREAMS; q++) {
#pragma HLS unroll
        start[q] = written;
        written += taken[q];
    }
write_out:  // stream by stream (each list read at its own address, one picked), then invalid up to k
    for (int t = 0; t < k; t++) {
#pragma HLS pipeline II = 1
        cand_t<S> c = no_cand<S>();
        for (int q = 0; q < NSTREAMS; q++) {
#pragma HLS unroll
            if (ap_uint<32>(t) >= start[q] && ap_uint<32>(t) < start[q] + taken[q]) c = sel[q][t - start[q]];
        }
        out.write(c);
    }
    stats.survivors = written;
    stats.cycles += k;
    stats_out.write(stats);
}

// The top-k unit a kernel instantiates: systolic queues, or the radix select for large k.
template <typename S, int NSTREAMS, int GROUP, int KCAP, int SELECT_SLOTS>
void topk_unit(hls::stream<cand_t<S> > in[NSTREAMS], ap_uint<32> n, int k, hls::stream<cand_t<S> >& out,
               hls::stream<topk_stats_t>& stats_out) {
#if K_MAX > 256
    topk_select<S, NSTREAMS, KCAP, SELECT_SLOTS>(in, n, k, out, stats_out);
#else
    topk_systolic<S, NSTREAMS, GROUP, KCAP>(in, n, k, out, stats_out);
#endif
}

#endif  // HETSIM_TOPK_SELECT_H
