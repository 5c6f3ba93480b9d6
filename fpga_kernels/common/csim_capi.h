// Plumbing for the C API of a kernel built as a shared library for C-simulation (ctypes).
// Include from exactly one translation unit per library (it defines extern "C" functions).
//
// HBM is simulated as one vector of beats per m_axi port, written once by the host (as XRT
// bo.write + sync would) and then read by any number of invocations. Errors never cross the C
// boundary as exceptions: each entry point returns 0, or -1 with csim_last_error() set.
#ifndef HETSIM_CSIM_CAPI_H
#define HETSIM_CSIM_CAPI_H

#include <ap_int.h>
#include <hls_stream.h>

#include <cstdint>
#include <cstring>
#include <exception>
#include <sstream>
#include <string>
#include <vector>

namespace csim {

inline std::string& last_error() {
    static std::string message;
    return message;
}

// Little-endian bytes -> AXI beats (bit 0 of the beat = bit 0 of byte 0, as the HBM sees it).
template <int W>
std::vector<ap_uint<W> > to_beats(const uint8_t* bytes, uint64_t nbytes) {
    static_assert(W % 64 == 0, "beats are a whole number of 64-bit words");
    const uint64_t beat_bytes = W / 8;
    std::vector<ap_uint<W> > beats((nbytes + beat_bytes - 1) / beat_bytes);
    for (uint64_t b = 0; b < beats.size(); b++) {
        for (int w = 0; w < W / 64; w++) {
            uint64_t word = 0;
            const uint64_t at = b * beat_bytes + 8 * w;
            if (at < nbytes) std::memcpy(&word, bytes + at, nbytes - at < 8 ? nbytes - at : 8);
            beats[b].range(64 * w + 63, 64 * w) = ap_uint<64>(word);
        }
    }
    return beats;
}

template <typename F>
int guarded(F&& body) {
    try {
        body();
        return 0;
    } catch (const std::exception& exc) {
        last_error() = exc.what();
    } catch (...) {
        last_error() = "unknown C++ exception";
    }
    return -1;
}

struct error : std::runtime_error {
    explicit error(const std::string& what) : std::runtime_error(what) {}
};

}  // namespace csim

extern "C" {
const char* csim_last_error() { return csim::last_error().c_str(); }
long csim_stream_leftovers() { return hls::stream_leftovers().load(); }
void csim_reset_stream_leftovers() { hls::stream_leftovers() = 0; }
}

#endif  // HETSIM_CSIM_CAPI_H
