// Items (keys, pages) tiered fastest-first: on-chip slots (BRAM, then URAM) and the HBM region.
//
// Every stream (PE) owns one HBM port and its own on-chip arrays of beats. Items are dealt
// round-robin: item g of a job goes to PE g % PES as its local item j = g / PES, and occupies
// ITEM_BEATS beats. On chip, local slot s of a PE is BRAM beat s * ITEM_BEATS when s is below
// the PE's BRAM slots, else URAM. A job reads its first `chip_n` items from the on-chip slots
// starting at `chip_first` (a multiple of PES, so slot = chip_first / PES + j) and the rest from
// its HBM region (local item j at beat index_beat + j * ITEM_BEATS of the PE's port).
#ifndef HETSIM_TIERS_H
#define HETSIM_TIERS_H

#include <ap_int.h>
#include <hls_stream.h>

#include "hbm_read.h"
#include "topk.h"

// Items a stream read from each tier, and the beats its PE consumed (loop trip counts).
struct fetch_stats_t {
    ap_uint<32> bram, uram, hbm;  // items
    ap_uint<32> hbm_beats;        // trips of the HBM burst loop
};

// The slots [slot0, slot0 + count) split over BRAM (slots below bram_slots) and URAM.
inline void split_slots(ap_uint<32> slot0, ap_uint<32> count, ap_uint<32> bram_slots, ap_uint<32>& bram,
                        ap_uint<32>& uram) {
#pragma HLS inline
    const ap_uint<32> room = slot0 < bram_slots ? ap_uint<32>(bram_slots - slot0) : ap_uint<32>(0);
    bram = count < room ? count : room;
    uram = count - bram;
}

// mode LOAD for one PE: copy its local items [lo, hi) of the HBM region at index_beat into
// on-chip slots slot0 + j. One flat burst loop over the beats (clamped to the slots there are).
template <typename BEAT, int ITEM_BEATS, int BRAM_SLOTS, int URAM_SLOTS>
void load_tier(const BEAT* port, ap_uint<32> index_beat, ap_uint<32> lo, ap_uint<32> hi, ap_uint<32> slot0,
               BEAT bram[BRAM_SLOTS * ITEM_BEATS + 1], BEAT uram[URAM_SLOTS * ITEM_BEATS + 1]) {
    const ap_uint<32> cap = BRAM_SLOTS + URAM_SLOTS;
    const ap_uint<32> first_slot = slot0 + lo;
    const ap_uint<32> last_slot = slot0 + hi < cap ? ap_uint<32>(slot0 + hi) : cap;
    if (hi <= lo || first_slot >= last_slot) return;
    const ap_uint<32> beats = (last_slot - first_slot) * ITEM_BEATS;
    const ap_uint<32> src = index_beat + lo * ITEM_BEATS;
    const ap_uint<32> dst = first_slot * ITEM_BEATS;
load_beats:
    for (ap_uint<32> i = 0; i < beats; i++) {
#pragma HLS pipeline II = 1
        const BEAT beat = port[src + i];
        const ap_uint<32> s = dst + i;
        if (s < ap_uint<32>(BRAM_SLOTS * ITEM_BEATS))
            bram[s] = beat;
        else
            uram[s - BRAM_SLOTS * ITEM_BEATS] = beat;
    }
}

// One PE's beats for a query, fastest tier first: its on-chip items, then one flat burst over
// its HBM region. Writes the item counts per tier to `fstats`.
template <typename BEAT, int ITEM_BEATS, int BRAM_SLOTS, int URAM_SLOTS>
void fetch_tiered(const BEAT bram[BRAM_SLOTS * ITEM_BEATS + 1], const BEAT uram[URAM_SLOTS * ITEM_BEATS + 1],
                  const BEAT* port, ap_uint<32> count, ap_uint<32> chip_count, ap_uint<32> slot0,
                  ap_uint<32> index_beat, hls::stream<BEAT>& out, hls::stream<fetch_stats_t>& fstats) {
    const ap_uint<32> cap = BRAM_SLOTS + URAM_SLOTS;
    const ap_uint<32> room = slot0 < cap ? ap_uint<32>(cap - slot0) : ap_uint<32>(0);
    ap_uint<32> chip = chip_count < count ? chip_count : count;
    chip = chip < room ? chip : room;  // the host never asks for more; clamp so HW never overruns
    fetch_stats_t st;
    split_slots(slot0, chip, BRAM_SLOTS, st.bram, st.uram);
    st.hbm = count - chip;
    st.hbm_beats = 0;
    const ap_uint<32> base = slot0 * ITEM_BEATS;
chip_beats:  // BRAM or URAM per beat: both reads are in flight, a multiplexer picks (II=1)
    for (ap_uint<32> i = 0; i < chip * ITEM_BEATS; i++) {
#pragma HLS pipeline II = 1
        const ap_uint<32> s = base + i;
        out.write(s < ap_uint<32>(BRAM_SLOTS * ITEM_BEATS) ? bram[s] : uram[s - BRAM_SLOTS * ITEM_BEATS]);
    }
    st.hbm_beats = burst_read(port, index_beat + chip * ITEM_BEATS, st.hbm * ITEM_BEATS, out);
    fstats.write(st);
}

// One PE's beats for a query when nothing lives on chip: `items` items in `beats` beats, one
// flat burst over its HBM region.
template <typename BEAT>
void fetch_hbm(const BEAT* port, ap_uint<32> index_beat, ap_uint<32> beats, ap_uint<32> items, hls::stream<BEAT>& out,
               hls::stream<fetch_stats_t>& fstats) {
    fetch_stats_t st = {0, 0, items, 0};
    st.hbm_beats = burst_read(port, index_beat, beats, out);
    fstats.write(st);
}

#endif  // HETSIM_TIERS_H
