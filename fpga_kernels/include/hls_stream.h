// hls_stream.h: a small C-simulation model of Vitis HLS `hls::stream`, written for hetsim.
//
// Why our own: the copy shipped in the hls4ml wheel carries a proprietary notice, and the
// Apache-2.0 copy in Xilinx/HLS_arbitrary_Precision_Types only has `hls::stream<T>` while the
// kernels use the Vitis HLS >= 2020.2 form `hls::stream<T, DEPTH>`.
//
// C-simulation runs the processes of a dataflow region one after another, in call order, so a
// stream must hold everything its producer writes before the consumer runs: DEPTH is kept for
// synthesis only and the queue is unbounded here (as in Vitis C-simulation). Reading an empty
// stream means the consumer was called before its producer or reads more than was written:
// that is a design bug, so it throws instead of returning a default value. A stream destroyed
// while still holding data (a producer wrote more than the consumer read) is counted, so the
// tests can assert every dataflow region is balanced.
#ifndef HETSIM_HLS_STREAM_H
#define HETSIM_HLS_STREAM_H

#include <atomic>
#include <cstddef>
#include <cstdio>
#include <deque>
#include <stdexcept>
#include <string>

namespace hls {

class stream_error : public std::runtime_error {
public:
    explicit stream_error(const std::string& what) : std::runtime_error(what) {}
};

// Number of streams destroyed while not empty since the last reset.
inline std::atomic<long>& stream_leftovers() {
    static std::atomic<long> count{0};
    return count;
}

// As in Vitis HLS, stream<T, DEPTH> derives from stream<T> (DEPTH 0), so a function taking
// `hls::stream<T>&` accepts a stream declared with a depth.
template <typename T, int DEPTH = 0>
class stream : public stream<T, 0> {
public:
    stream() : stream<T, 0>() {}
    explicit stream(const char* name) : stream<T, 0>(name) {}
};

template <typename T>
class stream<T, 0> {
public:
    stream() : name_("hls::stream") {}
    explicit stream(const char* name) : name_(name) {}
    stream(const stream&) = delete;
    stream& operator=(const stream&) = delete;
    ~stream() {
        if (!queue_.empty()) {
            ++stream_leftovers();
            std::fprintf(stderr, "hls_stream shim: %s destroyed holding %zu element(s)\n",
                         name_.c_str(), queue_.size());
        }
    }

    bool empty() const { return queue_.empty(); }
    bool full() const { return false; }  // unbounded in C-simulation, see the header comment
    std::size_t size() const { return queue_.size(); }

    T read() {
        if (queue_.empty()) {
            throw stream_error("read from empty stream " + name_);
        }
        T value = queue_.front();
        queue_.pop_front();
        return value;
    }
    void read(T& value) { value = read(); }
    bool read_nb(T& value) {
        if (queue_.empty()) return false;
        value = read();
        return true;
    }

    void write(const T& value) { queue_.push_back(value); }
    bool write_nb(const T& value) {
        write(value);
        return true;
    }

    void operator>>(T& value) { read(value); }
    void operator<<(const T& value) { write(value); }

private:
    std::deque<T> queue_;
    std::string name_;
};

}  // namespace hls

#endif  // HETSIM_HLS_STREAM_H
