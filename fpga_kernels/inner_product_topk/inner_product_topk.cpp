// Inner-product relevancy + streaming top-k: the dataflow design (see the header for semantics).
//
//   load_query ──► PE 0 ◄── fetch 0 (BRAM → URAM → HBM port keys0)
//              ──► PE 1 ◄── fetch 1 ...                             ──► top-k ──► write_results
//              ──► PE P-1 ◄── fetch P-1
#include "inner_product_topk.h"

// Unpack one key into CHUNKS chunks, zero beyond HEAD_DIM so that padding lanes contribute
// nothing whatever the host left in the beat.
static void unpack_key(const beat_t* port, ap_uint<32> local, chunk_t key[CHUNKS]) {
#pragma HLS inline
    data_t elems[HEAD_DIM];
#pragma HLS array_partition variable = elems complete
    unpack_elems<DATA_BITS, AXI_WIDTH_BITS, HEAD_DIM, KEY_BEATS>(port, local * KEY_BEATS, elems);
    for (int e = 0; e < DIM_PAD; e++) key[e / LANES].v[e % LANES] = e < HEAD_DIM ? elems[e] : data_t(0);
}

// mode LOAD: copy keys [first, first + n) of the HBM index into the on-chip tiers.
static void load_keys(FOR_EACH_KEYS_PORT(IPT_KEY_ARG) chunk_t bram[PES][BRAM_PER_PE * CHUNKS + 1],
                      chunk_t uram[PES][URAM_PER_PE * CHUNKS + 1], ap_uint<32> first, ap_uint<32> n) {
    for (ap_uint<32> g = first; g < first + n; g++) {
        const int p = g % PES;
        const ap_uint<32> j = g / PES;
        if (g >= BRAM_KEYS + URAM_KEYS) continue;  // lives in HBM only
        const ap_uint<32> bram_cap = dealt_count(BRAM_KEYS, PES, p);
        chunk_t key[CHUNKS];
#define IPT_READ_KEY(i, name) \
    if (p == i) unpack_key(name, j, key);
        FOR_EACH_KEYS_PORT(IPT_READ_KEY)
        for (int c = 0; c < CHUNKS; c++) {
#pragma HLS pipeline II = 1
            if (g < BRAM_KEYS)
                bram[p][j * CHUNKS + c] = key[c];
            else
                uram[p][(j - bram_cap) * CHUNKS + c] = key[c];
        }
    }
}

// Broadcast the query and head weights to every PE (each keeps its own copy in registers).
static void load_query(const data_t* query, const data_t* head_w, hls::stream<data_t> qs[PES]) {
    for (int h = 0; h < HEADS; h++) {
        for (int e = 0; e < DIM_PAD; e++) {
#pragma HLS pipeline II = 1
            data_t v = e < HEAD_DIM ? query[h * HEAD_DIM + e] : data_t(0);
            for (int p = 0; p < PES; p++) qs[p].write(v);
        }
    }
    for (int h = 0; h < HEADS; h++) {
#pragma HLS pipeline II = 1
        data_t w = head_w[h];
        for (int p = 0; p < PES; p++) qs[p].write(w);
    }
}

// Stream this PE's keys fastest tier first: BRAM, then URAM, then its HBM port.
static void fetch_keys(int p, const chunk_t bram[BRAM_PER_PE * CHUNKS + 1],
                       const chunk_t uram[URAM_PER_PE * CHUNKS + 1], const beat_t* port, ap_uint<32> n,
                       hls::stream<chunk_t>& out) {
    const ap_uint<32> bram_cap = dealt_count(BRAM_KEYS, PES, p);
    const ap_uint<32> onchip_cap = dealt_count(BRAM_KEYS + URAM_KEYS, PES, p);
    const tier_split_t t = split_tiers(dealt_count(n, PES, p), bram_cap, onchip_cap - bram_cap);
bram_tier:
    for (ap_uint<32> i = 0; i < t.bram * CHUNKS; i++) {
#pragma HLS pipeline II = 1
        out.write(bram[i]);
    }
uram_tier:
    for (ap_uint<32> i = 0; i < t.uram * CHUNKS; i++) {
#pragma HLS pipeline II = 1
        out.write(uram[i]);
    }
hbm_tier:
    for (ap_uint<32> j = 0; j < t.hbm; j++) {
        chunk_t key[CHUNKS];
#pragma HLS array_partition variable = key complete dim = 0
        unpack_key(port, onchip_cap + j, key);
        for (int c = 0; c < CHUNKS; c++) {
#pragma HLS pipeline II = 1
            out.write(key[c]);
        }
    }
}

// One PE: HEADS x LANES MACs per cycle, CHUNKS cycles per key, then ReLU + weighted head sum.
static void pe(int p, hls::stream<data_t>& qin, ap_uint<32> n, bool relu, hls::stream<chunk_t>& in,
               hls::stream<cand_t<score_t> >& out) {
    data_t q[HEADS][DIM_PAD];
#pragma HLS array_partition variable = q complete dim = 1
#pragma HLS array_partition variable = q cyclic factor = LANES dim = 2
    data_t w[HEADS];
#pragma HLS array_partition variable = w complete
    for (int h = 0; h < HEADS; h++)
        for (int e = 0; e < DIM_PAD; e++) q[h][e] = qin.read();
    for (int h = 0; h < HEADS; h++) w[h] = qin.read();

    const ap_uint<32> count = dealt_count(n, PES, p);
key_loop:
    for (ap_uint<32> j = 0; j < count; j++) {
        acc_t acc[HEADS];
#pragma HLS array_partition variable = acc complete
        for (int h = 0; h < HEADS; h++) acc[h] = 0;
    chunk_loop:
        for (int c = 0; c < CHUNKS; c++) {
#pragma HLS pipeline II = PE_II
            chunk_t key = in.read();
            for (int h = 0; h < HEADS; h++) {
                acc_t sum = 0;  // adder tree over the lanes
                for (int l = 0; l < LANES; l++) sum += q[h][c * LANES + l] * key.v[l];
                acc[h] += sum;
            }
        }
        score_t score = 0;
        for (int h = 0; h < HEADS; h++) {
#pragma HLS unroll
            acc_t a = (relu && acc[h] < 0) ? acc_t(0) : acc[h];
            score += score_t(a) * w[h];
        }
        cand_t<score_t> cand;
        cand.idx = j * PES + p;
        cand.score = score;
        cand.valid = true;
        out.write(cand);
    }
}

static void write_results(hls::stream<cand_t<score_t> >& res, hls::stream<topk_stats_t>& tstats, int k,
                          ap_uint<32> n, index_t* out_idx, score_t* out_score, ap_uint<32>* stats) {
    for (int i = 0; i < k; i++) {  // k entries, best first; invalid ones when k > n
#pragma HLS pipeline II = 1
        cand_t<score_t> c = res.read();
        out_idx[i] = c.valid ? c.idx : index_t(NO_INDEX);
        out_score[i] = c.valid ? c.score : score_t(0);
    }
    topk_stats_t t = tstats.read();
    const tier_split_t tiers = split_tiers(n, BRAM_KEYS, URAM_KEYS);
    stats[0] = tiers.bram;
    stats[1] = tiers.uram;
    stats[2] = tiers.hbm;
    stats[3] = t.rounds;
    stats[4] = t.survivors;
    stats[5] = t.inserts;
    stats[6] = 0;
    stats[7] = 0;
}

static void query_dataflow(FOR_EACH_KEYS_PORT(IPT_KEY_ARG) const data_t* query, const data_t* head_w,
                           chunk_t bram[PES][BRAM_PER_PE * CHUNKS + 1],
                           chunk_t uram[PES][URAM_PER_PE * CHUNKS + 1], index_t* out_idx, score_t* out_score,
                           ap_uint<32>* stats, ap_uint<32> n, int k, bool relu) {
#pragma HLS dataflow
    // Stream arrays take their depth from a pragma (an array of stream<T, D> would not decay to
    // the stream<T>* the processes take).
    hls::stream<data_t> qs[PES];
#pragma HLS stream variable = qs depth = 2
    hls::stream<chunk_t> chunks[PES];
#pragma HLS stream variable = chunks depth = 4 * CHUNKS
    hls::stream<cand_t<score_t> > cands[PES];
#pragma HLS stream variable = cands depth = 8
    hls::stream<cand_t<score_t>, K_MAX> res;
    hls::stream<topk_stats_t, 2> tstats;
    load_query(query, head_w, qs);
#define IPT_FETCH(i, name) fetch_keys(i, bram[i], uram[i], name, n, chunks[i]);
    FOR_EACH_KEYS_PORT(IPT_FETCH)
#define IPT_PE(i, name) pe(i, qs[i], n, relu, chunks[i], cands[i]);
    FOR_EACH_KEYS_PORT(IPT_PE)
    topk_unit<score_t, PES, K_MAX>(cands, n, k, res, tstats);
    write_results(res, tstats, k, n, out_idx, out_score, stats);
}

#define IPT_KEY_PRAGMA(i, name) \
    HLS_PRAGMA(HLS interface m_axi port = name offset = slave bundle = gmem_##name max_read_burst_length = 64)

extern "C" void inner_product_topk(FOR_EACH_KEYS_PORT(IPT_KEY_ARG) const data_t* query, const data_t* head_w,
                                   index_t* out_idx, score_t* out_score, ap_uint<32>* stats,
                                   ap_uint<32> mode, ap_uint<32> first, ap_uint<32> n_keys, ap_uint<32> k,
                                   ap_uint<32> relu) {
    FOR_EACH_KEYS_PORT(IPT_KEY_PRAGMA)
#pragma HLS interface m_axi port = query offset = slave bundle = gmem_io
#pragma HLS interface m_axi port = head_w offset = slave bundle = gmem_io
#pragma HLS interface m_axi port = out_idx offset = slave bundle = gmem_io
#pragma HLS interface m_axi port = out_score offset = slave bundle = gmem_io
#pragma HLS interface m_axi port = stats offset = slave bundle = gmem_io
#pragma HLS interface s_axilite port = mode
#pragma HLS interface s_axilite port = first
#pragma HLS interface s_axilite port = n_keys
#pragma HLS interface s_axilite port = k
#pragma HLS interface s_axilite port = relu
#pragma HLS interface s_axilite port = return

    // The key index persists on chip between invocations. +1 keeps a zero-capacity tier legal C++.
    static chunk_t key_bram[PES][BRAM_PER_PE * CHUNKS + 1];
#pragma HLS aggregate variable = key_bram
#pragma HLS array_partition variable = key_bram complete dim = 1
#pragma HLS bind_storage variable = key_bram type = ram_2p impl = bram
    static chunk_t key_uram[PES][URAM_PER_PE * CHUNKS + 1];
#pragma HLS aggregate variable = key_uram
#pragma HLS array_partition variable = key_uram complete dim = 1
#pragma HLS bind_storage variable = key_uram type = ram_2p impl = uram

    const int kk = k > K_MAX ? K_MAX : int(k);  // the host checks k; clamp so HW never overruns
#define IPT_KEY_NAME(i, name) name,
    if (mode == MODE_LOAD) {
        load_keys(FOR_EACH_KEYS_PORT(IPT_KEY_NAME) key_bram, key_uram, first, n_keys);
    } else {
        query_dataflow(FOR_EACH_KEYS_PORT(IPT_KEY_NAME) query, head_w, key_bram, key_uram, out_idx, out_score,
                       stats, n_keys, kk, relu != 0);
    }
}
