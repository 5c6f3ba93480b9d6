// The kernels' flat reads: the query broadcast (on chip) and the item burst (HBM).
//
// Both are one pipelined loop at II=1 over consecutive beats; the item burst reads one m_axi
// port, so that HLS infers a single burst (split into max_read_burst_length beats by the adapter).
#ifndef HETSIM_HBM_READ_H
#define HETSIM_HBM_READ_H

#include <ap_int.h>
#include <hls_stream.h>

// Dataflow process: broadcast a row's BEATS query beats (from beat `at` of the job's on-chip row
// buffer, which the job head filled in one burst: jobs.h read_rows) to all N processing elements.
template <int BEATS, int N, typename BEAT>
void broadcast_query(const BEAT* rowbuf, ap_uint<32> at, hls::stream<BEAT> qs[N]) {
query_beats:
    for (int b = 0; b < BEATS; b++) {
#pragma HLS pipeline II = 1
        const BEAT beat = rowbuf[at + b];
        for (int p = 0; p < N; p++) qs[p].write(beat);
    }
}

// Stream `beats` beats from `first` on, one per cycle; returns the loop's trip count (the
// ST_HBM_BEATS statistic). Inlined: the loop belongs to the caller's dataflow process.
template <typename BEAT>
ap_uint<32> burst_read(const BEAT* port, ap_uint<32> first, ap_uint<32> beats, hls::stream<BEAT>& out) {
#pragma HLS inline
    ap_uint<32> trips = 0;
hbm_burst:
    for (ap_uint<32> i = 0; i < beats; i++) {
#pragma HLS pipeline II = 1
        out.write(port[first + i]);
        trips++;
    }
    return trips;
}

#endif  // HETSIM_HBM_READ_H
