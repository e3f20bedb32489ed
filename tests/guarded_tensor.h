// A tensor placed against a PROT_NONE guard page: the view's last byte ends
// where the guard begins (Guard::after), or its first byte starts where the
// guard ends (Guard::before), so that a kernel reading or writing one
// element past the view faults. Input and filter are made read-only once
// filled; the elements outside the view (the gaps of a strided layout) hold
// the sentinel, so that an output's can be checked untouched and a read of
// an input's spoils the result. Gaps of a view spanning more than
// sentinel_limit elements stay zero instead (untouched pages cost nothing),
// which lets a view reach element offsets near 2^31 in little memory.
#pragma once

#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>

#include "stridetune.h"
#include "test_buffer.h"

namespace stridetune_test {

enum class Guard { after, before };

inline const char *guard_name(Guard g) {
    return g == Guard::after ? "guard_after" : "guard_before";
}

class GuardedTensor {
public:
    static constexpr size_t sentinel_limit = size_t(1) << 24;

    // A view of `layout`'s dims and strides, every element the sentinel, or
    // (sentinels false) zero: an input of billions of elements costs only
    // the pages written.
    GuardedTensor(const stridetune::Tensor &layout, Guard guard, bool sentinels = true)
        : dims_(layout.dims), strides_(layout.strides) {
        int64_t lo = 0, hi = 0;  // element offsets of the view's ends from its data pointer
        for (int d = 0; d < 4; d++) {
            const int64_t reach = (dims_[d] - 1) * strides_[d];
            (reach < 0 ? lo : hi) += reach;
        }
        const size_t page = size_t(sysconf(_SC_PAGESIZE));
        elements_ = size_t(hi - lo + 1);
        const size_t data_bytes = (elements_ * sizeof(float) + page - 1) / page * page;
        mapped_bytes_ = data_bytes + page;
        void *m = mmap(nullptr, mapped_bytes_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (m == MAP_FAILED) throw std::runtime_error("GuardedTensor: mmap failed");
        mapping_ = static_cast<char *>(m);
        char *guard_page = guard == Guard::after ? mapping_ + data_bytes : mapping_;
        if (mprotect(guard_page, page, PROT_NONE) != 0) throw std::runtime_error("GuardedTensor: mprotect failed");
        span_ = guard == Guard::after ? reinterpret_cast<float *>(guard_page) - elements_
                                      : reinterpret_cast<float *>(guard_page + page);
        data_ = span_ - lo;
        if (!sentinels) {
            sentinel_gaps_ = false;
        } else if (elements_ <= sentinel_limit) {
            for (size_t i = 0; i < elements_; i++) span_[i] = sentinel;
        } else {
            sentinel_gaps_ = false;
            for_each_index(dims_, [&](int64_t a, int64_t b, int64_t c, int64_t d) {
                element(view(), a, b, c, d) = sentinel;
            });
        }
    }
    ~GuardedTensor() { munmap(mapping_, mapped_bytes_); }
    GuardedTensor(const GuardedTensor &) = delete;
    GuardedTensor &operator=(const GuardedTensor &) = delete;

    stridetune::Tensor view() const { return {data_, dims_, strides_}; }
    stridetune::ConstTensor cview() const { return {data_, dims_, strides_}; }

    // Copies `values` (same dims) into the view.
    void fill_from(const stridetune::ConstTensor &values) {
        for_each_index(dims_, [&](int64_t a, int64_t b, int64_t c, int64_t d) {
            element(view(), a, b, c, d) = element(values, a, b, c, d);
        });
    }
    // Input and filter: a write through them faults too.
    void make_read_only() {
        const size_t page = size_t(sysconf(_SC_PAGESIZE));
        char *first = reinterpret_cast<char *>(span_);
        char *start = mapping_ + (first - mapping_) / page * page;
        char *end = reinterpret_cast<char *>(span_ + elements_);
        if (mprotect(start, size_t(end - start), PROT_READ) != 0) throw std::runtime_error("GuardedTensor: mprotect");
    }

    // Elements of the span outside the view that no longer hold the sentinel
    // (where the gaps hold it).
    int64_t touched_outside_view() const {
        if (!sentinel_gaps_) return 0;
        std::string inside(elements_, '\0');
        for_each_index(dims_, [&](int64_t a, int64_t b, int64_t c, int64_t d) {
            inside[size_t(&element(view(), a, b, c, d) - span_)] = 1;
        });
        int64_t touched = 0;
        for (size_t i = 0; i < elements_; i++) touched += !inside[i] && !same_bits(span_[i], sentinel);
        return touched;
    }

private:
    Dims dims_, strides_;
    char *mapping_ = nullptr;
    size_t mapped_bytes_ = 0, elements_ = 0;
    float *span_ = nullptr, *data_ = nullptr;
    bool sentinel_gaps_ = true;
};

}  // namespace stridetune_test
